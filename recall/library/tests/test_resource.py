"""The resource page: one card at a time, its information, comments, similar resources."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from recall.community.models import Comment
from recall.library.models import Resource

from .conftest import make_resource

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/"


def test_it_shows_the_first_card(client, library):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<h1 id="resource-title">The Rise of Kruschev</h1>' in html
    assert '<h2 id="card-heading">The Rise of Kruschev -Background</h2>' in html
    assert html.count("<li>", html.index('class="card-body"'), html.index('class="pager"')) == 6
    assert '<span class="position" aria-live="polite">1 of 3</span>' in html
    assert 'rel="next" href="/resources/the-rise-of-kruschev/?card=2"' in html
    assert 'rel="prev"' not in html
    assert "<main" in html and "<nav" in html and "<footer" in html


def test_it_shows_the_breadcrumb(client, library):
    html = client.get(URL).content.decode()

    start = html.index('aria-label="Breadcrumb"')
    crumbs = html[start : html.index("</nav>", start)]
    assert '<a href="/subjects/history/">History</a>' in crumbs
    assert '<a href="/subjects/history/the-cold-war/">The Cold War</a>' in crumbs
    assert '<span aria-current="page">The Rise of Kruschev</span>' in crumbs


def test_each_card_has_its_own_url(client, library):
    second = client.get(URL, {"card": 2}).content.decode()
    third = client.get(URL, {"card": 3}).content.decode()

    assert '<h2 id="card-heading" class="visually-hidden">Card 2</h2>' in second
    assert "Marshall Tito" in second and "Background" not in second.split("card-heading")[1]
    assert "2 of 3" in second
    assert 'rel="prev" href="/resources/the-rise-of-kruschev/?card=1"' in second
    assert 'rel="next" href="/resources/the-rise-of-kruschev/?card=3"' in second
    assert '<h2 id="card-heading">The Warsaw Pact</h2>' in third
    assert "3 of 3" in third and 'rel="next"' not in third


@pytest.mark.parametrize("card", ["0", "4", "x", "-1", "1.5", "", "99999999", "２"])
def test_a_card_out_of_range_is_not_found(client, library, card):
    response = client.get(URL, {"card": card})

    assert response.status_code == 404
    assert b"Not found" in response.content


def test_an_unknown_resource_is_not_found(client, library):
    assert client.get("/resources/no-such-thing/").status_code == 404


def test_it_shows_the_resource_information(client, library):
    Resource.objects.filter(pk=library["reference"].pk).update(level="gcse", exam_board="Edexcel")

    html = client.get(URL).content.decode()

    info = html[html.index("<details") : html.index("</details>")]
    assert "<summary>" in info and "resource information" in info
    for label, value in [
        ("Subject", "History"),
        ("Topic", "The Cold War"),
        ("Level", "GCSE"),
        ("Exam board", "Edexcel"),
        ("Author", "recall"),
        ("Views", "1"),
        ("Cards", "3"),
        ("Comments", "0"),
    ]:
        assert f"<dt>{label}</dt><dd>" in info
        assert value in info.split(f"<dt>{label}</dt><dd>")[1].split("</dd>")[0]
    assert "<dt>Created</dt>" in info and "<dt>Updated</dt>" in info


def test_it_says_so_when_there_are_no_comments(client, library):
    assert "No comments have yet been made" in client.get(URL).content.decode()


def test_it_shows_comments_sanitised(client, library):
    reader = get_user_model().objects.create_user("reader")
    Comment.objects.create(
        resource=library["reference"],
        author=reader,
        body="Useful!",
        body_html="<p>Useful!</p>",
    )

    html = client.get(URL).content.decode()

    assert "No comments have yet been made" not in html
    assert "<p>Useful!</p>" in html and "reader" in html
    assert "<dt>Comments</dt><dd>1</dd>" in html


def test_it_lists_similar_resources_same_topic_first(client, library):
    html = client.get(URL).content.decode()

    similar = html[html.index("Similar History resources") : html.index('class="see-all"')]
    same_topic = [similar.index(t) for t in ("The Cuban Missile Crisis", "The Berlin Blockade")]
    assert max(same_topic) < similar.index("The Weimar Republic")
    assert "Animal Cells" not in similar
    assert "The Rise of Kruschev" not in similar


def test_it_links_to_all_subject_and_topic_resources(client, library):
    html = client.get(URL).content.decode()

    assert '<a href="/subjects/history/">See all History resources »</a>' in html
    assert '<a href="/subjects/history/the-cold-war/">See all The Cold War resources »</a>' in html


def test_it_escapes_titles_and_headings(client, library):
    make_resource('<script>alert("t")</script>', cards=1)

    response = client.get("/resources/scriptalerttscript/")

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html


def test_htmx_paging_returns_the_card_alone(client, library):
    response = client.get(URL, {"card": 2}, headers={"HX-Request": "true", "HX-Target": "card"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="card"')
    assert "<html" not in html and "Similar History resources" not in html
    assert "2 of 3" in html


def test_views_are_counted_once_per_visit_not_per_card(client, library):
    resource = library["reference"]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for card in (1, 2, 3, 2, 1):
            client.get(URL, {"card": card})
        client.get(URL + "all/")
        resource.refresh_from_db()
        assert resource.view_count == 1

        traveller.shift(timedelta(hours=2))
        client.get(URL)
        resource.refresh_from_db()
        assert resource.view_count == 2


def test_htmx_card_requests_do_not_count_views(client, library):
    client.get(URL, {"card": 2}, headers={"HX-Request": "true", "HX-Target": "card"})

    assert Resource.objects.get(pk=library["reference"].pk).view_count == 0


def test_each_visitor_counts(client, library):
    client.get(URL)
    client.cookies.clear()
    client.get(URL)

    assert Resource.objects.get(pk=library["reference"].pk).view_count == 2


def test_only_get_and_head_are_allowed(client, library):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_the_query_count_does_not_grow_with_cards_comments_or_similar(
    client, library, django_assert_max_num_queries
):
    # Anonymous first visit: resource, card, comments, comment and rating stats, similar by
    # content (and a fill-in by topic when that gives fewer than five), view count, and a
    # new session (key check, savepoint, insert, release).
    with django_assert_max_num_queries(11):
        client.get(URL, {"card": 2})
    for n in range(5):
        make_resource(f"More Cold War {n}", cards=8)
    reader = get_user_model().objects.create_user("reader")
    for _ in range(5):
        Comment.objects.create(
            resource=library["reference"], author=reader, body="x", body_html="<p>x</p>"
        )
    client.cookies.clear()
    with django_assert_max_num_queries(11):
        client.get(URL, {"card": 3})
