"""How well the model's A/B reading (answering/kind_fallback.py) separates the questions no table claims.

    python docs/experiments/kind_fallback.py tuning   # chooses the threshold and the default
    python docs/experiments/kind_fallback.py heldout  # judges it once, never tuned on

Tuning: every non-factoid tuning question (the tables claim most of them; P(B) on all of them is
the model's sensitivity to non-factoid phrasing) and the factoid tuning questions no table claims
(the ones the fallback would see). Held-out: the same two groups from the held-out files. Prints
P(B) per question, the share routed at each threshold, and the seconds per call (opening read ahead).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from rag import Assistant
from rag.answering.kind_fallback import fixed_prefix, sentences_probability
from rag.answering.kinds import table_kind

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SETS = {
    "tuning": {
        "nonfactoid": ["nonfactoid/seeds_tuning.jsonl", "collections/story-ar/questions_tuning.jsonl",
                       "collections/news-en/questions_nonfactoid_tuning.jsonl",
                       "collections/figures-heldout/questions_nonfactoid_tuning.jsonl"],
        "factoid": ["questions.jsonl", "questions_tuning2.jsonl", "questions_tuning3.jsonl",
                    "collections/figures-tune/questions.jsonl", "collections/news-en/questions.jsonl"],
    },
    "heldout": {
        "nonfactoid": ["nonfactoid/seeds_heldout.jsonl", "collections/story-ar/questions_heldout.jsonl",
                       "collections/news-en/questions_nonfactoid_heldout.jsonl",
                       "collections/figures-heldout/questions_nonfactoid_heldout.jsonl"],
        "factoid": ["questions_heldout.jsonl", "questions_heldout2.jsonl", "questions_heldout3.jsonl",
                    "questions_heldout4.jsonl", "questions_heldout5.jsonl", "collections/figures-heldout/questions.jsonl"],
    },
}
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def questions(files: list[str]) -> list[str]:
    out = []
    for name in files:
        out += [json.loads(line)["question"] for line in (DATA / name).read_text().splitlines() if line.strip()]
    return list(dict.fromkeys(out))


def main(split: str) -> None:
    llm = Assistant().llm
    llm.prepare([list(fixed_prefix())])
    groups = {
        "nonfactoid (all)": questions(SETS[split]["nonfactoid"]),
        "nonfactoid unclaimed": [q for q in questions(SETS[split]["nonfactoid"]) if table_kind(q) is None],
        "factoid unclaimed": [q for q in questions(SETS[split]["factoid"]) if table_kind(q) is None],
    }
    seconds = []
    for name, qs in groups.items():
        ps = []
        for q in qs:
            started = time.perf_counter()
            ps.append(sentences_probability(llm, q))
            seconds.append(time.perf_counter() - started)
            print(f"{ps[-1]:.2f}  {q}", flush=True)
        shares = "  ".join(f"{t}: {sum(p >= t for p in ps)}/{len(ps)}" for t in THRESHOLDS)
        print(f"## {split} {name}: routed at  {shares}\n", flush=True)
    print(f"seconds per call: p50 {statistics.median(seconds):.2f}, max {max(seconds):.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tuning")
