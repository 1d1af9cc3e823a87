"""A reader's worker stays light: the libraries only writers need load on first use."""

from __future__ import annotations

import json

from recall.tests.processes import run_python

# What a worker that only serves pages must not import (about 25 MB between them): the
# deck writer (genanki) and the word-frequency library the question generator uses; the
# Markdown renderer and HTML sanitiser (content is rendered when saved), the YAML parser
# of the import format and the quality checks' spelling index (about 3.5 MB together);
# the JSON API's django-ninja and pydantic (about 17 MB: recall.urls.LazyURLResolver).
HEAVY = ["genanki", "wordfreq", "markdown_it", "nh3", "yaml", "symspellpy", "ninja", "pydantic"]

# Another process writes the content (importing a resource renders it), as an author's
# request in another worker would.
SEED = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import
text = '''---
title: The Berlin Wall
subject: History
topic: The Cold War
---

## Built

- The wall was **built** in 1961.
'''
resource = resource_import(parse_resource_text(text), default_author="recall").resource
get_user_model().objects.create_user("reader", password="a long reader password")
print(json.dumps({"resource": resource.get_absolute_url(), "topic": resource.topic_id,
                  "pages": [resource.subject.get_absolute_url(),
                            resource.topic.get_absolute_url()]}))
"""

CODE = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
seeded = json.loads(sys.argv[1])
paths = ["/", "/healthz", "/search/?q=cold", "/search/?q=wal&topic=%%d" %% seeded["topic"],
         seeded["resource"], *seeded["pages"]]
reader = Client()
reader.force_login(get_user_model().objects.get(username="reader"))
statuses = [client.get(path).status_code for client in (Client(), reader) for path in paths]
loaded = [m for m in %r if m in sys.modules]
api = Client().get("/api/v1/subjects")  # the API still answers, and loads its libraries then
print(json.dumps({"statuses": statuses, "loaded": loaded, "api": api.status_code,
                  "api_json": api["Content-Type"], "ninja": "ninja" in sys.modules}))
"""


def test_serving_pages_loads_no_writer_libraries(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "ALLOWED_HOSTS": "testserver"}
    migrate = run_python(["manage.py", "migrate", "--noinput", "-v0"], tmp_path, **env)
    assert migrate.returncode == 0, migrate.stderr
    seed = run_python(["-c", SEED], tmp_path, **env)
    assert seed.returncode == 0, seed.stderr
    seeded = seed.stdout.strip().splitlines()[-1]

    result = run_python(["-c", CODE % HEAVY, seeded], tmp_path, **env)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [200] * 14
    assert report["loaded"] == []
    assert report["api"] == 200 and report["api_json"].startswith("application/json")
    assert report["ninja"]
