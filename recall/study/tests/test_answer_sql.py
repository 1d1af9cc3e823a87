"""review_answer's plain-SQL read and writes store exactly what the ORM's saves stored,
and give way to the ORM's saves (with their signals) when a save signal has a receiver;
on PostgreSQL, without a transaction around the read, an answer written meanwhile is not
lost."""

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


def test_a_later_answer_reads_once_and_writes_once_where_the_database_can(
    other, studying, django_assert_num_queries
):
    item = StudyItem.objects.filter(resource=studying).first()
    review_answer(other, item, GOOD, now=START)
    one_statement = connection.vendor == "postgresql"
    # PostgreSQL: the item with its state, then the state and the log in one statement
    # (no transaction). SQLite: the transaction (a savepoint here) around the same read,
    # the state's UPDATE and the log's INSERT.
    with django_assert_num_queries(2 if one_statement else 5) as captured:
        state = review_answer(other, item.pk, GOOD, now=START + timedelta(days=1))
    statements = [query["sql"] for query in captured.captured_queries]
    read = statements[0 if one_statement else 1]
    assert read.startswith("SELECT") and ReviewState._meta.db_table in read
    assert "FOR UPDATE" not in read
    if one_statement:
        assert statements[1].startswith("WITH")
    assert state.reps == 2 and ReviewLog.objects.filter(item=item).count() == 2


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL's answers write without a transaction around their read; SQLite's "
            "IMMEDIATE transaction holds the write lock from the read to the writes."
        )


def _answered_meanwhile(monkeypatch, user, item, times: int = 1) -> list:
    """Make another answer to the item (rating Again, an hour after START) be written
    between each of the next `times` answers' read and their writes, as a concurrent
    request's would be."""
    from recall.study import actions

    answered = actions._answered
    meanwhile = []
    busy = []

    def answered_after_another(*args, **kwargs):
        if len(meanwhile) < times and not busy:
            busy.append(True)  # the other answer's own _answered: no other meanwhile
            try:
                meanwhile.append(
                    review_answer(user, item.pk, AGAIN, now=START + timedelta(hours=1))
                )
            finally:
                busy.clear()
        return answered(*args, **kwargs)

    monkeypatch.setattr(actions, "_answered", answered_after_another)
    return meanwhile


def _chained(item) -> list[ReviewLog]:
    """The item's logs, each answer's state before being the previous one's after."""
    logs = list(ReviewLog.objects.filter(item=item).order_by("id"))
    for previous, log in zip(logs, logs[1:], strict=False):
        assert log.state_before == previous.state_after
    return logs


def test_an_answer_written_between_the_read_and_the_write_is_not_lost(
    postgresql, other, studying, monkeypatch
):
    item = StudyItem.objects.filter(resource=studying).first()
    review_answer(other, item, GOOD, now=START)
    meanwhile = _answered_meanwhile(monkeypatch, other, item)

    state = review_answer(other, item.pk, EASY, now=START + timedelta(hours=2))

    assert meanwhile[0].reps == 2
    assert state.reps == 3  # read again after the one written meanwhile, and scheduled on it
    stored = ReviewState.objects.get(user=other, item=item)
    assert (stored.pk, stored.reps, stored.last_review) == (state.pk, 3, state.last_review)
    logs = _chained(item)
    assert [log.rating for log in logs] == [GOOD, AGAIN, EASY]


def test_a_first_answer_written_meanwhile_is_not_lost(postgresql, other, studying, monkeypatch):
    item = StudyItem.objects.filter(resource=studying).first()
    meanwhile = _answered_meanwhile(monkeypatch, other, item)

    state = review_answer(other, item.pk, GOOD, now=START + timedelta(hours=2))

    assert meanwhile[0].reps == 1
    assert state.pk == meanwhile[0].pk and state.reps == 2
    assert ReviewState.objects.filter(user=other, item=item).count() == 1
    logs = _chained(item)
    assert [(log.rating, log.was_new) for log in logs] == [(AGAIN, True), (GOOD, False)]


def test_after_every_try_lost_to_another_answer_the_state_is_locked(
    postgresql, other, studying, monkeypatch, django_assert_max_num_queries
):
    from recall.study.actions import _ANSWER_TRIES

    item = StudyItem.objects.filter(resource=studying).first()
    review_answer(other, item, GOOD, now=START)
    meanwhile = _answered_meanwhile(monkeypatch, other, item, times=_ANSWER_TRIES)

    with django_assert_max_num_queries(100) as captured:
        state = review_answer(other, item.pk, EASY, now=START + timedelta(hours=2))

    assert len(meanwhile) == _ANSWER_TRIES
    assert state.reps == 1 + _ANSWER_TRIES + 1
    assert any(query["sql"].endswith("FOR UPDATE") for query in captured.captured_queries)
    logs = _chained(item)
    assert [log.rating for log in logs] == [GOOD] + [AGAIN] * _ANSWER_TRIES + [EASY]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_read_and_write_are_prepared_and_store_the_same(
    postgresql, other, studying, django_assert_num_queries
):
    """PostgreSQL, as in production (no transaction around the test): the read and the
    write run as statements prepared once a connection, storing what the ORM's saves do."""
    plain_item, orm_item = StudyItem.objects.filter(resource=studying).order_by("pk")[:2]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # whatever an earlier test prepared
    _answer_all(other, plain_item)
    with django_assert_num_queries(2) as captured:
        review_answer(other, plain_item.pk, GOOD, 2, START + timedelta(days=30))
    assert [query["sql"].split()[:2] for query in captured.captured_queries] == [
        ["EXECUTE", "recall_answer_read"],
        ["EXECUTE", "recall_answer_write"],
    ]
    # Gone from the connection (a DISCARD ALL): the statements themselves, then prepared again.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with django_assert_num_queries(4) as captured:  # each EXECUTE refused, then the statement
        review_answer(other, plain_item.pk, HARD, 3, START + timedelta(days=31))
    assert [query["sql"].split()[0] for query in captured.captured_queries] == [
        "EXECUTE",
        "SELECT",
        "EXECUTE",
        "WITH",
    ]
    with django_assert_num_queries(4) as captured:
        review_answer(other, plain_item.pk, EASY, 4, START + timedelta(days=40))
    assert [query["sql"].split()[0] for query in captured.captured_queries] == [
        "PREPARE",
        "EXECUTE",
        "PREPARE",
        "EXECUTE",
    ]

    def receiver(sender, **kwargs):
        pass

    post_save.connect(receiver, sender=ReviewLog)
    try:
        _answer_all(other, orm_item)
        review_answer(other, orm_item.pk, GOOD, 2, START + timedelta(days=30))
        review_answer(other, orm_item.pk, HARD, 3, START + timedelta(days=31))
        review_answer(other, orm_item.pk, EASY, 4, START + timedelta(days=40))
    finally:
        post_save.disconnect(receiver, sender=ReviewLog)
    states_table, logs_table = ReviewState._meta.db_table, ReviewLog._meta.db_table
    assert _rows(states_table, plain_item.pk) == _rows(states_table, orm_item.pk)
    assert _rows(logs_table, plain_item.pk) == _rows(logs_table, orm_item.pk)
    assert len(_chained(plain_item)) == len(ANSWERS) + 3
