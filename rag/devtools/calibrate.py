"""`rag calibrate`: fit the two decisions (answering/decision/) on tuning questions.

Every tuning question is answered with all thresholds at 0, so every candidate is shown
and judged (right when it holds an answer key; any candidate to an unanswerable question
is wrong). Then, per path ("same": the question in the passages' language; "cross"):

- *answerability*: a logistic model of "the question is answerable" over the answerability
  signals, on every question that reached the model; `answerable_at` is the lowest threshold
  that refuses at least `min_refusal` of the unanswerable questions (with `each_collection`:
  of each collection the rows come from, a row's `collection`), counting those refused before
  it (off-topic retrieval, the model's own NO_ANSWER);
- *correctness*: a logistic model of "the candidate is right" over the correctness signals;
  `answer_at` is the lowest threshold whose answered-and-wrong share of all the path's
  questions stays within `max_confident_wrong`.

An L2 penalty, because a path has a few hundred candidates at most. The fit reports its
5-fold cross-validated AUROC beside the in-sample one: the held-out sets (`rag eval`) then
judge the result. Fit on tuning sets and public *training* splits only (ARCD's train split
is fine; never a test or dev split, nor a held-out set).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..answering.decision import PATHS, Decision
from ..answering.decision import answerability as answerability_signals
from ..answering.decision import correctness as correctness_signals
from ..answering.decision.model import Logistic, fit
from ..answering.decision.signals import with_derived
from ..answering.guards import DECLINES, Reason
from .evaluate import Question, auroc, run_question

# Refused before any decision is taken: nothing close was retrieved, or the model itself said NO_ANSWER.
HARD_REFUSALS = frozenset({Reason.OFF_TOPIC, *DECLINES})

L2 = 1.0
FOLDS = 5
# Share of the tuning unanswerables the answerability threshold must refuse; correctness keeps the rest unsure.
# 0.85 refused 0.32-0.44 of a left-out collection's answerable English questions, 0.5 refused 0.07-0.12 with no
# more unanswerables answered (docs/experiments/transfer_simulate.py, issue 32).
MIN_REFUSAL = 0.5


def collect(assistant, questions: list[Question], progress: bool = True, source: str = "",
            collection: str = "seeds") -> list[dict]:
    """One row per question: its signals, its path, and whether its candidate was right (None: no candidate)."""
    from tqdm import tqdm

    assistant.ensure_index()
    rows = []
    for q in tqdm(questions, desc="calibrate", unit="q", disable=not progress):
        record = run_question(assistant, q)
        a = record.answer
        rows.append({
            "id": q.id, "set": source, "collection": collection, "lang": q.lang, "answerable": q.answerable, "status": a.status, "reason": a.reason,
            "path": "cross" if a.signals.get("cross") else "same", "signals": dict(a.signals),
            "decided": a.reason not in HARD_REFUSALS, "candidate_correct": record.candidate_correct,
            "sentence_holds_evidence": record.sentence_holds_evidence, "quote": a.quote,
            "candidate": (a.quote or a.likely_answer) if record.candidate_correct is not None else "",
            "answers": list(q.answers),
        })
    return rows


LONG_KEY_WORDS = 4
KEY_PRECISION, KEY_RECALL = 0.8, 0.3


def relabel(row: dict) -> dict:
    """A candidate against an answer key of more than LONG_KEY_WORDS words is right when its words are
    (nearly) all the key's and it holds at least 30% of them.

    ARCD's keys are whole clauses copied from Wikipedia ("حمزة خاشقجي (13 أكتوبر 1958، المدينة
    المنورة - 2 أكتوبر 2018)،"): a right, shorter candidate never contains them. The seeds' keys
    are names and numbers, which this leaves alone.
    """
    from ..lang import normalize_arabic, words

    if row.get("candidate_correct") is not False or not row.get("answerable") or not row.get("candidate"):
        return row
    cand = words(normalize_arabic(row["candidate"]))
    for key in row.get("answers", []):
        gold = words(normalize_arabic(key))
        if len(gold) <= LONG_KEY_WORDS or not cand:
            continue
        common = sum(min(cand.count(w), gold.count(w)) for w in set(cand))
        if common / len(cand) >= KEY_PRECISION and common / len(gold) >= KEY_RECALL:
            return {**row, "candidate_correct": True}
    return row


def model_rows(rows: list[dict], path: str) -> tuple[list[dict], list[dict]]:
    """(rows the answerability model sees, rows the correctness model sees) of one path."""
    on_path = [r for r in rows if r["path"] == path]
    able = [r for r in on_path if r["decided"]]
    correct = [r for r in able if r["candidate_correct"] is not None and r.get("correctness", True)]
    return able, correct


def collections(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows by the collection their questions were asked of (`collection`, default "seeds")."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r.get("collection") or "seeds", []).append(r)
    return out


def out_of_fold(data: list[dict], labels: list[bool], features: tuple[str, ...], l2: float) -> list[float]:
    """Each row's probability from a model fitted without its fold (folds interleaved: rows come grouped by set)."""
    if len(data) < 2 * FOLDS or len(set(labels)) < 2:
        model = fit([r["signals"] for r in data], labels, features, l2)
        return [model.probability(r["signals"]) for r in data]
    probs = [0.0] * len(data)
    for k in range(FOLDS):
        train = [i for i in range(len(data)) if i % FOLDS != k]
        model = fit([data[i]["signals"] for i in train], [labels[i] for i in train], features, l2)
        for i in range(k, len(data), FOLDS):
            probs[i] = model.probability(data[i]["signals"])
    return probs


def lowest(cuts: list[float], ok) -> float:
    return next((t for t in cuts if ok(t)), 1.0)


def calibrate(rows: list[dict], *, fitted_on: str, max_confident_wrong: float = 0.03, min_refusal: float = MIN_REFUSAL,
              each_collection: bool = False,
              l2: float = L2) -> Decision:
    rows = prepared(rows)
    answerability, correctness, answerable_at, answer_at, metrics = {}, {}, {}, {}, {}
    for path in PATHS:
        able_rows, correct_rows = model_rows(rows, path)
        if len(able_rows) < 10 or not correct_rows:
            continue
        a_labels = [bool(r["answerable"]) for r in able_rows]
        c_labels = [bool(r["candidate_correct"]) for r in correct_rows]
        a_features = answerability_signals.PATH_FEATURES[path]
        c_features = correctness_signals.PATH_FEATURES[path]
        a_model = fit([r["signals"] for r in able_rows], a_labels, a_features, l2)
        c_model = fit([r["signals"] for r in correct_rows], c_labels, c_features, l2)
        on_path = [r for r in rows if r["path"] == path]
        unanswerable = [r for r in on_path if not r["answerable"]]
        judged = [r for r in on_path if r.get("correctness", True)]  # rows whose candidates' labels are trusted
        # Thresholds are chosen on out-of-fold probabilities: in-sample ones are more confident than
        # the model will be on new questions (measured: AUROC 0.82 in sample, 0.67-0.70 out of fold).
        able_of = dict(zip(map(id, able_rows), out_of_fold(able_rows, a_labels, a_features, l2)))
        conf_oof = dict(zip(map(id, correct_rows), out_of_fold(correct_rows, c_labels, c_features, l2)))
        cuts = sorted({round(v, 4) for v in able_of.values()} | {0.0, 1.0})

        def refuses_enough(t: float) -> bool:
            # Pooled by default. Each collection on its own (0.80) refused more of the seeds' Arabic
            # unanswerables (held-out 5, blind: 0.67 -> 0.75 refused), but its same-path threshold
            # (0.73 -> 0.89) refused answerable ones: Arabic useful 0.84 -> 0.63 there, and more false
            # refusals on ARCD's rows (0.19 -> 0.27), the very failure the maintainers' sets showed.
            if not unanswerable:
                return True
            groups = collections(unanswerable).values() if each_collection else [unanswerable]
            for group in groups:
                shown = sum(1 for r in group if id(r) in able_of and able_of[id(r)] >= t)
                if 1 - shown / len(group) < min_refusal:
                    return False
            return True

        lo = lowest(cuts, refuses_enough)
        kept = [r for r in correct_rows if able_of[id(r)] >= lo]
        conf_of = {id(r): conf_oof[id(r)] for r in kept}
        c_cuts = sorted({round(v, 4) for v in conf_of.values()} | {1.0})

        def rarely_wrong(t: float) -> bool:
            wrong = sum(1 for r in kept if conf_of[id(r)] >= t and not r["candidate_correct"])
            return wrong / max(len(judged), 1) <= max_confident_wrong

        hi = lowest(c_cuts, rarely_wrong)
        answerability[path], correctness[path] = a_model, c_model
        answerable_at[path], answer_at[path] = round(lo, 4), round(hi, 4)
        answerable_rows = [r for r in judged if r["answerable"]]
        metrics[path] = {
            "questions": len(on_path), "answerability_rows": len(able_rows), "candidates": len(correct_rows),
            "right_candidates": sum(c_labels),
            "answerability_auroc": auroc([(a_model.probability(r["signals"]), y) for r, y in zip(able_rows, a_labels)]),
            "answerability_auroc_cv": auroc([(able_of[id(r)], y) for r, y in zip(able_rows, a_labels)]),
            "correctness_auroc": auroc([(c_model.probability(r["signals"]), y) for r, y in zip(correct_rows, c_labels)]),
            "correctness_auroc_cv": auroc([(conf_oof[id(r)], y) for r, y in zip(correct_rows, c_labels)]),
            "answered_right_tuning": round(sum(1 for r in kept if conf_of[id(r)] >= hi and r["candidate_correct"])
                                           / max(len(answerable_rows), 1), 3),
            "per_signal_auroc": signal_aurocs(correct_rows, c_labels),
            "answerability_weights": a_model.weights, "correctness_weights": c_model.weights,
        }
    for path in PATHS:  # a path with too little data borrows the other's models
        other = next(p for p in PATHS if p != path)
        if path not in answerability and other in answerability:
            answerability[path], correctness[path] = answerability[other], correctness[other]
            answerable_at[path], answer_at[path] = answerable_at[other], answer_at[other]
    metrics.update(max_confident_wrong=max_confident_wrong, min_refusal=min_refusal, each_collection=each_collection,
                   l2=l2)
    return Decision(answerability, correctness, answerable_at, answer_at, fitted_on, metrics)


def signal_auroc(rows: list[dict], labels: list[bool], key: str) -> float | None:
    """One signal's raw value as a score of its label, over the rows that hold it; None when none do
    (the self-check and agreement are computed only when their settings are on)."""
    held = [(r["signals"][key], y) for r, y in zip(rows, labels) if key in r["signals"]]
    return auroc(held) if held else None


def signal_aurocs(rows: list[dict], labels: list[bool]) -> dict[str, float | None]:
    """Each correctness signal alone as a score of right against wrong (what it is worth by itself)."""
    return {k: signal_auroc(rows, labels, k) for k in correctness_signals.FEATURES}


def prepared(rows: list[dict]) -> list[dict]:
    """Rows as `calibrate` reads them: long answer keys relabelled, log-odds forms added."""
    return [{**r, "signals": with_derived(r["signals"])} for r in map(relabel, rows)]


def save_rows(rows: list[dict], path: Path) -> None:
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def reliability(pairs: list[tuple[float, bool]], bins: int = 5) -> list[tuple[float, float, float, int]]:
    """(bin low, bin high, share right, count) per confidence bin, for the reliability plot."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [ok for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        out.append((lo, hi, sum(inside) / len(inside) if inside else math.nan, len(inside)))
    return out


__all__ = ["collect", "calibrate", "fit", "Logistic", "save_rows", "load_rows", "reliability"]
