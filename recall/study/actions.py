"""Every study write, one function per action: each checks permission and holds a transaction.

Views, the study_cards command and (later) the JSON API call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from recall.lib.study import cloze, scheduling
from recall.library.models import Resource

from .models import ReviewLog, ReviewState, StudiedResource, StudyItem, StudyProfile

_REFRESHED_FIELDS = [
    "kind",
    "position",
    "card_position",
    "prompt",
    "answer",
    "point",
    "span_kind",
    "alternatives",
    "retired_at",
]


def study_refresh(resource: Resource) -> None:
    """Regenerate a resource's study items after a save; unchanged points keep their items.

    Items whose point or hidden span is gone are retired, not deleted, so that their
    review history stays. Called by the library's _store inside its transaction.
    """
    cards = list(resource.cards.order_by("position").values_list("heading", "body"))
    generated = cloze.study_cards(cards, kind=resource.kind)
    existing = {item.key: item for item in StudyItem.objects.filter(resource=resource)}
    now = timezone.now()
    to_create, to_update = [], []
    for position, card in enumerate(generated, start=1):
        fields = {
            "kind": card.kind,
            "position": position,
            "card_position": card.card_position,
            "prompt": card.prompt,
            "answer": card.answer,
            "point": card.point,
            "span_kind": card.span.kind if card.span else "",
            "alternatives": [span.text for span in card.alternatives],
            "retired_at": None,
        }
        item = existing.pop(card.key, None)
        if item is None:
            to_create.append(StudyItem(resource=resource, key=card.key, created_at=now, **fields))
        else:
            for name, value in fields.items():
                setattr(item, name, value)
            to_update.append(item)
    StudyItem.objects.bulk_create(to_create)
    StudyItem.objects.bulk_update(to_update, _REFRESHED_FIELDS)
    gone = [item.pk for item in existing.values() if item.retired_at is None]
    StudyItem.objects.filter(pk__in=gone).update(retired_at=now)


def _require_login(user: AbstractBaseUser) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to study.")


def study_resource_add(user: AbstractBaseUser, resource: Resource) -> StudiedResource:
    """Add a resource the user may read to the ones they study."""
    _require_login(user)
    if not resource.is_visible_to(user):
        raise PermissionDenied("You can't study this resource.")
    with transaction.atomic():
        if not StudyItem.objects.filter(resource=resource).exists():
            study_refresh(resource)  # saved before study items existed
        studied, _ = StudiedResource.objects.get_or_create(user=user, resource=resource)
    return studied


def study_resource_remove(user: AbstractBaseUser, resource: Resource) -> None:
    _require_login(user)
    StudiedResource.objects.filter(user=user, resource=resource).delete()


def study_profile(user: AbstractBaseUser) -> StudyProfile:
    """The user's settings, unsaved defaults when they have none yet."""
    profile = StudyProfile.objects.filter(user=user).first()
    return profile or StudyProfile(user=user)


def study_settings_save(
    user: AbstractBaseUser, *, desired_retention: float, new_per_day: int, reviews_per_day: int
) -> StudyProfile:
    _require_login(user)
    with transaction.atomic():
        profile, _ = StudyProfile.objects.select_for_update().get_or_create(user=user)
        profile.desired_retention = desired_retention
        profile.new_per_day = new_per_day
        profile.reviews_per_day = reviews_per_day
        profile.full_clean()
        profile.save()
    return profile


# --- the queue -------------------------------------------------------------------------


def day_start(now: datetime) -> datetime:
    """The UTC day a review counts towards for the daily limits."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class StudyQueue:
    due: list[ReviewState]  # most at risk first
    new: list[StudyItem]  # within today's new-card limit
    reviewed_today: int
    new_today: int
    profile: StudyProfile

    @property
    def next_item(self) -> StudyItem | None:
        if self.due:
            return self.due[0].item
        return self.new[0] if self.new else None

    @property
    def remaining(self) -> int:
        return len(self.due) + len(self.new)


def _risk(state: ReviewState, now: datetime, retention: float) -> tuple:
    """Learning steps first (due soonest), then lowest recall probability (most at risk)."""
    if state.stability is None or state.state != scheduling.REVIEW:
        return (0, state.due, 0.0)
    probability = scheduling.retrievability(state.memory(), now, desired_retention=retention)
    return (1, probability, state.due)


def cards_due_for(user: AbstractBaseUser, now: datetime | None = None) -> StudyQueue:
    """The user's queue across every studied resource: due cards, then today's new ones.

    After missed days the cap keeps the day sensible: at most reviews_per_day answers a day,
    the most overdue and least likely to be remembered first.
    """
    now = now or timezone.now()
    profile = study_profile(user)
    since = day_start(now)
    today = ReviewLog.objects.filter(user=user, reviewed_at__gte=since)
    counts = {row["was_new"]: row["n"] for row in _count_by_new(today)}
    reviewed_today = sum(counts.values())
    new_today = counts.get(True, 0)
    allowance = max(profile.reviews_per_day - reviewed_today, 0)
    studied = StudiedResource.objects.filter(user=user).values("resource_id")
    states = list(
        ReviewState.objects.filter(
            user=user,
            due__lte=now,
            item__resource_id__in=studied,
            item__retired_at__isnull=True,
            item__is_hidden=False,
        )
        .select_related("item__resource")
        .order_by("due")[:5000]
    )
    states.sort(key=lambda state: _risk(state, now, profile.desired_retention))
    due = states[:allowance]
    new_allowance = min(max(profile.new_per_day - new_today, 0), allowance - len(due))
    new: list[StudyItem] = []
    if new_allowance > 0:
        new = list(
            StudyItem.objects.active()
            .filter(resource_id__in=studied)
            .exclude(review_states__user=user)
            .select_related("resource")
            .order_by("resource_id", "position")[:new_allowance]
        )
    return StudyQueue(due, new, reviewed_today, new_today, profile)


def _count_by_new(logs):
    return logs.values("was_new").annotate(n=Count("id")).order_by()


# --- answering ---------------------------------------------------------------------------


def review_answer(
    user: AbstractBaseUser,
    item: StudyItem,
    rating: int,
    duration_ms: int = 0,
    now: datetime | None = None,
) -> ReviewState:
    """Record an answer and schedule the item's next review with FSRS, all or nothing."""
    _require_login(user)
    if rating not in scheduling.RATINGS:
        raise ValidationError("Rate the answer 1 (Again) to 4 (Easy).")
    now = scheduling.utc(now or timezone.now())
    duration_ms = max(0, min(int(duration_ms), 24 * 3600 * 1000))
    with transaction.atomic():
        item = StudyItem.objects.select_related("resource").get(pk=item.pk)
        if not StudiedResource.objects.filter(user=user, resource_id=item.resource_id).exists():
            raise PermissionDenied("Add this resource to your studies first.")
        if not item.resource.is_visible_to(user):
            raise PermissionDenied("You can't study this resource.")
        if item.retired_at is not None or item.is_hidden:
            raise PermissionDenied("This question is no longer in its resource.")
        state = ReviewState.objects.select_for_update().filter(user=user, item=item).first()
        before = state.memory() if state else None
        profile = study_profile(user)
        after = scheduling.review(before, rating, now, desired_retention=profile.desired_retention)
        if state is None:
            state = ReviewState(user=user, item=item)
        state.set_memory(after)
        state.reps += 1
        if rating == scheduling.AGAIN and before is not None and before.state == scheduling.REVIEW:
            state.lapses += 1
        state.save()
        ReviewLog.objects.create(
            user=user,
            item=item,
            rating=rating,
            reviewed_at=now,
            duration_ms=duration_ms,
            was_new=before is None,
            state_before=before.to_dict() if before else None,
            state_after=after.to_dict(),
        )
    return state
