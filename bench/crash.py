"""Crash safety: kill -9 the server and the importer at random points during writes.

    .venv/bin/python bench/crash.py              # 50 rounds
    .venv/bin/python bench/crash.py --rounds 10 --seed 3

One SQLite database in a temporary folder (the demo library, users who study some of it)
lives through every round. Rounds alternate:

* server: gunicorn (as scripts/serve runs it) takes comments and review answers from
  --writers threads of logged-in users; after a random 0.5-8 s the whole process group
  gets SIGKILL, mid-request;
* import: `manage.py import_resources` imports a directory of --files files (a new
  version of each, with a different number of cards, every round; a few broken files
  among them) and gets SIGKILL once a random number of files is in, plus a random
  0-150 ms (somewhere inside the next file's transaction, or between two).

After each kill a fresh process checks the database: `PRAGMA integrity_check`, the FTS5
index against its content, every write acknowledged so far (an HTTP 302 for a comment or
an answer; a resource path printed by the importer) is present, and every imported
resource is whole: all its cards, its latest revision and its search document come from
one version of its file, with that version's number of cards. Prints a table and writes
bench/results/crash.json; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import ServerError, free_port, gunicorn_command, kill, start, wait_until_up  # noqa: E402
from soak import (  # noqa: E402 - the soak bench's helpers: same setup, same server
    COMMENT_GAP,
    PYTHON,
    ROOT,
    clean_env,
    django_setup,
)

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION = re.compile(r'data-item="(\d+)"')
BROKEN = {
    "zz-truncated.md": "---\ntitle: Broken café\nsubject: S\ntopic: T\n---\n- é".encode()[:-1],
    "zz-binary.bin": b"\x00\x01\x02" * 100,
    "zz-empty.md": b"",
    "zz-front-matter.md": b"---\ntitle: T\nsubject: S\n",
}


def cards_for(number: int, version: int) -> int:
    return 1 + (number * 7 + version * 3) % 6


def write_version(folder: Path, files: int, version: int) -> None:
    """Every import file at this version: its card count and text depend on it."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        cards = "\n---\n\n".join(
            f"## Point {card}\n\n- Fact {card} of file {number} version {version}.\n"
            for card in range(1, cards_for(number, version) + 1)
        )
        (folder / f"{number:04d}.md").write_text(
            f"---\ntitle: Crash notes {number:04d}\nsubject: Crash\n"
            f"topic: Crash topic {number % 5}\n---\n{cards}",
            encoding="utf-8",
        )
    for name, content in BROKEN.items():
        (folder / name).write_bytes(content)


# --- the check, run in a fresh process after every kill -----------------------------------


def check_database(state_path: Path) -> dict:
    django_setup()
    from django.db import connection

    from recall.community.models import Comment
    from recall.library.models import Resource
    from recall.study.models import ReviewLog, ReviewState

    state = json.loads(state_path.read_text())
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = [row[0] for row in cursor.fetchall()]
        try:
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            fts = "ok"
        except Exception as error:  # noqa: BLE001 - reported, not raised
            fts = f"{type(error).__name__}: {error}"
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:3]}")
    if fts != "ok":
        problems.append(f"FTS5 integrity-check: {fts}")

    bodies = set(Comment.objects.values_list("body", flat=True))
    missing = [body for body in state["comments"] if body not in bodies]
    answers = set(ReviewLog.objects.values_list("user__username", "item_id", "duration_ms"))
    missing += [answer for answer in state["reviews"] if tuple(answer) not in answers]
    problems += [f"acknowledged write missing: {m}" for m in missing[:5]]
    # An answer writes its review state and its log row in one transaction: they agree.
    logs = Counter(ReviewLog.objects.values_list("user_id", "item_id"))
    states = dict(
        (
            ((user, item), reps)
            for user, item, reps in ReviewState.objects.values_list("user_id", "item_id", "reps")
        )
    )
    torn = [key for key in logs.keys() | states.keys() if logs.get(key, 0) != states.get(key, 0)]
    problems += [f"review state and log disagree for (user, item) {key}" for key in torn[:5]]

    version_of = re.compile(r"version (\d+)")
    imported = Resource.objects.filter(subject__name="Crash").prefetch_related("cards")
    versions: dict[str, int] = {}
    for resource in imported:
        number = int(resource.title.rsplit(" ", 1)[1])
        cards = list(resource.cards.all())
        card_versions = {int(v) for card in cards for v in version_of.findall(card.body)}
        revision = resource.revisions.order_by("-number").first()
        document = getattr(resource, "search_document", None)
        if len(card_versions) != 1:
            problems.append(f"{resource.slug}: cards from versions {sorted(card_versions)}")
            continue
        (version,) = card_versions
        versions[resource.slug] = version
        if len(cards) != cards_for(number, version):
            problems.append(f"{resource.slug}: {len(cards)} cards, version {version} has more")
        if sorted(c.position for c in cards) != list(range(1, len(cards) + 1)):
            problems.append(f"{resource.slug}: card positions {[c.position for c in cards]}")
        if revision is None or len(revision.content["cards"]) != len(cards):
            problems.append(f"{resource.slug}: latest revision does not match its cards")
        if document is None:
            problems.append(f"{resource.slug}: published but has no search document")
        elif set(map(int, version_of.findall(document.body))) != {version}:
            problems.append(f"{resource.slug}: search document is of another version")
    for slug, version in state["imported"].items():
        if versions.get(slug, -1) < version:
            problems.append(f"{slug}: printed as imported at version {version}, not there")
    return {
        "problems": problems,
        "integrity_check": integrity[0] if integrity == ["ok"] else integrity[:3],
        "fts_check": fts,
        "comments": len(bodies),
        "review_logs": len(answers),
        "imported_resources": len(versions),
        "acknowledged_missing": len(missing),
        "review_states_torn": len(torn),
    }


# --- writers against the server -------------------------------------------------------


class Writer(threading.Thread):
    def __init__(self, base: str, cookie: str, account: dict, slugs: list, number: int, sink):
        super().__init__(daemon=True)
        self.base, self.account, self.slugs, self.number, self.sink = (
            base,
            account,
            slugs,
            number,
            sink,
        )
        self.session = requests.Session()
        self.session.cookies.set(cookie, account["session"])
        self.rng = random.Random(number * 7919 + int(time.time()))
        self.stop = threading.Event()
        self.csrf = ""

    def post(self, path: str, data: dict) -> int | None:
        try:
            response = self.session.post(
                self.base + path,
                data={**data, "csrfmiddlewaretoken": self.csrf},
                allow_redirects=False,
                timeout=30,
            )
        except requests.RequestException:
            return None  # killed mid-request: not acknowledged
        return response.status_code

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                slug = self.rng.choice(self.slugs)
                if not self.csrf:
                    page = self.session.get(f"{self.base}/resources/{slug}/", timeout=30)
                    found = CSRF_FIELD.search(page.text)
                    self.csrf = found.group(1) if found else ""
                    continue
                key = time.time_ns() + self.number  # unique per thread and moment
                if time.monotonic() - self.account.get("last_comment", -99) > COMMENT_GAP:
                    self.account["last_comment"] = time.monotonic()
                    body = f"crash {self.account['username']} {key}"
                    status = self.post(f"/resources/{slug}/comments/", {"body": body})
                    self.sink("comment", status, body)
                item = self.rng.choice(self.account["items"])
                duration = key % 86_000_000  # a unique answer key in the ms field
                status = self.post(f"/study/review/{item}/", {"rating": 3, "duration_ms": duration})
                self.sink("review", status, [self.account["username"], item, duration])
            except requests.RequestException:
                pass


def server_round(env, folder, site, state, rng, writers: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    process = start(gunicorn_command(PYTHON), {**env, "PORT": str(port)}, log=log, append=True)
    counts = {"comment": 0, "review": 0, "unacknowledged": 0}
    try:
        wait_until_up(process, f"{base}/healthz", timeout=120, log=log)
    except ServerError as error:
        kill(process)
        return {"killed_after_s": 0, **counts, "error": str(error)}
    lock = threading.Lock()

    def sink(kind: str, status: int | None, key) -> None:
        with lock:
            if status == 302:
                counts[kind] += 1
                state["comments" if kind == "comment" else "reviews"].append(key)
            else:
                counts["unacknowledged"] += 1

    slugs = [slug for slug, _ in site["resources"][:12]]
    accounts = rng.sample(site["accounts"], writers)
    threads = [
        Writer(base, site["session_cookie"], account, slugs, n, sink)
        for n, account in enumerate(accounts)
    ]
    for thread in threads:
        thread.start()
    delay = rng.uniform(0.5, 8.0)
    time.sleep(delay)
    kill(process)
    for thread in threads:
        thread.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return {"killed_after_s": round(delay, 2), **counts}


def import_round(env, folder, state, rng, version: int, files: int) -> dict:
    source = folder / "import"
    write_version(source, files, version)
    process = subprocess.Popen(  # noqa: S603 - our own command
        [PYTHON, "manage.py", "import_resources", str(source), "--no-progress"],
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=(folder / f"import-{version}.log").open("w"),
        text=True,
        start_new_session=True,
    )
    printed: list[str] = []

    def read() -> None:
        for line in process.stdout:
            printed.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # Kill once a random number of files is in, plus a random part of the next file's time.
    target = rng.randint(0, files - 1)
    while len(printed) < target and process.poll() is None:
        time.sleep(0.005)  # watching another process, not waiting for time to pass
    delay = rng.uniform(0, 0.15)
    time.sleep(delay)
    finished = process.poll() is not None
    kill(process)
    reader.join(timeout=30)
    if finished and len(printed) < files:
        # It ended on its own before importing every good file: say why.
        log = (folder / f"import-{version}.log").read_text().strip().splitlines()
        errors = [line for line in log if not line.startswith(str(source))]
        error = f"exit status {process.returncode}: {' | '.join(errors[-3:])}"
    else:
        error = ""
    for line in printed:
        slug = line.strip().strip("/").rsplit("/", 1)[-1]
        state["imported"][slug] = version
    return {
        "error": error,
        "kill_after_files": target,
        "killed_after_s": round(delay, 3),
        "imported": len(printed),
        "finished": finished,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_check":
        Path(sys.argv[3]).write_text(json.dumps(check_database(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--writers", type=int, default=8, help="writing threads (server rounds)")
    parser.add_argument("--files", type=int, default=300, help="files per import (import rounds)")
    parser.add_argument("--seed", type=int, default=50)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "crash.json")
    parser.add_argument("--keep", action="store_true", help="keep the database in /tmp")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="recall-crash-"))
    env = clean_env(
        DATABASE_URL=f"sqlite:///{folder / 'recall.sqlite3'}",
        RECALL_VAR_DIR=str(folder / "var"),
        STATIC_ROOT=str(folder / "static"),
        DJANGO_SETTINGS_MODULE="recall.settings",
        HOST="127.0.0.1",
        GUNICORN_WORKERS="3",
        DEBUG="false",
        RECALL_LOG_FORMAT="json",
    )

    def run(command: list[str], **extra: str) -> None:
        result = subprocess.run(  # noqa: S603 - our own scripts
            command, cwd=ROOT, env={**env, **extra}, capture_output=True, text=True
        )
        if result.returncode != 0:
            sys.exit(f"crash.py: {' '.join(command[:3])} failed:\n{result.stderr[-3000:]}")

    print(f"crash.py: preparing {folder}", file=sys.stderr)
    run([PYTHON, "bench/generate.py", "200"])  # migrates, then a small synthetic library
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], RECALL_STATIC_MANIFEST="true")
    run(
        [
            PYTHON,
            "bench/soak.py",
            "_setup",
            str(max(args.writers * 4, 32)),
            str(folder / "site.json"),
        ]
    )
    site = json.loads((folder / "site.json").read_text())
    state = {"comments": [], "reviews": [], "imported": {}}
    rounds = []
    failed = False
    for number in range(1, args.rounds + 1):
        kind = "server" if number % 2 else "import"
        # As scripts/serve does at every start (and a deployment after each upgrade).
        run([PYTHON, "manage.py", "migrate", "--noinput"])
        if kind == "server":
            outcome = server_round(env, folder, site, state, rng, args.writers)
        else:
            outcome = import_round(env, folder, state, rng, number, args.files)
        (folder / "state.json").write_text(json.dumps(state))
        run([PYTHON, __file__, "_check", str(folder / "state.json"), str(folder / "check.json")])
        check = json.loads((folder / "check.json").read_text())
        if outcome.get("error"):
            what = "the server did not start" if kind == "server" else "the import stopped"
            check["problems"].append(f"{what} on its own: {outcome['error']}")
        rounds.append({"round": number, "kind": kind, **outcome, "check": check})
        failed = failed or bool(check["problems"])
        detail = (
            f"{outcome['comment']} comments, {outcome['review']} answers acknowledged"
            if kind == "server"
            else f"{outcome['imported']} files imported"
            + (" (finished before the kill)" if outcome["finished"] else "")
        )
        when = (
            f"{outcome['killed_after_s']:>4} s after the writes began"
            if kind == "server"
            else f"{outcome['killed_after_s']:.3f} s after file {outcome['kill_after_files']}"
        )
        print(
            f"{number:>3} {kind:<6} killed {when}: {detail}; "
            f"integrity {check['integrity_check']}, "
            f"{'OK' if not check['problems'] else 'PROBLEMS: ' + '; '.join(check['problems'][:3])}"
        )
    summary = {
        "rounds": len(rounds),
        "server_kills": sum(r["kind"] == "server" for r in rounds),
        "import_kills": sum(r["kind"] == "import" and not r["finished"] for r in rounds),
        "imports_finished_before_kill": sum(
            r["kind"] == "import" and r["finished"] for r in rounds
        ),
        "comments_acknowledged": len(state["comments"]),
        "reviews_acknowledged": len(state["reviews"]),
        "resources_printed_as_imported": len(state["imported"]),
        "rounds_with_problems": sum(bool(r["check"]["problems"]) for r in rounds),
        "acknowledged_missing": rounds[-1]["check"]["acknowledged_missing"] if rounds else 0,
        "integrity_failures": sum(r["check"]["integrity_check"] != "ok" for r in rounds),
        "folder": str(folder) if args.keep or failed else "(removed)",
    }
    print()
    for key, value in summary.items():
        print(f"{key:<32} {value}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"summary": summary, "rounds": rounds}, indent=2) + "\n")
    print(f"written: {args.output}")
    if not args.keep and not failed:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
