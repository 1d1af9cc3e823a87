"""Every error is JSON in one shape with the right status; rate limits per address and
per token answer 429 with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from .conftest import API, error_of, issue_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/nothing", "/resources/x/nothing", "/resources/not a slug", "/resources/x/cards/y"]
)
def test_unknown_paths_are_json_404s(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "There is no such API path.",
        "fields": {},
    }


def test_unknown_paths_are_json_404s_for_posts_too(api):
    assert error_of(api.post("/nothing", {"a": 1}))["code"] == "not_found"


def test_a_method_the_path_lacks_is_a_json_405(api):
    response = api.put("/resources", {"a": 1})

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_malformed_json_is_a_400(api, token):
    response = api.post("/markdown", '{"text": ', token=token)

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "bad_request",
        "message": "The request body is not valid JSON.",
        "fields": {},
    }


def test_invalid_fields_are_named(api, token):
    response = api.post("/resources", {"title": 1, "cards": [{"heading": "h"}]}, token=token)

    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"title", "subject", "topic", "cards.0.body"}
    assert fields["subject"] == "Field required"


def test_a_missing_token_is_a_401_with_a_challenge(api):
    response = api.post("/markdown", {"text": "x"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Authorization: Bearer" in error_of(response)["message"]


def test_a_bad_token_on_a_read_is_a_401_not_anonymous(api):
    response = api.get(
        "/resources", headers={"Authorization": "Bearer rcl_wrong-wrong-wrong-wrong"}
    )

    assert response.status_code == 401


def test_reads_from_one_address_are_limited(api, settings):
    settings.RECALL_API_RATE_PER_IP = 3
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            assert api.get("/subjects").status_code == 200

        response = api.get("/subjects")

        assert response.status_code == 429
        assert error_of(response)["code"] == "rate_limited"
        assert "at most 3 a minute" in error_of(response)["message"]
        assert 1 <= int(response["Retry-After"]) <= 61
        # Another address has its own count.
        assert api.get("/subjects", REMOTE_ADDR="10.0.0.2").status_code == 200
        traveller.shift(timedelta(seconds=int(response["Retry-After"])))
        assert api.get("/subjects").status_code == 200


def test_each_token_has_its_own_limit(api, settings, author, token):
    settings.RECALL_API_RATE_PER_TOKEN = 2
    second = issue_token(author, "second")
    with time_machine.travel(timezone.now(), tick=False):
        assert [api.get("/me", token=token).status_code for _ in range(3)] == [200, 200, 429]
        assert api.get("/me", token=second).status_code == 200
        # A token's requests don't use up the address's allowance, nor the other way round.
        settings.RECALL_API_RATE_PER_IP = 1
        assert api.get("/subjects").status_code == 200


def test_bad_tokens_count_against_the_address(api, settings):
    settings.RECALL_API_RATE_PER_IP = 2
    bad = {"Authorization": "Bearer rcl_wrong-wrong-wrong-wrong"}
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [api.get("/me", headers=bad).status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_the_api_needs_no_csrf_token(token):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"{API}/markdown",
        '{"text": "x"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200


def test_server_errors_are_json_too(api, token, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("recall.api.library.render_markdown", broken)

    response = api.post("/markdown", {"text": "x"}, token=token)

    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "boom" not in response.content.decode()
