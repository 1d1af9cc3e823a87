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
