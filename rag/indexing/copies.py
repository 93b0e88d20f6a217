"""Syndicated copies: the same wire story reposted by several outlets is stored once.

A news folder holds the same Reuters or AFP story from five sites, each with its own
first line or sign-off. Stored five times, the copies fill the top-k of every question
about it and make one report look like five independent ones. So at ingest each new
article is compared with those already held by MinHash over word shingles (datasketch's
MinHash, compared as one numpy array with every held signature); an article whose estimated Jaccard similarity to one already
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
    """A MinHash (or its hash values) as text for the manifest: 128 32-bit values, base64 (684 characters)."""
    values = getattr(minhash, "hashvalues", minhash)
    return base64.b64encode(np.asarray(values, dtype=np.uint32).tobytes()).decode()


def decode(text: str) -> np.ndarray:
    """The 128 hash values of an encoded signature; a ValueError when it is not one."""
    values = np.frombuffer(base64.b64decode(text, validate=True), dtype=np.uint32)
    if values.shape != (PERMUTATIONS,):
        raise ValueError(f"a signature has {PERMUTATIONS} values, this one {values.size}")
    return values


def find_copies(
    new: list[Article], held: dict[str, str], threshold: float = COPY_JACCARD
) -> tuple[dict[str, str], dict[str, str]]:
    """({doc_id of a new article: doc_id of the article it copies}, {doc_id: signature} of the rest).

    `held`: {doc_id: encoded signature} of the articles already stored. New articles are
    taken in order, so of two new copies the first is stored and the second points to it.

    Every held signature is compared, as one array: the estimated Jaccard similarity is the
    share of equal hash values (what datasketch's `MinHash.jaccard` computes). At 100,000
    passages (11,000 articles) this takes about 2 ms an article, where rebuilding datasketch
    MinHash objects and an LSH index from the stored signatures took 3.8 s (2.9 s of it
    regenerating each object's permutations): adding one article took 7.9 s in
    `rag bench --scale`. A first ingest of 10,000 articles compares about 50 million pairs
    of signatures, seconds beside the hours of embedding them.
    """
    ids: list[str] = []
    rows: list[np.ndarray] = []
    for doc_id, text in held.items():
        try:
            rows.append(decode(text))
        except ValueError:  # a damaged entry: that article cannot be matched, the rest can
            log.warning("the copy signature of %s is unreadable; it will not be matched", doc_id)
            continue
        ids.append(doc_id)
    matrix = np.zeros((len(rows) + len(new), PERMUTATIONS), dtype=np.uint32)
    if rows:
        matrix[: len(rows)] = np.stack(rows)
    count = len(rows)
    copies: dict[str, str] = {}
    stored: dict[str, str] = {}
    for article in new:
        mine = np.asarray(signature(article).hashvalues, dtype=np.uint32)
        similarity = (matrix[:count] == mine).mean(axis=1) if count else np.zeros(0)
        for row in np.argsort(-similarity, kind="stable"):
            if similarity[row] < threshold:
                break
            if ids[row] and ids[row] != article.doc_id:  # its own earlier version is not a copy
                copies[article.doc_id] = ids[row]
                break
        if article.doc_id in copies:
            continue
        if article.doc_id in ids:  # its text changed: its old signature goes
            matrix[ids.index(article.doc_id)] = 0
            ids[ids.index(article.doc_id)] = ""
        matrix[count] = mine
        ids.append(article.doc_id)
        count += 1
        stored[article.doc_id] = encode(mine)
    return copies, stored
