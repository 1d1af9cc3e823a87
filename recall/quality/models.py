"""What authors told the quality checks to leave alone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from recall.library.models import Resource


class IgnoredFinding(models.Model):
    """A finding the author ignored for this resource: matched by its fingerprint
    (what was found, not where), so it stays ignored when the text around it moves."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    # What it was, for people reading the list (the fingerprint is a hash).
    kind = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=200, blank=True)
    ignored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ignored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource", "-ignored_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "fingerprint"], name="ignoredfinding_unique_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text or self.fingerprint} in {self.resource_id}"


# The published corpus's vocabulary, kept in the database (not in each worker's memory)
# and counted incrementally by recall.quality.corpus whenever a resource's visible content
# changes, so that a check reads only the rows for the words of the text it checks.


class RowidField(models.BigIntegerField):
    """A 64-bit integer primary key that SQLite stores as the table's rowid (its type must
    read exactly "integer" there): the rows are the key's one b-tree, with no separate
    unique index. Never generated: the code gives every key."""

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class QualityDocument(models.Model):
    """The distinct words and word pairs of one visible resource, as last counted: what
    to take away from the counts when it changes, and what it must not vouch for. Both
    packed (recall.quality.corpus.pack): its words' QualityWord ids as 32-bit integers, its
    pairs' QualityPair keys as 64-bit ones, little-endian. The ids
    stay valid while it is counted: a word's row goes only when no resource uses it."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    words = models.BinaryField(default=b"")
    pairs = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"words of {self.resource_id}"


class QualityWord(models.Model):
    """How many visible resources use a (lower-case) word; its id numbers its pairs."""

    id = models.AutoField(primary_key=True)
    word = models.CharField(max_length=100, unique=True)
    documents = models.IntegerField()
    length = models.PositiveSmallIntegerField()
    # In the English lexicon: such words never count as subject words, so the search for
    # spelling candidates skips them in the database.
    english = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["english", "length", "documents"], name="qualityword_candidates")
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.documents})"


class QualityPair(models.Model):
    """How many visible resources write one word directly followed by another: keyed by
    the two words' ids as one integer, ``first.id << 32 | second.id``
    (recall.quality.corpus.pair_key), so that a rebuild writes integers in key order into
    one b-tree and a check looks pairs up by key."""

    pair = RowidField(primary_key=True)
    documents = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.pair >> 32} {self.pair & 0xFFFFFFFF} ({self.documents})"
