"""Searches with more matches than a backend ranks: title matches first, then the
others; the newest of each ranked, the rest newest first; every match on some page."""

from __future__ import annotations

import pytest

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.search.backends import Filters, search_backend
from recall.search.service import search_resources

pytestmark = pytest.mark.django_db


def add(title, text):
    parsed = ParsedResource(title, "History", "The Cold War", (ParsedCard("", f"- {text}"),))
    return resource_import(parsed, default_author="recall").resource


@pytest.fixture
def many():
    in_text = [add(f"Note {n}", f"The blockade of Berlin, part {n}.") for n in range(7)]
    in_titles = [add(f"Blockade {n}", "Planes flew in food.") for n in range(3)]
    add("Elsewhere", "Nothing to see.")
    return in_titles, in_text


@pytest.fixture
def bound(monkeypatch):
    backend = type(search_backend())
    monkeypatch.setattr(backend, "ranked_at_most", 2)


def every_page(size):
    found, offset = [], 0
    while True:
        outcome = search_resources("blockade", Filters(), offset, size)
        found += [resource for resource, _ in outcome.results]
        offset += size
        if offset >= outcome.total:
            return found, outcome.total


@pytest.mark.parametrize("size", [1, 3, 20])
def test_beyond_the_bound_every_match_is_found_once_titles_first(many, bound, size):
    in_titles, in_text = many

    found, total = every_page(size)

    assert total == 10
    assert sorted(r.pk for r in found) == sorted(r.pk for r in in_titles + in_text)
    assert set(found[:3]) == set(in_titles)


def test_within_the_bound_everything_is_ranked(many):
    found, total = every_page(20)

    assert total == 10
    assert set(found[:3]) == set(in_titles := many[0]) and len(in_titles) == 3


def test_hits_are_highlighted_in_the_title_and_the_snippet(many, bound):
    outcome = search_resources("blockades", Filters(), 0, 20)

    titles = [hit.title_html for _, hit in outcome.results]
    snippets = [hit.snippet_html for _, hit in outcome.results]
    assert "<mark>Blockade</mark> 0" in titles
    assert "The <mark>blockade</mark> of Berlin, part 3." in snippets


@pytest.fixture
def counted_at_most(monkeypatch):
    monkeypatch.setattr("recall.search.backends.COUNTED_AT_MOST", 4)


@pytest.mark.parametrize("size", [1, 3])
def test_counting_stops_past_the_page_and_every_match_stays_reachable(
    many, bound, counted_at_most, size
):
    in_titles, in_text = many

    first = search_resources("blockade", Filters(), 0, size)
    found, offset, outcome = [], 0, first
    while True:
        outcome = search_resources("blockade", Filters(), offset, size)
        found += [resource for resource, _ in outcome.results]
        offset += size
        if outcome.total_exact and offset >= outcome.total:
            break

    assert (first.total, first.total_exact) == (4, False)
    assert (outcome.total, outcome.total_exact) == (10, True)
    assert sorted(r.pk for r in found) == sorted(r.pk for r in in_titles + in_text)
    assert set(found[:3]) == set(in_titles)


def test_a_capped_count_says_more_than_and_links_the_next_page(
    client, many, counted_at_most, monkeypatch
):
    whole = client.get("/search/", {"q": "blockade"}).content.decode()  # 20 a page: exact
    monkeypatch.setattr("recall.search.views.PAGE_SIZE", 2)

    pages = [client.get("/search/", {"q": "blockade", "page": n}) for n in (1, 4, 5, 6)]

    first, fourth, fifth = (page.content.decode() for page in pages[:3])
    assert "10 resources found" in whole and "More than" not in whole
    assert "More than 4 resources found" in first and "Page 1 of 2+" in first
    assert 'rel="next"' in first
    assert "Page 4 of 4+" in fourth and 'rel="next"' in fourth
    assert "10 resources found" in fifth and "Page 5 of 5<" in fifth
    assert 'rel="next"' not in fifth
    assert pages[3].status_code == 404
