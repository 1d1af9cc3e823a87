"""The resource page tells its author (and nobody else) how many findings are open."""

from __future__ import annotations

import pytest

from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401,F811

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/"


@pytest.fixture
def owned(library, author):  # noqa: F811
    resource = library["reference"]
    resource.author = author
    resource.save(update_fields=["author"])
    return resource


def test_the_author_sees_the_open_findings_with_a_link(client, owned, author):
    client.force_login(author)

    html = client.get(URL).content.decode()

    link = f'<a href="/resources/{owned.slug}/edit/?check=1#quality-panel">15 open findings — review them in the editor</a>'
    assert link in html
    assert link in client.get(f"{URL}all/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "other", "moderator"])
def test_other_readers_never_see_them(client, owned, other, moderator, who):
    if who != "anonymous":
        client.force_login({"other": other, "moderator": moderator}[who])

    assert "open finding" not in client.get(URL).content.decode()


def test_a_clean_resource_shows_no_count(client, author):
    resource = make_resource("Clean Notes")
    resource.author = author
    resource.save(update_fields=["author"])
    client.force_login(author)

    assert "open finding" not in client.get(resource.get_absolute_url()).content.decode()
