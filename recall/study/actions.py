"""Every study write, one function per action: each checks permission and holds a transaction.

Views, the study_cards command and (later) the JSON API call these.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import NamedTuple
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, Max, OuterRef
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from recall.lib.study import cloze, quiz, scheduling
from recall.lib.study.cram import CRAM_DAYS
from recall.library.models import Resource, Revision, Subject, Topic, name_slug
from recall.operations.rows import instance_from_values

from .cram import cram_states, exam_for_item, in_cram_window
from .due import DUE_PAGE, _Rows, due_states, new_items, queue_context, queue_counts
from .models import (
    ExamDate,
    ItemOrigin,
    ReviewLog,
    ReviewState,
    StudiedResource,
    StudyItem,
    StudyItemQuerySet,
    StudyProfile,
)

_REFRESHED_FIELDS = [
    "kind",
    "position",
    "card_position",
    "prompt",
    "answer",
    "point",
    "span_kind",
    "alternatives",
    "retired_at",
    "generated",
    "updated_at",
]
_EDITABLE_FIELDS = ("kind", "prompt", "answer", "span_kind")
# What an item asks and what its Anki note shows: a change to one moves updated_at.
_ASKED_FIELDS = ("kind", "prompt", "answer", "point", "span_kind", "card_position", "retired_at")


def _asked(item: StudyItem) -> tuple:
    return tuple(getattr(item, name) for name in _ASKED_FIELDS)


def _regenerate(item: StudyItem, fields: dict, now: datetime) -> None:
    """Give an item what generation made of its unchanged point. An author's edit stays:
    the generated prompt, answer and span kind go to item.generated, for reverting."""
    before = _asked(item)
    if item.edited_at is not None:
        item.generated = {name: fields.pop(name) for name in _EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(item, name, value)
    if _asked(item) != before:
        item.updated_at = now


def _note_context(
    kind: str, span_kind: str, card_position: int, title: str, cards: list[tuple[str, str]]
) -> tuple:
    """What an item's Anki note shows beyond the item's own fields (recall.study.decks):
    a generated cloze's Back Extra is the resource's title and its card's heading; a marked
    cloze's, its card's quoted lines. A question's note shows only its prompt and answer."""
    heading, body = cards[card_position - 1] if 0 < card_position <= len(cards) else ("", "")
    if kind != cloze.CLOZE:
        return ()
    if span_kind == cloze.MARKED:
        return (cloze.quoted_text(body),)
    return (title, heading)


class _PreviousSave(NamedTuple):
    title: str
    cards: list[tuple[str, str]]  # (heading, body)
    moved: bool  # the resource is in another subject or topic now


def _previous_save(resource: Resource) -> _PreviousSave | None:
    """The save before the resource's latest one (its revision), or None for a first save:
    its title and cards, and whether the resource has moved since to another subject or
    topic (its revision's names against the resource's subject and topic slugs, in the
    same query)."""
    row = (
        Revision.objects.filter(resource=resource, number__lt=resource.version)
        .order_by("-number")
        .values_list("content", "resource__subject__slug", "resource__topic__slug")
        .first()
    )
    if not row or not row[0]:
        return None
    content, subject, topic = row
    place = (name_slug(content["subject"], "subject"), name_slug(content["topic"], "topic"))
    cards = [(card["heading"], card["body"]) for card in content["cards"]]
    return _PreviousSave(content["title"], cards, place != (subject, topic))


def study_refresh(resource: Resource) -> None:
    """Regenerate a resource's study items after a save; unchanged points keep their items.

    Items whose point or hidden span is gone are retired, not deleted, so that their
    review history stays. An item's updated_at (its Anki note's modification time) moves
    when what it asks changes, and when what its note shows besides changes: the title or
    its card's heading (a cloze's Back Extra), and for every item of the resource (authored
    ones too) its subject or topic (the note's tags and deck), compared with the previous
    save's revision (not again once the item is newer than the resource's latest save, so
    that refresh_study_items run again changes nothing). Called by the library's _store
    inside its transaction.
    """
    cards = list(resource.cards.order_by("position").values_list("heading", "body"))
    previous = _previous_save(resource)
    generated = cloze.study_cards(cards, kind=resource.kind)
    # Authored items are the author's alone; edited ones keep their edit (see _regenerate).
    existing = {
        item.key: item
        for item in StudyItem.objects.filter(resource=resource, origin=ItemOrigin.GENERATED)
    }
    now = timezone.now()
    to_create, to_update, revived = [], [], []
    for position, card in enumerate(generated, start=1):
        fields = {
            "kind": card.kind,
            "position": position,
            "card_position": card.card_position,
            "prompt": card.prompt,
            "answer": card.answer,
            "point": card.point,
            "span_kind": card.span.kind if card.span else "",
            "alternatives": [span.text for span in card.alternatives],
            "retired_at": None,
        }
        item = existing.pop(card.key, None)
        if item is None:
            to_create.append(
                StudyItem(resource=resource, key=card.key, created_at=now, updated_at=now, **fields)
            )
        else:
            if item.retired_at is not None and not item.is_hidden:
                revived.append(item.pk)
            shown = (item.kind, item.span_kind, item.card_position)
            shown_before = (
                _note_context(*shown, previous.title, previous.cards) if previous else None
            )
            _regenerate(item, fields, now)
            shown = (item.kind, item.span_kind, item.card_position)
            if (
                shown_before is not None
                and item.updated_at < resource.updated_at
                and _note_context(*shown, resource.title, cards) != shown_before
            ):
                item.updated_at = now
            to_update.append(item)
    StudyItem.objects.bulk_create(to_create)
    StudyItem.objects.bulk_update(to_update, _REFRESHED_FIELDS)
    if previous and previous.moved:
        StudyItem.objects.filter(resource=resource, updated_at__lt=resource.updated_at).update(
            updated_at=now
        )
    gone = [item.pk for item in existing.values() if item.retired_at is None]
    StudyItem.objects.filter(pk__in=gone).update(retired_at=now, updated_at=now)
    if gone:
        ReviewState.objects.filter(item_id__in=gone).update(is_queued=False)
    if revived:
        _requeue(resource, revived)
    if to_create or revived:
        _new_cards_in(resource)


def study_relabel(*, subject: Subject | None = None, topic: Topic | None = None) -> int:
    """A subject or topic was renamed: every item of every resource in it moves its
    updated_at, as its Anki note's tags and deck name show the names (recall.study.decks).
    One UPDATE; the library's subject_save and topic_save call it in their transaction."""
    if (subject is None) == (topic is None):
        raise ValueError("Name a subject or a topic.")
    resources = (
        Resource.objects.filter(subject=subject)
        if subject
        else Resource.objects.filter(topic=topic)
    )
    return StudyItem.objects.filter(resource__in=resources.values("pk")).update(
        updated_at=timezone.now()
    )


def _requeue(resource: Resource, item_ids: list[int]) -> None:
    """Items of the resource asked again (revived by a save, restored): their states go
    back in the queue of the users who study the resource (ReviewState.is_queued)."""
    studied = StudiedResource.objects.filter(user_id=OuterRef("user_id"), resource=resource)
    ReviewState.objects.filter(item_id__in=item_ids).update(is_queued=Exists(studied))


def _new_cards_in(resource: Resource) -> None:
    """The resource has an item some of its students have not seen (StudiedResource.has_new).

    Locks the resource's row first: an answer that is clearing the marker at the same time
    (_no_new_left) holds it, and either sees these items or has cleared before this sets."""
    Resource.objects.select_for_update(no_key=True).filter(pk=resource.pk).exists()
    StudiedResource.objects.filter(resource=resource, has_new=False).update(has_new=True)


def _unseen_items(user: AbstractBaseUser, resource_id) -> StudyItemQuerySet:
    """The active items of a resource the user has no review state of (their new cards)."""
    seen = ReviewState.objects.filter(user=user, item_id=OuterRef("pk"))
    return StudyItem.objects.active().filter(resource_id=resource_id).filter(~Exists(seen))


def _no_new_left(user: AbstractBaseUser, resource_id: int) -> None:
    """After a first answer: clear StudiedResource.has_new when the resource has no new
    card left for the user. One query when some are left (the common case)."""
    studied = StudiedResource.objects.filter(user=user, resource_id=resource_id, has_new=True)
    if not studied.filter(~Exists(_unseen_items(user, OuterRef("resource_id")))).update(
        has_new=False
    ):
        return
    # Items study_refresh or a restore added meanwhile, committed once it lets the
    # resource's row go (they lock it, _new_cards_in): look again with a fresh snapshot.
    Resource.objects.select_for_update(no_key=True).filter(pk=resource_id).exists()
    if _unseen_items(user, resource_id).exists():
        studied.model.objects.filter(user=user, resource_id=resource_id).update(has_new=True)


def _require_login(user: AbstractBaseUser) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to study.")


def study_resource_add(user: AbstractBaseUser, resource: Resource) -> StudiedResource:
    """Add a resource the user may read to the ones they study."""
    _require_login(user)
    if not resource.is_visible_to(user):
        raise PermissionDenied("You can't study this resource.")
    with transaction.atomic():
        if not StudyItem.objects.filter(resource=resource).exists():
            study_refresh(resource)  # saved before study items existed
        studied, created = StudiedResource.objects.get_or_create(user=user, resource=resource)
        if created:  # studied again: the states of its asked items are back in the queue
            ReviewState.objects.filter(
                user=user,
                item__resource=resource,
                item__retired_at__isnull=True,
                item__is_hidden=False,
            ).update(is_queued=True)
    return studied


def study_resource_remove(user: AbstractBaseUser, resource: Resource) -> None:
    """Stop studying a resource: its cards leave the queue; their review states stay."""
    _require_login(user)
    with transaction.atomic():
        deleted, _ = StudiedResource.objects.filter(user=user, resource=resource).delete()
        if deleted:
            ReviewState.objects.filter(user=user, item__resource=resource).update(is_queued=False)


def study_profile(user: AbstractBaseUser) -> StudyProfile:
    """The user's settings, unsaved defaults when they have none yet."""
    profile = StudyProfile.objects.filter(user=user).first()
    return profile or StudyProfile(user=user)


def study_settings_save(
    user: AbstractBaseUser,
    *,
    desired_retention: float,
    new_per_day: int,
    reviews_per_day: int,
    time_zone: str | None = None,
) -> StudyProfile:
    """Save the user's settings; time_zone (an IANA name) is kept as it was when None."""
    _require_login(user)
    if time_zone is not None and not valid_time_zone(time_zone):
        raise ValidationError({"time_zone": "Choose a time zone such as Europe/London."})
    with transaction.atomic():
        profile, _ = StudyProfile.objects.select_for_update().get_or_create(user=user)
        profile.desired_retention = desired_retention
        profile.new_per_day = new_per_day
        profile.reviews_per_day = reviews_per_day
        if time_zone is not None:
            profile.time_zone = time_zone
        profile.full_clean()
        profile.save()
    return profile


def study_parameters_save(
    user: AbstractBaseUser, parameters: list[float], review_count: int, now: datetime
) -> StudyProfile:
    """Store FSRS parameters optimised from the user's log (recall.study.optimise); an
    empty list goes back to the defaults. Later answers are scheduled with them."""
    if parameters and len(parameters) != scheduling.PARAMETER_COUNT:
        raise ValidationError(f"FSRS-6 takes {scheduling.PARAMETER_COUNT} parameters.")
    with transaction.atomic():
        profile, _ = StudyProfile.objects.select_for_update().get_or_create(user=user)
        profile.fsrs_parameters = [float(value) for value in parameters]
        profile.parameters_optimised_at = now if parameters else None
        profile.parameters_review_count = review_count if parameters else 0
        profile.save(
            update_fields=["fsrs_parameters", "parameters_optimised_at", "parameters_review_count"]
        )
    return profile


def valid_time_zone(name: str) -> bool:
    """An IANA time zone name zoneinfo knows ("Europe/London", "UTC")."""
    if not name or len(name) > 64 or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def profile_zone(profile: StudyProfile) -> tzinfo:
    """The profile's time zone; UTC if the stored name is unknown here."""
    try:
        return ZoneInfo(profile.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def profile_parameters(profile: StudyProfile) -> tuple[float, ...] | None:
    """The user's optimised FSRS parameters, None for the defaults."""
    parameters = profile.fsrs_parameters
    if parameters and len(parameters) == scheduling.PARAMETER_COUNT:
        return tuple(float(value) for value in parameters)
    return None


# --- the queue -------------------------------------------------------------------------


def day_start(now: datetime, zone: tzinfo = UTC) -> datetime:
    """When the day a review counts towards for the daily limits began: the last midnight
    in the user's time zone (the zone's first moment of that date, should a clock change
    skip midnight), in UTC."""
    local = now.astimezone(zone).date()
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    # datetime arithmetic in one zone is wall-clock: round-trip through UTC instead.
    for hour in range(24):
        moment = (start + timedelta(hours=hour)).astimezone(UTC)
        if moment.astimezone(zone).date() == local:
            return moment
    return start.astimezone(UTC)  # pragma: no cover - every zone has hours in a day


@dataclass(frozen=True)
class StudyQueue:
    due: list[ReviewState]  # most at risk first
    new: list[StudyItem]  # within today's new-card limit
    reviewed_today: int
    new_today: int
    profile: StudyProfile
    # Learnt cards an upcoming exam brings forward (recall.study.cram), asked after the
    # due ones; each has exam_on and exam_recall attributes.
    cram: list[ReviewState] = field(default_factory=list)
    # All due cards within today's cap; `due` holds the first recall.study.due.DUE_PAGE.
    due_count: int | None = None

    @property
    def next_item(self) -> StudyItem | None:
        if self.due:
            return self.due[0].item
        if self.cram:
            return self.cram[0].item
        return self.new[0] if self.new else None

    @property
    def next_cram(self) -> ReviewState | None:
        """The cram state of the next item, when an exam is what brings it."""
        return self.cram[0] if self.cram and not self.due else None

    @property
    def remaining(self) -> int:
        due = len(self.due) if self.due_count is None else self.due_count
        return due + len(self.cram) + len(self.new)


def _risk(
    state: ReviewState, now: datetime, retention: float, parameters: tuple[float, ...] | None
) -> tuple:
    """Learning steps first (due soonest), then lowest recall probability (most at risk)."""
    if state.stability is None or state.state != scheduling.REVIEW:
        return (0, state.due, 0.0)
    probability = scheduling.retrievability(
        state.memory(), now, desired_retention=retention, parameters=parameters
    )
    return (1, probability, state.due)


def cards_due_for(user: AbstractBaseUser, now: datetime | None = None) -> StudyQueue:
    """The user's queue across every studied resource: due cards, then today's new ones.

    After missed days the cap keeps the day sensible: at most reviews_per_day answers a day,
    the most overdue and least likely to be remembered first.
    """
    now = now or timezone.now()
    # Two queries before the page (recall.study.due): the settings with the exams that may
    # be in cram window, then today's answers with the count of due cards up to the cap.
    profile, exams = queue_context(user, now)
    zone = profile_zone(profile)
    exams = in_cram_window(exams, now, zone)
    since = day_start(now, zone)
    reviewed_today, new_today, due_counted = queue_counts(user, since, now, profile.reviews_per_day)
    allowance = max(profile.reviews_per_day - reviewed_today, 0)
    parameters = profile_parameters(profile)
    # Ranked by the database (recall.study.due): the order _risk gives, for any parameters.
    page = min(allowance, DUE_PAGE)
    due = due_states(user, now, page)
    # due_counted stops at the day's cap, allowance at most that: the count up to allowance.
    due_total = len(due) if len(due) < page else min(due_counted, allowance)
    cram = []  # cram_states gives none without exams: no need to build its query then
    if exams:
        cram = cram_states(
            user,
            now,
            exams=exams,
            studied=StudiedResource.objects.filter(user=user).values("resource_id"),
            zone=zone,
            desired_retention=profile.desired_retention,
            parameters=parameters,
            today_start=since,
            limit=allowance - due_total,
        )
    new_allowance = min(max(profile.new_per_day - new_today, 0), allowance - due_total - len(cram))
    # Only the studied resources with new cards left (recall.study.due.new_items).
    new = new_items(user, new_allowance, exams)
    return StudyQueue(due, new, reviewed_today, new_today, profile, cram, due_total)


_STATE_ROWS = _Rows(ReviewState)


@functools.cache
def _answer_sql(vendor: str) -> str:
    """The query _answer_context runs: table names from the models, values as parameters.
    Plain SQL because the ORM's compiling of this join took more CPU than the whole answer's
    database work (bench/study_answer.py). vendor: the cache's key (names are quoted as
    the database quotes them)."""
    quote = connection.ops.quote_name
    names = {
        "item": StudyItem._meta.db_table,
        "resource": Resource._meta.db_table,
        "topic": Topic._meta.db_table,
        "subject": Subject._meta.db_table,
        "studied": StudiedResource._meta.db_table,
        "profile": StudyProfile._meta.db_table,
        "exam": ExamDate._meta.db_table,
        "state": quote(ReviewState._meta.db_table),
        "state_user": quote(ReviewState._meta.get_field("user").column),
        "state_item": quote(ReviewState._meta.get_field("item").column),
        "state_columns": _STATE_ROWS.columns("st"),
    }
    # Only table and column names (from the models) are formatted in; values are parameters.
    return (  # noqa: S608
        "SELECT i.resource_id, i.retired_at, i.is_hidden, r.status, r.is_hidden, r.author_id,"
        " r.topic_id, r.subject_id, t.is_approved, s.is_approved,"
        " EXISTS (SELECT 1 FROM {studied} sr WHERE sr.user_id = %s"
        " AND sr.resource_id = i.resource_id),"
        " p.desired_retention, p.time_zone, p.fsrs_parameters,"
        " EXISTS (SELECT 1 FROM {exam} e WHERE e.user_id = %s AND e.date >= %s"
        " AND e.date <= %s AND (e.resource_id = i.resource_id OR e.topic_id = r.topic_id)),"
        " {state_columns}"
        " FROM {item} i JOIN {resource} r ON r.id = i.resource_id"
        " JOIN {topic} t ON t.id = r.topic_id JOIN {subject} s ON s.id = r.subject_id"
        " LEFT JOIN {profile} p ON p.user_id = %s"
        " LEFT JOIN {state} st ON st.{state_user} = %s AND st.{state_item} = i.id"
        " WHERE i.id = %s"
    ).format(**names)


def _partial(model: type, alias: str | None, **values) -> object:
    """An instance of just these fields (attribute names) as from_db makes one from a
    partial row: the other fields deferred, as with .only(), so that reading one queries
    it rather than giving a made-up default. Model.__init__ with keywords fills in every
    field's default and took a tenth of an answer's CPU (bench/study_answer.py)."""
    return instance_from_values(model, alias, values)


def _default_profile(user: AbstractBaseUser) -> StudyProfile:
    """The study settings of a user who never saved theirs (unsaved): the defaults of
    what review_answer reads."""
    field = StudyProfile._meta.get_field
    profile = _partial(
        StudyProfile,
        None,
        user_id=user.pk,
        **{name: field(name).get_default() for name in _PROFILE_READ},
    )
    profile._state.adding = True
    return profile


_PROFILE_READ = ("desired_retention", "time_zone", "fsrs_parameters")


class _AnswerContext(NamedTuple):
    item: StudyItem  # with its resource, topic and subject: what the checks read
    profile: StudyProfile
    maybe_exam: bool
    state: ReviewState | None  # None before a first answer


def _answer_context(
    user: AbstractBaseUser,
    item_id: int,
    now: datetime,
    db: BaseDatabaseWrapper,
    prepared: bool = False,
) -> _AnswerContext:
    """In one query: the item (with just what review_answer reads: its resource's
    visibility, through is_visible_to as everywhere else, and whether it is still asked),
    whether the user studies its resource, the user's study settings (the defaults,
    unsaved, when they have none), whether an exam on its resource or topic may be in
    cram window (any time zone's window: exam_for_item then says for sure), and the user's
    review state of the item. Checks that the user may answer the item: raises
    StudyItem.DoesNotExist or PermissionDenied. prepared: as a prepared statement where
    _execute can (PostgreSQL, outside a transaction)."""
    today = now.astimezone(UTC).date()  # a zone's date is within a day of it
    first, last = (
        db.ops.adapt_datefield_value(day) for day in (today, today + timedelta(days=CRAM_DAYS + 1))
    )
    user_id = user.pk
    with db.cursor() as cursor:
        # In the order of the placeholders: studied, exam (user, window), profile, state, item.
        params = [user_id, user_id, first, last, user_id, user_id, item_id]
        if prepared:
            _execute(cursor, db, "recall_answer_read", _answer_sql(db.vendor), params)
        else:
            cursor.execute(_answer_sql(db.vendor), params)
        row = cursor.fetchone()
    if row is None:
        raise StudyItem.DoesNotExist("No such study item.")
    resource_id, retired_at, item_hidden, status, resource_hidden, author_id = row[:6]
    topic_id, subject_id, topic_approved, subject_approved, studied = row[6:11]
    retention, zone, parameters, maybe_exam, state_id = row[11:16]
    alias = db.alias
    resource = _partial(
        Resource,
        alias,
        id=resource_id,
        status=status,
        is_hidden=bool(resource_hidden),
        author_id=author_id,
        topic_id=topic_id,
        subject_id=subject_id,
    )
    resource.topic = _partial(Topic, alias, id=topic_id, is_approved=bool(topic_approved))
    resource.subject = _partial(Subject, alias, id=subject_id, is_approved=bool(subject_approved))
    item = _partial(
        StudyItem,
        alias,
        id=item_id,
        resource_id=resource_id,
        retired_at=retired_at,
        is_hidden=bool(item_hidden),
    )
    item.resource = resource
    if not studied:
        raise PermissionDenied("Add this resource to your studies first.")
    if not resource.is_visible_to(user):
        raise PermissionDenied("You can't study this resource.")
    if item.retired_at is not None or item.is_hidden:
        raise PermissionDenied("This question is no longer in its resource.")
    if retention is None:
        profile = _default_profile(user)
    else:
        profile = _partial(
            StudyProfile,
            alias,
            user_id=user_id,
            desired_retention=retention,
            time_zone=zone,
            fsrs_parameters=json.loads(parameters) if isinstance(parameters, str) else parameters,
        )
    state = None if state_id is None else _STATE_ROWS.reader()(row, 15)
    return _AnswerContext(item, profile, bool(maybe_exam), state)


# What an answer writes: the state's memory and counters (its user and item never change).
_STATE_WRITTEN = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "is_queued",
)
_LOG_WRITTEN = (
    "user",
    "item",
    "rating",
    "reviewed_at",
    "duration_ms",
    "was_new",
    "is_cram",
    "state_before",
    "state_after",
)


class _WriteSql(NamedTuple):
    lock: str  # the state read FOR UPDATE (where the database has it)
    update: str
    insert_state: str
    insert_log: str
    # PostgreSQL (data-modifying WITH): the state's UPDATE, guarded by the reps read, and
    # the log's INSERT in one statement; a first answer's state INSERT (nothing when the
    # user has a state of the item) and the log's INSERT in one statement.
    update_logged: str
    insert_logged: str


@functools.cache
def _answer_write_sql(vendor: str) -> _WriteSql:
    """review_answer's locked state read and its writes. Plain SQL, as _answer_sql: the
    ORM's building of these took more CPU than the database's work
    (bench/study_answer.py). Only table and column names (from the models) are formatted
    in; values are parameters."""
    quote = connection.ops.quote_name
    state_table = quote(ReviewState._meta.db_table)
    log_table = quote(ReviewLog._meta.db_table)
    column = ReviewState._meta.get_field
    written = [quote(column(name).column) for name in _STATE_WRITTEN]
    user, item = quote(column("user").column), quote(column("item").column)
    pk, reps = quote(ReviewState._meta.pk.column), quote(column("reps").column)
    assignments = ", ".join(f"{name} = %s" for name in written)
    state_values = ", ".join(["%s"] * (len(written) + 2))
    log_columns = ", ".join(quote(ReviewLog._meta.get_field(name).column) for name in _LOG_WRITTEN)
    log_values = ", ".join(["%s"] * len(_LOG_WRITTEN))
    # Only table and column names are formatted in: noqa S608 throughout.
    lock = (
        f"SELECT {_STATE_ROWS.columns('s')} FROM {state_table} s"  # noqa: S608
        f" WHERE s.{user} = %s AND s.{item} = %s FOR UPDATE"
    )
    update = f"UPDATE {state_table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    insert_state = (
        f"INSERT INTO {state_table} ({user}, {item}, {', '.join(written)})"  # noqa: S608
        f" VALUES ({state_values}) RETURNING {pk}"
    )
    insert_log = f"INSERT INTO {log_table} ({log_columns}) VALUES ({log_values})"  # noqa: S608
    update_logged = (
        f"WITH s AS (UPDATE {state_table} SET {assignments}"  # noqa: S608
        f" WHERE {pk} = %s AND {reps} = %s RETURNING {pk})"
        f" INSERT INTO {log_table} ({log_columns}) SELECT {log_values} FROM s"
    )
    insert_logged = (
        f"WITH s AS (INSERT INTO {state_table} ({user}, {item}, {', '.join(written)})"  # noqa: S608
        f" VALUES ({state_values}) ON CONFLICT ({user}, {item}) DO NOTHING RETURNING {pk})"
        f" INSERT INTO {log_table} ({log_columns}) SELECT {log_values} FROM s"
        f" RETURNING (SELECT {pk} FROM s)"
    )
    return _WriteSql(lock, update, insert_state, insert_log, update_logged, insert_logged)


# Values whose preparing _preparers remembers: immutable, and the same value prepares the same.
_REMEMBERED_TYPES = frozenset({int, bool, type(None)})


def _remembering(prepare: Callable) -> Callable:
    """A field's get_db_prep_save, remembering what it gives for the last integers, booleans
    and None it prepared (on each database: the backend adapts them): ratings, states,
    steps, counts, flags and ids repeat from answer to answer, and a field's chain of
    get_prep_value, get_db_prep_value and the backend's adapt_integerfield_value took
    several microseconds for each."""
    remembered = functools.lru_cache(maxsize=256, typed=True)(
        lambda value, alias: prepare(value, connections[alias])
    )

    def prepared(value, db: BaseDatabaseWrapper):
        if type(value) in _REMEMBERED_TYPES:
            return remembered(value, db.alias)
        return prepare(value, db)

    return prepared


@functools.cache
def _preparers(model: type, names: tuple[str, ...]) -> tuple:
    """(name, the field's get_db_prep_save) of each field, looked up once."""
    return tuple(
        (name, _remembering(model._meta.get_field(name).get_db_prep_save)) for name in names
    )


def _db_values(state: ReviewState, log: dict, db: BaseDatabaseWrapper) -> tuple[list, list]:
    """The state's written values and the log's, each through its field's
    get_db_prep_save as Model.save() sends it (the same UTC timestamps and JSON)."""
    written = _preparers(ReviewState, _STATE_WRITTEN)
    state_values = [prepare(getattr(state, name), db) for name, prepare in written]
    log_values = [prepare(log[name], db) for name, prepare in _preparers(ReviewLog, _LOG_WRITTEN)]
    return state_values, log_values


def _answer_sql_in_use() -> bool:
    """Plain SQL for the answer's writes unless a save signal of the state or the log has a
    receiver (none has today; recall.operations.page_cache listens to other models): then
    the ORM's saves, which send them."""
    return not any(
        signal.has_listeners(model)
        for signal in (pre_save, post_save)
        for model in (ReviewState, ReviewLog)
    )


def _one_statement_writes(db: BaseDatabaseWrapper) -> bool:
    """Whether the database writes a state and its log in one statement (a data-modifying
    WITH): PostgreSQL's; SQLite's WITH takes only a SELECT."""
    return db.vendor == "postgresql"


def _answer_state(
    user: AbstractBaseUser, item_id: int, plain: bool, db: BaseDatabaseWrapper
) -> ReviewState | None:
    """The user's review state of the item, locked for the transaction (FOR UPDATE)."""
    if not plain:
        return (
            ReviewState.objects.using(db.alias)
            .select_for_update()
            .filter(user=user, item_id=item_id)
            .first()
        )
    with db.cursor() as cursor:
        cursor.execute(_answer_write_sql(db.vendor).lock, [user.pk, item_id])
        row = cursor.fetchone()
    return None if row is None else _STATE_ROWS.reader()(row, 0)


def _answered(
    user: AbstractBaseUser,
    context: _AnswerContext,
    state: ReviewState | None,
    rating: int,
    duration_ms: int,
    now: datetime,
) -> tuple[ReviewState, dict]:
    """FSRS's review of the state (None before a first answer; changed in place): the
    state to save, and its log's values by field name."""
    before = state.memory() if state else None
    profile, item = context.profile, context.item
    after = scheduling.review(
        before,
        rating,
        now,
        desired_retention=profile.desired_retention,
        parameters=profile_parameters(profile),
    )
    # Answered before it is due because an exam brings it forward: an ordinary
    # FSRS review at this time, logged as a cram answer.
    is_cram = (
        before is not None
        and before.state == scheduling.REVIEW
        and before.due > now
        and context.maybe_exam
        and exam_for_item(user, item, now, profile_zone(profile)) is not None
    )
    if state is None:
        state = ReviewState(user=user, item=item)
    state.set_memory(after)
    # Answerable means asked and studied (checked): repairs a flag that a concurrent
    # unstudy and restudy left off (ReviewState.is_queued).
    state.is_queued = True
    state.reps += 1
    if rating == scheduling.AGAIN and before is not None and before.state == scheduling.REVIEW:
        state.lapses += 1
    log = {
        "user": user.pk,
        "item": item.pk,
        "rating": rating,
        "reviewed_at": now,
        "duration_ms": duration_ms,
        "was_new": before is None,
        "is_cram": is_cram,
        "state_before": before.to_dict() if before else None,
        "state_after": after.to_dict(),
    }
    return state, log


def _save_answer(state: ReviewState, log: dict, plain: bool, db: BaseDatabaseWrapper) -> None:
    """The state's save and the log's creation (log: its fields' values by name), as
    Model.save() writes them in plain SQL (_db_values), or through the ORM."""
    if not plain:
        state.save(using=db.alias)
        log_field = ReviewLog._meta.get_field
        ReviewLog(**{log_field(name).attname: value for name, value in log.items()}).save(
            using=db.alias, force_insert=True
        )
        return
    sql = _answer_write_sql(db.vendor)
    values, log_values = _db_values(state, log, db)
    with db.cursor() as cursor:
        updated = False
        if state.pk is not None:
            cursor.execute(sql.update, [*values, state.pk])
            updated = cursor.rowcount > 0  # else gone meanwhile: inserted, as save() does
        if not updated:
            cursor.execute(sql.insert_state, [state.user_id, state.item_id, *values])
            state.pk = cursor.fetchone()[0]
            state._state.adding = False
            state._state.db = db.alias
        cursor.execute(sql.insert_log, log_values)


@functools.cache
def _parameter_types(sql: str) -> tuple[str, ...]:
    """The database types of the parameters of review_answer's read and one-statement
    write, from the models' fields, for PREPARE."""

    def db_type(model: type, name: str) -> str:
        return model._meta.get_field(name).db_type(connection)

    if sql == _answer_sql(connection.vendor):
        user, item = db_type(ReviewState, "user"), db_type(ReviewState, "item")
        day = db_type(ExamDate, "date")
        return (user, user, day, day, user, user, item)
    if sql == _answer_write_sql(connection.vendor).update_logged:
        state = [db_type(ReviewState, name) for name in _STATE_WRITTEN]
        log = [db_type(ReviewLog, name) for name in _LOG_WRITTEN]
        return (*state, db_type(ReviewState, "id"), db_type(ReviewState, "reps"), *log)
    raise ValueError("Not a statement of review_answer's.")


@functools.cache
def _prepared_sql(name: str, sql: str) -> tuple[str, str]:
    """PREPARE name (the parameters' types) AS sql (its %s numbered $1, $2...), and the
    EXECUTE of it with the parameters."""
    types = _parameter_types(sql)
    parts = sql.split("%s")
    if len(parts) != len(types) + 1:
        raise ValueError("The statement's parameters and their types differ in number.")
    numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    return (
        f"PREPARE {name} ({', '.join(types)}) AS {numbered}",
        f"EXECUTE {name} ({', '.join(['%s'] * len(types))})",
    )


# The psycopg connections and the names of the statements prepared on each.
_PREPARED: WeakKeyDictionary = WeakKeyDictionary()
_UNDEFINED_STATEMENT = "26000"  # SQLSTATE invalid_sql_statement_name: no such prepared statement
_DUPLICATE_STATEMENT = "42P05"  # duplicate_prepared_statement
# feature_not_supported: "cached plan must not change result type", a migration having
# changed a column the statement returns since it was prepared.
_CHANGED_RESULT = "0A000"


def _execute(cursor, db: BaseDatabaseWrapper, name: str, sql: str, params: list) -> None:
    """cursor.execute(sql, params), on PostgreSQL outside a transaction as the statement
    `name` prepared on the connection at its first use (PREPARE, then EXECUTE): the
    server plans the answer's read (eight tables: 0.5 ms of planning for 0.1 of running)
    and its write once a connection instead of at every answer, and the worker, which
    waits for it, spends less CPU too (bench/study_answer.py). Inside a transaction, the
    statement itself (an error there would abort the transaction); likewise when the
    prepared statement is gone from the connection (DISCARD ALL, a pooler moving sessions
    between server connections) or a migration changed a column it returns: outside a
    transaction that error aborts nothing, and the next use prepares it again."""
    if db.vendor != "postgresql" or db.in_atomic_block:
        cursor.execute(sql, params)
        return
    prepare, execute = _prepared_sql(name, sql)
    names = _PREPARED.setdefault(db.connection, set())
    if name not in names:
        try:
            cursor.execute(prepare)
        except DatabaseError as error:
            if _sqlstate(error) != _DUPLICATE_STATEMENT:  # else prepared already: use it
                raise
        names.add(name)
    try:
        cursor.execute(execute, params)
    except DatabaseError as error:
        state = _sqlstate(error)
        if state not in (_UNDEFINED_STATEMENT, _CHANGED_RESULT):
            raise
        names.discard(name)  # prepared again at the next use
        if state == _CHANGED_RESULT:
            cursor.execute(f"DEALLOCATE {name}")
        cursor.execute(sql, params)


def _sqlstate(error: DatabaseError) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


# --- answering ---------------------------------------------------------------------------

# Answers written without a transaction (_answer_unlocked) tried before one that holds the
# state's lock (_answer_locked): each failed try means that another answer to the same
# card was written meanwhile.
_ANSWER_TRIES = 3


def review_answer(
    user: AbstractBaseUser,
    item: StudyItem | int,
    rating: int,
    duration_ms: int = 0,
    now: datetime | None = None,
) -> ReviewState:
    """Record an answer to the item (an item or its id: the item is read here anyway) and
    schedule its next review with FSRS, all or nothing.

    One query reads the item, what the permission checks need and the user's state of it.
    On PostgreSQL (unless a save signal of the state or the log has a receiver) one
    statement then writes the state and the log, atomic as any statement, with no
    transaction around the read: its UPDATE is guarded by the reps read, which every
    answer raises by one, so when another answer to the same card was written in between
    nothing is written and the answer is read and scheduled again on top of that one (after
    _ANSWER_TRIES, in a transaction holding the state's lock). A first answer's INSERT
    writes nothing, likewise, when the state was inserted meanwhile; it and the check for
    new cards left share a transaction. Elsewhere (SQLite: its IMMEDIATE transaction holds
    the write lock from its BEGIN, so nothing writes between the read and the writes)
    everything is one transaction. These save only what review_answer checked (an asked
    item of a studied resource the user may read), as the locked reading did: at READ
    COMMITTED neither locks the item or the resource for the check."""
    _require_login(user)
    if rating not in scheduling.RATINGS:
        raise ValidationError("Rate the answer 1 (Again) to 4 (Easy).")
    now = scheduling.utc(now or timezone.now())
    duration_ms = max(0, min(int(duration_ms), 24 * 3600 * 1000))
    item_id = item if isinstance(item, int) else item.pk
    db = connections[DEFAULT_DB_ALIAS]
    plain = _answer_sql_in_use()
    if plain and _one_statement_writes(db):
        for _ in range(_ANSWER_TRIES):
            state = _answer_unlocked(user, item_id, rating, duration_ms, now, db)
            if state is not None:
                return state
    return _answer_locked(user, item_id, rating, duration_ms, now, db, plain)


def _answer_unlocked(
    user: AbstractBaseUser,
    item_id: int,
    rating: int,
    duration_ms: int,
    now: datetime,
    db: BaseDatabaseWrapper,
) -> ReviewState | None:
    """review_answer on PostgreSQL: the state and the log in one statement; None (nothing
    written) when another answer to the same card was written since the state was read."""
    context = _answer_context(user, item_id, now, db, prepared=True)
    read = context.state
    reps_read = read.reps if read is not None else None
    state, log = _answered(user, context, read, rating, duration_ms, now)
    sql = _answer_write_sql(db.vendor)
    values, log_values = _db_values(state, log, db)
    if read is not None:
        with db.cursor() as cursor:
            params = [*values, state.pk, reps_read, *log_values]
            _execute(cursor, db, "recall_answer_write", sql.update_logged, params)
            return state if cursor.rowcount == 1 else None
    with transaction.atomic(using=db.alias):
        with db.cursor() as cursor:
            cursor.execute(sql.insert_logged, [state.user_id, state.item_id, *values, *log_values])
            row = cursor.fetchone()
        if row is None:  # a state was inserted meanwhile
            return None
        state.pk = row[0]
        state._state.adding = False
        state._state.db = db.alias
        _no_new_left(user, context.item.resource_id)
    return state


def _answer_locked(
    user: AbstractBaseUser,
    item_id: int,
    rating: int,
    duration_ms: int,
    now: datetime,
    db: BaseDatabaseWrapper,
    plain: bool,
) -> ReviewState:
    """review_answer in one transaction that holds the state's lock: SQLite's IMMEDIATE
    transaction holds the write lock from its BEGIN, so the state read with the context
    is the latest; elsewhere the state is read again FOR UPDATE."""
    with transaction.atomic(using=db.alias):
        context = _answer_context(user, item_id, now, db)
        state = context.state
        if db.features.has_select_for_update:
            state = _answer_state(user, item_id, plain, db)
        state, log = _answered(user, context, state, rating, duration_ms, now)
        _save_answer(state, log, plain, db)
        if log["was_new"]:
            _no_new_left(user, context.item.resource_id)
    return state


# --- authoring: the resource's author adds, edits, hides and restores its questions -------

# Authored items come after every generated one in reading order.
AUTHORED_POSITIONS = 1_000_000
MAX_CARD_TEXT = 2000


def _require_editor(user: AbstractBaseUser, resource: Resource) -> None:
    _require_login(user)
    if not resource.can_edit(user):
        raise PermissionDenied("Only the resource's author can change its study cards.")


def _card_text(value: str, what: str) -> str:
    # No NUL: PostgreSQL's text refuses it, and no one writes one.
    text = (value or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(f"Write the {what}.")
    if len(text) > MAX_CARD_TEXT:
        raise ValidationError(f"The {what} is too long (at most {MAX_CARD_TEXT} characters).")
    return text


def _locked_item(user: AbstractBaseUser, item: StudyItem) -> StudyItem:
    """The item, locked, after checking that the user may edit its resource."""
    item = StudyItem.objects.select_for_update().select_related("resource").get(pk=item.pk)
    _require_editor(user, item.resource)
    return item


def _answer_span_kind(answer: str) -> str:
    kind = quiz.answer_type(answer)
    return "" if kind == quiz.TEXT else kind


def study_item_add(
    user: AbstractBaseUser,
    resource: Resource,
    *,
    question: str,
    answer: str,
    card_position: int | None = None,
) -> StudyItem:
    """A question and answer the author writes for their resource (kind qa, origin
    authored): kept as written by every later save of the resource."""
    _require_editor(user, resource)
    question = _card_text(question, "question")
    answer = _card_text(answer, "answer")
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        _require_editor(user, resource)
        last = StudyItem.objects.filter(resource=resource, origin=ItemOrigin.AUTHORED).aggregate(
            last=Max("position")
        )["last"]
        cards = resource.cards.count() or 1
        _new_cards_in(resource)
        return StudyItem.objects.create(
            resource=resource,
            key=f"authored-{uuid.uuid4().hex}",
            kind=cloze.QA,
            origin=ItemOrigin.AUTHORED,
            position=max(last or 0, AUTHORED_POSITIONS) + 1,
            card_position=min(max(card_position or cards, 1), cards),
            prompt=question,
            answer=answer,
            point=question,
            span_kind=_answer_span_kind(answer),
        )


def study_item_edit(
    user: AbstractBaseUser, item: StudyItem, *, prompt: str, answer: str
) -> StudyItem:
    """Reword an item. A generated item keeps what generation gave (item.generated), so
    that the edit can be reverted; the edit lasts while its point is in the resource."""
    prompt = _card_text(prompt, "question")
    answer = _card_text(answer, "answer")
    with transaction.atomic():
        item = _locked_item(user, item)
        _apply_edit(item, prompt, answer)
    return item


def _apply_edit(item: StudyItem, prompt: str, answer: str) -> None:
    if item.retired_at is not None:
        raise ValidationError("This question is no longer in its resource.")
    span_kind = item.span_kind if answer == item.answer else _answer_span_kind(answer)
    if item.is_authored:
        item.point = prompt
    elif item.edited_at is None:
        item.generated = {name: getattr(item, name) for name in _EDITABLE_FIELDS}
    item.prompt, item.answer, item.span_kind = prompt, answer, span_kind
    if not item.is_authored:
        if item.generated.get("prompt") == prompt and item.generated.get("answer") == answer:
            for name in ("kind", "span_kind"):  # back as generated
                setattr(item, name, item.generated.get(name, getattr(item, name)))
            item.edited_at, item.generated = None, {}
        else:
            item.edited_at = timezone.now()
            # A cloze reworded without its gap is a question and answer (for exports too).
            generated_kind = item.generated.get("kind", item.kind)
            if generated_kind == cloze.CLOZE:
                item.kind = cloze.CLOZE if cloze.HIDDEN in prompt else cloze.QA
    item.updated_at = timezone.now()
    item.save()


def study_item_choose_span(user: AbstractBaseUser, item: StudyItem, span: str) -> StudyItem:
    """Hide another of a cloze's candidate spans (item.alternatives) instead of its best."""
    with transaction.atomic():
        item = _locked_item(user, item)
        if item.generated.get("kind", item.kind) != cloze.CLOZE or item.is_authored:
            raise ValidationError("Only a generated cloze has other spans to hide.")
        generated = item.generated.get("answer", item.answer)
        if span not in item.alternatives and span != generated:
            raise ValidationError("Choose one of the cloze's candidate spans.")
        start = item.point.find(span)
        if start < 0:
            raise ValidationError("That span is not in the point.")
        prompt = item.point[:start] + cloze.HIDDEN + item.point[start + len(span) :]
        _apply_edit(item, prompt, span)
    return item


def study_item_revert(user: AbstractBaseUser, item: StudyItem) -> StudyItem:
    """Undo an author's edit of a generated item: back to what generation gives."""
    with transaction.atomic():
        item = _locked_item(user, item)
        if item.edited_at is not None:
            for name in _EDITABLE_FIELDS:
                setattr(item, name, item.generated.get(name, getattr(item, name)))
            item.edited_at = None
            item.generated = {}
            item.updated_at = timezone.now()
            item.save()
    return item


def study_item_hide(user: AbstractBaseUser, item: StudyItem, *, hidden: bool = True) -> StudyItem:
    """Hide a bad question from every student (hidden=False restores it); reviews stay."""
    with transaction.atomic():
        item = _locked_item(user, item)
        if item.is_hidden != hidden:
            item.is_hidden = hidden
            item.updated_at = timezone.now()
            item.save(update_fields=["is_hidden", "updated_at"])
            if hidden:
                ReviewState.objects.filter(item=item).update(is_queued=False)
            elif item.retired_at is None:
                _requeue(item.resource, [item.pk])
                _new_cards_in(item.resource)
    return item


# --- exam dates: cram mode (recall.study.cram) --------------------------------------------

MAX_EXAM_DAYS_AHEAD = 2 * 366


def exam_date_set(
    user: AbstractBaseUser,
    day: date,
    *,
    resource: Resource | None = None,
    topic: Topic | None = None,
    now: datetime | None = None,
) -> ExamDate:
    """Set (or move) the user's exam on a resource or a topic. A resource with an exam
    date is added to the user's studies; a topic's exam covers the studied resources of
    that topic."""
    _require_login(user)
    if (resource is None) == (topic is None):
        raise ValueError("An exam is on a resource or on a topic.")
    if resource is not None and not resource.is_visible_to(user):
        raise PermissionDenied("You can't study this resource.")
    if topic is not None and not (topic.is_approved and topic.subject.is_approved):
        raise PermissionDenied("This topic is waiting for a moderator.")
    now = now or timezone.now()
    today = now.astimezone(profile_zone(study_profile(user))).date()
    if day <= today:
        raise ValidationError("The exam date must be after today.")
    if day > today + timedelta(days=MAX_EXAM_DAYS_AHEAD):
        raise ValidationError("The exam date must be within two years.")
    with transaction.atomic():
        if resource is not None:
            study_resource_add(user, resource)
            exam, _ = ExamDate.objects.update_or_create(
                user=user, resource=resource, defaults={"date": day}
            )
        else:
            exam, _ = ExamDate.objects.update_or_create(
                user=user, topic=topic, defaults={"date": day}
            )
    return exam


def exam_date_clear(user: AbstractBaseUser, exam: ExamDate) -> None:
    """Forget an exam date: its cards go back to their ordinary schedule."""
    _require_login(user)
    with transaction.atomic():
        exam = ExamDate.objects.select_for_update().filter(pk=exam.pk).first()
        if exam is None:
            return
        if exam.user_id != user.pk:
            raise PermissionDenied("This is someone else's exam date.")
        exam.delete()
