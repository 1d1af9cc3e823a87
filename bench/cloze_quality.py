"""How good and how fast cloze generation (recall.lib.study.cloze) is. No database needed.

    .venv/bin/python bench/cloze_quality.py [--repeat 50]

Measures, against the targets of issue 5, on the demo resources in demo/ (the reference
page among them) and the reference page from ../shared/seeds/:

* key spans: the share of generated clozes whose hidden span is a date, a number, a proper
  noun or a rare term, judged here by checks of the span itself, independent of the kind
  the generator gave it (target >= 90%);
* coverage: the share of points (bullets and paragraphs) that get a cloze (target >= 95%);
* speed: the time to generate every study card of the reference page, first call and the
  median of --repeat calls after warm-up (target < 50 ms after warm-up).

Prints a table and writes bench/results/cloze_quality.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wordfreq import zipf_frequency  # noqa: E402

from recall.lib.resource_text import parse_resource_text  # noqa: E402
from recall.lib.study.cloze import CLOZE, card_points, study_cards  # noqa: E402

DEMO = ROOT / "demo"
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_0f10dd67f1622df6.txt"
OUT = ROOT / "bench" / "results" / "cloze_quality.json"
TARGETS = {"key_span_share": 0.90, "coverage": 0.95, "reference_ms": 50.0}
RARE_ZIPF = 3.6  # rare: under about 4 uses a million words (wordfreq, English)
_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
_YEAR = re.compile(r"\b(1[0-9]|20)\d{2}s?\b")


def judge(span: str, point: str, start: int) -> str:
    """What the hidden span is, by looking at it: date, number, proper noun, rare, other."""
    if _YEAR.search(span) or (_MONTH.search(span) and re.search(r"\d", span)):
        return "date"
    if re.search(r"\d", span):
        return "number"
    words = re.findall(r"[^\W\d_][\w'’-]*", span)
    if not words:
        return "other"
    opens_sentence = start == 0 or re.search(r"[.!?]\s+$", point[:start]) is not None
    capitals = [w for w in words if w[0].isupper()]
    if capitals and len(capitals) == len([w for w in words if w.lower() not in {"of", "de"}]):
        # A capital that only opens a sentence proves nothing; elsewhere it marks a name.
        if not opens_sentence or len(words) > 1 or zipf_frequency(words[0], "en") < 3.0:
            return "proper noun"
        if re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(words[0])}\b", point[start + 1 :]):
            return "proper noun"
    if min(zipf_frequency(w, "en") for w in words) < RARE_ZIPF:
        return "rare term"
    return "other"


def resources() -> list[tuple[str, list[tuple[str, str]], str]]:
    found = []
    for path in sorted(DEMO.iterdir()):
        if path.suffix in {".md", ".txt"}:
            parsed = parse_resource_text(path.read_text(encoding="utf-8"))
            found.append((path.name, [(c.heading, c.body) for c in parsed.cards], parsed.kind))
    if REFERENCE.exists():
        parsed = parse_resource_text(REFERENCE.read_text(encoding="utf-8"))
        found.append(("reference page", [(c.heading, c.body) for c in parsed.cards], parsed.kind))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    kinds: Counter[str] = Counter()
    generator_kinds: Counter[str] = Counter()
    points = clozes = 0
    misses: list[str] = []
    others: list[str] = []
    per_resource = []
    for name, cards, kind in resources():
        generated = study_cards(cards, kind=kind)
        resource_points = sum(len(card_points(body)) for _, body in cards)
        resource_clozes = [c for c in generated if c.kind == CLOZE]
        covered = {c.point for c in resource_clozes}
        for _, body in cards:
            misses += [p for p in card_points(body) if p not in covered]
        for card in resource_clozes:
            verdict = judge(card.span.text, card.point, card.span.start)
            kinds[verdict] += 1
            generator_kinds[card.span.kind] += 1
            if verdict == "other":
                others.append(f"{card.span.text!r} in {card.point!r}")
        points += resource_points
        clozes += len(resource_clozes)
        per_resource.append({"resource": name, "points": resource_points,
                             "clozes": len(resource_clozes)})  # fmt: skip

    key_share = (clozes - kinds["other"]) / clozes
    coverage = clozes / points

    reference = parse_resource_text(REFERENCE.read_text(encoding="utf-8"))
    pairs = [(c.heading, c.body) for c in reference.cards]
    started = time.perf_counter()
    study_cards(pairs)
    first_ms = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        study_cards(pairs)
        timings.append((time.perf_counter() - started) * 1000)
    warm_ms = statistics.median(timings)

    rows = [
        ("resources (demo/ and the reference page)", f"{len(per_resource)}", ""),
        ("points / clozes", f"{points} / {clozes}", ""),
        ("clozes hiding a date, number, proper noun or rare term",
         f"{key_share:.1%}", ">= 90%"),
        ("  by span: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()), "", ""),
        ("points that get a cloze", f"{coverage:.1%}", ">= 95%"),
        ("reference page: generate, once more / warm median",
         f"{first_ms:.1f} ms / {warm_ms:.2f} ms", "< 50 ms"),
    ]  # fmt: skip
    print("| measure | value | target |\n| --- | --- | --- |")
    for measure, value, target in rows:
        print(f"| {measure} | {value} | {target} |")
    if others:
        print("\nspans judged 'other':")
        for line in others:
            print(" ", line)
    if misses:
        print("\npoints without a cloze:")
        for line in misses:
            print(" ", line)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "points": points,
                "clozes": clozes,
                "key_span_share": key_share,
                "span_judgements": dict(kinds),
                "generator_kinds": dict(generator_kinds),
                "coverage": coverage,
                "reference_first_ms": first_ms,
                "reference_warm_median_ms": warm_ms,
                "targets": TARGETS,
                "met": {
                    "key_span_share": key_share >= TARGETS["key_span_share"],
                    "coverage": coverage >= TARGETS["coverage"],
                    "reference_ms": warm_ms < TARGETS["reference_ms"],
                },
                "others": others,
                "points_without_cloze": misses,
                "per_resource": per_resource,
            },
            indent=2,
        )
    )
    print(f"\nwrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
