"""Optimise a user's FSRS parameters from their own review log (manage.py optimize_fsrs).

Reads the user's ReviewLog, fits FSRS-6's 21 parameters with fsrs-rs
(recall.lib.study.optimiser), and stores them through actions.study_parameters_save:
answers from then on are scheduled with them, and the queue ranks due cards by the
recall probability they predict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone

from recall.lib.study import optimiser

from .actions import study_parameters_save
from .models import ReviewLog


@dataclass(frozen=True)
class Outcome:
    user: AbstractBaseUser
    review_count: int
    parameters: list[float] | None  # None: not optimised
    message: str


def user_reviews(user: AbstractBaseUser) -> list[optimiser.Review]:
    rows = (
        ReviewLog.objects.filter(user=user)
        .order_by("reviewed_at", "id")
        .values_list("item_id", "reviewed_at", "rating")
    )
    return [optimiser.Review(item, at, rating) for item, at, rating in rows.iterator()]


def optimise_user(user: AbstractBaseUser, now: datetime | None = None) -> Outcome:
    """Fit and store the user's parameters; with too few reviews, change nothing."""
    now = now or timezone.now()
    reviews = user_reviews(user)
    try:
        parameters = optimiser.optimise(reviews)
    except optimiser.NotEnoughReviews as refusal:
        return Outcome(user, len(reviews), None, f"Not optimised: {refusal} Nothing changed.")
    study_parameters_save(user, parameters, len(reviews), now)
    return Outcome(
        user, len(reviews), parameters, f"Optimised from {len(reviews)} reviews: {parameters}"
    )


def users_with_enough_reviews():
    """Users whose log holds at least optimiser.MIN_REVIEWS answers."""
    counts = (
        ReviewLog.objects.values("user_id")
        .annotate(n=Count("id"))
        .filter(n__gte=optimiser.MIN_REVIEWS)
        .values("user_id")
    )
    return get_user_model().objects.filter(pk__in=counts, is_active=True).order_by("pk")
