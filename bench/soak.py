"""Soak test: mixed traffic at 32 connections against `make serve` (scripts/serve).

    .venv/bin/python bench/soak.py --backend sqlite --duration 600
    .venv/bin/python bench/soak.py --backend both --duration 60

For each backend: a fresh database (SQLite in a temporary folder; PostgreSQL as a new
database on the local server, or --postgres-url) filled by bench/generate.py plus the demo
library and logged-in users who study some resources; scripts/serve on a free port; then
this process (the load generator, separate from the server) runs --connections threads
of mixed traffic for --duration seconds: reading cards, browsing subjects and topics,
searching, commenting (logged in, with CSRF) and answering study reviews. Afterwards every
acknowledged comment and review answer is looked up in the database (lost writes), and
the gunicorn workers' memory is compared between start and end. Prints a table per
backend and writes bench/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import psutil
import requests
from _server import ROOT, ServerError, free_port, session_for, start, stop, wait_until_up

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CONFIG_VARIABLES = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "RECALL_HTTPS"}
COMMENT_GAP = 6.5  # seconds between one user's comments: the site allows 10 a minute
MIX = (  # request family and its share of the traffic
    ("read card", 35),
    ("browse", 20),
    ("search", 15),
    ("comment", 10),
    ("review", 20),
)
SEARCHES = ["Kruschev", "Berlin blockade", "missle crisis", '"Warsaw Pact"', "government"]


# --- the database side: run inside Django by `soak.py _setup|_verify` --------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")
    import django

    django.setup()


def setup_site(users: int, studied: int, seed: int) -> dict:
    """Demo library, users with sessions and studies; what the load generator needs."""
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import Count

    from recall.library.models import Resource, Subject, Topic
    from recall.study.actions import study_resource_add, study_settings_save
    from recall.study.models import StudyItem

    call_command("load_demo", "--force", verbosity=0)
    rng = random.Random(seed)
    resources = list(Resource.objects.annotate(n=Count("cards")).values_list("slug", "n", "title"))
    demo = [r for r in resources if not r[0].startswith("bench-")]
    sample = demo + rng.sample(resources, min(400, len(resources)))
    password = make_password("soak-password")  # hashed once: hashing is slow on purpose
    accounts = []
    User = get_user_model()
    for number in range(users):
        user = User.objects.create(username=f"soak{number:03d}", password=password)
        study_settings_save(user, desired_retention=0.9, new_per_day=500, reviews_per_day=5000)
        slugs = [demo[number % len(demo)][0]] + [r[0] for r in rng.sample(resources, studied)]
        for resource in Resource.objects.filter(slug__in=slugs):
            study_resource_add(user, resource)
        items = list(
            StudyItem.objects.filter(
                resource__slug__in=slugs, retired_at=None, is_hidden=False
            ).values_list("pk", flat=True)
        )
        accounts.append({"username": user.username, "session": session_for(user), "items": items})
    words = [w for _, _, title in rng.sample(resources, 40) for w in title.split()[:1]]
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "resources": [[slug, cards] for slug, cards, _ in sample],
        "subjects": list(Subject.objects.values_list("slug", flat=True)),
        "topics": [f"{s}/{t}" for s, t in Topic.objects.values_list("subject__slug", "slug")],
        "searches": SEARCHES + words,
        "accounts": accounts,
    }


def verify_site(acknowledged_path: Path) -> dict:
    """Which acknowledged writes are in the database; the database's own health."""
    django_setup()
    from django.db import connection

    from recall.community.models import Comment
    from recall.study.models import ReviewLog

    acknowledged = json.loads(acknowledged_path.read_text())
    bodies = set(Comment.objects.values_list("body", flat=True))
    answers = set(ReviewLog.objects.values_list("user__username", "item_id", "duration_ms"))
    missing_comments = [c for c in acknowledged["comments"] if c[1] not in bodies]
    missing_reviews = [r for r in acknowledged["reviews"] if tuple(r) not in answers]
    integrity = "n/a"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchone()[0]
    return {
        "comments_acknowledged": len(acknowledged["comments"]),
        "reviews_acknowledged": len(acknowledged["reviews"]),
        "comments_missing": len(missing_comments),
        "reviews_missing": len(missing_reviews),
        "missing_examples": (missing_comments + missing_reviews)[:5],
        "integrity_check": integrity,
        "comments_in_database": Comment.objects.count(),
        "review_logs_in_database": ReviewLog.objects.count(),
    }


# --- the load generator -------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[str] = []
        self.comments: list[list[str]] = []
        self.reviews: list[list] = []

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1

    def error(self, message: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(message)


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION = re.compile(r'data-item="(\d+)"')


class Visitor:
    """One connection: a logged-in user and an anonymous reader sharing a thread."""

    def __init__(self, base: str, site: dict, account: dict, number: int, rec: Recorder):
        self.base, self.site, self.account, self.rec = base, site, account, rec
        self.rng = random.Random(number)
        self.number = number
        self.user = requests.Session()
        self.user.cookies.set(site["session_cookie"], account["session"])
        self.anonymous = requests.Session()
        self.csrf = ""
        self.last_comment = -COMMENT_GAP
        self.writes = 0

    def get(self, kind: str, session: requests.Session, path: str) -> requests.Response | None:
        return self.request(kind, session, "GET", path)

    def request(
        self, kind, session, method, path, data=None, params=None
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(
                method,
                self.base + path,
                data=data,
                params=params,
                allow_redirects=False,
                timeout=60,
            )
        except requests.RequestException as error:
            self.rec.record(kind, time.perf_counter() - started, 0)
            self.rec.error(f"{method} {path}: {error}")
            return None
        self.rec.record(kind, time.perf_counter() - started, response.status_code)
        if response.status_code >= 500 or response.status_code == 0:
            self.rec.error(f"{method} {path}: {response.status_code}")
        if session is self.user and (found := CSRF_FIELD.search(response.text)):
            self.csrf = found.group(1)
        return response

    def reader(self) -> requests.Session:
        return self.user if self.rng.random() < 0.5 else self.anonymous

    def step(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        if kind == "comment" and time.monotonic() - self.last_comment < COMMENT_GAP:
            kind = "read card"
        slug, cards = self.rng.choice(self.site["resources"])
        if kind == "read card":
            self.get(kind, self.reader(), f"/resources/{slug}/?card={self.rng.randint(1, cards)}")
        elif kind == "browse":
            choice = self.rng.random()
            if choice < 0.2:
                path = "/"
            elif choice < 0.5:
                path = f"/subjects/{self.rng.choice(self.site['subjects'])}/"
            else:
                path = f"/subjects/{self.rng.choice(self.site['topics'])}/"
            self.get(kind, self.reader(), path)
        elif kind == "search":
            query = self.rng.choice(self.site["searches"])
            self.request(kind, self.reader(), "GET", "/search/", params={"q": query})
        elif kind == "comment":
            self.comment(slug)
        else:
            self.review()

    def comment(self, slug: str) -> None:
        if not self.csrf:
            self.get("read card", self.user, f"/resources/{slug}/")
        self.writes += 1
        body = f"soak {self.account['username']} {self.number}-{self.writes} {time.time_ns()}"
        self.last_comment = time.monotonic()
        response = self.request(
            "comment",
            self.user,
            "POST",
            f"/resources/{slug}/comments/",
            {"body": body, "parent": "", "csrfmiddlewaretoken": self.csrf},
        )
        if response is not None and response.status_code == 302:
            with self.rec.lock:
                self.rec.comments.append([self.account["username"], body])
        elif response is not None and response.status_code < 500:
            self.rec.error(f"comment refused: {response.status_code}")

    def review(self) -> None:
        response = self.get("review question", self.user, "/study/review/")
        found = QUESTION.search(response.text) if response is not None else None
        item = int(found.group(1)) if found else self.rng.choice(self.account["items"])
        if not self.csrf:
            self.get("read card", self.user, "/resources/{}/".format(self.site["resources"][0][0]))
        self.writes += 1
        key = self.number * 1_000_000 + self.writes  # duration_ms names this answer
        response = self.request(
            "review answer",
            self.user,
            "POST",
            f"/study/review/{item}/",
            {
                "rating": self.rng.randint(1, 4),
                "duration_ms": key,
                "csrfmiddlewaretoken": self.csrf,
            },
        )
        if response is not None and response.status_code == 302:
            with self.rec.lock:
                self.rec.reviews.append([self.account["username"], item, key])
        elif response is not None and response.status_code < 500:
            self.rec.error(f"review refused: {response.status_code}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the server -----------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"soak.py: {' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def start_server(env: dict[str, str], folder: Path, port: int) -> subprocess.Popen:
    log = folder / "server.log"
    process = start(["./scripts/serve"], env, log=log)
    try:
        wait_until_up(
            process, f"http://127.0.0.1:{port}/healthz", timeout=180, log=log, interval=0.5
        )
    except ServerError as error:
        stop_server(process)
        sys.exit(f"soak.py: scripts/serve: {error}")
    return process


def stop_server(process: subprocess.Popen) -> None:
    stop(process, timeout=60)


def worker_memory(process: subprocess.Popen) -> dict[int, float]:
    """RSS in MB of each gunicorn worker (the children of the master scripts/serve became)."""
    try:
        children = psutil.Process(process.pid).children()
        return {child.pid: round(child.memory_info().rss / 2**20, 1) for child in children}
    except psutil.NoSuchProcess:
        return {}


# --- one backend ------------------------------------------------------------------------


def postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    name = f"recall_soak_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}", drop


def soak_backend(backend: str, args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"recall-soak-{backend}-"))
    drop = None
    if backend == "sqlite":
        database_url = f"sqlite:///{folder / 'recall.sqlite3'}"
    else:
        database_url, drop = postgres_database(args.postgres_url)
    port = free_port()
    env = clean_env(
        DATABASE_URL=database_url,
        RECALL_VAR_DIR=str(folder / "var"),
        STATIC_ROOT=str(folder / "static"),
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_WORKERS=str(args.workers),
        PYTHON=PYTHON,
        DJANGO_SETTINGS_MODULE="recall.settings",
    )
    try:
        print(f"[{backend}] generating {args.resources} resources", file=sys.stderr)
        run([PYTHON, "bench/generate.py", str(args.resources)], env)
        print(f"[{backend}] demo library, {args.connections} users", file=sys.stderr)
        setup = [PYTHON, __file__, "_setup", str(args.connections), str(folder / "site.json")]
        run([*setup, "--seed", str(args.seed)], env)
        site = json.loads((folder / "site.json").read_text())
        server = start_server(env, folder, port)
        try:
            result = drive(backend, args, site, server, f"http://127.0.0.1:{port}")
        finally:
            stop_server(server)
        acknowledged = folder / "acknowledged.json"
        acknowledged.write_text(json.dumps(result.pop("acknowledged")))
        run([PYTHON, __file__, "_verify", str(acknowledged), str(folder / "verified.json")], env)
        result["writes"] = json.loads((folder / "verified.json").read_text())
        if args.keep:
            result["folder"] = str(folder)
        return result
    finally:
        if drop is not None:
            drop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def drive(backend: str, args, site: dict, server: subprocess.Popen, base: str) -> dict:
    rec = Recorder()
    visitors = [Visitor(base, site, site["accounts"][n], n, rec) for n in range(args.connections)]
    memory = {"start": worker_memory(server)}
    samples = []
    stop = threading.Event()

    def loop(visitor: Visitor) -> None:
        while not stop.is_set():
            try:
                visitor.step()
            except Exception as error:  # noqa: BLE001 - a bug here must not end the run
                rec.error(f"load generator: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=loop, args=(v,), daemon=True) for v in visitors]
    started = time.monotonic()
    print(f"[{backend}] {args.connections} connections for {args.duration} s", file=sys.stderr)
    for thread in threads:
        thread.start()
    warm_at = started + min(30, args.duration / 10)
    while (now := time.monotonic()) < started + args.duration:
        time.sleep(min(10, started + args.duration - now))
        elapsed = time.monotonic() - started
        rss = worker_memory(server)
        load = round(os.getloadavg()[0], 2)
        samples.append({"seconds": round(elapsed), "rss_mb": rss, "load_average": load})
        if "warm" not in memory and time.monotonic() >= warm_at:
            memory["warm"] = rss
        with rec.lock:
            done = sum(len(v) for v in rec.latencies.values())
        print(f"[{backend}] {elapsed:5.0f} s  {done:,} requests", file=sys.stderr)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    elapsed = time.monotonic() - started
    memory["end"] = worker_memory(server)
    kinds = {}
    for kind, values in sorted(rec.latencies.items()):
        statuses = dict(sorted(rec.statuses[kind].items()))
        kinds[kind] = {
            "requests": len(values),
            "per_second": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
            "statuses": statuses,
            "5xx": sum(n for s, n in statuses.items() if s >= 500),
            "failed": statuses.get(0, 0),
        }
    return {
        "backend": backend,
        "duration_s": round(elapsed, 1),
        "connections": args.connections,
        "workers": args.workers,
        "resources": args.resources,
        "requests": sum(k["requests"] for k in kinds.values()),
        "5xx": sum(k["5xx"] for k in kinds.values()),
        "failed": sum(k["failed"] for k in kinds.values()),
        "kinds": kinds,
        "memory_mb": memory,
        "memory_samples": samples,
        # The machine's 1-minute load average during the run (other work shares its cores).
        "load_average": {
            "cores": os.cpu_count(),
            "mean": round(sum(x["load_average"] for x in samples) / max(len(samples), 1), 2),
            "max": max((x["load_average"] for x in samples), default=0),
        },
        "errors": rec.errors,
        "acknowledged": {"comments": rec.comments, "reviews": rec.reviews},
    }


def print_report(result: dict) -> None:
    writes = result["writes"]
    print(
        f"\n{result['backend']}: {result['requests']:,} requests in {result['duration_s']} s "
        f"at {result['connections']} connections, {result['workers']} gunicorn workers "
        f"(load average {result['load_average']['mean']} on {result['load_average']['cores']} "
        "cores)"
    )
    print(f"{'request':<16} {'count':>8} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}")
    for kind, row in result["kinds"].items():
        print(
            f"{kind:<16} {row['requests']:>8,} {row['per_second']:>7} {row['p50_ms']:>8} "
            f"{row['p99_ms']:>8} {row['5xx']:>5}"
        )
    print(
        f"5xx: {result['5xx']}, failed connections: {result['failed']}, "
        f"lost writes: {writes['comments_missing']} of {writes['comments_acknowledged']:,} "
        f"comments, {writes['reviews_missing']} of {writes['reviews_acknowledged']:,} review "
        f"answers; integrity_check: {writes['integrity_check']}"
    )
    memory = result["memory_mb"]
    for moment in ("start", "warm", "end"):
        values = sorted(memory.get(moment, {}).values())
        print(f"worker RSS at {moment:<5} (MB): {values}")
    for error in result["errors"][:10]:
        print(f"  error: {error}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in {"_setup", "_verify"}:
        return internal(sys.argv[1], sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--resources", type=int, default=2000, help="generated resources")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("SOAK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where a fresh database may be created and dropped",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and server log in /tmp"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        result = soak_backend(backend, args)
        print_report(result)
        results.append(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"runs": results}, indent=2) + "\n")
    print(f"\nwritten: {args.output}")
    bad = any(
        r["5xx"] or r["failed"] or r["writes"]["comments_missing"] or r["writes"]["reviews_missing"]
        for r in results
    )
    sys.exit(1 if bad else 0)


def internal(command: str, rest: list[str]) -> None:
    if command == "_setup":
        parser = argparse.ArgumentParser()
        parser.add_argument("users", type=int)
        parser.add_argument("output", type=Path)
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument("--studied", type=int, default=15)
        options = parser.parse_args(rest)
        site = setup_site(options.users, options.studied, options.seed)
        options.output.write_text(json.dumps(site))
    else:
        Path(rest[1]).write_text(json.dumps(verify_site(Path(rest[0]))))


if __name__ == "__main__":
    main()
