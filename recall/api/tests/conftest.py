"""API fixtures: tokens for the test users, a JSON client, resources by `author`."""

from __future__ import annotations

import json as jsonlib

import pytest

from recall.api.actions import token_create
from recall.library.models import Resource, Status
from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # The test users' passwords are never checked (tokens and force_login): hash cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def issue_token(user, name: str = "script") -> str:
    return token_create(user, name).secret


@pytest.fixture
def token(author) -> str:
    return issue_token(author)


@pytest.fixture
def other_token(other) -> str:
    return issue_token(other)


@pytest.fixture
def moderator_token(moderator) -> str:
    return issue_token(moderator)


class JsonClient:
    """Django's test client speaking JSON to /api/v1, with an optional bearer token."""

    def __init__(self, client) -> None:
        self.client = client

    def call(self, method: str, path: str, body=None, *, token: str | None = None, **extra):
        headers = dict(extra.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs = {}
        if body is not None:
            kwargs = {
                "data": body if isinstance(body, (str, bytes)) else jsonlib.dumps(body),
                "content_type": extra.pop("content_type", "application/json"),
            }
        return getattr(self.client, method)(f"{API}{path}", headers=headers, **kwargs, **extra)

    def get(self, path, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.call("patch", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.call("put", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("delete", path, **kwargs)


@pytest.fixture
def api(client) -> JsonClient:
    return JsonClient(client)


def own(resource: Resource, user) -> Resource:
    Resource.objects.filter(pk=resource.pk).update(author=user)
    resource.refresh_from_db()
    return resource


@pytest.fixture
def wall(author) -> Resource:
    """Published, visible, written by `author`, two cards."""
    return own(make_resource("The Berlin Wall", cards=2), author)


@pytest.fixture
def draft(author) -> Resource:
    """A draft by `author`."""
    resource = own(make_resource("Draft Notes", cards=1), author)
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    resource.refresh_from_db()
    return resource


def error_of(response) -> dict:
    """The error object of an error response, after checking the shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert response["Content-Type"].startswith("application/json")
    return body["error"]
