"""The due part of a user's queue, ranked by the database: a few milliseconds at 100,000 cards.

Learning and relearning steps come first (due soonest first), then review cards from the
least likely to be remembered up. FSRS's recall probability is
R = (1 + factor * t / S) ** decay, with t the whole days since the last review (as py-fsrs
counts them), S the stability and decay < 0 whatever the parameters: R falls as t / S
grows. So ordering by t / S, largest first (then by due), is ordering by R, lowest first,
for any parameters, and the database can do it before the LIMIT instead of Python ranking
every due card. The query walks the (user, due) index: the cards due now, not all of them.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, F, FloatField, Func, IntegerField, OuterRef

from recall.lib.study import scheduling

from .models import ReviewState, StudiedResource

# The queue holds at most this many due states (the most urgent); due_count counts the rest
# up to the day's cap, so a backlog of thousands costs no more than a normal day.
DUE_PAGE = 50


class _Ranking(Func):
    """Group 0 for (re)learning steps and 1 for review cards (part "group"), or whole days
    since the last review over stability for review cards, 0 for the others (part "ratio").

    Its columns are compiled by Django, so the expression stays right inside a subquery
    (where the table gets another alias); only constants are formatted into the SQL, and
    now is a parameter."""

    def __init__(self, now: datetime, part: str) -> None:
        output = IntegerField() if part == "group" else FloatField()
        super().__init__(F("state"), F("stability"), F("last_review"), output_field=output)
        self.now, self.part = now, part

    def as_sql(self, compiler, connection, **extra):
        (state, _), (stability, _), (last, _) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        review = f"{state} = {scheduling.REVIEW} AND {stability} IS NOT NULL AND {last} IS NOT NULL"
        if self.part == "group":
            return f"CASE WHEN {review} THEN 1 ELSE 0 END", []
        if connection.vendor == "postgresql":
            stamp = connection.ops.adapt_datetimefield_value(self.now)
            days = f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%s::timestamptz - {last})) / 86400))"
        else:
            # Julian days, now's computed once here; the difference in whole milliseconds,
            # so that exactly one day is 1 and not 0.99999.
            stamp = self.now.timestamp() / 86400 + 2440587.5
            days = f"MAX(0, CAST(ROUND((%s - julianday({last})) * 86400000) AS INTEGER) / 86400000)"
        return f"CASE WHEN {review} THEN ({days}) * 1.0 / {stability} ELSE 0 END", [stamp]


def _ranked(user: AbstractBaseUser, now: datetime):
    """The due states of active items in studied resources, most urgent first."""
    studied = StudiedResource.objects.filter(user=user, resource_id=OuterRef("item__resource_id"))
    return (
        ReviewState.objects.filter(
            user=user, due__lte=now, item__retired_at__isnull=True, item__is_hidden=False
        )
        .filter(Exists(studied))
        .annotate(risk_group=_Ranking(now, "group"), overdue_ratio=_Ranking(now, "ratio"))
        .order_by("risk_group", F("overdue_ratio").desc(), "due", "pk")
    )


def due_states(user: AbstractBaseUser, now: datetime, limit: int) -> list[ReviewState]:
    """At most limit due states of items still asked in resources the user studies, most
    urgent first (learning steps, then lowest recall probability), with item and resource.

    One query: the page is ranked on the ids alone (the ranking's columns are all in the
    reviewstate_due_ranking index), then only its rows are read with their items."""
    if limit <= 0:
        return []
    page = _ranked(user, now).values("pk")[:limit]
    return list(
        ReviewState.objects.filter(pk__in=page)
        .annotate(risk_group=_Ranking(now, "group"), overdue_ratio=_Ranking(now, "ratio"))
        .select_related("item__resource")
        .order_by("risk_group", F("overdue_ratio").desc(), "due", "pk")
    )


def due_count(user: AbstractBaseUser, now: datetime, cap: int) -> int:
    """How many states due_states could give, counting no further than cap."""
    if cap <= 0:
        return 0
    studied = StudiedResource.objects.filter(user=user, resource_id=OuterRef("item__resource_id"))
    rows = (
        ReviewState.objects.filter(
            user=user, due__lte=now, item__retired_at__isnull=True, item__is_hidden=False
        )
        .filter(Exists(studied))
        .order_by()
        .values("pk")[:cap]
    )
    return rows.count()  # SELECT COUNT(*) FROM (... LIMIT cap)
