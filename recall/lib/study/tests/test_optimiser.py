"""The optimiser fits the model our scheduler runs: same histories, same days, same items."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from recall.lib.study import optimiser, scheduling
from recall.lib.study.scheduling import AGAIN, GOOD, HARD

START = datetime(2026, 1, 5, 21, 0, tzinfo=UTC)


def history(card: str, gaps_in_hours: list[float], ratings: list[int]) -> list[optimiser.Review]:
    at = START
    reviews = []
    for gap, rating in zip([0, *gaps_in_hours], ratings, strict=True):
        at += timedelta(hours=gap)
        reviews.append(optimiser.Review(card, at, rating))
    return reviews


def test_items_are_made_only_at_reviews_a_day_or_more_after_the_previous():
    # first answer, a learning step 10 minutes on, the next evening (+23 h: the same day
    # for py-fsrs), two days on, a lapse, its relearning step.
    reviews = history("a", [1 / 6, 23, 48, 96, 1 / 6], [AGAIN, GOOD, GOOD, GOOD, AGAIN, GOOD])
    items = optimiser.training_items(reviews)
    assert optimiser.long_term_count(reviews) == 2
    assert [len(item.reviews) for item in items] == [4, 5]
    # fsrs-rs's own evaluate accepts them (it refuses an item ending on a same-day review).
    assert FSRS(list(scheduling.DEFAULT_PARAMETERS)).evaluate(items).log_loss > 0
    since = reviews[4].at
    assert [len(item.reviews) for item in optimiser.training_items(reviews, since)] == [5]


def test_card_histories_are_each_cards_reviews_in_order_with_their_gaps():
    a = history("a", [1 / 6, 23, 48], [AGAIN, GOOD, GOOD, HARD])
    b = history("b", [25], [GOOD, GOOD])
    shuffled = [a[3], b[1], a[0], b[0], a[2], a[1]]
    histories = optimiser.card_histories(shuffled)
    assert [[(review.card, gap) for review, gap in card] for card in histories] == [
        [("a", 0), ("a", 0), ("a", 0), ("a", 2)],  # 23 hours is less than a day
        [("b", 0), ("b", 1)],
    ]
    assert [review for review, _ in histories[0]] == a


def test_fsrs_rs_predicts_what_our_scheduler_predicts_for_the_same_history():
    """With the days counted as py-fsrs counts them, fsrs-rs's memory state for each
    training item's history is the scheduler's: the parameters it fits are fitted to the
    predictions the scheduler makes."""
    chance = random.Random(3)  # noqa: S311 - fixed, reproducible histories
    parameters = list(scheduling.DEFAULT_PARAMETERS)
    parameters[0], parameters[19], parameters[20] = 0.5, 0.2, 0.3  # not only the defaults
    fsrs = FSRS(parameters)
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    checked = 0
    for card in range(20):
        gaps = [chance.choice([0.1, 5, 18, 23.5, 26, 50, 100, 300]) for _ in range(8)]
        ratings = [chance.choice([AGAIN, HARD, GOOD, GOOD]) for _ in range(9)]
        state = None
        steps: list[FSRSReview] = []
        for review in history(str(card), gaps, ratings):
            gap = scheduling.elapsed_days(state.last_review, review.at) if state else 0
            if gap > 0:
                ours = scheduling.retrievability(state, review.at, parameters=tuple(parameters))
                stability = fsrs.memory_state(FSRSItem(list(steps))).stability
                assert abs((1 + factor * gap / stability) ** decay - ours) < 1e-4
                checked += 1
            steps.append(FSRSReview(review.rating, gap))
            state = scheduling.review(state, review.rating, review.at, parameters=tuple(parameters))
    assert checked > 50


def test_elapsed_days_are_whole_24_hour_periods():
    assert scheduling.elapsed_days(START, START + timedelta(hours=23, minutes=59)) == 0
    assert scheduling.elapsed_days(START, START + timedelta(hours=24)) == 1
    assert scheduling.elapsed_days(START, START + timedelta(hours=71)) == 2
    assert scheduling.elapsed_days(START, START - timedelta(hours=30)) == 0
