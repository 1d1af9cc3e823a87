"""What readers add to resources: comments, ratings and reports, and the moderators' log.

Single-model rules live here; every write goes through actions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from recall.accounts.roles import is_moderator
from recall.library.models import Resource

MAX_COMMENT_LENGTH = 5_000
MAX_REPORT_LENGTH = 1_000
MAX_NOTE_LENGTH = 1_000
MIN_STARS, MAX_STARS = 1, 5


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user, *, moderator: bool | None = None) -> CommentQuerySet:
        """What this reader is shown: moderators everything; others what is not hidden,
        their own comments (marked as hidden), and replies only under a comment they see.
        `moderator` is is_moderator(user), when the caller knows it better."""
        if is_moderator(user) if moderator is None else moderator:
            return self
        shown = Q(is_hidden=False)
        under_shown = Q(parent__isnull=True) | Q(parent__is_hidden=False)
        if user.is_authenticated:
            shown |= Q(author=user)
            under_shown |= Q(parent__author=user)
        return self.filter(shown & under_shown)


class Comment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField()  # Markdown subset, as written
    body_html = models.TextField()  # rendered and sanitised at save time
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    is_hidden = models.BooleanField(default=False)  # hidden by a moderator

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["resource", "created_at"], name="comment_resource_time")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.resource}"

    def get_absolute_url(self) -> str:
        return f"{self.resource.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_edited(self) -> bool:
        return self.updated_at != self.created_at

    def can_edit(self, user) -> bool:
        """Its author, while a moderator has not hidden it."""
        return (
            user.is_authenticated
            and user.is_active
            and self.author_id == user.pk
            and not self.is_hidden
        )

    def can_delete(self, user) -> bool:
        return user.is_authenticated and user.is_active and self.author_id == user.pk

    def is_visible_to(self, user) -> bool:
        if is_moderator(user):
            return True
        own = user.is_authenticated and self.author_id == user.pk
        if self.is_hidden and not own:
            return False
        if self.parent_id is None:
            return True
        parent_own = user.is_authenticated and self.parent.author_id == user.pk
        return not self.parent.is_hidden or parent_own


class Rating(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="rating_one_per_user"),
            models.CheckConstraint(
                condition=Q(stars__gte=MIN_STARS, stars__lte=MAX_STARS), name="rating_stars_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated {self.resource} {self.stars}/{MAX_STARS}"


class ReportQuerySet(models.QuerySet):
    def open(self) -> ReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A reader's complaint about a resource or a comment, until a moderator resolves it."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.TextField(max_length=MAX_REPORT_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(max_length=MAX_NOTE_LENGTH, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # About exactly one thing: a resource or a comment.
            models.CheckConstraint(
                condition=(
                    Q(resource__isnull=False, comment__isnull=True)
                    | Q(resource__isnull=True, comment__isnull=False)
                ),
                name="report_one_target",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"Report by {self.reporter} about {self.target}"

    @property
    def target(self) -> Resource | Comment:
        return self.comment if self.comment_id else self.resource

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ModerationAction(models.Model):
    """The audit trail: one row per thing a moderator did. The target is named, not
    linked, so that the row outlives a deleted subject, topic or comment."""

    class Kind(models.TextChoices):
        HIDE = "hide", "Hid"
        RESTORE = "restore", "Restored"
        RESOLVE = "resolve", "Resolved"
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"

    class Target(models.TextChoices):
        RESOURCE = "resource", "resource"
        COMMENT = "comment", "comment"
        REPORT = "report", "report"
        SUBJECT = "subject", "subject"
        TOPIC = "topic", "topic"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    target_label = models.CharField(max_length=300)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="moderation_target"),
        ]

    def __str__(self) -> str:
        action = self.get_kind_display().lower()
        return f"{self.moderator} {action} {self.target_type} {self.target_label}"
