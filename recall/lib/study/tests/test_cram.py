"""Cram mode's rule: which learnt cards an exam brings forward, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from recall.lib.study.cram import CRAM_DAYS, cram_retention, exam_moment, exam_recall, is_cramming
from recall.lib.study.scheduling import GOOD, REVIEW, retrievability, review

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def learnt(days_of_stability: int = 30):
    """A card in review state, reviewed at START with about this stability."""
    state = review(None, GOOD, START - timedelta(days=days_of_stability))
    while state.state != REVIEW or state.stability < days_of_stability:
        state = review(state, GOOD, state.due)
    return state


def test_the_cram_target_halves_the_forgetting_risk():
    assert cram_retention(0.9) == 0.95
    assert cram_retention(0.8) == 0.9


def test_the_exam_starts_at_midnight_in_the_users_zone():
    assert exam_moment(date(2026, 6, 10)) == datetime(2026, 6, 10, tzinfo=UTC)
    london = exam_moment(date(2026, 6, 10), ZoneInfo("Europe/London"))
    assert london == datetime(2026, 6, 9, 23, 0, tzinfo=UTC)  # British Summer Time


def test_the_window_opens_two_weeks_before_and_closes_at_the_exam():
    exam = datetime(2026, 6, 10, tzinfo=UTC)
    assert not is_cramming(exam - timedelta(days=CRAM_DAYS, seconds=1), exam)
    assert is_cramming(exam - timedelta(days=CRAM_DAYS), exam)
    assert is_cramming(exam - timedelta(seconds=1), exam)
    assert not is_cramming(exam, exam)


def test_a_card_due_after_the_exam_and_fading_by_then_is_crammed():
    state = learnt()
    assert state.due > START + timedelta(days=20)
    exam = state.due - timedelta(days=1)  # due the day after the exam
    now = exam - timedelta(days=3)
    recall = exam_recall(state, now, exam)
    assert recall == retrievability(state, exam)
    assert 0.9 <= recall < 0.95
    # answered today already: not again today
    assert exam_recall(state, now, exam, today_start=state.last_review) is None


def test_cards_not_to_cram():
    state = learnt()
    exam = state.due - timedelta(days=1)
    assert exam_recall(state, exam - timedelta(days=CRAM_DAYS + 1), exam) is None  # too early
    assert exam_recall(state, exam + timedelta(hours=1), exam) is None  # after the exam
    later = state.due + timedelta(days=5)
    assert exam_recall(state, later - timedelta(days=2), later) is None  # due before the exam
    fresh_exam = state.last_review + timedelta(days=2)  # still well remembered at the exam
    assert exam_recall(state, state.last_review + timedelta(days=1), fresh_exam) is None
    learning = review(None, GOOD, START)
    assert exam_recall(learning, START, START + timedelta(days=3)) is None
