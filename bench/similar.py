"""Quality of "similar resources" on a generated corpus (bench/generate.py), by topic.

    DATABASE_URL=sqlite:////tmp/similar.sqlite3 python bench/generate.py 10000 --hard
    DATABASE_URL=sqlite:////tmp/similar.sqlite3 python bench/similar.py [--sample 300]

The generator writes each resource from its topic's words, so that topic is its label:
precision@5 is the share of the five similar resources shown whose label is the query
resource's. On a --hard corpus the topics of a subject share most of their words and a
fifth of the resources are filed under a sibling topic (the label, kept in the slug, is
still the topic written from), so filing alone no longer tells. Printed beside the
same-topic-only baseline (the newest five filed under the same topic, as the site
showed before content similarity), with timings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from recall.library.models import Resource  # noqa: E402
from recall.search.similar import similar_refresh, similar_resources  # noqa: E402


def label(resource: Resource) -> int:
    """The topic a resource was written from: in the slug of a --hard corpus."""
    _, found, topic = resource.slug.partition("-label-")
    return int(topic) if found else resource.topic_id


def precision(resource: Resource, shown: list[Resource]) -> float:
    return sum(label(other) == label(resource) for other in shown) / 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    ids = list(Resource.objects.visible().order_by("pk").values_list("pk", flat=True))
    sample = random.Random(7).sample(ids, min(args.sample, len(ids)))
    refresh_ms, read_ms, ours, baseline = [], [], [], []
    for pk in sample:
        with transaction.atomic():
            started = time.perf_counter()
            similar_refresh([pk])
            refresh_ms.append((time.perf_counter() - started) * 1000)
        resource = Resource.objects.get(pk=pk)
        started = time.perf_counter()
        shown = similar_resources(resource, 5)
        read_ms.append((time.perf_counter() - started) * 1000)
        ours.append(precision(resource, shown))
        baseline.append(precision(resource, list(Resource.objects.similar_to(resource)[:5])))
    result = {
        "database": connection.vendor,
        "hard": Resource.objects.filter(slug__contains="-label-").exists(),
        "resources": len(ids),
        "sample": len(sample),
        "precision_at_5": round(statistics.mean(ours), 3),
        "baseline_precision_at_5": round(statistics.mean(baseline), 3),
        "refresh_ms_p50": round(statistics.median(refresh_ms), 1),
        "read_ms_p50": round(statistics.median(read_ms), 2),
    }
    kind = "a --hard corpus" if result["hard"] else "an easy corpus"
    print(f"{connection.vendor}, {len(ids):,} resources ({kind}), {len(sample)} sampled")
    print(f"{'method':<28} {'precision@5':>12}")
    print(f"{'content (TF-IDF + topic)':<28} {result['precision_at_5']:>12}")
    print(f"{'same topic only (baseline)':<28} {result['baseline_precision_at_5']:>12}")
    print(f"compute on save p50 {result['refresh_ms_p50']} ms; read p50 {result['read_ms_p50']} ms")
    name = f"similar-{connection.vendor}-{len(ids)}{'-hard' if result['hard'] else ''}.json"
    out = ROOT / "bench" / "results" / name
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
