"""How likely is this answer to be right? A calibrated confidence, and the outcome it decides.

The signals are ones the pipeline already has, measured on every answer: the model's
first-token probability of NO_ANSWER, the log-probabilities of the tokens it copied, how
much of its own probability the copy constraint let through (low when the model wanted
to write something the passages do not say), the retrieval score of the best passage and
its margin over the next, and how much of the span merely repeats the question. A
logistic model turns them into P(correct); it is fitted by `rag calibrate` on the tuning
questions only (tests/data/questions.jsonl and questions_tuning2.jsonl) and stored as
package data (confidence.json), with the two thresholds that split answers into three
outcomes:

- confidence >= answer_at: *answered*;
- unsure_at <= confidence < answer_at: *unsure*: the likely answer is marked as such and
  the sentence that holds it is shown, for the reader to judge;
- below unsure_at: *refused*, reason `low_confidence`.

The held-out sets judge the calibration (reliability plot and AUROC in `rag eval --report`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..lang import content_terms, same_word, words

FEATURES = (
    "p_no_answer", "logprob_mean", "logprob_min", "copy_mass_min", "retrieval_top", "retrieval_margin",
    "question_overlap", "span_words", "grounded", "extractive",
)
ANSWERED, UNSURE, REFUSED = "answered", "unsure", "refused"


def signals(*, probe, scores: list[float], span: str, question: str, grounded: float = 1.0,
            extractive: bool = True) -> dict[str, float]:
    """The raw signals of one answer (see the module docstring); `span` is its quote (or, without one,
    its text), `grounded` the share of its new words the shown sentences hold (1 for a copied span)."""
    logprobs = [lp for lp in probe.token_logprobs if math.isfinite(lp)] or [-20.0]
    ranked = sorted(scores, reverse=True) or [0.0]
    span_terms = content_terms(span)
    asked = content_terms(question)
    echoed = sum(any(same_word(w, q) for q in asked) for w in span_terms)
    return {
        "p_no_answer": float(probe.probability or 0.0),
        "logprob_mean": sum(logprobs) / len(logprobs),
        "logprob_min": min(logprobs),
        "copy_mass_min": min(probe.copy_mass) if probe.copy_mass else 1.0,
        "retrieval_top": ranked[0],
        "retrieval_margin": ranked[0] - ranked[1] if len(ranked) > 1 else ranked[0],
        "question_overlap": echoed / len(span_terms) if span_terms else 1.0,
        "span_words": math.log1p(len(words(span))),
        "grounded": grounded,
        "extractive": float(extractive),  # a copied span (1) or a composed answer (0): different base rates
    }


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model over standardized signals, and the outcome thresholds."""

    weights: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    bias: float
    answer_at: float
    unsure_at: float
    fitted_on: str = ""
    metrics: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> "Calibration":
        if path is not None:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        else:
            raw = json.loads(resources.files(__package__).joinpath("confidence.json").read_text(encoding="utf-8"))
        return cls(**raw)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n"

    def confidence(self, values: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (values.get(k, self.means[k]) - self.means[k]) / (self.scales[k] or 1.0) for k, w in self.weights.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def weakest(self, values: dict[str, float]) -> str:
        """The signal that pulls this confidence down most (named in an unsure answer's reason)."""
        def pull(k: str) -> float:
            return self.weights[k] * (values.get(k, self.means[k]) - self.means[k]) / (self.scales[k] or 1.0)

        return min(self.weights, key=pull) if self.weights else ""

    def outcome(self, confidence: float, *, answer_at: float | None = None, unsure_at: float | None = None) -> str:
        hi = self.answer_at if answer_at is None else answer_at
        lo = self.unsure_at if unsure_at is None else unsure_at
        return ANSWERED if confidence >= hi else UNSURE if confidence >= lo else REFUSED
