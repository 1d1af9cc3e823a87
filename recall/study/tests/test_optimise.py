"""optimize_fsrs: parameters fitted to a user's own log, stored, and used from then on."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from recall.lib.study import optimiser, scheduling
from recall.lib.study.scheduling import AGAIN, GOOD, HARD
from recall.study.actions import cards_due_for, review_answer
from recall.study.models import ReviewLog, ReviewState, StudyItem, StudyProfile

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def synthetic_log(user, items, days: int = 120) -> int:
    """A learner who forgets faster than FSRS's defaults expect: each item reviewed at a
    wobbly, growing interval for `days` days, remembered with probability 0.9 ** (t / 2)
    (t in days), rated with a fixed seed."""
    chance = random.Random(5)  # noqa: S311 - a fixed, reproducible log
    logs = []
    for index, item in enumerate(items):
        at = START + timedelta(minutes=index)
        state = None
        interval = 1.0
        while at < START + timedelta(days=days):
            if state is None:
                rating = GOOD
            else:
                elapsed = (at - state.last_review).total_seconds() / 86400
                remembered = chance.random() < 0.9 ** (elapsed / 2)
                rating = chance.choice([HARD, GOOD, GOOD, GOOD]) if remembered else AGAIN
                interval = interval * 1.6 if remembered else 1.0
            after = scheduling.review(state, rating, at)
            logs.append(
                ReviewLog(
                    user=user,
                    item=item,
                    rating=rating,
                    reviewed_at=at,
                    duration_ms=3000,
                    was_new=state is None,
                    state_before=state.to_dict() if state else None,
                    state_after=after.to_dict(),
                )
            )
            state = after
            at += timedelta(days=interval * chance.uniform(0.6, 1.6), hours=chance.uniform(-3, 3))
    ReviewLog.objects.bulk_create(logs)
    return len(logs)


def test_it_fits_21_parameters_and_the_next_answer_uses_them(other, studying, capsys):
    items = list(StudyItem.objects.filter(resource=studying))
    count = synthetic_log(other, items)
    assert count >= optimiser.MIN_REVIEWS

    with time_machine.travel(START + timedelta(days=121), tick=False):
        call_command("optimize_fsrs", "other")

    assert "Optimised from" in capsys.readouterr().out
    profile = StudyProfile.objects.get(user=other)
    parameters = profile.fsrs_parameters
    assert len(parameters) == 21
    assert all(isinstance(value, float) for value in parameters)
    assert tuple(parameters) != pytest.approx(scheduling.DEFAULT_PARAMETERS)
    changed = [
        i
        for i, (a, b) in enumerate(zip(parameters, scheduling.DEFAULT_PARAMETERS, strict=True))
        if abs(a - b) > 1e-3
    ]
    assert len(changed) >= 5
    assert profile.parameters_review_count == count
    assert profile.parameters_optimised_at == START + timedelta(days=121)

    # The next answer is scheduled with the stored parameters, not the defaults.
    item = items[0]
    now = START + timedelta(days=130)
    before = ReviewState(user=other, item=item)
    last = ReviewLog.objects.filter(user=other, item=item).order_by("-reviewed_at").first()
    before_state = scheduling.MemoryState.from_dict(last.state_after)
    before.set_memory(before_state)
    before.save()
    state = review_answer(other, item, GOOD, now=now)
    mine = scheduling.review(before_state, GOOD, now, parameters=tuple(parameters))
    default = scheduling.review(before_state, GOOD, now)
    assert (state.stability, state.due) == (mine.stability, mine.due)
    assert state.stability != pytest.approx(default.stability)
    # And the queue ranks due cards by the recall probability those parameters predict.
    assert cards_due_for(other, now).profile.fsrs_parameters == parameters


def test_too_few_reviews_change_nothing(other, studying, capsys):
    items = list(StudyItem.objects.filter(resource=studying))[:3]
    count = synthetic_log(other, items, days=30)
    assert count < optimiser.MIN_REVIEWS

    with pytest.raises(CommandError, match=f"{count} reviews; optimising needs at least 400"):
        call_command("optimize_fsrs", "other")

    assert not StudyProfile.objects.filter(user=other).exclude(fsrs_parameters=[]).exists()


def test_all_optimises_only_users_with_enough_reviews(other, author, studying, capsys):
    from recall.study.actions import study_resource_add

    study_resource_add(author, studying)
    items = list(StudyItem.objects.filter(resource=studying))
    synthetic_log(other, items)
    synthetic_log(author, items[:2], days=20)

    call_command("optimize_fsrs", "--all")

    out = capsys.readouterr().out
    assert "1 of 1 users optimised." in out
    assert len(StudyProfile.objects.get(user=other).fsrs_parameters) == 21
    assert not StudyProfile.objects.filter(user=author).exclude(fsrs_parameters=[]).exists()


def test_the_command_needs_one_user_or_all(other):
    with pytest.raises(CommandError, match="one user"):
        call_command("optimize_fsrs")
    with pytest.raises(CommandError, match="No user"):
        call_command("optimize_fsrs", "nobody")


def test_replay_scores_predictions_against_outcomes():
    reviews = [
        optimiser.Review("a", START, GOOD),
        optimiser.Review("a", START + timedelta(days=3), GOOD),
        optimiser.Review("a", START + timedelta(days=10), AGAIN),
        optimiser.Review("b", START, GOOD),
        optimiser.Review("b", START + timedelta(hours=1), GOOD),  # a learning step: not scored
    ]
    evaluation = optimiser.replay(reviews)
    assert evaluation.count == 2
    assert evaluation.recalled == 0.5
    assert 0 < evaluation.rmse < 1 and evaluation.log_loss > 0


def test_training_items_count_days_as_the_scheduler_does():
    # 23:30 and 00:30 the next day: a calendar day apart, but py-fsrs (our scheduler)
    # sees 0 days and updates the card with its same-day formula; 20:00 and 21:00 the next
    # day: 1 day for both.
    late = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    evening = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
    reviews = [
        optimiser.Review("a", late, GOOD),
        optimiser.Review("a", late + timedelta(hours=1), GOOD),
        optimiser.Review("b", evening, GOOD),
        optimiser.Review("b", evening + timedelta(hours=25), GOOD),
    ]
    assert optimiser.long_term_count(reviews) == 1
    assert len(optimiser.training_items(reviews)) == 1
    with pytest.raises(optimiser.NotEnoughReviews, match="1 reviews a day or more"):
        optimiser.optimise(reviews, min_reviews=1)
