"""Is the model's reply an answer from the articles at all? The guards, and the repairs before them.

A 1.5B model that cannot find the answer rarely says NO_ANSWER cleanly: it states a number
no passage gives, echoes the question back with a citation, or says in a sentence that
the passage does not mention it. Each of those is a refusal, recorded under a named
reason (`Reason`) that `rag eval` reports per question and the log shows, so the next
tuning step can see which guard fired and why.

Two things are repaired instead of refused, because the rest of the answer is grounded:
a year appended to a passage's day and month (`drop_invented_years`), and parenthesised
spellings the passages do not give (`tidy_parentheses`).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..lang import ARABIC_LETTER, LATIN_LETTER, content_terms, normalize_arabic, same_word
from .cite import has_content, numbers, strip_markers


class Reason:
    """Why an answer was refused: one name per guard (Answer.reason, eval reports, logs)."""

    OFF_TOPIC = "off_topic"  # no passage scored above min_score: the model was not asked
    NO_ANSWER_PROBABILITY = "no_answer_probability"  # P(NO_ANSWER) at the first token >= refuse_probability
    NO_ANSWER = "no_answer"  # the model replied with the NO_ANSWER sentinel
    SAYS_NOT_FOUND = "says_not_found"  # the reply says in words that the passages lack the answer
    NO_CONTENT = "no_content"  # only markers and punctuation
    UNGROUNDED_NUMBER = "ungrounded_number"  # a number that neither the passages nor the question state
    ECHOES_QUESTION = "echoes_question"  # the reply adds nothing to the question
    UNSUPPORTED = "unsupported"  # same language as the passages, yet no passage shares its words
    NOT_COPIED = "not_copied"  # copy mode: the reply is not a span of the shown sentences (a server without grammars)
    LOW_CONFIDENCE = "low_confidence"  # an unsure answer: "low_confidence:<signal>" names the signal that pulled
    # its P(right) down most, or the guard that left no candidate ("low_confidence:ungrounded_number")
    UNANSWERABLE = "unanswerable"  # refused by the answerability decision: "unanswerable:<weakest signal>"
    FIGURE_KIND = "figure_kind"  # the candidate's figure is of another kind than the asked one (figures.kind_mismatch):
    # unsure ("low_confidence:figure_kind"), or refused ("unanswerable:figure_kind") when no shown sentence holds the asked kind
    FIGURE_RENDERING = "figure_rendering"  # the English rendering states other figures than its Arabic span: unsure


# The model itself said the passages lack the answer: a refusal whatever the sentences look like, taken
# before any decision (the decision room is not asked; `rag calibrate` leaves these out of its fit).
DECLINES = frozenset({Reason.NO_ANSWER, Reason.SAYS_NOT_FOUND, Reason.NO_ANSWER_PROBABILITY})


def stated_numbers(sources: list[str]) -> set[str]:
    """Every number any of the sources (passages, question) states."""
    return set().union(*(numbers(source) for source in sources))


def ungrounded_numbers(answer: str, sources: list[str]) -> set[str]:
    """Numbers in the answer that none of the sources (passages, question) states."""
    return numbers(answer) - stated_numbers(sources)


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|"
    "يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
)
# A day and month ("September 19", "19 سبتمبر/أيلول"), then a year: the year is what a small
# model adds from its own memory when the passage dates an event by weekday and month only.
_DATED_YEAR = re.compile(
    rf"((?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})"
    rf"(?:\s*/\s*(?:{_MONTHS}))?))(\s*[,،]?\s*)((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


def drop_invented_years(answer: str, sources: list[str]) -> str:
    """The answer without a year appended to a day-and-month date when no source states that year.

    Measured: asked for the date of the 19 September operation, which the passage gives as
    "الثلاثاء 19 سبتمبر/أيلول" with no year, the model answered "Tuesday, September 19, 2018".
    The day and month are the passage's; the year is invented. Dropping it keeps the grounded
    part, where refusing (as for any other invented number) would throw a right answer away.
    A year that any source states is left alone.
    """
    if not _DATED_YEAR.search(answer):
        return answer  # the common case: no dated year, no need to read the sources' numbers
    given = stated_numbers(sources)

    def keep_or_drop(match: re.Match) -> str:
        return match.group(0) if match.group(3) in given else match.group(1)

    return _DATED_YEAR.sub(keep_or_drop, answer)


_YES_NO = re.compile(r"(?<!\w)(yes|no|not|never|نعم|لا|كلا|لم|لن|ليس|ليست)(?!\w)", re.IGNORECASE)


def adds_nothing(answer: str, question: str) -> bool:
    """True when the answer only repeats the question ("وزير الخارجية الصيني [1]").

    A 1.5B model that cannot find the answer in the passage often echoes the question back
    with a citation. Such a reply states no fact, and the citation it carries would vouch for
    nothing, so it is treated as no answer. Inflections count as the same word (the model
    writes "plans" for "plan").
    """
    if _YES_NO.search(strip_markers(answer)):
        return False  # "No, … [1]" or "لم …" answers a yes/no question with the question's words
    asked = content_terms(question)
    added = [w for w in content_terms(strip_markers(answer)) if not any(same_word(w, q) for q in asked)]
    return not added and not (numbers(answer) - numbers(question))


# The model saying, in its own words, that the passages lack the answer: "… is not mentioned
# in the passage", "لم تذكر عدد الجنود". Specific phrases only: a plain negation ("Armenia did
# not intervene", "لم تسع أرمينيا") is a fact from the passage and stays an answer.
_NOT_FOUND = re.compile(
    r"\b(?:not|n't|never)\s+(?:been\s+)?(?:mentioned|specified|stated|given|provided|available|reported|included)\b"
    r"|\b(?:does|do|did)\s+not\s+(?:say|mention|specify|state|give|provide|include|contain)\b"
    r"|\bno\s+(?:information|mention|details?)\b"
    r"|(?<!\w)(?:لا|لم)\s+(?:تذكر|يذكر|تتضمن|يتضمن|تحتوي|يحتوي|ترد|يرد)(?!\w)|غير\s+(?:متوفر|متوفرة|مذكور|مذكورة)(?!\w)"
    r"|لم\s+يتم\s+ذكر|لا\s+توجد\s+معلومات",
    re.IGNORECASE,
)


def says_not_found(answer: str) -> bool:
    """True when the reply states that the passages do not give the answer.

    The prompt asks for NO_ANSWER in that case, but the model sometimes says it in a sentence
    instead ("لا تذكر عدد الجنود الذين كانوا في السيارة [2]", measured on unanswerable
    questions). Shown as an answer with a citation it would look like a fact from the
    article; it is a refusal, and is treated as one.
    """
    return bool(_NOT_FOUND.search(strip_markers(answer)))


_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")


def tidy_parentheses(answer: str, language: str, shown: list[str]) -> str:
    """Drop parenthesised spellings the passages do not give, or that repeat what precedes them.

    English answers give a name's Arabic spelling in parentheses (the worked examples teach
    it); a small model sometimes invents that spelling ("(آرمينيا)"), writes another script
    ("(温家宝)"), or carries the habit into Arabic answers ("أرمينيا (أرمينيا)"). An invented
    spelling shown as if quoted from the article misleads the reader, so only Arabic whose
    words are mostly in the passages stays, and an Arabic answer keeps no parenthesis that
    repeats it.
    """
    if "(" not in answer:
        return answer  # the common case: nothing to normalize the passages for
    sources = normalize_arabic(" ".join(shown))
    source_terms = content_terms(" ".join(shown))

    def keep(match: re.Match) -> str:
        inner = match.group(1).strip()
        if not inner or LATIN_LETTER.search(inner) or re.search(r"\d", inner):
            return match.group(0)  # Latin text, numbers: an explanation, not a spelling
        if not ARABIC_LETTER.search(inner):
            return ""  # neither Latin nor Arabic: another script ("温家宝") the passages cannot hold
        norm = normalize_arabic(inner)
        before = normalize_arabic(answer[max(0, match.start() - len(inner) - 12):match.start()])
        if language == "ar" and norm in before:
            return ""  # an Arabic answer repeating itself
        inner_terms = content_terms(inner)
        found = norm in sources or len(inner_terms & source_terms) * 2 >= max(len(inner_terms), 1)
        return match.group(0) if found else ""

    return _PARENTHESIS.sub(keep, answer)


def repair(raw: str, language: str, shown: list[str], question: str) -> str:
    """The reply with invented spellings and invented years removed (see the two functions)."""
    return drop_invented_years(tidy_parentheses(raw, language, shown), [*shown, question])


def refusal_reason(raw: str, question: str, shown: list[str], no_answer: str) -> str | None:
    """The guard that rejects this (repaired) reply as an answer, or None when it is one.

    Checked in this order; the first that fires names the refusal.
    """
    if no_answer in raw.upper():
        return Reason.NO_ANSWER
    if says_not_found(raw):
        return Reason.SAYS_NOT_FOUND
    if not has_content(raw):
        return Reason.NO_CONTENT
    if ungrounded_numbers(raw, [*shown, question]):
        return Reason.UNGROUNDED_NUMBER
    if adds_nothing(raw, question):
        return Reason.ECHOES_QUESTION
    return None


# --- a copy is a copy (issue 40) -------------------------------------------------------------------------------
# Arabic guesses came back with words no article writes: "عمليةها" (for عمليتها), "التفاق", "الكلمة الوزيرية".
# A word is the sentence's own when some reading of both, clitics aside, is the same: a leading و/ف, a
# preposition ب/ل/ك and the article ال before it, a pronoun after it (with ة written ت before one).
_AR_WORD = re.compile(r"[\u0621-\u064A]{2,}")
_AR_RAW_WORD = re.compile(r"[\u0621-\u064A][\u0621-\u064A\u064B-\u0652\u0640]+")
_INNER_TA_MARBUTA = re.compile(r"ة[\u064B-\u0652]*[\u0621-\u064A]")
_PROCLITICS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")
_ENCLITICS = ("هما", "هم", "هن", "ها", "نا", "كم", "ه", "ي", "ك")


def _readings(word: str) -> set[str]:
    """Every reading of a normalized Arabic word with its clitics taken off (the word itself included)."""
    out = {word}
    frontier = {word}
    for prefixes in (_PROCLITICS, _PREPOSITIONS, ("ال", "ل")):
        frontier |= {w[len(p):] for w in frontier for p in prefixes if w.startswith(p) and len(w) - len(p) >= 2}
    out |= frontier
    for w in list(out):
        for suffix in _ENCLITICS:
            if w.endswith(suffix) and len(w) - len(suffix) >= 2:
                stem = w[: -len(suffix)]
                out |= {stem, stem[:-1] + "ه"} if stem.endswith("ت") else {stem}
    return out


def _own_readings(sentences: str) -> set[str]:
    """Every reading of every Arabic word of `sentences`."""
    return {reading for word in _AR_WORD.findall(normalize_arabic(sentences)) for reading in _readings(word)}


def uncopied_words(text: str, sentence: str) -> list[str]:
    """The Arabic words of `text` that are no word of `sentence`, clitics aside."""
    own = _own_readings(sentence)
    out = []
    for raw in _AR_RAW_WORD.findall(text):
        word = normalize_arabic(raw)
        # ة inside a word is no spelling at all ("عمليةها"); normalized, it would read as عمليتها's stem
        if _INNER_TA_MARBUTA.search(raw) or not _readings(word) & own:
            out.append(word)
    return out


def copied_faithfully(text: str, sentence: str) -> bool:
    """Whether every Arabic word of `text` (an answer or a guess that claims to copy `sentence`) is one of its words.
    English words are not checked: a rendering is checked by figures and names (back.py)."""
    return not uncopied_words(text, sentence)


def garbled_words(text: str, sentences: str) -> list[str]:
    """The words of `text` that are near-copies of a word of `sentences` but no word of them ("التفاق" beside
    اتفاق, "عمليةها" beside عمليتها): a copy gone wrong, where a word of the answer's own ("تحدث") is not one."""
    own = _own_readings(sentences)
    stems = {_inflection_stem(o) for o in own}
    garbled = []
    for raw in _AR_RAW_WORD.findall(text):
        w = normalize_arabic(raw)
        if _INNER_TA_MARBUTA.search(raw):
            garbled.append(w)  # "عمليةها": no spelling at all
            continue
        if _readings(w) & own or any(_inflection_stem(r) in stems for r in _readings(w)):
            continue  # "افتتحت" beside افتتح: the answer's own inflection of a sentence word, not a garbled copy
        if any(SequenceMatcher(None, w, o).ratio() >= 0.75 for o in own if abs(len(o) - len(w)) <= 3):
            garbled.append(w)
    return garbled


# Verb and plural endings; not the nisba ي+ة: "الوزيرية" beside الوزير is another word, one no article wrote.
_INFLECTIONS = ("وا", "ات", "ين", "ون", "ان", "ت", "ا", "ن")


def _inflection_stem(word: str) -> str:
    """The word without one verb or noun ending (افتتحت -> افتتح, مهندسون -> مهندس); at least three letters kept."""
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word
