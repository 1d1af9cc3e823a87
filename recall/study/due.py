"""The due part of a user's queue, ranked by the database, and its new cards: a few
milliseconds at 100,000 cards.

Learning and relearning steps come first (due soonest first), then review cards from the
least likely to be remembered up. FSRS's recall probability is
R = (1 + factor * t / S) ** decay, with t the whole days since the last review (as py-fsrs
counts them), S the stability and decay < 0 whatever the parameters: R falls as t / S
grows. So ordering by t / S, largest first (then by due), is ordering by R, lowest first,
for any parameters, and the database can do it before the LIMIT instead of Python ranking
every due card.

The ranking walks the reviewstate_queue_ranking index: (user, due) over the queued states
alone (ReviewState.is_queued: the item is still asked and the user studies its resource),
holding every column the ranking reads, so a backlog of thousands reads no table row but
the page's, and the count up to the day's cap reads that many index entries.

Every query of the queue (actions.cards_due_for) is here, in plain SQL: the ORM's building
and compiling of them, and its iterating over the rows, took more CPU than the database's
work (bench/study_queue.py). Four round trips at most: the settings with the exams that
may be in cram window (queue_context), today's answers with the due count
(queue_counts), the due page with its items and resources (due_states), and the new cards
with theirs (new_items). The rows are made into model instances as the ORM makes them
(_Rows: the same converters, no signal skipped), so every consumer of the queue gets what
it got from querysets. Only table names and columns (from the models) and constants are
formatted in; values are parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

from recall.lib.study import scheduling
from recall.lib.study.cram import CRAM_DAYS
from recall.library.models import Resource
from recall.operations.rows import column_converters, instance_maker

from .models import ExamDate, ReviewLog, ReviewState, StudiedResource, StudyItem, StudyProfile

# The queue holds at most this many due states (the most urgent); queue_counts counts the rest
# up to the day's cap, so a backlog of thousands costs no more than a normal day.
DUE_PAGE = 50


class _Rows:
    """A model's columns in a plain SELECT, and its rows made into instances as the ORM
    makes them: every concrete field, through the same converters (the backend's, then the
    field's own), unsaved-state flags as from_db sets them. Building them this way costs a
    fraction of a queryset's compiling and iterating."""

    def __init__(self, model: type[Model]):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)

    def columns(self, alias: str) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)

    def reader(self) -> Callable[[Sequence, int], Model]:
        """A function making an instance of the row's columns from a start index, on the
        default connection (what `connection` is here)."""
        db = connections[DEFAULT_DB_ALIAS]
        converters = column_converters(self.model, db)
        attnames, width = self.attnames, self.width
        build = instance_maker(self.model, db.alias)

        def make(row: Sequence, start: int) -> Model:
            values = list(row[start : start + width])
            for index, column, chain in converters:
                value = values[index]
                for convert in chain:
                    value = convert(value, column, db)
                values[index] = value
            return build(dict(zip(attnames, values, strict=True)))

        return make


def _ranking(vendor: str, table: str) -> tuple[str, str]:
    """SQL for a review state of `table` (a name or alias): its group (0 for (re)learning
    steps, 1 for review cards) and its ratio (whole days since the last review over
    stability for review cards, 0 for the others). The ratio takes one parameter, now
    (_now_for_ratio)."""
    state, stability, last = (f"{table}.{name}" for name in ("state", "stability", "last_review"))
    review = f"{state} = {scheduling.REVIEW} AND {stability} IS NOT NULL AND {last} IS NOT NULL"
    if vendor == "postgresql":
        # date_part, not EXTRACT: double precision rather than numeric, half the ranking's
        # time, and exact enough (microseconds over centuries) for whole days.
        days = f"GREATEST(0, FLOOR(date_part('epoch', %s::timestamptz - {last}) / 86400))"
    else:
        # Julian days, now's computed once in Python; the difference in whole milliseconds,
        # so that exactly one day is 1 and not 0.99999.
        days = f"MAX(0, CAST(ROUND((%s - julianday({last})) * 86400000) AS INTEGER) / 86400000)"
    return (
        f"CASE WHEN {review} THEN 1 ELSE 0 END",
        f"CASE WHEN {review} THEN ({days}) * 1.0 / {stability} ELSE 0 END",
    )


def _now_for_ratio(now: datetime):
    if connection.vendor == "postgresql":
        return connection.ops.adapt_datetimefield_value(now)
    return now.timestamp() / 86400 + 2440587.5  # the Julian day


_STATE, _ITEM, _RESOURCE = _Rows(ReviewState), _Rows(StudyItem), _Rows(Resource)
_PROFILE, _EXAM = _Rows(StudyProfile), _Rows(ExamDate)
_STATE_ITEM = ReviewState._meta.get_field("item")
_ITEM_RESOURCE = StudyItem._meta.get_field("resource")


@functools.cache
def _page_sql(vendor: str) -> str:
    """A page of the user's due states, ranked, each row the state, its item and the
    item's resource (_STATE, _ITEM and _RESOURCE's columns). Parameters: now (for the
    ratio), user, now (for due), limit, user.

    The page is ranked on the index alone (the subquery), then only its rows are read.
    They are checked against their items and the user's studied resources: a flag left
    true by writes racing each other (an answer saved while its item is hidden) then drops
    the card rather than showing one that cannot be answered."""
    group, ratio = _ranking(vendor, "s")
    parts = {
        "group": group,
        "ratio": ratio,
        "columns": ", ".join((_STATE.columns("q"), _ITEM.columns("i"), _RESOURCE.columns("res"))),
        "state": ReviewState._meta.db_table,
        "item": StudyItem._meta.db_table,
        "resource": Resource._meta.db_table,
        "studied": StudiedResource._meta.db_table,
    }
    # `s.is_queued` as a bare term: the partial index's condition, word for word.
    return (  # noqa: S608 - only table names (from the models) and constants go in
        "SELECT {columns} FROM (SELECT s.id, s.item_id, {ratio} AS rank_ratio,"
        " {group} AS rank_group, s.due FROM {state} s"
        " WHERE s.user_id = %s AND s.is_queued AND s.due <= %s"
        " ORDER BY rank_group, rank_ratio DESC, s.due, s.id LIMIT %s) p"
        " JOIN {state} q ON q.id = p.id JOIN {item} i ON i.id = p.item_id"
        " JOIN {resource} res ON res.id = i.resource_id"
        " WHERE i.retired_at IS NULL AND NOT i.is_hidden AND EXISTS (SELECT 1 FROM {studied} sr"
        " WHERE sr.user_id = %s AND sr.resource_id = i.resource_id)"
        " ORDER BY p.rank_group, p.rank_ratio DESC, p.due, p.id"
    ).format(**parts)


@functools.cache
def _count_sql() -> str:
    """How many queued states are due, up to a cap. Parameters: user, now, cap."""
    names = {"state": ReviewState._meta.db_table}
    return (  # noqa: S608 - only the table name (from the model) is formatted in
        "SELECT COUNT(*) FROM (SELECT 1 FROM {state} s"
        " WHERE s.user_id = %s AND s.is_queued AND s.due <= %s LIMIT %s) d"
    ).format(**names)


def _states_with_items(rows) -> list[ReviewState]:
    """ReviewStates, each with its item and the item's resource, from rows of _STATE,
    _ITEM and _RESOURCE's columns: as select_related("item__resource") makes them."""
    state_of, item_of, resource_of = _STATE.reader(), _ITEM.reader(), _RESOURCE.reader()
    after_state, after_item = _STATE.width, _STATE.width + _ITEM.width
    made = []
    for row in rows:
        state = state_of(row, 0)
        item = item_of(row, after_state)
        _ITEM_RESOURCE.set_cached_value(item, resource_of(row, after_item))
        _STATE_ITEM.set_cached_value(state, item)
        made.append(state)
    return made


def due_states(user: AbstractBaseUser, now: datetime, limit: int) -> list[ReviewState]:
    """At most limit due states of items still asked in resources the user studies, most
    urgent first (learning steps, then lowest recall probability), with item and resource.
    One query (_page_sql)."""
    if limit <= 0:
        return []
    due = connection.ops.adapt_datetimefield_value(now)
    params = [_now_for_ratio(now), user.pk, due, limit, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(_page_sql(connection.vendor), params)
        return _states_with_items(cursor.fetchall())


def due_count(user: AbstractBaseUser, now: datetime, cap: int) -> int:
    """How many states due_states could give, counting no further than cap."""
    if cap <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(), [user.pk, connection.ops.adapt_datetimefield_value(now), cap])
        return cursor.fetchone()[0]


@functools.cache
def _new_columns(vendor: str) -> str:
    return f"{_ITEM.columns('n')}, {_RESOURCE.columns('res')}"


def new_items(user: AbstractBaseUser, limit: int, exams: list[ExamDate]) -> list[StudyItem]:
    """The user's first `limit` new cards, with their resources: active items with no review
    state of the user, in the studied resources with new cards left (StudiedResource.has_new),
    in reading order; those of a resource or topic with an exam in cram window
    (cram.cramming_exams) first.

    One query. The page's ids are picked (the subquery) without the resources: joined to
    them, SQLite walks the resources and sorts all their items; alone (and with no exam to
    put first), it walks the studyitem_reading_order index and stops at the limit, checking
    each item against the (user, item) unique index: no scan of what the user has seen.
    Then only the page's items are read, with their resources."""
    if limit <= 0:
        return []
    resources = sorted({exam.resource_id for exam in exams if exam.resource_id})
    topics = sorted({exam.topic_id for exam in exams if exam.topic_id})
    near, near_params = [], []
    if resources:
        near.append(f"i.resource_id IN ({', '.join(['%s'] * len(resources))})")
        near_params += resources
    if topics:
        near.append(
            f"i.resource_id IN (SELECT r.id FROM {Resource._meta.db_table} r"  # noqa: S608
            f" WHERE r.topic_id IN ({', '.join(['%s'] * len(topics))}))"
        )
        near_params += topics
    first = f"CASE WHEN {' OR '.join(near)} THEN 0 ELSE 1 END, " if near else ""
    parts = {
        "first": first,
        "columns": _new_columns(connection.vendor),
        "item": StudyItem._meta.db_table,
        "resource": Resource._meta.db_table,
        "studied": StudiedResource._meta.db_table,
        "state": ReviewState._meta.db_table,
    }
    sql = (  # noqa: S608 - table names (from the models) and placeholders go in
        "SELECT {columns} FROM (SELECT i.id FROM {item} i WHERE i.resource_id IN"
        " (SELECT sr.resource_id FROM {studied} sr WHERE sr.user_id = %s AND sr.has_new)"
        " AND i.retired_at IS NULL AND NOT i.is_hidden AND NOT EXISTS (SELECT 1 FROM {state} s"
        " WHERE s.user_id = %s AND s.item_id = i.id)"
        " ORDER BY {first}i.resource_id, i.position LIMIT %s) p"
        " JOIN {item} n ON n.id = p.id JOIN {resource} res ON res.id = n.resource_id"
    ).format(**parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, *near_params, limit])
        rows = cursor.fetchall()
    item_of, resource_of = _ITEM.reader(), _RESOURCE.reader()
    items = []
    for row in rows:
        item = item_of(row, 0)
        _ITEM_RESOURCE.set_cached_value(item, resource_of(row, _ITEM.width))
        items.append(item)

    def order(item: StudyItem) -> tuple:
        exam_first = item.resource_id in resources or item.resource.topic_id in topics
        return (not exam_first, item.resource_id, item.position)

    return sorted(items, key=order)


@functools.cache
def _context_sql() -> str:
    """The user's study settings (nulls when they have none) and their exams that may be
    in cram window, whatever their time zone, one row each (or one row of nulls), by
    date. Parameters: user, user, first day, last day."""
    names = {
        "columns": f"{_PROFILE.columns('p')}, {_EXAM.columns('e')}",
        "profile": StudyProfile._meta.db_table,
        "exam": ExamDate._meta.db_table,
    }
    return (  # noqa: S608 - only table names (from the models) and columns go in
        "SELECT {columns} FROM (SELECT 1 AS one) o"
        " LEFT JOIN {profile} p ON p.user_id = %s"
        " LEFT JOIN {exam} e ON e.user_id = %s AND e.date >= %s AND e.date <= %s"
        " ORDER BY e.date, e.id"
    ).format(**names)


def queue_context(user: AbstractBaseUser, now: datetime) -> tuple[StudyProfile, list[ExamDate]]:
    """In one query: the user's study settings (unsaved defaults when they have none, as
    actions.study_profile gives them) and their exam dates from now's UTC date to
    CRAM_DAYS + 1 days after it, soonest first: every exam that can be in cram window in
    any time zone (the caller keeps those in the user's, as cram.cramming_exams does)."""
    today = now.astimezone(UTC).date()  # a zone's date is within a day of it
    first, last = (
        connection.ops.adapt_datefield_value(day)
        for day in (today, today + timedelta(days=CRAM_DAYS + 1))
    )
    with connection.cursor() as cursor:
        cursor.execute(_context_sql(), [user.pk, user.pk, first, last])
        rows = cursor.fetchall()
    first_row = rows[0]
    profile = StudyProfile(user=user) if first_row[0] is None else _PROFILE.reader()(first_row, 0)
    exam_of, start = _EXAM.reader(), _PROFILE.width
    return profile, [exam_of(row, start) for row in rows if row[start] is not None]


@functools.cache
def _counts_sql() -> str:
    """Answers since a moment, the new cards among them, and the queued states due, up to
    a cap. Parameters: user, now, cap, user, since."""
    names = {"log": ReviewLog._meta.db_table, "state": ReviewState._meta.db_table}
    return (  # noqa: S608 - only table names (from the models) go in
        "SELECT t.answers, t.new,"
        " (SELECT COUNT(*) FROM (SELECT 1 FROM {state} s"
        " WHERE s.user_id = %s AND s.is_queued AND s.due <= %s LIMIT %s) d)"
        " FROM (SELECT COUNT(*) AS answers, COUNT(CASE WHEN l.was_new THEN 1 END) AS new"
        " FROM {log} l WHERE l.user_id = %s AND l.reviewed_at >= %s) t"
    ).format(**names)


def queue_counts(
    user: AbstractBaseUser, since: datetime, now: datetime, cap: int
) -> tuple[int, int, int]:
    """In one query: how many answers the user gave since `since`, how many of them were
    of new cards, and how many states due_states could give, counting no further than
    cap (due_count)."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(), [user.pk, adapt(now), max(cap, 0), user.pk, adapt(since)])
        answers, new, due = cursor.fetchone()
    return answers, new, due
