"""How well our scheduling code predicts recall on a real review log. No database needed.

    .venv/bin/python bench/study_prediction.py

Replays ../shared/data/reviews/review_logs_josh.csv (12,580 reviews of 1,205 cards,
2024-03-29 to 2024-10-06, from py-fsrs's tests, MIT) in time order through
recall.lib.study.scheduling (py-fsrs FSRS-6, fuzz off, desired retention 0.9), and
scores the recall probability it predicts before each review against what happened
(recalled = any rating but Again): log loss and RMSE. Scored reviews are those at least
24 hours after the card's previous one (sooner ones are same-day reviews, which FSRS
does not predict), among the last 20% of the log by time.

Two parameter sets: py-fsrs's defaults, and parameters fitted by fsrs-rs-python
(recall.lib.study.optimiser.optimise, as manage.py optimize_fsrs does) on the first 80%
of the log by time only. Both replay the whole log, so the cards' states at the split
are what each parameter set made of the first 80%. "constant" predicts, for every scored
review, the share recalled in the training part: what a model that knows nothing of the
card would score.

Then, as the FSRS benchmark does with time-series splits, five more fits: on the first
50%, 60%, 70%, 80% and 90% of the log, each scored on the next 10%; and a model check:
fsrs-rs's own memory_state for each scored review's history, with the fitted
parameters, must give the probability our replay gave (the same model, days counted
the same way). Prints tables and writes bench/results/study_prediction.json, with CPU
time (time.process_time) and the load average.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsrs_rs_python import FSRS, FSRSItem, FSRSReview  # noqa: E402

from recall.lib.study import optimiser, scheduling  # noqa: E402

SHARED = Path(os.environ.get("RECALL_SHARED_DIR", ROOT.parent / "shared"))
LOG = SHARED / "data" / "reviews" / "review_logs_josh.csv"
OUT = ROOT / "bench" / "results" / "study_prediction.json"
TRAIN_SHARE = 0.8
WINDOWS = (0.5, 0.6, 0.7, 0.8, 0.9)  # fit on the log before, score the next 10%


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


def training_recall(reviews: list[optimiser.Review]) -> float:
    """The share of reviews at least a day after the card's previous one not rated Again."""
    outcomes = [
        int(review.rating != scheduling.AGAIN)
        for history in optimiser.card_histories(reviews)
        for review, gap in history
        if gap > 0
    ]
    return sum(outcomes) / len(outcomes)


def constant_log_loss(p: float, recalled: float) -> float:
    return -(recalled * math.log(p) + (1 - recalled) * math.log(1 - p))


def model_check(
    reviews: list[optimiser.Review], parameters: list[float], since: datetime
) -> tuple[int, float]:
    """Largest difference between fsrs-rs's prediction (memory_state over each scored
    review's history, then FSRS-6's forgetting curve) and our replay's."""
    fsrs = FSRS(parameters)
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    ours: dict[tuple, float] = {}
    states: dict = {}
    chosen = tuple(parameters)
    for review in reviews:
        state = states.get(review.card)
        if state is not None and review.at >= since:
            if scheduling.elapsed_days(state.last_review, review.at) >= 1:
                ours[review.card, review.at] = scheduling.retrievability(
                    state, review.at, parameters=chosen
                )
        states[review.card] = scheduling.review(state, review.rating, review.at, parameters=chosen)
    largest = 0.0
    for history in optimiser.card_histories(reviews):
        steps: list[FSRSReview] = []
        for review, gap in history:
            if (review.card, review.at) in ours:
                stability = fsrs.memory_state(FSRSItem(list(steps))).stability
                theirs = (1 + factor * gap / stability) ** decay
                largest = max(largest, abs(theirs - ours[review.card, review.at]))
            steps.append(FSRSReview(review.rating, gap))
    return len(ours), largest


def main() -> None:
    if not LOG.exists():
        sys.exit(f"study_prediction.py: {LOG} is missing (set RECALL_SHARED_DIR).")
    reviews = read_log(LOG)
    split = int(len(reviews) * TRAIN_SHARE)
    split_at = reviews[split].at
    cpu = time.process_time()
    started = time.perf_counter()
    fitted = optimiser.optimise(reviews[:split])
    fit_seconds = time.perf_counter() - started
    fit_cpu = time.process_time() - cpu
    sets = {"default": list(scheduling.DEFAULT_PARAMETERS), "optimised on first 80%": fitted}
    results = {}
    for name, parameters in sets.items():
        cpu = time.process_time()
        ours = optimiser.replay(reviews, parameters=parameters, scored_from=split_at)
        results[name] = {
            "parameters": parameters,
            "scored": ours.count,
            "log_loss": round(ours.log_loss, 4),
            "rmse": round(ours.rmse, 4),
            "recalled": round(ours.recalled, 4),
            "mean_prediction": round(ours.mean_prediction, 4),
            "replay_cpu_seconds": round(time.process_time() - cpu, 2),
        }
    base = training_recall(reviews[:split])
    recalled = results["default"]["recalled"]
    results["constant (training share recalled)"] = {
        "scored": results["default"]["scored"],
        "log_loss": round(constant_log_loss(base, recalled), 4),
        "rmse": round(math.sqrt(recalled * (1 - base) ** 2 + (1 - recalled) * base**2), 4),
        "recalled": recalled,
        "mean_prediction": round(base, 4),
    }
    print(
        f"{len(reviews):,} reviews of {len({r.card for r in reviews}):,} cards; trained on "
        f"{split:,} ({len(optimiser.training_items(reviews[:split])):,} items, to "
        f"{split_at:%Y-%m-%d}), fitted in {fit_seconds:.2f} s ({fit_cpu:.2f} s CPU)"
    )
    print(
        f"{'parameters':<34} {'scored':>6} {'log loss':>8} {'RMSE':>6} {'mean p':>6} "
        f"{'recalled':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<34} {r['scored']:>6,} {r['log_loss']:>8.4f} {r['rmse']:>6.4f} "
            f"{r['mean_prediction']:>6.3f} {r['recalled']:>8.3f}"
        )

    windows = []
    print(f"\n{'fitted on':<10} {'scored':>6} {'default':>8} {'fitted':>8} {'constant':>8}")
    for share in WINDOWS:
        start, end = int(len(reviews) * share), int(len(reviews) * (share + 0.1))
        since = reviews[start].at
        until = reviews[end].at if end < len(reviews) else reviews[-1].at + timedelta(1)
        scored = [review for review in reviews if review.at < until]
        parameters = optimiser.optimise(reviews[:start])
        default = optimiser.replay(scored, scored_from=since)
        mine = optimiser.replay(scored, parameters=parameters, scored_from=since)
        constant = constant_log_loss(training_recall(reviews[:start]), default.recalled)
        windows.append(
            {
                "fitted_on_share": share,
                "scored": default.count,
                "default_log_loss": round(default.log_loss, 4),
                "fitted_log_loss": round(mine.log_loss, 4),
                "constant_log_loss": round(constant, 4),
                "default_rmse": round(default.rmse, 4),
                "fitted_rmse": round(mine.rmse, 4),
            }
        )
        print(
            f"{share:<10.0%} {default.count:>6,} {default.log_loss:>8.4f} {mine.log_loss:>8.4f} "
            f"{constant:>8.4f}"
        )
    mean = {
        key: round(sum(w[key] for w in windows) / len(windows), 4)
        for key in ("default_log_loss", "fitted_log_loss", "constant_log_loss")
    }
    print(
        f"{'mean':<10} {'':>6} {mean['default_log_loss']:>8.4f} {mean['fitted_log_loss']:>8.4f} "
        f"{mean['constant_log_loss']:>8.4f}"
    )

    checked, largest = model_check(reviews, fitted, split_at)
    print(f"\nmodel check: fsrs-rs and our replay differ by at most {largest:.2g} on {checked:,}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "log": str(LOG.relative_to(SHARED)) if LOG.is_relative_to(SHARED) else str(LOG),
                "reviews": len(reviews),
                "train_reviews": split,
                "split_at": split_at.isoformat(),
                "fit_seconds": round(fit_seconds, 2),
                "fit_cpu_seconds": round(fit_cpu, 2),
                "load_average": os.getloadavg()[0],
                "python": platform.python_version(),
                "results": results,
                "windows": windows,
                "windows_mean": mean,
                "model_check": {"scored": checked, "largest_difference": largest},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
