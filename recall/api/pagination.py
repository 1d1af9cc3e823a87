"""Cursor pagination: a page of rows after the last one the client saw, by (time, id).

Unlike page numbers, a cursor gives no duplicates or gaps when rows are added meanwhile.
The cursor is opaque to clients: base64 of the last row's time and id.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Model, Q, QuerySet

from .errors import Invalid
from .schemas import MAX_ID


@dataclass(frozen=True)
class Page:
    items: list[Model]
    next_cursor: str | None


def encode_cursor(moment: datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None or type(pk) is not int or not 1 <= pk <= MAX_ID:
            raise ValueError("not a cursor")
        moment = moment.astimezone(UTC)
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise Invalid(
            "The cursor is not one this API gave.",
            fields={"cursor": "Use the next_cursor of the previous page, unchanged."},
        ) from None
    return moment, pk


def cursor_page(
    queryset: QuerySet, *, field: str, cursor: str | None, limit: int, newest_first: bool
) -> Page:
    """`limit` rows ordered by (field, id), after the cursor's row."""
    direction = "-" if newest_first else ""
    queryset = queryset.order_by(f"{direction}{field}", f"{direction}id")
    if cursor:
        moment, pk = decode_cursor(cursor)
        past = "lt" if newest_first else "gt"
        queryset = queryset.filter(
            Q(**{f"{field}__{past}": moment}) | Q(**{field: moment, f"id__{past}": pk})
        )
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], field), rows[-1].pk) if more else None
    return Page(items=rows, next_cursor=next_cursor)
