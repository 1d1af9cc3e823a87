"""Requests per second and latency of Recall's pages, beside nginx and two peers.

    python bench/pages.py [--resources 100000] [--duration 10] [--work-dir /tmp/recall-bench]
                          [--threads N] [--skip-peers] [--only-resource] [--port-base 18401]

In one run, each server alone on the machine, load from wrk (Debian's `wrk`) in a separate
process at 32 and at 2 connections:

* Recall with gunicorn (2 workers, the project's gunicorn_conf, DEBUG off) over a corpus of
  --resources made by bench/generate.py in its own SQLite file under --work-dir (made once,
  then reused): the home, subject, topic and resource pages, for an anonymous reader and
  for a logged-in one (wrk sends the cookie of a real session). The anonymous reader
  carries an anonymous session that has already opened the resource (a reader paging
  through it, as a browser does after its first page); "first visit" sends no cookie, so
  each request is a new reader whose view is counted (a new session and a write).
* nginx (2 workers) serving the resource page, as an anonymous reader gets it, saved as a
  static file: the ceiling, with keep-alive and without (`Connection: close`).
* An Otter Wiki (PyPI otterwiki) and Wagtail 7.0 LTS, each in its own venv under
  --work-dir, each with 2 gunicorn workers, serving a page holding the same note.

For each row served by gunicorn (Recall's and the peers'), its workers' CPU time (user +
system, from /proc) per request served: a figure a busy machine disturbs less than
requests a second.

Every server runs the same gunicorn worker: by default the one `make serve` runs (the
gthread worker with GUNICORN_THREADS, else 4, threads a worker: keep-alive), Recall and both
peers alike; --threads 1 runs the sync worker instead, which closes the connection after
each response (wrk then opens a new one for every request). --only-resource measures the
resource page alone (the figures the targets are about), --skip-peers leaves the peers out.

Then the peak memory (VmHWM) of each Recall worker after serving every page, searches,
JSON API requests and an author's editor with the quality checks open. Prints a table, writes
bench/results/pages.json. Needs wrk and nginx: `apt-get install -y wrk nginx`.
"""
# It runs the servers and tools it measures, from paths it makes itself.
# ruff: noqa: S603, S108, S310

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus

from _server import ROOT, gunicorn_command, start, stop

PYTHON = Path(sys.executable)
RESULTS = ROOT / "bench" / "results" / "pages.json"
WORKERS = 2
CONNECTIONS = (32, 2)
PORTS = {"recall": 18401, "nginx": 18402, "otterwiki": 18403, "wagtail": 18404}


def use_ports(base: int) -> None:
    """The four servers' ports from base on, each checked free: a server already there
    (another bench) would answer in place of the one measured."""
    for offset, name in enumerate(PORTS):
        port = base + offset
        with socket.socket() as probe:
            # As gunicorn and nginx bind: a previous run's connections in TIME_WAIT
            # don't make the port busy, a listening server does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                sys.exit(f"pages.py: port {port} is in use; pick others with --port-base")
        PORTS[name] = port


PEER_REQUIREMENTS = {
    "otterwiki": ["otterwiki", "gunicorn"],
    "wagtail": ["wagtail>=7.0,<7.1", "gunicorn"],
}
# Targets from the issue: the anonymous resource page >= 10x the faster peer, logged in
# >= 1.5x, memory <= 80 MB per worker.
ANONYMOUS_TARGET, LOGGED_IN_TARGET, MEMORY_TARGET_MB = 10.0, 1.5, 80.0


# --- load --------------------------------------------------------------------------------


def wrk(url: str, connections: int, duration: int, headers: dict[str, str]) -> dict:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    finished = subprocess.run([*command, "--latency", url], capture_output=True, text=True)
    output = finished.stdout
    if "Requests/sec" not in output or re.search(r"\b0 requests in", output):
        # No request finished in time (wrk's own timeout is 2 s): too slow to measure.
        return {"rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": -1}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "errors": _errors(output),
    }


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)


def _errors(output: str) -> int:
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return (int(found.group(1)) if found else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )


def final_url(url: str) -> str:
    """Where url ends up after redirects (wrk does not follow them); a busy server that
    drops the first connection gets two more tries."""
    for attempt in range(3):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.geturl()
        except ConnectionError:
            if attempt == 2:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def wait_for(url: str, headers: dict[str, str] | None = None, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=seconds) as response:
                return response.read()
        except urllib.error.HTTPError:
            raise  # an answer, not a server still starting
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def worker_memory(master: int) -> list[dict]:
    """VmRSS and VmHWM (peak) of the master's children, the gunicorn workers, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    found = []
    for pid in children:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        found.append(
            {
                "pid": int(pid),
                "rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1),
                "peak_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
            }
        )
    return found


def workers_cpu_seconds(master: int) -> float:
    """User + system CPU time of the master's children (the gunicorn workers) so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measure(
    name: str,
    url: str,
    duration: int,
    headers: dict[str, str],
    rows: list,
    master: int | None = None,
) -> None:
    """wrk at each of CONNECTIONS; with master (a gunicorn master's pid), also its workers'
    CPU milliseconds per request served."""
    for connections in CONNECTIONS:
        cpu_before = workers_cpu_seconds(master) if master else 0.0
        result = wrk(url, connections, duration, headers)
        if master and result["rps"]:
            spent = workers_cpu_seconds(master) - cpu_before
            result["cpu_ms"] = round(1000 * spent / (result["rps"] * duration), 3)
        row = {"server": name, "url": url, "connections": connections, **result}
        row["load"] = round(os.getloadavg()[0], 2)
        rows.append(row)
        cpu = f"{result['cpu_ms']:.2f}" if "cpu_ms" in result else "-"
        p50, p99 = (result[k] if result[k] is not None else "-" for k in ("p50_ms", "p99_ms"))
        print(
            f"{name:<42} {connections:>4} {result['rps']:>10,.0f} {p50:>8} "
            f"{p99:>8} {result['errors']:>6} {cpu:>7} {row['load']:>5}",
            flush=True,
        )


# --- Recall --------------------------------------------------------------------------------


# gunicorn's worker for every server alike (main() sets it from --threads).
SERVER_OPTIONS: list[str] = []


def recall_env(database: Path) -> dict:
    env = dict(os.environ)
    if SERVER_OPTIONS:
        # After gunicorn_conf: options from GUNICORN_CMD_ARGS override the config file's.
        env["GUNICORN_CMD_ARGS"] = " ".join(SERVER_OPTIONS)
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "false",
        "HOST": "127.0.0.1",
        "PORT": str(PORTS["recall"]),
        "GUNICORN_WORKERS": str(WORKERS),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        # The first quality check loads the dictionaries and the corpus's words: on a busy
        # machine with a large corpus that outlasts the default 30 s.
        "GUNICORN_TIMEOUT": "600",
    }


SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from recall.library.models import Resource
from bench._server import session_for
User = get_user_model()
reader, _ = User.objects.get_or_create(username="bench-reader")
resources = Resource.objects.select_related("subject", "topic", "author")
resource = resources.filter(slug=f"bench-{int(sys.argv[1]) // 2}").first()
if resource is None:  # not a generated corpus (--database): its middle resource
    resource = resources.order_by("pk")[resources.count() // 2]

cards = list(resource.cards.order_by("position").values_list("heading", "body", "body_html"))
print(json.dumps({
    "resource": resource.get_absolute_url(),
    "subject": resource.subject.get_absolute_url(),
    "topic": resource.topic.get_absolute_url(),
    "reader_session": session_for(reader),
    "author_session": session_for(resource.author),
    "anonymous_session": session_for(None),
    "title": resource.title,
    "markdown": "\\n\\n".join(f"## {h}\\n\\n{b}" for h, b, _ in cards),
    "html": "".join(f"<h2>{h}</h2>{html}" for h, _, html in cards),
}))
"""


def prepare_recall(work: Path, resources: int, database: Path | None) -> tuple[Path, dict]:
    database = database or work / f"pages-{resources}.sqlite3"
    env = recall_env(database)
    if not database.exists():
        print(f"generating {resources:,} resources into {database} ...", flush=True)
        subprocess.run(
            [PYTHON, ROOT / "bench" / "generate.py", str(resources)], env=env, check=True
        )
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    output = subprocess.run(
        [PYTHON, "-c", SETUP, str(resources)],
        env={**env, "DJANGO_SETTINGS_MODULE": "recall.settings", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return database, json.loads(output.strip().splitlines()[-1])


def bench_recall(
    work: Path,
    database: Path,
    setup: dict,
    duration: int,
    rows: list,
    quality: bool = True,
    only_resource: bool = False,
) -> dict:
    base = f"http://127.0.0.1:{PORTS['recall']}"
    server = start(gunicorn_command(PYTHON), recall_env(database), log=work / "recall-gunicorn.log")
    try:
        wait_for(base + "/")
        pages = {
            "home": "/",
            "subject": setup["subject"],
            "topic": setup["topic"],
            "resource": setup["resource"],
        }
        if only_resource:
            pages = {"resource": setup["resource"]}
        readers = {
            "anonymous": {"Cookie": f"sessionid={setup['anonymous_session']}"},
            "logged in": {"Cookie": f"sessionid={setup['reader_session']}"},
        }
        # The anonymous reader has opened the resource (their view counted): a reader
        # paging through the site, not an empty session Django would delete.
        wait_for(base + setup["resource"], readers["anonymous"])
        for reader, headers in readers.items():
            for page, path in pages.items():
                for _ in range(2 * WORKERS):  # the view counted, the page stored, in each
                    wait_for(base + path, headers)
                name = f"Recall {page}, {reader}"
                measure(name, base + path, duration, headers, rows, server.pid)
        first_visit = "Recall resource, anonymous first visit"
        measure(first_visit, base + setup["resource"], duration, {}, rows, server.pid)
        after_pages = worker_memory(server.pid)
        # The pages that load the heavy dictionaries: searches (the spelling corrector)
        # and an author's editor with the quality checks open.
        # As the logged-in reader: an anonymous search page is stored, and a stored page
        # (this run's or, within its lifetime, an earlier run's) searches nothing. Every
        # query several times, so that each worker searches.
        for query in ("kruschev", "missle", "destalinisation", "bill", "cold war", "purges"):
            for _ in range(4 * WORKERS):
                wait_for(f"{base}/search/?q={quote_plus(query)}", readers["logged in"])
        after_search = worker_memory(server.pid)
        # A worker that serves the JSON API too: django-ninja and pydantic load on its
        # first API request (recall/operations/lazy_urls.py), so a worker serving only pages
        # never holds them.
        slug = setup["resource"].rstrip("/").rsplit("/", 1)[-1]
        for path in (f"/api/v1/resources/{slug}", "/api/v1/search?q=cold+war"):
            for _ in range(4 * WORKERS):
                wait_for(base + path)
        after_api = worker_memory(server.pid)
        author = {"Cookie": f"sessionid={setup['author_session']}"}
        started = time.monotonic()
        for _ in range(WORKERS if quality else 0):
            wait_for(f"{base}{setup['resource']}edit/?check=1", author, seconds=600)
        return {
            "after_pages": after_pages,
            "after_search": after_search,
            "after_api": after_api,
            "workers": worker_memory(server.pid),
            "quality_check_seconds": round((time.monotonic() - started) / WORKERS, 1),
        }
    finally:
        stop(server)


# --- nginx ---------------------------------------------------------------------------------

NGINX_CONF = """
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {work}/static;
        location / {{ try_files $uri /resource.html; }}
    }}
}}
"""


def bench_nginx(work: Path, page: bytes, duration: int, rows: list) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    (work / "static").mkdir(exist_ok=True)
    (work / "static" / "resource.html").write_bytes(page)
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=WORKERS, work=work, port=PORTS["nginx"]))
    server = start([nginx, "-c", str(conf), "-p", str(work)], dict(os.environ), cwd=None)
    try:
        url = f"http://127.0.0.1:{PORTS['nginx']}/resource.html"
        wait_for(url)
        measure("nginx static resource page, keep-alive", url, duration, {}, rows)
        measure(
            "nginx static resource page, no keep-alive",
            url,
            duration,
            {"Connection": "close"},
            rows,
        )
    finally:
        stop(server)


# --- peers ---------------------------------------------------------------------------------


def peer_venv(work: Path, name: str) -> Path:
    venv = work / f"venv-{name}"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    check = subprocess.run(
        [python, "-c", "import gunicorn, " + ("otterwiki" if name == "otterwiki" else "wagtail")],
        capture_output=True,
    )
    if check.returncode != 0:
        print(f"installing {name} into {venv} ...", flush=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *PEER_REQUIREMENTS[name]], check=True)
    return python


OTTERWIKI_SETUP = """
import sys
from otterwiki.gitstorage import GitStorage
storage = GitStorage(sys.argv[1], initialize=True)
storage.store("note.md", content=open(sys.argv[2]).read(), message="The note",
              author=("Bench", "bench@example.org"))
"""


def bench_otterwiki(work: Path, setup: dict, duration: int, rows: list) -> None:
    python = peer_venv(work, "otterwiki")
    home = work / "otterwiki"
    shutil.rmtree(home, ignore_errors=True)
    (home / "repository").mkdir(parents=True)
    note = home / "note.md"
    note.write_text(f"# {setup['title']}\n\n{setup['markdown']}\n")
    subprocess.run([python, "-c", OTTERWIKI_SETUP, home / "repository", note], check=True)
    settings = home / "settings.cfg"
    settings.write_text(
        f"REPOSITORY = '{home / 'repository'}'\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home / 'users.sqlite3'}'\n"
        "SECRET_KEY = 'bench-secret-key-0123456789abcdef'\n"
        "SITE_NAME = 'Bench'\n"
    )
    env = {**os.environ, "OTTERWIKI_SETTINGS": str(settings)}
    # Create its database once: two workers booting at once both create its tables, and
    # the second fails ("table preferences already exists").
    subprocess.run([python, "-c", "import otterwiki.server"], env=env, cwd=home, check=True)
    bind = f"127.0.0.1:{PORTS['otterwiki']}"
    server = start(
        [python, "-m", "gunicorn", "-w", str(WORKERS), *SERVER_OPTIONS, "-b", bind]
        + ["otterwiki.server:app"],
        env,
        cwd=home,
        log=work / "otterwiki.log",
    )
    try:
        url = f"http://{bind}/Note"
        body = wait_for(url)
        assert setup["title"].encode() in body, "Otter Wiki does not show the note"
        measure("An Otter Wiki note page", final_url(url), duration, {}, rows, server.pid)
    finally:
        stop(server)


WAGTAIL_SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "bench-secret-key-0123456789abcdef-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "notes",
    "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.embeds", "wagtail.sites",
    "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images",
    "wagtail.search", "wagtail.admin", "wagtail", "modelcluster", "taggit",
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
WAGTAIL_SITE_NAME = "Bench"
WAGTAILADMIN_BASE_URL = "http://localhost"
USE_TZ = True
"""

WAGTAIL_MODELS = """
from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class NotePage(Page):
    body = RichTextField()
"""

WAGTAIL_URLS = """
from django.urls import include, path
from wagtail import urls as wagtail_urls
urlpatterns = [path("", include(wagtail_urls))]
"""

WAGTAIL_TEMPLATE = """{% load wagtailcore_tags %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main><h1>{{ page.title }}</h1>{{ page.body|richtext }}</main></body></html>
"""

WAGTAIL_WSGI = """
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

WAGTAIL_PAGE = """
import sys
import django
django.setup()
from wagtail.models import Page, Site
from notes.models import NotePage
home = Site.objects.get(is_default_site=True).root_page
note = NotePage(title=sys.argv[1], slug="note", body=open(sys.argv[2]).read())
home.add_child(instance=note)
note.save_revision().publish()
"""


def bench_wagtail(work: Path, setup: dict, duration: int, rows: list) -> None:
    python = peer_venv(work, "wagtail")
    site = work / "wagtail"
    shutil.rmtree(site, ignore_errors=True)
    (site / "notes" / "templates" / "notes").mkdir(parents=True)
    (site / "settings.py").write_text(WAGTAIL_SETTINGS)
    (site / "urls.py").write_text(WAGTAIL_URLS)
    (site / "wsgi.py").write_text(WAGTAIL_WSGI)
    (site / "notes" / "__init__.py").write_text("")
    (site / "notes" / "models.py").write_text(WAGTAIL_MODELS)
    (site / "notes" / "templates" / "notes" / "note_page.html").write_text(WAGTAIL_TEMPLATE)
    (site / "note.html").write_text(setup["html"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(site)}
    django_admin = [python, "-m", "django"]
    subprocess.run(
        [*django_admin, "makemigrations", "notes", "-v", "0"], env=env, cwd=site, check=True
    )
    subprocess.run(
        [*django_admin, "migrate", "--noinput", "-v", "0"], env=env, cwd=site, check=True
    )
    subprocess.run(
        [python, "-c", WAGTAIL_PAGE, setup["title"], site / "note.html"],
        env=env,
        cwd=site,
        check=True,
    )
    bind = f"127.0.0.1:{PORTS['wagtail']}"
    server = start(
        [python, "-m", "gunicorn", "-w", str(WORKERS), *SERVER_OPTIONS, "-b", bind]
        + ["wsgi:application"],
        env,
        cwd=site,
        log=work / "wagtail.log",
    )
    try:
        url = f"http://{bind}/note/"
        body = wait_for(url)
        assert setup["title"].encode() in body, "Wagtail does not show the note"
        measure("Wagtail 7.0 note page", final_url(url), duration, {}, rows, server.pid)
    finally:
        stop(server)


# --- the run -------------------------------------------------------------------------------


def summary(rows: list[dict], memory: dict) -> dict:
    def rps(prefix: str, connections: int = 32) -> float:
        return next(
            (
                r["rps"]
                for r in rows
                if r["server"].startswith(prefix) and r["connections"] == connections
            ),
            0.0,
        )

    peer = max(rps("An Otter Wiki"), rps("Wagtail"))
    peak = max((w["peak_mb"] for w in memory.get("workers", [])), default=0.0)
    anonymous = rps("Recall resource, anonymous")
    logged_in = rps("Recall resource, logged in")
    return {
        "faster_peer_rps": peer,
        "anonymous_resource_vs_peer": round(anonymous / peer, 2) if peer else None,
        "anonymous_target": ANONYMOUS_TARGET,
        "logged_in_resource_vs_peer": round(logged_in / peer, 2) if peer else None,
        "logged_in_target": LOGGED_IN_TARGET,
        "peak_worker_memory_mb": peak,
        "memory_target_mb": MEMORY_TARGET_MB,
    }


def env_threads() -> int:
    """gunicorn_conf's threads a worker (GUNICORN_THREADS, else 4), read without importing
    the project's settings."""
    try:
        return max(int(os.environ.get("GUNICORN_THREADS", "4")), 1)
    except ValueError:
        return 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/recall-bench"))
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument(
        "--skip-quality-check",
        action="store_true",
        help="no editor check: it loads every resource's words (GBs at 100,000)",
    )
    parser.add_argument(
        "--database", type=Path, help="an existing SQLite file to serve instead of a corpus"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=env_threads(),
        help="threads a gunicorn worker, for Recall and the peers alike: 1 the sync worker, "
        "more the gthread worker (default: as `make serve`, GUNICORN_THREADS else 4)",
    )
    parser.add_argument("--only-resource", action="store_true", help="Recall's resource page alone")
    parser.add_argument(
        "--port-base", type=int, default=18401, help="the servers' ports: this one and the 3 next"
    )
    args = parser.parse_args()
    use_ports(args.port_base)
    worker = "gthread" if args.threads > 1 else "sync"
    SERVER_OPTIONS[:] = ["--worker-class", worker, "--threads", str(max(args.threads, 1))]
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            sys.exit(f"pages.py needs {tool}: apt-get install -y wrk nginx")
    work = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    database, setup = prepare_recall(work, args.resources, args.database)

    rows: list[dict] = []
    header = ("server and page", "conns", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms", "load")
    print("{:<42} {:>4} {:>10} {:>8} {:>8} {:>6} {:>7} {:>5}".format(*header))
    memory = bench_recall(
        work,
        database,
        setup,
        args.duration,
        rows,
        quality=not args.skip_quality_check,
        only_resource=args.only_resource,
    )
    page = wait_for_static_copy(work, database, setup)
    bench_nginx(work, page, args.duration, rows)
    if not args.skip_peers:
        for peer in (bench_otterwiki, bench_wagtail):
            try:
                peer(work, setup, args.duration, rows)
            except (OSError, AssertionError, subprocess.CalledProcessError) as error:
                # One peer failing to serve (it happens to An Otter Wiki under load) must
                # not lose the other figures.
                print(f"{peer.__name__} failed: {error!r}", flush=True)

    print()
    for stage in ("after_pages", "after_search", "after_api", "workers"):
        for worker in memory[stage]:
            print(
                f"Recall worker {worker['pid']} {stage}: {worker['rss_mb']} MB now, "
                f"{worker['peak_mb']} MB peak"
            )
    print(f"first quality check: {memory['quality_check_seconds']} s a worker")
    result = {
        "resources": args.resources,
        "workers": WORKERS,
        "gunicorn_options": SERVER_OPTIONS,
        "duration_s": args.duration,
        "rows": rows,
        "memory": memory,
        "summary": summary(rows, memory),
    }
    for key, value in result["summary"].items():
        print(f"{key}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    RESULTS.with_name(f"pages-{args.resources}.json").write_text(json.dumps(result, indent=2))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def wait_for_static_copy(work: Path, database: Path, setup: dict) -> bytes:
    """The resource page as an anonymous reader gets it, rendered by a short-lived server."""
    base = f"http://127.0.0.1:{PORTS['recall']}"
    server = start(gunicorn_command(PYTHON), recall_env(database))
    try:
        return wait_for(base + setup["resource"])
    finally:
        stop(server)


if __name__ == "__main__":
    main()
