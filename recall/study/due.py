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
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.db.models.expressions import RawSQL

from recall.lib.study import scheduling

from .models import ReviewState, StudiedResource

TABLE = ReviewState._meta.db_table
# The queue holds at most this many due states (the most urgent); due_count counts the rest
# up to the day's cap, so a backlog of thousands costs no more than a normal day.
DUE_PAGE = 50


def _ranking(now: datetime) -> tuple[RawSQL, RawSQL]:
    """(group, days over stability): group 0 for (re)learning steps, 1 for review cards."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        days = (
            f'GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%s::timestamptz - "{TABLE}"."last_review"))'
            " / 86400))"
        )
    else:
        # Julian days, now's computed once here; the difference in whole milliseconds, so
        # that exactly one day is 1 and not 0.99999.
        stamp = now.timestamp() / 86400 + 2440587.5
        days = (
            f'MAX(0, CAST(ROUND((%s - julianday("{TABLE}"."last_review")) '
            f"* 86400000) AS INTEGER) / 86400000)"
        )
    review = (
        f'"{TABLE}"."state" = {scheduling.REVIEW} AND "{TABLE}"."stability" IS NOT NULL '
        f'AND "{TABLE}"."last_review" IS NOT NULL'
    )
    # Only constants are formatted into the SQL; now is a parameter.
    group = RawSQL(f"CASE WHEN {review} THEN 1 ELSE 0 END", [])  # noqa: S611
    ratio = RawSQL(  # noqa: S611
        f'CASE WHEN {review} THEN ({days}) * 1.0 / "{TABLE}"."stability" ELSE 0 END', [stamp]
    )
    return group, ratio


def due_states(user: AbstractBaseUser, now: datetime, limit: int) -> list[ReviewState]:
    """At most limit due states of items still asked in resources the user studies, most
    urgent first (learning steps, then lowest recall probability), with item and resource."""
    if limit <= 0:
        return []
    group, ratio = _ranking(now)
    studied = StudiedResource.objects.filter(user=user, resource_id=OuterRef("item__resource_id"))
    return list(
        ReviewState.objects.filter(
            user=user,
            due__lte=now,
            item__retired_at__isnull=True,
            item__is_hidden=False,
        )
        .filter(Exists(studied))
        .annotate(risk_group=group, overdue_ratio=ratio)
        .select_related("item__resource")
        .order_by("risk_group", F("overdue_ratio").desc(), "due", "pk")[:limit]
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
