"""manage.py backup and restore: a consistent online copy of SQLite, restored elsewhere."""

from __future__ import annotations

import json
import sqlite3
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from recall.operations.backups import BackupError, backup_create
from recall.tests.processes import run_python

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's backup; PostgreSQL uses pg_dump"
)


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in cursor.fetchall()]


def _every_row(cursor) -> dict[str, list[tuple]]:
    """Every row of every table (FTS5's own tables included), in a stable order."""
    rows = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from sqlite_master
        rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return rows


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_elsewhere_holds_every_row(populated, tmp_path, settings):
    media = tmp_path / "media"
    (media / "uploads").mkdir(parents=True)
    (media / "uploads" / "diagram.png").write_bytes(b"\x89PNG not really")
    settings.MEDIA_ROOT = media
    archive = tmp_path / "backups" / "recall.tar.gz"

    call_command("backup", str(archive))

    with connection.cursor() as cursor:
        original = _every_row(cursor)
    assert sum(len(rows) for rows in original.values()) > 100
    assert original["library_resource"] and original["community_comment"]
    assert original["community_rating"] and original["library_revision"]

    target = tmp_path / "elsewhere" / "recall.sqlite3"
    target_media = tmp_path / "elsewhere" / "media"
    env = {"DATABASE_URL": f"sqlite:///{target}", "MEDIA_ROOT": str(target_media)}
    result = run_python(["manage.py", "restore", str(archive)], tmp_path / "var2", **env)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    # Read with the type conversions Django's connection applies to the original.
    restored = sqlite3.connect(
        target, detect_types=connection.get_connection_params()["detect_types"]
    )
    try:
        assert _every_row(restored.cursor()) == original
    finally:
        restored.close()
    assert (target_media / "uploads" / "diagram.png").read_bytes() == b"\x89PNG not really"
    # The restored database is at this version's schema: nothing left to migrate.
    check = run_python(["manage.py", "migrate", "--check"], tmp_path / "var2", **env)
    assert check.returncode == 0, check.stdout + check.stderr


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_the_archive_holds_the_database_and_a_manifest(author, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "no-media"
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("k" * 50)

    summary = backup_create(tmp_path / "b.tar.gz", include_secret_key=True)

    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert sorted(names) == ["database.sqlite3", "manifest.json", "secret_key"]
    assert manifest["tables"]["auth_user"] == 1
    assert ["library", "0001_initial"] in manifest["migrations"]
    assert manifest["media"] == [] and manifest["secret_key"] is True
    assert summary.secret_key and summary.media_files == 0
    assert oct((tmp_path / "b.tar.gz").stat().st_mode & 0o777) == "0o600"


@on_sqlite
def test_a_backup_taken_while_another_connection_writes_is_consistent(tmp_path):
    database = tmp_path / "live.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    assert run_python(["manage.py", "migrate"], tmp_path / "var", **env).returncode == 0
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO auth_group (name) VALUES ('committed')")
    writer.execute("BEGIN IMMEDIATE")  # a write in progress, holding the write lock
    writer.execute("INSERT INTO auth_group (name) VALUES ('uncommitted')")
    try:
        archive = tmp_path / "live.tar.gz"
        result = run_python(["manage.py", "backup", str(archive)], tmp_path / "var", **env)
        assert result.returncode == 0, result.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    with tarfile.open(archive) as backup:
        backup.extract("database.sqlite3", tmp_path / "out", filter="data")
    copy = sqlite3.connect(tmp_path / "out" / "database.sqlite3")
    try:
        names = {name for (name,) in copy.execute("SELECT name FROM auth_group")}
    finally:
        copy.close()
    assert "committed" in names and "uncommitted" not in names


@on_sqlite
@pytest.mark.django_db
def test_backup_refuses_to_run_inside_a_transaction(tmp_path):
    with transaction.atomic(), pytest.raises(BackupError, match="outside a database transaction"):
        backup_create(tmp_path / "b.tar.gz")


@on_sqlite
@pytest.mark.django_db
def test_restore_refuses_an_installation_in_use(author, tmp_path):
    archive = tmp_path / "any.tar.gz"
    archive.write_bytes(b"")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


@on_sqlite
@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_text("hello")

    with pytest.raises(CommandError, match="not a readable .tar.gz backup"):
        call_command("restore", str(not_a_backup))
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "advice"), [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_on_postgresql_it_says_to_use_pg_dump_and_pg_restore(
    command, advice, tmp_path, monkeypatch
):
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")

    with pytest.raises(CommandError, match=advice) as error:
        call_command(command, str(tmp_path / "recall.tar.gz"))

    assert "README.md" in str(error.value)
    assert not (tmp_path / "recall.tar.gz").exists()
