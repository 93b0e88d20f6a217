"""The kind a question asks for, and the mentions of that kind in the sentences, typed before the model chooses.

Issue 40: on a new user's article the model answered "How much did the library cost?" with "18 months",
with confidence, and "متى ولد شارل ديغول؟" with a city. Checks tuned on the project's own phrasings
(issue 32's `kind_mismatch`) looked at a candidate after the model had chosen it, and missed تكلفة,
ميزانية, "how much did … cost". Here both sides are read from tables of the language, not from examples:

- `wanted(question)`: one typed reading in both languages: money, duration, date, weekday, month, year,
  count, percentage, measure (the figure kinds, whose mentions the figure tables can read), and person,
  place, organisation, title; with its time scope: last year, this year, a named year or month;
- `mentions(sentence)`: every figure and date a sentence states, with its span as written, its kind
  (a currency makes money, a time unit a duration, % a percentage, another unit a measure, a bare number
  a count) and its clause, which carries its time ("مقارنة بـ 3.2 مليار في العام الماضي");
- `typed(wanted, sentences)`: the mentions of the asked kind and scope, which the model then chooses among;
- `holds(wanted, text)`: does a candidate state a mention of the asked kind and scope.

A question whose kind is a name (person, place, organisation, title) or that no table reads has no typed
mentions: its candidates are not filtered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ...lang import fold_letters, normalize_arabic
from .asked import AR_LAST_YEAR, AR_THIS_YEAR, Asked, asked, unit_of
from .read import YEAR, Amount, alternation, arabic_amounts, english_amounts
from .tables import AR_MONTHS, AR_WEEKDAYS, MONTHS, WEEKDAYS

MONEY, DURATION, COUNT, PERCENT, MEASURE = "money", "duration", "count", "percent", "measure"
DATE, WEEKDAY, MONTH, YEAR_KIND = "date", "weekday", "month", "year"
PERSON, PLACE, ORGANISATION, TITLE = "person", "place", "organisation", "title"
FIGURE_KINDS = frozenset({MONEY, DURATION, COUNT, PERCENT, MEASURE})
TIME_KINDS = frozenset({DATE, WEEKDAY, MONTH, YEAR_KIND})
TYPED_KINDS = FIGURE_KINDS | TIME_KINDS  # the kinds whose mentions the tables read
TIME_UNITS = frozenset({"day", "week", "month", "year", "hour", "minute"})

# --- the question: (kind, Arabic patterns on normalize_arabic text, English patterns on lower-case text) --------
# Tried in this order; the first that matches decides. A unit or a time word decides before "how much" / "كم":
# "كم طنا" is a measure, "كم شهرا" a duration, "how much did it cost" money.
_AR_Q = r"(?:^|[\s،,.؟?:])[وف]?"
_AR_TIME_UNIT = r"(?:يوما|يوم|ايام|اسبوعا|اسابيع|شهرا|اشهر|شهور|عاما|اعوام|سنه|سنوات|ساعه|ساعات|دقيقه|دقائق)"
_AR_END = r"(?:ه|ها|هم|ات|ين|ان)?(?![\u0621-\u064A])"  # a noun's end: a pronoun or plural at most, never more letters
_AR_MONEY = (r"(?<![\u0621-\u064A])[وبلف]?(?:ال)?(?:تكلفه|تكلفت|كلفه|كلفت|ميزانيه|ميزانيت|موازنت|قيمت|موازنه|قيمه|سعر|اسعار|ثمن|"
             r"تمويل|استثمار|استثمارات|ايرادات|عائدات|انفاق|نفقات|مصروفات|رواتب|راتب|اجور|رسوم|غرامه|عجز|فائض|ديون|دين|قرض|قروض|"
             r"منحه|ارباح|خسائر|مبلغ|مخصصات|رصيد|ثروه|مبيعات|صادرات|واردات|رسمله|تعويض|تعويضات|دعم\s+مالي|بكم)" + _AR_END)
_AR_HOW_MUCH = r"(?:ما|كم\s+(?:بلغ|بلغت|يبلغ|تبلغ|كان|كانت|سيبلغ|ستبلغ))\s+(?:هو\s+|هي\s+)?"  # "ما مساحة", "كم تبلغ مساحة"
# A bare "how much" is money only with money's verbs: "how much drinking water" is a measure.
_EN_MONEY = (r"\bhow much (?:money|(?:did|does|do|will|would|has|have|had|is|was|were|are)\b.{0,60}?\b(?:cost|pay|paid|"
             r"spend|spent|raise|raised|earn|earned|receive|received|invest|invested|worth|charge|charged)\b)|"
             r"\bcost(?:s|ing)?\b|\bprices?\b|\bpriced\b|\bbudgets?\b|\bbudgeted\b|\bvalue\b|\bvalued\b|\bworth\b|"
             r"\bfunding\b|\bfunded\b|\binvest(?:ment|ments|ed|ing)?\b|\brevenues?\b|\bspend(?:s|ing)?\b|\bspent\b|"
             r"\bsalar(?:y|ies)\b|\bwages?\b|\bfees?\b|\bfined\b|\bdeficit\b|\bsurplus\b|\bdebts?\b|\bloans?\b|\bprofits?\b|"
             r"\blosses\b|\ballocat(?:ed|ion|ions)\b|\bcompensation\b|\bsales\b|\bexports?\b|\bimports?\b|"
             r"\bin (?:dollars|euros|dinars|dirhams|riyals|pounds|liras)\b|\bhow many (?:dollars|euros|dinars|dirhams|riyals|pounds)\b")
# Tried in this order; the first that matches decides. The question words that name a kind come first ("when",
# "who", "where", متى, من, أين): "When was the budget approved?" asks a date, "من كلفه الرئيس" a person, whatever
# nouns follow. Then the figure kinds, a unit or a time word before a bare "how much" / "كم": "كم طنا" is a measure,
# "كم شهرا" a duration, "how much did it cost" money, "كم عدد الأنفاق" a count.
QUESTION_TABLE: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # "since when" is answered by a date or a span of time ("منذ ثلاثة عقود"): no one kind, not typed
    ("", (r"منذ\s+متي|منذ\s+اي\s+(?:عام|سنه|وقت)",), (r"\bsince when\b|\bfor how long now\b",)),
    # "which day" is answered by a date as often as by a weekday ("19 سبتمبر"): a weekday only when it says so
    (WEEKDAY, (r"اي\s+(?:يوم|ايام)\s+(?:من\s+)?ايام\s+الاسبوع",), (r"\b(?:which|what) day of the week\b",)),
    (MONTH, (r"(?:في\s+)?اي\s+شهر|ما\s+(?:هو\s+)?الشهر\s+الذي",), (r"\b(?:in )?(?:which|what) month\b",)),
    (YEAR_KIND, (
        r"(?:في\s+)?اي\s+(?:عام|سنه)|ما\s+(?:هو\s+|هي\s+)?(?:العام|السنه)\s+(?:الذي|التي)",
    ), (
        r"\b(?:in )?(?:which|what) year\b",
    )),
    (DATE, (
        _AR_Q + r"متى|ما\s+(?:هو\s+)?(?:تاريخ|موعد)|(?:في\s+)?اي\s+(?:تاريخ|موعد|وقت|يوم)|ما\s+(?:هو\s+)?اليوم\s+الذي",
    ), (
        r"^\s*(?:and\s+|so\s+)?when\b|\bwhen (?:did|does|do|is|was|were|will|has|have|had)\b|\b(?:on|by) what date\b|"
        r"\bwhat (?:is|was) the date\b|\bwhat date\b|\bat what time\b|\b(?:on )?(?:which|what) day\b",
    )),
    (PLACE, (
        _AR_Q + r"اين|(?:في|الى|من)\s+اي\s+(?:مدينه|بلد|دوله|منطقه|محافظه|قريه|ولايه|مكان|عاصمه|ميناء|مطار)|"
        r"(?:اي|ما)\s+(?:ال)?(?:مدينه|بلد|دوله|منطقه|محافظه|عاصمه)(?![\u0621-\u064A])",
    ), (
        r"^\s*(?:and\s+|so\s+)?where\b|\bwhere (?:did|does|do|is|was|were|will|has|have)\b|"
        r"\b(?:in|to|from|at) (?:which|what) (?:city|country|town|region|province|village|district|place|capital|port|airport)\b|"
        r"\b(?:which|what) (?:city|country|town|region|province|capital)\b",
    )),
    (PERSON, (
        r"^[وف]?من(?=\s)|(?:^|\s)من\s+(?:هو|هي|هم)(?=\s)|ما\s+اسم\s+(?:ال)?(?:وزير|رئيس|مدير|مسؤول|لاعب|مدرب|قائد|ممثل|مندوب|زعيم)|"
        r"(?:اي|ما)\s+(?:ال)?(?:مسؤول|وزير|لاعب|شخص)(?![\u0621-\u064A])",
    ), (
        r"^\s*(?:and\s+|so\s+)?(?:who|whom)\b|\bwhose\b|\bwho (?:is|was|were|did|said|won|led|heads?|chairs?)\b|\bwhat is the name\b",
    )),
    (TITLE, (
        r"ما\s+(?:هو\s+|هي\s+)?(?:ال)?(?:منصب|وظيفه|صفه|لقب|مسمى)|اي\s+منصب|(?:يشغل|تشغل|شغل|شغلت)(?![\u0621-\u064A])",
    ), (
        r"\bwhat (?:position|post|office|title|role|job)\b|\bwhich (?:position|post|office|title|role)\b|\bwhat is .{1,40}'s (?:position|title|job)\b",
    )),
    (ORGANISATION, (
        r"(?:اي|ما)\s+(?:ال)?(?:شركه|جهه|منظمه|وكاله|هيئه|مؤسسه|بنك|مصرف|وزاره|حزب|نادي|فريق|جامعه|مجموعه|صحيفه|قناه)(?![\u0621-\u064A])",
    ), (
        r"\b(?:which|what) (?:company|firm|organi[sz]ation|agency|body|institution|bank|group|ministry|party|club|team|"
        r"university|newspaper|channel|authority)\b",
    )),
    # A count named as one ("كم عدد الأنفاق": tunnels, not spending) before the money nouns.
    (COUNT, (r"(?:كم|ما)\s+(?:هو\s+)?عدد(?![\u0621-\u064A])",), (r"\bwhat (?:is|was|were) the (?:total )?number of\b",)),
    (PERCENT, (
        _AR_HOW_MUCH + r"(?:ال)?نسبه|بنسبه\s+كم|كم\s+(?:بالمئه|بالمائه|في\s+المئه|في\s+المائه|%)|كم\s+(?:ال)?نسبه|"
        + _AR_HOW_MUCH + r"(?:ال)?معدل\s+(?:ال)?(?:تضخم|بطاله|نمو|فائده|مشاركه|اقبال|تغطيه)|بكم\s+بالمئه",
    ), (
        r"\bwhat (?:percentage|percent|share|proportion)\b|\bwhat (?:is|was|were) the (?:\w+ )?(?:percentage|share)\b|"
        r"\b(?:inflation|unemployment|growth|interest|participation|turnout|occupancy) rate\b|"
        r"\bby what percentage\b|\bhow many percent\b|\bby how much percent\b|\bpercentage\b",
    )),
    (DURATION, (
        rf"كم\s+(?:من\s+)?(?:ال)?(?:وقت|مده|{_AR_TIME_UNIT})(?![\u0621-\u064A])|ما\s+(?:هي\s+)?(?:ال)?مده|"
        r"كم\s+(?:استمر|استمرت|استغرق|استغرقت|دام|دامت|طال|طالت|يستمر|تستمر|يستغرق|تستغرق|يدوم|تدوم)(?![\u0621-\u064A])|"
        r"(?:خلال|طوال|على\s+مدى)\s+كم",
    ), (
        r"\bhow long (?:did|does|do|will|would|has|have|had)\b|\bhow long\b(?! (?:is|are|was|were) (?:the|a|an|its|this|that)\b)|"
        r"\bfor how many (?:days|weeks|months|years|hours|minutes)\b|"
        r"\bhow many (?:days|weeks|months|years|hours|minutes)\b(?! (?:ago|before|after|earlier|later))|"
        r"\bwhat (?:was|is) the (?:duration|length of time)\b|\bover what period\b|\bwithin how\b",
    )),
    (MEASURE, (
        _AR_HOW_MUCH + r"(?:ال)?(?:مساحه|طول|ارتفاع|عمق|سعه|قدره|وزن|حجم|مسافه|كميه|انتاج|استهلاك|منسوب|درجه\s+الحراره|قطر|"
        r"طاقه|معدل)(?![\u0621-\u064A])",
    ), (
        r"\bhow (?:large|big|long|tall|high|deep|wide|far|heavy)\b(?! (?:did|was|were|is|has|have)\b.*\b(?:last|take|took)\b)|"
        r"\bwhat (?:is|was|were) the (?:\w+ )?(?:area|length|height|depth|capacity|weight|volume|distance|output|production|"
        r"consumption|temperature|size)\b|\bhow many (?:tons?|tonnes?|kilometres?|kilometers?|km|metres?|meters?|hectares?|"
        r"megawatts?|mw|barrels?|litres?|liters?|cubic|square|kilograms?|feddans?|acres?|degrees?)\b|\bhow much (?:land|water|"
        r"oil|gas|electricity|power|wheat|grain|rain|area)\b|\bhow much (?:\w+ ){1,2}(?:land|water|oil|gas|electricity|power|"
        r"wheat|grain|rain|area|cement|steel|fuel|waste|food|aid)\b",
    )),
    (MONEY, (_AR_MONEY, r"كم\s+(?:من\s+ال)?(?:دولار|دينار|درهم|ريال|جنيه|يورو|ليره)"), (_EN_MONEY,)),
    (COUNT, (
        r"(?:^|\s)[وف]?كم(?![\u0621-\u064A])(?!\s+(?:من\s+)?(?:ال)?(?:وقت|مده))|(?:^|\s)عدد\s",
    ), (
        r"\bhow many\b|\bthe number of\b",
    )),
)
_SCALED = re.compile(r"الف|آلاف|ألف|مليون|ملايين|مليار|بليون|thousand|million|billion|bn|mn", re.I)
_MONEY_CONTEXT = re.compile(_AR_MONEY + r"|دولار|دينار|درهم|ريال|جنيه|يورو|ليره|\bcost|\bbudget|\bspend|\brevenue|"
                            r"\bdollars?\b|\beuros?\b|\bdinars?\b|\bpounds?\b", re.I)
_COMPILED = tuple((kind, tuple(re.compile(fold_letters(p)) for p in ar), tuple(re.compile(p, re.I) for p in en))
                  for kind, ar, en in QUESTION_TABLE)
_EN_NEXT_YEAR = re.compile(r"\bnext year\b|\bthe coming year\b", re.I)
_AR_NEXT_YEAR = re.compile(r"(?:العام|السنه)\s+(?:المقبل|المقبله|القادم|القادمه)")
_EN_LAST_YEAR = re.compile(r"\b(?:last|previous|prior)\s+year\b|\ba year (?:earlier|before|ago)\b", re.I)
_EN_THIS_YEAR = re.compile(r"\b(?:this|the current)\s+year\b", re.I)


@dataclass(frozen=True)
class Wanted:
    """What a question asks for: its kind ("" when no table reads one) and its time scope."""

    kind: str = ""
    relative: str = ""  # "last", "this", "next" (year) or ""
    years: frozenset[int] = frozenset()
    detail: Asked = Asked()  # the asked currency, unit and counted noun (figures.asked)

    @property
    def typed(self) -> bool:
        """Whether the tables read this kind's mentions (a figure or a time)."""
        return self.kind in TYPED_KINDS


def wanted(question: str) -> Wanted:
    norm, low = normalize_arabic(question).strip(), question.casefold().strip()
    kind = next((k for k, ar, en in _COMPILED if any(p.search(norm) for p in ar) or any(p.search(low) for p in en)), "")
    detail = asked(question)
    counted = unit_of(detail.counted) if detail.counted else ""  # "كم طنا", "how many days": the counted noun is a unit
    if kind == COUNT and counted in TIME_UNITS:
        kind = DURATION
    elif kind == COUNT and counted == "percent":
        kind = PERCENT
    elif kind == COUNT and counted:
        kind = MEASURE
    elif kind == COUNT and detail.currencies:
        kind = MONEY  # "كم دولارا", "how many dollars"
    relative = ("last" if _EN_LAST_YEAR.search(question) or AR_LAST_YEAR.search(norm) else
                "next" if _EN_NEXT_YEAR.search(question) or _AR_NEXT_YEAR.search(norm) else
                "this" if _EN_THIS_YEAR.search(question) or AR_THIS_YEAR.search(norm) else "")
    years = frozenset(int(y) for y in YEAR.findall(norm)) if kind != YEAR_KIND else frozenset()
    return Wanted(kind, relative, years, detail)


# --- the mentions a sentence states ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Mention:
    """A figure or a time a sentence states: `text` as written there, `clause` (normalized) the part of the
    sentence it belongs to, which carries its time."""

    kind: str
    text: str
    clause: str
    amount: Amount | None = None
    sentence: str = ""  # the whole sentence, normalized


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """normalize_arabic(text), with the index in `text` of each of its characters."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(unicodedata.normalize("NFC", text)):
        folded = normalize_arabic(ch)
        out.append(folded)
        where += [i] * len(folded)
    return "".join(out), where


_AR_WEEKDAY = re.compile(rf"(?<![\w])(?:يوم\s+)?(?:{alternation(AR_WEEKDAYS)})(?![\w])")
_AR_MONTH_NAMES = alternation(k for k in AR_MONTHS if k not in ("اب", "ماي"))
_AR_DAY_MONTH = re.compile(rf"(?<![\d\w])(?:\d{{1,2}}\s+)?(?:{_AR_MONTH_NAMES})(?:\s*/\s*(?:{_AR_MONTH_NAMES}))?"
                           rf"(?:\s+(?:(?:من\s+)?(?:عام|العام)\s+)?(?:19|20)\d\d)?(?![\w])")
_AR_RELATIVE = re.compile(r"(?<![\w])(?:(?:ال)?(?:عشرينيات|ثلاثينيات|اربعينيات|خمسينيات|ستينيات|سبعينيات|ثمانينيات|"
                          r"تسعينيات)|امس|اول\s+امس|الليله\s+الماضيه|(?:الاسبوع|الشهر|العام|السنه)\s+(?:الماضي|الماضيه|"
                          r"المنصرم|المقبل|القادم|الجاري|الحالي)|(?:مطلع|منتصف|اواخر|اوائل|نهايه|بدايه)\s+(?:ال)?(?:عام|شهر|الشهر|"
                          r"العام|الاسبوع|القرن))(?![\w])")
_EN_WEEKDAY = re.compile(rf"\b(?:{'|'.join(WEEKDAYS)})\b", re.I)
# English months are read capitalised, as news writes them; "May" and "March" only beside a day or a year ("the
# council may approve", "they march on"). early/mid/late only before a time word ("early warning" is no date).
_EN_MONTH_NAMES = "|".join(m for m in MONTHS if m not in ("May", "March"))
_EN_DAY_MONTH = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?:{_EN_MONTH_NAMES}|Jan|Feb|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?"
    rf"(?:\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d))?(?:,?\s+(?:19|20)\d\d)?"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:May|March)\b(?:,?\s+(?:19|20)\d\d)?"
    rf"|\b(?:May|March)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?:19|20)\d\d)?|(?:19|20)\d\d)\b")
_EN_MONTHS_ALT = "|".join(m.lower() for m in MONTHS)
_TIME_WORDS = (r"(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|november|"
               r"december|spring|summer|autumn|fall|winter|this|last|next|week|month|year|century|season)")
_EN_RELATIVE = re.compile(r"\b(?:(?:19|20)\d0s|(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)|"
                          r"yesterday|last (?:week|month|year|night)|next (?:week|month|year)|earlier this (?:week|month|year)|"
                          rf"(?:early|mid|late)[- ]{_TIME_WORDS})\b", re.I)
# "عشرات الآلاف", "hundreds": a count without a number, which answers "how many" as news writes it
_VAGUE_COUNT = re.compile(r"(?<![\w])[وب]?(?:عشرات|مئات|الاف|الوف|ملايين|بضعه|بضع)(?![\w])|"
                          r"\b(?:dozens|hundreds|thousands|millions|tens of thousands|several|a few)\b", re.I)
_MARKS = re.compile(r"[\u064B-\u0652\u0640]")
# Where one figure's clause ends and a compared one's begins (as figures.clause_of reads it).
_CLAUSE_END = re.compile(r"[،,؛;]|\s(?:مقابل|بينما|فيما|في حين|وفي|بعد ان|قبل ان|compared with|against|while|whereas|up from|down from)\s")


def _clause(norm: str, start: int, end: int) -> str:
    starts = [0] + [m.end() for m in _CLAUSE_END.finditer(norm) if m.end() <= start]
    ends = [m.start() for m in _CLAUSE_END.finditer(norm) if m.start() >= end] + [len(norm)]
    return norm[max(starts):min(ends)]


def _figure_kind(amount: Amount) -> str:
    if amount.currency:
        return MONEY
    if amount.unit == "percent":
        return PERCENT
    if amount.unit in TIME_UNITS:
        return DURATION
    if amount.unit:
        return MEASURE
    return COUNT


def mentions(sentence: str) -> list[Mention]:
    """Every figure and time `sentence` states, in its order."""
    arabic = bool(re.search(r"[\u0600-\u06FF]", sentence))
    if arabic:
        norm, where = _normalized_with_map(sentence)
        source = unicodedata.normalize("NFC", sentence)
        spans = [(s, e, _figure_kind(a), a) for s, e, a in arabic_amounts(norm)]
        times = [(m, DATE) for m in _AR_DAY_MONTH.finditer(norm)] + [(m, WEEKDAY) for m in _AR_WEEKDAY.finditer(norm)]
        times += [(m, DATE) for m in _AR_RELATIVE.finditer(norm)]
    else:
        norm, source = sentence, sentence
        where = list(range(len(sentence)))
        spans = [(s, e, _figure_kind(a), a) for s, e, a in english_amounts(sentence)]
        times = [(m, DATE) for m in _EN_DAY_MONTH.finditer(norm)] + [(m, WEEKDAY) for m in _EN_WEEKDAY.finditer(norm)]
        times += [(m, DATE) for m in _EN_RELATIVE.finditer(norm)]
    spans += [(m.start(), m.end(), kind, None) for m, kind in times]
    figures = [(s, e) for s, e, _, _ in spans]
    spans += [(m.start(), m.end(), COUNT, None) for m in _VAGUE_COUNT.finditer(norm)
              if not any(s <= m.start() < e for s, e in figures)]  # the آلاف of "405 آلاف دولار" is its scale
    spans += [(m.start(1), m.end(1), YEAR_KIND, None) for m in YEAR.finditer(norm)]
    found: list[tuple[int, Mention]] = []
    dated = [(m.start(), m.end()) for m, kind in times]
    for start, end, kind, amount in spans:
        if kind == COUNT and any(s <= start < e for s, e in dated):
            continue  # the day of "3 يونيو" counts nothing
        if kind == DATE and norm[start:end].strip() in ("مارس", "ممارس"):
            continue  # مارس alone is as often the verb "exerted" as March: a day or a year beside it makes a date
        text = norm[start:end]
        stripped = text.rstrip()
        end -= len(text) - len(stripped)
        start += len(stripped) - len(stripped.lstrip())
        if end <= start:
            continue
        last = where[end - 1] + 1
        while last < len(source) and _MARKS.match(source[last]):
            last += 1  # the tanween of "18 شهراً" belongs to the word
        written = source[where[start]:last]
        found.append((start, Mention(kind, written, _clause(norm, start, end), amount, norm)))
    return [m for _, m in sorted(found, key=lambda pair: pair[0])]


def _time_kinds(mention: Mention) -> set[str]:
    """The time kinds a mention can answer: a date with a month answers "which month", one with a year "which year"."""
    if mention.kind == YEAR_KIND:
        return {YEAR_KIND, DATE}
    if mention.kind == WEEKDAY:
        return {WEEKDAY, DATE}
    if mention.kind == DATE:
        norm = normalize_arabic(mention.text)
        kinds = {DATE}
        if re.search(rf"{_AR_MONTH_NAMES}|{_EN_MONTHS_ALT}", norm, re.I):
            kinds.add(MONTH)
        if YEAR.search(norm):
            kinds.add(YEAR_KIND)
        return kinds
    return set()


def of_kind(want: Wanted, mention: Mention) -> bool:
    """Does the mention answer the asked kind (ignoring time scope)?"""
    if want.kind in TIME_KINDS:
        return want.kind in _time_kinds(mention)
    if want.kind == COUNT:
        return mention.kind == COUNT
    if want.kind == MONEY:
        if mention.kind == COUNT and mention.amount is not None and not want.detail.currencies:
            # "مقارنة بـ 3.2 مليار في العام الماضي": a scaled amount in a sentence about money is money
            return bool(mention.amount.value >= 1e3 and not mention.amount.worded and _SCALED.search(mention.text)
                        and _MONEY_CONTEXT.search(mention.sentence))
        if mention.kind != MONEY or mention.amount is None:
            return False
        return not want.detail.currencies or mention.amount.currency in want.detail.currencies
    if want.kind == MEASURE:
        if mention.kind != MEASURE or mention.amount is None:
            return False
        units = want.detail.units - TIME_UNITS - {"percent"}
        return not units or mention.amount.unit in units
    return mention.kind == want.kind


def in_scope(want: Wanted, mention: Mention) -> bool:
    """Is the mention of the asked time: a figure's clause names the asked year, or last year's marker when
    last year is asked; one that says this year is not last year's value, and the reverse."""
    if want.kind in TIME_KINDS or not (want.relative or want.years):
        return True
    clause = mention.clause
    last = bool(AR_LAST_YEAR.search(clause) or _EN_LAST_YEAR.search(clause))
    this = bool(AR_THIS_YEAR.search(clause) or _EN_THIS_YEAR.search(clause))
    years = {int(y) for y in YEAR.findall(clause)}
    if want.years:
        return bool(years & want.years) or (not years and not last and not this)
    if want.relative == "last":
        return last
    if want.relative == "this":
        return not last
    if want.relative == "next":
        return bool(_AR_NEXT_YEAR.search(clause) or _EN_NEXT_YEAR.search(clause))
    return True


def typed(want: Wanted, sentences: list[str]) -> list[tuple[int, Mention]]:
    """(sentence index, mention) of every mention of the asked kind and scope, in the sentences' order."""
    if not want.typed:
        return []
    return [(i, m) for i, s in enumerate(sentences) for m in mentions(s) if of_kind(want, m) and in_scope(want, m)]


def holds(want: Wanted, text: str, sentence: str = "") -> bool:
    """Does `text` (a candidate) state a mention of the asked kind and scope? Its time scope is read from the
    clause of `sentence` that holds it, when given. True when the kind is not typed: nothing to check."""
    if not want.typed:
        return True
    own = [m for m in mentions(text) if of_kind(want, m)]
    if not own:
        return False
    if not sentence:
        return any(in_scope(want, m) for m in own)
    in_sentence = typed(want, [sentence])
    written = {normalize_arabic(m.text) for _, m in in_sentence}
    return any(normalize_arabic(m.text) in written or any(normalize_arabic(m.text) in w for w in written) for m in own)


def typed_kinds() -> frozenset[str]:
    """The kinds whose mentions the tables read."""
    return TYPED_KINDS
