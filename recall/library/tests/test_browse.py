"""Home, subject and topic pages: what is there, in order, paginated, in few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.library.models import Resource, Status

from .conftest import make_resource

pytestmark = pytest.mark.django_db


def test_home_lists_subjects_with_counts_and_recent_resources(client, library):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<a href="/subjects/history/"><span class="name">History</span>' in html
    assert "4 resources" in html
    assert '<span class="name">Biology</span> <span class="count">1 resource</span>' in html
    recent = html[html.index("Recently added") :]
    order = [
        recent.index(t)
        for t in (
            "The Rise of Kruschev",
            "The Cuban Missile Crisis",
            "The Weimar Republic",
            "The Berlin Blockade",
            "Animal Cells",
        )
    ]
    assert order == sorted(order)


def test_home_says_how_to_start_when_empty(client, db):
    html = client.get("/").content.decode()

    assert "No subjects yet" in html
    assert "No resources yet." in html


def test_subject_page_lists_its_topics_and_resources(client, library):
    response = client.get("/subjects/history/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>All History resources</h1>" in html
    assert (
        '<a href="/subjects/history/the-cold-war/"><span class="name">The Cold War</span> <span class="count">3 resources</span>'
        in html
    )
    assert '<span class="name">Nazi Germany</span> <span class="count">1 resource</span>' in html
    assert "The Weimar Republic" in html and "Animal Cells" not in html
    assert '<span class="tag">A-level</span>' in html


def test_topic_page_lists_its_resources(client, library):
    response = client.get("/subjects/history/the-cold-war/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>All The Cold War resources</h1>" in html
    assert "The Rise of Kruschev" in html and "The Berlin Blockade" in html
    assert "The Weimar Republic" not in html
    assert "3 cards" in html
    assert '<a href="/subjects/history/">See all History resources »</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/subjects/maths/",
        "/subjects/history/no-such-topic/",
        "/subjects/biology/the-cold-war/",  # a real topic, but of another subject
        "/subjects/history/the-cold-war/?page=9",
        "/subjects/history/the-cold-war/?page=x",
        "/subjects/history/?page=0",
    ],
)
def test_unknown_pages_are_not_found(client, library, url):
    response = client.get(url)

    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content


def test_topic_pages_are_paginated(client, library, settings):
    settings.RECALL_PAGE_SIZE = 5
    for n in range(10):
        make_resource(f"Extra {n:02}", age_days=10 + n)

    first = client.get("/subjects/history/the-cold-war/").content.decode()
    second = client.get("/subjects/history/the-cold-war/", {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    assert "Extra 09" not in first and "Extra 09" in second
    # With orphans, the last short page folds into the one before it.
    assert "Page 2 of 2" in second and 'rel="next"' not in second


def test_browse_query_counts_do_not_grow_with_resources(client, library):
    def counts():
        found = []
        for url in ("/", "/subjects/history/", "/subjects/history/the-cold-war/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    before = counts()
    for n in range(15):
        make_resource(f"Extra {n}", topic="The Cold War" if n % 2 else "Nazi Germany", cards=4)
    after = counts()

    assert before == after
    assert before == [2, 4, 3]


def test_drafts_and_hidden_resources_are_in_no_list(client, library):
    Resource.objects.filter(pk=library["cuba"].pk).update(status=Status.DRAFT)
    Resource.objects.filter(pk=library["weimar"].pk).update(is_hidden=True)

    pages = [
        client.get(url).content.decode()
        for url in ("/", "/subjects/history/", "/subjects/history/the-cold-war/")
    ]
    similar = client.get("/resources/the-rise-of-kruschev/").content.decode()

    for html in [*pages, similar]:
        assert "The Cuban Missile Crisis" not in html
        assert "The Weimar Republic" not in html
    assert "Nazi Germany" not in pages[1]  # its only resource is hidden
    assert '<span class="name">History</span> <span class="count">2 resources</span>' in pages[0]
