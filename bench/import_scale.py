"""Bad input at scale: import_resources on 1,000 files with a sprinkling of broken ones.

    .venv/bin/python bench/import_scale.py [--files 1000]

Writes the directory (recall/library/tests/import_corpus.py: one of each kind of broken
file, a 50 MB one among them, spread among good Markdown files) into a temporary folder,
runs `manage.py import_resources DIR` against a fresh SQLite database in a separate
process, and checks that every good file's resource is there with its cards and that
every bad file is named on stderr with its reason. Prints a table, writes
bench/results/import_scale.json; exits 1 if anything is missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from soak import PYTHON, ROOT, clean_env  # noqa: E402

from recall.library.tests.import_corpus import write_import_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results" / "import_scale.json"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recall-import-scale-"))
    try:
        good, bad = write_import_corpus(folder / "notes", args.files)
        env = clean_env(
            DATABASE_URL=f"sqlite:///{folder / 'recall.sqlite3'}",
            RECALL_VAR_DIR=str(folder / "var"),
            DJANGO_SETTINGS_MODULE="recall.settings",
        )
        subprocess.run(  # noqa: S603 - our own command
            [PYTHON, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - our own command
            [PYTHON, "manage.py", "import_resources", str(folder / "notes")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        reported = {}
        for line in result.stderr.splitlines():
            path, _, reason = line.partition(": ")
            reported[Path(path)] = reason
        misreported = [
            f"{path.name}: {reported.get(path, '(not named)')}"
            for path, reason in bad.items()
            if reason not in reported.get(path, "")
        ]
        with sqlite3.connect(folder / "recall.sqlite3") as database:
            cards = dict(
                database.execute(
                    "SELECT r.title, COUNT(c.id) FROM library_resource r "
                    "LEFT JOIN library_card c ON c.resource_id = r.id GROUP BY r.id"
                ).fetchall()
            )
            (documents,) = database.execute("SELECT COUNT(*) FROM search_searchdocument").fetchone()
        missing = [g.title for g in good.values() if cards.get(g.title) != g.cards]
        summary = {
            "files": args.files,
            "good": len(good),
            "bad": len(bad),
            "imported": len(result.stdout.splitlines()),
            "resources_in_database": len(cards),
            "search_documents": documents,
            "bad_named_with_reason": len(bad) - len(misreported),
            "stderr_lines": len(result.stderr.splitlines()),
            "exit_status": result.returncode,
            "seconds": round(seconds, 1),
            "files_per_second": round(args.files / seconds, 1),
            "missing_or_wrong": missing[:10],
            "misreported": misreported,
            "reasons": {path.name: reported.get(path, "") for path in bad},
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for key in (
        "files",
        "good",
        "bad",
        "imported",
        "resources_in_database",
        "search_documents",
        "bad_named_with_reason",
        "stderr_lines",
        "exit_status",
        "seconds",
        "files_per_second",
    ):
        print(f"{key:<24} {summary[key]}")
    for name, reason in summary["reasons"].items():
        print(f"  {name}: {reason}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written: {args.output}")
    sys.exit(1 if missing or misreported or len(cards) != len(good) else 0)


if __name__ == "__main__":
    main()
