"""python manage.py export_deck PATH_OR_SLUG -o FILE.apkg [--format csv]
(or --topic SUBJECT/TOPIC, or --user USERNAME)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.lib.resource_text import (
    ResourceFormatError,
    decode_resource_bytes,
    parse_resource_text,
)
from recall.lib.study import anki
from recall.library.models import Resource, Topic
from recall.study import decks


class Command(BaseCommand):
    help = (
        "Write the questions of a resource (its slug, or a file in an import format, not "
        "imported), of a topic (--topic SUBJECT/TOPIC: its published resources) or of "
        "everything a user studies (--user USERNAME) as an Anki deck (.apkg) or CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", metavar="PATH_OR_SLUG", nargs="?")
        parser.add_argument("--topic", metavar="SUBJECT/TOPIC", help="subject and topic slugs")
        parser.add_argument("--user", metavar="USERNAME", help="everything this user studies")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument("--format", choices=decks.FORMATS, help="default: the file's suffix")

    def handle(self, *args: object, **options) -> None:
        chosen = [name for name in ("target", "topic", "user") if options[name]]
        if len(chosen) != 1:
            raise CommandError("Name one of PATH_OR_SLUG, --topic SUBJECT/TOPIC or --user NAME.")
        output = Path(options["output"])
        file_format = options["format"] or (
            decks.CSV if output.suffix.lower() in (".csv", ".tsv", ".txt") else decks.APKG
        )
        specs = self._specs(options)
        notes = sum(len(spec.notes) for spec in specs)
        data = anki.csv_bytes(specs) if file_format == decks.CSV else anki.apkg_bytes(specs)
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{output}: {error}") from None
        self.stdout.write(f"{output}: {len(specs)} decks, {notes} notes ({file_format})")

    def _specs(self, options: dict) -> list[anki.DeckSpec]:
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"{options['user']}: no such user")
            resources = decks.resources_studied_by(user)
            if not resources:
                raise CommandError(f"{user}: studies no resource they can read")
            return decks.deck_specs(resources)
        if options["topic"]:
            subject_slug, _, topic_slug = options["topic"].partition("/")
            topic = Topic.objects.filter(subject__slug=subject_slug, slug=topic_slug).first()
            if topic is None:
                raise CommandError(f"{options['topic']}: no such topic (SUBJECT/TOPIC slugs)")
            resources = decks.resources_of_topic(AnonymousUser(), topic)
            if not resources:
                raise CommandError(f"{options['topic']}: no published resource")
            return decks.deck_specs(resources)
        target = options["target"]
        path = Path(target)
        if path.is_file():  # as study_cards reads it: a file in an import format
            try:
                parsed = parse_resource_text(decode_resource_bytes(path.read_bytes()))
            except (OSError, ResourceFormatError) as error:
                raise CommandError(f"{target}: {error}") from None
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            return decks.file_deck_specs(parsed, modified)
        resource = Resource.objects.select_related("subject", "topic").filter(slug=target).first()
        if resource is None:
            raise CommandError(f"{target}: no such file or resource")
        return decks.deck_specs([resource])
