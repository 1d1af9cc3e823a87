"""python manage.py restore PATH"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.operations.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into this installation, which must "
        "be empty (no accounts, no resources). On PostgreSQL it prints the pg_restore "
        "command to use instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="the .tar.gz backup to restore")

    def handle(self, *args: object, path: str, **options: object) -> None:
        try:
            manifest = backup_restore(Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored {rows} rows in {len(manifest['tables'])} tables and "
            f"{len(manifest['media'])} media file(s) from a backup of {manifest['created_at']}. "
            "Run `manage.py migrate` if this version of Recall is newer than the backup's."
        )
