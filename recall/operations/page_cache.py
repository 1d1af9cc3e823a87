"""Whole-page caching for anonymous readers of the browse, resource and search pages.

An anonymous reader's home, subject, topic, resource and search pages are the same for
every anonymous reader, so the first one renders them and the next ones get the stored
HTML. Every stored page carries the site's *content version*, a token in the cache that
every change that can show on these pages replaces (a save or delete of a subject, topic,
resource, card, comment, rating or user, signalled below), so a stored page is served only
while nothing it shows has changed. The version and the page are read in one cache call:
one query with the database cache, none with Redis or the in-memory cache of the tests.

Never cached, never served from the cache: logged-in readers; requests carrying a message
for the reader (the messages cookie, or messages in the session); htmx fragments; anything
but GET and HEAD with status 200; a response whose page used a CSRF token, set a cookie or
said Cache-Control private/no-store. The stored page is the response as the inner
middleware left it (CSP, X-Frame-Options and the other headers included) without cookies.

A resource page served from the cache still counts the reader's view (the session's visit
window, as on a rendered page); the view count printed on a stored page is the one at the
time it was rendered, until the page is rendered again (RECALL_PAGE_CACHE_SECONDS at most).

Each gunicorn worker has its own in-memory cache, so several workers need a shared cache
for the version to be shared: the database cache (the default) or Redis (REDIS_URL).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

VERSION_KEY = "recall:page-cache:version"
_PAGE_KEY = "recall:page-cache:page:"
_DERIVED_KEY = "recall:page-cache:derived:"
_FRAGMENT_KEY = "recall:page-cache:fragment:"
# The pages worth storing: the same for every anonymous reader, read far more than written.
CACHED_PAGES = {
    "library:home",
    "library:subject",
    "library:topic",
    "library:resource",
    "search:search",
}
_SESSION_AUTH_KEY = "_auth_user_id"
_SESSION_MESSAGES_KEY = "_messages"  # django.contrib.messages' session storage
# A login or a password change saves only these fields: nothing a cached page shows.
_USER_FIELDS_NOT_SHOWN = frozenset({"last_login", "password"})


def content_changed() -> None:
    """Make every stored page stale: now, and again when the transaction commits (a
    reader who rendered the old content meanwhile stored it under the version of now)."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version(request: HttpRequest | None = None) -> str:
    version = f"{time.time_ns():x}"
    cache.set(VERSION_KEY, version, timeout=None)
    found = getattr(request, _FOUND, None)
    if found is not None:
        found[VERSION_KEY] = version
    return version


_FOUND = "_recall_page_cache_found"  # on a request: what prefetch() read


def prefetch(request: HttpRequest, derived: list[str], fragments: list[str] = ()) -> None:
    """Read the content version with these while_unchanged() values and shared_html()
    fragments in one cache call; the calls given the same request then read no more."""
    keys = [VERSION_KEY, *map(_derived_key, derived), *map(_fragment_key, fragments)]
    found = cache.get_many(keys)
    remembered = getattr(request, _FOUND, None)
    if remembered is None:
        remembered = {}
        setattr(request, _FOUND, remembered)
    remembered.update({key: found.get(key) for key in keys})


def _read(keys: list[str], request: HttpRequest | None) -> dict:
    remembered = getattr(request, _FOUND, None)
    if remembered is not None and all(key in remembered for key in keys):
        return {key: remembered[key] for key in keys if remembered[key] is not None}
    return cache.get_many(keys)


def _derived_key(name: str) -> str:
    # With the code release: a value may be a pickled model, which other code may not read.
    return f"{_DERIVED_KEY}{code_release()}:{name}"


def _fragment_key(name: str) -> str:
    digest = hashlib.blake2b(name.encode(), digest_size=16).hexdigest()
    return f"{_FRAGMENT_KEY}{code_release()}:{digest}"


def while_unchanged(
    name: str,
    compute: Callable[[], T],
    request: HttpRequest | None = None,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """compute()'s value, computed once per content version and shared by every worker:
    for what only a change of content can change, and costs a scan to compute (the
    resource counts of the home and subject pages, for every reader). With request, read
    from what prefetch() found; a value keep() refuses is not stored (a 404 is no
    reason to write)."""
    seconds = settings.RECALL_PAGE_CACHE_SECONDS or 600
    return _versioned(_derived_key(name), compute, request, keep, seconds)


def _versioned(
    key: str,
    compute: Callable[[], T],
    request: HttpRequest | None,
    keep: Callable[[T], bool] | None,
    seconds: int,
) -> T:
    """The value stored under key for the current content version, else compute()'s,
    stored with the version (unless keep() refuses it); version and value in one read."""
    found = _read([VERSION_KEY, key], request)
    version, entry = found.get(VERSION_KEY), found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        version = _new_version(request)
    value = compute()
    if keep is None or keep(value):
        cache.set(key, (version, value), timeout=seconds)
    return value


def shared_html(name: str, render: Callable[[], str], request: HttpRequest | None = None) -> str:
    """A part of a page that is the same for every reader, logged in or not (a list of
    resources, a resource's similar ones): rendered once per content version and code
    release and shared by every worker, so that a logged-in reader's page renders only
    what is theirs. Read with the version in one cache call (or none after prefetch()).
    Never stored when it holds a CSRF token; rendered each time when the page cache is off."""
    seconds = settings.RECALL_PAGE_CACHE_SECONDS
    if not seconds:
        return render()
    return _versioned(
        _fragment_key(name),
        lambda: str(render()),
        request,
        lambda html: "csrfmiddlewaretoken" not in html,
        seconds,
    )


@lru_cache(maxsize=1)
def code_release() -> str:
    """A digest of the code and templates this process serves (read once per process), in
    every page key: after an upgrade, pages stored by the old code are never served."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html"} and "tests" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"{_PAGE_KEY}{code_release()}:{digest}"


# The paths CACHED_PAGES can have, checked before anything else: resolving a URL costs
# more than serving a stored page. What is stored is checked by its resolved view name.
_MAYBE_CACHED = re.compile(
    r"/(?:subjects/[-\w]+/(?:[-\w]+/)?|resources/(?!new/|preview/)[-\w]+/|search/)?\Z"
)


def _anonymous_without_messages(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "HTTP_HX_REQUEST" in request.META:
        return False
    if "messages" in request.COOKIES:
        return False
    session = request.session
    if session.session_key is None and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True  # no session: nothing to read
    return _SESSION_AUTH_KEY not in session and _SESSION_MESSAGES_KEY not in session


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token: it must not reach another reader
    if getattr(request, "user", None) is None or request.user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and len(storage):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


class AnonymousPageCacheMiddleware:
    """Serve and store whole pages for anonymous readers (see the module docstring).

    Sits after SessionMiddleware (it reads the session to know the reader is anonymous)
    and before the others: a stored page skips them, having kept the headers they set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.RECALL_PAGE_CACHE_SECONDS
        if (
            not seconds
            or not _MAYBE_CACHED.match(request.path_info)
            or not _anonymous_without_messages(request)
        ):
            return self.get_response(request)
        key = _page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if version is not None and entry is not None and entry["version"] == version:
            return self._stored_response(request, entry)
        if version is None:
            version = _new_version()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "GET"
            and match is not None
            and match.view_name in CACHED_PAGES
            and _storable(request, response)
        ):
            entry = {
                "version": version,
                "headers": list(response.headers.items()),
                "content": response.content,
                "resource": getattr(request, "page_cache_resource", None),
            }
            cache.set(key, entry, timeout=seconds)
        return response

    def _stored_response(self, request: HttpRequest, entry: dict) -> HttpResponse:
        response = HttpResponse(entry["content"])
        for header, value in entry["headers"]:
            response.headers[header] = value
        if entry["resource"] is not None:
            # Deferred: importing the library at start-up would load the models too early.
            from recall.library.actions import resource_record_view_by_pk

            resource_record_view_by_pk(entry["resource"], request.session)
        return response


def _changed(sender, **kwargs) -> None:
    fields = kwargs.get("update_fields")
    if sender is get_user_model() and fields and set(fields) <= _USER_FIELDS_NOT_SHOWN:
        return
    content_changed()


def connect_signals() -> None:
    """Called by OperationsConfig.ready(): these models show on the cached pages."""
    from recall.community.models import Comment, Rating
    from recall.library.models import Card, Resource, Subject, Topic

    for model in (Subject, Topic, Resource, Card, Comment, Rating, get_user_model()):
        uid = f"recall-page-cache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
