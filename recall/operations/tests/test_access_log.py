"""The quick JSON access line against gunicorn's own access path through JsonFormatter."""

from __future__ import annotations

import datetime
import io
import json
import logging
from types import SimpleNamespace

import pytest
import time_machine
from gunicorn.config import Config
from gunicorn.glogging import Logger

from recall.operations import gunicorn_conf
from recall.operations.access_log import JsonAccessLogger

ENVIRON = {
    "REMOTE_ADDR": "203.0.113.9",
    "REQUEST_METHOD": "GET",
    "RAW_URI": "/search/?q=kruschev",
    "PATH_INFO": "/search/",
    "QUERY_STRING": "q=kruschev",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_USER_AGENT": 'Mozilla/5.0 "quoted" é',
    "HTTP_REFERER": "http://127.0.0.1:8000/",
}


def _response(status="200 OK", sent=6123):
    return SimpleNamespace(
        status=status, sent=sent, headers=[("Content-Type", "text/html"), ("Vary", "Cookie")]
    )


def _request():
    return SimpleNamespace(headers=[("HOST", "127.0.0.1:8000"), ("COOKIE", "sessionid=x")])


def _logger(cls, stream, **settings):
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("logconfig_dict", gunicorn_conf.logconfig_dict)
    for name, value in settings.items():
        cfg.set(name, value)
    log = cls(cfg)
    for handler in log.access_log.handlers:
        handler.setStream(stream)
    return log


def _lines(cls, environ=ENVIRON, response=None, **settings) -> list[dict]:
    stream = io.StringIO()
    log = _logger(cls, stream, **settings)
    with time_machine.travel(
        datetime.datetime(2026, 12, 6, 4, 30, 5, 250_000, tzinfo=datetime.UTC), tick=False
    ):
        log.access(
            response or _response(), _request(), environ, datetime.timedelta(microseconds=1234)
        )
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("environ", "response"),
    [
        (ENVIRON, _response()),
        ({**ENVIRON, "QUERY_STRING": "", "RAW_URI": "/search/"}, _response("404 Not Found", 0)),
        (
            {k: v for k, v in ENVIRON.items() if k not in ("HTTP_USER_AGENT", "HTTP_REFERER")},
            _response(200, None),
        ),
    ],
)
def test_the_line_is_the_one_gunicorn_and_the_json_formatter_write(environ, response):
    ours = _lines(JsonAccessLogger, environ, response)
    theirs = _lines(Logger, environ, response)

    assert len(ours) == 1
    assert ours == theirs
    assert ours[0]["time"] == "2026-12-06T04:30:05.250+00:00"


def test_another_access_log_format_goes_through_gunicorn(monkeypatch):
    custom = '%(h)s "%(r)s" %(s)s'
    ours = _lines(JsonAccessLogger, access_log_format=custom)

    assert ours == _lines(Logger, access_log_format=custom)
    assert ours[0]["message"] == '203.0.113.9 "GET /search/?q=kruschev HTTP/1.1" 200'


def test_another_formatter_goes_through_gunicorn():
    stream = io.StringIO()
    log = _logger(JsonAccessLogger, stream)
    for handler in log.access_log.handlers:
        handler.setFormatter(logging.Formatter("plain %(message)s"))
    log.access(_response(), _request(), ENVIRON, datetime.timedelta(microseconds=5))

    assert stream.getvalue().startswith("plain 203.0.113.9 - - [")


def test_gunicorn_runs_with_it():
    assert gunicorn_conf.logger_class == "recall.operations.access_log.JsonAccessLogger"
