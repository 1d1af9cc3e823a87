"""page_cache.StoredPages: an anonymous reader's stored page served before Django, exactly
as Django would serve it, and everything it is not sure of left to Django."""

from __future__ import annotations

import io
import sys

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.session import SessionStorage
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from recall.library.models import Resource
from recall.operations import page_cache
from recall.operations.sessions import SessionStore

from .test_page_cache import PAGES, URL, edit_title

pytestmark = pytest.mark.django_db


class App:
    """StoredPages over Django's WSGI handler, counting the requests Django answered."""

    def __init__(self):
        self.django = WSGIHandler()
        self.to_django = 0
        self.stored = page_cache.StoredPages(self._django)

    def _django(self, environ, start_response):
        self.to_django += 1
        return self.django(environ, start_response)

    def get(
        self, path: str, cookie: str = "", method: str = "GET", django: bool = False, **extra
    ) -> Response:
        """Through StoredPages, or straight to Django's handler (with django)."""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            **({"HTTP_COOKIE": cookie} if cookie else {}),
            **extra,
        }
        before = self.to_django
        started = []
        app = self._django if django else self.stored
        body = b"".join(app(environ, lambda status, headers: started.append((status, headers))))
        status, headers = started[0]
        return Response(int(status.split()[0]), headers, body, self.to_django > before)


class Response:
    def __init__(self, status: int, headers: list, body: bytes, by_django: bool):
        self.status, self.headers, self.body, self.by_django = status, headers, body, by_django

    def header_set(self) -> set:
        return {(name.lower(), value) for name, value in self.headers if name != "Set-Cookie"}

    def cookies(self) -> list[str]:
        return [value for name, value in self.headers if name == "Set-Cookie"]


@pytest.fixture
def app(monkeypatch):
    # As Django's test client does: a request must not close the test's connection (and
    # with it the transaction the test runs in).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(page_cache, "close_old_connections", lambda: None)
    page_cache._LOGGED_IN_KEYS.clear()
    try:
        yield App()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def anonymous_session(**data) -> str:
    session = SessionStore()
    session.update(data)
    session.create()
    return f"sessionid={session.session_key}"


def seen(resource: Resource) -> str:
    """The cookie of an anonymous reader whose view of resource was just counted."""
    from django.utils import timezone

    return anonymous_session(recall_seen={str(resource.pk): timezone.now().timestamp()})


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("reader", ["no session", "anonymous session"])
def test_a_stored_page_is_served_before_django_as_django_serves_it(app, library, url, reader):
    cookie = seen(library["reference"]) if reader == "anonymous session" else ""
    first = app.get(url, cookie)  # rendered and stored (Django)
    by_middleware = app.get(url, cookie, django=True)
    assert first.by_django and first.status == 200

    if reader == "no session" and url.startswith(URL):
        # A new reader of a resource: Django counts the view and makes their session.
        again = app.get(url)
        assert again.by_django
        assert any(c.startswith(" sessionid=") for c in again.cookies())
        return
    fast = app.get(url, cookie)

    assert not fast.by_django
    assert fast.status == 200
    assert fast.body == first.body
    # The same headers as the page cache middleware serves, Vary: Cookie included.
    assert fast.header_set() == by_middleware.header_set()
    assert ("vary", "Cookie") in fast.header_set()
    assert fast.cookies() == []


def test_its_headers_are_those_of_a_rendered_page(app, library):
    cookie = seen(library["reference"])
    rendered = app.get(URL, cookie)
    fast = app.get(URL, cookie)

    assert not fast.by_django
    assert fast.header_set() == rendered.header_set()
    names = {name for name, _ in fast.header_set()}
    for name in (
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "content-length",
    ):
        assert name in names


def test_head_gets_the_headers_of_get(app, library):
    app.get("/")
    get, head = app.get("/"), app.get("/", method="HEAD")

    assert not head.by_django
    assert head.header_set() == get.header_set()


def test_it_reads_the_session_and_the_cache_once_each_and_writes_nothing(app, library):
    cookie = seen(library["reference"])
    app.get(URL, cookie)
    views = Resource.objects.get(pk=library["reference"].pk).view_count

    with CaptureQueriesContext(connection) as captured:
        assert not app.get(URL, cookie).by_django

    assert len(captured) <= 2  # the session; the cache (none with the test's memory cache)
    assert all(q["sql"].startswith("SELECT") for q in captured)
    assert Resource.objects.get(pk=library["reference"].pk).view_count == views


DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "recall_cache",
    }
}


def test_with_the_database_cache_it_is_one_read(app, library, settings):
    settings.CACHES = DATABASE_CACHE
    cookie = seen(library["reference"])
    first = app.get(URL, cookie)
    page_key = page_cache._page_key_for(URL).split(":")[-1]

    with CaptureQueriesContext(connection) as captured:
        fast = app.get(URL, cookie)
    # The content version, the page and the session in one query...
    assert not fast.by_django and fast.body == first.body
    assert len(captured) == 1
    assert "recall_cache" in captured[0]["sql"] and "django_session" in captured[0]["sql"]
    assert page_key in captured[0]["sql"]
    # ...then the page this worker kept: the version and the session alone.
    with CaptureQueriesContext(connection) as captured:
        kept = app.get(URL, cookie)
    assert not kept.by_django and kept.body == first.body
    assert kept.header_set() == fast.header_set()
    assert len(captured) == 1 and page_key not in captured[0]["sql"]
    # ...and an edit makes it stale there too.
    edit_title(library["reference"], "The Rise of Kruschev, edited")
    fresh = app.get(URL, cookie)
    assert fresh.by_django and "The Rise of Kruschev, edited" in fresh.body.decode()
    again = app.get(URL, cookie)
    assert not again.by_django and again.body == fresh.body


def test_a_kept_page_is_served_no_longer_than_it_stays_in_the_cache(
    app, library, settings, monkeypatch
):
    cookie = seen(library["reference"])
    app.get(URL, cookie)  # stored
    assert not app.get(URL, cookie).by_django  # read and kept
    assert not app.get(URL, cookie).by_django  # served from what was kept
    now = page_cache.time.time()
    # Past the page's lifetime the cache no longer has it, nor may the worker serve it.
    monkeypatch.setattr(
        page_cache.time, "time", lambda: now + settings.RECALL_PAGE_CACHE_SECONDS + 1
    )

    assert app.get(URL, cookie).by_django


def test_the_pages_kept_are_bounded(app, monkeypatch):
    monkeypatch.setattr(page_cache, "_PAGES_KEPT_BYTES", 100)
    now = page_cache.time.time()

    def page(size: int, expires: float = now + 60) -> page_cache._Page:
        content = b"x" * size
        entry = {"version": "v", "expires": expires, "resource": None, "headers": []}
        return page_cache._Page({**entry, "content": content})

    stored = app.stored
    stored.keep("a", page(40), now)
    stored.keep("b", page(40), now)
    stored.keep("c", page(40), now)  # "a", the oldest, is forgotten
    stored.keep("huge", page(101), now)  # more than the bound: never kept
    stored.keep("expired", page(1, expires=now - 1), now)
    stored.keep("b", page(30), now)  # replaced

    assert list(stored.pages) == ["c", "b"]
    assert stored.pages_bytes == 70


def test_a_view_not_yet_counted_in_this_visit_goes_to_django_and_is_counted(app, library):
    reference = library["reference"]
    app.get(URL)  # stored
    cookie = anonymous_session(other="data")
    views = Resource.objects.get(pk=reference.pk).view_count

    counted = app.get(URL, cookie)
    again = app.get(URL, cookie)

    assert counted.by_django and not again.by_django
    assert Resource.objects.get(pk=reference.pk).view_count == views + 1


def test_a_logged_in_reader_goes_to_django_and_the_session_is_read_once(app, library, other):
    app.get(URL)  # stored for anonymous readers
    session = SessionStore()
    session.update({"_auth_user_id": str(other.pk), "_auth_user_backend": "x"})
    session.create()
    cookie = f"sessionid={session.session_key}"

    assert app.get(URL, cookie).by_django
    with CaptureQueriesContext(connection) as captured:
        assert app.get(URL, cookie).by_django
    # The second time this worker knows the key is logged in: Django reads the session.
    assert sum("django_session" in q["sql"] for q in captured) == 1


def test_a_message_waiting_goes_to_django(app, library, rf, settings):
    app.get("/")
    assert app.get("/", "messages=anything").by_django

    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    request = rf.get("/")
    request.session = SessionStore()
    note = Message(messages.INFO, "A note for one reader only.")
    request.session["_messages"] = SessionStorage(request).serialize_messages([note])
    request.session.save()
    response = app.get("/", f"sessionid={request.session.session_key}")

    assert response.by_django
    assert "A note for one reader only." in response.body.decode()


@pytest.mark.parametrize(
    "cookie", ["sessionid=unknown-session-key", "sessionid=short", "sessionid="]
)
def test_an_unknown_or_empty_session_goes_to_django(app, library, cookie):
    app.get("/")
    assert app.get("/", cookie).by_django
    assert app.get("/", anonymous_session()).by_django  # empty: Django deletes the cookie


def test_what_is_never_stored_goes_to_django(app, library, settings):
    app.get(URL + "?card=2", seen(library["reference"]))
    cookie = seen(library["reference"])

    assert app.get(URL + "?card=2", cookie, method="POST").by_django
    fragment = app.get(URL + "?card=2", cookie, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="card")
    assert fragment.by_django and b"<html" not in fragment.body
    assert app.get("/accounts/login/").by_django
    settings.RECALL_PAGE_CACHE_SECONDS = 0
    assert app.get(URL + "?card=2", cookie).by_django


def test_a_change_of_content_goes_to_django(app, library):
    app.get("/")
    assert not app.get("/").by_django

    edit_title(library["reference"], "The Rise of Kruschev, revised")

    fresh = app.get("/")
    assert fresh.by_django and "The Rise of Kruschev, revised" in fresh.body.decode()
    assert not app.get("/").by_django


def test_a_host_django_refuses_is_refused(app, library):
    app.get("/")
    refused = app.get("/", HTTP_HOST="evil.example.org")

    assert refused.by_django and refused.status == 400


def test_https_redirects_and_hsts_are_djangos(library, settings, monkeypatch):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(page_cache, "close_old_connections", lambda: None)
    try:
        app = App()  # the middleware reads these settings when it is made
        https = {"HTTP_X_FORWARDED_PROTO": "https"}
        rendered = app.get("/", **https)
        fast = app.get("/", **https)
        plain = app.get("/")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    assert not fast.by_django
    assert fast.header_set() == rendered.header_set()
    assert ("strict-transport-security", "max-age=3600") in fast.header_set()
    assert plain.by_django and plain.status == 301


def test_if_serving_fails_django_answers(app, library, monkeypatch):
    app.get("/")

    def broken(keys, session_key):
        raise RuntimeError("the session table is gone")

    monkeypatch.setattr(page_cache, "_read_with_session", broken)
    response = app.get("/")

    assert response.by_django and response.status == 200


def test_stored_pages_serve_gunicorns_application():
    from recall import wsgi

    assert isinstance(wsgi.application, page_cache.StoredPages)


def test_its_query_gives_the_same_rows_on_the_drivers_cursor_as_on_djangos(library, settings):
    settings.CACHES = DATABASE_CACHE
    page_cache._new_version()
    session = SessionStore()
    session["some"] = "data"
    session.create()
    keys = [page_cache.VERSION_KEY, "missing"]

    plain = page_cache._read_with_session(keys, session.session_key)
    with CaptureQueriesContext(connection) as captured:  # Django's cursor, to log it
        logged = page_cache._read_with_session(keys, session.session_key)

    assert len(captured) == 1
    assert plain == logged
    found, data = plain
    assert set(found) == {page_cache.VERSION_KEY}
    assert SessionStore().decode(data) == {"some": "data"}
    assert page_cache._read_with_session(keys, "unknown-key")[1] is None


def test_sessions_read_from_another_database_than_the_cache_are_read_apart(
    library, settings, monkeypatch
):
    settings.CACHES = DATABASE_CACHE
    version = page_cache._new_version()

    class Router:  # as if the sessions lived in another database than the cache
        def db_for_read(self, model, **hints):
            return "elsewhere" if model is SessionStore.get_model_class() else "default"

    monkeypatch.setattr(page_cache, "router", Router())
    session = SessionStore()
    session["some"] = "data"
    session.create()

    with CaptureQueriesContext(connection) as captured:
        found, data = page_cache._read_with_session([page_cache.VERSION_KEY], session.session_key)

    assert len(captured) == 2  # (both on the test's one database, with Django's router)
    assert found == {page_cache.VERSION_KEY: version}
    assert SessionStore().decode(data) == {"some": "data"}


def test_a_host_allowed_before_is_refused_once_the_settings_refuse_it(app, library, settings):
    app.get("/")
    assert not app.get("/").by_django
    settings.ALLOWED_HOSTS = ["elsewhere.example.org"]

    refused = app.get("/")

    assert refused.by_django and refused.status == 400
