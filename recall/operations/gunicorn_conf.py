"""Gunicorn's configuration for `make serve`: `gunicorn -c python:recall.operations.gunicorn_conf`.

Everything from the environment: HOST and PORT to bind, GUNICORN_WORKERS (else
WEB_CONCURRENCY, else 2) worker processes, GUNICORN_THREADS (else 4) threads in each,
GUNICORN_TIMEOUT seconds per request. Gunicorn's own messages and its access log go to
stdout as JSON lines, like Django's.

Threads: with more than one, gunicorn runs its gthread worker, which takes a request on
each thread while others wait on the database. On PostgreSQL a commit waits for its WAL
flush, and one sync worker waited for each in turn; a worker's threads commit together
(PostgreSQL flushes concurrent commits at once), which more than doubled the review answers
a worker takes a second (bench/study_answer.py). On SQLite the threads' writers queue on
the write lock (BEGIN IMMEDIATE, the busy timeout) and the answers a second went up too.
Each thread keeps its own database connection (DATABASE_CONN_MAX_AGE): PostgreSQL sees
workers x threads connections.

Memory: glibc's malloc gives each thread that allocates at once its own arena, and memory
freed in one arena serves only that one; a gthread worker's 4 threads held 10 MB in four
arenas besides the main heap. post_fork caps a worker at MALLOC_ARENAS arenas (unless
MALLOC_ARENA_MAX in the environment already says how many), as many deployments of
threaded Python servers do: 2 to 3 MB less at the peak of a worker of 4 threads
(bench/pages.py at 100,000 resources). A sync worker has one thread and one arena anyway.
"""

import ctypes
import os

from recall.settings import env_int

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=0)}"
workers = env_int("GUNICORN_WORKERS", env_int("WEB_CONCURRENCY", 2, minimum=1), minimum=1)
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
# Requests outlive a worker restart: finish them before it stops.
graceful_timeout = 30
# Behind nginx the client's address is in X-Forwarded-For, and only nginx is trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# The same JSON access lines as gunicorn's logger through JsonFormatter, a third of the CPU.
logger_class = "recall.operations.access_log.JsonAccessLogger"

_JSON_STDOUT = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "stream": "ext://sys.stdout",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "recall.operations.log_format.JsonFormatter"}},
    "handlers": {"console": _JSON_STDOUT, "error_console": _JSON_STDOUT},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def limit_malloc_arenas(count: int) -> bool:
    """Cap glibc malloc's arenas at count for the threads started from now on; False where
    the C library is not glibc (musl, macOS) or the environment sets MALLOC_ARENA_MAX."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False  # glibc read it at start-up
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    return mallopt(_M_ARENA_MAX, count) == 1


def post_fork(server, worker) -> None:
    # In the new worker, before its threads start: they share MALLOC_ARENAS arenas.
    limit_malloc_arenas(MALLOC_ARENAS)


# Gunicorn 24+ opens a control socket under $HOME by default; Recall needs none, and
# systemd or Docker runs the service without a writable home.
control_socket_disable = True
