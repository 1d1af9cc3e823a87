"""What the server benches share: a free port, starting gunicorn (or scripts/serve) in its
own process group, waiting until it answers, stopping it, and a logged-in session.

Used by bench/pages.py, bench/soak.py, bench/study_answer.py and bench/crash.py; each
keeps its own gunicorn options and environment and passes them in.
"""
# It runs the servers it measures, from paths it makes itself.
# ruff: noqa: S603, S310

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """The server stopped on its own or did not answer in time; says what it printed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(python: str | Path = sys.executable) -> list:
    """gunicorn as `make serve` runs it: the project's gunicorn_conf (workers, port and host
    from GUNICORN_WORKERS, PORT and HOST in the environment)."""
    return [python, "-m", "gunicorn", "--config", "python:recall.operations.gunicorn_conf"] + [
        "recall.wsgi"
    ]


def start(
    command: list,
    env: dict,
    *,
    cwd: Path | None = ROOT,
    log: Path | None = None,
    append: bool = False,
) -> subprocess.Popen:
    """Start command in its own process group (so stop() reaches its workers), its output
    to log (a file, truncated unless append) or nowhere."""
    out: IO | int = open(log, "ab" if append else "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        if log:
            out.close()  # the child holds its own copy


def tail(log: Path | None, chars: int = 3000) -> str:
    if log is None or not log.exists():
        return "(no log kept)"
    return log.read_text(errors="replace")[-chars:]


def wait_until_up(
    process: subprocess.Popen,
    url: str,
    *,
    timeout: float,
    log: Path | None = None,
    interval: float = 0.2,
) -> None:
    """Return once url answers 200; ServerError, with the end of the server's log, if the
    process ends first or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"{url}: the server stopped on its own (exit status {process.returncode}); "
                f"{log or 'its output'}:\n{tail(log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
                last = str(response.status)
        except urllib.error.HTTPError as error:
            last = str(error.code)
        except OSError as error:
            last = f"{type(error).__name__}: {error}"
        time.sleep(interval)
    raise ServerError(
        f"{url} did not answer 200 within {timeout:.0f} s (last: {last}); "
        f"{log or 'its output'}:\n{tail(log)}"
    )


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the process group (gunicorn finishes its requests), SIGKILL after
    timeout seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def kill(process: subprocess.Popen) -> None:
    """SIGKILL to the whole process group at once: a crash, mid-request."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def session_for(user) -> str:
    """The key of a new database session, logged in as user (anonymous if None); needs
    django set up."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
