"""The day a sentence describes, for ordering a timeline and showing its dates.

News writes days relative to the article: "الثلاثاء 19 سبتمبر", "أمس الخميس", "يوم الأربعاء",
"اليوم". A timeline ordered by publication date alone puts Tuesday's strike after Thursday's
ceasefire whenever Thursday's article recalls it, so each sentence's own day is resolved
from the article's date and the sentence's words, by table (figures/tables.py: weekdays and
months in the Egyptian/Gulf, Levantine and Maghrebi names), never by the model:

1. an explicit day and month ("19 سبتمبر", "21 سبتمبر/أيلول 2023", "September 19"): that day, in
   the sentence's year if it writes one, else the article's year (the year before, when the
   day would fall more than a month after the article);
2. "أمس"/"yesterday" (with or without a weekday), "أول أمس": one or two days before the article;
3. a weekday alone ("الخميس", "on Thursday"): its latest occurrence on or before the article's date
   (news reports what happened, rarely what will);
4. otherwise the article's own date. An undated article is dated by the first full date it writes
   (article_date), and its weekdays then resolve to their nearest occurrence either side.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ...lang import normalize_arabic
from ..figures.tables import AR_MONTHS, AR_WEEKDAYS, EN_MONTHS, WEEKDAYS

_EN_WEEKDAYS = {w.lower(): i for i, w in enumerate(WEEKDAYS)}
_AR_MONTH_WORDS = "|".join(sorted((re.escape(m) for m in AR_MONTHS), key=len, reverse=True))
_EN_MONTH_WORDS = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_DAY_MONTH_AR = re.compile(rf"(?<!\d)(\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?({_AR_MONTH_WORDS})(?![\u0621-\u064A])(?:\s*/\s*\S+)?(?:\s+(?:عام\s+|سنه\s+)?(\d{{4}}))?")
_DAY_MONTH_EN = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH_WORDS})\.?|({_EN_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b(?:,?\s+(\d{{4}}))?", re.I)
# A weekday with its article ("الخميس", "والخميس") or after يوم: bare احد and اثنين are "one" and "two".
_AR_WEEKDAY = re.compile(r"(?:(?<![\u0621-\u064A])[وفب]?ال|يوم\s+)(" + "|".join(w[2:] for w in AR_WEEKDAYS) + r")(?![\u0621-\u064A])")
_EN_WEEKDAY = re.compile(r"\b(" + "|".join(_EN_WEEKDAYS) + r")\b", re.I)
_BEFORE_YESTERDAY = re.compile(r"اول\s+(?:من\s+)?امس|\bthe day before yesterday\b", re.I)
_YESTERDAY = re.compile(r"(?<![\u0621-\u064A])امس(?![\u0621-\u064A])|\byesterday\b|\blast night\b", re.I)


def names_a_day(sentence: str) -> bool:
    """The sentence names the day of what it tells: a date, a weekday, or yesterday."""
    norm = normalize_arabic(sentence)
    return bool(_DAY_MONTH_AR.search(norm) or _DAY_MONTH_EN.search(norm) or _AR_WEEKDAY.search(norm)
                or _EN_WEEKDAY.search(norm) or _YESTERDAY.search(norm))


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _explicit(norm: str, published: date | None) -> date | None:
    m = _DAY_MONTH_AR.search(norm)
    if m:
        day, month, year = int(m.group(1)), AR_MONTHS[m.group(2)], m.group(3)
    else:
        m = _DAY_MONTH_EN.search(norm)
        if not m:
            return None
        if m.group(1):
            day, month = int(m.group(1)), EN_MONTHS[m.group(2).lower()]
        else:
            day, month = int(m.group(4)), EN_MONTHS[m.group(3).lower()]
        year = m.group(5)
    if year:
        return _day(int(year), month, day)
    if published is None:
        return None
    found = _day(published.year, month, day)
    if found and found > published + timedelta(days=31):  # "28 December" in a January article
        found = _day(published.year - 1, month, day)
    return found


def _weekday(norm: str) -> int | None:
    m = _AR_WEEKDAY.search(norm)
    if m:
        return AR_WEEKDAYS["ال" + m.group(1)]
    m = _EN_WEEKDAY.search(norm)
    return _EN_WEEKDAYS[m.group(1).lower()] if m else None


def sentence_date(sentence: str, published: str, estimated: bool = False) -> str:
    """The day `sentence` describes (YYYY-MM-DD), resolved against the article's `published` date; "" when unknown.

    `estimated`: `published` is the article's first written date (article_date), not its publication:
    a lone weekday then takes its nearest occurrence either side, since an article dated by the day of
    its lede ("الخميس 21 سبتمبر") may be published a day or two later ("اليوم الجمعة").
    """
    try:
        day = date.fromisoformat(published) if published else None
    except ValueError:
        day = None
    norm = normalize_arabic(sentence)
    found = _explicit(norm, day)
    if found:
        return found.isoformat()
    if day is None:
        return ""  # an undated article: only a sentence that writes its year dates itself
    if _BEFORE_YESTERDAY.search(norm):
        return (day - timedelta(days=2)).isoformat()
    if _YESTERDAY.search(norm):
        return (day - timedelta(days=1)).isoformat()
    weekday = _weekday(norm)
    if weekday is not None:
        back = (day.weekday() - weekday) % 7
        if estimated and back > 3:
            return (day + timedelta(days=7 - back)).isoformat()
        return (day - timedelta(days=back)).isoformat()
    return day.isoformat()


def article_date(paragraphs: list[str]) -> str:
    """The first full date (day, month and year) an article writes, or "": an undated article's best guess
    at its own day, since a news lede dates its news ("الخميس 21 سبتمبر/أيلول 2023")."""
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.!?؟])\s+", paragraph):
            norm = normalize_arabic(sentence)
            for m in _DAY_MONTH_AR.finditer(norm):
                if m.group(3):
                    found = _day(int(m.group(3)), AR_MONTHS[m.group(2)], int(m.group(1)))
                    if found:
                        return found.isoformat()
            for m in _DAY_MONTH_EN.finditer(norm):
                if m.group(5):
                    day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
                    found = _day(int(m.group(5)), EN_MONTHS[month.lower()], int(day))
                    if found:
                        return found.isoformat()
    return ""


_RANGE_AR = re.compile(rf"(?:بين|من)\s+(?:يوم\s+)?(?:\S+\s+)?(\d{{1,2}})(?:\s+({_AR_MONTH_WORDS}))?(?:\s*/\s*\S+)?\s+(?:و|الي|حتي)\s*(?:يوم\s+)?(?:\S+\s+)?(\d{{1,2}})\s+({_AR_MONTH_WORDS})")
_RANGE_EN = re.compile(rf"(?:between|from)\s+(?:\w+day,?\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+({_EN_MONTH_WORDS}))?|({_EN_MONTH_WORDS})\.?\s+(\d{{1,2}}))\s*(?:and|to|until|till|-|–)\s*(?:\w+day,?\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH_WORDS})|(?:({_EN_MONTH_WORDS})\.?\s+)?(\d{{1,2}}))", re.I)


def asked_range(question: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((month, day), (month, day)) of a range of days the question names ("بين 19 و22 سبتمبر",
    "from September 19 to 22"), or None."""
    norm = normalize_arabic(question)
    m = _RANGE_AR.search(norm)
    if m:
        last_month = AR_MONTHS[m.group(4)]
        first_month = AR_MONTHS[m.group(2)] if m.group(2) else last_month
        return (first_month, int(m.group(1))), (last_month, int(m.group(3)))
    m = _RANGE_EN.search(norm)
    if not m:
        return None
    first_day = int(m.group(1) or m.group(4))
    first_month_word = m.group(2) or m.group(3)
    last_day = int(m.group(5) or m.group(8))
    last_month_word = m.group(6) or m.group(7) or first_month_word
    if not last_month_word:
        return None
    first_month_word = first_month_word or last_month_word
    return (EN_MONTHS[first_month_word.lower()], first_day), (EN_MONTHS[last_month_word.lower()], last_day)


def within(day: str, asked: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    """The date falls in the asked range of (month, day), whatever its year."""
    if not day:
        return False
    d = date.fromisoformat(day)
    return asked[0] <= (d.month, d.day) <= asked[1]
