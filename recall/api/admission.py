"""Who may call an operation, checked before anything else is read from the request:
the body's size (413), the token (401), then the rate limits (429 with Retry-After).

Writes take a personal token only (`Authorization: Bearer <token>`), never the session
cookie, so no cross-site page can write through a reader's browser and the API needs no
CSRF token. Reads take a token too, for the reader's own drafts; without one they are
anonymous, whatever cookies came along.
"""

from __future__ import annotations

import functools
import hashlib
import random
import time
import zlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from recall.lib.resource_text import MAX_FILE_BYTES

from .actions import token_for_secret
from .errors import PayloadTooLarge, RateLimited, Unauthorized
from .models import ApiToken, RateCounter

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
            _limit("api-ip", _address(request), settings.RECALL_API_RATE_PER_IP)
            request.user = AnonymousUser()
            return ANONYMOUS
        scheme, _, secret = header.strip().partition(" ")
        token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            # Failed attempts count against the address, so guessing tokens is slow too.
            _limit("api-ip", _address(request), settings.RECALL_API_RATE_PER_IP)
            if not header:
                raise Unauthorized(
                    "This needs a personal API token: send Authorization: Bearer <token>."
                )
            raise Unauthorized("The API token is not valid: it may have been revoked.")
        _limit("api-token", str(token.pk), settings.RECALL_API_RATE_PER_TOKEN)
        request.user = token.user
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for_secret(token)  # __call__ does the work; kept for HttpBearer


def _address(request: HttpRequest) -> str:
    # As django-ratelimit's "ip" key, without failing when a server sets no REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or "unknown"


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


# The API's limits count a minute at a time.
PERIOD = 60
# One upsert in about this many also deletes the counts of windows that have ended
# (0: never; the tests' setting, so that a query count never meets a chance prune).
PRUNE_EVERY = 1000


def _window_end(value: str, now: int) -> int:
    """When the current window of this key ends: django-ratelimit's windows (a key's
    minutes start at an offset of its own, so that keys don't all restart at once)."""
    end = now - now % PERIOD + zlib.crc32(value.encode()) % PERIOD
    return end + PERIOD if end < now else end


@functools.cache
def _count_sql(vendor: str) -> str:
    """The upsert count_request runs. A count of an earlier window starts again at 1; a
    request late with a window already past (another worker's clock) counts in the newer
    one. Only names (from the model) are formatted in; values are parameters."""
    quote = connections[router.db_for_write(RateCounter)].ops.quote_name
    column = RateCounter._meta.get_field
    key, end, count = (quote(column(name).column) for name in ("key", "window_end", "count"))
    later = f"c.{end} >= excluded.{end}"
    return (
        f"INSERT INTO {quote(RateCounter._meta.db_table)} AS c ({key}, {end}, {count})"  # noqa: S608
        f" VALUES (%s, %s, 1) ON CONFLICT ({key}) DO UPDATE SET"
        f" {count} = CASE WHEN {later} THEN c.{count} + 1 ELSE 1 END,"
        f" {end} = CASE WHEN {later} THEN c.{end} ELSE excluded.{end} END"
        f" RETURNING {count}, {end}"
    )


def count_request(group: str, value: str) -> tuple[int, int]:
    """Count one request of this key (group and value) in its current window, in one
    statement (atomic, so concurrent workers never lose a count): (requests in the
    window so far, this one included; Unix time the window ends)."""
    key = f"{group}:{value}"
    if len(key) > 200:  # a key's column width; an address or a token id never comes close
        key = f"{group}:sha256:{hashlib.sha256(value.encode()).hexdigest()}"
    now = int(time.time())
    db = connections[router.db_for_write(RateCounter)]
    with db.cursor() as cursor:
        cursor.execute(_count_sql(db.vendor), [key, _window_end(value, now)])
        count, window_end = cursor.fetchone()
        if PRUNE_EVERY and random.randrange(PRUNE_EVERY) == 0:  # noqa: S311 - housekeeping, not security
            prune_counts(now)
    return count, window_end


def prune_counts(now: int | None = None) -> int:
    """Delete the counts of windows that have ended (addresses seen once stay no longer
    than their minute); the number deleted."""
    now = int(time.time()) if now is None else now
    return RateCounter.objects.filter(window_end__lt=now).delete()[0]


def _limit(group: str, value: str, per_minute: int) -> None:
    count, window_end = count_request(group, value)
    if count > per_minute:
        raise RateLimited(
            f"Too many requests: at most {per_minute} a minute. Wait and try again.",
            retry_after=window_end - int(time.time()) + 1,
        )


def limit_user_action(request: HttpRequest, group: str, rate: str, refusal: str) -> None:
    """The per-user limits the HTML views keep (comments, reports), shared with them."""
    usage = get_usage(request, group=group, key="user", rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(refusal, retry_after=_seconds_left(usage))
