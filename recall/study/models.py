"""Study items generated from resources, and each user's memory of them (FSRS state, log)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from recall.lib.study import cloze, scheduling
from recall.library.models import Resource, Topic


class ItemKind(models.TextChoices):
    CLOZE = cloze.CLOZE, "Cloze"
    HEADING = cloze.HEADING, "Heading"
    QA = cloze.QA, "Question and answer"


class ItemOrigin(models.TextChoices):
    GENERATED = "generated", "Generated from the notes"
    AUTHORED = "authored", "Written by the author"


class StudyItemQuerySet(models.QuerySet):
    def active(self) -> StudyItemQuerySet:
        """Items a user may be asked: still in the resource, not hidden."""
        return self.filter(retired_at__isnull=True, is_hidden=False)


class StudyItem(models.Model):
    """A question a resource yields, kept (by key) across saves of unchanged points."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="study_items")
    key = models.CharField(max_length=64)  # cloze.StudyCard.key
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    position = models.PositiveIntegerField()  # reading order within the resource
    card_position = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    answer = models.TextField()
    point = models.TextField()  # the source point
    span_kind = models.CharField(max_length=10, blank=True)
    alternatives = models.JSONField(default=list)  # other candidate spans, best first
    is_hidden = models.BooleanField(default=False)
    retired_at = models.DateTimeField(null=True, blank=True)  # gone from the resource
    created_at = models.DateTimeField(default=timezone.now)
    # When what the item asks last changed (its text, kind or hidden state; a regeneration
    # that changes it, an author's edit, revert, span choice, hide or restore), or what its
    # Anki note shows besides (a cloze's title and heading; actions.study_refresh): the
    # modification time of its Anki note (recall.study.decks).
    updated_at = models.DateTimeField(default=timezone.now)
    # Authored items are written by the resource's author (recall.study.actions
    # study_item_add); regeneration never touches them.
    origin = models.CharField(max_length=10, choices=ItemOrigin.choices, default="generated")
    # An author's edit of a generated item: prompt, answer and span_kind then hold the
    # edit, and `generated` what generation gave (refreshed by every save, for reverting).
    edited_at = models.DateTimeField(null=True, blank=True)
    generated = models.JSONField(default=dict, blank=True)

    objects = StudyItemQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "key"], name="studyitem_unique_key"),
        ]
        # The queue's new cards: a resource's items in reading order (recall.study.actions).
        indexes = [models.Index(fields=["resource", "position"], name="studyitem_reading_order")]

    def __str__(self) -> str:
        return self.prompt[:80]

    @property
    def is_authored(self) -> bool:
        return self.origin == ItemOrigin.AUTHORED

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class StudyProfile(models.Model):
    """A user's study settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_profile"
    )
    desired_retention = models.FloatField(
        default=scheduling.DEFAULT_RETENTION,
        validators=[
            MinValueValidator(scheduling.MIN_RETENTION),
            MaxValueValidator(scheduling.MAX_RETENTION),
        ],
    )
    new_per_day = models.PositiveSmallIntegerField(default=20, validators=[MaxValueValidator(500)])
    reviews_per_day = models.PositiveSmallIntegerField(
        default=200, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    # The day (for daily limits) starts at midnight in this zone (an IANA name).
    time_zone = models.CharField(max_length=64, default="UTC")
    # FSRS-6 parameters optimised from this user's own reviews (empty: the defaults).
    fsrs_parameters = models.JSONField(default=list, blank=True)
    parameters_optimised_at = models.DateTimeField(null=True, blank=True)
    parameters_review_count = models.PositiveIntegerField(default=0)  # reviews they came from

    def __str__(self) -> str:
        return f"Study settings of {self.user}"


class StudiedResource(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="studied_resources"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # False only when every active item of the resource has a review state of this user:
    # the queue looks for new cards in the other resources alone. Set by every write that
    # may give the resource a new card (study_refresh adding or reviving items, restoring
    # a hidden one, study_item_add), cleared by review_answer when the user's first answer
    # leaves none (recall.study.actions). True may be stale (an item hidden since); False
    # never is.
    has_new = models.BooleanField(default=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="studied_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} studies {self.resource}"


class ReviewState(models.Model):
    """One user's FSRS memory state of one item (scheduling.MemoryState's fields)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_states"
    )
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="review_states")
    state = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # The item is still asked (not retired, not hidden) and the user studies its resource:
    # a copy of what the due queue would otherwise read from the item's row and the
    # studied resources for every due card. Kept by every write that changes one of them
    # (recall.study.actions: study_refresh retiring or reviving items, study_item_hide,
    # study_resource_add and _remove); review_answer only saves states of asked items.
    is_queued = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="reviewstate_unique"),
        ]
        # The due queue (recall.study.due) walks (user, due) over the queued states alone
        # and ranks by state, stability and last review: all in the index, no table row
        # read per due card. Partial rather than led by is_queued: Django writes
        # is_queued=True as a bare `"is_queued"` term, which SQLite matches with a partial
        # index's condition but never uses as an equality on an indexed column; and
        # is_queued in it as well, or SQLite reads each row to test that term again. The id
        # for PostgreSQL, whose indexes hold no row id: without it, every due row is read.
        indexes = [
            models.Index(
                fields=[
                    "user",
                    "due",
                    "state",
                    "stability",
                    "last_review",
                    "item",
                    "is_queued",
                    "id",
                ],
                condition=models.Q(is_queued=True),
                name="reviewstate_queue_ranking",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: item {self.item_id} due {self.due:%Y-%m-%d %H:%M}"

    def memory(self) -> scheduling.MemoryState:
        return scheduling.MemoryState(
            self.state, self.step, self.stability, self.difficulty, self.due, self.last_review
        )

    def set_memory(self, memory: scheduling.MemoryState) -> None:
        self.state = memory.state
        self.step = memory.step
        self.stability = memory.stability
        self.difficulty = memory.difficulty
        self.due = memory.due
        self.last_review = memory.last_review


class ReviewLog(models.Model):
    """Every answer: which item, the rating, when, how long, and the state before and after."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs"
    )
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="review_logs")
    rating = models.PositiveSmallIntegerField(
        choices=[(value, name) for value, name in scheduling.RATINGS.items()]
    )
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    was_new = models.BooleanField(default=False)
    # Answered before it was due because an exam date brought it forward (cram mode).
    is_cram = models.BooleanField(default=False)
    state_before = models.JSONField(null=True, blank=True)  # MemoryState.to_dict()
    state_after = models.JSONField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["user", "reviewed_at"], name="reviewlog_user_time")]

    def __str__(self) -> str:
        return f"{self.user} rated item {self.item_id} {self.rating} at {self.reviewed_at}"


class ExamDate(models.Model):
    """A user's exam on a resource or on a topic: cram mode brings its cards forward."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_dates"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    date = models.DateField()  # the exam day, in the user's time zone
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resource__isnull=False, topic__isnull=True)
                | models.Q(resource__isnull=True, topic__isnull=False),
                name="examdate_resource_or_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=models.Q(resource__isnull=False),
                name="examdate_unique_resource",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=models.Q(topic__isnull=False),
                name="examdate_unique_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: exam on {self.resource or self.topic} on {self.date}"
