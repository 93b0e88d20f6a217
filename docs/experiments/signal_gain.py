"""Does a signal earn its place? 5-fold cross-validated AUROC per decision and path, with and without it.

Usage: python docs/experiments/signal_gain.py --rows ROWS.jsonl [...] [--answerability-rows ARCD.jsonl ...]
ROWS: `rag calibrate --rows` files of the tuning sets (never a held-out set); --answerability-rows:
rows of another collection that calibrate answerability only (as `rag calibrate` takes them).
For each decision and path it prints the CV AUROC of the shipped signal set (PATH_FEATURES) with and
without each candidate signal, and of the candidate alone (a one-signal fit), over the rows that
hold the candidate, with the rows, folds and L2 penalty `rag calibrate` uses. Nothing it fits ships.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rag.answering.decision import answerability, correctness  # noqa: E402
from rag.devtools.calibrate import L2, load_rows, model_rows, out_of_fold, prepared  # noqa: E402
from rag.devtools.evaluate import auroc  # noqa: E402

CANDIDATES = {"answerability": ("dense_sentence", "coverage_best", "dense_best", "type_present"),
              "correctness": ("agreement",)}


def cv(rows: list[dict], labels: list[bool], features: tuple[str, ...]) -> float | None:
    return auroc(list(zip(out_of_fold(rows, labels, features, L2), labels)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", action="append", default=[])
    ap.add_argument("--answerability-rows", action="append", default=[])
    args = ap.parse_args()
    rows = [r for p in args.rows for r in load_rows(Path(p))]
    rows += [{**r, "correctness": False} for p in args.answerability_rows for r in load_rows(Path(p))]
    rows = prepared(rows)
    for path in ("same", "cross"):
        able, correct = model_rows(rows, path)
        tables = {"answerability": (answerability.PATH_FEATURES[path], able, "answerable"),
                  "correctness": (correctness.PATH_FEATURES[path], correct, "candidate_correct")}
        for decision, (shipped, data, label) in tables.items():
            for extra in CANDIDATES[decision]:
                have = [r for r in data if extra in r["signals"]]
                labels = [bool(r[label]) for r in have]
                if len(set(labels)) < 2:
                    print(decision, path, extra, "not in these rows")
                    continue
                without = tuple(f for f in shipped if f != extra)
                out = {"rows": len(have), "positive": sum(labels), "shipped": list(shipped),
                       f"without {extra}": cv(have, labels, without) if without else None,
                       f"with {extra}": cv(have, labels, (*without, extra)), f"{extra} alone": cv(have, labels, (extra,))}
                print(decision, path, json.dumps(out))


if __name__ == "__main__":
    main()
