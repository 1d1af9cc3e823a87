"""Personal API tokens: stored hashed, shown once, revoked at once; the settings page."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from recall.api.actions import MAX_ACTIVE_TOKENS, token_create, token_for_secret, token_revoke
from recall.api.models import ApiToken

from .conftest import issue_token

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def test_only_a_hash_of_the_token_is_stored(author):
    issued = token_create(author, "  my   script ")

    token = ApiToken.objects.get()
    assert issued.secret.startswith("rcl_") and len(issued.secret) >= 40
    assert token.name == "my script"
    assert token.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(ApiToken.objects.values().get())
    assert token.prefix == issued.secret[:12]


def test_a_token_finds_its_user_and_notes_its_use_once_a_minute(author):
    secret = issue_token(author)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = token_for_secret(secret)
        used = ApiToken.objects.get().last_used_at
        traveller.shift(timedelta(seconds=30))
        token_for_secret(secret)
        assert ApiToken.objects.get().last_used_at == used
        traveller.shift(timedelta(seconds=31))
        token_for_secret(secret)
        assert ApiToken.objects.get().last_used_at > used
    assert first.user == author


def test_a_token_and_its_user_are_read_as_the_orm_reads_them(
    author, other, django_assert_num_queries
):
    issue_token(other)  # another user's token, with another prefix
    secret = issue_token(author)
    author.last_login = timezone.now()
    author.save()
    token_for_secret(secret)  # notes its use: the next lookup writes nothing
    with django_assert_num_queries(1):  # the token with its user, in one query
        token = token_for_secret(secret)
    expected = ApiToken.objects.select_related("user").get(user=author)

    def values(instance):
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    assert values(token) == values(expected) and values(token.user) == values(expected.user)
    assert type(token.user.is_active) is bool and token.user.last_login.tzinfo is not None
    assert not token._state.adding and not token.user._state.adding


@pytest.mark.parametrize(
    "secret",
    ["", "rcl_", "rcl_short", "rcl_" + "a" * 43, "x" * 47, "rcl_" + "\x00" * 43, "rcl_" + "é" * 43],
)
def test_anything_else_finds_nothing(author, secret):
    issue_token(author)

    assert token_for_secret(secret) is None


def test_revoked_tokens_and_inactive_users_find_nothing(author, other):
    revoked, inactive = issue_token(author), issue_token(other)
    token_revoke(author, ApiToken.objects.get(user=author))
    other.is_active = False
    other.save()

    assert token_for_secret(revoked) is None and token_for_secret(inactive) is None


def test_only_the_owner_revokes_a_token(author, other):
    issue_token(author)

    with pytest.raises(PermissionDenied):
        token_revoke(other, ApiToken.objects.get())


def test_a_user_has_a_limited_number_of_tokens(author):
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(author, f"token {n}")

    with pytest.raises(ValidationError):
        token_create(author, "one more")
    token_revoke(author, ApiToken.objects.first())
    token_create(author, "one more")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "a\x00"])
def test_tokens_need_a_sensible_name(author, name):
    with pytest.raises(ValidationError):
        token_create(author, name)


# --- the settings page -------------------------------------------------------------------


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_profile_links_to_the_page_for_its_owner_only(client, author, other):
    client.force_login(author)
    assert f'href="{PAGE}"' in client.get("/users/author/").content.decode()
    assert f'href="{PAGE}"' not in client.get("/users/other/").content.decode()


def test_it_creates_a_token_and_shows_it_once(client, author):
    client.force_login(author)

    response = client.post(PAGE, {"name": "flashcards script"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r">(rcl_[^<]+)</textarea>", html).group(1)
    assert token_for_secret(secret).user == author
    assert "Your new token “flashcards script”" in html
    assert "it is shown only this once" in html
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert "flashcards script" in again and secret[:12] in again


def test_a_nameless_token_is_refused(client, author):
    client.force_login(author)

    response = client.post(PAGE, {"name": ""})

    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_the_token_limit_shows_on_the_form(client, author):
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(author, f"token {n}")
    client.force_login(author)

    response = client.post(PAGE, {"name": "one more"})

    assert response.status_code == 422
    assert "You can have at most 20 tokens" in response.content.decode()


def test_it_lists_only_your_active_tokens(client, author, other):
    issue_token(author, "my laptop")
    issue_token(author, "retired script")
    token_revoke(author, ApiToken.objects.get(name="retired script"))
    issue_token(other, "their phone")
    client.force_login(author)

    html = client.get(PAGE).content.decode()

    assert "my laptop" in html
    assert "retired script" not in html and "their phone" not in html


def test_it_revokes_a_token(client, api, author):
    secret = issue_token(author, "leaked")
    token = ApiToken.objects.get()
    client.force_login(author)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "The token “leaked” is revoked" in response.content.decode()
    assert api.get("/me", token=secret).status_code == 401


def test_another_users_token_cant_be_revoked(client, author, other):
    issue_token(author)
    client.force_login(other)

    response = client.post(f"/accounts/tokens/{ApiToken.objects.get().pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_revoking_takes_a_post(client, author):
    issue_token(author)
    client.force_login(author)

    assert client.get(f"/accounts/tokens/{ApiToken.objects.get().pk}/revoke/").status_code == 405


def test_the_forms_carry_csrf_tokens(author):
    issue_token(author)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    html = client.get(PAGE).content.decode()

    assert html.count('name="csrfmiddlewaretoken"') >= 3  # log out, revoke, create
    assert client.post(PAGE, {"name": "no csrf"}).status_code == 403


def test_the_page_labels_its_fields(client, author):
    client.force_login(author)
    client.post(PAGE, {"name": "labelled"})

    html = client.post(PAGE, {"name": "labelled"}).content.decode()

    assert '<label for="id_name">Token name' in html
    assert '<label for="new-token">Token</label>' in html
    assert "<h1>API tokens</h1>" in html
    assert 'aria-label="Revoke labelled"' in html
