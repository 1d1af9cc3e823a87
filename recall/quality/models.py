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


class QualityDocument(models.Model):
    """The distinct words and word pairs of one visible resource, as last counted: what
    to take away from the counts when it changes, and what it must not vouch for."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    words = models.TextField(blank=True)  # space-separated, lower case
    pairs = models.TextField(blank=True)  # "first second" a line

    def __str__(self) -> str:
        return f"words of {self.resource_id}"


class QualityWord(models.Model):
    """How many visible resources use a (lower-case) word."""

    word = models.CharField(max_length=100, primary_key=True)
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
    """How many visible resources write ``first`` directly followed by ``second``."""

    first = models.CharField(max_length=100)
    second = models.CharField(max_length=100)
    documents = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="qualitypair_unique")
        ]
        # With ``first``: a check reads the pairs ending with a word whose first word
        # starts with a letter as a range of the index, not a row lookup per pair.
        indexes = [models.Index(fields=["second", "first"], name="qualitypair_second_first")]

    def __str__(self) -> str:
        return f"{self.first} {self.second} ({self.documents})"
