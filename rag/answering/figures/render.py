"""Rendering figures: an Arabic span made only of figures written in English from the tables (`render`),
and a copied span completed with the scale, currency or unit its sentence gives after it (`complete`).
"""

from __future__ import annotations

import re

from ...lang import normalize_arabic
from .tables import (
    AR_APPROX,
    AR_CURRENCIES,
    AR_DUAL_SCALES,
    AR_DUAL_UNITS,
    AR_FILLERS,
    AR_MONTHS,
    AR_NATIONALITIES,
    AR_NUMBER_WORDS,
    AR_SCALES,
    AR_UNITS,
    AR_WEEKDAYS,
    MONTHS,
    SCALE_NAMES,
    WEEKDAYS,
)
from .read import AR_CLITIC, alternation, parse_number


def _format(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".")


_TOKEN = re.compile(r"\d+(?:[.,٫٬]\d+)*|[%٪]|[\w]+|[()/،,\-–]")


def render(span: str) -> str | None:
    """`span` in English from the tables, when every word of it is a figure, else None.

    "6.5 مليار درهم (حوالي 1.77 مليار دولار)" -> "6.5 billion dirhams (about 1.77 billion dollars)";
    "الجمعة 14 أكتوبر/تشرين الأول 2026" -> "Friday, 14 October 2026"; "مبنى الولاية" -> None.
    """
    norm = normalize_arabic(span).strip(" .،,")
    tokens = _TOKEN.findall(norm)
    if not tokens or not re.search(r"\d|" + alternation(AR_WEEKDAYS) + "|" + alternation(AR_MONTHS) + "|"
                                   + alternation(AR_SCALES) + "|" + alternation(AR_DUAL_UNITS), norm):
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
                _, used = match_phrase(AR_MONTHS, i + 1, strip_clitics=False)
                if used:
                    i += 1 + used
                    continue
            out.append({"،": ","}.get(tok, tok))
            i += 1
            continue
        phrase, used = match_phrase(AR_APPROX, i, strip_clitics=False)
        if used and i + used < len(tokens):
            out.append(AR_APPROX[phrase])
            i += used
            continue
        if re.fullmatch(r"\d+(?:[.,٫٬]\d+)*", tok) or tok in AR_NUMBER_WORDS:
            value = parse_number(tok) if tok[0].isdigit() else float(AR_NUMBER_WORDS[tok])
            words = [tok if tok[0].isdigit() and not re.search("[٫٬]", tok) else _format(value)]
            i += 1
            if i < len(tokens) and tokens[i] in AR_SCALES:
                words.append(SCALE_NAMES[AR_SCALES[tokens[i]]])
                i += 1
            cur, used = match_phrase(AR_CURRENCIES, i)
            if used:
                i += used
                nat = []
                if i < len(tokens):
                    n, u = match_phrase(AR_NATIONALITIES, i)
                    if u:
                        nat = [AR_NATIONALITIES[n]]
                        i += u
                plural = AR_CURRENCIES[cur][1]
                words += nat + [plural] if nat != ["sterling"] else ["pounds sterling"]
            else:
                unit, used = match_phrase(AR_UNITS, i)
                if used:
                    i += used
                    words.append(AR_UNITS[unit][1] if AR_UNITS[unit][0] != "percent" else "percent")
            if len(words) == 1 and out and out[-1] in WEEKDAYS:
                out[-1] += ","
            out.append(" ".join(words).replace(" percent", "%") if words[-1] == "percent" else " ".join(words))
            continue
        if tok in AR_DUAL_UNITS:
            out.append(AR_DUAL_UNITS[tok][2])
            i += 1
            continue
        if tok in AR_DUAL_SCALES:
            out.append(f"two {SCALE_NAMES[AR_DUAL_SCALES[tok] / 2]}")
            i += 1
            continue
        if tok in AR_SCALES:  # "مليون جنيه": one million
            out.append(f"1 {SCALE_NAMES[AR_SCALES[tok]]}")
            i += 1
            cur, used = match_phrase(AR_CURRENCIES, i)
            if used:
                i += used
                nat = ""
                n, u = match_phrase(AR_NATIONALITIES, i) if i < len(tokens) else (None, 0)
                if u:
                    nat, i = AR_NATIONALITIES[n] + " ", i + u
                out[-1] += f" {nat}{AR_CURRENCIES[cur][1]}"
            continue
        month, used = match_phrase(AR_MONTHS, i, strip_clitics=False)
        if not used and tok[:1] in "وب":
            month, used = match_phrase(AR_MONTHS, i, strip_clitics=True)
        if used:
            last_month = AR_MONTHS[month]
            out.append(MONTHS[last_month - 1])
            i += used
            continue
        stripped = tok[1:] if tok[:1] in "وب" and tok[1:] in AR_WEEKDAYS else tok
        if stripped in AR_WEEKDAYS:
            out.append(WEEKDAYS[AR_WEEKDAYS[stripped]])
            i += 1
            continue
        if tok in AR_FILLERS:
            i += 1
            continue
        return None  # a word the tables do not know: a name, a place, a verb
    text = " ".join(out)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    text = re.sub(r"\s+,", ",", text).strip(" ,")
    return text or None


_FIGURE_TAIL = re.compile(
    rf"^\s*(?:(?:{alternation(AR_SCALES)})(?![\w])\s*)?"
    rf"(?:(?:{AR_CLITIC}(?:{alternation(AR_CURRENCIES)})(?:ات|ا|ين|ان)?(?![\w]))"
    rf"(?:\s+(?:ال)?(?:{alternation(AR_NATIONALITIES)})(?:ه|ا)?(?![\w]))?"
    rf"|(?:{AR_CLITIC}(?:{alternation(AR_UNITS)})(?:ا|ات|اً)?(?![\w]))|\s*[%٪])"
    rf"|^\s*(?:{alternation(AR_SCALES)})(?![\w])"  # the scale alone: "392" of "392 ألف وحدة" is 392 thousand
)


def complete(span: str, sentence: str) -> str:
    """The span with the scale, currency or unit that follows its last figure in the sentence.

    Measured: asked what a plant cost, the copy stopped at "6.5 مليار" where the sentence goes on
    "درهم": the English said "6.5 billion" and a reader could take it for dollars.
    """
    at = sentence.find(span)
    if at < 0 or not re.search(r"(\d|" + alternation(AR_SCALES) + r")\W*$", normalize_arabic(span)):
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
