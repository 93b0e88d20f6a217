"""Reading figures: the amounts (with their scale, currency and unit), weekdays, months, years and titles a
text states, in Arabic or English, and `disagreements` between an English rendering and its Arabic quote.

Amounts are compared by value, so "49 ألف" and "49,000", or "20.6 ألف دولار" and "$20,600", agree, and
"$20.6 million" for "20.6 ألف دولار" does not (issue 32).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...lang import normalize_arabic
from .tables import (
    AR_CURRENCIES,
    AR_DUAL_SCALES,
    AR_DUAL_UNITS,
    AR_MONTHS,
    AR_NUMBER_WORDS,
    AR_SCALES,
    AR_UNITS,
    AR_WEEKDAYS,
    EN_CURRENCIES,
    EN_MONTHS,
    EN_NUMBER_WORDS,
    EN_SCALES,
    EN_UNITS,
    OFFICES,
    TITLES,
    WEEKDAYS,
)

_AR_NUMBER = r"\d+(?:[.,٫٬]\d+)*"


def parse_number(text: str) -> float:
    """'1,850' -> 1850; '6.5' -> 6.5; '6,5' or '6٫5' -> 6.5 (a comma before 1-2 digits is decimal);
    '1.002.000' -> 1002000 (dots between groups of three, as Wikipedia's Arabic pages write them).
    Whatever else a page writes ("1.2.3", a version, a phone number) reads as its digits, never an error."""
    text = text.replace("٬", ",").replace("٫", ".")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3}){2,}", text):
        return float(text.replace(".", ""))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return float(re.sub(r"\D", "", text) or 0)


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str = ""  # family: "dollar", "dinar", …
    unit: str = ""  # family: "ton", "percent", "day", …
    worded: bool = False  # a bare number word ("ثلاث", "three"), which is also often another word ("تسع": holds)


@dataclass
class Facts:
    """What a text states in figures."""

    amounts: list[Amount] = field(default_factory=list)
    weekdays: set[int] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    @property
    def values(self) -> set[float]:
        return {value_key(a.value) for a in self.amounts}

    @property
    def written_values(self) -> set[float]:
        """The values written in digits or with a scale, currency or unit: a figure for sure."""
        return {value_key(a.value) for a in self.amounts if not a.worded}

    @property
    def currencies(self) -> set[str]:
        return {a.currency for a in self.amounts if a.currency}

    @property
    def units(self) -> set[str]:
        return {a.unit for a in self.amounts if a.unit}


def value_key(value: float) -> float:
    return float(f"{value:.6g}")


def alternation(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


AR_CLITIC = r"(?:^|(?<=[\s(/،,\"'«]))(?:[وبلفك]?(?:ال)?)"
_AR_AMOUNT = re.compile(
    rf"(?P<num>(?<![\d.,٫٬]){_AR_NUMBER}|(?<![\w])(?:{alternation(AR_NUMBER_WORDS)})(?![\w]))?\s*"
    rf"(?P<scale>(?<![\w])(?:{alternation(AR_SCALES)})(?![\w]))?\s*"
    rf"(?P<cur>{AR_CLITIC}(?:{alternation(AR_CURRENCIES)})(?:ات|ا|ين|ان)?(?![\w]))?"
    rf"(?P<unit>\s*(?:{AR_CLITIC}(?:{alternation(AR_UNITS)})(?:ا|ات)?(?![\w])|[%٪]))?"
)
_AR_DUAL_UNIT = re.compile(rf"(?<![\w])[وبل]?({alternation(AR_DUAL_UNITS)})(?![\w])")
_AR_DUAL = re.compile(rf"(?<![\w])({alternation(AR_DUAL_SCALES)})(?![\w])"
                      rf"(?:\s*{AR_CLITIC}({alternation(AR_CURRENCIES)})(?:ات|ا|ين|ان)?(?![\w]))?")
_AR_WEEKDAY = re.compile(rf"(?<![\w])[وب]?(?:يوم\s+)?({alternation(AR_WEEKDAYS)})(?![\w])")
_AR_MONTH = re.compile(rf"(?<![\w])[وب]?({alternation(AR_MONTHS)})(?![\w])")
YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?!\d|[.,]\d)")


def _arabic_currency(token: str) -> str:
    for stem, (family, _) in sorted(AR_CURRENCIES.items(), key=lambda kv: -len(kv[0])):
        if stem in token:
            return family
    return ""


def _arabic_unit(token: str) -> str:
    token = token.strip()
    if token in ("%", "٪"):
        return "percent"
    for stem, (family, _) in sorted(AR_UNITS.items(), key=lambda kv: -len(kv[0])):
        if stem in token:
            return family
    return ""


def arabic_amounts(norm: str) -> Iterator[tuple[int, int, Amount]]:
    """(start, end, amount) of every amount in a `normalize_arabic` text: a number with its scale, currency and
    unit, and the duals ("مليوني دولار", "شهرين")."""
    for m in _AR_AMOUNT.finditer(norm):
        num, scale, cur, unit = m.group("num"), m.group("scale"), m.group("cur"), m.group("unit")
        if not (num or scale):
            continue
        if num and not (scale or cur or unit) and not re.match(r"\d", num) and AR_NUMBER_WORDS[num] < 2:
            continue  # "one": not a figure
        value = (parse_number(num) if num and num[0].isdigit() else float(AR_NUMBER_WORDS.get(num, 1))) if num else 1.0
        if scale:
            value *= AR_SCALES[scale]
        currency = _arabic_currency(cur) if cur else ""
        if not (scale or currency or unit) and YEAR.fullmatch(num or ""):
            continue  # a year, read below
        worded = not (num or "1")[0].isdigit() and not (scale or currency or unit)
        start = m.start("num") if num else m.start("scale")
        yield start, m.end(), Amount(value, currency, _arabic_unit(unit) if unit else "", worded)
    for m in _AR_DUAL.finditer(norm):
        yield m.start(), m.end(), Amount(AR_DUAL_SCALES[m.group(1)], _arabic_currency(m.group(2)) if m.group(2) else "")
    for m in _AR_DUAL_UNIT.finditer(norm):
        value, unit, _ = AR_DUAL_UNITS[m.group(1)]
        yield m.start(1), m.end(1), Amount(value, "", unit)


def read_arabic(text: str) -> Facts:
    """The figures an Arabic text states (its English words, if any, are not read)."""
    norm = normalize_arabic(text)
    facts = Facts()
    facts.amounts = [amount for _, _, amount in arabic_amounts(norm)]
    facts.weekdays = {AR_WEEKDAYS[m.group(1)] for m in _AR_WEEKDAY.finditer(norm)}
    facts.months = {AR_MONTHS[m.group(1)] for m in _AR_MONTH.finditer(norm) if m.group(1) not in ("اب", "ماي")
                    or re.search(rf"\d\s*{m.group(1)}|{m.group(1)}\s*(?:\d|الماضي|المقبل|القادم|الجاري)", norm)}
    facts.years = {int(y) for y in YEAR.findall(norm)}
    return facts


_EN_AMOUNT = re.compile(
    rf"(?P<pre>[$£€]|\b(?:usd|aed|egp|sar|qar|kwd|jod|iqd|dzd|tnd|mad|eur|us\$)(?=\s*\d))?\s*(?<![A-Za-z\d.,])(?P<num>\d+(?:[.,]\d+)*|{alternation(EN_NUMBER_WORDS)})(?:st|nd|rd|th)?(?:\b|(?=[kmb]))\s*"
    rf"(?P<scale>(?:{alternation(EN_SCALES)})\b)?\s*"
    rf"(?P<cur>(?:[A-Z][a-z]+\s+)?(?:{alternation(EN_CURRENCIES)})(?:s|es)?\b)?"
    rf"(?P<unit>\s*(?:{alternation(EN_UNITS)})(?:s|es)?\b|\s*%)?",
    re.IGNORECASE,
)


def singular_of(table: dict[str, str], word: str) -> str:
    """The table's entry for an English word or its singular (tonnes, metres, dollars, inches)."""
    for form in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if form and form in table:
            return table[form]
    return ""


def english_amounts(text: str) -> Iterator[tuple[int, int, Amount]]:
    """(start, end, amount) of every amount in an English text."""
    for m in _EN_AMOUNT.finditer(text):
        num, scale, cur, unit, pre = m.group("num"), m.group("scale"), m.group("cur"), m.group("unit"), m.group("pre")
        if not num[0].isdigit() and not (scale or cur or unit) and EN_NUMBER_WORDS[num.lower()] < 2:
            continue  # "one of the largest" states no figure; "three agreements" does, as "ثلاث اتفاقيات" does
        if scale and scale.lower() == "m" and not (pre or cur):
            scale = None  # "5 m" is metres, not millions
        value = parse_number(num) if num[0].isdigit() else float(EN_NUMBER_WORDS[num.lower()])
        if scale:
            value *= EN_SCALES[scale.lower()]
        currency = EN_CURRENCIES.get(pre.lower().replace("us$", "$"), "") if pre else ""
        if cur:
            currency = singular_of(EN_CURRENCIES, cur.split()[-1].lower())
        unit_family = singular_of(EN_UNITS, unit.strip().lower()) if unit else ""
        if not (scale or currency or unit_family) and YEAR.fullmatch(num):
            continue
        start = m.start("pre") if pre else m.start("num")
        yield start, m.end(), Amount(value, currency, unit_family,
                                     not num[0].isdigit() and not (scale or currency or unit_family))


def read_english(text: str) -> Facts:
    """The figures an English text states (Arabic words in it, such as a quoted span, are not read)."""
    text = re.sub(r"\([^)]*[\u0600-\u06FF][^)]*\)", " ", text)  # "(6.5 مليار درهم)": the quote beside it
    facts = Facts()
    facts.amounts = [amount for _, _, amount in english_amounts(text)]
    low = text.lower()
    facts.weekdays = {i for i, d in enumerate(WEEKDAYS) if re.search(rf"\b{d.lower()}\b", low)}
    # A short name ("Mar", "May") is a month next to a digit; "May" also when capitalised inside a sentence.
    facts.months = {n for name, n in EN_MONTHS.items() if re.search(rf"\b{name}\b\.?", low)
                    and (len(name) > 3 or re.search(rf"\b{name}\b\.?\s*\d|\d\s*{name}\b", low)
                         or (name == "may" and re.search(r"(?<!^)(?<![.!?]\s)\bMay\b", text)))}
    facts.years = {int(y) for y in YEAR.findall(text)}
    return facts


def titles_in(text: str) -> set[str]:
    """The titles (وزير, رئيس, سفير, …) an Arabic text names."""
    norm = normalize_arabic(text)
    return {t for t in TITLES if re.search(rf"(?<!\w)[وبلف]?(?:ال)?{t}(?:ه|ا|اء|ان|ين)?(?!\w)", norm)}


def _titles_english(text: str) -> set[str]:
    low = text.lower()
    return {t for t, forms in TITLES.items() if any(re.search(rf"\b{re.escape(f)}s?\b", low) for f in forms)}


def disagreements(arabic: str, english: str) -> list[str]:
    """What the English rendering states differently from its Arabic span: "number", "currency",
    "unit", "weekday", "month", "year", "title", "office" (empty when they agree)."""
    ar, en = read_arabic(arabic), read_english(english)
    out = []
    # Each side's sure figures must be among the other's values, words included: "خمسة جنود" is "5 soldiers",
    # "ثلاث" is "three", and a bare word that may be no number at all ("تسع إلى": holds up to) decides nothing alone.
    if not (ar.written_values <= en.values and en.written_values <= ar.values):
        out.append("number")
    if ar.currencies != en.currencies:
        out.append("currency")
    if ar.units - {"percent"} != en.units - {"percent"} or ("percent" in ar.units) != ("percent" in en.units):
        out.append("unit")
    if ar.weekdays != en.weekdays:
        out.append("weekday")
    if ar.months != en.months:
        out.append("month")
    if ar.years != en.years:
        out.append("year")
    said, rendered = titles_in(arabic), _titles_english(english)
    # Every Arabic title must be rendered ("وزير" as minister, not ambassador). The other way is not checked: English
    # names offices the Arabic says otherwise ("Secretary-General" for الأمين العام, "Justice Ministry").
    if not said <= rendered:
        out.append("title")
    if offices_misrendered(arabic, english):
        out.append("office")
    return out


def offices_in(text: str) -> list[str]:
    """The offices of the OFFICES table an Arabic text names (the longest first: "وزير الخارجية الأمريكي" before
    "وزير الخارجية"), a feminine وزيرة read as the same office."""
    norm = re.sub(r"(?<!\w)([وبلف]?)(?:ال)?وزيره(?!\w)", r"\1وزير", normalize_arabic(text))
    found = []
    for office in sorted(OFFICES, key=len, reverse=True):
        if re.search(rf"(?<!\w)[وبلف]?(?:ال)?{office}(?!\w)", norm) and not any(office in f for f in found):
            found.append(office)
    return found


def offices_misrendered(arabic: str, english: str) -> list[str]:
    """The offices of `arabic` that `english` does not render as the table does (Secretary of State for
    وزير الخارجية, Defence Minister for وزير الخارجية)."""
    low = english.lower()
    return [office for office in offices_in(arabic) if not any(form.lower() in low for form in OFFICES[office])]


_ALL_OFFICE_FORMS = sorted({form for forms in OFFICES.values() for form in forms} | {"Secretary of State"}, key=len,
                           reverse=True)


def offices_fixed(arabic: str, english: str) -> str:
    """`english` with each office the table renders otherwise written as the table writes it: a 1.5B model's
    "Secretary of State" for وزير الخارجية becomes "Foreign Minister". An office it renders with no office
    words at all is left to `disagreements`."""
    named = offices_in(arabic)
    owned = {form.lower() for office in named for form in OFFICES[office]}  # forms of an office the Arabic names
    for office in offices_misrendered(arabic, english):
        for form in (f for f in _ALL_OFFICE_FORMS if f.lower() not in owned):
            fixed = re.sub(rf"\b{re.escape(form)}\b", OFFICES[office][0], english, count=1, flags=re.IGNORECASE)
            if fixed != english:
                english = fixed
                break
    return english
