"""Where an answer's outcome is decided: answered, unsure, or refused, and why.

Two questions, each with its own calibrated model and threshold, per path:

- **Answerability** (answerability.py): do the shown sentences hold an answer to this
  question? This alone decides a refusal. A refusal tells the reader "the articles don't
  say", so it must rest on evidence that they don't, not on doubt about one candidate.
- **Correctness** (correctness.py): is this candidate right? At or above `answer_at` it is
  *answered*; below, it is *unsure*: the likely answer, marked as such, with the sentence(s)
  most likely to hold it, cited, the candidate's words marked.

The old single confidence did both jobs: its two thresholds (0.797 and 0.808) left almost
no room for *unsure*, so every doubt became a refusal; it refused 0.63-0.76 of answerable
held-out questions. A *path* is how the candidate was produced: "same" (the question in the
passages' language, the guided path) or "cross" (another language, copy and translate). The
same signal means different things on each (the question's words are near-absent from an
Arabic sentence for an English question), so each path has its own models and thresholds.

`decision.json` (package data) holds them, fitted by `rag calibrate` on the tuning sets and
the ARCD training split only; the held-out sets judge them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..guards import Reason
from .answerability import FEATURES as ANSWERABILITY_FEATURES
from .correctness import FEATURES as CORRECTNESS_FEATURES
from .model import Logistic

ANSWERED, UNSURE, REFUSED = "answered", "unsure", "refused"
PATHS = ("same", "cross")
UNANSWERABLE = Reason.UNANSWERABLE  # a refusal by the answerability model: "unanswerable:<signal>"
LOW_CONFIDENCE = Reason.LOW_CONFIDENCE  # an unsure answer: "low_confidence:<signal>"


@dataclass(frozen=True)
class Verdict:
    status: str
    confidence: float  # P(this candidate is right)
    answerability: float  # P(the shown sentences hold an answer)
    reason: str


@dataclass(frozen=True)
class Decision:
    """Both fitted models per path, and their thresholds."""

    answerability: dict[str, Logistic]
    correctness: dict[str, Logistic]
    answerable_at: dict[str, float]  # below: refused
    answer_at: dict[str, float]  # at or above (and answerable): answered; else unsure
    fitted_on: str = ""
    metrics: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict) -> "Decision":
        return cls(
            {p: Logistic.from_dict(m) for p, m in raw["answerability"].items()},
            {p: Logistic.from_dict(m) for p, m in raw["correctness"].items()},
            {p: float(v) for p, v in raw["answerable_at"].items()},
            {p: float(v) for p, v in raw["answer_at"].items()},
            raw.get("fitted_on", ""), raw.get("metrics", {}),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> "Decision":
        if path is not None:
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = resources.files(__package__).joinpath("decision.json").read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def to_json(self) -> str:
        raw = {
            "answerability": {p: m.to_dict() for p, m in self.answerability.items()},
            "correctness": {p: m.to_dict() for p, m in self.correctness.items()},
            "answerable_at": self.answerable_at, "answer_at": self.answer_at,
            "fitted_on": self.fitted_on, "metrics": self.metrics,
        }
        return json.dumps(raw, indent=2, ensure_ascii=False) + "\n"

    def scores(self, values: dict[str, float], path: str) -> tuple[float, float]:
        """(answerability, confidence) of one candidate's signals on its path."""
        return self.answerability[path].probability(values), self.correctness[path].probability(values)

    def decide(self, values: dict[str, float], path: str, *, answer_at: float | None = None,
               answerable_at: float | None = None, candidate: bool = True) -> Verdict:
        """The outcome for one case's signals. `candidate=False`: the model offered no usable answer
        (a guard rejected it), so the best the reader can get is the sentence, marked unsure."""
        able, confidence = self.scores(values, path)
        if not candidate:
            confidence = 0.0
        lo = self.answerable_at[path] if answerable_at is None else answerable_at
        hi = self.answer_at[path] if answer_at is None else answer_at
        if able < lo:
            return Verdict(REFUSED, confidence, able, f"{UNANSWERABLE}:{self.answerability[path].weakest(values)}")
        if candidate and confidence >= hi:
            return Verdict(ANSWERED, confidence, able, "")
        weakest = self.correctness[path].weakest(values) if candidate else "no_candidate"
        return Verdict(UNSURE, confidence, able, f"{LOW_CONFIDENCE}:{weakest}")


__all__ = [
    "ANSWERED", "UNSURE", "REFUSED", "PATHS", "Decision", "Verdict", "Logistic",
    "ANSWERABILITY_FEATURES", "CORRECTNESS_FEATURES",
]
