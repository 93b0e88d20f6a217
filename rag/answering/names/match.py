"""Does an English name stand for a word of its Arabic sentence? Matched by consonant skeleton.

The model renders أذربيجان as "Iraq" or "Albania" and باشينيان as "Nicolas Sarkozy" (seen on the
seeds, issue 39), and the embedder's cosine barely notices one wrong name in a long sentence. A
name, though, keeps its consonants across scripts: باشينيان and Pashinyan are both b-sh-n-n once
the letters are folded into the classes both scripts share (p and b, v and f, kh/غ and k, ذ and z,
...) and vowels, ء/ع and h are dropped. So every capitalized word of a rendering that is not a
common English word (titles, institutions, months, weekdays: COMMON) must share its skeleton with
some word of the Arabic sentence: equal, or one the prefix of the other ("Russian" and الروسية),
for skeletons of two consonants or more. The letter table follows the two alphabets, not examples.
"""

from __future__ import annotations

import re

from ...lang import normalize_arabic
from ..figures.tables import MONTHS, WEEKDAYS

# Arabic letters (after normalize_arabic) -> consonant class; letters not listed are vowels or dropped.
AR_CLASSES = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "s", "ج": "j", "ح": "", "خ": "k", "د": "d", "ض": "d", "ذ": "z",
    "ر": "r", "ز": "z", "ظ": "z", "س": "s", "ص": "s", "ش": "s", "غ": "k", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k",
    "گ": "k", "ل": "l", "م": "m", "ن": "n", "ه": "",
}
# English letter groups -> the same classes, longest first.
EN_CLASSES = (("sch", "s"), ("sh", "s"), ("ch", "s"), ("ce", "s"), ("ci", "s"), ("cy", "s"), ("kh", "k"), ("gh", "k"), ("th", "s"), ("dh", "z"), ("ph", "f"),
              ("zh", "j"), ("ck", "k"), ("qu", "k"), ("b", "b"), ("p", "b"), ("t", "t"), ("j", "j"), ("g", "k"),
              ("d", "d"), ("r", "r"), ("z", "z"), ("s", "s"), ("c", "k"), ("k", "k"), ("q", "k"), ("x", "ks"),
              ("f", "f"), ("v", "f"), ("w", ""), ("l", "l"), ("m", "m"), ("n", "n"), ("h", ""))
_PREFIXES = ("وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل")
# Names English writes by another name than the Arabic's sound (normalize_arabic keys, without ال).
EXONYMS = {
    "مصر": "Egypt", "مغرب": "Morocco", "جزائر": "Algeria", "المانيا": "Germany", "يونان": "Greece", "يابان": "Japan",
    "صين": "China", "نمسا": "Austria", "مجر": "Hungary", "امارات": "Emirates", "سعوديه": "Saudi",
    "اردن": "Jordan", "كويت": "Kuwait", "عراق": "Iraq", "بحرين": "Bahrain", "سويد": "Sweden", "هولندا": "Netherlands",
    "سويسرا": "Switzerland", "فاتيكان": "Vatican", "بريطانيا": "Britain", "انجلترا": "England", "روسيا": "Russia",
    "الاناضول": "Anatolia", "قره": "Nagorno", "قدس": "Jerusalem", "غزه": "Gaza", "اثيوبيا": "Ethiopia",
    # whose English letters fall in other classes than the Arabic's (f/p, ch/ts, th/t, -um/-ka)
    "فلسطين": "Palestine", "واشنطن": "Washington", "بروكسل": "Brussels", "بكين": "Beijing", "تشيك": "Czech",
    "بلجيكا": "Belgium", "قبرص": "Cyprus", "تشاد": "Chad", "تشيلي": "Chile", "تايلاند": "Thailand",
    "سنغافوره": "Singapore", "رويترز": "Reuters",
}
# Capitalized words that are not names of people or places: titles, institutions, calendar words.
COMMON = frozenset(w.lower() for w in (
    *MONTHS, *WEEKDAYS, *"The A An In On At For From To By With Without Of During Since Following Despite As Under Over Amid Through "
    "This That These Those It Its They Their He She His Her We Our I You According After Before Both All Some Many "
    "Most Several Another Other Such No Not There Here Then Thus Therefore Moreover Furthermore Until Upon "
    "While When Where Why How What Who Which However Also And But Or Meanwhile Earlier Later Today Yesterday Tomorrow "
    "Mr Mrs Ms Dr Eng Engineer Sheikh President Prime Minister Ministers Ministry Foreign Affairs Defense Defence Interior "
    "Health Finance Economy Agriculture Education Emergency Emergencies Situations Secretary General Chief Executive "
    "Director Head Chairman Spokesman Spokesperson Governor Mayor Ambassador Envoy Representative King Prince Emir "
    "Council Security Assembly Parliament Government Cabinet Committee Commission Authority Agency News Press Union "
    "Federation Association Organization Organisation Office Bank Central National International Republic Kingdom "
    "State States United Nations General Court Supreme Army Forces Force Armed Police Guard Peacekeepers Peacekeeping "
    "Company Corporation Group Fund Program Programme Project Conference Summit Forum Festival Prize Award Cup League "
    "University Institute Center Centre Hospital Port Airport City Region Province Governorate District Village "
    "North South East West Northern Southern Eastern Western Central Middle Arab Arabic Islamic Muslim Christian "
    "Western European European Union African Gulf Mediterranean Ocean Sea River Lake Mount Mountain Red Cross Crescent "
    "Operation Anti Counter Terrorism Statement Office Public Social Economic Council Media Television TV Radio Channel "
    "Parliamentary Constitutional Constitution Law Decree Article Agreement Treaty Accord Deal Ceasefire "
    # number words open a rendered figure ("Nine days" for تسعة أيام): no name
    "One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen Fifteen Sixteen Seventeen "
    "Eighteen Nineteen Twenty Thirty Forty Fifty Sixty Seventy Eighty Ninety Hundred Hundreds Thousand Thousands "
    "Million Millions Billion Billions Trillion Dozen Dozens Half Quarter Third First Second Fourth Fifth Sixth "
    "Seventh Eighth Ninth Tenth Last Next Nearly About Around Approximately Almost Over Under More Less Fewer "
    "Celsius Fahrenheit".split()))
_EN_NAME = re.compile(r"(?<![\w'’])[A-Z][a-zA-Z'’-]+")


def skeletons_ar(word: str) -> set[str]:
    """The consonant classes of an Arabic word as written, and without its article or a one-letter clitic
    (the ب of بيراموف is a letter of the name, the ب of بأذربيجان is "in"); with its exonym's, if it has one."""
    w = normalize_arabic(word)
    forms = {w}
    for prefix in _PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 3:
            forms.add(w[len(prefix):])
            if prefix.endswith("ال"):
                break
    found = {_squeeze("".join(AR_CLASSES.get(ch, "") for ch in f)) for f in forms}
    # A demonym ("المصرية", "الأردني") takes its country's exonym: the nisba ending dropped.
    stems = forms | {re.sub(r"(?:يه|يون|يين|ي)$", "", f) for f in forms}
    found |= {skeleton_en(EXONYMS[f]) for f in stems if f in EXONYMS}
    return found - {""}


def skeleton_en(word: str) -> str:
    """The consonant classes of a Latin-script word, by the same table."""
    w, out, i = word.lower(), [], 0
    while i < len(w):
        for group, cls in EN_CLASSES:
            if w.startswith(group, i):
                out.append(cls)
                i += len(group)
                break
        else:
            i += 1  # a vowel, y, an apostrophe or a hyphen
    return _squeeze("".join(out))


def _squeeze(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def alike(a: str, b: str) -> bool:
    if len(a) < 2 or len(b) < 2:
        return a == b
    return a.startswith(b) or b.startswith(a)


def names_in(rendering: str) -> list[str]:
    """The rendering's capitalized words that would name a person or place, its first word included (where a
    rendered sentence puts its subject): not COMMON words, not acronyms (RIA, UN: their letters are not the
    Arabic's sounds)."""
    found = []
    for m in _EN_NAME.finditer(rendering):
        for part in re.split(r"[-'’]", m.group(0)):
            if part and part[0].isupper() and not part.isupper() and part.lower() not in COMMON and len(part) > 2:
                found.append(part)
    return found


def unmatched_names(arabic: str, rendering: str, phrase: bool = False) -> list[str]:
    """The names in `rendering` whose skeleton no word of `arabic` shares; [] when every one is accounted for.

    `phrase`: the rendering is a short answer, whose first word is capitalized as a phrase's ("Mutual respect
    for shared interests", "Stay there", seen on the held-out sets): that word counts as a name only when the
    next word is capitalized too ("Ahmed Aliyev" for إلهام علييف) or it stands alone ("Azribyan").
    """
    skeletons = {s for w in re.findall(r"[\u0621-\u064A\u0671-\u06D3]+", arabic) for s in skeletons_ar(w)}
    names = names_in(rendering)
    words = rendering.split()
    if phrase and names and len(words) > 1 and words[0] == names[0] and not words[1][:1].isupper():
        names = names[1:]
    return [name for name in names if not any(alike(skeleton_en(name), s) for s in skeletons)]


def glossary(english: str, arabic: str) -> dict[str, str]:
    """{Arabic name: its English} for each name of `english` that stands for a word (or two words) of
    `arabic`: the reader's own spelling of the names ("Karabakh" for قره باغ), handed to the model so a
    rendering writes them so, and the same way in every quote of an answer."""
    tokens = re.findall(r"[\u0621-\u064A\u0671-\u06D3]+", arabic)
    found: dict[str, str] = {}
    for name in dict.fromkeys(names_in(" " + english)):
        want = skeleton_en(name)
        if len(want) < 3:
            continue
        pairs = [" ".join(tokens[i:i + 2]) for i in range(len(tokens) - 1)]
        match = next((p for p in pairs if want in skeletons_ar(p.replace(" ", ""))), None)
        match = match or next((t for t in tokens if any(len(s) >= 3 and alike(want, s) for s in skeletons_ar(t))), None)
        if match:
            found.setdefault(match, name)
    return found
