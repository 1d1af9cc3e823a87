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
"""

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

# Gunicorn 24+ opens a control socket under $HOME by default; Recall needs none, and
# systemd or Docker runs the service without a writable home.
control_socket_disable = True
