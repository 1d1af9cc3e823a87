"""python manage.py import_resources PATH [PATH ...]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from recall.lib.resource_text import ResourceFormatError
from recall.library.actions import resource_import_bytes


class Command(BaseCommand):
    help = (
        "Import revision resources from files in the scraped page format or Markdown with "
        "YAML front matter. Prints each imported resource's path; re-importing a source "
        "updates it in place. Each file is imported whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to import")
        parser.add_argument(
            "--author",
            default=settings.RECALL_IMPORT_AUTHOR,
            help="username owning resources whose file names no author (default: %(default)s)",
        )

    def handle(self, *args: object, paths: list[str], author: str, **options: object) -> None:
        failures = import_files([Path(p) for p in paths], author, self.stdout, self.stderr)
        if failures:
            raise CommandError(f"{failures} of {len(paths)} file(s) could not be imported.")


def import_files(paths: list[Path], author: str, stdout, stderr) -> int:
    """Import each file on its own; print paths and reasons; return how many failed."""
    failures = 0
    for path in paths:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
            stderr.write(f"{path}: cannot read the file ({error.strerror.lower()})")
            failures += 1
            continue
        try:
            result = resource_import_bytes(data, default_author=author)
        except ResourceFormatError as error:
            stderr.write(f"{path}: {error}")
            failures += 1
            continue
        except DatabaseError as error:
            # The file's transaction was rolled back; report it and go on with the rest.
            stderr.write(f"{path}: database error, nothing imported ({error})")
            failures += 1
            continue
        stdout.write(result.resource.get_absolute_url())
    return failures
