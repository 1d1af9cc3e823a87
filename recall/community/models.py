"""What readers add to resources: comments (posting them arrives with accounts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from recall.library.models import Resource


class Comment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()  # Markdown subset, as written
    body_html = models.TextField()  # rendered and sanitised at save time
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["resource", "created_at"], name="comment_resource_time")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.resource}"
