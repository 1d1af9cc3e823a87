"""/accounts/settings/: download your data, delete your account (and choose what stays)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model

from recall.accounts.actions import DELETED_USERNAME
from recall.community.models import Comment, Rating, Report
from recall.library.models import Resource
from recall.search.models import SearchDocument

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/accounts/settings/"
DATA_URL = "/accounts/settings/data.zip"
DELETE_URL = "/accounts/settings/delete/"
User = get_user_model()


def _zip_names(response) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(response.content)).namelist()


# --- permissions: anonymous, another user, the owner --------------------------------------


@pytest.mark.parametrize("url", [SETTINGS_URL, DATA_URL])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_cannot_delete_anything(client, populated, author):
    response = client.post(DELETE_URL, {"content": "delete", "password": "pw-author-1"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert User.objects.filter(pk=author.pk).exists()
    assert Resource.objects.count() == populated["resources"]


def test_the_download_is_the_logged_in_users_data_only(client, populated, other):
    client.force_login(other)

    response = client.get(DATA_URL, {"user": "author", "username": "author"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="recall-other-')
    assert not [name for name in _zip_names(response) if name.startswith("resources/")]
    assert b"author@example.org" not in b"".join(
        zipfile.ZipFile(io.BytesIO(response.content)).read(n) for n in _zip_names(response)
    )


def test_the_owner_downloads_their_data(client, populated, author):
    client.force_login(author)

    page = client.get(SETTINGS_URL)
    response = client.get(DATA_URL)

    assert page.status_code == 200
    assert DATA_URL in page.content.decode() and DELETE_URL in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert response.status_code == 200
    assert "resources/authors-notes.md" in _zip_names(response)
    assert "resources/authors-draft.md" in _zip_names(response)


def test_the_profile_links_the_settings_page_for_its_owner_only(client, author, other):
    client.force_login(author)
    assert SETTINGS_URL in client.get("/users/author/").content.decode()
    client.force_login(other)
    assert SETTINGS_URL not in client.get("/users/author/").content.decode()


def test_the_download_and_the_page_take_no_post(client, author):
    client.force_login(author)

    assert client.post(DATA_URL).status_code == 405
    assert client.post(SETTINGS_URL).status_code == 405
    assert client.get(DELETE_URL).status_code == 405


# --- deleting an account -------------------------------------------------------------------


def test_a_wrong_password_deletes_nothing(client, populated, author):
    client.force_login(author)

    response = client.post(DELETE_URL, {"content": "delete", "password": "wrong"})

    assert response.status_code == 422
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=author.pk).exists()
    assert Resource.objects.count() == populated["resources"]


def test_a_missing_choice_deletes_nothing(client, populated, author):
    client.force_login(author)

    response = client.post(DELETE_URL, {"password": "pw-author-1"})

    assert response.status_code == 422
    assert User.objects.filter(pk=author.pk).exists()


def test_keeping_content_leaves_it_to_deleted_user(client, populated, author, other):
    client.force_login(author)

    response = client.post(DELETE_URL, {"content": "keep", "password": "pw-author-1"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(username="author").exists()
    heir = User.objects.get(username=DELETED_USERNAME)
    assert not heir.is_active and not heir.has_usable_password()
    own, draft = populated["own"], populated["draft"]
    assert set(Resource.objects.filter(author=heir)) == {own, draft}
    assert Comment.objects.get(pk=populated["comment"].pk).author == heir
    assert Comment.objects.filter(pk=populated["reply"].pk).exists()  # others' replies stay
    assert Resource.objects.count() == populated["resources"]
    assert not Rating.objects.filter(stars=4).exists()  # the author's own rating went
    assert Rating.objects.filter(user=other).count() == 2
    assert not Report.objects.exists()
    assert SearchDocument.objects.filter(resource=own).exists()
    # Logged out: the settings page asks for a login again.
    assert client.get(SETTINGS_URL).status_code == 302
    # Nobody can edit what was left behind, and the heir has no profile page.
    assert client.get("/users/deleted-user/").status_code == 404


def test_a_second_account_leaves_content_to_the_same_deleted_user(client, populated, other):
    client.force_login(other)
    client.post(DELETE_URL, {"content": "keep", "password": "pw-other-1"})
    author = User.objects.get(username="author")
    client.force_login(author)
    client.post(DELETE_URL, {"content": "keep", "password": "pw-author-1"})

    heir = User.objects.get(username=DELETED_USERNAME)
    assert Comment.objects.filter(author=heir).count() == 3
    assert User.objects.filter(username=DELETED_USERNAME).count() == 1


def test_deleting_content_removes_resources_and_comments(client, populated, author, other):
    client.force_login(author)

    response = client.post(DELETE_URL, {"content": "delete", "password": "pw-author-1"})

    assert response.status_code == 302
    assert not User.objects.filter(username="author").exists()
    own = populated["own"]
    assert not Resource.objects.filter(pk__in=[own.pk, populated["draft"].pk]).exists()
    assert Resource.objects.count() == populated["resources"] - 2
    assert not SearchDocument.objects.filter(resource_id=own.pk).exists()
    assert not Comment.objects.filter(pk=populated["comment"].pk).exists()
    # Others' content elsewhere stays; what sat on the deleted resource went with it.
    assert User.objects.filter(pk=other.pk).exists()
    assert not User.objects.filter(username=DELETED_USERNAME).exists()
    assert Rating.objects.filter(user=other).count() == 1


def test_another_user_deleting_their_account_leaves_the_authors_alone(client, populated, other):
    client.force_login(other)

    client.post(DELETE_URL, {"content": "delete", "password": "pw-other-1"})

    assert User.objects.filter(username="author").exists()
    assert Resource.objects.filter(pk=populated["own"].pk).exists()
    assert Comment.objects.filter(pk=populated["comment"].pk).exists()


def test_nobody_can_sign_up_as_deleted_user(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "Deleted-User",
            "email": "x@example.org",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )

    assert response.status_code == 200
    assert "This username is reserved." in response.content.decode()
