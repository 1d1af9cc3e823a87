"""How well and how fast the quality checks (recall.lib.quality) work. No database needed.

    .venv/bin/python bench/spelling.py [--repeat 50]

Measures, against the targets of issue 6:

* detection recall and correction accuracy on Peter Norvig's spelling test sets
  (../shared/data/spelling/norvig-spell-testset1.txt and -testset2.txt, from the Birkbeck
  spelling error corpus by Roger Mitton): each "wrong" form is checked alone, as a card
  holding that one word. Some wrong forms are English words themselves (real-word errors
  no check of a lone word can flag); they are counted in "all" and left out of "non-word".
  Set 1 was used to tune the ranking weights (typos.py); set 2 is held out.
* false alarms on every word of the 11 Markdown files in demo/ (spelled correctly on
  purpose): with the shipped word lists and the corpus vocabulary learned from the other
  demo resources (as the site checks), and with English alone (no lists, no corpus);
* the reference page's listed mistakes: found, with the right first suggestion;
* the time to check the reference page, once and after warm-up (median of --repeat);
* the start-up cost of loading the dictionaries, in a fresh interpreter: seconds, RSS
  growth (psutil) and the Python allocation peak (tracemalloc).

Prints a table and writes bench/results/spelling.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
NORVIG = [SHARED / "data" / "spelling" / f"norvig-spell-testset{n}.txt" for n in (1, 2)]
DEMO = ROOT / "demo"
REFERENCE = DEMO / "the-rise-of-kruschev.txt"
WORDLISTS = ROOT / "recall" / "quality" / "wordlists"
OUT = ROOT / "bench" / "results" / "spelling.json"
CITATION = (
    "Norvig test sets from Peter Norvig, 'How to Write a Spelling Corrector' "
    "(norvig.com/spell-correct.html), drawn from the Birkbeck spelling error corpus "
    "(Roger Mitton, Oxford Text Archive)."
)
TARGETS = {
    "detection_recall": 0.95,
    "correction_at_1": 0.75,
    "false_alarm_rate": 0.005,
    "reference_check_ms": 50.0,
    "startup_seconds": 1.0,
    "startup_mb": 150.0,
}
REFERENCE_MISTAKES = [
    ("Kruschev", "Khrushchev"),
    ("greif", "grief"),
    ("co-existance", "coexistence"),
    ("independance", "independence"),
    ("astonoshing", "astonishing"),
    ("hopefull", "hopeful"),
    ("he", "He"),  # "he had defeated": a sentence starting in lower case
    ("allowance", "alliance"),  # "military allowance"
    ("Marshall", "Marshal"),  # "Marshall Tito"
]

STARTUP_CHILD = """
import json, sys, time, tracemalloc
sys.path.insert(0, {root!r})
mode = sys.argv[1]
if mode == "trace":
    tracemalloc.start()
import psutil
process = psutil.Process()
rss = process.memory_info().rss
start = time.perf_counter()
from recall.lib.quality import english_lexicon, Vocabulary, read_word_list
from pathlib import Path
english_lexicon()
Vocabulary(e for p in sorted(Path({lists!r}).glob("*.txt")) for e in read_word_list(p))
seconds = time.perf_counter() - start
result = {{"seconds": seconds, "rss_mb": (process.memory_info().rss - rss) / 2**20}}
if mode == "trace":
    result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps(result))
"""


def startup() -> dict:
    """Load the dictionaries in fresh interpreters: best of three for time and RSS."""
    code = STARTUP_CHILD.format(root=str(ROOT), lists=str(WORDLISTS))
    runs = []
    for _ in range(3):
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code, "plain"], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    traced = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, "trace"], capture_output=True, text=True, check=True
    )
    return {
        "seconds": min(r["seconds"] for r in runs),
        "seconds_runs": [round(r["seconds"], 3) for r in runs],
        "rss_mb": min(r["rss_mb"] for r in runs),
        "tracemalloc_peak_mb": json.loads(traced.stdout)["tracemalloc_peak_mb"],
    }


def norvig_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        right, _, wrongs = line.partition(":")
        pairs += [(right.strip(), wrong) for wrong in wrongs.split()]
    return pairs


def norvig(path: Path, vocabulary, lexicon) -> dict:
    from recall.lib.quality import Kind, check_text

    pairs = norvig_pairs(path)
    flagged = correct = real_words = flagged_non_word = correct_non_word = 0
    for right, wrong in pairs:
        real_word = wrong.lower() in lexicon
        real_words += real_word
        words = [
            f
            for f in check_text([("", wrong)], vocabulary, lexicon=lexicon)
            if f.kind in (Kind.MISSPELLING, Kind.INCONSISTENCY)
        ]
        hit = bool(words)
        right_first = hit and bool(words[0].suggestions) and words[0].suggestions[0] == right
        flagged += hit
        correct += right_first
        if not real_word:
            flagged_non_word += hit
            correct_non_word += right_first
    non_words = len(pairs) - real_words
    return {
        "file": path.name,
        "misspellings": len(pairs),
        "real_word_forms": real_words,
        "detection_recall": flagged / len(pairs),
        "detection_recall_non_word": flagged_non_word / non_words,
        "correction_at_1": correct / len(pairs),
        "correction_at_1_non_word": correct_non_word / non_words,
    }


def demo_resources() -> dict[str, list[tuple[str, str]]]:
    from recall.lib.resource_text import parse_resource_text

    resources = {}
    for path in sorted(DEMO.glob("*.md")) + [REFERENCE]:
        parsed = parse_resource_text(path.read_text(encoding="utf-8"))
        resources[path.name] = (parsed.title, [(c.heading, c.body) for c in parsed.cards])
    return resources


def corpus_vocabulary(entries, resources, leave_out: str):
    """The site's vocabulary for one resource: the lists plus the other resources."""
    from recall.lib.quality.vocabulary import corpus_vocabulary as build
    from recall.lib.quality.vocabulary import document_terms

    words, pairs = Counter(), Counter()
    for name, (title, cards) in resources.items():
        if name != leave_out:
            resource_words, resource_pairs = document_terms(title, cards)
            words.update(resource_words)
            pairs.update(resource_pairs)
    return build(entries, words, pairs)


def precision(entries, resources, lexicon) -> dict:
    from recall.lib.quality import Vocabulary, check_text
    from recall.lib.quality.markdown_text import visible_text
    from recall.lib.quality.vocabulary import WORD

    words = 0
    alarms = {"site": [], "english_only": []}
    for name, (title, cards) in resources.items():
        if name == REFERENCE.name:
            continue
        words += len(WORD.findall(title))
        for heading, body in cards:
            words += len(WORD.findall(heading)) + len(WORD.findall(visible_text(body)))
        site = corpus_vocabulary(entries, resources, leave_out=name)
        for config, vocabulary in (("site", site), ("english_only", Vocabulary())):
            for f in check_text(cards, vocabulary, title=title, lexicon=lexicon):
                alarms[config].append(f"{name}: {f.text} ({f.kind.value})")
    return {
        "words": words,
        "false_alarms": len(alarms["site"]),
        "false_alarm_rate": len(alarms["site"]) / words,
        "false_alarms_english_only": len(alarms["english_only"]),
        "false_alarm_rate_english_only": len(alarms["english_only"]) / words,
        "examples_english_only": alarms["english_only"][:40],
        "examples": alarms["site"],
    }


def reference(entries, resources, lexicon, repeat: int) -> dict:
    from recall.lib.quality import check_text

    title, cards = resources[REFERENCE.name]
    vocabulary = corpus_vocabulary(entries, resources, leave_out=REFERENCE.name)
    start = time.perf_counter()
    findings = check_text(cards, vocabulary, title=title, lexicon=lexicon)
    first_ms = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_text(cards, vocabulary, title=title, lexicon=lexicon)
        times.append((time.perf_counter() - start) * 1000)
    rows = []
    for text, fix in REFERENCE_MISTAKES:
        found = [f for f in findings if f.text == text]
        rows.append(
            {
                "text": text,
                "expected": fix,
                "found": len(found),
                "kind": found[0].kind.value if found else "",
                "confidence": found[0].confidence.value if found else "",
                "first_suggestion": found[0].suggestions[0]
                if found and found[0].suggestions
                else "",
                "right": bool(found) and all(f.suggestions[:1] == (fix,) for f in found),
            }
        )
    listed = {text for text, _ in REFERENCE_MISTAKES}
    return {
        "mistakes": rows,
        "all_right": all(row["right"] for row in rows),
        "other_findings": [f"{f.location}: {f.text}" for f in findings if f.text not in listed],
        "first_check_ms": first_ms,
        "check_ms_median": statistics.median(times),
        "check_ms_p95": sorted(times)[int(0.95 * (len(times) - 1))],
    }


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    ok = value >= target if higher_is_better else value <= target
    if ok:
        return "met"
    gap = (target - value) if higher_is_better else (value - target)
    return f"MISSED by {gap:.3g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="warm checks to time")
    args = parser.parse_args()

    boot = startup()
    from recall.lib.quality import english_lexicon, read_word_list

    lexicon = english_lexicon()
    entries = [e for p in sorted(WORDLISTS.glob("*.txt")) for e in read_word_list(p)]
    from recall.lib.quality import Vocabulary

    lists = Vocabulary(entries)
    sets = [norvig(path, lists, lexicon) for path in NORVIG]
    total = sum(s["misspellings"] for s in sets)
    combined = {
        key: sum(s[key] * s["misspellings"] for s in sets) / total
        for key in ("detection_recall", "correction_at_1")
    }
    resources = demo_resources()
    demo = precision(entries, resources, lexicon)
    ref = reference(entries, resources, lexicon, args.repeat)

    rows = []
    for s in sets:
        rows.append((f"{s['file']}: detection recall", f"{s['detection_recall']:.1%}", "", ""))
        rows.append(
            (
                f"{s['file']}: correction accuracy @1",
                f"{s['correction_at_1']:.1%}",
                "",
                f"non-word forms: {s['correction_at_1_non_word']:.1%} of "
                f"{s['misspellings'] - s['real_word_forms']}",
            )
        )
    rows += [
        (
            "Norvig sets 1+2: detection recall",
            f"{combined['detection_recall']:.1%}",
            f">= {TARGETS['detection_recall']:.0%}",
            verdict(combined["detection_recall"], TARGETS["detection_recall"], True),
        ),
        (
            "Norvig sets 1+2: correction accuracy @1",
            f"{combined['correction_at_1']:.1%}",
            f">= {TARGETS['correction_at_1']:.0%}",
            verdict(combined["correction_at_1"], TARGETS["correction_at_1"], True),
        ),
        (
            f"demo false alarms ({demo['words']} words)",
            f"{demo['false_alarms']} ({demo['false_alarm_rate']:.2%})",
            f"<= {TARGETS['false_alarm_rate']:.1%}",
            verdict(demo["false_alarm_rate"], TARGETS["false_alarm_rate"], False),
        ),
        (
            "  same, English only (no word lists, no corpus)",
            f"{demo['false_alarms_english_only']} ({demo['false_alarm_rate_english_only']:.2%})",
            "",
            "for comparison",
        ),
        (
            "reference page: listed mistakes, right first fix",
            f"{sum(r['right'] for r in ref['mistakes'])} of {len(ref['mistakes'])}",
            "all",
            "met" if ref["all_right"] else "MISSED",
        ),
        ("reference page: first check (ms)", f"{ref['first_check_ms']:.1f}", "", ""),
        (
            f"reference page: warm check, median of {args.repeat} (ms)",
            f"{ref['check_ms_median']:.1f}",
            f"< {TARGETS['reference_check_ms']:.0f}",
            verdict(ref["check_ms_median"], TARGETS["reference_check_ms"], False),
        ),
        (
            "start-up: load dictionaries (s, best of 3)",
            f"{boot['seconds']:.2f}",
            f"< {TARGETS['startup_seconds']:.0f}",
            verdict(boot["seconds"], TARGETS["startup_seconds"], False),
        ),
        (
            "start-up: RSS growth (MB)",
            f"{boot['rss_mb']:.0f}",
            f"< {TARGETS['startup_mb']:.0f}",
            verdict(boot["rss_mb"], TARGETS["startup_mb"], False),
        ),
        ("start-up: tracemalloc peak (MB)", f"{boot['tracemalloc_peak_mb']:.0f}", "", ""),
    ]
    widths = [
        max(len(row[i]) for row in rows + [("measure", "value", "target", "")]) for i in range(4)
    ]
    header = ("measure", "value", "target", "")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print()
    for row in ref["mistakes"]:
        print(
            f"  {row['text']:<13} -> {row['first_suggestion']:<12} "
            f"({row['kind']}, {row['confidence']}, {row['found']}x) "
            f"{'right' if row['right'] else 'WRONG'}"
        )
    if ref["other_findings"]:
        print("  other findings on the reference page:", ", ".join(ref["other_findings"]))
    print(f"\n{CITATION}")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "targets": TARGETS,
                "norvig": sets,
                "norvig_combined": combined,
                "demo": demo,
                "reference": ref,
                "startup": boot,
                "citation": CITATION,
            },
            indent=2,
        )
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
