"""recall.operations.sessions: Django's database sessions, read with one plain query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone

from recall.operations import sessions
from recall.operations.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("sessions-reader", password="a long passphrase")


def test_it_is_the_configured_engine():
    assert settings.SESSION_ENGINE == "recall.operations.sessions"


def test_a_saved_session_reads_back_in_one_query(django_assert_num_queries):
    store = SessionStore()
    store["colour"] = "green"
    store.save()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["colour"] == "green"


def test_an_unknown_or_expired_session_reads_as_empty_and_gets_a_new_key():
    assert SessionStore("x" * 32).load() == {}
    store = SessionStore()
    store["colour"] = "green"
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_a_session_deleted_on_the_server_logs_the_reader_out_at_once(client, user):
    client.force_login(user)
    assert client.get("/accounts/settings/").status_code == 200
    Session.objects.all().delete()  # revoked from the server (admin, clearsessions, a script)
    response = client.get("/accounts/settings/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_tampered_session_reads_as_empty():
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.save()
    Session.objects.filter(pk=store.session_key).update(session_data="not-signed:data")
    assert SessionStore(store.session_key).load() == {}


# --- the session's user (sessions.AuthenticationMiddleware) --------------------------------


def _request_of(client):
    """A request carrying client's session, as SessionMiddleware gives it to the view."""
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return request


def test_the_middleware_is_in_place_of_djangos():
    assert "recall.operations.sessions.AuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE


def test_the_user_is_djangos_user_in_two_plain_queries(client, user, django_assert_num_queries):
    client.force_login(user)
    with django_assert_num_queries(2):  # the session, then the user
        found = sessions.get_user(_request_of(client))
    expected = auth.get_user(_request_of(client))
    assert found == expected == user
    assert type(found) is type(expected)
    fields = [field.attname for field in type(user)._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert not found._state.adding and found._state.db == "default"


def test_a_logged_in_page_sees_its_user(client, user):
    client.force_login(user)
    response = client.get("/accounts/settings/")
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_password_change_elsewhere_logs_the_session_out(client, user):
    client.force_login(user)
    user.set_password("another long passphrase")
    user.save()
    request = _request_of(client)

    assert sessions.get_user(request).is_anonymous
    assert request.session.is_empty()  # flushed, as Django's get_user does
    assert client.get("/accounts/settings/").status_code == 302


def test_an_inactive_or_deleted_user_is_anonymous(client, user):
    client.force_login(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert sessions.get_user(_request_of(client)).is_anonymous
    type(user).objects.filter(pk=user.pk).delete()
    assert sessions.get_user(_request_of(client)).is_anonymous


def test_a_session_hashed_with_an_old_secret_key_moves_to_the_new_one(client, user, settings):
    old_key = settings.SECRET_KEY
    client.force_login(user)
    settings.SECRET_KEY = "a new secret key, long enough for the settings check"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    request = _request_of(client)
    old_session_key = request.session.session_key

    assert sessions.get_user(request) == user
    assert request.session.session_key != old_session_key
    assert request.session[HASH_SESSION_KEY] == user.get_session_auth_hash()


def test_another_backend_goes_through_djangos_get_user(client, user, monkeypatch):
    client.force_login(user, backend="axes.backends.AxesStandaloneBackend")
    calls = []
    monkeypatch.setattr(auth, "get_user", lambda request: calls.append(request) or "django's")

    assert sessions.get_user(_request_of(client)) == "django's"
    assert len(calls) == 1


def test_no_session_is_anonymous(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    with django_assert_num_queries(0):
        assert sessions.get_user(request).is_anonymous
