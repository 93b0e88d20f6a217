"""Language detection and Arabic normalization, kept dependency-free.

Detection only has to choose between the two languages we answer in, so counting
Arabic-script letters against Latin letters is both faster and more reliable on short
questions than a general-purpose detector.
"""

from __future__ import annotations

import re
import unicodedata

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def detect_language(text: str) -> str:
    """'ar' when Arabic letters outnumber Latin ones, else 'en'."""
    arabic = len(ARABIC_LETTER.findall(text))
    latin = len(LATIN_LETTER.findall(text))
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


def fold_letters(pattern: str) -> str:
    """An Arabic pattern or table word with its letters folded as `normalize_arabic` folds text (أ/إ/آ/ٱ -> ا,
    ة -> ه, ى -> ي) and nothing else touched, so a regex written with على matches the normalized text's علي."""
    return re.sub("[أإآٱ]", "ا", pattern).replace("ة", "ه").replace("ى", "ي")


def words(text: str) -> list[str]:
    """Normalized word tokens, for lexical overlap."""
    return _WORD.findall(normalize_arabic(text))


# --- sentences and search terms ---------------------------------------------------------

# A sentence ends at . ! ? and their Arabic forms (؟ question mark, ؛ semicolon, ۔ full stop),
# optionally followed by a closing quote or bracket; a dot between digits (1.5) is not an end.
_SENTENCE_END = re.compile(r"[.!?؟؛۔]+[\"'”»)\]]*\s+|\n+")
# Function words that match everywhere and so carry no evidence; Arabic after normalization.
STOPWORDS = frozenset(
    "في من الي علي عن ان او ثم مع هذا هذه ذلك التي الذي الذين كان كانت قد لا ما ماذا هل كم متي اين "
    "من هو هي هم كيف لماذا اي بين بعد قبل حتي عند منذ وقال قال و ب ل ك "
    "the a an of in on at to for from by with and or is are was were be been what who whom which when "
    "where why how did does do many much it its this that these those as about into than".split()
)
# Light stemming (in the spirit of Larkey's light10): strip the article and clitics in
# front, and plural/feminine/possessive endings behind, leaving at least three letters.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_SUFFIXES = ("هما", "كما", "ات", "ون", "ين", "ها", "هم", "يه", "ه", "ي")  # not the dual ان: it ends names (أذربيجان)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, Arabic punctuation included; quotes stay with their sentence."""
    parts = _SENTENCE_END.split(text)
    ends = _SENTENCE_END.findall(text)
    sentences = [(p + (ends[i] if i < len(ends) else "")).strip() for i, p in enumerate(parts)]
    return [s for s in sentences if re.search(r"\w", s)]


def light_stem(word: str) -> str:
    """A normalized word with its commonest Arabic prefix and suffix removed."""
    if not ARABIC_LETTER.match(word):
        return word
    for prefix in _PREFIXES:
        # A lone و is as often a root letter (وزير) as the conjunction: strip it from long words only.
        keep = 4 if prefix == "و" else 3
        if word.startswith(prefix) and len(word) - len(prefix) >= keep:
            word = word[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word


def terms(text: str) -> list[str]:
    """Search terms: normalized, light-stemmed words without function words."""
    return [light_stem(w) for w in words(text) if w not in STOPWORDS]


SHORT_WORD = 2  # words this short (و، في، of, a) say nothing about support or identity


def content_terms(text: str) -> set[str]:
    """Light-stemmed words that can carry evidence (الخارجية and خارجية are one)."""
    return {w for w in terms(text) if len(w) > SHORT_WORD}


def same_word(a: str, b: str) -> bool:
    """One word in two inflections: plans/plan, أرمينيا/أرمينية stems; the shorter has >= 4 letters.

    The one definition of "the same word" for guards, citations, follow-ups and highlighting.
    Give it normalized words or search terms (`terms`, `content_terms`).
    """
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short[:-1] if len(short) > 4 else short)
