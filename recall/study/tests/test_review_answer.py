"""review_answer: FSRS schedules as py-fsrs does over days; permissions; the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from recall.lib.study.scheduling import AGAIN, GOOD, HARD, LEARNING, REVIEW
from recall.library.models import Resource, Status
from recall.study.actions import (
    cards_due_for,
    review_answer,
    study_resource_add,
    study_settings_save,
)
from recall.study.models import ReviewLog, ReviewState, StudyItem

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_schedule_over_several_days_matches_fsrs(other, studying):
    item = StudyItem.objects.get(resource=studying, point__startswith="Stalin died")
    scheduler = Scheduler(desired_retention=0.85, enable_fuzzing=False)
    study_settings_save(other, desired_retention=0.85, new_per_day=20, reviews_per_day=200)
    expected = Card(card_id=1, due=START)
    moments = START
    with time_machine.travel(START, tick=False) as clock:
        for rating in [GOOD, GOOD, GOOD, AGAIN, GOOD, HARD, GOOD]:
            state = review_answer(other, item, rating, duration_ms=4200, now=timezone.now())
            expected, _ = scheduler.review_card(expected, Rating(rating), moments)
            state.refresh_from_db()
            assert state.due == expected.due
            assert state.stability == pytest.approx(expected.stability)
            assert state.difficulty == pytest.approx(expected.difficulty)
            # Come back when it is due (days later once learnt), plus an hour.
            moments = state.due + timedelta(hours=1)
            clock.move_to(moments)
            assert cards_due_for(other).due[0].item == item
    assert expected.due - START > timedelta(days=5)
    state = ReviewState.objects.get(user=other, item=item)
    assert (state.reps, state.lapses) == (7, 1)
    logs = ReviewLog.objects.filter(user=other, item=item).order_by("reviewed_at")
    assert [log.rating for log in logs] == [3, 3, 3, 1, 3, 2, 3]
    assert all(log.duration_ms == 4200 for log in logs)
    assert logs[0].was_new and logs[0].state_before is None
    assert logs[1].state_before == logs[0].state_after


def test_anonymous_users_cannot_answer(studying):
    item = StudyItem.objects.filter(resource=studying).first()
    with pytest.raises(PermissionDenied):
        review_answer(AnonymousUser(), item, GOOD)


def test_a_user_must_study_the_resource_first(author, reference):
    item = StudyItem.objects.filter(resource=reference).first()
    with pytest.raises(PermissionDenied):
        review_answer(author, item, GOOD)
    assert not ReviewLog.objects.exists()


def test_nobody_studies_a_draft_of_someone_else(other, author, studying):
    Resource.objects.filter(pk=studying.pk).update(status=Status.DRAFT, author=author)
    studying.refresh_from_db()
    with pytest.raises(PermissionDenied):
        study_resource_add(other, studying)
    item = StudyItem.objects.filter(resource=studying).first()
    with pytest.raises(PermissionDenied):
        review_answer(other, item, GOOD)


def test_a_rating_must_be_one_to_four(other, studying):
    item = StudyItem.objects.filter(resource=studying).first()
    with pytest.raises(ValidationError):
        review_answer(other, item, 0)


def test_new_cards_are_limited_per_day(other, studying):
    study_settings_save(other, desired_retention=0.9, new_per_day=3, reviews_per_day=200)
    with time_machine.travel(START, tick=False):
        queue = cards_due_for(other)
        assert len(queue.new) == 3
        for item in queue.new:
            review_answer(other, item, GOOD)
        queue = cards_due_for(other, timezone.now() + timedelta(hours=2))
        assert queue.new == []
        assert len(queue.due) == 3  # the learning steps are due again
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert len(cards_due_for(other).new) == 3


def test_after_missed_days_the_most_at_risk_come_first_within_the_cap(other, studying):
    study_settings_save(other, desired_retention=0.9, new_per_day=20, reviews_per_day=5)
    items = list(StudyItem.objects.filter(resource=studying, kind="cloze")[:5])
    month_ago = START - timedelta(days=30)
    # Four learnt cards last seen a month ago, with different stabilities (days), and one
    # still in its learning steps.
    for item, stability in zip(items, [40.0, 5.0, 20.0, 10.0], strict=False):
        ReviewState.objects.create(
            user=other, item=item, state=REVIEW, step=None, stability=stability,
            difficulty=5.0, due=month_ago + timedelta(days=stability), last_review=month_ago,
        )  # fmt: skip
    ReviewState.objects.create(
        user=other, item=items[4], state=LEARNING, step=1, stability=1.0, difficulty=5.0,
        due=START - timedelta(minutes=5), last_review=START - timedelta(minutes=15),
    )  # fmt: skip

    queue = cards_due_for(other, START)

    assert [state.item for state in queue.due] == [items[4], items[1], items[3], items[2]]
    assert len(queue.new) == 1  # the cap of 5 answers a day: 4 due (40 days is not), 1 new
