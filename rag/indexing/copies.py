"""Syndicated copies: the same wire story reposted by several outlets is stored once.

A news folder holds the same Reuters or AFP story from five sites, each with its own
first line or sign-off. Stored five times, the copies fill the top-k of every question
about it and make one report look like five independent ones. So at ingest each new
article is compared with those already held by MinHash over word shingles (datasketch's
MinHash and MinHashLSH); an article whose estimated Jaccard similarity to one already
held reaches COPY_JACCARD is not embedded: it is listed as a copy of that article, and
its citations say "also published by …".

SHINGLE = 5 words: short enough that one edited sentence spoils few shingles, long
enough that two different articles on one event stay far apart: the two seed articles
share two paragraphs nearly word for word and measure 0.10 (0.11 estimated). A repost of
a seed with a new first line and 3 other paragraphs replaced (4 of 20) measures 0.70
(0.73 estimated), with 1 of 20 changed 0.90; COPY_JACCARD = 0.5 sits between, more than
4 estimate errors from either.
"""

from __future__ import annotations

import base64
import logging

import numpy as np

from ..lang import words
from .readers import Article

log = logging.getLogger(__name__)

SHINGLE = 5
PERMUTATIONS = 128  # estimate error about 1/sqrt(128) = 0.09 at the threshold
COPY_JACCARD = 0.5
SEED = 1  # fixed: signatures stored in the manifest must be comparable across runs
SCHEME = "affine32"  # datasketch 2.0's default, named: stored values carry no trace of their scheme


def shingles(article: Article) -> set[bytes]:
    tokens = words(" ".join(article.lines))
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()}
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def signature(article: Article):
    """The article's MinHash (datasketch)."""
    from datasketch import MinHash

    m = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)
    m.update_batch(list(shingles(article)))
    return m


def encode(minhash) -> str:
    """A MinHash as text for the manifest: its 128 32-bit hash values, base64 (684 characters)."""
    return base64.b64encode(np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()).decode()


def decode(text: str):
    from datasketch import MinHash

    # The dtype datasketch 2.0 uses: LSH buckets hash the raw bytes, so uint64 would never match.
    values = np.frombuffer(base64.b64decode(text), dtype=np.uint32).copy()
    return MinHash(num_perm=PERMUTATIONS, seed=SEED, hashvalues=values, scheme=SCHEME)


def find_copies(
    new: list[Article], held: dict[str, str], threshold: float = COPY_JACCARD
) -> tuple[dict[str, str], dict[str, str]]:
    """({doc_id of a new article: doc_id of the article it copies}, {doc_id: signature} of the rest).

    `held`: {doc_id: encoded signature} of the articles already stored. New articles are
    taken in order, so of two new copies the first is stored and the second points to it.
    Candidates come from LSH and are confirmed by the estimated Jaccard similarity.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    signatures = {}
    for doc_id, text in held.items():
        try:
            signatures[doc_id] = decode(text)
        except ValueError:  # a damaged entry: that article cannot be matched, the rest can
            log.warning("the copy signature of %s is unreadable; it will not be matched", doc_id)
            continue
        lsh.insert(doc_id, signatures[doc_id])
    copies: dict[str, str] = {}
    stored: dict[str, str] = {}
    for article in new:
        mine = signature(article)
        matches = [(signatures[d].jaccard(mine), d) for d in lsh.query(mine) if d != article.doc_id]
        best = max(matches, default=(0.0, ""))
        if best[0] >= threshold:
            copies[article.doc_id] = best[1]
            continue
        signatures[article.doc_id] = mine
        stored[article.doc_id] = encode(mine)
        if article.doc_id in lsh:
            lsh.remove(article.doc_id)  # its text changed: the old signature goes
        lsh.insert(article.doc_id, mine)
    return copies, stored
