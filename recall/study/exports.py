"""A user's study history, for the "download your data" zip (recall.operations)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from recall.operations.exports import csv_bytes

from .models import ExamDate, ItemOrigin, ReviewLog, StudyItem


def study_history_csv(user: AbstractBaseUser) -> dict[str, bytes]:
    logs = (
        ReviewLog.objects.filter(user=user)
        .select_related("item__resource")
        .order_by("reviewed_at", "id")
    )
    rows = (
        [
            log.reviewed_at.isoformat(),
            log.item.resource.slug,
            log.item.kind,
            log.item.prompt,
            log.item.answer,
            log.rating,
            log.duration_ms,
        ]
        for log in logs
    )
    header = ["reviewed_at", "resource", "kind", "prompt", "answer", "rating", "duration_ms"]
    return {"study_history.csv": csv_bytes(header, rows)}


def study_authoring_csv(user: AbstractBaseUser) -> dict[str, bytes]:
    """The user's exam dates, and the study cards they wrote or edited for their resources
    (each file only when there is something in it)."""
    files = {}
    exams = ExamDate.objects.filter(user=user).select_related("resource", "topic__subject")
    exam_rows = [
        [
            exam.date.isoformat(),
            exam.resource.slug if exam.resource else "",
            f"{exam.topic.subject.name} / {exam.topic.name}" if exam.topic else "",
        ]
        for exam in exams
    ]
    if exam_rows:
        files["study_exam_dates.csv"] = csv_bytes(["date", "resource", "topic"], exam_rows)
    items = (
        StudyItem.objects.filter(resource__author=user)
        .exclude(origin=ItemOrigin.GENERATED, edited_at=None, is_hidden=False)
        .select_related("resource")
        .order_by("resource_id", "position")
    )
    card_rows = [
        [
            item.resource.slug,
            item.origin,
            "edited" if item.is_edited else "",
            "hidden" if item.is_hidden else "",
            "retired" if item.retired_at else "",
            item.prompt,
            item.answer,
        ]
        for item in items
    ]
    if card_rows:
        header = ["resource", "origin", "edited", "hidden", "retired", "prompt", "answer"]
        files["study_cards.csv"] = csv_bytes(header, card_rows)
    return files
