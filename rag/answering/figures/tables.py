"""The tables: what each Arabic figure word means and how English writes it.

Weekdays and months (Egyptian/Gulf, Levantine and Maghrebi names), scale words, number words, currencies with
their nationalities, units, "about"/"more than", and titles. Keys are `normalize_arabic` forms (ة→ه, أ→ا).
Issue 32 measured the model rendering these wrongly at high confidence (الجمعة as "Sunday", a thousand as a
million); a closed vocabulary is better served by a table than by a 1.5B model.
"""

from __future__ import annotations


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AR_WEEKDAYS = {"الاثنين": 0, "الاتنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5,
                "الاحد": 6}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# Egyptian/Gulf and Levantine names, after normalize_arabic (ة→ه, أ/إ→ا).
AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7,
    "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12, "جانفي": 1, "فيفري": 2, "افريل": 4,
    "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
EN_MONTHS = {m.lower(): i for i, m in enumerate(MONTHS, 1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12}

# Scale words and their values; a dual ("مليونا", "الفين") is two of them.
# The accusative singular ("15 ألفاً", "20 مليوناً": 11-99 of a thousand, a million) is the scale itself, not a dual.
AR_SCALES = {"الف": 1e3, "الفا": 1e3, "الاف": 1e3, "آلاف": 1e3, "مليون": 1e6, "مليونا": 1e6, "ملايين": 1e6,
             "مليار": 1e9, "مليارا": 1e9, "مليارات": 1e9, "بليون": 1e9, "تريليون": 1e12, "ترليون": 1e12}
AR_DUAL_SCALES = {"الفان": 2e3, "الفين": 2e3, "الفي": 2e3, "مليونان": 2e6, "مليونين": 2e6, "مليوني": 2e6,
                  "ملياران": 2e9, "مليارين": 2e9, "ملياري": 2e9}
# Duals of units: two days, two months, … (value, unit family, English).
AR_DUAL_UNITS = {"يومين": (2, "day", "two days"), "يومان": (2, "day", "two days"), "شهرين": (2, "month", "two months"),
                 "شهران": (2, "month", "two months"), "عامين": (2, "year", "two years"), "عامان": (2, "year", "two years"),
                 "سنتين": (2, "year", "two years"), "ساعتين": (2, "hour", "two hours"), "اسبوعين": (2, "week", "two weeks")}
EN_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
              "trillion": 1e12}
SCALE_NAMES = {1e3: "thousand", 1e6: "million", 1e9: "billion", 1e12: "trillion"}
# Number words (with their feminine / accusative forms) that news writes before a scale or a unit.
AR_NUMBER_WORDS = {
    "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4,
    "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمان": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30,
    "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90, "مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200,
    "مائتان": 200, "مائتين": 200,
}
EN_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                    "nine": 9, "ten": 10, "twenty": 20, "hundred": 100}

# Currencies: the Arabic stem (normalized, before any ending) -> (family, English plural).
AR_CURRENCIES = {
    "دولار": ("dollar", "dollars"), "درهم": ("dirham", "dirhams"), "دراهم": ("dirham", "dirhams"),
    "دينار": ("dinar", "dinars"), "دنانير": ("dinar", "dinars"), "جنيه": ("pound", "pounds"),
    "جنيهات": ("pound", "pounds"), "ريال": ("riyal", "riyals"), "ليره": ("lira", "liras"), "ليرات": ("lira", "liras"),
    "يورو": ("euro", "euros"), "روبل": ("ruble", "rubles"), "شيكل": ("shekel", "shekels"), "اوقيه": ("ouguiya", "ouguiyas"),
    "روبيه": ("rupee", "rupees"), "ين": ("yen", "yen"), "يوان": ("yuan", "yuan"), "فرنك": ("franc", "francs"),
}
AR_NATIONALITIES = {
    "مصري": "Egyptian", "اردني": "Jordanian", "كويتي": "Kuwaiti", "عراقي": "Iraqi", "جزائري": "Algerian",
    "تونسي": "Tunisian", "سعودي": "Saudi", "قطري": "Qatari", "عماني": "Omani", "اماراتي": "Emirati",
    "مغربي": "Moroccan", "ليبي": "Libyan", "سوري": "Syrian", "لبناني": "Lebanese", "تركي": "Turkish", "يمني": "Yemeni",
    "بحريني": "Bahraini", "سوداني": "Sudanese", "امريكي": "US", "اميركي": "US", "استرليني": "sterling",
    "روسي": "Russian", "صيني": "Chinese", "ايراني": "Iranian", "موريتاني": "Mauritanian",
}
EN_CURRENCIES = {
    "dollar": "dollar", "usd": "dollar", "$": "dollar", "dirham": "dirham", "aed": "dirham", "mad": "dirham",
    "dinar": "dinar", "jod": "dinar", "kwd": "dinar", "iqd": "dinar", "dzd": "dinar", "tnd": "dinar", "pound": "pound",
    "egp": "pound", "£": "pound", "sterling": "pound", "riyal": "riyal", "rial": "riyal", "sar": "riyal", "qar": "riyal",
    "lira": "lira", "liras": "lira", "lire": "lira", "euro": "euro", "eur": "euro", "€": "euro", "ruble": "ruble",
    "rouble": "ruble", "shekel": "shekel", "ouguiya": "ouguiya", "rupee": "rupee", "yen": "yen", "yuan": "yuan",
    "franc": "franc",
}
# Units: the Arabic stem -> (family, English plural). Longer entries are tried first.
AR_UNITS = {
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
EN_UNITS = {
    "cubic metre": "m3", "cubic meter": "m3", "m3": "m3", "square kilometre": "km2", "square kilometer": "km2",
    "km2": "km2", "square metre": "m2", "square meter": "m2", "celsius": "celsius", "°c": "celsius", "degree": "celsius",
    "tonne": "ton", "ton": "ton", "kilometre": "km", "kilometer": "km", "km": "km", "metre": "metre", "meter": "metre",
    "megawatt": "mw", "mw": "mw", "gigawatt": "gw", "gw": "gw", "kilowatt": "kw", "kw": "kw", "hectare": "hectare",
    "feddan": "feddan", "acre": "feddan", "dunam": "dunam", "donum": "dunam", "barrel": "barrel", "kilogram": "kg",
    "kg": "kg", "litre": "litre", "liter": "litre", "percent": "percent", "per cent": "percent", "%": "percent",
    "day": "day", "month": "month", "week": "week", "year": "year", "hour": "hour", "minute": "minute",
}
AR_APPROX = {"نحو": "about", "حوالي": "about", "قرابه": "about", "زهاء": "about", "ما يقارب": "about",
              "ما يقرب من": "about", "اكثر من": "more than", "ما يزيد علي": "more than", "ما يزيد عن": "more than",
              "اقل من": "less than", "ما لا يقل عن": "at least", "اي ما يعادل": "equivalent to", "ما يعادل": "equivalent to",
              "يعادل": "equivalent to", "اي": "i.e."}
# Words that carry no fact inside a figure: "يوم الجمعة", "عام 2023", "في 14 أكتوبر".
AR_FILLERS = {"يوم", "عام", "سنه", "في", "من", "شهر", "العام", "الموافق", "و"}


# Titles, the entity type a rendering most often gets wrong: "وزير الخارجية الصيني" came back as "Chinese
# Ambassador" (issue 32). Arabic stem (normalized) -> the English words that render it.
TITLES = {
    "وزير": ("minister", "secretary"), "سفير": ("ambassador", "envoy"), "رئيس": ("president", "head", "chair", "premier",
    "prime minister", "speaker", "chief", "leader"), "ملك": ("king",), "امير": ("emir", "amir", "prince"),
    "مدير": ("director", "head", "manager", "chief"), "نائب": ("deputy", "vice", "mp", "member of parliament", "lawmaker"),
    "متحدث": ("spokesman", "spokeswoman", "spokesperson"), "قائد": ("commander", "leader", "chief"), "محافظ": ("governor",), "وكيل": ("undersecretary", "deputy", "agent"),
    "مستشار": ("adviser", "advisor", "chancellor", "counsel", "judge", "justice"),  # in Egypt المستشار titles a judge
    "قاضي": ("judge", "justice"),
}


# Offices, rendered one way (issue 40: وزير الخارجية came back as "Secretary of State"). The Arabic (normalized,
# masculine; the feminine وزيرة is read as the same office) -> the English forms that render it; the first is the one
# to write. An office a table does not hold is checked by its title word alone (TITLES).
_MINISTRIES = {
    "الخارجيه": "Foreign", "الدفاع": "Defence", "الداخليه": "Interior", "الماليه": "Finance", "الصحه": "Health",
    "التعليم": "Education", "التربيه": "Education", "الاقتصاد": "Economy", "الطاقه": "Energy", "النفط": "Oil",
    "العدل": "Justice", "الزراعه": "Agriculture", "النقل": "Transport", "الثقافه": "Culture", "السياحه": "Tourism",
    "الاعلام": "Information", "التخطيط": "Planning", "العمل": "Labour", "الاسكان": "Housing", "البيئه": "Environment",
    "الصناعه": "Industry", "التجاره": "Trade", "الاتصالات": "Communications", "الشباب": "Youth", "الري": "Irrigation",
    "الطوارئ": "Emergency Situations", "الاوقاف": "Endowments", "الخزانه": "Treasury",
}
_AMERICAN = {"Defence": "Defense", "Labour": "Labor"}  # the same office in American spelling
OFFICES: dict[str, tuple[str, ...]] = {
    f"وزير {ministry}": tuple(form for name in dict.fromkeys((english, _AMERICAN.get(english, english)))
                               for form in (f"{name} Minister", f"Minister of {name}", f"{name} Affairs Minister",
                                            f"Minister of {name} Affairs", f"{name} Secretary"))
    for ministry, english in _MINISTRIES.items()
} | {
    "رئيس الوزراء": ("Prime Minister", "Premier"), "رئيس الحكومه": ("Prime Minister", "head of government", "Premier"),
    "رئيس الجمهوريه": ("President",), "نائب الرئيس": ("Vice President", "Vice-President", "Deputy President"),
    "محافظ البنك المركزي": ("Central Bank Governor", "Governor of the Central Bank", "central bank governor"),
    "الامين العام": ("Secretary-General", "Secretary General"), "رئيس البلديه": ("Mayor", "head of the municipality"),
    "وزير الخارجيه الامريكي": ("Secretary of State", "US Secretary of State"),
    "وزير الخارجيه الاميركي": ("Secretary of State", "US Secretary of State"),
}
