"""What marks a sentence as answering a kind of question, read from closed classes of the language.

A why-question is answered by a sentence with a cause connective; "what did X say" by a sentence
with a reporting verb or a quotation; a timeline or "what happened" by a sentence that dates what
it tells; a comparison by a sentence naming one of the sides. The embedder's cosine ranks sentences
by topic, and on the tuning halves the key-point sentences sat anywhere in its first dozen
(docs/experiments/quoted_selection.py); these cues add KIND_CUE to a sentence of the asked shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...lang import fold_letters, normalize_arabic
from ..kinds import COMPARISON, CONTENT, EVENTS, EXPLANATION, TIMELINE
from .dates import names_a_day
from .order import Side, side_of, states_cause

KIND_CUE = 0.04
# Reporting verbs and their nouns (normalize_arabic forms; English lower case).
REPORTING_AR = ("قال", "قالت", "اكد", "اكدت", "اعلن", "اعلنت", "اوضح", "اوضحت", "اضاف", "اضافت", "ذكر", "ذكرت", "صرح",
                "صرحت", "اشار", "اشارت", "لفت", "لفتت", "دعا", "دعت", "طالب", "طالبت", "شدد", "شددت", "اعتبر", "اعتبرت",
                "راي", "رات", "وصف", "وصفت", "ينص", "تنص", "نص", "نصت", "تضمن", "تضمنت", "يتضمن", "يشمل", "تشمل", "وعد",
                "تعهد", "حذر", "حذرت", "اعرب", "اعربت", "عرض", "اقترح", "طلب", "طلبت", "وافق", "وافقت", "بحسب", "وفق",
                "تصريح", "تصريحات", "بيان", "كلمه", "مطالب", "شروط", "بنود", "اتفاق")
REPORTING_EN = ("said", "says", "stated", "announced", "added", "told", "called", "demanded", "urged", "warned", "noted",
                "stressed", "insisted", "described", "promised", "pledged", "proposed", "offered", "agreed",
                "according to", "statement", "terms", "provides", "stipulates", "includes")
_REPORTING_AR = re.compile(r"(?<![\u0621-\u064A])[وف]?(?:" + "|".join(map(fold_letters, REPORTING_AR)) + r")(?![\u0621-\u064A])")
_REPORTING_EN = re.compile(r"\b(?:" + "|".join(REPORTING_EN) + r")\b", re.I)
_QUOTATION = re.compile(r"[\"«“][^\"»”]{12,}[\"»”]")


def reports(sentence: str) -> bool:
    """A reporting verb, a word of stated content (terms, demands) or a quotation."""
    return bool(_REPORTING_AR.search(normalize_arabic(sentence)) or _REPORTING_EN.search(sentence)
                or _QUOTATION.search(sentence))


def cue_for(kind: str, sides: list[Side] | None = None) -> Callable[[str], float]:
    """sentence -> KIND_CUE when it has the shape the kind asks for, else 0."""
    if kind == EXPLANATION:
        test = states_cause
    elif kind == CONTENT:
        test = reports
    elif kind in (TIMELINE, EVENTS):
        test = names_a_day
    elif kind == COMPARISON and sides:
        from .choose import Candidate  # a sentence is tested as a bare candidate: words, not vectors

        def test(sentence: str) -> bool:
            return side_of(Candidate(sentence, None, 0, 0, 0.0, 0.0), sides) is not None
    else:
        return lambda sentence: 0.0
    return lambda sentence: KIND_CUE if test(sentence) else 0.0
