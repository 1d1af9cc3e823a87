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

Before Django: StoredPages (recall/wsgi.py) serves a stored page to a reader who is
surely anonymous without building a request or running the middleware: GET or HEAD, no
htmx, no messages cookie, and either no session at all (not on a resource page, where a
new reader's view is counted) or an anonymous session without messages whose view of
this resource was already counted in this visit. Everything else, and anything it is not
sure of, goes to Django as before (which serves from the cache itself when it can). It
adds what the middleware outside AnonymousPageCacheMiddleware adds (SecurityMiddleware's
headers, Vary: Cookie) and never writes.

Each gunicorn worker has its own in-memory cache, so several workers need a shared cache
for the version to be shared: the database cache (the default) or Redis (REDIS_URL).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import pickle
import re
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.db import close_old_connections, connections, router, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.security import SecurityMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers

T = TypeVar("T")
logger = logging.getLogger(__name__)

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


def _read_many(keys: list[str]) -> dict:
    """cache.get_many(keys); for the database cache, with one plain query and without
    Django's checks of the keys (ours, made here) and its per-row date conversion (the
    expiry is compared in SQL): those took most of a stored page's CPU. Expired entries
    are left for the cache's own culling."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if type(backend) is not DatabaseCache:
        return cache.get_many(keys)
    stored_keys = {backend.make_key(key): key for key in keys}
    connection = connections[router.db_for_read(backend.cache_model_class) or "default"]
    sql = _cache_select_sql(connection.ops.quote_name(backend._table), len(keys))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stored_keys, now])
        rows = cursor.fetchall()
    process_clob = connection.ops.process_clob
    return {
        stored_keys[key]: pickle.loads(base64.b64decode(process_clob(value).encode()))  # noqa: S301 (our own cache)
        for key, value in rows
    }


@lru_cache(maxsize=8)
def _cache_select_sql(table: str, count: int) -> str:
    # Only the table name (from settings) is formatted in; values are parameters.
    marks = ", ".join(["%s"] * count)
    return f"SELECT cache_key, value FROM {table} WHERE cache_key IN ({marks}) AND expires > %s"  # noqa: S608


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
    found = _read_many(keys)
    remembered = getattr(request, _FOUND, None)
    if remembered is None:
        remembered = {}
        setattr(request, _FOUND, remembered)
    remembered.update({key: found.get(key) for key in keys})


def _read(keys: list[str], request: HttpRequest | None) -> dict:
    remembered = getattr(request, _FOUND, None)
    if remembered is not None and all(key in remembered for key in keys):
        return {key: remembered[key] for key in keys if remembered[key] is not None}
    return _read_many(keys)


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
    return _page_key_for(request.get_full_path())


def _page_key_for(full_path: str) -> str:
    digest = hashlib.blake2b(full_path.encode(), digest_size=16).hexdigest()
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
        found = _read_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if version is not None and entry is not None and entry["version"] == version:
            request.get_host()  # a host not allowed: Django's 400, as for a rendered page
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
            # The page depends on the cookie (anonymous or not): say so on every copy,
            # whichever way it is served (SessionMiddleware adds it only when the session
            # was read, which a reader without a session cookie skips).
            patch_vary_headers(response, ("Cookie",))
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


# --- before Django -------------------------------------------------------------------------


class _Request(HttpRequest):
    """The little of a request StoredPages needs (host, scheme, full path), from environ,
    with Django's own rules for them (HttpRequest's methods; not its __init__, which
    makes the empty GET, POST and FILES a whole request needs)."""

    def __init__(self, environ: dict, path_info: str, cookies: dict[str, str]):
        self.environ = self.META = environ
        self.method = environ["REQUEST_METHOD"]
        self.path_info = path_info
        script_name = get_script_name(environ)
        self.path = "{}/{}".format(script_name.rstrip("/"), path_info.replace("/", "", 1))
        self.COOKIES = cookies

    def _get_scheme(self) -> str:
        return self.environ.get("wsgi.url_scheme", "http")


_NO_SESSION: dict = {}  # a reader without a session cookie


class StoredPages:
    """A WSGI layer before Django: a stored page for a reader who is surely anonymous, with
    two cache reads at most and no writes (see the module docstring); anything else to
    the Django application it wraps."""

    def __init__(self, application: Callable):
        self.application = application
        # The headers SecurityMiddleware adds outside the page cache middleware (read
        # from settings once, as Django's handler does).
        self.security = SecurityMiddleware(lambda request: None)
        # A stored page's final headers, by its key, content version and scheme.
        self.headers: dict[tuple[str, str, bool], list[tuple[str, str]]] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            stored = self.stored(environ)
        except Exception:
            # Not sure: Django answers (a broken connection, a cache that is down).
            logger.warning("StoredPages: passing the request to Django", exc_info=True)
            stored = None
        if stored is None:
            return self.application(environ, start_response)
        headers, content = stored
        start_response("200 OK", headers)
        return [content]

    def stored(self, environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of the stored page for this request, if it may be served
        before Django; else None."""
        if (
            not settings.RECALL_PAGE_CACHE_SECONDS
            or settings.SESSION_SAVE_EVERY_REQUEST
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or "HTTP_HX_REQUEST" in environ
        ):
            return None
        path_info = get_path_info(environ) or "/"
        if not _MAYBE_CACHED.match(path_info):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if "messages" in cookies:
            return None
        request = _Request(environ, path_info, cookies)
        try:
            request.get_host()
        except DisallowedHost:
            return None  # Django's 400
        if self.security.process_request(request) is not None:
            return None  # Django's redirect to https
        close_old_connections()  # as at the start of a Django request
        session = _anonymous_session(cookies.get(settings.SESSION_COOKIE_NAME))
        if session is None or (session is _NO_SESSION and path_info.startswith("/resources/")):
            return None  # not anonymous, or a new reader whose view Django counts
        key = _page_key_for(request.get_full_path())
        found = _read_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if version is None or entry is None or entry["version"] != version:
            return None
        if entry["resource"] is not None:
            # Deferred: importing the library at start-up would load the models too early.
            from recall.library.actions import view_counted_recently

            if not view_counted_recently(session, entry["resource"]):
                return None  # Django counts the view (and makes a session if need be)
        return self.final_headers(request, key, entry), entry["content"]

    def final_headers(self, request: _Request, key: str, entry: dict) -> list[tuple[str, str]]:
        """The stored headers with what the middleware outside the page cache adds, once
        per stored page and scheme in this worker."""
        memo_key = (key, entry["version"], request.is_secure())
        headers = self.headers.get(memo_key)
        if headers is None:
            response = HttpResponse()
            for header, value in entry["headers"]:
                response.headers[header] = value
            self.security.process_response(request, response)
            patch_vary_headers(response, ("Cookie",))  # as SessionMiddleware
            headers = list(response.items())
            if len(self.headers) >= 256:
                self.headers.clear()
            self.headers[memo_key] = headers
        return headers


def _anonymous_session(key: str | None) -> dict | None:
    """The decoded data of an anonymous session without messages (_NO_SESSION without a
    session cookie); None if the session is anything else (logged in, a message waiting,
    unknown, expired or empty: Django answers, as it may set or delete the cookie)."""
    if key is None:
        return _NO_SESSION
    if (
        len(key) < 8
        or key in _LOGGED_IN_KEYS
        or settings.SESSION_ENGINE != "recall.operations.sessions"
    ):
        return None
    from recall.operations.sessions import read_session_data

    data = read_session_data(key)
    if data is None:
        return None
    session = _decoded_session(data, settings.SECRET_KEY)
    if _SESSION_AUTH_KEY in session:
        if len(_LOGGED_IN_KEYS) >= _LOGGED_IN_KEYS_KEPT:
            try:  # the oldest; another thread (gthread workers) may be at it too
                _LOGGED_IN_KEYS.pop(next(iter(_LOGGED_IN_KEYS)), None)
            except (StopIteration, RuntimeError):
                pass
        _LOGGED_IN_KEYS[key] = None
        return None
    if not session or _SESSION_MESSAGES_KEY in session:
        return None
    return session


# Session keys this worker found logged in: their next requests go straight to Django,
# without reading the session twice. A key never turns anonymous (logging in and out give
# the session a new key), so remembering one can only send a request to Django. The
# oldest are forgotten first.
_LOGGED_IN_KEYS: dict[str, None] = {}
_LOGGED_IN_KEYS_KEPT = 4096


@lru_cache(maxsize=256)
def _decoded_session(data: str, secret_key: str) -> dict:
    """A session's stored data, decoded and its signature checked (Django's own decode;
    {} if it is not valid), once per worker for the same data: a reader paging through
    the site sends the same session each time. Never to be changed by the caller."""
    from recall.operations.sessions import SessionStore

    return SessionStore().decode(data)


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
