"""The page's own words in the reader's language: one catalogue (strings.toml), two languages.

A reader working in Arabic met an English page around Arabic answers (issue 33): the side
panel, the placeholder, the notes and the export's headings. Every string the page shows of
its own is here, each with its English and its Arabic, so neither can be forgotten (a unit test
checks both exist and take the same values). The page's language is the reader's choice, else
the browser's (`Accept-Language`), else English.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "ar")
DEFAULT = "en"
# The switch shows each language in its own words.
NAMES = {"en": "English", "ar": "العربية"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {"en": ..., "ar": ...}}, read once from the package's strings.toml."""
    data = resources.files(__package__).joinpath("strings.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


def text(key: str, language: str | None, **values) -> str:
    """The string `key` in `language` (English for any other), its `{name}`s filled from `values`."""
    entry = catalogue()[key]
    return entry.get(language or DEFAULT, entry[DEFAULT]).format(**values)


def known(language: str | None) -> str:
    """`language` if the page speaks it, else the default."""
    return language if language in LANGUAGES else DEFAULT


def from_header(accept_language: str | None) -> str:
    """The first language of an `Accept-Language` header the page speaks ("ar-EG,ar;q=0.9,en;q=0.8" -> "ar").

    Ranges are taken by their q-value, highest first; one the page does not speak is skipped.
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
        ranked.append((-q, i, tag.strip().split("-")[0].lower()))
    for _, _, primary in sorted(ranked):
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def page_language(chosen: str | None, accept_language: str | None) -> str:
    """The reader's own choice when made, else the browser's language."""
    return chosen if chosen in LANGUAGES else from_header(accept_language)
