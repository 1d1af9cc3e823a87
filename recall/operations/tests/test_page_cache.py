"""Whole pages for anonymous readers come from the cache until what they show changes."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.community.actions import comment_create, rating_set, resource_set_hidden
from recall.lib.resource_text import ParsedResource
from recall.library.actions import resource_delete, resource_save
from recall.library.models import Resource, Status
from recall.library.tests.conftest import make_resource
from recall.operations import page_cache

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/"
PAGES = [
    "/",
    "/subjects/history/",
    "/subjects/history/the-cold-war/",
    URL,
    URL + "?card=2",
    "/search/?q=berlin",
]


def queries(client, url: str, **kwargs) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def edit_title(resource: Resource, title: str) -> None:
    revision = resource.revisions.first()
    content = ParsedResource.from_dict({**revision.content, "title": title})
    resource_save(resource.author, content, resource=resource, base_version=resource.version)


@pytest.mark.parametrize("url", PAGES)
def test_it_serves_a_second_anonymous_reader_from_the_cache(client, library, url):
    first, html = queries(client, url)
    again, cached = queries(client, url)

    assert first >= 2
    # The session (to know the reader is anonymous) and nothing else.
    assert again <= 1
    assert cached == html
    client.cookies.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).content.decode() == html
    if url.startswith(URL):
        # A new reader of a resource: their view is counted (a new session), nothing read.
        assert not any("SELECT" in q["sql"] and "library_" in q["sql"] for q in captured)
    else:
        assert len(captured) == 0


def test_a_cached_page_keeps_its_security_headers(client, library):
    rendered = client.get(URL)
    cached = client.get(URL)

    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Vary"):
        assert cached[header] == rendered[header]
    assert "csrftoken" not in cached.cookies


def test_anonymous_pages_hold_no_csrf_token(client, library):
    for url in PAGES:
        response = client.get(url)
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "X-CSRFToken" not in response.content.decode()
        assert "csrftoken" not in response.cookies


@pytest.mark.parametrize("url", PAGES)
def test_an_edit_makes_every_page_stale(client, library, url):
    client.get(url)
    edit_title(library["reference"], "The Rise of Kruschev, revised")

    count, html = queries(client, url)

    assert count > 1
    if url != "/search/?q=berlin":
        assert "The Rise of Kruschev, revised" in html


def test_a_comment_shows_at_once(client, library, other):
    client.get(URL)
    comment_create(other, library["reference"], "A cached page must show me.")

    assert "A cached page must show me." in client.get(URL).content.decode()


def test_a_rating_shows_at_once(client, library, other):
    client.get(URL)
    rating_set(other, library["reference"], 1)

    assert "★☆☆☆☆" in client.get(URL).content.decode()


def test_publishing_and_hiding_show_at_once(client, library, author, moderator):
    content = ParsedResource.from_dict(
        {**library["reference"].revisions.first().content, "title": "Stalin Dies"}
    )
    draft = resource_save(author, content, publish=False)
    topic_page = "/subjects/history/the-cold-war/"
    assert "Stalin Dies" not in client.get(topic_page).content.decode()

    published = resource_save(
        author, content, resource=draft, base_version=draft.version, publish=True
    )
    assert "Stalin Dies" in client.get(topic_page).content.decode()

    resource_set_hidden(moderator, published, True)
    assert "Stalin Dies" not in client.get(topic_page).content.decode()


def test_deleting_a_resource_shows_at_once(client, library):
    assert "The Berlin Blockade" in client.get("/").content.decode()
    blockade = library["blockade"]
    resource_delete(blockade.author, blockade)

    assert "The Berlin Blockade" not in client.get("/").content.decode()
    assert client.get(blockade.get_absolute_url()).status_code == 404


def test_logged_in_readers_never_get_a_cached_page(client, library, other):
    anonymous_html = client.get(URL).content.decode()
    client.force_login(other)

    count, html = queries(client, URL)

    assert count >= 3  # session, user and the reader's own rating: rendered for them
    assert html != anonymous_html
    assert "Log out" in html and "other" in html
    # ...and their page is never stored for the next anonymous reader.
    client.logout()
    assert "Log out" not in client.get(URL).content.decode()


@pytest.mark.parametrize("storage", ["cookie", "session"])
def test_a_readers_messages_never_reach_another_reader(client, library, rf, settings, storage):
    client.get(URL)
    request = rf.get(URL)
    request.session = client.session
    note = Message(messages.INFO, "A note for one reader only.")
    if storage == "cookie":
        client.cookies["messages"] = CookieStorage(request)._encode([note])
    else:
        settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
        request.session["_messages"] = SessionStorage(request).serialize_messages([note])
        request.session.save()

    count, html = queries(client, URL)
    assert "A note for one reader only." in html
    assert count > 1

    client.cookies.clear()
    assert "A note for one reader only." not in client.get(URL).content.decode()


def test_a_message_in_the_cookie_is_rendered_not_stored(client, library):
    client.get(URL)
    client.cookies["messages"] = "anything"

    count, _ = queries(client, URL)

    assert count > 1


def test_a_cached_resource_page_still_counts_views(client, library):
    reference = library["reference"]
    client.get(URL)  # rendered: the first view
    client.cookies.clear()
    client.get(URL)  # another reader, from the cache
    client.get(URL)  # the same reader again, in the same visit

    reference.refresh_from_db()
    assert reference.view_count == 2


def test_htmx_fragments_are_not_cached(client, library):
    client.get(URL + "?card=2")

    fragment = client.get(URL + "?card=2", headers={"HX-Request": "true", "HX-Target": "card"})

    assert "<html" not in fragment.content.decode()


def test_a_login_does_not_make_pages_stale(client, library, other):
    client.get("/")
    version = page_cache.cache.get(page_cache.VERSION_KEY)
    client.force_login(other)
    other.refresh_from_db()
    other.last_login = None
    other.save(update_fields=["last_login"])

    assert page_cache.cache.get(page_cache.VERSION_KEY) == version


def test_a_renamed_author_shows_at_once(client, library):
    client.get(URL)
    author = get_user_model().objects.get(pk=library["reference"].author_id)
    author.username = "renamed-author"
    author.save()

    assert "renamed-author" in client.get(URL).content.decode()


def test_it_can_be_turned_off(client, library, settings):
    settings.RECALL_PAGE_CACHE_SECONDS = 0
    client.get(URL)

    count, _ = queries(client, URL)

    assert count > 3
    assert Resource.objects.filter(status=Status.PUBLISHED).exists()


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_resource_counts_follow_every_change(client, library, other, logged_in):
    # The counts of the home and subject pages are computed once per change of content,
    # for every reader (page_cache.while_unchanged).
    if logged_in:
        client.force_login(other)
    assert "1 resource<" in client.get("/subjects/biology/").content.decode()
    assert '<span class="name">Biology</span> <span class="count">1 resource<' in (
        client.get("/").content.decode()
    )

    make_resource("Plant Cells", subject="Biology", topic="Cells")

    assert "2 resources<" in client.get("/subjects/biology/").content.decode()
    assert '<span class="name">Biology</span> <span class="count">2 resources<' in (
        client.get("/").content.decode()
    )


def test_pages_stored_by_other_code_are_never_served(client, library, monkeypatch):
    _, html = queries(client, URL)
    assert queries(client, URL)[0] <= 1  # served from the cache

    # An upgrade: the same content, other code and templates.
    monkeypatch.setattr(page_cache, "code_release", lambda: "another-release")
    count, again = queries(client, URL)

    assert count >= 2  # rendered, not read from the cache
    assert again == html


def test_the_code_release_follows_the_code():
    release = page_cache.code_release()
    assert release == page_cache.code_release()
    assert len(release) == 16 and int(release, 16) >= 0
