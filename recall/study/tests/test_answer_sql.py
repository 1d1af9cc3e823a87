"""review_answer's plain-SQL read and writes store exactly what the ORM's saves stored,
and give way to the ORM's saves (with their signals) when a save signal has a receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_save

from recall.lib.study.scheduling import AGAIN, EASY, GOOD, HARD
from recall.study.actions import review_answer
from recall.study.models import ReviewLog, ReviewState, StudyItem

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
ANSWERS = [(GOOD, 0), (AGAIN, 1500), (HARD, 0), (GOOD, 2), (EASY, 7), (AGAIN, 30)]


def _rows(table: str, item_id: int) -> list[tuple]:
    """The stored columns as the database holds them (text timestamps and JSON on
    SQLite), without the row's own id and item."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE item_id = %s ORDER BY id", [item_id])  # noqa: S608
        names = [column[0] for column in cursor.description]
        return [
            tuple(
                value
                for name, value in zip(names, row, strict=True)
                if name not in ("id", "item_id")
            )
            for row in cursor.fetchall()
        ]


def _answer_all(user, item) -> list[ReviewState]:
    return [
        review_answer(user, StudyItem(pk=item.pk), rating, day * 1000, START + timedelta(days=day))
        for rating, day in ANSWERS
    ]


def test_the_plain_writes_store_what_the_orm_saves_store(other, studying):
    plain_item, orm_item = StudyItem.objects.filter(resource=studying).order_by("pk")[:2]
    states = _answer_all(other, plain_item)
    assert all(state.pk is not None and not state._state.adding for state in states)
    assert len({state.pk for state in states}) == 1  # one state, updated after its insert

    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((sender, created))

    post_save.connect(receiver, sender=ReviewState)
    post_save.connect(receiver, sender=ReviewLog)
    try:
        _answer_all(other, orm_item)
    finally:
        post_save.disconnect(receiver, sender=ReviewState)
        post_save.disconnect(receiver, sender=ReviewLog)
    # With a receiver connected, the ORM's saves ran and sent their signals.
    assert saved[:2] == [(ReviewState, True), (ReviewLog, True)]
    assert saved[2:4] == [(ReviewState, False), (ReviewLog, True)]
    assert len(saved) == 2 * len(ANSWERS)

    states_table, logs_table = ReviewState._meta.db_table, ReviewLog._meta.db_table
    assert _rows(states_table, plain_item.pk) == _rows(states_table, orm_item.pk)
    assert _rows(logs_table, plain_item.pk) == _rows(logs_table, orm_item.pk)
    log = ReviewLog.objects.filter(item=plain_item).order_by("id").first()
    assert log.state_before is None and log.was_new and log.reviewed_at == START
    assert log.state_after["due"].endswith("+00:00")  # MemoryState.to_dict(), in UTC
    state = ReviewState.objects.get(item=plain_item)
    assert state.is_queued and state.reps == len(ANSWERS) and state.lapses >= 1
    assert state.last_review == START + timedelta(days=ANSWERS[-1][1])


def test_a_state_read_is_locked_for_update_where_the_database_can(
    other, studying, django_assert_num_queries
):
    item = StudyItem.objects.filter(resource=studying).first()
    review_answer(other, item, GOOD, now=START)
    with django_assert_num_queries(6) as captured:  # savepoint, context, state, 2 writes, release
        review_answer(other, StudyItem(pk=item.pk), GOOD, now=START + timedelta(days=1))
    state_read = captured.captured_queries[2]["sql"]
    assert state_read.startswith("SELECT")
    assert state_read.endswith("FOR UPDATE") == connection.features.has_select_for_update
