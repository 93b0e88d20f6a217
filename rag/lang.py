"""Language detection and Arabic normalization, kept dependency-free.

Detection only has to choose between the two languages we answer in, so counting
Arabic-script letters against Latin letters is both faster and more reliable on short
questions than a general-purpose detector.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def detect_language(text: str) -> str:
    """'ar' when Arabic letters outnumber Latin ones, else 'en'."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "ar" if arabic > latin else "en"


def normalize_arabic(text: str) -> str:
    """Fold the spelling variants that do not change an Arabic word's identity.

    Diacritics and tatweel go; أ إ آ ٱ become ا; ة becomes ه; ى becomes ي; Arabic-Indic
    digits become ASCII digits; Latin is case-folded.
    """
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    text = re.sub("[أإآٱ]", "ا", text)
    text = text.replace("ة", "ه").replace("ى", "ي")
    return text.casefold()


def words(text: str) -> list[str]:
    """Normalized word tokens, for lexical overlap."""
    return _WORD.findall(normalize_arabic(text))
