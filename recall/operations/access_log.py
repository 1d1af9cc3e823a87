"""Gunicorn's access log as JSON lines, written without gunicorn's general machinery."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

from recall.operations.log_format import JsonFormatter


class JsonAccessLogger(Logger):
    """Gunicorn's logger, writing each access line straight as JsonFormatter would.

    Gunicorn's own `access` builds some thirty atoms (every request and response header
    among them), wraps them, formats the combined-log message through them and hands the
    record to logging: about 40 us a request, as much as serving a stored page. Here the
    line is built from the few fields it holds, the same JSON, and written to the access
    logger's stream handlers; with another log format, filters or handlers, gunicorn's
    own path runs.
    """

    _second = -1
    _times = ("", "")  # (ISO time without milliseconds, Apache's) for _second

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        streams = self._json_streams()
        if streams is None:
            super().access(resp, req, environ, request_time)
            return
        try:
            line = self._line(resp, environ, request_time)
            for handler in streams:
                with handler.lock:
                    handler.stream.write(line + handler.terminator)
                    handler.flush()
        except Exception:
            super().access(resp, req, environ, request_time)

    def _json_streams(self) -> list[logging.StreamHandler] | None:
        """The access logger's handlers if every one is a stream handler with a
        JsonFormatter and nothing filters the records; else None."""
        log = self.access_log
        if (
            self.cfg.access_log_format != AccessLogFormat.default
            or log.filters
            or not log.isEnabledFor(logging.INFO)
            or not log.handlers
        ):
            return None
        handlers = log.handlers
        for handler in handlers:
            if (
                type(handler) is not logging.StreamHandler
                or handler.filters
                or type(handler.formatter) is not JsonFormatter
                or handler.level > logging.INFO
            ):
                return None
        return handlers

    def _line(self, resp, environ: dict, request_time) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._times = (
                datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(second)),
            )
            self._second = second
        iso, apache = self._times
        status = resp.status
        if isinstance(status, str):
            status = _escaped(status.split(None, 1)[0])
        sent = getattr(resp, "sent", None)
        method = _escaped(environ.get("REQUEST_METHOD"))
        remote = _escaped(environ.get("REMOTE_ADDR", "-"))
        agent = _escaped(environ.get("HTTP_USER_AGENT", "-"))
        request_line = _escaped(
            f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}"
        )
        message = (
            f"{remote} - {_escaped(self._get_user(environ) or '-')} {apache}"
            f' "{request_line}" {status} {sent if sent is not None else "-"}'
            f' "{_escaped(environ.get("HTTP_REFERER", "-"))}" "{agent}"'
        )
        entry: dict[str, object] = {
            "time": f"{iso}.{int(now * 1000) % 1000:03d}+00:00",
            "level": "INFO",
            "logger": self.access_log.name,
            "message": message,
        }
        fields = (
            ("method", method),
            ("path", _escaped(environ.get("PATH_INFO"))),
            ("query", _escaped(environ.get("QUERY_STRING"))),
            ("status", status),
            ("bytes", sent),
            ("duration_us", request_time.seconds * 1_000_000 + request_time.microseconds),
            ("remote_addr", remote),
            ("user_agent", agent),
        )
        for name, value in fields:
            if value not in (None, "-", ""):
                entry[name] = value
        return json.dumps(entry, default=str, ensure_ascii=False)


def _escaped(value):
    """A value as gunicorn's SafeAtoms gives it to the format and the formatter: strings'
    double quotes escaped."""
    if isinstance(value, str) and '"' in value:
        return value.replace('"', '\\"')
    return value
