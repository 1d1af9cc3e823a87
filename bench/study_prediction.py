"""How well our scheduling code predicts recall on a real review log. No database needed.

    .venv/bin/python bench/study_prediction.py

Replays ../shared/data/reviews/review_logs_josh.csv (12,580 reviews of 1,205 cards,
2024-03-29 to 2024-10-06, from py-fsrs's tests, MIT) in time order through
recall.lib.study.scheduling (py-fsrs FSRS-6, fuzz off, desired retention 0.9), and
scores the recall probability it predicts before each review against what happened
(recalled = any rating but Again): log loss and RMSE. Scored reviews are those at least
24 hours after the card's previous one (sooner ones are learning steps, which FSRS does
not predict), among the last 20% of the log by time.

Two parameter sets: py-fsrs's defaults, and parameters fitted by fsrs-rs-python
(recall.lib.study.optimiser.optimise, as manage.py optimize_fsrs does) on the first 80%
of the log only. Both replay the whole log, so the cards' states at the split are what
each parameter set made of the first 80%. (fsrs-rs-python 0.9.3's own evaluate() answers
InvalidInput for these items, so its figures are not given.) Prints a table and writes
bench/results/study_prediction.json.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recall.lib.study import optimiser, scheduling  # noqa: E402

SHARED = Path(os.environ.get("RECALL_SHARED_DIR", ROOT.parent / "shared"))
LOG = SHARED / "data" / "reviews" / "review_logs_josh.csv"
OUT = ROOT / "bench" / "results" / "study_prediction.json"
TRAIN_SHARE = 0.8


def read_log(path: Path) -> list[optimiser.Review]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    reviews = [
        optimiser.Review(
            row["card_id"], datetime.fromisoformat(row["review_time"]), int(row["review_rating"])
        )
        for row in rows
    ]
    reviews.sort(key=lambda review: review.at)
    return reviews


def main() -> None:
    if not LOG.exists():
        sys.exit(f"study_prediction.py: {LOG} is missing (set RECALL_SHARED_DIR).")
    reviews = read_log(LOG)
    split = int(len(reviews) * TRAIN_SHARE)
    split_at = reviews[split].at
    started = time.perf_counter()
    fitted = optimiser.optimise(reviews[:split])
    fit_seconds = time.perf_counter() - started
    sets = {"default": list(scheduling.DEFAULT_PARAMETERS), "optimised on first 80%": fitted}
    results = {}
    for name, parameters in sets.items():
        started = time.perf_counter()
        ours = optimiser.replay(reviews, parameters=parameters, scored_from=split_at)
        replay_seconds = time.perf_counter() - started
        results[name] = {
            "parameters": parameters,
            "scored": ours.count,
            "log_loss": round(ours.log_loss, 4),
            "rmse": round(ours.rmse, 4),
            "recalled": round(ours.recalled, 4),
            "mean_prediction": round(ours.mean_prediction, 4),
            "replay_seconds": round(replay_seconds, 2),
        }
    print(
        f"{len(reviews):,} reviews of {len({r.card for r in reviews}):,} cards; trained on "
        f"{split:,} (to {split_at:%Y-%m-%d}), fitted in {fit_seconds:.2f} s"
    )
    print(
        f"{'parameters':<24} {'scored':>6} {'log loss':>8} {'RMSE':>6} {'mean p':>6} "
        f"{'recalled':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<24} {r['scored']:>6,} {r['log_loss']:>8.4f} {r['rmse']:>6.4f} "
            f"{r['mean_prediction']:>6.3f} {r['recalled']:>8.3f}"
        )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "log": str(LOG.relative_to(SHARED)) if LOG.is_relative_to(SHARED) else str(LOG),
                "reviews": len(reviews),
                "train_reviews": split,
                "split_at": split_at.isoformat(),
                "fit_seconds": round(fit_seconds, 2),
                "python": platform.python_version(),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
