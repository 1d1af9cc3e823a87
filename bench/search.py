"""Search latency on a generated corpus (bench/generate.py), through the search page's code.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/search.py [--repeat 30]

For a fixed mix of queries (one word, two words, phrase, misspelled, rare, common,
filtered) prints p50/p95/p99 in milliseconds of recall.search.service.search_resources
(parse, correct, rank, snippets, load the page of resources) beside a naive `icontains`
scan over titles and card text, the floor any real search must beat. Writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from recall.library.models import Resource  # noqa: E402
from recall.search.backends import Filters  # noqa: E402
from recall.search.models import SearchTerm  # noqa: E402
from recall.search.service import query_corrector, search_resources  # noqa: E402


def pick_queries() -> dict[str, tuple[str, Filters]]:
    """Queries drawn from the corpus itself, so that each type has matches."""
    from recall.lib.search_text import STOP_WORDS, words
    from recall.search.models import SearchDocument

    frequencies = dict(SearchTerm.objects.values_list("term", "documents"))
    total = max(1, Resource.objects.count())
    document = SearchDocument.objects.order_by("resource_id")[total // 2]
    body = [w for w in words(document.body) if w not in STOP_WORDS and len(w) > 3]
    by_frequency = sorted(set(body), key=lambda w: frequencies.get(w, 0))
    rare, middle = by_frequency[0], by_frequency[len(by_frequency) // 2]
    common = max(frequencies, key=lambda w: (w not in STOP_WORDS and len(w) > 3, frequencies[w]))
    other = next(w for w in by_frequency[len(by_frequency) // 2 + 1 :] if w != middle)
    pair = next(
        (a, b)
        for a, b in zip(words(document.body), words(document.body)[1:], strict=False)
        if a not in STOP_WORDS and b not in STOP_WORDS
    )
    misspelled = middle[:2] + middle[3:]  # one letter dropped
    return {
        "one word": (middle, Filters()),
        "two words": (f"{middle} {other}", Filters()),
        "phrase": (f'"{pair[0]} {pair[1]}"', Filters()),
        "misspelled": (misspelled, Filters()),
        "rare": (rare, Filters()),
        "common": (common, Filters()),
        "filtered": (common, Filters(topic_id=document.topic_id)),
    }


def icontains(query: str, filters: Filters) -> int:
    word = query.strip('"').split()[0]
    found = Resource.objects.visible().filter(
        Q(title__icontains=word) | Q(cards__body__icontains=word)
    )
    if filters.topic_id:
        found = found.filter(topic_id=filters.topic_id)
    return len(found.distinct().values_list("pk", flat=True)[:20])


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    pick = lambda p: ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]  # noqa: E731
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(pick(0.95), 2),
        "p99": round(pick(0.99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scan-repeat", type=int, default=3)
    args = parser.parse_args()
    count = Resource.objects.count()
    started = time.perf_counter()
    query_corrector()
    vocabulary_ms = (time.perf_counter() - started) * 1000
    rows = []
    for name, (query, filters) in pick_queries().items():
        outcome = search_resources(query, filters, 0, 20)
        recall_times = timed(lambda q=query, f=filters: search_resources(q, f, 0, 20), args.repeat)
        scan_times = timed(lambda q=query, f=filters: icontains(q, f), args.scan_repeat)
        rows.append(
            {
                "query type": name,
                "query": query,
                "matches": outcome.total,
                "recall": percentiles(recall_times),
                "icontains": percentiles(scan_times),
            }
        )
    print(f"{connection.vendor}, {count:,} resources; vocabulary built in {vocabulary_ms:.0f} ms")
    print(f"{'query type':<12} {'matches':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'scan p50':>10}")
    for row in rows:
        r = row["recall"]
        scan = row["icontains"]["p50"]
        print(
            f"{row['query type']:<12} {row['matches']:>8,} {r['p50']:>8} {r['p95']:>8} "
            f"{r['p99']:>8} {scan:>10}"
        )
    out = ROOT / "bench" / "results" / f"search-{connection.vendor}-{count}.json"
    out.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "resources": count,
                "vocabulary_ms": vocabulary_ms,
                "rows": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
