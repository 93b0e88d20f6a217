"""Turn the model's [n] markers into `Citation`s, and keep them honest.

Only passages the answer actually cites become citations. Markers that point at no
passage are removed from the text rather than shown to the user as dead references.
Small models sometimes forget to cite at all; then the answer is attributed to the
passage that shares the most words with it (after Arabic normalization), if any does
clearly, and that marker is added to the text, so every citation the user sees is one
the text points at.
"""

from __future__ import annotations

import re

from .lang import words
from .retrieve import Passage
from .types import Citation

# [1], [1, 2], [1،2], [1][2]; also the fullwidth and Arabic-Indic digits models sometimes emit.
_MARKER = re.compile(r"\[\s*([0-9٠-٩]+(?:\s*[,،]\s*[0-9٠-٩]+)*)\s*\]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
MIN_SHARED_WORDS = 2  # fewer shared words than this is coincidence, not support
_SHORT_WORD = 2  # words this short (و، في، of, a) say nothing about support


def _numbers(group: str) -> list[int]:
    return [int(n.translate(_ARABIC_DIGITS)) for n in re.split(r"\s*[,،]\s*", group.strip())]


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) > _SHORT_WORD}


def best_supporting(text: str, passages: list[Passage]) -> int | None:
    """1-based number of the passage sharing the most content words with `text`, if clear."""
    answer_words = _content_words(text)
    best, best_shared = None, MIN_SHARED_WORDS - 1
    for i, passage in enumerate(passages, start=1):
        shared = len(answer_words & _content_words(passage.text))
        if shared > best_shared:
            best, best_shared = i, shared
    return best


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers (for matching and language checks)."""
    return _MARKER.sub(" ", text)


def has_content(text: str) -> bool:
    """False for an 'answer' that is only markers and punctuation, e.g. '[1]'."""
    return bool(re.search(r"\w", strip_markers(text)))


def cite(text: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
    """The answer text with valid markers only, and the citations they point at (in order)."""
    cited: list[int] = []

    def keep_valid(match: re.Match) -> str:
        valid = [n for n in _numbers(match.group(1)) if 1 <= n <= len(passages)]
        for n in valid:
            if n not in cited:
                cited.append(n)
        return "".join(f"[{n}]" for n in dict.fromkeys(valid))

    text = _MARKER.sub(keep_valid, text)
    text = re.sub(r"[ \t]+([.،,؟?!])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    if not cited and text:
        n = best_supporting(text, passages)
        if n is not None:
            cited.append(n)
            text = f"{text} [{n}]"
    citations = [
        Citation(n=n, doc_id=p.doc_id, title=p.title, text=p.text, score=p.score, paragraph=p.paragraph, also_in=p.also_in)
        for n, p in ((n, passages[n - 1]) for n in cited)
    ]
    return text, citations
