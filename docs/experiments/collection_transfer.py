"""Does a signal mean the same on a collection the fit never saw? Leave-one-collection-out AUROC.

Usage: python docs/experiments/collection_transfer.py ROWS.jsonl [ROWS.jsonl ...]
  ROWS: `rag calibrate --rows` files (thresholds at 0); each row names its `collection`.

For each path and each candidate set of answerability signals: fit on every collection but one,
score the one left out (AUROC of "answerable"), for each collection in turn. An absolute cosine
fitted on two collections did not carry to a third (issue 32: English refused on Wikipedia
questions by `unanswerable:dense_sentence`); this is the measure of whether a signal does.
Also each signal's own AUROC per collection and path.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rag.devtools.calibrate import collections, fit, load_rows, model_rows, prepared  # noqa: E402
from rag.devtools.evaluate import auroc  # noqa: E402

CANDIDATES = {
    "same": [
        ("log_p_no_answer", "coverage_best", "dense_best"),  # shipped before issue 32
        ("log_p_no_answer", "coverage_best", "dense_sentence_margin"),
        ("log_p_no_answer", "coverage_best", "dense_sentence_z"),
        ("log_p_no_answer", "coverage_best"),
        ("log_p_no_answer", "coverage_best", "dense_best", "dense_sentence_margin"),
    ],
    "cross": [
        ("log_p_no_answer", "dense_sentence"),  # shipped before issue 32
        ("log_p_no_answer", "dense_sentence_margin"),
        ("log_p_no_answer", "dense_sentence_z"),
        ("log_p_no_answer",),
        ("log_p_no_answer", "dense_sentence_margin", "dense_sentence_z"),
        ("log_p_no_answer", "dense_sentence", "dense_sentence_margin"),
    ],
}
SIGNALS = ("log_p_no_answer", "coverage_best", "dense_best", "dense_sentence", "dense_sentence_margin",
           "dense_sentence_z", "dense_gap", "type_present")


MIN_REFUSAL = 0.85  # as `rag calibrate` (pooled)


def threshold(unanswerable_probs: list[float]) -> float:
    """The lowest cut that refuses MIN_REFUSAL of the given unanswerables (probability below the cut)."""
    probs = sorted(unanswerable_probs)
    k = min(len(probs) - 1, max(0, int(-(-MIN_REFUSAL * len(probs) // 1)) - 1))
    return probs[k] + 1e-9


def main(paths: list[str]) -> None:
    rows = prepared([r for p in paths for r in load_rows(Path(p))])
    for path, sets in CANDIDATES.items():
        able, _ = model_rows(rows, path)
        groups = collections(able)
        names = sorted(groups)
        print(f"\n## {path}: answerability rows per collection " +
              ", ".join(f"{n} {len(groups[n])} ({sum(not r['answerable'] for r in groups[n])} unanswerable)" for n in names))
        print("\n| signals | " + " | ".join(f"left out: {n}" for n in names) + " | mean |")
        print("|---" * (len(names) + 2) + "|")
        transfer = []
        for features in sets:
            scores, rates = [], []
            for held in names:
                train = [r for n in names if n != held for r in groups[n]]
                test = groups[held]
                if len({r["answerable"] for r in train}) < 2 or len({r["answerable"] for r in test}) < 2:
                    scores.append(None)
                    rates.append(None)
                    continue
                model = fit([r["signals"] for r in train], [bool(r["answerable"]) for r in train], features, 1.0)
                scores.append(auroc([(model.probability(r["signals"]), bool(r["answerable"])) for r in test]))
                # The threshold the fit would ship (refusing MIN_REFUSAL of the training unanswerables), applied
                # to the collection it never saw: what a user of that collection meets.
                cut = threshold([model.probability(r["signals"]) for r in train if not r["answerable"]])
                answerable = [r for r in test if r["answerable"]]
                unanswerable = [r for r in test if not r["answerable"]]
                rates.append((sum(model.probability(r["signals"]) < cut for r in answerable) / len(answerable),
                              sum(model.probability(r["signals"]) < cut for r in unanswerable) / len(unanswerable)))
            done = [s for s in scores if s is not None]
            print(f"| {', '.join(features)} | " + " | ".join("–" if s is None else f"{s:.3f}" for s in scores)
                  + (f" | {sum(done) / len(done):.3f} |" if done else " | – |"))
            transfer.append((features, rates))
        print("\nAt the threshold fitted on the other collections (refusing "
              f"{MIN_REFUSAL} of their unanswerables): false refusal / unanswerables refused on the one left out\n")
        print("| signals | " + " | ".join(f"left out: {n}" for n in names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for features, rates in transfer:
            print(f"| {', '.join(features)} | " + " | ".join("–" if r is None else f"{r[0]:.2f} / {r[1]:.2f}"
                                                            for r in rates) + " |")
        print("\n| signal alone | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for key in SIGNALS:
            cells = []
            for n in names:
                held = [(r["signals"][key], bool(r["answerable"])) for r in groups[n] if key in r["signals"]]
                value = auroc(held) if held and len({y for _, y in held}) == 2 else None
                cells.append("–" if value is None else f"{value:.3f}")
            print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
