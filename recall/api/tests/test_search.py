"""Searching through the API: the search service, as the /search/ page uses it."""

from __future__ import annotations

import pytest

from recall.community.actions import resource_set_hidden

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_it_finds_resources_by_their_words(api, library):
    response = api.get("/search?q=Kruschev")

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Kruschev" and body["page"] == 1
    assert body["total"] >= 1 and body["total_exact"] is True
    first = body["items"][0]
    assert first["resource"]["slug"] == "the-rise-of-kruschev"
    assert "<mark>" in first["title_html"] + first["snippet_html"]


def test_it_filters_by_subject(api, library):
    assert api.get("/search?q=cells&subject=history").json()["items"] == []
    found = api.get("/search?q=cells&subject=biology").json()["items"]
    assert [item["resource"]["slug"] for item in found] == ["animal-cells"]


def test_an_unknown_subject_finds_nothing(api, library):
    body = api.get("/search?q=cells&subject=alchemy").json()

    assert body["total"] == 0 and body["items"] == []


def test_it_never_finds_hidden_resources(api, library, moderator, moderator_token):
    resource_set_hidden(moderator, library["reference"], True)

    found = api.get("/search?q=Kruschev", token=moderator_token).json()["items"]

    assert "the-rise-of-kruschev" not in [item["resource"]["slug"] for item in found]


@pytest.mark.parametrize(
    "query", ["q=", "", "q=" + "x" * 201, "q=a%00", "q=a&page=0", "q=a&limit=51"]
)
def test_bad_queries_are_invalid(api, query):
    response = api.get(f"/search?{query}")

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


def test_a_query_of_stop_words_finds_nothing(api, library):
    response = api.get("/search?q=the")

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_count_that_stopped_says_so(api, library, monkeypatch):
    monkeypatch.setattr("recall.search.backends.COUNTED_AT_MOST", 0)
    whole = api.get("/search?q=point").json()  # every card says "Point n of ..."

    first = api.get("/search?q=point&limit=1").json()

    assert whole["total"] > 1 and whole["total_exact"] is True
    assert first["total"] == 1 and first["total_exact"] is False
    assert len(first["items"]) == 1
