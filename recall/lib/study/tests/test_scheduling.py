"""The FSRS adapter gives exactly what py-fsrs computes, in UTC only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from recall.lib.study.scheduling import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    REVIEW,
    MemoryState,
    new_state,
    retrievability,
    review,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_it_matches_fsrs_over_a_sequence_of_reviews(retention):
    ratings = [GOOD, GOOD, AGAIN, HARD, GOOD, EASY, GOOD]
    fsrs_card = Card(card_id=1, due=START)
    scheduler = Scheduler(desired_retention=retention, enable_fuzzing=False)
    state = None
    now = START
    for rating in ratings:
        fsrs_card, _ = scheduler.review_card(fsrs_card, Rating(rating), now)
        state = review(state, rating, now, desired_retention=retention)
        assert state.due == fsrs_card.due
        assert state.stability == fsrs_card.stability
        assert state.difficulty == fsrs_card.difficulty
        assert state.state == int(fsrs_card.state)
        now = state.due + timedelta(hours=1)
    assert state.state == REVIEW


def test_a_higher_retention_schedules_sooner():
    now = START
    loose = tight = None
    for _ in range(4):
        loose = review(loose, GOOD, now, desired_retention=0.8)
        tight = review(tight, GOOD, now, desired_retention=0.95)
        now = max(loose.due, tight.due) + timedelta(days=1)
    assert tight.due - tight.last_review < loose.due - loose.last_review


def test_it_refuses_naive_times_and_bad_ratings():
    with pytest.raises(ValueError, match="UTC"):
        review(None, GOOD, datetime(2026, 1, 5))  # noqa: DTZ001
    with pytest.raises(ValueError, match="1 to 4"):
        review(None, 5, START)


def test_states_round_trip_through_dicts():
    state = review(review(None, GOOD, START), GOOD, START + timedelta(minutes=10))
    assert MemoryState.from_dict(state.to_dict()) == state
    assert new_state(START).last_review is None


def test_retrievability_falls_with_time():
    state = review(None, EASY, START)
    soon = retrievability(state, START + timedelta(days=1))
    later = retrievability(state, START + timedelta(days=30))
    assert 1 >= soon > later > 0
    assert retrievability(new_state(START), START) == 0
