"""A thin adapter over py-fsrs (FSRS-6): plain memory states in, plain memory states out.

Our models store a MemoryState's fields; this module turns them into an fsrs.Card, asks
fsrs.Scheduler for the next state, and turns the result back. Datetimes are UTC only: a
naive datetime is refused. Fuzzing is off, so that a review's outcome depends on nothing
but the state, the rating, the time and the desired retention.
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


@lru_cache(maxsize=64)
def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}")
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


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
) -> MemoryState:
    """The memory state after answering with rating (1 Again .. 4 Easy) at now."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1 to 4, not {rating!r}")
    now = utc(now)
    card = _to_card(state or new_state(now))
    card, _ = scheduler(desired_retention).review_card(card, Rating(rating), now)
    return _from_card(card)


def retrievability(
    state: MemoryState, now: datetime, *, desired_retention: float = DEFAULT_RETENTION
) -> float:
    """The probability of recalling the card at now (0 for a card never reviewed)."""
    if state.last_review is None:
        return 0.0
    return scheduler(desired_retention).get_card_retrievability(_to_card(state), utc(now))
