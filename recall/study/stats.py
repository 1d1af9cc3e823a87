"""A user's study statistics: answers a day, retention, and the coming days' due cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from recall.lib.study.scheduling import AGAIN

from .models import ReviewLog, ReviewState

DAYS = 30
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 120, 2


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class StudyStats:
    reviews: list[Bar]  # answers on each of the last DAYS days, oldest first
    forecast: list[Bar]  # cards due on each of the next DAYS days (overdue ones today)
    total_reviews: int
    retention: float | None  # share of answers on cards seen before not rated Again
    chart_width: int = CHART_WIDTH
    chart_height: int = CHART_HEIGHT

    @property
    def retention_percent(self) -> float | None:
        return None if self.retention is None else round(100 * self.retention, 1)


def _bars(days: list[date], counts: dict[date, int]) -> list[Bar]:
    highest = max([*counts.values(), 1])
    width = CHART_WIDTH / len(days)
    bars = []
    for index, day in enumerate(days):
        count = counts.get(day, 0)
        height = round(CHART_HEIGHT * count / highest, 1)
        bars.append(
            Bar(day, count, round(index * width, 1), CHART_HEIGHT - height, width - BAR_GAP, height)
        )
    return bars


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


def study_stats(user: AbstractBaseUser, now: datetime, zone: tzinfo = UTC) -> StudyStats:
    """Days are the user's: they start at midnight in ``zone`` (their study time zone)."""
    today = now.astimezone(zone).date()
    start = _midnight(today - timedelta(days=DAYS - 1), zone)
    logs = ReviewLog.objects.filter(user=user, reviewed_at__gte=start)
    per_day = dict(
        logs.annotate(day=TruncDate("reviewed_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    learnt = logs.filter(was_new=False).aggregate(
        answers=Count("id"), remembered=Count("id", filter=~Q(rating=AGAIN))
    )
    end = _midnight(today + timedelta(days=DAYS), zone)
    due = dict(
        ReviewState.objects.filter(user=user, due__lt=end)
        .annotate(day=TruncDate("due", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    forecast: dict[date, int] = {}
    for day, count in due.items():
        key = max(day, today)  # overdue cards count today
        forecast[key] = forecast.get(key, 0) + count
    past = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    coming = [today + timedelta(days=n) for n in range(DAYS)]
    return StudyStats(
        reviews=_bars(past, per_day),
        forecast=_bars(coming, forecast),
        total_reviews=sum(per_day.values()),
        retention=learnt["remembered"] / learnt["answers"] if learnt["answers"] else None,
    )
