"""Question -> the passages most likely to hold its answer, best first, with scores."""

from __future__ import annotations

from dataclasses import dataclass

from .store import ArticleIndex


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    doc_id: str
    title: str
    paragraph: int
    text: str
    score: float  # cosine similarity to the question, higher is closer


def retrieve(index: ArticleIndex, question: str, k: int) -> list[Passage]:
    return [
        Passage(
            chunk_id=str(meta.get("chunk_id", "")),
            doc_id=str(meta.get("doc_id", "")),
            title=str(meta.get("title", "")),
            paragraph=int(meta.get("paragraph", 0)),
            text=text,
            score=score,
        )
        for meta, text, score in index.search(question, k)
    ]
