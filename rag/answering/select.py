"""Compact context: the few sentences of the retrieved passages that answer the question.

On this class of machine the LLM reads a prompt at about 60 tokens a second, so every
passage (about 80 tokens of Arabic) costs more than a second before the first word of
the answer. A small model also answers better from two relevant sentences than from
four paragraphs where the answer is buried. So the top passages are split into sentences,
each sentence is scored against the question (dense similarity, plus a lexical bonus for
shared search terms), and the best sentences are kept within a character budget, shown
in article order under the number of the passage they come from. Citations still point
at (and show) the whole passage, so the reader sees the context.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass

from ..lang import split_sentences, terms
from . import figures
from .decision.signals import DATE, NUMBER, asked_type, holds_type
from .retrieve import Passage

LEXICAL_WEIGHT = 0.15  # a sentence holding every question term gains this much similarity
# A sentence holding a figure of the asked type gains TYPE_WEIGHT, and KIND_WEIGHT more when the figure is of
# the asked kind (the counted thing, currency or unit). Asked "كم طناً من المساعدات وزعتها وزارة الطوارئ
# الأذربيجانية؟", the sentence naming the ministry won and "وتضمنت المساعدات 40 طناً…" was not shown (issue 32).
# With issue 40's typed reading a mention of the asked kind and time earns both, one of another kind nothing:
# the library's cost sentence before its construction's.
TYPE_WEIGHT = 0.04
KIND_WEIGHT = 0.06
MARGIN = 0.12  # sentences scoring this far below the best are not worth their tokens


@dataclass(frozen=True)
class Evidence:
    """A passage as the LLM sees it: only its selected sentences."""

    passage: Passage
    text: str  # the selected sentences, in article order
    similarity: float = 0.0  # the embedder's best cosine between the question and one of these sentences
    # The question's background: the mean and spread of its cosines with every sentence of the pooled passages.
    # An absolute cosine means different things per collection and per language (an English question scores
    # lower against Arabic sentences); the best sentence's distance above its background does not.
    background: float = 0.0
    spread: float = 0.0


def cosine(a, b) -> float:
    """Dot product of two embeddings (the embedder's vectors are normalized: their cosine)."""
    return sum(x * y for x, y in zip(a, b))


def _lexical(question_terms: set[str], sentence: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(terms(sentence))) / len(question_terms)


def select_context(
    question: str,
    question_vector: list[float],
    passages: list[Passage],
    embed_documents: Callable[[list[str]], list[list[float]]],
    *,
    budget_chars: int,
    max_passages: int,
) -> list[Evidence]:
    """The best sentences of the first `max_passages` passages, within `budget_chars`."""
    pool = passages[:max_passages]
    sentences = [(pi, si, s) for pi, p in enumerate(pool) for si, s in enumerate(split_sentences(p.text))]
    if not sentences:
        return [Evidence(p, p.text) for p in pool]
    vectors = embed_documents([s for _, _, s in sentences])
    q_terms = set(terms(question))
    dense = [cosine(question_vector, v) for v in vectors]
    typed = asked_typing(question)
    scored = sorted(
        (
            (cos + LEXICAL_WEIGHT * _lexical(q_terms, s) + typed(s), pi, si, s, cos)
            for (pi, si, s), cos in zip(sentences, dense)
        ),
        key=lambda item: -item[0],
    )
    best = scored[0][0]
    chosen: dict[int, dict[int, str]] = {}
    closest: dict[int, float] = {}
    used = 0
    for score, pi, si, s, cos in scored:
        if chosen and (score < best - MARGIN or used + len(s) > budget_chars):
            continue
        chosen.setdefault(pi, {})[si] = s
        closest[pi] = max(closest.get(pi, -1.0), cos)
        used += len(s)
    # The model can only choose a figure it is shown: when the question asks for a kind of figure or date and no
    # chosen sentence states one, the best-scored sentence that does is shown too (issue 40), budget permitting.
    want = figures.wanted(question)
    if want.typed and not figures.typed(want, [s for kept in chosen.values() for s in kept.values()]):
        extra = next(((pi, si, s, cos) for _, pi, si, s, cos in scored if figures.typed(want, [s])), None)
        if extra is not None and used + len(extra[2]) <= budget_chars + len(extra[2]) // 2:
            pi, si, s, cos = extra
            chosen.setdefault(pi, {})[si] = s
            closest[pi] = max(closest.get(pi, -1.0), cos)
    mean = sum(dense) / len(dense)
    spread = (sum((d - mean) ** 2 for d in dense) / len(dense)) ** 0.5
    # Keep retrieval order between passages (best passage first) and article order within one.
    return [
        Evidence(pool[pi], " ".join(chosen[pi][si] for si in sorted(chosen[pi])), closest[pi], mean, spread)
        for pi in sorted(chosen)
    ]


def asked_typing(question: str) -> Callable[[str], float]:
    """The bonus a sentence earns for holding what the question asks for: a number when it asks how many,
    a date when it asks when (names and places cannot be told by their surface, so they earn none)."""
    typed = figures.wanted(question)
    if typed.typed:  # a mention of the asked kind and time (figures.typed, issue 40): the full bonus
        return lambda sentence: TYPE_WEIGHT + KIND_WEIGHT if figures.typed(typed, [sentence]) else 0.0
    kind = asked_type(question)
    if kind not in (NUMBER, DATE):
        return lambda sentence: 0.0
    want = figures.asked(question)

    def bonus(sentence: str) -> float:
        if not holds_type(sentence, kind):
            return 0.0
        if kind == NUMBER and figures.holds_kind(want, sentence):
            return TYPE_WEIGHT + KIND_WEIGHT
        return TYPE_WEIGHT

    return bonus


SENTENCE_CACHE_SIZE = 20_000  # float32 arrays of 768: about 60 MB at most


class SentenceVectors:
    """Document vectors of passage sentences, from a bounded in-memory cache when seen before.

    Embedding a sentence costs ~30 ms on CPU, and the same passages come back question
    after question, so each sentence is embedded once per process.
    """

    def __init__(self, embeddings, size: int = SENTENCE_CACHE_SIZE):
        self.embeddings = embeddings
        self.size = size
        self._vectors: dict[str, array] = {}

    def __call__(self, texts: list[str]) -> list[array]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            if len(self._vectors) + len(missing) > self.size:
                self._vectors.clear()  # simple and bounded; refilled by the next questions
            vectors = self.embeddings.embed_documents(missing)
            self._vectors.update((t, array("f", v)) for t, v in zip(missing, vectors))
        return [self._vectors[t] for t in texts]

    def support(self, sentences: list[str], shown: list[str]) -> list[list[float]]:
        """Dense similarity of each answer sentence to each shown passage text (for citation repair)."""
        answer_vecs = self.embeddings.embed_documents(list(sentences))
        passage_vecs = self(list(shown))
        return [[sum(a * b for a, b in zip(av, pv)) for pv in passage_vecs] for av in answer_vecs]
