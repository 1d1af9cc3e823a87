"""Exam dates and the cards they bring forward (cram mode; the rule is recall.lib.study.cram).

Reads only: setting and clearing exam dates are recall.study.actions.exam_date_set/_clear.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from recall.lib.study import scheduling
from recall.lib.study.cram import CRAM_DAYS, exam_moment, exam_recall

from .models import ExamDate, ReviewState, StudyItem

MAX_CRAM_FETCH = 5000


def _window(now: datetime, zone: tzinfo) -> tuple[date, date]:
    """Exam days whose cram window contains now: after today, at most CRAM_DAYS ahead."""
    today = now.astimezone(zone).date()
    return today + timedelta(days=1), today + timedelta(days=CRAM_DAYS)


def in_cram_window(exams: list[ExamDate], now: datetime, zone: tzinfo) -> list[ExamDate]:
    """The exams, already read, whose cram window contains now (as cramming_exams)."""
    first, last = _window(now, zone)
    return [exam for exam in exams if first <= exam.date <= last]


def cramming_exams(user: AbstractBaseUser, now: datetime, zone: tzinfo) -> list[ExamDate]:
    first, last = _window(now, zone)
    return list(ExamDate.objects.filter(user=user, date__gte=first, date__lte=last))


def cram_states(
    user: AbstractBaseUser,
    now: datetime,
    *,
    exams: list[ExamDate],
    studied: QuerySet,
    zone: tzinfo,
    desired_retention: float,
    parameters: tuple[float, ...] | None,
    today_start: datetime,
    limit: int,
) -> list[ReviewState]:
    """The learnt cards the exams in cram window (cramming_exams) bring forward, least
    likely recalled at the exam first; each gets `exam_on` (the exam day) and
    `exam_recall` attributes."""
    if not exams or limit <= 0:
        return []
    by_resource = {exam.resource_id: exam.date for exam in exams if exam.resource_id}
    by_topic = {exam.topic_id: exam.date for exam in exams if exam.topic_id}
    earliest = exam_moment(min(exam.date for exam in exams), zone)
    states = (
        ReviewState.objects.filter(
            user=user,
            is_queued=True,  # its partial index (reviewstate_queue_ranking); the joins agree
            state=scheduling.REVIEW,
            due__gt=max(now, earliest),
            last_review__lt=today_start,
            item__resource_id__in=studied,
            item__retired_at__isnull=True,
            item__is_hidden=False,
        )
        .filter(
            Q(item__resource_id__in=list(by_resource))
            | Q(item__resource__topic_id__in=list(by_topic))
        )
        .select_related("item__resource")
        .order_by("due")[:MAX_CRAM_FETCH]
    )
    crammed = []
    for state in states:
        resource = state.item.resource
        days = [
            day for day in (by_resource.get(resource.pk), by_topic.get(resource.topic_id)) if day
        ]
        exam_on = min(days)
        recall = exam_recall(
            state.memory(),
            now,
            exam_moment(exam_on, zone),
            desired_retention=desired_retention,
            parameters=parameters,
            today_start=today_start,
        )
        if recall is not None:
            state.exam_on = exam_on
            state.exam_recall = recall
            crammed.append(state)
    crammed.sort(key=lambda state: (state.exam_recall, state.due))
    return crammed[:limit]


def exam_for_item(
    user: AbstractBaseUser, item: StudyItem, now: datetime, zone: tzinfo
) -> date | None:
    """The nearest exam in cram window that covers the item (its resource or topic)."""
    first, last = _window(now, zone)
    return (
        ExamDate.objects.filter(user=user, date__gte=first, date__lte=last)
        .filter(Q(resource_id=item.resource_id) | Q(topic_id=item.resource.topic_id))
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )


def exam_dates_of(user: AbstractBaseUser) -> list[ExamDate]:
    """Every exam date the user has set, with its resource or topic, soonest first."""
    return list(ExamDate.objects.filter(user=user).select_related("resource", "topic__subject"))
