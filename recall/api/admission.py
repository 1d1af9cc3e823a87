"""Who may call an operation, checked before anything else is read from the request:
the body's size (413), the token (401), then the rate limits (429 with Retry-After).

Writes take a personal token only (`Authorization: Bearer <token>`), never the session
cookie, so no cross-site page can write through a reader's browser and the API needs no
CSRF token. Reads take a token too, for the reader's own drafts; without one they are
anonymous, whatever cookies came along.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from recall.lib.resource_text import MAX_FILE_BYTES

from .actions import token_for_secret
from .errors import PayloadTooLarge, RateLimited, Unauthorized
from .models import ApiToken

# The largest body any operation takes: an imported file (MAX_FILE_BYTES) and room for the
# JSON or multipart around it. Checked before the body is read.
MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024


class Anonymous:
    """request.auth for a read without a token (ninja wants something true)."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "Anonymous()"


ANONYMOUS = Anonymous()


class BearerToken(HttpBearer):
    """A personal API token; required for writes (required=True), optional for reads."""

    openapi_description = (
        "A personal API token, made on your account's API tokens page (/accounts/tokens/) "
        "and sent as `Authorization: Bearer <token>`."
    )

    def __init__(self, *, required: bool) -> None:
        super().__init__()
        self.required = required

    def __call__(self, request: HttpRequest) -> ApiToken | Anonymous:
        _check_size(request)
        header = request.headers.get("Authorization", "")
        if not header and not self.required:
            _limit(request, "api-ip", _address, settings.RECALL_API_RATE_PER_IP)
            request.user = AnonymousUser()
            return ANONYMOUS
        scheme, _, secret = header.strip().partition(" ")
        token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            # Failed attempts count against the address, so guessing tokens is slow too.
            _limit(request, "api-ip", _address, settings.RECALL_API_RATE_PER_IP)
            if not header:
                raise Unauthorized(
                    "This needs a personal API token: send Authorization: Bearer <token>."
                )
            raise Unauthorized("The API token is not valid: it may have been revoked.")
        _limit(request, "api-token", _token_key(token), settings.RECALL_API_RATE_PER_TOKEN)
        request.user = token.user
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for_secret(token)  # __call__ does the work; kept for HttpBearer


def _address(group: str, request: HttpRequest) -> str:
    # As django-ratelimit's "ip" key, without failing when a server sets no REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _token_key(token: ApiToken):
    return lambda group, request: f"token:{token.pk}"


def _check_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"The request body is {length:,} bytes; the limit is {MAX_BODY_BYTES:,} "
            f"(an imported file can be at most {MAX_FILE_BYTES:,} bytes)."
        )


def _seconds_left(usage: dict) -> int:
    # django-ratelimit's window is still the same one at its last second: one more.
    return usage["time_left"] + 1


def _limit(request: HttpRequest, group: str, key, per_minute: int) -> None:
    usage = get_usage(request, group=group, key=key, rate=f"{per_minute}/m", increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(
            f"Too many requests: at most {per_minute} a minute. Wait and try again.",
            retry_after=_seconds_left(usage),
        )


def limit_user_action(request: HttpRequest, group: str, rate: str, refusal: str) -> None:
    """The per-user limits the HTML views keep (comments, reports), shared with them."""
    usage = get_usage(request, group=group, key="user", rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(refusal, retry_after=_seconds_left(usage))
