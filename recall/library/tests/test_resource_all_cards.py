"""All cards on one page, for reading and printing."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/all/"


def test_it_shows_every_card_in_order(client, library):
    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    headings = ["The Rise of Kruschev -Background", "Card 2", "The Warsaw Pact"]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    stack = html[
        html.index('<ol class="card-stack">') : html.index("</ol>", html.index("card-stack"))
    ]
    assert stack.count("<li>") == 6 + 8 + 5
    assert "3 of 3" in html


def test_the_resource_page_links_to_it(client, library):
    html = client.get("/resources/the-rise-of-kruschev/").content.decode()

    assert f'<a href="{URL}">Show all 3 cards on one page</a>' in html


def test_it_has_the_same_surroundings_as_the_card_page(client, library):
    html = client.get(URL).content.decode()

    assert "No comments have yet been made" in html
    assert "Similar History resources" in html
    assert "See all The Cold War resources »" in html
    assert "resource information" in html


def test_the_stylesheet_hides_page_furniture_when_printing():
    css = (settings.BASE_DIR / "recall/static/recall/css/site.css").read_text()

    print_rules = css[css.index("@media print") :]
    for selector in (".site-header", ".pager", ".comments", ".similar", ".see-all"):
        assert selector in print_rules


def test_unknown_resource_is_not_found(client, library):
    assert client.get("/resources/nope/all/").status_code == 404


def test_query_count_is_fixed(client, library, settings, django_assert_num_queries):
    client.get(URL)  # a first visit creates the session
    # session, resource, cards, comments, comment and rating stats; the similar resources
    # come from a fragment shared by every reader until the content changes
    with django_assert_num_queries(5):
        client.get(URL)
    # ...rendered each time without the page cache: similar by content and the fill-in
    settings.RECALL_PAGE_CACHE_SECONDS = 0
    with django_assert_num_queries(7):
        client.get(URL)
