"""Question -> the passages most likely to hold its answer, best first, with scores.

The articles repeat each other: the two seed articles share two paragraphs nearly word for
word. Without care both copies win retrieval together and crowd out a passage that adds
something, so we fetch a few extra candidates and collapse near-duplicates (same words
after Arabic normalization, Jaccard >= NEAR_DUPLICATE), keeping the best-scored copy and
remembering which other articles carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .lang import words
from .store import ArticleIndex

NEAR_DUPLICATE = 0.8
CANDIDATE_FACTOR = 2  # fetch k * this before collapsing, so k distinct passages remain


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    doc_id: str
    title: str
    paragraph: int
    text: str
    score: float  # cosine similarity to the question, higher is closer
    also_in: tuple[str, ...] = ()  # other articles carrying a near-identical passage


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def collapse_near_duplicates(passages: list[Passage], threshold: float = NEAR_DUPLICATE) -> list[Passage]:
    """Keep the first (best) of each group of near-identical passages; note the others' articles."""
    kept: list[Passage] = []
    kept_words: list[set[str]] = []
    for p in passages:
        pw = set(words(p.text))
        for i, kw in enumerate(kept_words):
            if jaccard(pw, kw) >= threshold:
                if p.doc_id != kept[i].doc_id and p.doc_id not in kept[i].also_in:
                    kept[i] = replace(kept[i], also_in=(*kept[i].also_in, p.doc_id))
                break
        else:
            kept.append(p)
            kept_words.append(pw)
    return kept


def retrieve(index: ArticleIndex, question: str, k: int) -> list[Passage]:
    hits = [
        Passage(
            chunk_id=str(meta.get("chunk_id", "")),
            doc_id=str(meta.get("doc_id", "")),
            title=str(meta.get("title", "")),
            paragraph=int(meta.get("paragraph", 0)),
            text=text,
            score=score,
        )
        for meta, text, score in index.search(question, k * CANDIDATE_FACTOR)
    ]
    return collapse_near_duplicates(hits)[:k]
