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

The ranking, the count and the new cards' page are plain SQL: the ORM's building and
compiling of them took more CPU than the database's work (bench/study_queue.py). Only table
names (from the models) and constants are formatted in; values are parameters.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models.expressions import RawSQL

from recall.lib.study import scheduling
from recall.library.models import Resource

from .models import ExamDate, ReviewState, StudiedResource, StudyItem

# The queue holds at most this many due states (the most urgent); due_count counts the rest
# up to the day's cap, so a backlog of thousands costs no more than a normal day.
DUE_PAGE = 50


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


@functools.cache
def _page_sql(vendor: str) -> str:
    """The ids of a page of the user's due states, ranked. Parameters: now (for the ratio),
    user, now (for due), limit, user.

    The page's rows are checked against their items and the user's studied resources: a
    flag left true by writes racing each other (an answer saved while its item is hidden)
    then drops the card rather than showing one that cannot be answered."""
    group, ratio = _ranking(vendor, "s")
    parts = {
        "group": group,
        "ratio": ratio,
        "state": ReviewState._meta.db_table,
        "item": StudyItem._meta.db_table,
        "studied": StudiedResource._meta.db_table,
    }
    # `s.is_queued` as a bare term: the partial index's condition, word for word.
    return (  # noqa: S608 - only table names (from the models) and constants go in
        "SELECT p.id FROM (SELECT s.id, s.item_id, {ratio} AS r, {group} AS g, s.due"
        " FROM {state} s WHERE s.user_id = %s AND s.is_queued AND s.due <= %s"
        " ORDER BY g, r DESC, s.due, s.id LIMIT %s) p"
        " JOIN {item} i ON i.id = p.item_id"
        " WHERE i.retired_at IS NULL AND NOT i.is_hidden AND EXISTS (SELECT 1 FROM {studied} sr"
        " WHERE sr.user_id = %s AND sr.resource_id = i.resource_id)"
    ).format(**parts)


@functools.cache
def _count_sql() -> str:
    """How many queued states are due, up to a cap. Parameters: user, now, cap."""
    names = {"state": ReviewState._meta.db_table}
    return (  # noqa: S608 - only the table name (from the model) is formatted in
        "SELECT COUNT(*) FROM (SELECT 1 FROM {state} s"
        " WHERE s.user_id = %s AND s.is_queued AND s.due <= %s LIMIT %s) d"
    ).format(**names)


def due_states(user: AbstractBaseUser, now: datetime, limit: int) -> list[ReviewState]:
    """At most limit due states of items still asked in resources the user studies, most
    urgent first (learning steps, then lowest recall probability), with item and resource.

    One query: the page is ranked on the index alone (the subquery, _page_sql), then only
    its rows are read with their items and resources, and put in the same order."""
    if limit <= 0:
        return []
    table = ReviewState._meta.db_table
    group, ratio = _ranking(connection.vendor, connection.ops.quote_name(table))
    ratio_now = _now_for_ratio(now)
    due = connection.ops.adapt_datetimefield_value(now)
    # The SQL is ours (_ranking, _page_sql); values are parameters.
    page = RawSQL(_page_sql(connection.vendor), [ratio_now, user.pk, due, limit, user.pk])  # noqa: S611
    group_of, ratio_of = RawSQL(group, []), RawSQL(ratio, [ratio_now])  # noqa: S611
    return list(
        ReviewState.objects.filter(pk__in=page)
        .select_related("item__resource")
        .order_by(group_of, ratio_of.desc(), "due", "pk")
    )


def due_count(user: AbstractBaseUser, now: datetime, cap: int) -> int:
    """How many states due_states could give, counting no further than cap."""
    if cap <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(), [user.pk, connection.ops.adapt_datetimefield_value(now), cap])
        return cursor.fetchone()[0]


def new_items(user: AbstractBaseUser, limit: int, exams: list[ExamDate]) -> list[StudyItem]:
    """The user's first `limit` new cards, with their resources: active items with no review
    state of the user, in the studied resources with new cards left (StudiedResource.has_new),
    in reading order; those of a resource or topic with an exam in cram window
    (cram.cramming_exams) first.

    One query. The page's ids are picked without the resources: joined to them, SQLite
    walks the resources and sorts all their items; alone (and with no exam to put first),
    it walks the studyitem_reading_order index and stops at the limit, checking each item
    against the (user, item) unique index: no scan of what the user has seen."""
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
        "item": StudyItem._meta.db_table,
        "studied": StudiedResource._meta.db_table,
        "state": ReviewState._meta.db_table,
    }
    sql = (  # noqa: S608 - table names (from the models) and placeholders go in
        "SELECT i.id FROM {item} i WHERE i.resource_id IN (SELECT sr.resource_id"
        " FROM {studied} sr WHERE sr.user_id = %s AND sr.has_new)"
        " AND i.retired_at IS NULL AND NOT i.is_hidden AND NOT EXISTS (SELECT 1 FROM {state} s"
        " WHERE s.user_id = %s AND s.item_id = i.id)"
        " ORDER BY {first}i.resource_id, i.position LIMIT %s"
    ).format(**parts)
    page = RawSQL(sql, [user.pk, user.pk, *near_params, limit])  # noqa: S611 - ours, above
    items = StudyItem.objects.filter(pk__in=page).select_related("resource").order_by()

    def order(item: StudyItem) -> tuple:
        exam_first = item.resource_id in resources or item.resource.topic_id in topics
        return (not exam_first, item.resource_id, item.position)

    return sorted(items, key=order)
