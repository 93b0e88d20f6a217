"""Which sentences a quoted answer quotes: relevant, distinct, and no syndicated copy twice.

A span answer needs the one sentence that holds it; a why-, terms- or what-happened answer
needs the few sentences that each add a point. So every sentence of the retrieved passages is
scored as the span path scores it (dense cosine to the question plus a lexical bonus,
answering/select.py), then picked by maximal marginal relevance (Carbonell and Goldstein
1998): each next sentence is the one best balancing its relevance against its likeness to
those already picked, so a second wording of the same point loses to a new point. Sentences
whose words mostly repeat a picked one (Jaccard >= COPY_JACCARD: the seeds' two articles
share paragraphs; syndicated copies repeat whole texts) are merged into it, never quoted twice.

How many to quote was measured on the tuning halves of the blind sets (45 answerable questions,
docs/experiments/quoted_selection.py): the key-point sentences sit anywhere in the first dozen
candidates, so cutting at a floor below the best, or at the question's background cosine, lost
more points (recall 0.47 and 0.51) than it saved in precision (0.32 against 0.30); six quotes
held 0.58 of the points, four 0.45. MMR's diversity (lambda 0.7) cost 0.02 of recall against pure
relevance there, within one question's noise, and keeps paraphrased copies that COPY_JACCARD
misses from taking two places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...lang import normalize_arabic, split_sentences, terms, words
from ..retrieve import Passage, jaccard
from ..select import cosine

MAX_QUOTES = 6
# The lexical bonus of a sentence holding every question term: twice the span path's 0.15
# (answering/select.py); measured 0.597 against 0.591 point recall at six quotes, no worse elsewhere.
QUOTE_LEXICAL_WEIGHT = 0.30
MMR_LAMBDA = 0.7  # relevance against novelty; 0.7 is the usual balance for short-answer summaries
COPY_JACCARD = 0.6  # this share of shared words makes two sentences one point (a syndicated copy, a repeat)
MIN_CHARS = 25  # a fragment ("(الخميس).") is not a sentence worth quoting
MAX_CHARS = 600  # an unsplit paragraph is too long to quote as one sentence
# A sentence that continues the one before it in the same voice ("وأضافت الوزارة أن ...", "He added that")
# says more of what that sentence began, often in other words: the terms after "توصلت إلى اتفاق لوقف
# إطلاق النار" share no word with "ما شروط الاتفاق؟". It scores at least its predecessor's score less
# CONTINUATION_DISCOUNT. The markers are reporting verbs of continuation, a closed class.
CONTINUATION = re.compile(
    r"^\s*(?:و|ف)(?:اضاف|اضافت|تابع|تابعت|تابعوا|تابعا|اوضح|اوضحت|اكمل|اكملت|استطرد|استطردت|ختم|ختمت|اشار|اشارت|لفت|لفتت)"
    r"|^\s*(?:he|she|they|it|the \w+) (?:added|went on|continued|further said|also said)\b", re.I)
CONTINUATION_DISCOUNT = 0.02


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage, scored against the question."""

    sentence: str
    passage: Passage
    index: int  # the passage's rank among those retrieved (0 = best)
    position: int  # the sentence's place in its passage
    score: float  # cosine + lexical bonus: what ranks it
    cosine: float  # the embedder's cosine alone
    vector: object = None
    also_in: tuple[str, ...] = ()  # doc_ids of articles quoting the same sentence (merged copies)


def candidates(question: str, question_vector, passages: list[Passage], embed, *, cue=None,
               lexical_weight: float = QUOTE_LEXICAL_WEIGHT) -> tuple[list[Candidate], float, float]:
    """Every quotable sentence of `passages`, best first, with the question's background (mean, spread) cosine.

    `cue(sentence)`: the bonus of a sentence with the shape the question's kind asks for (cues.py). A bonus
    for sentences of better-ranked passages was measured too, and left out: it lost recall (0.467 against 0.484).
    """
    rows = [(pi, si, s) for pi, p in enumerate(passages) for si, s in enumerate(split_sentences(p.text))
            if MIN_CHARS <= len(s) <= MAX_CHARS]
    if not rows:
        return [], 0.0, 0.0
    vectors = embed([s for _, _, s in rows])
    q_terms = set(terms(question))
    found: list[Candidate] = []
    for (pi, si, s), v in zip(rows, vectors):
        cos = cosine(question_vector, v)
        lexical = len(q_terms & set(terms(s))) / len(q_terms) if q_terms else 0.0
        found.append(Candidate(s, passages[pi], pi, si, cos + lexical_weight * lexical + (cue(s) if cue else 0.0), cos, v))
    found = continued(found)
    dense = [c.cosine for c in found]
    mean = sum(dense) / len(dense)
    spread = (sum((d - mean) ** 2 for d in dense) / len(dense)) ** 0.5
    return sorted(found, key=lambda c: -c.score), mean, spread


def continued(found: list[Candidate]) -> list[Candidate]:
    """Each continuation sentence scored at least as its predecessor less CONTINUATION_DISCOUNT: the sentence
    before it in its passage, or, opening a paragraph, the last sentence of the paragraph before (when retrieved)."""
    by_place = {(c.passage.doc_id, c.passage.paragraph, c.position): c for c in found}
    last = {}
    for c in found:
        key = (c.passage.doc_id, c.passage.paragraph)
        if c.position >= last.get(key, c).position:
            last[key] = c
    out = []
    for c in found:
        if CONTINUATION.search(normalize_arabic(c.sentence)):
            doc, paragraph = c.passage.doc_id, c.passage.paragraph
            before = by_place.get((doc, paragraph, c.position - 1)) if c.position else last.get((doc, paragraph - 1))
            if before is not None and before.score - CONTINUATION_DISCOUNT > c.score:
                c = Candidate(c.sentence, c.passage, c.index, c.position, before.score - CONTINUATION_DISCOUNT,
                              c.cosine, c.vector, c.also_in)
        out.append(c)
    return out


def merge_copies(ranked: list[Candidate]) -> list[Candidate]:
    """The best-scored of each group of near-identical sentences, remembering the other articles that carry it."""
    kept: list[Candidate] = []
    kept_words: list[set[str]] = []
    for c in ranked:
        w = set(words(c.sentence))
        for i, other in enumerate(kept_words):
            if jaccard(w, other) >= COPY_JACCARD:
                k = kept[i]
                if c.passage.doc_id != k.passage.doc_id and c.passage.doc_id not in k.also_in:
                    kept[i] = Candidate(k.sentence, k.passage, k.index, k.position, k.score, k.cosine, k.vector,
                                        (*k.also_in, c.passage.doc_id))
                break
        else:
            kept.append(c)
            kept_words.append(w)
    return kept


def choose(ranked: list[Candidate], *, most: int = MAX_QUOTES, lam: float = MMR_LAMBDA,
           floor: float | None = None) -> list[Candidate]:
    """Up to `most` distinct sentences by maximal marginal relevance, best first.

    `floor`: leave out sentences scoring this far below the best (None: none left out, the default;
    docs/experiments/quoted_selection.py measured a floor of 0.20 at 0.47 point recall against 0.58
    without, and precision 0.32 against 0.30).
    """
    pool = merge_copies(ranked)
    if pool and floor is not None:
        pool = [c for c in pool if c.score >= pool[0].score - floor]
    picked: list[Candidate] = []
    while pool and len(picked) < most:
        def gain(c: Candidate) -> float:
            likeness = max((cosine(c.vector, p.vector) for p in picked), default=0.0)
            return lam * c.score - (1 - lam) * likeness
        nxt = max(pool, key=gain)
        picked.append(nxt)
        pool.remove(nxt)
    return picked
