"""Does the agreement signal earn its place? 5-fold cross-validated correctness AUROC per path, on tuning rows.

Usage: python docs/experiments/agreement_auroc.py ROWS.jsonl [ROWS.jsonl ...]
ROWS: `rag calibrate --rows` files collected with RAG_AGREEMENT_SAMPLES > 0 (tuning sets only: never a
held-out set). For each path it reports the correctness model with the shipped signals
(correctness.PATH_FEATURES), the same plus `agreement`, and `agreement` alone; the folds are the
ones `rag calibrate` uses. It fits nothing that ships.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rag.answering.decision import correctness  # noqa: E402
from rag.answering.decision.signals import with_derived  # noqa: E402
from rag.devtools.calibrate import L2, load_rows, out_of_fold, relabel  # noqa: E402
from rag.devtools.evaluate import auroc  # noqa: E402


def main(paths: list[str]) -> None:
    rows = [{**r, "signals": with_derived(r["signals"])} for p in paths for r in map(relabel, load_rows(Path(p)))]
    for path in ("same", "cross"):
        # The candidates the correctness model is fitted on (as `rag calibrate` picks them).
        cands = [r for r in rows if r["path"] == path and r["decided"] and r["candidate_correct"] is not None
                 and r.get("correctness", True) and "agreement" in r["signals"]]
        labels = [bool(r["candidate_correct"]) for r in cands]
        shipped = correctness.PATH_FEATURES[path]
        out = {"candidates": len(cands), "right": sum(labels)}
        for name, features in (("shipped", shipped), ("shipped+agreement", (*shipped, "agreement")),
                               ("agreement", ("agreement",)), ("logprob_mean", ("logprob_mean",))):
            out[name] = auroc(list(zip(out_of_fold(cands, labels, features, L2), labels)))
        out["agreement_alone_raw"] = auroc([(r["signals"]["agreement"], y) for r, y in zip(cands, labels)])
        print(path, json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
