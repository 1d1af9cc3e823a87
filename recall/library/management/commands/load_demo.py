"""python manage.py load_demo: the demo content, only into an empty library."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.library.management.commands.import_resources import import_files
from recall.library.models import Resource

DEMO_DIR = settings.BASE_DIR / "demo"


class Command(BaseCommand):
    help = "Load the demo resources from demo/ when the library is empty (or with --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="import even when resources exist")

    def handle(self, *args: object, force: bool, **options: object) -> None:
        existing = Resource.objects.count()
        if existing and not force:
            self.stdout.write(f"The library has {existing} resource(s); demo content not loaded.")
            return
        paths = sorted(p for p in DEMO_DIR.iterdir() if p.suffix in {".md", ".txt"})
        failures = import_files(paths, settings.RECALL_IMPORT_AUTHOR, self.stdout, self.stderr)
        if failures:
            raise CommandError(f"{failures} demo file(s) could not be imported.")
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} demo resources."))
