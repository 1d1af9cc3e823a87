"""Concurrent writers on one SQLite file: no "database is locked", no write lost.

Several processes, each with several threads, post comments and answer reviews at once
through the same action functions the pages call. WAL lets readers on while one writer
writes; BEGIN IMMEDIATE (settings.SQLITE_OPTIONS) takes the write lock at the start of
each transaction, so a writer waits its turn (busy timeout) instead of failing when it
upgrades a read lock that another writer's commit has made stale.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings

from recall.tests.processes import run_python

PROCESSES = 4
THREADS = 3
WRITES = 25  # per thread: a comment and a review answer each

SETUP = """
import django
django.setup()
from django.contrib.auth import get_user_model
from recall.library.actions import resource_import_bytes
from recall.study.actions import study_resource_add
from pathlib import Path
resource = resource_import_bytes(Path("demo/the-rise-of-kruschev.txt").read_bytes()).resource
for number in range({users}):
    user = get_user_model().objects.create_user(f"writer{{number}}")
    study_resource_add(user, resource)
"""

WORKER = """
import json, sys, threading, time
from pathlib import Path
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from recall.community.actions import comment_create
from recall.library.models import Resource
from recall.study.actions import review_answer
from recall.study.models import StudyItem

process, threads, writes, folder = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
resource = Resource.objects.get()
items = list(StudyItem.objects.filter(resource=resource, retired_at=None))
connection.close()
acknowledged, errors = [], []

def write(thread):
    user = get_user_model().objects.get(username=f"writer{process * threads + thread}")
    for number in range(writes):
        key = (process * threads + thread) * 10_000 + number
        try:
            comment_create(user, resource, f"comment {key}")
            acknowledged.append(["comment", key])
            review_answer(user, items[key % len(items)], 1 + key % 4, duration_ms=key)
            acknowledged.append(["review", key])
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
    connection.close()

(folder / f"ready-{process}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)  # waiting for the other processes, not for time to pass
workers = [threading.Thread(target=write, args=(t,)) for t in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(json.dumps({"acknowledged": acknowledged, "errors": errors}))
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    var = tmp_path / "var"
    migrated = run_python(["manage.py", "migrate", "--noinput"], var)
    assert migrated.returncode == 0, migrated.stderr
    made = run_python(["-c", SETUP.format(users=PROCESSES * THREADS)], var)
    assert made.returncode == 0, made.stderr
    return var


def test_concurrent_comments_and_reviews_all_land(site: Path, tmp_path: Path):
    results: list[subprocess.CompletedProcess] = [None] * PROCESSES  # type: ignore[list-item]

    def run(process: int) -> None:
        args = ["-c", WORKER, str(process), str(THREADS), str(WRITES), str(tmp_path)]
        results[process] = run_python(args, site)

    runners = [threading.Thread(target=run, args=(p,)) for p in range(PROCESSES)]
    for runner in runners:
        runner.start()
    while len(list(tmp_path.glob("ready-*"))) < PROCESSES and any(r.is_alive() for r in runners):
        threading.Event().wait(0.01)  # waiting for the processes to start
    (tmp_path / "go").touch()
    for runner in runners:
        runner.join()

    reports = []
    for result in results:
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout.strip().splitlines()[-1]))
    errors = [error for report in reports for error in report["errors"]]
    assert errors == []
    acknowledged = {tuple(write) for report in reports for write in report["acknowledged"]}
    assert len(acknowledged) == PROCESSES * THREADS * WRITES * 2

    with sqlite3.connect(site / "recall.sqlite3") as database:
        comments = {
            int(body.split()[1])
            for (body,) in database.execute("SELECT body FROM community_comment")
        }
        reviews = {
            duration for (duration,) in database.execute("SELECT duration_ms FROM study_reviewlog")
        }
        (integrity,) = database.execute("PRAGMA integrity_check").fetchone()
        (journal,) = database.execute("PRAGMA journal_mode").fetchone()
    assert comments == {key for kind, key in acknowledged if kind == "comment"}
    assert reviews == {key for kind, key in acknowledged if kind == "review"}
    assert integrity == "ok"
    assert journal == "wal"


def test_the_settings_ask_sqlite_for_wal_immediate_transactions_and_a_busy_timeout():
    options = settings.SQLITE_OPTIONS
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
