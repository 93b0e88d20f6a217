"""Issue 39: held-out 1-5 (factoid sets) after the question kinds route some questions to quoted answers.

Only the questions kinds.py routes away from the span path (24 of 248) can answer differently: the span
path itself did not change. So they are run again (`rag eval --questions` on the routed rows alone,
reports docs/eval-runs/issue39-factoid-routed-heldoutN), and every other question keeps its record from
the runs of the default before this issue (docs/eval-runs/english-figures-heldoutN, issue 32). Printed:
before and after, per set and language: useful, answered right, confident wrong, false refusal,
unanswerables answered.

    .venv/bin/python docs/experiments/factoid_routed_combine.py
"""

from __future__ import annotations

import json
from pathlib import Path

RUNS = Path(__file__).resolve().parents[1] / "eval-runs"
SETS = ("", "2", "3", "4", "5")


def records(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def figures(rows: list[dict]) -> dict[str, float | None]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def share(n, d):
        return round(n / d, 3) if d else None

    return {
        "useful": share(sum(r["useful"] for r in answerable), len(answerable)),
        "answered_right": share(sum(r["status"] == "answered" and r["useful"] for r in answerable), len(answerable)),
        "confident_wrong": share(sum(r["status"] == "answered" and not (r["answerable"] and r["useful"]) for r in rows), len(rows)),
        "false_refusal": share(sum(r["status"] == "refused" for r in answerable), len(answerable)),
        "unanswerable_answered": share(sum(r["status"] == "answered" for r in unanswerable), len(unanswerable)),
        "n": len(rows),
    }


def main() -> None:
    for s in SETS:
        before = records(RUNS / f"english-figures-heldout{s}" / "signals.jsonl")
        if not (RUNS / f"issue39-factoid-routed-heldout{s}").is_dir():
            print(f"heldout{s or 1}: no routed run")
            continue
        routed = records(RUNS / f"issue39-factoid-routed-heldout{s}" / "signals.jsonl")
        after = {**before, **routed}
        for lang in ("ar", "en", None):
            pick = [r for r in before.values() if lang in (None, r["lang"])]
            now = [r for r in after.values() if lang in (None, r["lang"])]
            print(f"heldout{s or 1} {lang or 'all':3} before {figures(pick)}")
            print(f"heldout{s or 1} {lang or 'all':3} after  {figures(now)}  ({sum(r['id'] in routed for r in now)} routed)")


if __name__ == "__main__":
    main()
