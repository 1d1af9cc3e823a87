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
headers, Vary: Cookie) and never writes. With the database cache it reads the content
version, the page and the session in one query, and each worker keeps the pages it served
(up to 2 MB), so that the next request for one reads the version and the session alone: a
kept page is served only while the version is its own and until it leaves the cache.

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
    rows = _select(connection, sql, [*stored_keys, now])
    return {stored_keys[key]: _cache_value(connection, value) for key, value in rows}


def _select(connection, sql: str, params: list) -> list[tuple]:
    """The rows of a plain SELECT (sql with %s for its parameters). Through Django's
    cursor when Django logs or wraps queries (DEBUG, a test counting them); else on the
    driver's cursor, after the checks Django's makes (the health check, the connection,
    its errors recorded): on SQLite, Django's wrapping took twice the time of the query."""
    vendor = connection.vendor
    if connection.queries_logged or connection.execute_wrappers or vendor not in _DRIVER_SQL:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_DRIVER_SQL[vendor](sql), params)
            return cursor.fetchall()
        finally:
            cursor.close()


# The SQL the driver takes for Django's: sqlite3 marks a parameter with ? (as Django's
# SQLite cursor converts; these statements have no other %), psycopg with %s.
_DRIVER_SQL = {
    "sqlite": lru_cache(maxsize=16)(lambda sql: sql.replace("%s", "?")),
    "postgresql": lambda sql: sql,
}


def _cache_value(connection, value) -> object:
    # As DatabaseCache.get_many decodes a value (our own cache, pickled by Django).
    return pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301


@lru_cache(maxsize=8)
def _cache_select_sql(table: str, count: int) -> str:
    # Only the table name (from settings) is formatted in; values are parameters.
    marks = ", ".join(["%s"] * count)
    return f"SELECT cache_key, value FROM {table} WHERE cache_key IN ({marks}) AND expires > %s"  # noqa: S608


def _read_with_session(keys: list[str], session_key: str | None) -> tuple[dict, str | None]:
    """_read_many(keys), and the stored data of session_key if one is given
    (read_session_data): in one query when the cache is the database cache, read from
    the database the sessions are read from (the default), else in two."""
    from recall.operations.sessions import SessionStore, read_session_data

    backend = caches[DEFAULT_CACHE_ALIAS]
    if session_key is None:
        return _read_many(keys), None
    if type(backend) is not DatabaseCache:
        return _read_many(keys), read_session_data(session_key)
    session_model = SessionStore.get_model_class()
    alias = router.db_for_read(backend.cache_model_class) or "default"
    if (router.db_for_read(session_model) or "default") != alias:
        return _read_many(keys), read_session_data(session_key)
    stored_keys = {backend.make_key(key): key for key in keys}
    connection = connections[alias]
    quote = connection.ops.quote_name
    sql = _cache_and_session_sql(
        quote(backend._table), quote(session_model._meta.db_table), len(keys)
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = _select(connection, sql, [*stored_keys, now, session_key, now])
    found, data = {}, None
    for is_session, key, value in rows:
        if is_session:
            data = value
        else:
            found[stored_keys[key]] = _cache_value(connection, value)
    return found, data


@lru_cache(maxsize=8)
def _cache_and_session_sql(cache_table: str, session_table: str, count: int) -> str:
    # _cache_select_sql's rows (0) and read_session_data's (1), in one statement. Only the
    # table names (from settings and the model) are formatted in; values are parameters.
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT 0, cache_key, value FROM {cache_table}"  # noqa: S608
        f" WHERE cache_key IN ({marks}) AND expires > %s"
        f" UNION ALL SELECT 1, session_key, session_data FROM {session_table}"
        " WHERE session_key = %s AND expire_date > %s"
    )


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
                # When it leaves the cache: StoredPages keeps a copy no longer than that.
                "expires": time.time() + seconds,
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


class _Page:
    """A stored page as StoredPages serves it: its content version, when it leaves the
    cache, the resource whose view it counts, the body, and the final headers by scheme."""

    __slots__ = ("version", "expires", "resource", "content", "stored_headers", "headers")

    def __init__(self, entry: dict):
        self.version = entry["version"]
        self.expires = entry.get("expires", 0.0)  # an entry without: not kept
        self.resource = entry["resource"]
        self.content = entry["content"]
        self.stored_headers = entry["headers"]
        self.headers: dict[bool, list[tuple[str, str]]] = {}


class StoredPages:
    """A WSGI layer before Django: a stored page for a reader who is surely anonymous,
    with one query and no writes (see the module docstring); anything else to the Django
    application it wraps.

    Each worker keeps the pages it has served (up to _PAGES_KEPT_BYTES): the next request
    for one reads the content version and the session alone, in one query (with the
    database cache), and serves the page it kept while the version is still the page's
    and until the page leaves the cache (its view counts that old at most)."""

    def __init__(self, application: Callable):
        self.application = application
        # The headers SecurityMiddleware adds outside the page cache middleware (read
        # from settings once, as Django's handler does).
        self.security = SecurityMiddleware(lambda request: None)
        self.pages: dict[str, _Page] = {}
        self.pages_bytes = 0
        # The hosts request.get_host() allowed, for the ALLOWED_HOSTS in hosts_for.
        self.hosts: dict[tuple, bool] = {}
        self.hosts_for: list | None = None

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
        session_key = cookies.get(settings.SESSION_COOKIE_NAME)
        if session_key is None:
            if path_info.startswith("/resources/"):
                return None  # a new reader, whose view Django counts
        elif not _may_be_anonymous(session_key):
            return None
        request = _Request(environ, path_info, cookies)
        if not self.allowed_host(request):
            return None  # Django's 400
        if self.security.process_request(request) is not None:
            return None  # Django's redirect to https
        key = _page_key_for(request.get_full_path())
        now = time.time()
        page = self.pages.get(key)
        if page is not None and page.expires <= now:
            page = None
        close_old_connections()  # as at the start of a Django request
        found, session_data = _read_with_session(
            [VERSION_KEY] if page is not None else [VERSION_KEY, key], session_key
        )
        version = found.get(VERSION_KEY)
        if version is None:
            return None
        if page is None:
            entry = found.get(key)
            if entry is None or entry["version"] != version:
                return None
            page = self.keep(key, _Page(entry), now)
        elif page.version != version:
            self.pages.pop(key, None)  # the content changed: read again next time
            return None
        if session_key is not None:
            session = _anonymous_session(session_key, session_data)
            if session is None:
                return None  # not anonymous: Django answers
        else:
            session = _NO_SESSION
        if page.resource is not None:
            # Deferred: importing the library at start-up would load the models too early.
            from recall.library.actions import view_counted_recently

            if not view_counted_recently(session, page.resource, now):
                return None  # Django counts the view (and makes a session if need be)
        return self.final_headers(request, page), page.content

    def allowed_host(self, request: _Request) -> bool:
        """Whether Django allows the request's host (request.get_host()), remembered for
        the host headers it has allowed (a few dozen at most)."""
        allowed = settings.ALLOWED_HOSTS
        if allowed is not self.hosts_for:  # new settings (tests)
            self.hosts, self.hosts_for = {}, allowed
        environ = request.environ
        key = (
            environ.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None,
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            settings.DEBUG,
        )
        if key in self.hosts:
            return True
        try:
            request.get_host()
        except DisallowedHost:
            return False
        if len(self.hosts) >= 64:
            self.hosts.clear()
        self.hosts[key] = True
        return True

    def keep(self, key: str, page: _Page, now: float) -> _Page:
        """Keep page for the next requests, the oldest forgotten first beyond
        _PAGES_KEPT_BYTES (another thread of a gthread worker may be at it too)."""
        if page.expires <= now or len(page.content) > _PAGES_KEPT_BYTES:
            return page
        pages = self.pages
        pages.pop(key, None)
        # Counted again each time (a few dozen pages, once per page and version): another
        # thread's changes meanwhile make no lasting error.
        size = sum(len(kept.content) for kept in list(pages.values()))
        while pages and size + len(page.content) > _PAGES_KEPT_BYTES:
            try:
                size -= len(pages.pop(next(iter(pages))).content)
            except (StopIteration, RuntimeError, KeyError):
                pages.clear()
                size = 0
        pages[key] = page
        self.pages_bytes = size + len(page.content)
        return page

    def final_headers(self, request: _Request, page: _Page) -> list[tuple[str, str]]:
        """The stored headers with what the middleware outside the page cache adds, once
        per stored page and scheme in this worker."""
        secure = request.is_secure()
        headers = page.headers.get(secure)
        if headers is None:
            response = HttpResponse()
            for header, value in page.stored_headers:
                response.headers[header] = value
            self.security.process_response(request, response)
            patch_vary_headers(response, ("Cookie",))  # as SessionMiddleware
            headers = page.headers[secure] = list(response.items())
        return headers


# The bytes of stored pages a worker keeps (StoredPages.keep): a few dozen pages.
_PAGES_KEPT_BYTES = 2 * 1024 * 1024


def _may_be_anonymous(key: str) -> bool:
    """Whether the session key may be an anonymous session's that StoredPages can read:
    not one this worker found logged in, nor one Django would refuse at once."""
    return (
        len(key) >= 8
        and key not in _LOGGED_IN_KEYS
        and settings.SESSION_ENGINE == "recall.operations.sessions"
    )


def _anonymous_session(key: str, data: str | None) -> dict | None:
    """The decoded data (its stored data read by read_session_data) of an anonymous
    session without messages; None if the session is anything else (logged in, a message
    waiting, unknown, expired or empty: Django answers, as it may set or delete the
    cookie)."""
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
