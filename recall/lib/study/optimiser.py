"""Fit FSRS-6's 21 parameters to one person's review history, with fsrs-rs (no torch).

Pure: review histories in, parameters (or an evaluation) out; the database side is
recall.study.optimise. fsrs-rs-python is the Rust reference optimiser (burn, not
PyTorch): a 0.6 MB wheel with no Python dependencies.

FSRS counts time in days. The parameters are fitted to the model our scheduler runs, so
days are counted as py-fsrs counts them (recall.lib.study.scheduling.elapsed_days): whole
24-hour periods since the card's previous review. A review less than 24 hours after the
previous one (a learning step, or tomorrow's review of today's card a few hours early) is
a gap of 0: py-fsrs updates the card with its same-day formula, and fsrs-rs, fed the same
gap, trains the same formula. (Calendar days in the learner's time zone, as Anki counts,
would fit parameters to gaps our scheduler never sees.)

Each review at least a day after its card's previous one becomes one training item: the
card's history up to and including it, fsrs-rs predicting its rating from the ones
before, as fsrs-rs-python's own example and Anki build them. A review on the same day
makes no item (its history still feeds the later ones): fsrs-rs would read it as a
prediction at zero elapsed time, where recall is certain, and its own evaluate() refuses
such items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from . import scheduling
from .scheduling import elapsed_days

# Fewer answers than this and the fit mostly reproduces its starting point (or overfits a
# handful of cards), so the defaults stay. Anki's FSRS recommends a few hundred reviews
# at least; 400 answers is about two weeks of daily study at the default limits.
MIN_REVIEWS = 400
# Of those, at least this many must come a day or more after the card's previous review:
# only they say anything about forgetting over days (and only they are training items).
MIN_LONG_TERM_REVIEWS = 100


@dataclass(frozen=True)
class Review:
    """One answer: which card, when (aware), the rating 1 (Again) to 4 (Easy)."""

    card: Hashable
    at: datetime
    rating: int


class NotEnoughReviews(ValueError):
    """Too few reviews to optimise from."""


def _histories(reviews: Iterable[Review]) -> dict[Hashable, list[Review]]:
    by_card: dict[Hashable, list[Review]] = defaultdict(list)
    for review in reviews:
        if review.rating not in scheduling.RATINGS:
            raise ValueError(f"rating must be 1 to 4, not {review.rating!r}")
        by_card[review.card].append(review)
    for history in by_card.values():
        history.sort(key=lambda review: review.at)
    return by_card


def card_histories(reviews: Iterable[Review]) -> list[list[tuple[Review, int]]]:
    """Each card's reviews in the order they happened, each with its gap: whole days since
    the card's previous review (elapsed_days; 0 for its first). Cards in the order of their
    first review in `reviews`; a rating outside 1 to 4 raises ValueError. What training
    items are made of (and bench/study_prediction.py's scoring)."""
    histories = []
    for history in _histories(reviews).values():
        gaps = [0] + [
            elapsed_days(before.at, after.at)
            for before, after in zip(history, history[1:], strict=False)
        ]
        histories.append(list(zip(history, gaps, strict=True)))
    return histories


def training_items(reviews: Iterable[Review], since: datetime | None = None) -> list[FSRSItem]:
    """fsrs-rs items, one per review at least a day after its card's previous one, in the
    order they happened (fsrs-rs weighs later items more); with since, only for the
    reviews at or after it (their items still hold the whole history before them)."""
    dated: list[tuple[datetime, FSRSItem]] = []
    for history in card_histories(reviews):
        steps: list[FSRSReview] = []
        for review, gap in history:
            steps.append(FSRSReview(review.rating, gap))
            if gap > 0 and (since is None or review.at >= since):
                dated.append((review.at, FSRSItem(list(steps))))
    dated.sort(key=lambda pair: pair[0])
    return [item for _, item in dated]


def long_term_count(reviews: Iterable[Review]) -> int:
    """How many reviews come at least a day after their card's previous review."""
    return sum(1 for history in card_histories(reviews) for _, gap in history if gap > 0)


def optimise(
    reviews: Sequence[Review],
    *,
    min_reviews: int = MIN_REVIEWS,
    min_long_term: int = MIN_LONG_TERM_REVIEWS,
) -> list[float]:
    """FSRS-6 parameters fitted to these reviews (deterministic: fsrs-rs's fixed seed).

    Raises NotEnoughReviews below min_reviews answers, or min_long_term at least a day
    after their card's previous one.
    """
    if len(reviews) < min_reviews:
        raise NotEnoughReviews(f"{len(reviews)} reviews; optimising needs at least {min_reviews}.")
    long_term = long_term_count(reviews)
    if long_term < min_long_term:
        raise NotEnoughReviews(
            f"{long_term} reviews a day or more after the card's previous one; optimising "
            f"needs at least {min_long_term}."
        )
    items = training_items(reviews)
    fitted = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    parameters = [round(float(value), 4) for value in fitted]
    if len(parameters) != scheduling.PARAMETER_COUNT or not all(map(math.isfinite, parameters)):
        raise ValueError(f"the optimiser returned unusable parameters: {parameters!r}")
    scheduling.scheduler(scheduling.DEFAULT_RETENTION, tuple(parameters))  # py-fsrs accepts them
    return parameters


@dataclass(frozen=True)
class Evaluation:
    """How well predicted recall probabilities matched what happened."""

    count: int  # reviews scored
    log_loss: float
    rmse: float
    recalled: float  # share of scored reviews not rated Again
    mean_prediction: float


def replay(
    reviews: Sequence[Review],
    *,
    parameters: Sequence[float] | None = None,
    desired_retention: float = scheduling.DEFAULT_RETENTION,
    scored_from: datetime | None = None,
) -> Evaluation:
    """Replay reviews in time order through recall.lib.study.scheduling and score its
    predicted recall probability before each review against the outcome (recalled = any
    rating but Again).

    Scored: reviews at or after scored_from (all when None) that come at least a day (24
    hours, scheduling.elapsed_days) after the card's previous review, where FSRS's
    prediction is below 1; a sooner review is a same-day one, which FSRS does not predict.
    """
    chosen = tuple(parameters) if parameters else None
    states: dict[Hashable, scheduling.MemoryState] = {}
    predictions: list[tuple[float, int]] = []
    for review in sorted(reviews, key=lambda review: review.at):
        state = states.get(review.card)
        now = scheduling.utc(review.at)
        if (
            state is not None
            and state.last_review is not None
            and elapsed_days(state.last_review, now) >= 1
            and (scored_from is None or now >= scored_from)
        ):
            probability = scheduling.retrievability(
                state, now, desired_retention=desired_retention, parameters=chosen
            )
            predictions.append((probability, int(review.rating != scheduling.AGAIN)))
        states[review.card] = scheduling.review(
            state, review.rating, now, desired_retention=desired_retention, parameters=chosen
        )
    if not predictions:
        return Evaluation(0, math.nan, math.nan, math.nan, math.nan)
    loss = squared = 0.0
    for probability, outcome in predictions:
        p = min(max(probability, 1e-6), 1 - 1e-6)
        loss -= outcome * math.log(p) + (1 - outcome) * math.log(1 - p)
        squared += (probability - outcome) ** 2
    count = len(predictions)
    return Evaluation(
        count=count,
        log_loss=loss / count,
        rmse=math.sqrt(squared / count),
        recalled=sum(outcome for _, outcome in predictions) / count,
        mean_prediction=sum(probability for probability, _ in predictions) / count,
    )
