"""python manage.py study_cards PATH_OR_SLUG [--json]"""

from __future__ import annotations

import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.lib.resource_text import (
    ResourceFormatError,
    decode_resource_bytes,
    parse_resource_text,
)
from recall.lib.study.cloze import HIDDEN, StudyCard, study_cards
from recall.library.models import Resource


def cards_of(target: str) -> tuple[str, list[StudyCard]]:
    """The title and study cards of a file in an import format, or of a resource's slug."""
    path = Path(target)
    if path.is_file():
        try:
            parsed = parse_resource_text(decode_resource_bytes(path.read_bytes()))
        except (OSError, ResourceFormatError) as error:
            raise CommandError(f"{target}: {error}") from None
        pairs = [(card.heading, card.body) for card in parsed.cards]
        return parsed.title, study_cards(pairs, kind=parsed.kind)
    resource = Resource.objects.filter(slug=target).first()
    if resource is None:
        raise CommandError(f"{target}: no such file or resource")
    pairs = list(resource.cards.order_by("position").values_list("heading", "body"))
    return resource.title, study_cards(pairs, kind=resource.kind)


class Command(BaseCommand):
    help = (
        "Print the study cards a resource yields (kind, prompt with the hidden span marked "
        f"{HIDDEN}, answer, source point): PATH_OR_SLUG is a file in an import format (not "
        "imported) or a resource's slug."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", metavar="PATH_OR_SLUG")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")

    def handle(self, *args: object, target: str, json: bool, **options: object) -> None:
        title, cards = cards_of(target)
        if json:
            data = {"title": title, "cards": [card.to_dict() for card in cards]}
            self.stdout.write(json_module.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{title}: {len(cards)} cards")
        for number, card in enumerate(cards, start=1):
            self.stdout.write("")
            span = f" ({card.span.kind})" if card.span else ""
            self.stdout.write(f"{number}. {card.kind}{span}, from card {card.card_position}")
            self.stdout.write(f"   Q: {card.prompt}")
            answer = card.answer.replace("\n", "\n      ")
            self.stdout.write(f"   A: {answer}")
            if card.kind == "cloze":
                self.stdout.write(f"   point: {card.point}")
                if card.alternatives:
                    others = ", ".join(span.text for span in card.alternatives)
                    self.stdout.write(f"   other spans: {others}")
