"""How many review answers one gunicorn worker takes a second, request to response.

    DATABASE_URL=sqlite:////tmp/bench-answer.sqlite3 .venv/bin/python bench/study_answer.py
    scripts/with-postgres .venv/bin/python bench/study_answer.py

Makes (once per database) a student who studies 20 resources of 100 study items, logs
them in (a session cookie, as a browser has after logging in, and a CSRF token), and
starts gunicorn as `make serve` runs it (recall.operations.gunicorn_conf, DEBUG off,
JSON access log, its threads: GUNICORN_THREADS, else the default) with GUNICORN_WORKERS=1.
Then --clients separate processes (the load
generator, not the server's process) POST answers for --seconds, each waiting for its
answer before sending the next: the review page's form post, `POST /study/review/<id>/`
with `rating` and `duration_ms`, answered with a redirect to the next question once
recall.study.actions.review_answer has checked permissions, run FSRS, saved the review
state and written the log, in one transaction. Items are answered round-robin, so the
run mixes first answers (new review states) with later ones (FSRS updates). With --api
the same through `POST /api/v1/study/items/<id>/reviews` with a bearer token and JSON.

Every request opens a new TCP connection (on the loopback) and closes it after its
response, as nginx in front of gunicorn does by default. Reports answers a second, latency
p50/p95/p99, errors, that the log grew by as many answers, and the load average (other
processes share the CPUs); prints a table and writes
bench/results/study_answer-<db>[-api].json. Target: >= 300 a second.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _server import ROOT, ServerError, free_port, gunicorn_command, start, stop, wait_until_up

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")

TARGET_PER_SECOND = 300
USERNAME = "bench-answerer"
RESOURCES, ITEMS_PER_RESOURCE = 20, 100


def setup_database() -> dict:
    """The student, their studies, a session cookie, a CSRF token and an API token."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from recall.api.actions import token_create, token_revoke
    from recall.api.models import ApiToken
    from recall.library.models import Resource, Status, Subject, Topic
    from recall.study.models import StudiedResource, StudyItem

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    user = users.filter(username=USERNAME).first()
    if user is None:
        with transaction.atomic():
            user = users.create_user(USERNAME)
            author = users.create_user("bench-answer-author")
            subject = Subject.objects.create(name="Bench Answers", slug="bench-answers")
            topic = Topic.objects.create(
                subject=subject, name="Bench Answers", slug="bench-answers"
            )
            Resource.objects.bulk_create(
                Resource(
                    title=f"Answer resource {i}",
                    slug=f"bench-answer-{i}",
                    subject=subject,
                    topic=topic,
                    author=author,
                    status=Status.PUBLISHED,
                )
                for i in range(RESOURCES)
            )
            resources = list(Resource.objects.filter(topic=topic).order_by("pk"))
            StudiedResource.objects.bulk_create(
                StudiedResource(user=user, resource=r) for r in resources
            )
            StudyItem.objects.bulk_create(
                StudyItem(
                    resource=resource,
                    key=f"{resource.pk}-{n}",
                    kind="cloze",
                    position=n,
                    card_position=1,
                    prompt=f"Point {n} hides [...].",
                    answer=f"answer {n}",
                    point=f"Point {n} hides answer {n}.",
                )
                for resource in resources
                for n in range(1, ITEMS_PER_RESOURCE + 1)
            )
    items = list(
        StudyItem.objects.filter(resource__topic__slug="bench-answers")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    client = Client()
    client.force_login(user)
    # One token a run, and a user may hold 20: revoke the earlier runs' tokens first.
    for old in ApiToken.objects.active().filter(user=user):
        token_revoke(user, old)
    return {
        "user_id": user.pk,
        "items": items,
        "session": client.cookies["sessionid"].value,
        # A CSRF secret as the csrftoken cookie holds it; Django accepts it unmasked too.
        "csrf": secrets.token_hex(16),
        "token": token_create(user, f"bench {time.time():.0f}").secret,
        "database": connection.vendor,
    }


def log_count(user_id: int) -> int:
    from recall.study.models import ReviewLog

    return ReviewLog.objects.filter(user_id=user_id).count()


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "DEBUG": "false",
        "RECALL_LOG_FORMAT": "json",
        "RECALL_API_RATE_PER_TOKEN": "100000000",
        "RECALL_API_RATE_PER_IP": "100000000",
    }
    # gunicorn's output (a JSON access log line per answer) goes nowhere: writing it would
    # be part of the measurement.
    server = start(gunicorn_command(), env)
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}/healthz", timeout=30)
    except ServerError as error:
        stop(server)
        sys.exit(f"study_answer.py: gunicorn did not start: {error}")
    return server


def server_threads() -> int:
    """The threads of each gunicorn worker, as gunicorn_conf reads them from this environment."""
    from recall.operations import gunicorn_conf

    return gunicorn_conf.threads


def worker_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of gunicorn's worker processes, the children of master."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def client(args) -> list[tuple[float, int]]:
    """One load-generating process: answer items round-robin until the end time."""
    port, setup, offset, stride, start_at, end_at, api = args
    items = setup["items"]
    cookie = f"sessionid={setup['session']}; csrftoken={setup['csrf']}"
    results = []
    index = offset
    while time.time() < start_at:
        time.sleep(0.001)
    while True:
        now = time.time()
        if now >= end_at:
            break
        item = items[index % len(items)]
        index += stride
        if api:
            path = f"/api/v1/study/items/{item}/reviews"
            body = json.dumps({"rating": 3, "duration_ms": 2500})
            headers = {
                "Authorization": f"Bearer {setup['token']}",
                "Content-Type": "application/json",
            }
        else:
            path = f"/study/review/{item}/"
            body = "rating=3&duration_ms=2500"
            headers = {
                "Cookie": cookie,
                "X-CSRFToken": setup["csrf"],
                "Content-Type": "application/x-www-form-urlencoded",
            }
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError:
            status = 0
        results.append((time.perf_counter() - started, status))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--api", action="store_true", help="through the JSON API instead")
    args = parser.parse_args()
    setup = setup_database()
    before = log_count(setup["user_id"])
    port = free_port()
    server = start_server(port)
    try:
        # Warm up the worker (imports, first queries) outside the measurement.
        warm = time.time() + 0.5
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pool.map(client, [(port, setup, 0, 1, time.time(), warm + 2, args.api)])
        counted_before = log_count(setup["user_id"])
        cpu_before = worker_cpu_seconds(server.pid)
        start_at = time.time() + 1.0
        end_at = start_at + args.seconds
        jobs = [
            (port, setup, n * 7, args.clients, start_at, end_at, args.api)
            for n in range(args.clients)
        ]
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            results = [r for chunk in pool.map(client, jobs) for r in chunk]
        load = os.getloadavg()[0]
        worker_cpu = worker_cpu_seconds(server.pid) - cpu_before
    finally:
        stop(server)
    expected = 200 if args.api else 302
    answered = [latency for latency, status in results if status == expected]
    errors = len(results) - len(answered)
    logged = log_count(setup["user_id"]) - counted_before
    latencies = sorted(answered)
    result = {
        "database": setup["database"],
        "path": "api" if args.api else "form",
        "clients": args.clients,
        "threads": server_threads(),
        "seconds": args.seconds,
        "answers": len(answered),
        "errors": errors,
        "logged": logged,
        "per_second": round(len(answered) / args.seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2)
        if latencies
        else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2)
        if latencies
        else None,
        "load_average": load,
        # The worker's own CPU time per answer, and what one core all to itself would take
        # at that cost: the figure that other processes on the machine don't change.
        "worker_cpu_ms_per_answer": round(1000 * worker_cpu / max(len(answered), 1), 2),
        "one_core_capacity_per_second": round(len(answered) / worker_cpu, 1)
        if worker_cpu
        else None,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "log_rows_before": before,
        "target_per_second": TARGET_PER_SECOND,
    }
    print(
        f"{'db':<10} {'path':<5} {'clients':>7} {'threads':>7} {'answers/s':>9} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'logged':>7} {'cpu ms':>6} {'1 core/s':>8} "
        f"{'load':>5}  target"
    )
    print(
        f"{result['database']:<10} {result['path']:<5} {args.clients:>7} {result['threads']:>7} "
        f"{result['per_second']:>9} {result['p50_ms']!s:>7} {result['p95_ms']!s:>7} "
        f"{result['p99_ms']!s:>7} {errors:>6} {logged:>7} "
        f"{result['worker_cpu_ms_per_answer']:>6} {result['one_core_capacity_per_second']!s:>8} "
        f"{load:>5.1f}  >= {TARGET_PER_SECOND}/s "
        f"{'ok' if result['per_second'] >= TARGET_PER_SECOND else 'MISSED'}"
    )
    suffix = "-api" if args.api else ""
    out = ROOT / "bench" / "results" / f"study_answer-{setup['database']}{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
