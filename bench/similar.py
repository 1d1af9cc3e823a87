"""Quality of "similar resources" on a generated corpus (bench/generate.py), by topic.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/similar.py [--sample 200]

The generator writes each resource from its topic's own words, so a resource's topic is
its label: precision@5 is the share of the five similar resources shown that share the
query resource's topic. Printed beside the same-topic-only baseline (the newest five of
the same topic, as the site showed before content similarity), with timings.
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


def precision(resource: Resource, shown: list[Resource]) -> float:
    return sum(other.topic_id == resource.topic_id for other in shown) / 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=200)
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
        "resources": len(ids),
        "sample": len(sample),
        "precision_at_5": round(statistics.mean(ours), 3),
        "baseline_precision_at_5": round(statistics.mean(baseline), 3),
        "refresh_ms_p50": round(statistics.median(refresh_ms), 1),
        "read_ms_p50": round(statistics.median(read_ms), 2),
    }
    print(f"{connection.vendor}, {len(ids):,} resources, {len(sample)} sampled")
    print(f"{'method':<28} {'precision@5':>12}")
    print(f"{'content (TF-IDF + topic)':<28} {result['precision_at_5']:>12}")
    print(f"{'same topic only (baseline)':<28} {result['baseline_precision_at_5']:>12}")
    print(f"compute on save p50 {result['refresh_ms_p50']} ms; read p50 {result['read_ms_p50']} ms")
    out = ROOT / "bench" / "results" / f"similar-{connection.vendor}-{len(ids)}.json"
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
