"""The model's reading of a question's kind, for the questions no table claims (kinds.py).

The tables claim what the language marks ("why", "ما شروط", "summarize"); a question that names
its shape in words of its own ("What did the archaeologists find at the site?", "ما التوصيات
التي خرجت بها اللجنة؟") falls through to the factoid path. Here the model is asked one
question, A (one fact) or B (several sentences), and P(B), read from its first token, routes the
question to the quoted room when it reaches `at`. Its fixed opening (rules and six made-up
examples, none from a question set) is read ahead with the answer prompts', so a call reads only
the question. A question routed this way takes the neutral kind SUMMARY: no kind cue, article order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from .. import templates
from ..llm import LLM, FirstTokenProbe
from .kinds import FACTOID, SUMMARY

SENTENCES = "B"


def _user(question: str) -> dict[str, str]:
    return {"role": "user", "content": templates.render("kind_user", question=question)}


@lru_cache(maxsize=1)
def fixed_prefix() -> tuple[dict[str, str], ...]:
    """Rules, then the examples as earlier turns (fixed, so the backend reads them once)."""
    turns = [{"role": "system", "content": templates.render("kind_system")}]
    for ex in templates.examples("kind_examples"):
        turns += [_user(ex["question"]), {"role": "assistant", "content": ex["form"]}]
    return tuple(turns)


def sentences_probability(llm: LLM, question: str) -> float:
    """P(the model's first token is B: the answer is several sentences)."""
    probe = FirstTokenProbe(SENTENCES)
    for _ in llm.stream_chat([*fixed_prefix(), _user(question)], max_tokens=1, temperature=0.0, probe=probe):
        pass
    return probe.probability or 0.0


def model_kind(llm: Callable[[], LLM], question: str, at: float) -> tuple[str, float]:
    """(SUMMARY or FACTOID, P(B)) for a question no table claims."""
    p = sentences_probability(llm(), question)
    return (SUMMARY if p >= at else FACTOID), p
