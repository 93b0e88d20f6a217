"""Every English answer of issue 32's evaluation runs states the figures of its Arabic quote.

The runs (`rag eval --report docs/eval-runs/english-figures-*`) keep each answer and its quote in
signals.jsonl. A number, unit, currency, weekday, month or year in the English words that differs
from the verbatim Arabic beside it is the failure a reader stops trusting the product for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.answering.figures import disagreements

RUNS = sorted((Path(__file__).resolve().parents[2] / "docs" / "eval-runs").glob("english-figures-*/signals.jsonl"))
ARABIC = re.compile("[\u0600-\u06FF]")


def english_answers(run: Path) -> list[dict]:
    rows = [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines() if line.strip()]
    # An English rendering is shown as "English (quote)"; when it was dropped, the quote stands alone.
    return [r for r in rows if r["lang"] == "en" and r["status"] != "refused" and ARABIC.search(r.get("quote") or "")
            and f"({r['quote']})" in r["answer"]]


def test_the_runs_are_there():
    assert len(RUNS) >= 7, RUNS  # held-out 1-5, the figure-dense held-out collection, the blind English news set


@pytest.mark.parametrize("run", RUNS, ids=[r.parent.name for r in RUNS])
def test_every_english_answer_states_the_figures_of_its_arabic_quote(run):
    answers = english_answers(run)
    assert answers, "no English answer with an Arabic quote in this run"
    for row in answers:
        english = re.sub(r"\[\d+\]", " ", row["answer"].replace(f"({row['quote']})", " "))
        assert disagreements(row["quote"], english) == [], (row["id"], row["quote"], english)
