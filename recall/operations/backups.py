"""Backups of a SQLite installation: one .tar.gz with the database, a manifest and media.

The database is copied with SQLite's online backup API from the live connection, so the
copy is one consistent snapshot even while the site serves and writes (WAL mode lets
writers go on meanwhile); a plain file copy could catch a half-written page or miss the
WAL. PostgreSQL installations use pg_dump and pg_restore instead (postgres_advice says how).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
DATABASE_NAME = "database.sqlite3"
MANIFEST_NAME = "manifest.json"
MEDIA_NAME = "media"
SECRET_KEY_NAME = "secret_key"  # noqa: S105 - a file name, not a secret
# Tables whose rows make an installation "in use": a restore refuses to overwrite them.
CONTENT_TABLES = ("auth_user", "library_resource")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    media_files: int
    secret_key: bool


def postgres_advice(alias: str = "default") -> str:
    """What to run instead on PostgreSQL: a consistent pg_dump and its pg_restore."""
    name = settings.DATABASES[alias].get("NAME", "recall")
    return (
        "This installation uses PostgreSQL: back it up with pg_dump, which takes a "
        "consistent snapshot while the site runs, and restore with pg_restore into an empty "
        "database (README.md, 'PostgreSQL'):\n"
        f"  pg_dump --format=custom --file=recall-$(date +%F).dump {name}\n"
        f"  pg_restore --dbname={name} --no-owner recall-YYYY-MM-DD.dump\n"
        "Keep SECRET_KEY (or var/secret_key) and the media folder "
        f"({settings.MEDIA_ROOT}) with the dump."
    )


def _require_sqlite(alias: str) -> None:
    if connections[alias].vendor != "sqlite":
        raise BackupError(postgres_advice(alias))


def _table_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    # Names come from sqlite_master itself, quoted as identifiers.
    return {
        name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def backup_create(
    path: Path, *, include_secret_key: bool = False, alias: str = "default"
) -> BackupSummary:
    """Write a consistent backup of the SQLite database (and media, and optionally the
    generated secret key) to the .tar.gz at path, replacing it only when complete."""
    _require_sqlite(alias)
    path = Path(path)
    connection = connections[alias]
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for this connection's own write lock.
        raise BackupError("Take a backup outside a database transaction.")
    connection.ensure_connection()
    with tempfile.TemporaryDirectory(prefix="recall-backup-") as scratch:
        copy_path = Path(scratch) / DATABASE_NAME
        copy = sqlite3.connect(copy_path)
        try:
            # One step (pages=-1): the whole database within a single read transaction.
            connection.connection.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single, self-contained file
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The copy of the database failed SQLite's integrity check.")
            counts = _table_counts(copy)
            migrations = [
                [app, name]
                for app, name in copy.execute(
                    "SELECT app, name FROM django_migrations ORDER BY app, name"
                ).fetchall()
            ]
        finally:
            copy.close()
        media_root = Path(settings.MEDIA_ROOT)
        media = _media_files(media_root)
        secret_path = Path(settings.VAR_DIR) / SECRET_KEY_NAME
        with_secret = include_secret_key and secret_path.is_file()
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": "sqlite",
            "migrations": migrations,
            "tables": counts,
            "media": [str(item.relative_to(media_root)) for item in media],
            "secret_key": with_secret,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(copy_path, arcname=DATABASE_NAME)
            for item in media:
                archive.add(item, arcname=f"{MEDIA_NAME}/{item.relative_to(media_root)}")
            if with_secret:
                archive.add(secret_path, arcname=SECRET_KEY_NAME)
        os.chmod(partial, 0o600)  # it holds password hashes (and maybe the key)
        os.replace(partial, path)
    return BackupSummary(
        path=path,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(media),
        secret_key=with_secret,
    )


def installation_is_empty(alias: str = "default") -> bool:
    """No accounts and no resources (a freshly migrated database counts as empty)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in CONTENT_TABLES:
            if table in existing:
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608 - constant names
                if cursor.fetchone() is not None:
                    return False
    return True


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.extractfile(MANIFEST_NAME)
    except KeyError:
        raise BackupError(f"Not a Recall backup: it has no {MANIFEST_NAME}.") from None
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT_VERSION or manifest.get("database") != "sqlite":
        raise BackupError("This backup was written in a format this version cannot restore.")
    return manifest


def backup_restore(path: Path, *, alias: str = "default") -> dict:
    """Restore a backup into this installation, which must be empty; returns its manifest.

    The database is written through SQLite's backup API into the configured database, so
    its WAL and locks are respected; media files go to MEDIA_ROOT, which must not already
    hold files; a backed-up secret key is written to var/secret_key unless SECRET_KEY is set.
    """
    _require_sqlite(alias)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    name = str(connections[alias].settings_dict["NAME"])
    if not name.startswith("file:") and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)  # a new installation's folder
    if not installation_is_empty(alias):
        raise BackupError(
            "This installation is not empty (it has accounts or resources): restore only "
            "into a new, empty database. Point DATABASE_URL at a new file and try again."
        )
    media_root = Path(settings.MEDIA_ROOT)
    try:
        archive = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path}: not a readable .tar.gz backup ({error}).") from None
    with archive, tempfile.TemporaryDirectory(prefix="recall-restore-") as scratch:
        manifest = _read_manifest(archive)
        if manifest["media"] and _media_files(media_root):
            raise BackupError(f"The media folder {media_root} already holds files.")
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(scratch, filter="data")
        source = sqlite3.connect(Path(scratch) / DATABASE_NAME)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The backed-up database failed SQLite's integrity check.")
            connection = connections[alias]
            connection.ensure_connection()
            source.backup(connection.connection, pages=-1)
        finally:
            source.close()
        connection.close()  # later queries see the restored schema afresh
        media_dir = Path(scratch) / MEDIA_NAME
        for name in manifest["media"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(media_dir / name, target)
        secret = Path(scratch) / SECRET_KEY_NAME
        if manifest.get("secret_key") and secret.is_file() and "SECRET_KEY" not in os.environ:
            key_path = Path(settings.VAR_DIR) / SECRET_KEY_NAME
            key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secret.read_text())
    return manifest
