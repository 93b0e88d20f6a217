"""What a fitted decision does on a collection it never saw: fit on all collections but one, simulate the left-out one.

Usage: python docs/experiments/transfer_simulate.py ROWS.jsonl [ROWS.jsonl ...] [--answerability-rows ROWS.jsonl ...]
  ROWS: `rag calibrate --rows` files (thresholds at 0), each row naming its `collection`; rows after
  --answerability-rows calibrate answerability only (ARCD's Arabic answer keys are whole clauses).

For each choice of answerability signals and refusal requirement, `rag calibrate`'s own fit is made
without one collection and its outcomes are read on that collection (decision_simulate.figures), per
path. The choice that ships is the one that holds on collections left out, not the one that fits best
in sample: the maintainers' collections are ones the fit never sees (issue 32).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from decision_simulate import figures  # noqa: E402

from rag.answering.decision import answerability  # noqa: E402
from rag.answering.decision.signals import with_derived  # noqa: E402
from rag.devtools import calibrate  # noqa: E402

SAME = {"dense_best": ("log_p_no_answer", "coverage_best", "dense_best"), "lexical": ("log_p_no_answer", "coverage_best")}
CROSS = {"dense_sentence": ("log_p_no_answer", "dense_sentence"),
         "+margin": ("log_p_no_answer", "dense_sentence", "dense_sentence_margin")}
MIN_REFUSAL = (0.85, 0.7, 0.6, 0.5, 0.4)


def load(argv: list[str]) -> list[dict]:
    rows, judged = [], True
    for arg in argv:
        if arg == "--answerability-rows":
            judged = False
            continue
        rows += [r if judged else {**r, "correctness": False} for r in calibrate.load_rows(Path(arg))]
    return rows


def main(argv: list[str]) -> None:
    rows = load(argv)
    names = sorted(calibrate.collections(rows))
    print("| same | cross | min refusal | path | " + " | ".join(names) + " |")
    print("|---" * (4 + len(names)) + "|")
    for (sname, sfeat), (cname, cfeat), minimum in itertools.product(SAME.items(), CROSS.items(), MIN_REFUSAL):
        answerability.PATH_FEATURES.update(same=sfeat, cross=cfeat)
        cells = {"same": [], "cross": []}
        for held in names:
            train = [r for r in rows if (r.get("collection") or "seeds") != held]
            test = [{**r, "signals": with_derived(r["signals"])} for r in map(calibrate.relabel, rows)
                    if (r.get("collection") or "seeds") == held and r.get("correctness", True)]
            decision = calibrate.calibrate(train, fitted_on="transfer", min_refusal=minimum)
            for path in ("same", "cross"):
                on = [r for r in test if r["path"] == path]
                if not on:
                    cells[path].append("–")
                    continue
                f = figures(decision, on)
                cells[path].append(f"useful {f['useful']:.2f}, false ref {f['false_ref']:.2f}, unans answered "
                                   f"{'–' if f['un_ans'] is None else format(f['un_ans'], '.2f')}, wrong {f['conf_wrong']:.2f}"
                                   f" (n {f['n']})")
        for path in ("same", "cross"):
            print(f"| {sname} | {cname} | {minimum} | {path} | " + " | ".join(cells[path]) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
