"""python manage.py backup PATH [--include-secret-key]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.operations.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the SQLite database (SQLite's online backup API, safe "
        "while the site serves), with the uploaded media, to one .tar.gz file. On "
        "PostgreSQL it prints the pg_dump command to use instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="the .tar.gz file to write")
        parser.add_argument(
            "--include-secret-key",
            action="store_true",
            help="also keep var/secret_key (the generated SECRET_KEY) in the backup",
        )

    def handle(self, *args: object, path: str, include_secret_key: bool, **options) -> None:
        try:
            summary = backup_create(Path(path), include_secret_key=include_secret_key)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{summary.path}: {summary.rows} rows in {summary.tables} tables, "
            f"{summary.media_files} media file(s)"
            + (", the secret key" if summary.secret_key else "")
        )
