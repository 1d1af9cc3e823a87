"""Every write to the API's own models: creating, revoking and using personal tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone

from recall.operations.rows import instance_from_row

from .models import MAX_TOKEN_NAME_LENGTH, TOKEN_PREFIX_LENGTH, ApiToken

TOKEN_START = "rcl_"  # noqa: S105 - not a secret: tells a Recall token apart in a config file or a leaked log
MAX_ACTIVE_TOKENS = 20
# Noting every use would write to the database on every request: once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)
_TOKEN_SHAPE = re.compile(rf"{TOKEN_START}[A-Za-z0-9_-]{{20,100}}")


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown to its owner once and never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(user: AbstractBaseUser | AnonymousUser, name: str) -> IssuedToken:
    """A new token for this user; the secret in the result is the only copy there is."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in to create API tokens.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the token a name.", code="required")
    if len(name) > MAX_TOKEN_NAME_LENGTH or "\x00" in name:
        raise ValidationError(
            f"A token's name can be at most {MAX_TOKEN_NAME_LENGTH} characters.", code="invalid"
        )
    # 32 random bytes: far too many to guess, so one SHA-256 (no slow hash) is enough.
    secret = TOKEN_START + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Counted under the user's row lock, so that two requests can't both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                f"You can have at most {MAX_ACTIVE_TOKENS} tokens: revoke one you no longer use.",
                code="limit",
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:TOKEN_PREFIX_LENGTH],
            secret_hash=hash_secret(secret),
        )
    return IssuedToken(token=token, secret=secret)


def token_revoke(user: AbstractBaseUser | AnonymousUser, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens: it stops working at once."""
    if not (user.is_authenticated and token.user_id == user.pk):
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token of an active user that this secret is, or None; notes its use."""
    if not _TOKEN_SHAPE.fullmatch(secret):
        return None
    digest = hash_secret(secret)
    for token in _candidates(secret[:TOKEN_PREFIX_LENGTH]):
        if hmac.compare_digest(token.secret_hash, digest):
            _note_use(token)
            return token
    return None


# Built once per database vendor, shared by every thread's connection.
_CANDIDATES_SQL: dict[str, str] = {}


def _candidates_sql(db) -> str:
    """The active tokens of active users with this prefix, each with its user's columns:
    ApiToken.objects.active().filter(prefix=..., user__is_active=True)
    .select_related("user") in plain SQL, as the sessions' read (recall.operations
    .sessions): compiling that query was a quarter of an API answer's CPU. Only table and
    column names (from the models) are formatted in; values are parameters."""
    sql = _CANDIDATES_SQL.get(db.vendor)
    if sql is not None:
        return sql
    quote = db.ops.quote_name
    user_model = get_user_model()
    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for alias, model in (("t", ApiToken), ("u", user_model))
        for field in model._meta.concrete_fields
    )
    token_field, user_field = ApiToken._meta.get_field, user_model._meta.get_field
    sql = _CANDIDATES_SQL[db.vendor] = (
        f"SELECT {columns} FROM {quote(ApiToken._meta.db_table)} t"  # noqa: S608
        f" JOIN {quote(user_model._meta.db_table)} u"
        f" ON u.{quote(user_model._meta.pk.column)} = t.{quote(token_field('user').column)}"
        f" WHERE t.{quote(token_field('prefix').column)} = %s"
        f" AND t.{quote(token_field('revoked_at').column)} IS NULL"
        f" AND u.{quote(user_field('is_active').column)} = %s"
    )
    return sql


def _candidates(prefix: str) -> list[ApiToken]:
    user_model = get_user_model()
    width = len(ApiToken._meta.concrete_fields)
    # The database the ORM's query read: a replica where DATABASE_REPLICA_URLS names some.
    db = connections[router.db_for_read(ApiToken) or DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_candidates_sql(db), [prefix, True])
        rows = cursor.fetchall()
    tokens = []
    for row in rows:
        token = instance_from_row(ApiToken, list(row[:width]), db)
        token.user = instance_from_row(user_model, list(row[width:]), db)
        tokens.append(token)
    return tokens


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
