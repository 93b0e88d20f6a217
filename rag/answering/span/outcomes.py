"""What the span path's answers end in, shared by its ways of generating: a refusal, the sentence
shown when no candidate stands, the path a question is calibrated on, and the figure-kind check."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

from ...lang import detect_language, split_sentences
from ...types import Answer
from .. import figures
from ..decision import ANSWERED, REFUSED, UNSURE
from ..decision.signals import coverage
from ..guards import Reason
from ..prompt import REFUSALS
from ..select import Evidence

log = logging.getLogger(__name__)


def passages_language(evidence: list[Evidence]) -> str:
    """The language of the shown sentences ('ar' or 'en'), which decides the path a question takes."""
    return detect_language(" ".join(e.text for e in evidence))


def shown_sentences(evidence: list[Evidence]) -> Iterator[tuple[int, str]]:
    """(passage index, sentence) of every sentence the model was shown, in order."""
    for i, e in enumerate(evidence):
        for sentence in split_sentences(e.text) or [e.text]:
            yield i, sentence


def path_for(question: str, evidence: list[Evidence]) -> str:
    """"same" when the question is in the passages' language, else "cross" (each has its own calibration)."""
    return "same" if detect_language(question) == passages_language(evidence) else "cross"


def best_sentence(question: str, evidence: list[Evidence]) -> tuple[int, str]:
    """(passage index, sentence) of the shown sentence holding most of the question's words; ties go
    to the better-retrieved passage and the earlier sentence. Across languages no words are shared,
    and the first shown sentence of the best passage is returned."""
    best = (-1.0, 0, "")
    for i, sent in shown_sentences(evidence):
        share = coverage(question, sent)
        if share > best[0]:
            best = (share, i, sent)
    return best[1], best[2]


def figure_checked(verdict, question: str, candidate: str, sentence: str, rendered: str, evidence,
                   values: dict[str, float]):
    """A figure of another kind than the asked one (figures.kind_mismatch) is not the answer: unsure
    when a shown sentence holds a figure of the asked kind, else refused."""
    kind = figures.kind_mismatch(question, candidate, sentence, rendered or "")
    values["figure_kind_match"] = float(not kind)
    if not kind or verdict.status == REFUSED:
        return verdict
    log.info("candidate %r gives another %s than asked", candidate, kind)
    if kind != "counted" and not figures.holds_asked(question, [s for _, s in shown_sentences(evidence)]):
        return replace(verdict, status=REFUSED, reason=f"{Reason.UNANSWERABLE}:{Reason.FIGURE_KIND}")
    if verdict.status == ANSWERED:
        return replace(verdict, status=UNSURE, reason=f"{Reason.LOW_CONFIDENCE}:{Reason.FIGURE_KIND}")
    return verdict


def refused(language: str, reason: str, confidence: float | None = 0.0, values: dict | None = None,
            declined: str = "", answerability: float | None = None) -> Answer:
    """A refusal; one that declined a candidate keeps it as `quote`, so the reader and `rag eval` see what was held back."""
    log.info("refused (%s)", reason)
    return Answer(text=REFUSALS[language], refused=True, language=language, reason=reason,
                  confidence=confidence, quote=declined, signals=values or {}, answerability=answerability)


def refusal(language: str, reason: str, values: dict | None = None) -> Iterator[str | Answer]:
    text = REFUSALS[language]
    log.info("refused (%s)", reason)
    yield text
    yield Answer(text=text, refused=True, language=language, citations=[], reason=reason, confidence=0.0,
                 signals=values or {}, answerability=0.0 if reason == Reason.OFF_TOPIC else None)
