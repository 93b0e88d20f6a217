"""AUROC of each signal alone, and of the fitted decisions, per path, from `rag eval --report` folders.

Usage: python docs/experiments/signal_auroc.py docs/eval-runs/useful-heldout*/
Reads each folder's signals.jsonl (written by the report): correctness signals are scored on the
candidates (right against wrong), answerability signals on the questions that reached a decision
(answerable against not). Nothing is fitted here: these are held-out measurements.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rag.answering.decision import ANSWERABILITY_FEATURES, CORRECTNESS_FEATURES  # noqa: E402
from rag.devtools.calibrate import HARD_REFUSALS as HARD  # noqa: E402
from rag.devtools.calibrate import signal_auroc  # noqa: E402
from rag.devtools.evaluate import auroc  # noqa: E402


def main(folders: list[str]) -> None:
    for folder in folders:
        rows = [json.loads(line) for line in (Path(folder) / "signals.jsonl").read_text(encoding="utf-8").splitlines()]
        for path in ("same", "cross"):
            on = [r for r in rows if r["path"] == path]
            cands = [r for r in on if r["candidate_correct"] is not None]
            decided = [r for r in on if r["reason"].split(":")[0] not in HARD and "coverage_best" in r["signals"]]
            right = [bool(r["candidate_correct"]) for r in cands]
            able = [bool(r["answerable"]) for r in decided]
            out = {
                "candidates": len(cands), "right": sum(right),
                "confidence": auroc([(r["confidence"], y) for r, y in zip(cands, right)]),
                "answerability": auroc([(r["answerability"], y) for r, y in zip(decided, able)]),
                # A signal the run did not compute (the self-check, agreement: off by default) is None.
                **{f"c:{k}": signal_auroc(cands, right, k) for k in CORRECTNESS_FEATURES},
                **{f"a:{k}": signal_auroc(decided, able, k) for k in ANSWERABILITY_FEATURES},
            }
            print(Path(folder).name, path, json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
