"""/search/: relevance, snippets, forgiving queries, filters, visibility, on either database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recall.community.actions import resource_set_hidden, topic_approve
from recall.lib.resource_text import ParsedCard, ParsedResource, parse_resource_text
from recall.lib.search_text import parse_query
from recall.library.actions import resource_delete, resource_import, resource_save
from recall.library.models import Resource
from recall.library.tests.conftest import make_resource
from recall.search.models import SearchDocument, SearchTerm
from recall.search.service import load_page

pytestmark = pytest.mark.django_db


def add(title, *points, subject="History", topic="The Cold War", heading="", **fields):
    body = "\n".join(f"- {p}" for p in points) or "- Nothing more."
    parsed = ParsedResource(title, subject, topic, (ParsedCard(heading, body),), **fields)
    return resource_import(parsed, default_author="recall").resource


@pytest.fixture
def corpus(reference_text):
    reference = resource_import(parse_resource_text(reference_text), default_author="recall")
    return {
        "reference": reference.resource,
        "crisis": add(
            "The Cuban Missile Crisis",
            "Khrushchev placed nuclear missiles on Cuba in 1962.",
            "Kennedy ordered a naval blockade.",
            level="gcse",
        ),
        "purge": add("Stalin's Terror", "The great purge of 1937 killed many officials."),
        "cafe": add(
            "Café society", "Writers met in a café in Paris.", subject="French", topic="Culture"
        ),
        "wall": add("The Berlin Wall", "The wall was built in 1961.", level="a-level"),
        "cells": add(
            "Animal cells", "The nucleus holds the DNA.", subject="Biology", topic="Cells"
        ),
    }


def titles(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return [r.title for r, _ in response.context["outcome"].results], response


def test_it_finds_a_word_in_the_cards(client, corpus):
    found, _ = titles(client, q="blockade")

    assert found == ["The Cuban Missile Crisis"]


def test_a_title_match_ranks_above_a_card_match(client, corpus):
    add("Notes on everything", "A short mention of the Berlin Wall.")

    found, _ = titles(client, q="wall")

    assert found[0] == "The Berlin Wall"
    assert "Notes on everything" in found


def test_snippets_highlight_the_matched_words_and_escape_the_rest(client, corpus):
    add("Tags", "Writing <b>bold</b> tags about the blockade.")

    response = client.get("/search/", {"q": "blockade"})

    html = response.content.decode()
    assert "<mark>blockade</mark>" in html
    assert "<b>bold</b>" not in html
    # SQLite keeps the text as written, escaped; PostgreSQL's ts_headline drops the tags.
    snippet = html[html.index('class="snippet"') :]
    snippet = snippet[: snippet.index("</p>")]
    assert "bold" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet or "<b>" not in snippet


@pytest.mark.parametrize(
    ("query", "expected", "corrected"),
    [
        ("Kruschev", {"The Cuban Missile Crisis", "The Rise of Kruschev"}, ""),
        ("Khrushchev", {"The Cuban Missile Crisis"}, ""),
        ("missle", {"The Cuban Missile Crisis"}, "missile"),
        ("destalinisation", {"The Rise of Kruschev"}, "stalinisation"),
        ("purges", {"Stalin's Terror", "The Rise of Kruschev"}, ""),
        ("CAFE", {"Café society"}, ""),
        ("café", {"Café society"}, ""),
    ],
)
def test_it_forgives_misspellings_stems_and_folds(client, corpus, query, expected, corrected):
    found, response = titles(client, q=query)

    assert expected <= set(found), found
    outcome = response.context["outcome"]
    if corrected:
        assert outcome.corrected == corrected
        assert f"Did you mean <strong>{corrected}</strong>?" in response.content.decode()


def test_a_name_spelled_another_way_is_found_both_ways(client, corpus):
    # Only the reference page says "Kruschev" and only the crisis says "Khrushchev";
    # a query word missing from every document is corrected to the nearest one held.
    SearchTerm.objects.filter(term="khrushchev").delete()
    from recall.search.service import forget_vocabulary

    forget_vocabulary()

    found, response = titles(client, q="Khrushchev")

    assert "The Rise of Kruschev" in found
    assert response.context["outcome"].corrected == "kruschev"


def test_correct_words_stay_as_typed(client, corpus):
    add("Wills and testaments", "A will says who inherits.")

    found, response = titles(client, q="bill")

    assert found == []
    assert response.context["outcome"].corrected == ""
    assert "No published resource matches" in response.content.decode()


def test_the_exact_link_searches_without_correction(client, corpus):
    found, response = titles(client, q="missle", exact="on")

    assert found == []
    assert response.context["outcome"].corrected == ""


@pytest.mark.parametrize("query", ["the of and", "!!! ??? ...", '"', "the"])
def test_stop_words_or_punctuation_get_a_helpful_empty_result(client, corpus, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing found" in html
    assert ("holds only very common words" in html) or ("Type a word to search for" in html)


def test_a_phrase_matches_words_in_order(client, corpus):
    found, _ = titles(client, q='"naval blockade"')
    reversed_found, _ = titles(client, q='"blockade naval"')

    assert found == ["The Cuban Missile Crisis"]
    assert reversed_found == []


def test_filters_narrow_the_results(client, corpus):
    history = corpus["wall"].subject_id

    assert titles(client, q="in", level="a-level")[0] == []  # "in" is a stop word
    assert titles(client, q="1961", level="a-level")[0] == ["The Berlin Wall"]
    assert titles(client, q="1961", level="gcse")[0] == []
    assert "Café society" not in titles(client, q="paris OR wall", subject=history)[0]
    assert titles(client, q="nucleus", topic=corpus["cells"].topic_id)[0] == ["Animal cells"]
    assert titles(client, q="nucleus", kind="flashcards")[0] == []


def test_words_never_match_the_filter_columns(client, corpus):
    topic = corpus["wall"].topic_id

    assert titles(client, q=f"t{topic}")[0] == []
    assert titles(client, q="knotes lgcse")[0] == []


def test_results_are_paginated(client, corpus):
    for n in range(25):
        add(f"Treaty {n:02}", "A treaty was signed.")

    first, response = titles(client, q="treaty")
    second, _ = titles(client, q="treaty", page=2)

    assert len(first) == 20 and len(second) == 5
    assert response.context["outcome"].total == 25
    assert 'rel="next"' in response.content.decode()
    assert client.get("/search/", {"q": "treaty", "page": 3}).status_code == 404
    assert client.get("/search/", {"q": "treaty", "page": "x"}).status_code == 404


def test_only_visible_resources_are_found(client, corpus, author, moderator):
    draft = resource_save(
        author,
        ParsedResource("Secret draft", "History", "The Cold War", (ParsedCard("", "- zebra"),)),
    )
    assert titles(client, q="zebra")[0] == []

    resource_save(
        author,
        ParsedResource.from_dict(draft.revisions.first().content),
        resource=draft,
        publish=True,
    )
    assert titles(client, q="zebra")[0] == ["Secret draft"]

    resource_set_hidden(moderator, Resource.objects.get(pk=draft.pk), True)
    assert titles(client, q="zebra")[0] == []

    resource_set_hidden(moderator, Resource.objects.get(pk=draft.pk), False)
    assert titles(client, q="zebra")[0] == ["Secret draft"]

    resource_delete(author, Resource.objects.get(pk=draft.pk))
    assert titles(client, q="zebra")[0] == []
    assert not SearchTerm.objects.filter(term="zebra").exists()


def test_a_proposed_topic_is_found_once_approved(client, author, moderator):
    resource = resource_save(
        author,
        ParsedResource("Quasars", "Astronomy", "Galaxies", (ParsedCard("", "- bright"),)),
        publish=True,
    )
    assert titles(client, q="quasars")[0] == []

    topic_approve(moderator, resource.topic)

    assert titles(client, q="quasars")[0] == ["Quasars"]


def test_an_edit_updates_the_index_and_the_vocabulary(client, corpus, author):
    resource = resource_save(
        author,
        ParsedResource("Old", "History", "The Cold War", (ParsedCard("", "- apple"),)),
        publish=True,
    )
    resource_save(
        author,
        ParsedResource("New", "History", "The Cold War", (ParsedCard("", "- banana"),)),
        resource=resource,
    )

    assert titles(client, q="apple")[0] == []
    assert titles(client, q="banana")[0] == ["New"]
    assert not SearchTerm.objects.filter(term="apple").exists()
    assert SearchTerm.objects.get(term="banana").documents == 1


def test_rebuild_search_index(client, corpus):
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert out.getvalue() == "Indexed 6 visible resource(s).\n"
    assert titles(client, q="blockade")[0] == ["The Cuban Missile Crisis"]
    assert SearchTerm.objects.get(term="blockade").documents == 1


def test_htmx_gets_the_results_alone(client, corpus):
    response = client.get(
        "/search/", {"q": "blockade"}, headers={"HX-Request": "true", "HX-Target": "search-results"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="search-results"')
    assert "<html" not in html


def test_every_page_has_a_search_box(client, corpus):
    for url in ("/", "/subjects/history/", corpus["wall"].get_absolute_url()):
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'action="/search/"' in html


def test_the_empty_search_page_explains_itself(client, db):
    html = client.get("/search/").content.decode()

    assert "Search every published resource" in html


def test_the_query_count_does_not_grow_with_results(client, corpus, django_assert_max_num_queries):
    for n in range(30):
        make_resource(f"Blockade {n}", cards=3)
    client.get("/search/", {"q": "blockade"})  # builds the vocabulary

    with django_assert_max_num_queries(6):
        client.get("/search/", {"q": "blockade"})


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_page_of_results_loads_as_resource_lists_do_in_one_query(
    corpus, django_assert_num_queries
):
    make_resource("Many cards", cards=7)
    cells = corpus["cells"]  # its topic's subject differs from its own, as no form allows
    Resource.objects.filter(pk=cells.pk).update(subject=corpus["wall"].subject)
    ids = sorted(SearchDocument.objects.values_list("pk", flat=True), reverse=True)
    listed = Resource.objects.for_listing().in_bulk(ids)

    with django_assert_num_queries(1):
        page = load_page([*ids, 10**9], parse_query("wall").stems)
        for resource, _ in page:
            assert resource.topic.subject.slug and resource.author.get_username()

    assert [resource.pk for resource, _ in page] == ids
    for resource, hit in page:
        expected = listed[resource.pk]
        assert hit.resource_id == resource.pk
        assert resource.card_count == expected.card_count
        assert (resource._state.adding, resource._state.db) == (False, "default")
        for ours, theirs in [
            (resource, expected),
            (resource.subject, expected.subject),
            (resource.topic, expected.topic),
            (resource.topic.subject, expected.topic.subject),
            (resource.author, expected.author),
        ]:
            assert type(ours) is type(theirs) and fields(ours) == fields(theirs)
    assert {r.card_count for r, _ in page} >= {1, 7}
    assert next(r for r, _ in page if r.pk == cells.pk).topic.subject.name == "Biology"
    titles = {hit.title_html for _, hit in page}
    assert "The Berlin <mark>Wall</mark>" in titles
