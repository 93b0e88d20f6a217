"""`rag calibrate`: fit the confidence model (answering/confidence.py) on tuning questions.

Every tuning question is answered with both thresholds at 0, so every candidate span is
shown and judged (right when it holds an answer key; any candidate to an unanswerable
question is wrong). A logistic regression over the standardized signals, with an L2
penalty because a tuning set is a hundred-odd questions, gives P(correct). Then:

- `unsure_at`: the lowest threshold that still refuses at least `min_refusal` of the
  unanswerable tuning questions;
- `answer_at`: the lowest threshold (not below unsure_at) whose answered-and-wrong share
  of all tuning questions stays within `max_confident_wrong` (the product's promise: few
  confident wrong answers). Candidates between the two are shown as unsure.

Fit on the tuning sets only; the held-out sets judge the result (`rag eval --report`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..answering.confidence import FEATURES, Calibration
from .evaluate import Question, run_question

L2 = 1.0


def collect(assistant, questions: list[Question], progress: bool = True) -> list[dict]:
    """One row per question: its signals and whether its candidate was right (None: no candidate)."""
    from tqdm import tqdm

    assistant.ensure_index()
    rows = []
    for q in tqdm(questions, desc="calibrate", unit="q", disable=not progress):
        record = run_question(assistant, q)
        a = record.answer
        rows.append({
            "id": q.id, "lang": q.lang, "answerable": q.answerable, "status": a.status, "reason": a.reason,
            "signals": {k: v for k, v in a.signals.items() if k in FEATURES},
            "candidate_correct": record.candidate_correct if a.signals else None,
        })
    return rows


def fit(rows: list[dict], l2: float = L2, features: tuple[str, ...] = FEATURES) -> tuple[dict, dict, dict, float]:
    """Logistic regression by Newton's method on standardized features: (weights, means, scales, bias)."""
    import numpy as np

    data = [r for r in rows if r["candidate_correct"] is not None]
    x = np.array([[r["signals"][k] for k in features] for r in data], dtype=float)
    y = np.array([float(r["candidate_correct"]) for r in data])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - means) / scales])
    w = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [l2] * len(features))
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z.T * (p * (1 - p))) @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return (
        {k: round(float(v), 5) for k, v in zip(features, w[1:])},
        {k: round(float(v), 5) for k, v in zip(features, means)},
        {k: round(float(v), 5) for k, v in zip(features, scales)},
        round(float(w[0]), 5),
    )


def choose_thresholds(rows: list[dict], confidences: list[float | None], *, max_confident_wrong: float,
                      min_refusal: float) -> tuple[float, float]:
    """(answer_at, unsure_at) on the tuning rows (see the module docstring).

    unsure_at is the lowest threshold that refuses enough unanswerable questions; answer_at
    the lowest that keeps confident wrong answers rare, and never below unsure_at.
    """
    n = len(rows)
    scored = [(c, r) for c, r in zip(confidences, rows) if c is not None]
    cuts = sorted({round(c, 4) for c, _ in scored} | {1.0})

    def lowest(ok) -> float:
        return next((t for t in cuts if ok(t)), 1.0)

    unanswerable = [c for c, r in zip(confidences, rows) if not r["answerable"]]

    def refuses_enough(t: float) -> bool:
        shown = sum(1 for c in unanswerable if c is not None and c >= t)
        return not unanswerable or 1 - shown / len(unanswerable) >= min_refusal

    def rarely_wrong(t: float) -> bool:
        return sum(1 for c, r in scored if c >= t and not r["candidate_correct"]) / n <= max_confident_wrong

    unsure_at = lowest(refuses_enough)
    return max(unsure_at, lowest(rarely_wrong)), unsure_at


def calibrate(rows: list[dict], *, fitted_on: str, max_confident_wrong: float = 0.03, min_refusal: float = 0.88,
              l2: float = L2) -> Calibration:
    weights, means, scales, bias = fit(rows, l2)
    provisional = Calibration(weights, means, scales, bias, 1.0, 1.0)
    confidences = [provisional.confidence(r["signals"]) if r["candidate_correct"] is not None else None for r in rows]
    answer_at, unsure_at = choose_thresholds(
        rows, confidences, max_confident_wrong=max_confident_wrong, min_refusal=min_refusal,
    )
    from .evaluate import auroc

    pairs = [(c, bool(r["candidate_correct"])) for c, r in zip(confidences, rows) if c is not None]
    metrics = {
        "questions": len(rows), "candidates": len(pairs), "right_candidates": sum(ok for _, ok in pairs),
        "auroc_tuning": auroc(pairs), "max_confident_wrong": max_confident_wrong, "min_refusal": min_refusal, "l2": l2,
    }
    return Calibration(weights, means, scales, bias, round(answer_at, 4), round(unsure_at, 4), fitted_on, metrics)


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
