"""Fill a database with a deterministic synthetic library, for benchmarks.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/generate.py 100000

20 subjects of 20 topics each (400 topics); each resource has 3 to 10 cards of 3 to 10
bullets, written from a shared English vocabulary (wordfreq's most common words) mixed
with words of its own topic, so that topic and content are related as in real notes.
The same N and seed give the same corpus on any backend. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

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
from recall.search.index import search_rebuild  # noqa: E402

SUBJECTS = 20
TOPICS_PER_SUBJECT = 20
BATCH = 2000
LEVELS = ["gcse", "a-level", "as", "ks3", ""]
SYLLABLES = "ka lo mi ru te sa vi no ba de fi go hu ja ke li mo pu re si to vu wa ze".split()


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def build_taxonomy(rng: random.Random, common: list[str]):
    subjects, topics = [], []
    for s in range(SUBJECTS):
        subject = Subject.objects.create(name=f"Subject {s:02d}", slug=f"subject-{s:02d}")
        subjects.append(subject)
        for t in range(TOPICS_PER_SUBJECT):
            name = f"Topic {s:02d}-{t:02d}"
            topic = Topic.objects.create(subject=subject, name=name, slug=f"topic-{s:02d}-{t:02d}")
            # Each topic has words of its own, and leans on some common words more.
            topic.words = [pseudo_word(rng) for _ in range(40)] + rng.sample(common, 60)
            topics.append(topic)
    return subjects, topics


def sentence(rng: random.Random, common: list[str], topic_words: list[str]) -> str:
    words = [
        rng.choice(topic_words) if rng.random() < 0.3 else rng.choice(common)
        for _ in range(rng.randint(6, 18))
    ]
    return " ".join(words).capitalize() + "."


def generate(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    common = [w for w in top_n_list("en", 6000) if w.isalpha() and len(w) > 2]
    started = time.perf_counter()
    with transaction.atomic():
        author = get_user_model().objects.create_user("bench-author")
        subjects, topics = build_taxonomy(rng, common)
        now = timezone.now()
        made = 0
        while made < n:
            resources, pending_cards = [], []
            for i in range(made, min(n, made + BATCH)):
                topic = topics[rng.randrange(len(topics))]
                title_words = [rng.choice(topic.words) for _ in range(rng.randint(2, 5))]
                resources.append(
                    Resource(
                        title=" ".join(title_words).title(),
                        slug=f"bench-{i}",
                        subject_id=topic.subject_id,
                        topic=topic,
                        author=author,
                        level=rng.choice(LEVELS),
                        status=Status.PUBLISHED,
                        published_at=now,
                        created_at=now - timezone.timedelta(minutes=i),
                        updated_at=now,
                    )
                )
                cards = []
                for _ in range(rng.randint(3, 10)):
                    bullets = [
                        sentence(rng, common, topic.words) for _ in range(rng.randint(3, 10))
                    ]
                    cards.append(
                        (rng.choice(topic.words).title(), "\n".join(f"- {b}" for b in bullets))
                    )
                pending_cards.append(cards)
            Resource.objects.bulk_create(resources)
            Card.objects.bulk_create(
                Card(
                    resource=resource,
                    position=number,
                    heading=heading,
                    body=body,
                    body_html=render_markdown(body),
                )
                for resource, cards in zip(resources, pending_cards, strict=True)
                for number, (heading, body) in enumerate(cards, start=1)
            )
            made += len(resources)
            print(f"  {made:,} resources", file=sys.stderr)
    written = time.perf_counter() - started
    indexed = search_rebuild()
    total = time.perf_counter() - started
    return {
        "resources": n,
        "cards": Card.objects.count(),
        "indexed": indexed,
        "seconds_writing": round(written, 1),
        "seconds_total": round(total, 1),
        "database": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many resources")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Resource.objects.exists():
        sys.exit("generate.py: the database already holds resources; use an empty one.")
    result = generate(args.n, args.seed)
    print(f"{'resources':>10} {'cards':>10} {'indexed':>10} {'write s':>8} {'total s':>8}  db")
    print(
        f"{result['resources']:>10,} {result['cards']:>10,} {result['indexed']:>10,} "
        f"{result['seconds_writing']:>8} {result['seconds_total']:>8}  {result['database']}"
    )
    out = ROOT / "bench" / "results" / f"generate-{connection.vendor}-{args.n}.json"
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
