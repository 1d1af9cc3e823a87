"""scripts/serve (make serve): collectstatic, migrate and gunicorn, as production runs it."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from recall.operations.log_format import JsonFormatter
from recall.tests.processes import run_python

# What a developer's shell may set that would change what the server does.
_CONFIG_VARIABLES = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "RECALL_HTTPS"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local http
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(tmp_path: Path):
    """The site served by scripts/serve on a free port, with a database of its own."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARIABLES}
    env.update(
        RECALL_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_WORKERS="1",
        PYTHON=sys.executable,
        DEBUG="true",  # scripts/serve must turn it off whatever the environment says
    )
    log = (tmp_path / "stdout.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own script
        ["./scripts/serve"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"scripts/serve stopped: {process.stderr.read()}")
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer /healthz within two minutes")
            time.sleep(0.5)  # waiting for another process, not for time to pass
        yield base, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _log_entries(path: Path, until) -> list[dict]:
    """The JSON log lines, once one matches `until` (gunicorn logs after it responds)."""
    deadline = time.monotonic() + 10
    while True:
        lines = path.read_text().splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        if any(until(entry) for entry in entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)  # waiting for another process to write


def test_it_serves_health_pages_and_hashed_static_files_with_json_logs(server):
    base, tmp_path = server

    status, _, body = _get(f"{base}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}

    # DEBUG is off: an unknown page gets the site's 404, not Django's debug page.
    status, _, body = _get(f"{base}/no-such-page/")
    assert status == 404
    assert b"Using the URLconf" not in body

    status, _, body = _get(f"{base}/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/recall/css/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links the hashed stylesheet"
    status, headers, css = _get(base + stylesheet.group(1).decode())
    assert status == 200
    assert css.strip()
    assert "immutable" in headers["Cache-Control"]
    assert (tmp_path / "static" / "staticfiles.json").exists()

    entries = _log_entries(
        tmp_path / "stdout.log", until=lambda e: e.get("path", "").startswith("/static/")
    )
    access = [entry for entry in entries if entry["logger"] == "gunicorn.access"]
    assert any(e["path"] == "/healthz" and e["status"] == "200" for e in access)
    assert any(e["path"] == "/no-such-page/" and e["status"] == "404" for e in access)
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)


def test_the_formatter_writes_one_json_object_a_line():
    record = logging.LogRecord("recall", logging.ERROR, __file__, 1, "x=%s\ny", ("é",), None)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "x=é\ny"
    assert entry["level"] == "ERROR" and entry["logger"] == "recall"


def test_a_log_format_other_than_text_or_json_stops_start_up(tmp_path):
    result = run_python(["-c", "import recall.settings"], tmp_path, RECALL_LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "RECALL_LOG_FORMAT must be text or json" in result.stderr


def test_django_logs_json_lines_on_stdout_when_asked(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('recall.test').warning('hello %s', 'there')"
    )
    result = run_python(["-c", code], tmp_path, RECALL_LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert entry["message"] == "hello there" and entry["logger"] == "recall.test"
