"""A user's study history, for the "download your data" zip (recall.operations)."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.base_user import AbstractBaseUser

from .models import ReviewLog


def study_history_csv(user: AbstractBaseUser) -> dict[str, bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["reviewed_at", "resource", "kind", "prompt", "answer", "rating", "duration_ms"]
    )
    logs = (
        ReviewLog.objects.filter(user=user)
        .select_related("item__resource")
        .order_by("reviewed_at", "id")
    )
    for log in logs:
        writer.writerow(
            [
                log.reviewed_at.isoformat(),
                log.item.resource.slug,
                log.item.kind,
                log.item.prompt,
                log.item.answer,
                log.rating,
                log.duration_ms,
            ]
        )
    return {"study_history.csv": buffer.getvalue().encode("utf-8")}
