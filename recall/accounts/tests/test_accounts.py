"""Sign up, log in and out, lockouts, password change and reset, rate limits."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def signup_data(username="newbie", email="newbie@example.org", password="a-Long-pass-123"):
    return {"username": username, "email": email, "password1": password, "password2": password}


def test_it_signs_up_and_logs_in(client):
    response = client.post(SIGNUP, signup_data())

    user = get_user_model().objects.get(username="newbie")
    assert response.status_code == 302 and response["Location"] == "/users/newbie/"
    assert user.email == "newbie@example.org"
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (signup_data(password="password"), "This password is too common."),
        (signup_data(password="12345678901"), "This password is entirely numeric."),
        (signup_data(email="not-an-email"), "Enter a valid email address."),
        (signup_data(username="author"), "A user with that username already exists."),
        (
            signup_data(email="AUTHOR@example.org"),
            "An account with this email address already exists.",
        ),
    ],
)
def test_sign_up_refuses_bad_input_with_a_message(client, author, data, message):
    response = client.post(SIGNUP, data)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert get_user_model().objects.count() == 1


def test_sign_up_is_rate_limited(client):
    for n in range(5):
        client.post(SIGNUP, signup_data(username=f"user{n}", email=f"u{n}@example.org"))
        client.logout()

    response = client.post(SIGNUP, signup_data(username="user6", email="u6@example.org"))

    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not get_user_model().objects.filter(username="user6").exists()


def test_it_logs_in_and_out(client, author):
    response = client.post(LOGIN, {"username": "author", "password": "pw-author-1"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Log out" in client.get("/").content.decode()

    assert client.get("/accounts/logout/").status_code == 405  # logging out takes a POST
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "Log in" in client.get("/").content.decode()


def test_login_goes_back_to_the_page_it_came_from(client, author):
    response = client.post(
        LOGIN + "?next=/subjects/history/",
        {"username": "author", "password": "pw-author-1", "next": "/subjects/history/"},
    )

    assert response["Location"] == "/subjects/history/"


def test_login_refuses_an_offsite_next(client, author):
    response = client.post(
        LOGIN, {"username": "author", "password": "pw-author-1", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_repeated_failed_logins_lock_the_account_for_a_while(client, author):
    for _ in range(5):
        client.post(LOGIN, {"username": "author", "password": "wrong"})

    response = client.post(LOGIN, {"username": "author", "password": "pw-author-1"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change(client, author):
    client.force_login(author)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-author-1",
            "new_password1": "another-Long-pass-9",
            "new_password2": "another-Long-pass-9",
        },
    )

    assert response.status_code == 302
    author.refresh_from_db()
    assert author.check_password("another-Long-pass-9")


def test_password_reset_by_email(client, author):
    response = client.post("/accounts/password/reset/", {"email": "author@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "reset-Long-pass-7", "new_password2": "reset-Long-pass-7"}
    )
    assert done.status_code == 302
    author.refresh_from_db()
    assert author.check_password("reset-Long-pass-7")


def test_password_reset_is_rate_limited(client, author):
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "author@example.org"})

    response = client.post("/accounts/password/reset/", {"email": "author@example.org"})

    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_every_form_carries_a_csrf_token(client, author):
    for url in (SIGNUP, LOGIN, "/accounts/password/reset/"):
        assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
    client.force_login(author)
    assert 'name="csrfmiddlewaretoken"' in client.get("/accounts/password/change/").content.decode()


def test_a_post_without_csrf_token_is_refused(author):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = strict.post(LOGIN, {"username": "author", "password": "pw-author-1"})

    assert response.status_code == 403
