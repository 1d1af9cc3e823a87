"""A user's study history, for the "download your data" zip (recall.operations)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from recall.operations.exports import csv_bytes

from .models import ReviewLog


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
