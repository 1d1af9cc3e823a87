"""A reader's worker stays light: the libraries only writers need load on first use."""

from __future__ import annotations

import json

from recall.tests.processes import run_python

# What a worker that only serves pages must not import (about 25 MB between them): the
# deck writer (genanki) and the word-frequency library the question generator uses.
HEAVY = ["genanki", "wordfreq"]

CODE = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
statuses = [client.get(path).status_code for path in ("/", "/healthz", "/search/?q=cold")]
print(json.dumps({"statuses": statuses, "loaded": [m for m in %r if m in sys.modules]}))
"""


def test_serving_pages_loads_no_writer_libraries(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "ALLOWED_HOSTS": "testserver"}
    migrate = run_python(["manage.py", "migrate", "--noinput", "-v0"], tmp_path, **env)
    assert migrate.returncode == 0, migrate.stderr

    result = run_python(["-c", CODE % HEAVY], tmp_path, **env)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [200, 200, 200]
    assert report["loaded"] == []
