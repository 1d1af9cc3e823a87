"""python manage.py import_deck FILE --user USERNAME --subject S --topic T [--title] [--publish]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.lib.resource_text import ResourceFormatError
from recall.lib.study.anki import MAX_DECK_FILE_BYTES
from recall.study.decks import deck_import


class Command(BaseCommand):
    help = (
        "Import an Anki package (.apkg) or a CSV/TSV file (question, tab or comma, answer) "
        "as a flashcards resource of USERNAME's (a draft unless --publish)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--user", required=True, metavar="USERNAME")
        parser.add_argument("--subject", required=True)
        parser.add_argument("--topic", required=True)
        parser.add_argument("--title", default="", help="default: the deck's or file's name")
        parser.add_argument("--publish", action="store_true", help="publish it at once")

    def handle(self, *args: object, **options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"{options['user']}: no such user")
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_DECK_FILE_BYTES:
                raise CommandError(
                    f"{path}: over the limit of {MAX_DECK_FILE_BYTES // 1024 // 1024} MB"
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error}") from None
        try:
            result = deck_import(
                user,
                data,
                subject=options["subject"],
                topic=options["topic"],
                title=options["title"],
                filename=path.name,
                publish=options["publish"],
            )
        except (ResourceFormatError, PermissionDenied) as error:
            raise CommandError(f"{path}: {error}; nothing was imported") from None
        for resource in result.resources:
            self.stdout.write(resource.get_absolute_url())
        skipped = f", {result.skipped} notes skipped" if result.skipped else ""
        self.stdout.write(
            f"{result.cards} cards in {len(result.resources)} resources{skipped}",
            self.style.SUCCESS,
        )
