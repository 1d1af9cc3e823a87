"""Subjects, topics, resources and their cards: what the library holds.

Single-model rules live here; writes that touch several models are in actions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from recall.accounts.roles import is_moderator
from recall.lib import resource_text
from recall.library.reversing import cached_reverse


def name_slug(name: str, fallback: str) -> str:
    """The slug of a subject or topic named so (names match by slug: "history" is
    "History"); fallback for a name without letters or digits."""
    return slugify(name)[: resource_text.MAX_NAME_LENGTH].strip("-") or fallback


class Subject(models.Model):
    name = models.CharField(max_length=resource_text.MAX_NAME_LENGTH, unique=True)
    slug = models.SlugField(max_length=resource_text.MAX_NAME_LENGTH, unique=True)
    # A subject proposed in the editor waits for a moderator before it is shown.
    is_approved = models.BooleanField(default=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("library:subject", [self.slug])


class TopicQuerySet(models.QuerySet):
    def approved(self) -> TopicQuerySet:
        """Topics a reader may browse: approved, in an approved subject."""
        return self.select_related("subject").filter(is_approved=True, subject__is_approved=True)


class Topic(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="topics")
    name = models.CharField(max_length=resource_text.MAX_NAME_LENGTH)
    slug = models.SlugField(max_length=resource_text.MAX_NAME_LENGTH)
    is_approved = models.BooleanField(default=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "slug"], name="topic_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.subject.name} › {self.name}"

    def get_absolute_url(self) -> str:
        return cached_reverse("library:topic", [self.subject.slug, self.slug])


# The codes the importer's parse_level() produces, with their display names.
Level = models.TextChoices(
    "Level",
    [(code.upper().replace("-", "_"), (code, name)) for code, name in resource_text.LEVELS],
)


Kind = models.TextChoices(
    "Kind", [(code.upper(), (code, name)) for code, name in resource_text.KINDS]
)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# A resource everyone may see: published, not hidden by a moderator, in an approved topic.
VISIBLE = Q(
    status=Status.PUBLISHED,
    is_hidden=False,
    topic__is_approved=True,
    subject__is_approved=True,
)


class ResourceQuerySet(models.QuerySet):
    def visible(self) -> ResourceQuerySet:
        return self.filter(VISIBLE)

    def visible_to(self, user) -> ResourceQuerySet:
        """What this user may open: the visible ones, their own, and for moderators all."""
        if is_moderator(user):
            return self
        if user.is_authenticated:
            return self.filter(VISIBLE | Q(author=user))
        return self.visible()

    def for_listing(self) -> ResourceQuerySet:
        """Everything a resource list shows, in one query: names, author and card count.

        The card count is a subquery per row, not a join with GROUP BY: grouping makes the
        database count the cards of every matching resource before it can sort and take a
        page (0.6 s for the home page's ten at 10,000 resources); a subquery is counted for
        the rows of the page alone, found through the listing's index.
        """
        cards = (
            Card.objects.filter(resource=OuterRef("pk"))
            .order_by()
            .values("resource")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.select_related("subject", "topic__subject", "author").annotate(
            card_count=Coalesce(Subquery(cards, output_field=IntegerField()), Value(0))
        )

    def recent(self) -> ResourceQuerySet:
        return self.order_by("-created_at", "-id")

    def similar_to(self, resource: Resource) -> ResourceQuerySet:
        """Others in the same subject, the same topic first, newest first."""
        return (
            self.visible()
            .filter(subject_id=resource.subject_id)
            .exclude(pk=resource.pk)
            .annotate(
                same_topic=Case(
                    When(topic_id=resource.topic_id, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .select_related("subject", "topic__subject")
            .order_by("-same_topic", "-created_at", "-id")
        )


class Resource(models.Model):
    title = models.CharField(max_length=resource_text.MAX_TITLE_LENGTH)
    slug = models.SlugField(max_length=220, unique=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="resources")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTES)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="resources"
    )
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    exam_board = models.CharField(max_length=resource_text.MAX_EXAM_BOARD_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    view_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)  # hidden by a moderator
    # Bumped by every save of the content: a form saved against an older one is stale.
    version = models.PositiveIntegerField(default=1)
    # Identifies the imported source, so that importing it again updates in place.
    import_key = models.CharField(max_length=500, unique=True, null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Lists are newest first, ties by id (recent()): read backwards, these serve
        # "ORDER BY created_at DESC, id DESC" straight from the index on SQLite and
        # PostgreSQL, so a page of a list costs the same at 100 or 100,000 resources.
        indexes = [
            models.Index(fields=["subject", "created_at", "id"], name="resource_subject_latest"),
            models.Index(fields=["topic", "created_at", "id"], name="resource_topic_latest"),
            models.Index(fields=["created_at", "id"], name="resource_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values) | models.Q(level=""),
                name="resource_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return cached_reverse("library:resource", [self.slug])

    def get_all_cards_url(self) -> str:
        return cached_reverse("library:resource_all_cards", [self.slug])

    def card_url(self, number: int) -> str:
        return f"{self.get_absolute_url()}?card={number}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_visible(self) -> bool:
        return (
            self.is_published
            and not self.is_hidden
            and self.topic.is_approved
            and self.subject.is_approved
        )

    def can_edit(self, user) -> bool:
        return user.is_authenticated and user.is_active and self.author_id == user.pk

    def is_visible_to(self, user) -> bool:
        return self.is_visible or self.can_edit(user) or is_moderator(user)


class Card(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="cards")
    position = models.PositiveSmallIntegerField()  # 1-based, as readers count
    heading = models.CharField(max_length=resource_text.MAX_HEADING_LENGTH, blank=True)
    body = models.TextField()  # Markdown, as the author wrote it
    body_html = models.TextField()  # rendered and sanitised at save time

    class Meta:
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "position"], name="card_unique_position"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="card_position_gte_1"),
        ]

    def __str__(self) -> str:
        return self.heading or f"Card {self.position}"


class Revision(models.Model):
    """A resource's full content as one save left it: who, when, and everything written."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    # {"title", "subject", "topic", "kind", "level", "exam_board", "cards": [{"heading", "body"}]}
    content = models.JSONField()

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} revision {self.number}"
