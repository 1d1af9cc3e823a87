"""Logs as JSON lines: one object a record, for whatever collects stdout in production."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# Gunicorn's access-log atoms (record.args) worth a field of their own.
_ACCESS_FIELDS = {
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "D": "duration_us",
    "h": "remote_addr",
    "a": "user_agent",
}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...}` on one line; exceptions as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, name in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "-", ""):
                    entry[name] = value
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            entry["status"] = status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
