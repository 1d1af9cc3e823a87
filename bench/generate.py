"""Fill a database with a deterministic synthetic library, for benchmarks.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/generate.py 100000 [--hard]

20 subjects of 20 topics each (400 topics); each resource has 3 to 10 cards of 3 to 10
bullets, written from a shared English vocabulary (wordfreq's most common ASCII words)
mixed with words of its own topic, so that topic and content are related as in real
notes. The same N and seed give the same corpus on any backend. Resources and cards are
written with plain multi-row INSERTs (the cards' HTML built directly, checked against
render_markdown on a sample of each batch), then indexed in bulk by search_rebuild (the
same index as saving each would give, tested in recall/search/tests/test_rebuild.py).
From 2,000 resources the quality checks' corpus is counted in a second process fed each
batch as it is written, so that the counting overlaps the writing too (search_rebuild's
`counted`; tested in recall/quality/tests/test_corpus.py).
On SQLite the load runs without the write-ahead log, syncs or per-row foreign-key
checks (see bulk_loading).
Prints a table (wall-clock seconds, and this process's CPU seconds: on a busy machine
the fairer figure; a PostgreSQL server's own work is not in it), writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from wordfreq import top_n_list  # noqa: E402

from recall.lib.rendering import render_markdown  # noqa: E402
from recall.library.models import Card, Resource, Status, Subject, Topic  # noqa: E402
from recall.operations.bulk import built_after  # noqa: E402
from recall.quality.corpus import CountingWorker  # noqa: E402
from recall.search import index as search_index  # noqa: E402
from recall.search.similar import insert_rows  # noqa: E402

SUBJECTS = 20
TOPIC_SHARE = 0.3
# --hard: a labelled corpus where topics are harder to tell apart (bench/similar.py).
HARD_SUBJECT_WORDS = 100  # a subject's own words, which its 20 topics draw 40 each from
HARD_SUBJECT_COMMON = 150  # and the common words they lean on, 60 each
HARD_MISFILED = 0.2  # resources filed under a sibling topic: the label stays the topic written
TOPICS_PER_SUBJECT = 20
BATCH = 2000
LEVELS = ["gcse", "a-level", "as", "ks3", ""]
SYLLABLES = "ka lo mi ru te sa vi no ba de fi go hu ja ke li mo pu re si to vu wa ze".split()


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def build_taxonomy(rng: random.Random, common: list[str], hard: bool = False):
    subjects, topics = [], []
    for s in range(SUBJECTS):
        subject = Subject.objects.create(name=f"Subject {s:02d}", slug=f"subject-{s:02d}")
        subjects.append(subject)
        if hard:  # the topics of a subject draw their words from one shared pool
            own_pool = [pseudo_word(rng) for _ in range(HARD_SUBJECT_WORDS)]
            common_pool = rng.sample(common, HARD_SUBJECT_COMMON)
        for t in range(TOPICS_PER_SUBJECT):
            name = f"Topic {s:02d}-{t:02d}"
            topic = Topic.objects.create(subject=subject, name=name, slug=f"topic-{s:02d}-{t:02d}")
            # Each topic has words of its own, and leans on some common words more.
            if hard:
                topic.words = rng.sample(own_pool, 40) + rng.sample(common_pool, 60)
            else:
                topic.words = [pseudo_word(rng) for _ in range(40)] + rng.sample(common, 60)
            # Drawing uniformly from this pool gives a topic word 30% of the time.
            repeat = round(TOPIC_SHARE * len(common) / ((1 - TOPIC_SHARE) * len(topic.words)))
            topic.pool = common + topic.words * repeat
            topics.append(topic)
    return subjects, topics


def sentence(rng: random.Random, pool: list[str]) -> str:
    """6 to 18 words of the pool: rng.choices(pool, k=rng.randint(6, 18)), inlined (the
    same draws from the generator, so the same corpus, in half the time)."""
    random, n = rng.random, len(pool) + 0.0
    words = [pool[int(random() * n)] for _ in range(6 + rng._randbelow(13))]
    return " ".join(words).capitalize() + "."


def card_html(bullets: list[str]) -> str:
    """What render_markdown makes of a list of plain sentences (checked in generate)."""
    return "<ul>\n" + "".join(f"<li>{b}</li>\n" for b in bullets) + "</ul>\n"


@contextmanager
def bulk_loading():
    """On SQLite, for the generation only: no write-ahead log (each page would be written
    twice), no syncs, a 1 GB page cache and foreign keys checked once at the end instead
    of on every row. A crash leaves a broken database; it is a benchmark's, made again.
    On PostgreSQL see keys_checked_after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for pragma in (
            "journal_mode=MEMORY",
            "synchronous=OFF",
            "cache_size=-1000000",
            "foreign_keys=OFF",
        ):
            cursor.execute(f"PRAGMA {pragma}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
            for pragma in (
                "foreign_keys=ON",
                "cache_size=-2000",
                "synchronous=NORMAL",
                "journal_mode=WAL",
            ):
                cursor.execute(f"PRAGMA {pragma}")
        if broken:
            raise RuntimeError(f"generate.py: rows without their parents: {broken[:5]}")


@contextmanager
def keys_checked_after():
    """In the writing's transaction, on PostgreSQL: the resources' and cards' indexes and
    keys made after their rows (the foreign keys then checked by one query each instead
    of one lookup a row; search_rebuild does the same for its own tables)."""
    with (
        built_after(Resource._meta.db_table, indexes=True, foreign_keys=True),
        built_after(Card._meta.db_table, indexes=True, unique=True, foreign_keys=True),
    ):
        yield


def server_cpu() -> float | None:
    """The CPU seconds of this connection's PostgreSQL server process so far, where it
    runs on this machine (its /proc entry readable); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


class Phases:
    """Wall-clock and CPU seconds of the rebuild's steps, by wrapping the functions that
    search_rebuild calls (it stays the app's own rebuild). A step made inside another
    (the quality counts, written while the similar lists are ranked in two other
    processes) counts as its own, not the other's."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self._inner: list[list[float]] = []  # per open step, its inner steps' seconds

    def wrap(self, module, name: str, label: str) -> None:
        function = getattr(module, name)
        self.seconds.setdefault(label, [0.0, 0.0])  # listed in this order

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            self._inner.append([0.0, 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                inner = self._inner.pop()
                spent = [time.perf_counter() - wall, time.process_time() - cpu]
                if self._inner:
                    self._inner[-1][0] += spent[0]
                    self._inner[-1][1] += spent[1]
                self.seconds[label] = [round(spent[0] - inner[0], 1), round(spent[1] - inner[1], 1)]

        setattr(module, name, timed)


def generate(n: int, seed: int, hard: bool = False) -> dict:
    # From PARALLEL_FROM resources, the quality checks' corpus is counted in a second
    # process fed each batch as it is written (what search_rebuild would feed it as it
    # reads them back: the same titles and cards, in order of id), so that the counting
    # overlaps the writing as well as the indexing.
    counting = None
    if n >= search_index.PARALLEL_FROM and CountingWorker.available():
        counting = CountingWorker()
    try:
        with bulk_loading():
            return _generate(n, seed, hard, counting)
    finally:
        if counting is not None:
            counting.close()


def _generate(n: int, seed: int, hard: bool, counting: CountingWorker | None) -> dict:
    rng = random.Random(seed)
    # ASCII words only: the bullets stay plain Markdown (see card_html).
    common = [w for w in top_n_list("en", 6000) if w.isascii() and w.isalpha() and len(w) > 2]
    started, cpu_started = time.perf_counter(), time.process_time()
    server_started = server_cpu()
    with transaction.atomic(), keys_checked_after():
        author = get_user_model().objects.create_user("bench-author")
        subjects, topics = build_taxonomy(rng, common, hard)
        siblings = {}
        for topic in topics:
            siblings.setdefault(topic.subject_id, []).append(topic)
        now = timezone.now()
        made = 0
        while made < n:
            resources, cards = [], []
            for i in range(made, min(n, made + BATCH)):
                topic = topics[rng.randrange(len(topics))]
                title_words = [rng.choice(topic.words) for _ in range(rng.randint(2, 5))]
                filed, slug = topic, f"bench-{i}"
                if hard:
                    slug += f"-label-{topic.pk}"  # the topic it was written from
                    if rng.random() < HARD_MISFILED:
                        filed = rng.choice(siblings[topic.subject_id])
                resource = Resource(
                    title=" ".join(title_words).title(),
                    slug=slug,
                    subject_id=topic.subject_id,
                    topic=filed,
                    author=author,
                    level=rng.choice(LEVELS),
                    status=Status.PUBLISHED,
                    published_at=now,
                    created_at=now - timezone.timedelta(minutes=i),
                    updated_at=now,
                )
                resources.append(resource)
                for number in range(1, rng.randint(3, 10) + 1):
                    bullets = [sentence(rng, topic.pool) for _ in range(rng.randint(3, 10))]
                    body = "\n".join(f"- {b}" for b in bullets)
                    heading = rng.choice(topic.words).title()
                    cards.append([resource, number, heading, body, card_html(bullets)])
            for card in cards[:: max(1, len(cards) // 20)]:
                assert card[4] == render_markdown(card[3]), card[3]
            Resource.objects.bulk_create(resources)
            for card in cards:
                card[0] = card[0].pk
            if counting is not None:  # published: every one is visible
                by_resource = {resource.pk: [] for resource in resources}
                for card in cards:
                    by_resource[card[0]].append((card[2], card[3]))
                counting.add([(r.pk, r.title, by_resource[r.pk]) for r in resources])
            # Plain INSERTs: building 650,000 model instances costs more than writing them.
            insert_rows(Card, ["resource_id", "position", "heading", "body", "body_html"], cards)
            made += len(resources)
            print(f"  {made:,} resources", file=sys.stderr)
        if counting is not None:
            counting.finish()  # it has every resource: it sorts while the rebuild indexes
    written, written_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    phases = Phases()
    phases.wrap(search_index, "similar_rebuild", "similar lists")
    phases.wrap(search_index, "quality_rebuild", "quality counts")
    # From PARALLEL_FROM resources, counted in a second process during the phases above
    # (its CPU is in cpu_seconds_worker): this step waits for it and writes.
    phases.wrap(search_index, "quality_write", "quality counts")
    indexed = search_index.search_rebuild(counted=counting)
    total = time.perf_counter() - started
    index_cpu = time.process_time() - cpu_started - written_cpu
    others = [sum(s[i] for s in phases.seconds.values()) for i in (0, 1)]
    phases.seconds = {
        "writing": [round(written, 1), round(written_cpu, 1)],
        "search documents and vocabulary": [
            round(total - written - others[0], 1),
            round(index_cpu - others[1], 1),
        ],
        **phases.seconds,
    }
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load, done now (it may be off, or late): with
        # no statistics, the planner guessed 7,800 cards per resource and listed 20 search
        # results by a parallel table scan, JIT-compiled (180 ms instead of 0.7).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    usage, children = getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN)
    server = server_cpu() - server_started if server_started is not None else None
    return {
        "cpu_seconds_server": None if server is None else round(server, 1),
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
        "cpu_seconds_worker": round(children.ru_utime + children.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "peak_rss_mb_worker": round(children.ru_maxrss / 1024),
        "resources": n,
        "cards": Card.objects.count(),
        "indexed": indexed,
        "seconds_writing": round(written, 1),
        "seconds_indexing": round(total - written, 1),
        "seconds_total": round(total, 1),
        "phases_wall_cpu": phases.seconds,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many resources")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--hard",
        action="store_true",
        help="topics of a subject share most words and 20%% of resources are filed under a "
        "sibling topic; the slug keeps the label (bench/similar.py)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Resource.objects.exists():
        sys.exit("generate.py: the database already holds resources; use an empty one.")
    result = generate(args.n, args.seed, args.hard)
    print(
        f"{'resources':>10} {'cards':>10} {'indexed':>10} {'write s':>8} {'index s':>8} "
        f"{'total s':>8} {'cpu s':>6}  db"
    )
    print(
        f"{result['resources']:>10,} {result['cards']:>10,} {result['indexed']:>10,} "
        f"{result['seconds_writing']:>8} {result['seconds_indexing']:>8} "
        f"{result['seconds_total']:>8} {result['cpu_seconds']:>6}  {result['database']}"
    )
    name = f"generate-{connection.vendor}-{args.n}{'-hard' if args.hard else ''}.json"
    for phase, (wall, cpu) in result["phases_wall_cpu"].items():
        print(f"  {phase}: {wall} s wall, {cpu} s CPU")
    if result["cpu_seconds_server"] is not None:
        print(f"  PostgreSQL server process: {result['cpu_seconds_server']} s CPU")
    print(
        f"  worker process: {result['cpu_seconds_worker']} s CPU; peak RSS "
        f"{result['peak_rss_mb']} MB (worker {result['peak_rss_mb_worker']} MB)"
    )
    print(f"  load average at the end: {result['load_average']}")
    out = ROOT / "bench" / "results" / name
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
