"""recall.operations.sessions: Django's database sessions, read with one plain query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

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
