"""Turn the model's [n] markers into `Citation`s, and keep them honest.

The answer is checked sentence by sentence. A marker survives only when its passage
supports the sentence it ends: shared content words or numbers (after Arabic
normalization), or, across languages where words cannot match, a dense similarity close
to the best passage's. A sentence left without a valid marker (the model forgot, or
pointed at the wrong passage) is attributed to its best supporting passage, if one
supports it clearly. Markers pointing at no passage are removed, never shown as dead
references, and only passages the final text points at become citations.

The guards that decide whether a reply is an answer at all live in guards.py; this module
only keeps the citations of an accepted answer honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..lang import content_terms, detect_language, normalize_arabic, split_sentences
from ..types import Citation
from .retrieve import Passage

# [1], [1, 2], [1،2], [1][2]; also the fullwidth and Arabic-Indic digits models sometimes emit.
MARKER = re.compile(r"\[\s*([0-9٠-٩]+(?:\s*[,،]\s*[0-9٠-٩]+)*)\s*\]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
MIN_SHARED_WORDS = 2  # fewer shared words than this is coincidence, not support
_NUMBER = re.compile(r"\d+(?:[.,،٬]\d+)*")
MIN_DENSE = 0.2  # below this an answer sentence and a passage are about different things (measured:
# correct one-name English answers score 0.24-0.4 against their Arabic passage)
DENSE_MARGIN = 0.05  # a cited passage this close to the best-supporting one is a fair citation


def _numbers(group: str) -> list[int]:
    return [int(n.translate(_ARABIC_DIGITS)) for n in re.split(r"\s*[,،]\s*", group.strip())]


def best_supporting(text: str, passages: list[Passage]) -> int | None:
    """1-based number of the passage sharing the most content words with `text`, if clear."""
    answer_words = content_terms(text)
    best, best_shared = None, MIN_SHARED_WORDS - 1
    for i, passage in enumerate(passages, start=1):
        shared = len(answer_words & content_terms(passage.text))
        if shared > best_shared:
            best, best_shared = i, shared
    return best


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers (for matching and language checks)."""
    return MARKER.sub(" ", text)


def has_content(text: str) -> bool:
    """False for an 'answer' that is only markers and punctuation, e.g. '[1]'."""
    return bool(re.search(r"\w", strip_markers(text)))


def numbers(text: str) -> set[str]:
    """The numbers a text states (Arabic-Indic digits folded, thousands separators dropped)."""
    norm = normalize_arabic(strip_markers(text))
    return {re.sub(r"(?<=\d)[,،٬](?=\d{3}\b)", "", n) for n in _NUMBER.findall(norm)}


def _segments(text: str) -> list[tuple[str, list[int]]]:
    """The answer as (sentence without markers, marker numbers) pairs.

    A marker opening a sentence ("… 2023. [1] The …") belongs to the sentence before it.
    """
    segments: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(text):
        lead = re.match(r"^(\s*" + MARKER.pattern + r")+", sentence)
        if lead and segments:
            body, cited = segments[-1]
            segments[-1] = (body, cited + [n for g in MARKER.findall(lead.group(0)) for n in _numbers(g)])
            sentence = sentence[lead.end():]
        cited = [n for g in MARKER.findall(sentence) for n in _numbers(g)]
        body = re.sub(r"[ \t]{2,}", " ", strip_markers(sentence))
        body = re.sub(r"\s+([.،,؟?!:؛])", r"\1", body).strip()
        if has_content(body):
            segments.append((body, cited))
        elif segments:  # a stray marker or punctuation: its markers go to the sentence before
            segments[-1] = (segments[-1][0], segments[-1][1] + cited)
    return segments


def _with_markers(sentence: str, cited: list[int]) -> str:
    if not cited:
        return sentence
    body, end = re.match(r"(.*?)([.!?؟…]*)$", sentence, re.S).groups()
    return f"{body} {''.join(f'[{n}]' for n in cited)}{end}"


def cite(
    text: str,
    passages: list[Passage],
    shown: list[str] | None = None,
    support: Callable[[list[str], list[str]], list[list[float]]] | None = None,
    question: str = "",
) -> tuple[str, list[Citation]]:
    """The answer with every [n] checked sentence by sentence, and the citations used (in order).

    `shown`: the text of each passage as the model saw it (default: the whole passage).
    `support(sentences, shown)`: dense similarity of each sentence to each shown text; it is
    what judges support across languages (an English sentence about an Arabic passage),
    where shared words cannot. Words the answer only repeats from `question` prove nothing
    ("وزير الدفاع هو …" shares وزير and الدفاع with many passages): what the answer adds
    must be in the passage. A marker stays when its passage supports the sentence
    (shared content words or numbers, or dense similarity close to the best passage's);
    a sentence left without one is attributed to its best supporting passage, if any.
    """
    shown = shown if shown is not None else [p.text for p in passages]
    segments = _segments(text)
    dense = support([body for body, _ in segments], shown) if support and segments and shown else None
    shown_terms = [content_terms(t) for t in shown]
    shown_numbers = [numbers(t) for t in shown]
    question_terms = content_terms(question)
    shown_language = detect_language(" ".join(shown))
    order: list[int] = []
    out: list[str] = []
    for j, (body, cited) in enumerate(segments):
        body_terms, body_numbers = content_terms(body), numbers(body)
        novel = body_terms - question_terms
        if novel:  # one word the answer adds, found in the passage, is support
            body_terms, enough = novel, 1
        else:  # the answer only restates the question: ask for two shared words
            enough = min(MIN_SHARED_WORDS, max(len(body_terms), 1))
        lexical = [len(body_terms & t) + 2 * len(body_numbers & n) for t, n in zip(shown_terms, shown_numbers)]
        # The embedder judges only across languages; within one, shared words are the sharper test.
        sims = dense[j] if dense and detect_language(body) != shown_language else None

        def supported(n: int) -> bool:
            i = n - 1
            if lexical[i] >= enough:
                return True
            return sims is not None and sims[i] >= MIN_DENSE and sims[i] >= max(sims) - DENSE_MARGIN

        kept = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages) and supported(n)]
        if not kept:
            best = max(range(len(shown)), key=lambda i: lexical[i], default=None)
            if best is not None and lexical[best] >= enough:
                kept = [best + 1]
            elif sims:
                best = max(range(len(sims)), key=lambda i: sims[i])
                if sims[best] >= MIN_DENSE:
                    kept = [best + 1]
        for n in kept:
            if n not in order:
                order.append(n)
        out.append(_with_markers(body, kept))
    return " ".join(out), [citation(n, passages[n - 1]) for n in order]


def citation(n: int, passage: Passage) -> Citation:
    """The passage as the answer's [n]."""
    p = passage
    return Citation(n=n, doc_id=p.doc_id, title=p.title, text=p.text, score=p.score, paragraph=p.paragraph, also_in=p.also_in,
                    also_published_by=p.also_published_by, date=p.date, source=p.source)
