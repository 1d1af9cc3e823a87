"""python manage.py export_site DIR"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from recall.operations.exports import site_export


class Command(BaseCommand):
    help = (
        "Write every published, visible resource to DIR as one Markdown file each "
        "(<slug>.md, the import format): `import_resources DIR/*.md` reads them back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="where to write the files")

    def handle(self, *args: object, directory: str, **options: object) -> None:
        export = site_export(Path(directory))
        for slug in export.inexact:
            self.stderr.write(f"{slug}: its file will not read back exactly (check its cards)")
        self.stdout.write(f"{len(export.written)} resource(s) written to {directory}")
