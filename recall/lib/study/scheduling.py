"""A thin adapter over py-fsrs (FSRS-6): plain memory states in, plain memory states out.

Our models store a MemoryState's fields; this module turns them into an fsrs.Card, asks
fsrs.Scheduler for the next state, and turns the result back. Datetimes are UTC only: a
naive datetime is refused. Fuzzing is off, so that a review's outcome depends on nothing
but the state, the rating, the time, the desired retention and the parameters (FSRS-6's
21 weights: py-fsrs's defaults, or a user's own from recall.lib.study.optimiser).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

AGAIN, HARD, GOOD, EASY = (int(rating) for rating in Rating)
RATINGS = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
LEARNING, REVIEW, RELEARNING = (int(state) for state in State)
DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(Scheduler().parameters)
PARAMETER_COUNT = len(DEFAULT_PARAMETERS)  # 21 in FSRS-6


@dataclass(frozen=True)
class MemoryState:
    """What FSRS knows of one user's memory of one card."""

    state: int  # LEARNING, REVIEW or RELEARNING
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat(),
            "last_review": self.last_review.isoformat() if self.last_review else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> MemoryState:
        last = data.get("last_review")
        return cls(
            state=data["state"],
            step=data.get("step"),
            stability=data.get("stability"),
            difficulty=data.get("difficulty"),
            due=datetime.fromisoformat(data["due"]),
            last_review=datetime.fromisoformat(last) if last else None,
        )


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the scheduler works in UTC only")
    return moment.astimezone(UTC)


def elapsed_days(before: datetime, after: datetime) -> int:
    """Days from before to after as py-fsrs counts them (for retrievability and for whether
    a review is a same-day one): whole 24-hour periods, whatever the time zone."""
    return max(0, (utc(after) - utc(before)).days)


def parameters_or_default(parameters) -> tuple[float, ...]:
    """A user's stored parameters as a tuple, or the defaults when none (or not 21) are stored."""
    if not parameters or len(parameters) != PARAMETER_COUNT:
        return DEFAULT_PARAMETERS
    return tuple(float(value) for value in parameters)


def scheduler(
    desired_retention: float = DEFAULT_RETENTION, parameters: tuple[float, ...] | None = None
) -> Scheduler:
    return _scheduler(desired_retention, parameters_or_default(parameters))


@lru_cache(maxsize=256)
def _scheduler(desired_retention: float, parameters: tuple[float, ...]) -> Scheduler:
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}")
    return Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False
    )


def new_state(now: datetime) -> MemoryState:
    """A card never reviewed: learning, due now."""
    return MemoryState(LEARNING, 0, None, None, utc(now), None)


def _to_card(state: MemoryState) -> Card:
    return Card(
        card_id=1,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=utc(state.due),
        last_review=utc(state.last_review) if state.last_review else None,
    )


def _from_card(card: Card) -> MemoryState:
    return MemoryState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review) if card.last_review else None,
    )


def review(
    state: MemoryState | None,
    rating: int,
    now: datetime,
    *,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: tuple[float, ...] | None = None,
) -> MemoryState:
    """The memory state after answering with rating (1 Again .. 4 Easy) at now, with the
    given FSRS parameters (None or empty: the defaults)."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1 to 4, not {rating!r}")
    now = utc(now)
    card = _to_card(state or new_state(now))
    card, _ = scheduler(desired_retention, parameters).review_card(card, Rating(rating), now)
    return _from_card(card)


def retrievability(
    state: MemoryState,
    now: datetime,
    *,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: tuple[float, ...] | None = None,
) -> float:
    """The probability of recalling the card at now (0 for a card never reviewed)."""
    if state.last_review is None:
        return 0.0
    chosen = scheduler(desired_retention, parameters)
    return chosen.get_card_retrievability(_to_card(state), utc(now))
