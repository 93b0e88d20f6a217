"""Figures read by table: amounts, currencies, units, weekdays, months and years, in Arabic and English.

A 1.5B model renders an Arabic figure into English wrongly often enough to lose a reader's trust,
and always at high confidence: الجمعة as "Sunday", "20.6 ألف دولار" as "$20.6 million", "6.5 مليار
درهم" as "6.5 billion dollars" (issue 32: 3 of 6 English answers of a new user's tryout). Figures
are a closed vocabulary, so they need no model:

- `render` writes an Arabic span made only of figures ("الجمعة 14 أكتوبر", "6.5 مليار درهم (حوالي
  1.77 مليار دولار)") in English from the tables below, or returns None when a word is not a figure
  (a name, a place): then the model renders it;
- `read` finds the facts a text states: each amount with its scale applied, its currency and unit,
  and the weekdays, months and years; `disagreements` compares an English rendering with its Arabic
  span, fact by fact. An English answer that fails it is never stated as fact (pipeline.py);
- `asked` reads which kind of figure a question asks for (the currency, the unit, the year, the
  thing counted), and `kind_mismatch` sees a candidate that gives a figure of another kind: the
  dollar equivalent when dinars were asked, this year's level when last year's was, the number of
  experts when workshops were counted.

All Arabic matching is on `normalize_arabic` text (ة→ه, أ→ا, Arabic-Indic digits → ASCII).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lang import normalize_arabic

# --- the tables ------------------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_AR_WEEKDAYS = {"الاثنين": 0, "الاتنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5,
                "الاحد": 6}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# Egyptian/Gulf and Levantine names, after normalize_arabic (ة→ه, أ/إ→ا).
_AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7,
    "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12, "جانفي": 1, "فيفري": 2, "افريل": 4,
    "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
_EN_MONTHS = {m.lower(): i for i, m in enumerate(MONTHS, 1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12}

# Scale words and their values; a dual ("مليونا", "الفين") is two of them.
_AR_SCALES = {"الف": 1e3, "الاف": 1e3, "آلاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9,
              "بليون": 1e9, "تريليون": 1e12, "ترليون": 1e12}
_AR_DUAL_SCALES = {"الفا": 2e3, "الفان": 2e3, "الفين": 2e3, "مليونا": 2e6, "مليونان": 2e6, "مليونين": 2e6,
                   "مليارا": 2e9, "ملياران": 2e9, "مليارين": 2e9}
_EN_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
              "trillion": 1e12}
SCALE_NAMES = {1e3: "thousand", 1e6: "million", 1e9: "billion", 1e12: "trillion"}
# Number words (with their feminine / accusative forms) that news writes before a scale or a unit.
_AR_NUMBER_WORDS = {
    "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4,
    "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمان": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30,
    "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90, "مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200,
    "مائتان": 200, "مائتين": 200,
}
_EN_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                    "nine": 9, "ten": 10, "twenty": 20, "hundred": 100}

# Currencies: the Arabic stem (normalized, before any ending) -> (family, English plural).
_AR_CURRENCIES = {
    "دولار": ("dollar", "dollars"), "درهم": ("dirham", "dirhams"), "دراهم": ("dirham", "dirhams"),
    "دينار": ("dinar", "dinars"), "دنانير": ("dinar", "dinars"), "جنيه": ("pound", "pounds"),
    "جنيهات": ("pound", "pounds"), "ريال": ("riyal", "riyals"), "ليره": ("lira", "liras"), "ليرات": ("lira", "liras"),
    "يورو": ("euro", "euros"), "روبل": ("ruble", "rubles"), "شيكل": ("shekel", "shekels"), "اوقيه": ("ouguiya", "ouguiyas"),
    "روبيه": ("rupee", "rupees"), "ين": ("yen", "yen"), "يوان": ("yuan", "yuan"), "فرنك": ("franc", "francs"),
}
_AR_NATIONALITIES = {
    "مصري": "Egyptian", "اردني": "Jordanian", "كويتي": "Kuwaiti", "عراقي": "Iraqi", "جزائري": "Algerian",
    "تونسي": "Tunisian", "سعودي": "Saudi", "قطري": "Qatari", "عماني": "Omani", "اماراتي": "Emirati",
    "مغربي": "Moroccan", "ليبي": "Libyan", "سوري": "Syrian", "لبناني": "Lebanese", "تركي": "Turkish", "يمني": "Yemeni",
    "بحريني": "Bahraini", "سوداني": "Sudanese", "امريكي": "US", "اميركي": "US", "استرليني": "sterling",
    "روسي": "Russian", "صيني": "Chinese", "ايراني": "Iranian", "موريتاني": "Mauritanian",
}
_EN_CURRENCIES = {
    "dollar": "dollar", "usd": "dollar", "$": "dollar", "dirham": "dirham", "aed": "dirham", "mad": "dirham",
    "dinar": "dinar", "jod": "dinar", "kwd": "dinar", "iqd": "dinar", "dzd": "dinar", "tnd": "dinar", "pound": "pound",
    "egp": "pound", "£": "pound", "sterling": "pound", "riyal": "riyal", "rial": "riyal", "sar": "riyal", "qar": "riyal",
    "lira": "lira", "liras": "lira", "lire": "lira", "euro": "euro", "eur": "euro", "€": "euro", "ruble": "ruble",
    "rouble": "ruble", "shekel": "shekel", "ouguiya": "ouguiya", "rupee": "rupee", "yen": "yen", "yuan": "yuan",
    "franc": "franc",
}
# Units: the Arabic stem -> (family, English plural). Longer entries are tried first.
_AR_UNITS = {
    "متر مكعب": ("m3", "cubic metres"), "امتار مكعبه": ("m3", "cubic metres"), "كيلومتر مربع": ("km2", "square kilometres"),
    "كيلومترات مربعه": ("km2", "square kilometres"), "متر مربع": ("m2", "square metres"), "درجه مئويه": ("celsius", "degrees Celsius"),
    "درجات مئويه": ("celsius", "degrees Celsius"), "طن": ("ton", "tonnes"), "اطنان": ("ton", "tonnes"),
    "كيلومتر": ("km", "kilometres"), "كيلومترات": ("km", "kilometres"), "كلم": ("km", "kilometres"),
    "متر": ("metre", "metres"), "امتار": ("metre", "metres"), "ميغاواط": ("mw", "megawatts"), "ميجاوات": ("mw", "megawatts"),
    "ميغاوات": ("mw", "megawatts"), "جيغاواط": ("gw", "gigawatts"), "كيلوواط": ("kw", "kilowatts"),
    "هكتار": ("hectare", "hectares"), "هكتارات": ("hectare", "hectares"), "فدان": ("feddan", "feddans"),
    "افدنه": ("feddan", "feddans"), "دونم": ("dunam", "dunams"), "برميل": ("barrel", "barrels"), "براميل": ("barrel", "barrels"),
    "كيلوغرام": ("kg", "kilograms"), "كيلوجرام": ("kg", "kilograms"), "كغ": ("kg", "kilograms"), "لتر": ("litre", "litres"),
    "لترات": ("litre", "litres"), "بالمئه": ("percent", "percent"), "بالمائه": ("percent", "percent"),
    "في المئه": ("percent", "percent"), "في المائه": ("percent", "percent"), "%": ("percent", "percent"),
    "٪": ("percent", "percent"), "يوم": ("day", "days"), "ايام": ("day", "days"), "يوما": ("day", "days"),
    "شهر": ("month", "months"), "اشهر": ("month", "months"), "شهور": ("month", "months"), "اسبوع": ("week", "weeks"),
    "اسابيع": ("week", "weeks"), "عام": ("year", "years"), "اعوام": ("year", "years"), "سنه": ("year", "years"),
    "سنوات": ("year", "years"), "ساعه": ("hour", "hours"), "ساعات": ("hour", "hours"), "دقيقه": ("minute", "minutes"),
    "دقائق": ("minute", "minutes"),
}
_EN_UNITS = {
    "cubic metre": "m3", "cubic meter": "m3", "m3": "m3", "square kilometre": "km2", "square kilometer": "km2",
    "km2": "km2", "square metre": "m2", "square meter": "m2", "celsius": "celsius", "°c": "celsius", "degree": "celsius",
    "tonne": "ton", "ton": "ton", "kilometre": "km", "kilometer": "km", "km": "km", "metre": "metre", "meter": "metre",
    "megawatt": "mw", "mw": "mw", "gigawatt": "gw", "gw": "gw", "kilowatt": "kw", "kw": "kw", "hectare": "hectare",
    "feddan": "feddan", "acre": "feddan", "dunam": "dunam", "donum": "dunam", "barrel": "barrel", "kilogram": "kg",
    "kg": "kg", "litre": "litre", "liter": "litre", "percent": "percent", "per cent": "percent", "%": "percent",
    "day": "day", "month": "month", "week": "week", "year": "year", "hour": "hour", "minute": "minute",
}
_AR_APPROX = {"نحو": "about", "حوالي": "about", "قرابه": "about", "زهاء": "about", "ما يقارب": "about",
              "ما يقرب من": "about", "اكثر من": "more than", "ما يزيد علي": "more than", "ما يزيد عن": "more than",
              "اقل من": "less than", "ما لا يقل عن": "at least", "اي ما يعادل": "equivalent to", "ما يعادل": "equivalent to",
              "يعادل": "equivalent to", "اي": "i.e."}
# Words that carry no fact inside a figure: "يوم الجمعة", "عام 2023", "في 14 أكتوبر".
_AR_FILLERS = {"يوم", "عام", "سنه", "في", "من", "شهر", "العام", "الموافق", "و"}

# --- reading -------------------------------------------------------------------------------

_AR_NUMBER = r"\d+(?:[.,٫٬]\d+)*"


def _number(text: str) -> float:
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


@dataclass
class Facts:
    """What a text states in figures."""

    amounts: list[Amount] = field(default_factory=list)
    weekdays: set[int] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    @property
    def values(self) -> set[float]:
        return {_key(a.value) for a in self.amounts}

    @property
    def currencies(self) -> set[str]:
        return {a.currency for a in self.amounts if a.currency}

    @property
    def units(self) -> set[str]:
        return {a.unit for a in self.amounts if a.unit}


def _key(value: float) -> float:
    return float(f"{value:.6g}")


def _alternation(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_AR_CLITIC = r"(?:^|(?<=[\s(/،,\"'«]))(?:[وبلفك]?(?:ال)?)"
_AR_AMOUNT = re.compile(
    rf"(?P<num>{_AR_NUMBER}|{_alternation(_AR_NUMBER_WORDS)})?\s*"
    rf"(?P<scale>(?<![\w])(?:{_alternation(_AR_SCALES)})(?![\w]))?\s*"
    rf"(?P<cur>{_AR_CLITIC}(?:{_alternation(_AR_CURRENCIES)})(?:ات|ا|ين|ان)?(?![\w]))?"
    rf"(?P<unit>\s*(?:{_AR_CLITIC}(?:{_alternation(_AR_UNITS)})(?:ا|ات)?(?![\w])|[%٪]))?"
)
_AR_DUAL = re.compile(rf"(?<![\w])(?:{_alternation(_AR_DUAL_SCALES)})(?![\w])")
_AR_WEEKDAY = re.compile(rf"(?<![\w])[وب]?(?:يوم\s+)?({_alternation(_AR_WEEKDAYS)})(?![\w])")
_AR_MONTH = re.compile(rf"(?<![\w])[وب]?({_alternation(_AR_MONTHS)})(?![\w])")
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?!\d|[.,]\d)")


def _arabic_currency(token: str) -> str:
    for stem, (family, _) in sorted(_AR_CURRENCIES.items(), key=lambda kv: -len(kv[0])):
        if stem in token:
            return family
    return ""


def _arabic_unit(token: str) -> str:
    token = token.strip()
    if token in ("%", "٪"):
        return "percent"
    for stem, (family, _) in sorted(_AR_UNITS.items(), key=lambda kv: -len(kv[0])):
        if stem in token:
            return family
    return ""


def read_arabic(text: str) -> Facts:
    """The figures an Arabic text states (its English words, if any, are not read)."""
    norm = normalize_arabic(text)
    facts = Facts()
    for m in _AR_AMOUNT.finditer(norm):
        num, scale, cur, unit = m.group("num"), m.group("scale"), m.group("cur"), m.group("unit")
        if not (num or scale):
            continue
        if num and not (scale or cur or unit) and not re.match(r"\d", num):
            continue  # a bare number word ("ست" is also "six" and "Mrs"): not a figure
        value = (_number(num) if num and num[0].isdigit() else float(_AR_NUMBER_WORDS.get(num, 1))) if num else 1.0
        if scale:
            value *= _AR_SCALES[scale]
        currency = _arabic_currency(cur) if cur else ""
        if not (scale or currency or unit) and _YEAR.fullmatch(num or ""):
            continue  # a year, read below
        facts.amounts.append(Amount(value, currency, _arabic_unit(unit) if unit else ""))
    for m in _AR_DUAL.finditer(norm):
        facts.amounts.append(Amount(_AR_DUAL_SCALES[m.group(0)]))
    facts.weekdays = {_AR_WEEKDAYS[m.group(1)] for m in _AR_WEEKDAY.finditer(norm)}
    facts.months = {_AR_MONTHS[m.group(1)] for m in _AR_MONTH.finditer(norm) if m.group(1) not in ("اب", "ماي")
                    or re.search(rf"\d\s*{m.group(1)}|{m.group(1)}\s*\d", norm)}
    facts.years = {int(y) for y in _YEAR.findall(norm)}
    return facts


_EN_AMOUNT = re.compile(
    rf"(?P<pre>[$£€]|\b(?:usd|aed|egp|sar|qar|kwd|jod|iqd|dzd|tnd|mad|eur|us\$)(?=\s*\d))?\s*(?P<num>\d+(?:[.,]\d+)*|{_alternation(_EN_NUMBER_WORDS)})(?:st|nd|rd|th)?\b\s*"
    rf"(?P<scale>(?:{_alternation(_EN_SCALES)})\b)?\s*"
    rf"(?P<cur>(?:[A-Z][a-z]+\s+)?(?:{_alternation(_EN_CURRENCIES)})(?:s|es)?\b)?"
    rf"(?P<unit>\s*(?:{_alternation(_EN_UNITS)})(?:s|es)?\b|\s*%)?",
    re.IGNORECASE,
)


def _singular(table: dict[str, str], word: str) -> str:
    """The table's entry for an English word or its singular (tonnes, metres, dollars, inches)."""
    for form in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if form and form in table:
            return table[form]
    return ""


def read_english(text: str) -> Facts:
    """The figures an English text states (Arabic words in it, such as a quoted span, are not read)."""
    text = re.sub(r"\([^)]*[\u0600-\u06FF][^)]*\)", " ", text)  # "(6.5 مليار درهم)": the quote beside it
    facts = Facts()
    for m in _EN_AMOUNT.finditer(text):
        num, scale, cur, unit, pre = m.group("num"), m.group("scale"), m.group("cur"), m.group("unit"), m.group("pre")
        if not num[0].isdigit() and not (scale or cur or unit):
            continue
        if scale and scale.lower() == "m" and not (pre or cur):
            scale = None  # "5 m" is metres, not millions
        value = _number(num) if num[0].isdigit() else float(_EN_NUMBER_WORDS[num.lower()])
        if scale:
            value *= _EN_SCALES[scale.lower()]
        currency = _EN_CURRENCIES.get(pre.lower().replace("us$", "$"), "") if pre else ""
        if cur:
            currency = _singular(_EN_CURRENCIES, cur.split()[-1].lower())
        unit_family = _singular(_EN_UNITS, unit.strip().lower()) if unit else ""
        if not (scale or currency or unit_family) and _YEAR.fullmatch(num):
            continue
        facts.amounts.append(Amount(value, currency, unit_family))
    low = text.lower()
    facts.weekdays = {i for i, d in enumerate(WEEKDAYS) if re.search(rf"\b{d.lower()}\b", low)}
    facts.months = {n for name, n in _EN_MONTHS.items() if re.search(rf"\b{name}\b\.?", low)
                    and (len(name) > 3 or re.search(rf"\b{name}\b\.?\s*\d|\d\s*{name}\b", low))
                    and not (name == "may" and not re.search(r"\bmay\b\s*\d|\d\s*may\b", low))}
    facts.years = {int(y) for y in _YEAR.findall(text)}
    return facts


# Titles, the entity type a rendering most often gets wrong: "وزير الخارجية الصيني" came back as "Chinese
# Ambassador" (issue 32). Arabic stem (normalized) -> the English words that render it.
_TITLES = {
    "وزير": ("minister", "secretary"), "سفير": ("ambassador", "envoy"), "رئيس": ("president", "head", "chair", "premier",
    "prime minister", "speaker", "chief", "leader"), "ملك": ("king",), "امير": ("emir", "amir", "prince"),
    "مدير": ("director", "head", "manager", "chief"), "نائب": ("deputy", "vice", "mp", "member of parliament", "lawmaker"),
    "متحدث": ("spokesman", "spokeswoman", "spokesperson"), "قائد": ("commander", "leader", "chief"), "محافظ": ("governor",), "وكيل": ("undersecretary", "deputy", "agent"),
    "مستشار": ("adviser", "advisor", "chancellor", "counsel", "judge", "justice"),  # in Egypt المستشار titles a judge
    "قاضي": ("judge", "justice"),
}


def titles_in(text: str) -> set[str]:
    """The titles (وزير, رئيس, سفير, …) an Arabic text names."""
    return _titles_arabic(text)


def _titles_arabic(text: str) -> set[str]:
    norm = normalize_arabic(text)
    return {t for t in _TITLES if re.search(rf"(?<!\w)[وبلف]?(?:ال)?{t}(?:ه|ا|اء|ان|ين)?(?!\w)", norm)}


def _titles_english(text: str) -> set[str]:
    low = text.lower()
    return {t for t, forms in _TITLES.items() if any(re.search(rf"\b{re.escape(f)}s?\b", low) for f in forms)}


def disagreements(arabic: str, english: str) -> list[str]:
    """What the English rendering states differently from its Arabic span: "number", "currency",
    "unit", "weekday", "month", "year", "title" (empty when they agree)."""
    ar, en = read_arabic(arabic), read_english(english)
    out = []
    if ar.values != en.values:
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
    said, rendered = _titles_arabic(arabic), _titles_english(english)
    # Every Arabic title must be rendered, and no English title may lack an Arabic one (several English
    # words can render one Arabic title: "head" is رئيس and مدير, so the check goes title by title).
    if not said <= rendered or (rendered and not rendered & said):
        out.append("title")
    return out


# --- rendering -----------------------------------------------------------------------------


def _format(value: float) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text


_TOKEN = re.compile(r"\d+(?:[.,٫٬]\d+)*|[%٪]|[\w]+|[()/،,\-–]")


def render(span: str) -> str | None:
    """`span` in English from the tables, when every word of it is a figure, else None.

    "6.5 مليار درهم (حوالي 1.77 مليار دولار)" -> "6.5 billion dirhams (about 1.77 billion dollars)";
    "الجمعة 14 أكتوبر/تشرين الأول 2026" -> "Friday, 14 October 2026"; "مبنى الولاية" -> None.
    """
    norm = normalize_arabic(span).strip(" .،,")
    tokens = _TOKEN.findall(norm)
    if not tokens or not re.search(r"\d|" + _alternation(_AR_WEEKDAYS) + "|" + _alternation(_AR_MONTHS) + "|"
                                   + _alternation(_AR_SCALES), norm):
        return None
    out: list[str] = []
    i = 0
    last_month = None

    def match_phrase(table: dict, at: int, strip_clitics: bool = True):
        """The longest entry of `table` that tokens[at:] start with: (entry, tokens used)."""
        for size in (4, 3, 2, 1):
            words = tokens[at:at + size]
            if len(words) < size:
                continue
            phrase = " ".join(words)
            candidates = [phrase]
            if strip_clitics:
                for prefix in ("وال", "بال", "لل", "ال", "و", "ب"):
                    if phrase.startswith(prefix) and len(phrase) > len(prefix) + 1:
                        candidates.append(phrase[len(prefix):])
                for suffix in ("ات", "ا", "ين", "ان"):
                    candidates += [c[: -len(suffix)] for c in list(candidates) if c.endswith(suffix)]
            for c in candidates:
                if c in table:
                    return c, size
        return None, 0

    while i < len(tokens):
        tok = tokens[i]
        if tok in "()/،,-–":
            if tok == "/" and last_month is not None:
                # "سبتمبر/أيلول": the same month twice; keep it once
                _, used = match_phrase(_AR_MONTHS, i + 1, strip_clitics=False)
                if used:
                    i += 1 + used
                    continue
            out.append({"،": ","}.get(tok, tok))
            i += 1
            continue
        phrase, used = match_phrase(_AR_APPROX, i, strip_clitics=False)
        if used and i + used < len(tokens):
            out.append(_AR_APPROX[phrase])
            i += used
            continue
        if re.fullmatch(r"\d+(?:[.,٫٬]\d+)*", tok) or tok in _AR_NUMBER_WORDS:
            value = _number(tok) if tok[0].isdigit() else float(_AR_NUMBER_WORDS[tok])
            words = [tok if tok[0].isdigit() and not re.search("[٫٬]", tok) else _format(value)]
            i += 1
            if i < len(tokens) and tokens[i] in _AR_SCALES:
                words.append(SCALE_NAMES[_AR_SCALES[tokens[i]]])
                i += 1
            cur, used = match_phrase(_AR_CURRENCIES, i)
            if used:
                i += used
                nat = []
                if i < len(tokens):
                    n, u = match_phrase(_AR_NATIONALITIES, i)
                    if u:
                        nat = [_AR_NATIONALITIES[n]]
                        i += u
                plural = _AR_CURRENCIES[cur][1]
                words += nat + [plural] if nat != ["sterling"] else ["pounds sterling"]
            else:
                unit, used = match_phrase(_AR_UNITS, i)
                if used:
                    i += used
                    words.append(_AR_UNITS[unit][1] if _AR_UNITS[unit][0] != "percent" else "percent")
            if len(words) == 1 and out and out[-1] in WEEKDAYS:
                out[-1] += ","
            out.append(" ".join(words).replace(" percent", "%") if words[-1] == "percent" else " ".join(words))
            continue
        if tok in _AR_DUAL_SCALES:
            out.append(f"two {SCALE_NAMES[_AR_DUAL_SCALES[tok] / 2]}")
            i += 1
            continue
        if tok in _AR_SCALES:  # "مليون جنيه": one million
            out.append(f"1 {SCALE_NAMES[_AR_SCALES[tok]]}")
            i += 1
            cur, used = match_phrase(_AR_CURRENCIES, i)
            if used:
                i += used
                nat = ""
                n, u = match_phrase(_AR_NATIONALITIES, i) if i < len(tokens) else (None, 0)
                if u:
                    nat, i = _AR_NATIONALITIES[n] + " ", i + u
                out[-1] += f" {nat}{_AR_CURRENCIES[cur][1]}"
            continue
        month, used = match_phrase(_AR_MONTHS, i, strip_clitics=False)
        if not used and tok[:1] in "وب":
            month, used = match_phrase(_AR_MONTHS, i, strip_clitics=True)
        if used:
            last_month = _AR_MONTHS[month]
            out.append(MONTHS[last_month - 1])
            i += used
            continue
        stripped = tok[1:] if tok[:1] in "وب" and tok[1:] in _AR_WEEKDAYS else tok
        if stripped in _AR_WEEKDAYS:
            out.append(WEEKDAYS[_AR_WEEKDAYS[stripped]])
            i += 1
            continue
        if tok in _AR_FILLERS:
            i += 1
            continue
        return None  # a word the tables do not know: a name, a place, a verb
    text = " ".join(out)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    text = re.sub(r"\s+,", ",", text).strip(" ,")
    return text or None


# --- what a question asks for --------------------------------------------------------------


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
_AR_LAST_YEAR = re.compile(r"(العام|السنه|الموسم)\s+(الماضي|الماضيه|السابق|السابقه|المنصرم|المنصرمه|الفائت)")
_AR_THIS_YEAR = re.compile(r"(العام|السنه|الموسم)\s+(الجاري|الحالي|الحاليه|الجاريه)|(هذا العام|هذه السنه|هذا الموسم)")
# The counted noun is the first word after "how many" that is not a modifier: "how many parliamentary seats"
# counts seats, "how many mobile medical teams" teams, "how many people play …" people.
_EN_HOW_MANY = re.compile(r"\bhow many\s+([a-z][a-z\s-]*)", re.IGNORECASE)
_EN_MODIFIER = re.compile(r"[a-z]+(?:al|ary|ic|ive|ous|ian|ese|ish|ful|less|ile|ing|ed)$|new|more|other|direct|additional|"
                          r"different|separate|foreign|local|total|weekly|daily|annual|major|small|large|big|young|old|"
                          r"extra|further|such|these|those|of")
# "how many people" is answered by any noun of persons (players, visitors, residents): not checked.
GENERIC_COUNTED = frozenset({"people", "persons", "individuals", "times"})
# The counted noun after كم is accusative or feminine ("طنا", "ورشه" after normalization); a verb ("كم بلغت") is not one.
_AR_HOW_MANY = re.compile(r"(?:^|\s)[وف]?كم\s+(?:عدد\s+(?:ال)?(\w{3,})|(\w{2,}[اه])(?!\w))")


def asked(question: str) -> Asked:
    norm = normalize_arabic(question)
    low = question.lower()
    currencies = {family for word, family in _EN_CURRENCIES.items()
                  if len(word) > 1 and re.search(rf"\b{re.escape(word)}s?\b", low) and word not in ("m", "mad")}
    currencies |= {fam for stem, (fam, _) in _AR_CURRENCIES.items()
                   if len(stem) > 2 and re.search(rf"(?<![\w])[وبلف]?(?:ال)?{stem}(?:ات|ا|ين|ان)?(?![\w])", norm)}
    units = {fam for word, fam in _EN_UNITS.items() if len(word) > 2 and re.search(rf"\b{re.escape(word)}s?\b", low)
             and fam not in ("day", "month", "week", "year", "hour", "minute")}
    units |= {fam for stem, (fam, _) in _AR_UNITS.items() if len(stem) > 2 and fam not in
              ("day", "month", "week", "year", "hour", "minute")
              and re.search(rf"(?<![\w])[وبلف]?(?:ال)?{stem}(?:ات|ا)?(?![\w])", norm)}
    relative = ""
    if _EN_LAST_YEAR.search(question) or _AR_LAST_YEAR.search(norm):
        relative = "last"
    elif _EN_THIS_YEAR.search(question) or _AR_THIS_YEAR.search(norm):
        relative = "this"
    counted = ""
    m = _EN_HOW_MANY.search(question)
    if m:
        words = m.group(1).lower().split()[:4]
        counted = next((w for w in words if not _EN_MODIFIER.fullmatch(w)), "")
        counted = counted if len(counted) >= 3 else ""
    elif (m := _AR_HOW_MANY.search(norm)):
        counted = next(g for g in m.groups() if g).lower()
    if m:
        bare = re.sub(r"(ات|ا)$", "", counted)
        unit = (_AR_UNITS.get(counted) or _AR_UNITS.get(bare) or ("", ""))[0] if not re.match(r"[a-z]", counted) \
            else _singular(_EN_UNITS, counted)
        if unit and unit not in ("day", "month", "week", "year", "hour", "minute"):
            units.add(unit)
    return Asked(frozenset(currencies), frozenset(units), frozenset(int(y) for y in _YEAR.findall(norm)), relative,
                 counted)


def _family_of(word: str) -> str:
    """The unit or currency family a counted noun names ("tons", "طنا", "دولارا", "days"), else ""."""
    if re.match(r"[a-z]", word):
        return _singular(_EN_UNITS, word) or _singular(_EN_CURRENCIES, word)
    norm = normalize_arabic(word)
    for form in (norm, re.sub(r"(ات|ا)$", "", norm)):
        if form in _AR_UNITS:
            return _AR_UNITS[form][0]
        if form in _AR_CURRENCIES:
            return _AR_CURRENCIES[form][0]
    return ""


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
    number = re.compile(r"(\d+(?:[.,٫٬]\d+)*)\s+(?:(?:" + ("|".join(_EN_SCALES) if english else
                                                          _alternation(_AR_SCALES)) + r")\s+)?(\w+)")
    for m in number.finditer(text if english else normalize_arabic(text)):
        try:
            if _key(_number(m.group(1))) in {_key(value), _key(value / 1e3), _key(value / 1e6), _key(value / 1e9)}:
                return m.group(2)
        except ValueError:
            continue
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
    said = read_arabic(sentence)
    norm = normalize_arabic(sentence)
    cand_years = read_arabic(candidate).years
    if want.years and said.years and not (want.years & said.years) and not cand_years & want.years:
        return "year"
    # The sentence as a whole, then the candidate's own clause: "8.9 مليار دينار في 2025 مقابل 8.4 مليار في 2024"
    # holds the asked year, but the 8.9 belongs to 2025.
    for part in (norm, clause_of(candidate, sentence)):
        if not part:
            continue
        if want.years and cand_years.isdisjoint(want.years):
            years = {int(y) for y in _YEAR.findall(part)}
            if years and years.isdisjoint(want.years):
                return "year"
        if want.relative_year == "last" and _AR_THIS_YEAR.search(part) and not _AR_LAST_YEAR.search(part):
            return "year"
        if want.relative_year == "this" and _AR_LAST_YEAR.search(part) and not _AR_THIS_YEAR.search(part):
            return "year"
    if want.counted and (got.units | got.currencies):
        # "كم مرشحا" answered "44.7 بالمئة": a figure in a unit or currency counts that unit, not the asked thing
        family = _family_of(want.counted)
        if family not in got.units | got.currencies:
            return "counted"
    if want.counted and got.amounts and want.counted not in GENERIC_COUNTED:
        value = got.amounts[0].value
        english = bool(re.match(r"[a-z]", want.counted))
        noun = _noun_after(value, rendered, True) if english and rendered else (
            "" if english else _noun_after(value, sentence, False))
        unit = _singular(_EN_UNITS, noun.lower()) if english else (_AR_UNITS.get(re.sub(r"(ات|ا)$", "", noun)) or ("",))[0]
        if unit and unit in want.units:
            return ""  # "how many tons" answered in tonnes
        if noun and not re.fullmatch(r"\d+", noun) and not _same_noun(noun, want.counted) \
                and noun not in _AR_CURRENCIES and noun.lower() not in _EN_CURRENCIES:
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
        if want.relative_year == "last" and not _AR_LAST_YEAR.search(norm):
            continue
        if want.relative_year == "this" and _AR_LAST_YEAR.search(norm) and not _AR_THIS_YEAR.search(norm):
            continue
        return True
    return False


_FIGURE_TAIL = re.compile(
    rf"^\s*(?:(?:{_alternation(_AR_SCALES)})(?![\w])\s*)?"
    rf"(?:(?:{_AR_CLITIC}(?:{_alternation(_AR_CURRENCIES)})(?:ات|ا|ين|ان)?(?![\w]))"
    rf"(?:\s+(?:ال)?(?:{_alternation(_AR_NATIONALITIES)})(?:ه|ا)?(?![\w]))?"
    rf"|(?:{_AR_CLITIC}(?:{_alternation(_AR_UNITS)})(?:ا|ات|اً)?(?![\w]))|\s*[%٪])"
    rf"|^\s*(?:{_alternation(_AR_SCALES)})(?![\w])"  # the scale alone: "392" of "392 ألف وحدة" is 392 thousand
)


def complete(span: str, sentence: str) -> str:
    """The span with the scale, currency or unit that follows its last figure in the sentence.

    Measured: asked what a plant cost, the copy stopped at "6.5 مليار" where the sentence goes on
    "درهم": the English said "6.5 billion" and a reader could take it for dollars.
    """
    at = sentence.find(span)
    if at < 0 or not re.search(r"(\d|" + _alternation(_AR_SCALES) + r")\W*$", normalize_arabic(span)):
        return span
    rest = sentence[at + len(span):]
    m = _FIGURE_TAIL.match(normalize_arabic(rest))
    if not m or not m.group(0).strip():
        return span
    # normalize_arabic drops diacritics (طناً -> طنا): walk the raw text to the match's end, marks included
    end, seen = 0, 0
    while end < len(rest) and (seen < m.end() or len(normalize_arabic(rest[end])) == 0):
        seen += len(normalize_arabic(rest[end]))
        end += 1
    return span + rest[:end].rstrip()
