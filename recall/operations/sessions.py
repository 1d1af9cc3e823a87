"""Django's database sessions and the session's user, each read with one plain query.

Every logged-in request reads its session and then its user. Django's database store
reads the session through the ORM (`Session.objects.get(...)`), and compiling that query
took five times the CPU of running it (bench/study_answer.py). This store runs the same
SELECT as plain SQL, on the same database the router reads sessions from; writing,
expiring and deleting sessions (logout, a password change, `manage.py clearsessions`) are
Django's own, so a session deleted on the server stops working at its next request, as
before.

AuthenticationMiddleware (in MIDDLEWARE instead of Django's) does the same for the user:
django.contrib.auth.get_user, step by step, with ModelBackend's `get(pk=...)` as one plain
SELECT of the same columns, made into the same instance (the ORM's converters, from_db).
Loading the user through the ORM was the largest part of a review answer's CPU
(bench/study_answer.py). A session logged in through any other backend, or a user model
with a default manager of its own, goes through Django's get_user unchanged.
"""

from __future__ import annotations

import functools
from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import Manager
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from recall.operations.rows import instance_from_row


@functools.cache
def _select_sql(table: str) -> str:
    # Only the table name (from the model) is formatted in; values are parameters.
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608


def read_session_data(key: str) -> str | None:
    """The stored (still encoded) data of the unexpired session key, else None."""
    model = SessionStore.get_model_class()
    connection = connections[router.db_for_read(model) or "default"]
    table = connection.ops.quote_name(model._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(table), [key, now])
        row = cursor.fetchone()
    return None if row is None else row[0]


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if key is None:
            return None
        data = read_session_data(key)
        if data is None:
            self._session_key = None  # unknown or expired: a new session if one is saved
            return None
        return self.model(session_key=key, session_data=data)


# --- the session's user -------------------------------------------------------------------

_MODEL_BACKEND = f"{ModelBackend.__module__}.{ModelBackend.__qualname__}"


def _plain_user_model():
    """The user model if its default manager is a plain Manager (its get() is a plain
    SELECT by primary key), else None."""
    model = get_user_model()
    manager = model._default_manager
    plain = type(manager).get_queryset is Manager.get_queryset and not manager._db
    return model if plain else None


@functools.cache
def _user_sql(vendor: str, table: str) -> str:
    """The SELECT of every concrete column by primary key (instance_from_row's order).
    Only names (from the model) are formatted in; values are parameters."""
    model = get_user_model()
    quote = connections[router.db_for_read(model) or "default"].ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {table} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    return sql


def _user_by_id(model, user_id):
    """ModelBackend.get_user(user_id) in one plain query: the active user, or None."""
    db = connections[router.db_for_read(model) or "default"]
    sql = _user_sql(db.vendor, db.ops.quote_name(model._meta.db_table))
    with db.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(user_id, db)])
        row = cursor.fetchone()
    if row is None:
        return None
    user = instance_from_row(model, list(row), db)
    return user if ModelBackend().user_can_authenticate(user) else None


def get_user(request):
    """django.contrib.auth.get_user(request), with ModelBackend's user read in plain SQL."""
    session = request.session
    backend_path = session.get(BACKEND_SESSION_KEY)
    model = _plain_user_model()
    if (
        backend_path != _MODEL_BACKEND
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or model is None
    ):
        return auth.get_user(request)
    try:
        user_id = auth._get_user_session_key(request)
    except KeyError:
        return AnonymousUser()
    user = _user_by_id(model, user_id)
    if user is None:
        return AnonymousUser()
    if not hasattr(user, "get_session_auth_hash"):
        return user
    # Verify the session, as Django's get_user does: the hash of the user's password (a
    # password change logs out every other session), or of an older SECRET_KEY in
    # SECRET_KEY_FALLBACKS (the session then moves to the current one).
    session_hash = session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback_auth_hash)
        for fallback_auth_hash in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        return user
    session.flush()
    return AnonymousUser()


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with request.user from get_user above (request.auser stays Django's)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(partial(_cached_user, request))
