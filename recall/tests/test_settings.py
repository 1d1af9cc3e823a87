"""Configuration from the environment: defaults that work, clear errors for bad values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from recall import settings as recall_settings
from recall.tests.processes import run_python


def start_up(tmp_path, **env: str):
    """Import the settings in a fresh interpreter, as manage.py and gunicorn would."""
    code = "import recall.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"
    return run_python(["-c", code], tmp_path / "var", **env)


def test_it_starts_with_no_configuration(tmp_path):
    result = start_up(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3 False"
    key_file = tmp_path / "var" / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_the_generated_secret_key_is_kept(tmp_path):
    start_up(tmp_path)
    first = (tmp_path / "var" / "secret_key").read_text()
    start_up(tmp_path)

    assert (tmp_path / "var" / "secret_key").read_text() == first


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/recall"}, "DATABASE_URL must look like"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL must look like"),
        ({"DATABASE_URL": "sqlite://"}, "DATABASE_URL for SQLite must name a file"),
        (
            {"DATABASE_URL": "postgres://localhost"},
            "DATABASE_URL for PostgreSQL must name a database",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must be a comma-separated list"),
        ({"RECALL_PAGE_SIZE": "ten"}, "RECALL_PAGE_SIZE must be a whole number"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(tmp_path, env, message):
    result = start_up(tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_postgres_url_configures_postgresql(tmp_path):
    config = recall_settings._database("postgres://recall:pw@db.example:5433/recall")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == (
        "recall",
        "db.example",
        5433,
        "recall",
    )


def test_a_worker_keeps_its_database_connection_checked_unless_told_not_to(monkeypatch):
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    config = recall_settings._database("postgres://recall@db.example/recall")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (600, True)

    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    config = recall_settings._database("postgres://recall@db.example/recall")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (0, False)


def test_a_sqlite_url_uses_wal_and_immediate_transactions(tmp_path):
    config = recall_settings._database(f"sqlite:///{tmp_path}/x.sqlite3")

    assert config["NAME"] == f"{tmp_path}/x.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_sqlite_database_really_is_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )

    mode = run_python(["-c", code], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/wal.sqlite3")

    assert mode.stdout.strip() == "wal", mode.stderr


def test_a_sqlite_connection_keeps_a_small_page_cache_unless_told(tmp_path):
    # Every thread of a worker has a connection: SQLite's default 2,000 KiB each cost a
    # gthread worker 8 MB (recall/settings.py).
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA cache_size'); print(c.fetchone()[0])"
    )
    url = f"sqlite:///{tmp_path}/cache.sqlite3"

    default = run_python(["-c", code], tmp_path, DATABASE_URL=url)
    told = run_python(["-c", code], tmp_path, DATABASE_URL=url, DATABASE_SQLITE_CACHE_KIB="4000")

    assert default.stdout.strip() == "-500", default.stderr
    assert told.stdout.strip() == "-4000", told.stderr


def test_a_page_cache_below_100_kib_stops_start_up(tmp_path):
    result = start_up(tmp_path, DATABASE_SQLITE_CACHE_KIB="10")

    assert result.returncode != 0
    assert "DATABASE_SQLITE_CACHE_KIB must be at least 100" in result.stderr


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("true", True), ("No", False), ("", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert recall_settings.env_bool("SOME_FLAG", not value) is value


def test_env_int_enforces_its_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "0")

    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be at least 1"):
        recall_settings.env_int("SOME_NUMBER", 5, minimum=1)


def test_replica_urls_add_read_databases_and_the_router(tmp_path):
    code = (
        "import recall.settings as s; "
        "print(sorted(s.DATABASES), s.DATABASES['replica2']['HOST'], s.DATABASE_ROUTERS)"
    )

    result = run_python(
        ["-c", code],
        tmp_path,
        DATABASE_URL="postgres://recall@primary:5432/recall",
        DATABASE_REPLICA_URLS="postgres://recall@r1:5432/recall,postgres://recall@r2:5432/recall",
    )

    assert result.stdout.strip() == (
        "['default', 'replica1', 'replica2'] r2 ['recall.db_routers.PrimaryReplicaRouter']"
    ), result.stderr


def test_the_router_reads_from_replicas_and_writes_to_the_primary():
    from recall.db_routers import PrimaryReplicaRouter

    router = PrimaryReplicaRouter(replicas=["replica1"])

    assert router.db_for_read(None) == "replica1"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("default", "library") is True
    assert router.allow_migrate("replica1", "library") is False
    assert PrimaryReplicaRouter(replicas=[]).db_for_read(None) is None
