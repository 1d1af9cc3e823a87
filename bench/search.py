"""Search latency on generated corpora (bench/generate.py), through the search page's code.

    .venv/bin/python bench/search.py \
        sqlite:////tmp/recall-search/10k.sqlite3 sqlite:////tmp/recall-search/100k.sqlite3 \
        postgres://postgres@127.0.0.1:5432/recall_bench_10k \
        postgres://postgres@127.0.0.1:5432/recall_bench_100k [--repeat 30]

With no database named, the one of DATABASE_URL. For each database, in one run, a fixed
mix of queries (one word, two words, phrase, misspelled, rare, common, filtered) drawn
from the corpus; p50/p95/p99 in milliseconds of recall.search.service.search_resources
(parse, correct, count, rank, snippets, load the page of resources; the corrector's kept
corrections forgotten before each call, as for a query never seen), beside a naive
`icontains` scan over titles and card text (the floor any real search must beat) and,
for each SQLite corpus, tantivy (`pip install -e '.[bench]'`) over the same documents in a
temporary directory, asked the same queries for 20 hits with their count and a snippet
(the mark to reach). Memory too: the spelling corrector's vocabulary (words, and the size
of its arrays), and the measuring process's VmRSS and VmHWM (peak) before the corrector is
built, once it is, and after all the queries. Each database is measured in a child process
of its own. Prints a table, writes JSON to bench/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ["one word", "two words", "phrase", "misspelled", "rare", "common", "filtered"]


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]

    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(pick(0.95), 2),
        "p99": round(pick(0.99), 2),
    }


def timed(function, repeat: int, warm: bool = True) -> dict[str, float]:
    """Wall-clock percentiles, and the median CPU time of this process (the part of a
    call that other load on the machine cannot stretch; without a database server's)."""
    if warm:
        function()  # caches, the corrector's first lookups
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return {
        **percentiles(times),
        "cpu p50": round(statistics.median(cpu), 2),
        "cpu p95": percentiles(cpu)["p95"],
    }


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status") as status:
        found = dict(line.split(":", 1) for line in status)
    return {key: round(int(found[key].split()[0]) / 1024, 1) for key in ("VmRSS", "VmHWM")}


def measure(repeat: int, scan_repeat: int, with_tantivy: bool) -> dict:
    """Runs inside Django, on the database of DATABASE_URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Q

    from recall.lib.search_text import STOP_WORDS, words
    from recall.library.models import Resource
    from recall.search.backends import Filters
    from recall.search.models import SearchDocument, SearchTerm
    from recall.search.service import query_corrector, search_resources

    def pick_queries() -> dict[str, tuple[str, Filters]]:
        """Queries drawn from the corpus itself, so that each type has matches."""
        frequencies = dict(SearchTerm.objects.values_list("term", "documents"))
        total = max(1, SearchDocument.objects.count())
        document = SearchDocument.objects.order_by("resource_id")[total // 2]
        body = [w for w in words(document.body) if w not in STOP_WORDS and len(w) > 3]
        by_frequency = sorted(set(body), key=lambda w: (frequencies.get(w, 0), w))
        rare, middle = by_frequency[0], by_frequency[len(by_frequency) // 2]
        common = max(
            sorted(frequencies), key=lambda w: (w not in STOP_WORDS and len(w) > 3, frequencies[w])
        )
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

    def uncached(query: str, filters: Filters):
        query_corrector().forget_corrections()
        return search_resources(query, filters, 0, 20)

    count = SearchDocument.objects.count()
    memory = {"before": memory_mb()}
    started = time.perf_counter()
    vocabulary = query_corrector().vocabulary
    vocabulary_ms = (time.perf_counter() - started) * 1000
    memory["vocabulary built"] = memory_mb()
    queries = pick_queries()
    engine = Tantivy(SearchDocument.objects.iterator()) if with_tantivy else None
    rows = []
    for name, (query, filters) in queries.items():
        outcome = search_resources(query, filters, 0, 20)
        row = {
            "query type": name,
            "query": query,
            "matches": outcome.total,
            "matches exact": outcome.total_exact,  # else more than "matches" (counting stops)
            # Each search as if its words were new: the corrector keeps corrections.
            "recall": timed(lambda q=query, f=filters: uncached(q, f), repeat),
            "icontains": timed(lambda q=query, f=filters: icontains(q, f), scan_repeat, warm=False),
        }
        if engine:
            row["tantivy matches"] = engine.search(query, filters, name == "misspelled")
            row["tantivy"] = timed(
                lambda q=query, f=filters, n=name: engine.search(q, f, n == "misspelled"), repeat
            )
        rows.append(row)
    memory["after the searches"] = memory_mb()
    with open("/proc/loadavg") as load:
        load_average = float(load.read().split()[0])
    return {
        "database": connection.vendor,
        "resources": count,
        "vocabulary_ms": round(vocabulary_ms),
        "vocabulary_words": len(vocabulary),
        "vocabulary_mb": round(vocabulary.nbytes / 2**20, 2),
        # This process's VmRSS and VmHWM (peak): before the corrector, once it is built, and
        # after every query above (the benchmark's own query picking and scan included).
        "memory_mb": memory,
        "tantivy_index_s": engine.built_in if engine else None,
        "load_average": load_average,
        "rows": rows,
    }


class Tantivy:
    """The same documents in a tantivy index: English stemming, titles boosted 10 to 1."""

    def __init__(self, documents) -> None:
        import tantivy

        self.tantivy = tantivy
        started = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True)
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("facets", tokenizer_name="default")
        self.schema = builder.build()
        self.directory = tempfile.TemporaryDirectory(prefix="recall-tantivy-")
        self.index = tantivy.Index(self.schema, path=self.directory.name)
        writer = self.index.writer(heap_size=200_000_000)
        for d in documents:
            writer.add_document(
                tantivy.Document(id=d.resource_id, title=d.title, body=d.body, facets=d.facets)
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.built_in = round(time.perf_counter() - started, 1)

    def search(self, query: str, filters, fuzzy: bool) -> int:
        text = query
        if filters.topic_id:
            text = f"({query}) AND facets:t{filters.topic_id}"
        parsed = self.index.parse_query(
            text,
            ["title", "body"],
            field_boosts={"title": 10.0},
            fuzzy_fields={"title": (False, 1, True), "body": (False, 1, True)} if fuzzy else None,
            conjunction_by_default=True,
        )
        found = self.searcher.search(parsed, 20, count=True)
        snippets = self.tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "body")
        for _, address in found.hits:
            document = self.searcher.doc(address)
            snippets.snippet_from_doc(document).to_html()
        return found.count


def matches(row: dict) -> str:
    return f"{row['matches']:,}" + ("" if row.get("matches exact", True) else "+")


def table(results: list[dict]) -> str:
    lines = []
    for result in results:
        lines.append(
            f"\n{result['database']}, {result['resources']:,} resources "
            f"(vocabulary {result['vocabulary_ms']} ms, load average {result['load_average']})"
        )
        if "memory_mb" in result:
            stages = ", ".join(
                f"{stage} {m['VmRSS']} (peak {m['VmHWM']})"
                for stage, m in result["memory_mb"].items()
            )
            lines.append(
                f"vocabulary: {result['vocabulary_words']:,} words in "
                f"{result['vocabulary_mb']} MB; process MB: {stages}"
            )
        lines.append(
            f"{'query type':<11} {'matches':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'cpu':>6} "
            f"{'cpu p95':>7} {'scan p50':>9} {'tantivy p50':>12} {'p95':>7} {'cpu':>6}"
        )
        for row in result["rows"]:
            r, t = row["recall"], row.get("tantivy") or {}
            lines.append(
                f"{row['query type']:<11} {matches(row):>8} {r['p50']:>7} {r['p95']:>7} "
                f"{r['p99']:>7} {r['cpu p50']:>6} {r['cpu p95']:>7} {row['icontains']['p50']:>9} "
                f"{t.get('p50', ''):>12} {t.get('p95', ''):>7} {t.get('cpu p50', ''):>6}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="*", help="DATABASE_URLs of generated corpora")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scan-repeat", type=int, default=3)
    parser.add_argument("--no-tantivy", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = measure(args.repeat, args.scan_repeat, not args.no_tantivy)
        print(json.dumps(result))
        return
    databases = args.databases or [os.environ.get("DATABASE_URL", "")]
    results = []
    for url in databases:
        command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
        command += ["--scan-repeat", str(args.scan_repeat)]
        if args.no_tantivy or url.startswith("postgres"):
            command.append("--no-tantivy")  # the same documents: once per size is enough
        print(f"measuring {url or 'the default database'} ...", file=sys.stderr)
        environment = {**os.environ, "DATABASE_URL": url} if url else dict(os.environ)
        child = subprocess.run(  # noqa: S603 - this script, our arguments
            command, env=environment, capture_output=True, text=True
        )
        if child.returncode:
            sys.exit(f"search.py: measuring {url} failed:\n{child.stderr}")
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(table(results))
    out = ROOT / "bench" / "results" / "search.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
