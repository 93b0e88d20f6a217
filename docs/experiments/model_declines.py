"""Could the model's own NO_ANSWER on an English question become *unsure* instead of a refusal?

Usage: python docs/experiments/model_declines.py ROWS.jsonl [ROWS.jsonl ...]

On the blind news-en set, 8 of 9 English false refusals are the copy prompt's own decline (NO_ANSWER, or
P(NO_ANSWER) above `refuse_probability` mid-stream). Showing the best sentence as *unsure* on a decline
would only be right if something seen at that point tells an answerable decline from an unanswerable one.
This reads the tuning rows (`rag calibrate --rows`, thresholds at 0) and reports, for the English
declines, how many are answerable and how well each retrieval signal ranks them (AUROC, answerable
above unanswerable). Held-out sets are never read here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DECLINES = ("no_answer", "no_answer_probability")
SIGNALS = ("dense_sentence", "dense_sentence_margin", "dense_sentence_z", "dense_best", "log_p_no_answer")


def auroc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main(paths: list[str]) -> str:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line]
    english = [r for r in rows if r["lang"] == "en"]
    declines = [r for r in english if r["reason"] in DECLINES]
    lines = ["| collection | English questions | declines | declines answerable | declines unanswerable |",
             "|---|---|---|---|---|"]
    for name in sorted({r["collection"] for r in english}):
        mine = [r for r in declines if r["collection"] == name]
        lines.append(f"| {name} | {sum(r['collection'] == name for r in english)} | {len(mine)} | "
                     f"{sum(r['answerable'] for r in mine)} | {sum(not r['answerable'] for r in mine)} |")
    lines += ["", "| signal (declines only) | AUROC answerable > unanswerable | answerable range | unanswerable range |",
              "|---|---|---|---|"]
    for name in SIGNALS:
        pos = [r["signals"][name] for r in declines if r["answerable"] and name in r["signals"]]
        neg = [r["signals"][name] for r in declines if not r["answerable"] and name in r["signals"]]
        a = auroc(pos, neg)
        lines.append(f"| {name} | {'-' if a is None else f'{a:.3f}'} | {min(pos):.3f}–{max(pos):.3f} | "
                     f"{min(neg):.3f}–{max(neg):.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(main(sys.argv[1:]))
