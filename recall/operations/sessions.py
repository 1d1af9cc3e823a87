"""Django's database sessions, read with one plain query (SESSION_ENGINE in settings).

Every logged-in request reads its session. Django's database store reads it through the
ORM (`Session.objects.get(...)`), and compiling that query took five times the CPU of
running it (bench/study_answer.py). This store runs the same SELECT as plain SQL, on the
same database the router reads sessions from; writing, expiring and deleting sessions
(logout, a password change, `manage.py clearsessions`) are Django's own, so a session
deleted on the server stops working at its next request, as before.
"""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _select_sql(table: str) -> str:
    # Only the table name (from the model) is formatted in; values are parameters.
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        key = self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(model) or "default"]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select_sql(table), [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # unknown or expired: a new session if one is saved
            return None
        return model(session_key=key, session_data=row[0])
