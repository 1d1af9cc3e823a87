"""Run the project in a fresh interpreter, as manage.py and gunicorn would start it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Variables a developer's shell may set that would change what a test sees.
_CONFIG_VARIABLES = {
    "DATABASE_URL",
    "DATABASE_SQLITE_CACHE_KIB",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "RECALL_HTTPS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(args: list[str], var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """`python ARGS` in the project folder with a clean configuration plus `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARIABLES}
    clean.update({"RECALL_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "recall.settings"})
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
