"""The OpenAPI schema and the interactive docs: the schema changes only deliberately, and
the docs page loads nothing from elsewhere."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import API

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi-snapshot.json"
REGENERATE = (
    ".venv/bin/python manage.py export_openapi_schema --api recall.api.v1.api "
    "--indent 2 --sorted --output recall/api/openapi-snapshot.json"
)


def test_the_schema_matches_the_committed_snapshot(client):
    live = client.get(f"{API}/openapi.json").json()
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))

    assert live == committed, (
        "The API's OpenAPI schema is not the committed snapshot. If the change to the API "
        f"is deliberate, regenerate the snapshot and commit it with the change:\n  {REGENERATE}"
    )


def test_the_schema_documents_every_operations_errors(client):
    schema = client.get(f"{API}/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "401", "422", "429"):
                assert status in responses, (method, path, status)
                content = responses[status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorOut"}
            assert "Retry-After" in responses["429"]["headers"]
            # Writes, and reads of the token user's own (who they are, their studies).
            writes = method != "get" or path.endswith("/me") or "/study/" in path
            security = operation["security"]
            assert security == ([{"BearerToken": []}] if writes else [{"BearerToken": []}, {}])


def test_the_schema_names_the_bearer_scheme(client):
    schemes = client.get(f"{API}/openapi.json").json()["components"]["securitySchemes"]

    assert schemes["BearerToken"]["type"] == "http"
    assert schemes["BearerToken"]["scheme"] == "bearer"


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get(f"{API}/docs")

    assert response.status_code == 200
    parser = _References()
    parser.feed(response.content.decode())
    assert parser.urls, "the page should load Swagger UI's files"
    assert all(url.startswith("/static/") for url in parser.urls), parser.urls
    assert not re.search(r"https?://", response.content.decode())
    assert '"validatorUrl": null' in response.content.decode()


def test_the_docs_page_keeps_the_sites_content_security_policy(client):
    policy = client.get(f"{API}/docs")["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy


def test_swagger_ui_is_served_from_the_site(client):
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{name}")
        assert response.status_code == 200, name
        b"".join(response.streaming_content)
