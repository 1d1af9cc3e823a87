"""What every reader's page has in common is rendered or read once per change of content
({% shared %} fragments, the resource's shared row): a logged-in reader's page renders
only what is theirs, and still sees every change at once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.community.actions import comment_create, comment_set_hidden, rating_set
from recall.lib.resource_text import ParsedResource
from recall.library.actions import resource_save
from recall.library.models import Resource
from recall.operations import page_cache

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/"
LISTS = ["/", "/subjects/history/", "/subjects/history/the-cold-war/"]
STAR_5 = '<input type="radio" name="stars" value="5" id="rating-stars_4" required checked>'


def get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def main(html: str) -> str:
    """The page's main part, CSRF tokens aside (masked anew on every page)."""
    return re.sub(r'value="\w{64}"', "", html[html.index("<main") : html.index("</main>")])


def edit_title(resource: Resource, title: str) -> None:
    revision = resource.revisions.first()
    content = ParsedResource.from_dict({**revision.content, "title": title})
    resource_save(resource.author, content, resource=resource, base_version=resource.version)


@pytest.mark.parametrize("url", LISTS)
def test_logged_in_readers_share_the_lists_and_see_changes_at_once(client, library, other, url):
    client.force_login(other)
    first, html = get(client, url)
    again, same = get(client, url)

    assert again < first  # the list came from the shared fragment
    assert main(same) == main(html)
    assert "Log out" in html and ">other<" in html  # their own header, not shared

    edit_title(library["cuba"], "The Cuban Missile Crisis, 1962")
    assert "The Cuban Missile Crisis, 1962" in get(client, url)[1]


def test_a_resource_page_shows_each_reader_their_own_part(
    client, library, author, other, moderator
):
    reference = library["reference"]
    Resource.objects.filter(pk=reference.pk).update(author=author)
    rating_set(other, reference, 5)
    mine = comment_create(other, reference, "My own remark.")
    comment_set_hidden(moderator, mine, True)
    get(client, URL)  # an anonymous reader: the shared row is stored now

    client.force_login(other)
    _, theirs = get(client, URL)
    client.force_login(author)
    _, authors = get(client, URL)
    client.force_login(moderator)
    _, moderators = get(client, URL)
    client.logout()
    _, anonymous = get(client, URL)

    assert STAR_5 in theirs and STAR_5 not in moderators
    assert "My own remark." in theirs and "My own remark." in moderators
    assert "My own remark." not in authors and "My own remark." not in anonymous
    # The comment count: theirs (their hidden comment), the moderators' (all), nobody else's.
    assert "<dt>Comments</dt><dd>1</dd>" in theirs and "<dt>Comments</dt><dd>1</dd>" in moderators
    assert "<dt>Comments</dt><dd>0</dd>" in authors and "<dt>Comments</dt><dd>0</dd>" in anonymous
    assert "Hide this resource" in moderators and "Hide this resource" not in theirs
    assert "Edit</a> · <a" in authors and "Edit</a> · <a" not in theirs


def test_a_draft_is_its_authors_alone_after_readers_read_it(client, library, author, other):
    reference = library["reference"]
    Resource.objects.filter(pk=reference.pk).update(author=author)
    reference.refresh_from_db()
    client.get(URL)  # shared while published
    revision = reference.revisions.first()
    content = ParsedResource.from_dict(revision.content)
    resource_save(
        author, content, resource=reference, base_version=reference.version, publish=False
    )

    assert client.get(URL).status_code == 404
    client.force_login(other)
    assert client.get(URL).status_code == 404
    client.force_login(author)
    assert "Draft: only you can see it" in client.get(URL).content.decode()


def test_the_shared_row_keeps_no_password_hash(client, library):
    client.get(URL)
    row = page_cache.while_unchanged("resource-page:the-rise-of-kruschev:1", lambda: None)

    assert row is not None and row.title == "The Rise of Kruschev"
    assert row.author.password == "" and row.author.email == ""


def test_a_fragment_holding_a_csrf_token_is_never_stored(db):
    calls = []

    def render() -> str:
        calls.append(1)
        return '<input type="hidden" name="csrfmiddlewaretoken" value="secret">'

    page_cache.shared_html("test-form", render)
    page_cache.shared_html("test-form", render)
    page_cache.shared_html("test-list", lambda: calls.append(2) or "<ul></ul>")
    page_cache.shared_html("test-list", lambda: calls.append(2) or "<ul></ul>")

    assert calls == [1, 1, 2]


def test_a_page_that_does_not_exist_is_still_not_found(client, library, other):
    client.force_login(other)
    assert client.get("/subjects/history/", {"page": 1}).status_code == 200
    assert client.get("/subjects/history/", {"page": 9}).status_code == 404
    assert client.get("/subjects/history/the-cold-war/", {"page": "x"}).status_code == 404
    assert client.get(URL, {"card": 99}).status_code == 404
    assert client.get(URL, {"card": 99}).status_code == 404  # a 404 is never stored


def test_a_resource_without_comments_reads_none_for_a_logged_in_reader(
    client, library, other, moderator
):
    client.force_login(other)
    get(client, URL)
    queries, html = get(client, URL)
    assert '<p class="empty">No comments have yet been made</p>' in html

    comment = comment_create(library["reference"].author, library["reference"], "A remark.")
    get(client, URL)  # the shared row is read again: it counts one comment now
    with_comment, html = get(client, URL)
    assert "A remark." in html and "<dt>Comments</dt><dd>1</dd>" in html
    assert with_comment == queries + 1  # the comments they see

    comment_set_hidden(moderator, comment, True)  # hidden: still a comment, for its author
    client.force_login(comment.author)
    assert "A remark." in get(client, URL)[1]
