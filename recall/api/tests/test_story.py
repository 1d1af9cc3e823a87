"""The issue's "done when": a script with a token uploads the reference page, reads it
back card by card and deletes it, using only the documented API."""

from __future__ import annotations

import pytest

from recall.conftest import REFERENCE_PAGE
from recall.lib.resource_text import parse_resource_text

from .conftest import API, make_resource

pytestmark = pytest.mark.django_db


def test_a_script_uploads_reads_and_deletes_the_reference_page(client, token):
    make_resource("The Berlin Blockade")  # History › The Cold War exist (new ones wait)
    auth = {"Authorization": f"Bearer {token}"}
    expected = parse_resource_text(REFERENCE_PAGE.read_text(encoding="utf-8"))

    with REFERENCE_PAGE.open("rb") as page:
        created = client.post(f"{API}/imports", {"file": page}, headers=auth)
    assert created.status_code == 201, created.content
    resource = created.json()
    slug = resource["slug"]
    assert resource["title"] == expected.title == "The Rise of Kruschev"

    # Read back one card at a time, in order (anyone could: it is published).
    card_count = client.get(f"{API}/resources/{slug}", headers=auth).json()["card_count"]
    assert card_count == len(expected.cards) == 3
    for number, want in enumerate(expected.cards, start=1):
        card = client.get(f"{API}/resources/{slug}/cards/{number}", headers=auth).json()
        assert (card["position"], card["heading"], card["body"]) == (
            number,
            want.heading,
            want.body,
        )
        assert card["body_html"].startswith("<ul>")
    assert client.get(f"{API}/resources/{slug}/cards/{card_count + 1}").status_code == 404
    assert client.get(f"{API}/resources/{slug}/cards/1").status_code == 200

    deleted = client.delete(f"{API}/resources/{slug}", headers=auth)
    assert deleted.status_code == 204
    assert client.get(f"{API}/resources/{slug}").status_code == 404
    assert slug not in [r["slug"] for r in client.get(f"{API}/resources").json()["items"]]
