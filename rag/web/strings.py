"""The page's own words in the reader's language: one catalogue (strings.toml), two languages.

A reader working in Arabic met an English page around Arabic answers (issue 33): the side
panel, the placeholder, the notes and the export's headings. Every string the page shows of
its own is here, each with its English and its Arabic, so neither can be forgotten (a unit test
checks both exist and take the same values). The page's language is the reader's choice, else
the browser's (`Accept-Language`), else English.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from ..lang import detect_language

LANGUAGES = ("en", "ar")
DEFAULT = "en"
# The switch shows each language in its own words.
NAMES = {"en": "English", "ar": "العربية"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {"en": ..., "ar": ...}}, read once from the package's strings.toml."""
    data = resources.files(__package__).joinpath("strings.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


# Unicode isolates. A title, a file name or a stamp dropped into a sentence of the other direction
# takes the sentence's direction and scrambles ("«2026-12-03 report» حُذف" read backwards): each
# filled-in value is isolated (a lone number needs no isolate). Words take their own first strong direction (FIRST STRONG ISOLATE);
# figures and stamps are left to right (LEFT-TO-RIGHT ISOLATE), so "2026-12-03 10:00" stays in order.
FIRST_STRONG_ISOLATE, LTR_ISOLATE, POP_ISOLATE = "\u2068", "\u2066", "\u2069"
_LETTER = re.compile(r"[^\W\d_]")


# 3, 0.91, 12/03: one number run keeps its order unaided. Not a date with hyphens: after Arabic letters
# "2026-12-03" is drawn "03-12-2026" (the hyphen is a separator the bidi algorithm turns right to left).
_ONE_FIGURE = re.compile(r"[\d.,:/]+")


def isolate(value: object) -> str:
    """`value` as text that keeps its own direction inside a sentence of either direction (one figure as it is)."""
    text = str(value)
    if _ONE_FIGURE.fullmatch(text):
        return text
    opener = FIRST_STRONG_ISOLATE if _LETTER.search(text) else LTR_ISOLATE
    return f"{opener}{text}{POP_ISOLATE}"


def text(key: str, language: str | None, **values) -> str:
    """The string `key` in `language` (English for any other), its `{name}`s filled from `values`, each isolated."""
    entry = catalogue()[key]
    return entry.get(language or DEFAULT, entry[DEFAULT]).format(**{k: isolate(v) for k, v in values.items()})


def language_of(words: str) -> str | None:
    """The page language `words` are written in, as the pipeline reads a question's (`rag.lang`), or None when
    there are no letters to tell."""
    return detect_language(words) if _LETTER.search(words or "") else None


def known(language: str | None) -> str:
    """`language` if the page speaks it, else the default."""
    return language if language in LANGUAGES else DEFAULT


def from_header(accept_language: str | None) -> str:
    """The first language of an `Accept-Language` header the page speaks ("ar-EG,ar;q=0.9,en;q=0.8" -> "ar").

    Ranges are taken by their q-value, highest first; one the page does not speak is skipped, and
    so is one of q=0, which the browser sends to say "not this language".
    """
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, tag.strip().split("-")[0].lower()))
    for _, _, primary in sorted(ranked):
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def page_language(chosen: str | None, accept_language: str | None) -> str:
    """The reader's own choice when made, else the browser's language."""
    return chosen if chosen in LANGUAGES else from_header(accept_language)
