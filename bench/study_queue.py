"""How fast a user's due queue is fetched when they study 100,000 cards.

    DATABASE_URL=sqlite:////tmp/bench-study.sqlite3 .venv/bin/python bench/study_queue.py
    scripts/with-postgres .venv/bin/python bench/study_queue.py

Makes (once per database) a student who studies 1,000 resources of 100 study items each:
90,000 items with an FSRS review state (last reviewed over the past 200 days, due spread
over the 100 days from one day ago, stabilities of 1 to 500 days, 1% in (re)learning
steps) and 10,000 never seen, in the resources added last. Then times
recall.study.actions.cards_due_for (every query and the ranking, as the review page and
the API call it) at two moments:

* "steady": a normal day, about 150 cards due: the due list fills most of the 200-answer
  cap, the rest goes to new cards (so the new-card query runs too);
* "backlog": after four days away, about 3,600 cards due: the 200 most at risk are picked.

Times the whole queue (p50/p95/max, and this process's CPU time, which on SQLite includes
the query) and the due part alone ("due p95": recall.study.due's page and count).

Reports p50/p95/max over --repeat calls (after warm-up) against issue 5's target
(p95 <= 10 ms), prints a table and writes bench/results/study_queue-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402

from recall.lib.study import scheduling  # noqa: E402
from recall.library.models import Resource, Status, Subject, Topic  # noqa: E402
from recall.study.actions import _unseen_items, cards_due_for  # noqa: E402
from recall.study.due import DUE_PAGE, due_count, due_states  # noqa: E402
from recall.study.models import (  # noqa: E402
    ReviewLog,
    ReviewState,
    StudiedResource,
    StudyItem,
    StudyProfile,
)

USERNAME = "bench-student"
RESOURCES, ITEMS_PER_RESOURCE, NEW_ITEMS = 1000, 100, 10_000
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the data's "today"
# Due dates spread uniformly over [T0 - 1 day, T0 + 99 days): 900 cards a day.
MOMENTS = {
    "steady": T0 - timedelta(hours=20),  # ~ 150 due
    "backlog": T0 + timedelta(days=3),  # ~ 3,600 due
}
TARGET_P95_MS = 10.0
BATCH = 5000


def build(rng: random.Random):
    user_model = get_user_model()
    user = user_model.objects.filter(username=USERNAME).first()
    if user is not None:
        return user
    with transaction.atomic():
        user = user_model.objects.create_user(USERNAME)
        author = user_model.objects.create_user("bench-study-author")
        subject = Subject.objects.create(name="Bench Study", slug="bench-study")
        topic = Topic.objects.create(subject=subject, name="Bench Study", slug="bench-study")
        resources = Resource.objects.bulk_create(
            Resource(
                title=f"Study resource {i}",
                slug=f"bench-study-{i}",
                subject=subject,
                topic=topic,
                author=author,
                status=Status.PUBLISHED,
                published_at=T0 - timedelta(days=400),
            )
            for i in range(RESOURCES)
        )
        if resources[0].pk is None:  # backends that don't return ids from bulk_create
            resources = list(Resource.objects.filter(topic=topic).order_by("pk"))
        StudiedResource.objects.bulk_create(
            StudiedResource(user=user, resource=r, added_at=T0 - timedelta(days=300))
            for r in resources
        )
        StudyProfile.objects.create(user=user)
        items = [
            StudyItem(
                resource=resource,
                key=f"{resource.pk}-{n}",
                kind="cloze",
                position=n,
                card_position=1 + n // 10,
                prompt=f"Point {n} of resource {resource.pk} hides [...] here.",
                answer=f"answer {n}",
                point=f"Point {n} of resource {resource.pk} hides answer {n} here.",
                span_kind="rare",
            )
            for resource in resources
            for n in range(1, ITEMS_PER_RESOURCE + 1)
        ]
        for start in range(0, len(items), BATCH):
            StudyItem.objects.bulk_create(items[start : start + BATCH])
        item_ids = list(
            StudyItem.objects.filter(resource__topic=topic)
            .order_by("resource_id", "position")
            .values_list("pk", flat=True)
        )
        seen = item_ids[: len(item_ids) - NEW_ITEMS]  # the last resources' items are new
        states = []
        for item_id in seen:
            due = T0 + timedelta(days=rng.uniform(-1, 99))
            stability = min(500.0, rng.lognormvariate(3.0, 1.2) + 1)
            last = min(due - timedelta(days=stability * rng.uniform(0.8, 1.0)), T0)
            learning = rng.random() < 0.01
            states.append(
                ReviewState(
                    user=user,
                    item_id=item_id,
                    state=scheduling.RELEARNING if learning else scheduling.REVIEW,
                    step=0 if learning else None,
                    stability=stability,
                    difficulty=rng.uniform(1, 10),
                    due=due,
                    last_review=last,
                    reps=rng.randint(1, 20),
                    lapses=rng.randint(0, 3),
                )
            )
        for start in range(0, len(states), BATCH):
            ReviewState.objects.bulk_create(states[start : start + BATCH])
        # Answers already given "today" at each moment count towards the daily caps.
        logs = [
            ReviewLog(
                user=user,
                item_id=seen[i],
                rating=3,
                reviewed_at=moment - timedelta(minutes=i + 1),
                state_after={},
            )
            for moment in MOMENTS.values()
            for i in range(10)
        ]
        ReviewLog.objects.bulk_create(logs)
        # As review_answer keeps it: which studied resources have new cards left (the
        # last 100 here); migration 0004 computes it the same way for existing data.
        StudiedResource.objects.filter(user=user).update(
            has_new=Exists(_unseen_items(user, OuterRef("resource_id")))
        )
    return user


def settle() -> None:
    """Statistics for the planner, every run (a migration may have changed the tables since
    the data was made). On PostgreSQL, VACUUM too: what autovacuum does soon after a bulk
    load or a migration's updates (the throwaway and development servers run with it off);
    until a table is vacuumed, an index-only scan reads each row's page to check it."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(user, moment: datetime, repeat: int) -> dict:
    for _ in range(10):
        cards_due_for(user, moment)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        queue = cards_due_for(user, moment)
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        cards_due_for(user, moment)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        reset_queries()
    timings.sort()
    cpu.sort()
    # The due part alone (what recall.study.due does: the page of most urgent cards and
    # the count up to the cap), without the profile, today's counts and new cards.
    allowance = 200 - 10
    due_only = []
    for _ in range(repeat):
        started = time.perf_counter()
        page = due_states(user, moment, DUE_PAGE)
        if len(page) == DUE_PAGE:
            due_count(user, moment, allowance)
        due_only.append((time.perf_counter() - started) * 1000)
    due_only.sort()
    due_total = ReviewState.objects.filter(user=user, due__lte=moment).count()
    return {
        "cards due": due_total,
        "queue due": len(queue.due),
        "queue new": len(queue.new),
        "queries": len(queries),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
        # This process's CPU time: on SQLite the whole query runs in it; it leaves out
        # waiting for the CPU when other processes share the machine (load_average).
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "due_only_p50_ms": round(statistics.median(due_only), 2),
        "due_only_p95_ms": round(due_only[int(0.95 * (len(due_only) - 1))], 2),
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    user = build(random.Random(args.seed))
    settle()
    built = time.perf_counter() - started
    cards = StudyItem.objects.filter(resource__topic__slug="bench-study").count()
    results = {name: measure(user, moment, args.repeat) for name, moment in MOMENTS.items()}
    print(f"{cards:,} cards, {connection.vendor}, data ready in {built:.1f} s")
    print(
        f"{'moment':<8} {'due':>6} {'queue':>10} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'max ms':>7} {'cpu p95':>7} {'due p95':>7} {'load':>5}  target p95"
    )
    for name, r in results.items():
        print(
            f"{name:<8} {r['cards due']:>6,} {r['queue due']:>4}+{r['queue new']:<5} "
            f"{r['queries']:>7} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['max_ms']:>7} "
            f"{r['cpu_p95_ms']:>7} {r['due_only_p95_ms']:>7} {r['load_average']:>5.1f}  "
            f"<= {TARGET_P95_MS} ms {'ok' if r['p95_ms'] <= TARGET_P95_MS else 'MISSED'}"
        )
    out = ROOT / "bench" / "results" / f"study_queue-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "cards": cards,
                "database": connection.vendor,
                "repeat": args.repeat,
                "python": platform.python_version(),
                "target_p95_ms": TARGET_P95_MS,
                "moments": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
