"""Personal API tokens: what a script sends as `Authorization: Bearer <token>`.

Only a SHA-256 hash of each token is stored; the token itself is shown once, when it is
created. The prefix (its first characters) is kept in clear so that people can tell their
tokens apart, and so that a token is looked up by an index before its hash is compared.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX_LENGTH = 12  # "rcl_" and 8 random characters
MAX_TOKEN_NAME_LENGTH = 100


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=MAX_TOKEN_NAME_LENGTH)
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)  # SHA-256, hex
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateCounter(models.Model):
    """The API's request count in the current minute of one address or token (admission.py).

    One row a key, updated in place by one upsert a request. On PostgreSQL the table is
    UNLOGGED (migration 0002): a request's count commits without waiting for the WAL to
    reach the disk, and a crash empties the counts, which only restarts the minutes.
    """

    key = models.CharField(max_length=200, primary_key=True)
    window_end = models.BigIntegerField()  # Unix time the counted window ends at
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_end}"
