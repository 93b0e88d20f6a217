"""Question -> the passages most likely to hold its answer, best first, with scores.

Hybrid: the dense ranking (EmbeddingGemma, good at paraphrase and across languages) and
the BM25 ranking (indexing/keyword.py, tantivy: exact on names and numbers) are fused by reciprocal rank,
which needs no score calibration between the two. Every passage keeps its dense cosine
similarity as `score`, so the refusal gate reads one well-understood scale.

The articles repeat each other: the two seed articles share two paragraphs nearly word for
word. Without care both copies win retrieval together and crowd out a passage that adds
something, so we fetch a few extra candidates and collapse near-duplicates (same words
after Arabic normalization, Jaccard >= NEAR_DUPLICATE), keeping the best-scored copy and
remembering which other articles carry it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ..indexing.chunking import day_number
from ..indexing.store import ArticleIndex
from ..lang import words
from .scope import EVERYTHING, Scope

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
    also_published_by: tuple[str, ...] = ()  # sources of reposts of this article (stored once)
    date: str = ""  # the article's publication date (YYYY-MM-DD) or ""
    source: str = ""  # the article's publisher or ""


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


def passage_from_store(meta: dict, text: str, score: float) -> Passage:
    """A Passage from a stored chunk's metadata and text."""
    return Passage(
        chunk_id=str(meta.get("chunk_id", "")),
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        paragraph=int(meta.get("paragraph", 0)),
        text=text,
        score=score,
        also_published_by=tuple(x for x in str(meta.get("also_published_by", "")).split("; ") if x),
        date=str(meta.get("date", "")),
        source=str(meta.get("source", "")),
    )


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> list[str]:
    """Ids ordered by sum of 1/(k + rank) over the rankings (Cormack et al. 2009, k=60)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])


def retrieve(
    index: ArticleIndex, question: str, k: int, *, hybrid: bool = True, vector: list[float] | None = None,
    scope: Scope = EVERYTHING, timings: dict | None = None,
) -> list[Passage]:
    """The k best distinct passages for `question`, fused dense + keyword ranking.

    `vector`: the question embedded already (the caller reuses it to pick sentences).
    `scope`: the dates and sources to search, pushed down to both searches.
    `timings`, when given, receives the seconds of each part: embed, dense, keyword
    (with reading the passages it found), fusion (with their dense similarities).
    """
    clock = {} if timings is None else timings
    started = time.perf_counter()
    where = scope.where()
    days = (day_number(scope.since) if scope.since else 0, day_number(scope.until) if scope.until else 0)
    depth = k * CANDIDATE_FACTOR
    if vector is None:
        vector = index.embeddings.embed_query(question)
    embedded = time.perf_counter()
    dense = [passage_from_store(m, t, s) for m, t, s in index.search_by_vector(vector, depth, where)]
    searched = time.perf_counter()
    clock.update(embed=embedded - started, dense=searched - embedded, keyword=0.0)
    by_id = {p.chunk_id: p for p in dense}
    rankings = [[p.chunk_id for p in dense]]
    if hybrid:
        keyword = index.keyword_search(question, depth, *days, scope.sources)
        clock["keyword"] = time.perf_counter() - searched
        rankings.append([str(m.get("chunk_id", "")) for m, _, _ in keyword])
        missing = [(m, t) for m, t, _ in keyword if str(m.get("chunk_id", "")) not in by_id]
        # Passages only BM25 found still get their true dense similarity, for the gate.
        sims = index.similarities(vector, [str(m.get("chunk_id", "")) for m, _ in missing])
        for m, t in missing:
            p = passage_from_store(m, t, sims.get(str(m.get("chunk_id", "")), 0.0))
            by_id[p.chunk_id] = p
    fusing = searched + clock["keyword"]
    fused = collapse_near_duplicates([by_id[i] for i in reciprocal_rank_fusion(rankings)])[:k]
    clock["fusion"] = time.perf_counter() - fusing
    return fused
