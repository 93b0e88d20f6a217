"""Issue 39: where the key-point sentences rank among the quotable sentences, and what the choice keeps.

For each answerable question of the TUNING halves (never the held-out ones), every sentence the quoted
room could quote is scored as answering/quoted/choose.py scores it; the script prints, per setting of
the relative floor and the most quotes, the point recall and quote precision that choosing alone
would give (no model), and the coverage signals of answerable against unanswerable questions.

    .venv/bin/python docs/experiments/quoted_selection.py
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

from rag import Assistant
from rag.answering.kinds import COMPARISON, question_kind
from rag.answering.quoted import QUOTED_PASSAGES
import importlib

choosing = importlib.import_module("rag.answering.quoted.choose")  # the module, not the function the package exports
cues = importlib.import_module("rag.answering.quoted.cues")
from rag.answering.quoted.cover import coverage
from rag.answering.quoted.order import sides
from rag.devtools.evaluate import load_questions, supports

SETS = {  # name: (articles, tuning questions)
    "seeds": ("seeds", "tests/data/nonfactoid/seeds_tuning.jsonl"),
    "story-ar": ("tests/data/collections/story-ar", "tests/data/collections/story-ar/questions_tuning.jsonl"),
    "news-en": ("tests/data/collections/news-en", "tests/data/collections/news-en/questions_nonfactoid_tuning.jsonl"),
    "figures-heldout": ("tests/data/collections/figures-heldout",
                        "tests/data/collections/figures-heldout/questions_nonfactoid_tuning.jsonl"),
}


def cases():
    for name, (articles, questions) in SETS.items():
        a = Assistant(home=Path(f"/tmp/nf-homes/{name}"), seeds_dir=Path(articles))
        a.ensure_index()
        answerer = a.answerer
        for q in load_questions(Path(questions)):
            vector = a.embeddings.embed_query(q.question)
            passages = answerer.retrieve(q.question, QUOTED_PASSAGES, vector=vector)
            kind = question_kind(q.question)
            for lw, cue_w, pw in itertools.product((0.15, 0.3), (0.0, 0.04), (0.0,)):  # pw: passage bonus, since removed
                cues.KIND_CUE = cue_w
                cue = cues.cue_for(kind, sides(q.question) if kind == COMPARISON else None)
                ranked, background, spread = choosing.candidates(q.question, vector, passages, answerer.sentence_vectors,
                                                                 cue=cue, lexical_weight=lw)
                yield (lw, cue_w, pw), name, q, ranked, background, spread


def main() -> None:
    everything = list(cases())
    settings = sorted({r[0] for r in everything})
    rows = [r[1:] for r in everything if r[0] == (0.30, 0.04, 0.0)]
    print("signals (answerable?, kind, lang, bears, covered, best cosine):")
    for name, q, ranked, background, spread in rows:
        picked = choosing.choose(ranked)
        c = coverage(q.question, [x.sentence for x in picked], max((x.cosine for x in picked), default=0), background, spread)
        ranks = [i for i, x in enumerate(choosing.merge_copies(ranked)) if any(supports(x.sentence, [p.sentence]) or supports(p.sentence, [x.sentence]) for p in q.points)]
        print(f"  {name:16} {q.id:14} {'A' if q.answerable else 'U'} {question_kind(q.question):11} {q.lang} "
              f"bears {c.bears:5.2f} covered {c.covered:4.2f} best {c.best:4.2f}  point ranks {ranks[:6]}")
    print("\nlexical, cue, passage, floor, lambda, most -> point recall, quote precision, mean quotes (answerable tuning):")
    for setting in settings:
        rows = [r[1:] for r in everything if r[0] == setting]
        for floor, lam, most in itertools.product((0.10, 0.15, 0.20, None), (0.5, 0.7, 1.0), (4, 5, 6)):
            recall, on_point, quoted = [], 0, 0
            for name, q, ranked, background, spread in rows:
                if not q.answerable:
                    continue
                picked = choosing.choose(ranked, most=most, floor=floor, lam=lam)
                shown = [x.sentence for x in picked]
                hit = [p for p in q.points if any(supports(s, [p.sentence]) for s in shown)]
                recall.append(len(hit) / len(q.points))
                on_point += sum(any(supports(s, [p.sentence]) or supports(p.sentence, [s]) for p in q.points) for s in shown)
                quoted += len(shown)
            n = sum(1 for r in rows if r[1].answerable)
            print(f"  {setting[0]:.2f} {setting[1]:.2f} {setting[2]:.2f} {floor or 0:.2f} {lam:.2f} {most} -> "
                  f"{sum(recall) / len(recall):.3f} {on_point / quoted:.3f} {quoted / n:.1f}")


if __name__ == "__main__":
    main()
