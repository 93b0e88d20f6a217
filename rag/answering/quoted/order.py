"""The order quotes are shown in: what the question asks decides it (issue 39).

- explanation: the sentence that states a cause first. Causes are told by their connectives, a
  closed class in both languages (CAUSE_MARKERS), not by examples;
- timeline and events: by the day each sentence describes (quoted/dates.py), then by the
  article's paragraph, so the story reads in the order it happened;
- comparison: grouped by side, the sides read off the question ("بين موقف بيراموف وموقف
  باشينيان", "compare X and Y"), each side's sentences together, the first side first;
- content and summary: by relevance, as chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...lang import content_terms, detect_language, fold_letters, normalize_arabic, same_word
from ..kinds import EVENTS, EXPLANATION, TIMELINE
from ..select import cosine
from .choose import Candidate
from .dates import article_date, sentence_date

# Connectives that introduce a cause or a purpose (normalize_arabic forms; English lower case).
CAUSE_MARKERS_AR = ("بسبب", "اثر", "على اثر", "نتيجه", "لان", "لانه", "لانها", "بهدف", "من اجل", "لاجل", "جراء", "نظرا",
                    "بداعي", "ردا على", "على خلفيه", "سعيا", "بغيه", "لكي", "بحجه", "بذريعه", "اذ ان",
                    "يعود الى", "يرجع الى", "ادى الى", "تسبب", "بعد ان", "عقب")  # not حتى, كي, دفع: as often "until", "paid"
CAUSE_MARKERS_EN = ("because", "due to", "owing to", "as a result", "result of", "in order to", "so that", "aimed at",
                    "in response to", "following", "after", "amid", "since", "in retaliation", "led to", "caused",
                    "prompted", "the reason", "to stop", "to prevent", "to end")
_CAUSE_AR = re.compile(r"(?<![\u0621-\u064A])(?:[وف]?)(?:" + "|".join(
    sorted((re.escape(fold_letters(m)) for m in CAUSE_MARKERS_AR), key=len, reverse=True)) + r")(?![\u0621-\u064A])")
_CAUSE_EN = re.compile(r"\b(?:" + "|".join(map(re.escape, CAUSE_MARKERS_EN)) + r")\b", re.I)

# Words that frame a side without naming it: "موقف بيراموف" is the side بيراموف.
_SIDE_FRAMES = {"موقف", "مواقف", "راي", "اراء", "رويه", "تصريحات", "تصريح", "كلام", "حديث", "رد", "موقفي", "وجهه", "نظر",
                "وجهتي", "قارن", "بين", "الفرق", "الاختلاف", "position", "positions", "stance", "view", "views", "statements",
                "statement", "response", "compare", "between", "difference", "differ", "contrast", "the", "of", "s"}
_AR_SIDES = re.compile(r"(?:بين|قارن)\s+(.+?)(?:\s+(?:من|في|حول|بشان|تجاه|ازاء|فيما|حيال|عن)\s|[؟?.]|$)")
_EN_SIDES = re.compile(r"(?:between|compare|comparing|contrast)\s+(.+?)(?:\s+(?:on|about|over|regarding|towards|toward|in|concerning|with regard to)\s|[?.]|$)", re.I)
_EN_DIFFER = re.compile(r"how (?:do|did|does) (.+?) differ", re.I)


@dataclass(frozen=True)
class Side:
    name: str  # as the question writes it
    terms: frozenset[str]


def states_cause(sentence: str) -> bool:
    """True when the sentence holds a cause or purpose connective (CAUSE_MARKERS_*)."""
    return bool(_CAUSE_AR.search(normalize_arabic(sentence)) or _CAUSE_EN.search(sentence))


# The conjunction و before a side: before the article, a frame word ("وموقف"), or a word that itself starts
# with و ("ووزير"). A bare و-word ("وباشينيان") splits only when nothing else gives two sides: و is as often
# the first letter of a name or an office (وزير, وانغ).
_AND_AR_SURE = re.compile(r"\s+و(?=ال|و|" + "|".join(w for w in ("موقف", "مواقف", "راي", "رويه", "تصريحات", "رد")) + r")")
_AND_AR = re.compile(r"\s+و(?=\S)")
_AND_OTHER = re.compile(r"\s+(?:and|with|to|versus|vs\.?)\s+|\s*[،,]\s*", re.I)


def sides(question: str) -> list[Side]:
    """The two (or more) sides a comparison question names, in its order, each named as the question writes it;
    [] when it names none."""
    arabic = detect_language(question) == "ar"
    norm = normalize_arabic(question) if arabic else question
    m = _AR_SIDES.search(norm) or _EN_SIDES.search(norm) or _EN_DIFFER.search(norm)
    if not m:
        return []
    # How the question writes each word, for the names shown to the reader (the match is on folded text).
    written = {}
    for w in re.findall(r"[\w']+", question):
        written[normalize_arabic(w)] = w
        if w.startswith("و") and len(w) > 3:  # "والنقابة" names the side "النقابة"
            written.setdefault(normalize_arabic(w[1:]), w[1:])
    for splitter in ((_AND_AR_SURE, _AND_AR) if arabic else (None,)):
        parts = [p for chunk in (splitter.split(m.group(1)) if splitter else [m.group(1)]) for p in _AND_OTHER.split(chunk)]
        found = []
        for part in parts:
            kept = [w for w in re.findall(r"[\w']+", part) if normalize_arabic(w).removesuffix("'s") not in _SIDE_FRAMES]
            terms_ = frozenset(content_terms(" ".join(kept)))
            if terms_:
                shown = " ".join(written.get(normalize_arabic(w), w) for w in kept).replace("'s", "")
                found.append(Side(shown, terms_))
        if len(found) >= 2:
            return found
    return []


def side_of(candidate: Candidate, question_sides: list[Side], side_vectors: list | None = None) -> int | None:
    """Index of the side the sentence speaks for: the side whose words it holds (within one language),
    else the side whose name the embedder finds closest (across languages); None when it names none."""
    held = content_terms(candidate.sentence)
    hits = [i for i, s in enumerate(question_sides) if any(same_word(a, b) for a in s.terms for b in held)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        return min(hits, key=lambda i: _first_mention(candidate.sentence, question_sides[i]))
    if side_vectors and candidate.vector is not None:
        sims = [cosine(v, candidate.vector) for v in side_vectors]
        ranked = sorted(range(len(sims)), key=lambda i: -sims[i])
        if len(ranked) > 1 and sims[ranked[0]] - sims[ranked[1]] >= SIDE_MARGIN:
            return ranked[0]
    return None


SIDE_MARGIN = 0.03  # across languages, a side is named only when its name is this much closer than the other's


def _first_mention(sentence: str, side: Side) -> int:
    ws = [w for w in content_terms(sentence)]
    norm = normalize_arabic(sentence)
    positions = [norm.find(w) for w in ws if any(same_word(w, t) for t in side.terms)]
    return min((p for p in positions if p >= 0), default=len(norm))


def dated_day(c: Candidate, reference: dict[str, str]) -> str:
    """The day the candidate's sentence tells, against its article's date, else the article's own first date."""
    if c.passage.date:
        return sentence_date(c.sentence, c.passage.date)
    return sentence_date(c.sentence, reference.get(c.passage.doc_id, ""), estimated=True)


def order(picked: list[Candidate], kind: str, reference: dict[str, str]) -> list[tuple[Candidate, str]]:
    """(candidate, the day it describes or "") in the order the question asks for.

    `reference`: {doc_id: date} for articles whose date the store lacks but whose text writes it.
    """
    dated = [(c, dated_day(c, reference)) for c in picked]
    if kind == EXPLANATION:
        return sorted(dated, key=lambda cd: not states_cause(cd[0].sentence))  # stable: relevance within each
    if kind in (TIMELINE, EVENTS) and any(d for _, d in dated):
        return sorted(dated, key=lambda cd: (cd[1] or "9999", cd[0].passage.paragraph, cd[0].position))
    return dated


def grouped(dated: list[tuple[Candidate, str]], question_sides: list[Side], side_vectors=None) -> list[tuple[Candidate, str, str]]:
    """A comparison's quotes grouped by side, first side first; sentences naming no side last."""
    labelled = [(c, d, side_of(c, question_sides, side_vectors)) for c, d in dated]
    labelled.sort(key=lambda cds: len(question_sides) if cds[2] is None else cds[2])
    return [(c, d, question_sides[s].name if s is not None else "") for c, d, s in labelled]


def reference_dates(candidates: list[Candidate], article) -> dict[str, str]:
    """{doc_id: the first full date its article writes} for the undated articles among `candidates`
    (dates.article_date); `article(doc_id)` gives an article's paragraphs."""
    undated = dict.fromkeys(c.passage.doc_id for c in candidates if not c.passage.date)
    return {doc: day for doc in undated if (day := article_date(article(doc)))}
