"""What a question asks for: the currency, the unit, the year (or last year / this year) and the thing
counted (`asked`), and a candidate whose figure is of another kind (`kind_mismatch`): the dollar equivalent
when dinars were asked, this year's level when last year's was, the experts when workshops were counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...lang import normalize_arabic
from .tables import AR_CURRENCIES, AR_SCALES, AR_UNITS, EN_CURRENCIES, EN_SCALES, EN_UNITS
from .read import YEAR, alternation, parse_number, read_arabic, read_english, singular_of, value_key


@dataclass(frozen=True)
class Asked:
    """The kind of figure a question asks for; empty fields ask nothing particular."""

    currencies: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    relative_year: str = ""  # "last" or "this"
    counted: str = ""  # the English or Arabic noun after "how many" / "كم"


_EN_LAST_YEAR = re.compile(r"\b(last|previous|prior)\s+year\b|\ba year (earlier|before)\b", re.IGNORECASE)
_EN_THIS_YEAR = re.compile(r"\b(this|the current)\s+year\b", re.IGNORECASE)
AR_LAST_YEAR = re.compile(r"(العام|السنه|الموسم)\s+(الماضي|الماضيه|السابق|السابقه|المنصرم|المنصرمه|الفائت)")
AR_THIS_YEAR = re.compile(r"(العام|السنه|الموسم)\s+(الجاري|الحالي|الحاليه|الجاريه)|(هذا العام|هذه السنه|هذا الموسم)")
# The counted noun is the first word after "how many" that is not a modifier: "how many parliamentary seats"
# counts seats, "how many mobile medical teams" teams, "how many people play …" people.
_EN_HOW_MANY = re.compile(r"\bhow many\s+([a-z][a-z\s-]*)", re.IGNORECASE)
_EN_MODIFIER = re.compile(r"[a-z]+(?:al|ary|ic|ive|ous|ian|ese|ish|ful|less|ile|ing|ed)$|new|more|other|direct|additional|"
                          r"different|separate|foreign|local|total|weekly|daily|annual|major|small|large|big|young|old|"
                          r"extra|further|such|these|those|of|the|square|cubic|metric|thousand|million|billion|more")
# "how many people" is answered by any noun of persons (players, visitors, residents): not checked.
# Durations are counted, not asked for as a unit ("how many days" is a count of days, never another unit).
_TIME_UNITS = frozenset({"day", "month", "week", "year", "hour", "minute"})
_CURRENCY_FAMILIES = frozenset(family for family, _ in AR_CURRENCIES.values()) | frozenset(EN_CURRENCIES.values())
GENERIC_COUNTED = frozenset({"people", "persons", "individuals", "times"})
_EN_AUXILIARIES = frozenset("did do does were was are is have has had will would can could lost died".split())
_EN_PER = re.compile(r"\b(?:per|a|an|each|every)\s+(?:(?:cubic|square|metric)\s+)?([a-z]+)")
_AR_PER = re.compile(r"(?<!\w)(?:لل|لكل\s+(?:ال)?)(\w+)")
_PRICE = re.compile(r"\bprice|\bcost|\btariff|(?<!\w)(?:ال)?(?:سعر|اسعار|تعرفه|ثمن|كلفه|تكلفه)(?!\w)", re.IGNORECASE)
# The counted noun after كم is accusative or feminine ("طنا", "ورشه" after normalization); a verb ("كم بلغت") is not one.
_AR_HOW_MANY = re.compile(r"(?:^|\s)[وف]?كم\s+(?:عدد\s+(?:ال)?(\w{3,})|(\w{2,}[اه])(?!\w))")


def asked(question: str) -> Asked:
    norm = normalize_arabic(question)
    low = question.lower()
    currencies = {family for word, family in EN_CURRENCIES.items()
                  if len(word) > 1 and re.search(rf"\b{re.escape(word)}s?\b", low) and word not in ("m", "mad")}
    currencies |= {fam for stem, (fam, _) in AR_CURRENCIES.items()
                   if len(stem) > 2 and re.search(rf"(?<![\w])[وبلف]?(?:ال)?{stem}(?:ات|ا|ين|ان)?(?![\w])", norm)}
    units = {fam for word, fam in EN_UNITS.items() if len(word) > 2 and re.search(rf"\b{re.escape(word)}s?\b", low)
             and fam not in _TIME_UNITS}
    units |= {fam for stem, (fam, _) in AR_UNITS.items() if len(stem) > 2 and fam not in _TIME_UNITS
              and re.search(rf"(?<![\w])[وبلف]?(?:ال)?{stem}(?:ات|ا)?(?![\w])", norm)}
    # A unit a price is quoted per ("per barrel", "a ton of wheat", "للبرميل", "لكل طن") is not the asked kind:
    # the answer is money.
    per = {unit_of(w) for w in _EN_PER.findall(low) + _AR_PER.findall(norm)}
    if per and (currencies or _PRICE.search(norm)):
        units -= per
    relative = ""
    if _EN_LAST_YEAR.search(question) or AR_LAST_YEAR.search(norm):
        relative = "last"
    elif _EN_THIS_YEAR.search(question) or AR_THIS_YEAR.search(norm):
        relative = "this"
    counted = ""
    m = _EN_HOW_MANY.search(question)
    if m:
        words = m.group(1).lower().split()[:4]
        if words and words[0] not in _EN_AUXILIARIES:  # "how many were killed" names no counted thing
            counted = next((w for w in words if not _EN_MODIFIER.fullmatch(w)), "")
            counted = counted if len(counted) >= 3 and counted not in _EN_AUXILIARIES else ""
    elif (m := _AR_HOW_MANY.search(norm)):
        counted = next(g for g in m.groups() if g).lower()
    unit = unit_of(counted) if counted else ""
    if unit and unit not in _TIME_UNITS:  # "كم طناً" asks for tonnes
        units.add(unit)
    return Asked(frozenset(currencies), frozenset(units), frozenset(int(y) for y in YEAR.findall(norm)), relative,
                 counted)


_BASE_UNIT = {"m3": "metre", "m2": "metre", "km2": "km"}  # "how many cubic metres" counts metres


def _family_of(word: str) -> str:
    """The unit or currency family a counted noun names ("tons", "طنا", "دولارا", "days"), else ""."""
    if re.match(r"[a-z]", word):
        return singular_of(EN_UNITS, word) or singular_of(EN_CURRENCIES, word)
    norm = normalize_arabic(word)
    for form in (norm, re.sub(r"(ات|ا)$", "", norm)):
        if form in AR_UNITS:
            return AR_UNITS[form][0]
        if form in AR_CURRENCIES:
            return AR_CURRENCIES[form][0]
    return ""


def unit_of(word: str) -> str:
    """The unit family a noun names ("tonnes", "طنا", "ميغاواط"), else "" (currencies included)."""
    family = _family_of(word)
    return "" if family in _CURRENCY_FAMILIES else family


def _same_noun(a: str, b: str) -> bool:
    """Two nouns as a counted thing: English plural/singular, Arabic accusative/plural endings."""
    def stem(w: str) -> str:
        w = normalize_arabic(w)
        w = re.sub(r"^(وال|بال|ال|و)", "", w) if re.match(r"[\u0600-\u06FF]", w) else w
        return re.sub(r"(ies|es|s|اً|ا|ات|ين|ون|ه)$", "", w)
    sa, sb = stem(a), stem(b)
    return bool(sa) and bool(sb) and (sa == sb or (min(len(sa), len(sb)) >= 4 and (sa.startswith(sb) or sb.startswith(sa))))


def _noun_after(value: float, text: str, english: bool) -> str:
    """The word right after the first figure of `value` in `text` (what it counts)."""
    number = re.compile(r"(\d+(?:[.,٫٬]\d+)*)\s+(?:(?:" + ("|".join(EN_SCALES) if english else
                                                          alternation(AR_SCALES)) + r")\s+)?(\w+)")
    for m in number.finditer(text if english else normalize_arabic(text)):
        if value_key(parse_number(m.group(1))) in {value_key(value / scale) for scale in (1, 1e3, 1e6, 1e9)}:
            return m.group(2)
    return ""


def kind_mismatch(question: str, candidate: str, sentence: str, rendered: str = "") -> str:
    """The kind in which the candidate's figure is not the one asked for, or "".

    "currency": dinars asked, the candidate gives only dollars; "unit": likewise for units;
    "year": the question names a year (or last year) and the candidate's sentence dates itself to
    another one only; "counted": "how many workshops" answered with the number of experts.
    `rendered`: the candidate's English rendering, for a question in English.
    """
    want = asked(question)
    got = read_arabic(candidate)
    if rendered:
        got_en = read_english(rendered)
        got.amounts += got_en.amounts
    # A figure with another currency, or with a unit where money is asked (and the reverse), is another kind.
    if want.currencies and (got.currencies or got.units) and not want.currencies & got.currencies:
        return "currency"
    if want.units and (got.units or got.currencies) and not want.units & got.units:
        return "unit"
    norm = normalize_arabic(sentence)
    # The sentence as a whole, then the candidate's own clause: "8.9 مليار دينار في 2025 مقابل 8.4 مليار في 2024"
    # holds the asked year, but the 8.9 belongs to 2025. Only a figure is dated so: a name asked "after the 2022
    # World Cup" may well sit in a sentence of 2023.
    for part in (norm, clause_of(candidate, sentence)) if got.amounts else ():
        if not part:
            continue
        if want.years and got.years.isdisjoint(want.years):
            years = {int(y) for y in YEAR.findall(part)}
            if years and years.isdisjoint(want.years):
                return "year"
        if want.relative_year == "last" and AR_THIS_YEAR.search(part) and not AR_LAST_YEAR.search(part):
            return "year"
        if want.relative_year == "this" and AR_LAST_YEAR.search(part) and not AR_THIS_YEAR.search(part):
            return "year"
    if want.counted and (got.units | got.currencies):
        # "كم مرشحا" answered "44.7 بالمئة": a figure in a unit or currency counts that unit, not the asked thing
        family = _family_of(want.counted)
        if family not in {_BASE_UNIT.get(u, u) for u in got.units | got.currencies} | got.units | got.currencies:
            return "counted"
    if want.counted and got.amounts and not (got.units | got.currencies) and want.counted not in GENERIC_COUNTED:
        # a bare figure: what it counts is the noun after it ("1850 خبيرا", "1850 experts")
        value = got.amounts[0].value
        english = bool(re.match(r"[a-z]", want.counted))
        noun = _noun_after(value, rendered, True) if english and rendered else (
            "" if english else _noun_after(value, sentence, False))
        unit = unit_of(noun.lower())
        if unit and (unit in want.units or unit == _family_of(want.counted)):
            return ""  # "how many tons" answered in tonnes
        if noun and not re.fullmatch(r"\d+", noun) and not _same_noun(noun, want.counted) \
                and noun not in AR_CURRENCIES and noun.lower() not in EN_CURRENCIES:
            # the counted noun must also occur after some other figure of the sentence, else the
            # noun after the candidate may just be a modifier ("40 طنا من المساعدات")
            if english or re.search(r"\d[\d.,]*\s+(?:\w+\s+)?" + re.escape(normalize_arabic(want.counted)[:-1]), norm):
                return "counted"
    return ""


# Where one figure's clause ends and a compared one's begins: a comma, "مقابل" (against), "بينما" (while),
# "وفي"/"فيما" opening another period.
_CLAUSE_END = re.compile(r"[،,؛;]|\s(?:مقابل|بينما|فيما|في حين|وفي|بعد ان|قبل ان)\s")


def clause_of(candidate: str, sentence: str) -> str:
    """The clause of the (normalized) sentence that holds the candidate, or "" when it is not found."""
    norm, cand = normalize_arabic(sentence), normalize_arabic(candidate).strip()
    at = norm.find(cand) if cand else -1
    if at < 0:
        return ""
    starts = [0] + [m.end() for m in _CLAUSE_END.finditer(norm) if m.end() <= at]
    ends = [m.start() for m in _CLAUSE_END.finditer(norm) if m.start() >= at + len(cand)] + [len(norm)]
    return norm[max(starts):min(ends)]


def holds_kind(want: Asked, sentence: str) -> bool:
    """Does the sentence state a figure of the asked kind: the asked currency or unit, or a number followed
    by the counted thing ("40 طناً" for "كم طناً", "120 ورشة" for "كم ورشة")? False when nothing particular is asked."""
    if not (want.currencies or want.units or want.counted):
        return False
    facts = read_arabic(sentence)
    if want.currencies & facts.currencies or want.units & facts.units:
        return True
    if want.counted and not re.match(r"[a-z]", want.counted):
        for m in re.finditer(r"\d[\d.,]*\s+(\w+)", normalize_arabic(sentence)):
            if _same_noun(m.group(1), want.counted):
                return True
    return False


def holds_asked(question: str, sentences: list[str]) -> bool:
    """Does any shown sentence hold a figure of the asked kind (the asked currency, unit, year)?"""
    want = asked(question)
    for sentence in sentences:
        facts = read_arabic(sentence)
        norm = normalize_arabic(sentence)
        if want.currencies and not want.currencies & facts.currencies:
            continue
        if want.units and not want.units & facts.units:
            continue
        if want.years and not want.years & facts.years:
            continue
        if want.relative_year == "last" and not AR_LAST_YEAR.search(norm):
            continue
        if want.relative_year == "this" and AR_LAST_YEAR.search(norm) and not AR_THIS_YEAR.search(norm):
            continue
        return True
    return False
