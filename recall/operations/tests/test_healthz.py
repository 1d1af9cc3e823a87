"""GET /healthz: 200 and JSON when the database answers, 503 when it does not."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client, monkeypatch, caplog):
    def fail(self, sql, params=None):
        raise OperationalError("unable to open database file")

    monkeypatch.setattr(CursorWrapper, "execute", fail)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "unable to open database file" in caplog.text


def test_it_needs_no_login_and_takes_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_it_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
