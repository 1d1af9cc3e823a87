"""What every operation declares: who may call it and every answer it can give, so that
the OpenAPI schema documents the errors too (the fuzz tests hold the API to it)."""

from __future__ import annotations

from typing import Any

from .admission import BearerToken
from .schemas import ErrorOut

OPTIONAL_TOKEN = BearerToken(required=False)
REQUIRED_TOKEN = BearerToken(required=True)

# Any operation may answer these: a malformed request, a bad token, invalid input, too many.
COMMON_ERRORS = {400, 401, 422, 429}
_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "How to authenticate: a bearer token.",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def read(ok: dict[int, Any], *errors: int) -> dict[str, Any]:
    """A read: anyone may call it; with a token, the token's user reads (their drafts too)."""
    return _operation(ok, COMMON_ERRORS | set(errors), OPTIONAL_TOKEN, optional=True)


def write(
    ok: dict[int, Any], *errors: int, body: bool = True, request_body: dict | None = None
) -> dict[str, Any]:
    """A write: a valid token is required. With a body, it may also be too large (413).
    request_body documents a body the view reads itself (ninja documents typed ones)."""
    statuses = COMMON_ERRORS | set(errors) | ({413} if body else set())
    operation = _operation(ok, statuses, REQUIRED_TOKEN, optional=False)
    if request_body is not None:
        operation["openapi_extra"]["requestBody"] = request_body
    return operation


def _operation(
    ok: dict[int, Any], statuses: set[int], auth: BearerToken, *, optional: bool
) -> dict[str, Any]:
    response = dict(ok)
    for status in sorted(statuses):
        response[status] = ErrorOut
    extra: dict[str, Any] = {
        "responses": {status: {"headers": headers} for status, headers in _HEADERS.items()}
    }
    if optional:
        # An empty requirement beside the bearer one: the token may be left out.
        extra["security"] = [{}]
    return {"auth": auth, "response": response, "openapi_extra": extra}
