"""Public profiles: a user's published resources; their own drafts for themselves only."""

from __future__ import annotations

import pytest

from recall.library.models import Resource, Status
from recall.library.tests.conftest import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def works(author):
    published = make_resource("Published Notes")
    draft = make_resource("Draft Notes")
    hidden = make_resource("Hidden Notes")
    Resource.objects.filter(pk__in=[published.pk, draft.pk, hidden.pk]).update(author=author)
    Resource.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    Resource.objects.filter(pk=hidden.pk).update(is_hidden=True)
    return published, draft, hidden


def test_it_lists_published_resources_to_everyone(client, works):
    html = client.get("/users/author/").content.decode()

    assert "<h1>author</h1>" in html
    assert "Published Notes" in html
    assert "Draft Notes" not in html and "Hidden Notes" not in html
    assert "1 published resource" in html


def test_the_owner_also_sees_their_drafts(client, author, works):
    client.force_login(author)

    html = client.get("/users/author/").content.decode()

    assert "Your drafts" in html and "Draft Notes" in html
    assert "Change password" in html


def test_another_user_does_not_see_the_drafts(client, other, works):
    client.force_login(other)

    html = client.get("/users/author/").content.decode()

    assert "Draft Notes" not in html and "Your drafts" not in html


@pytest.mark.parametrize("url", ["/users/nobody/", "/users/author/?page=5"])
def test_unknown_profiles_and_pages_are_not_found(client, works, url):
    assert client.get(url).status_code == 404
