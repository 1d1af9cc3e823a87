"""Cram mode: which learnt cards an exam brings forward. Pure, no Django.

FSRS schedules a card for when its predicted recall falls to the desired retention, so a
card due after the exam is still above that retention on exam day. Cram mode asks more:
from CRAM_DAYS before the exam, a learnt card due after the exam is brought into the
queue when its predicted recall at the start of the exam day is below the cram target,
which halves the forgetting risk the desired retention accepts (0.9 → 0.95). A card is
crammed at most once a day, and the answer is an ordinary FSRS review at that time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from . import scheduling

CRAM_DAYS = 14  # cramming starts this many days before the exam


def cram_retention(desired_retention: float) -> float:
    """The recall aimed for on exam day: half the forgetting risk of everyday studying."""
    return round(desired_retention + (1.0 - desired_retention) / 2, 4)


def exam_moment(day: date, zone: tzinfo = UTC) -> datetime:
    """The start of the exam day in the user's time zone, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def is_cramming(now: datetime, exam_at: datetime) -> bool:
    """Whether now falls in the cram window before an exam."""
    return exam_at - timedelta(days=CRAM_DAYS) <= now < exam_at


def exam_recall(
    memory: scheduling.MemoryState,
    now: datetime,
    exam_at: datetime,
    *,
    desired_retention: float = scheduling.DEFAULT_RETENTION,
    parameters: tuple[float, ...] | None = None,
    today_start: datetime | None = None,
) -> float | None:
    """The card's predicted recall at the exam if cram mode brings it forward now, else None.

    Only learnt cards (FSRS review state) not yet due, due after the exam, and not
    already answered today (since today_start) are crammed; cards due before the exam
    come in the ordinary queue.
    """
    if not is_cramming(now, exam_at):
        return None
    if memory.state != scheduling.REVIEW or memory.stability is None:
        return None
    if memory.last_review is None or memory.due <= exam_at or memory.due <= now:
        return None
    if today_start is not None and memory.last_review >= today_start:
        return None
    recall = scheduling.retrievability(
        memory, exam_at, desired_retention=desired_retention, parameters=parameters
    )
    return recall if recall < cram_retention(desired_retention) else None
