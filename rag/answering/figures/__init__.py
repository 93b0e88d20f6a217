"""Figures read by table: amounts, currencies, units, weekdays, months and years, in Arabic and English.

A 1.5B model renders an Arabic figure into English wrongly often enough to lose a reader's trust,
and always at high confidence: الجمعة as "Sunday", "20.6 ألف دولار" as "$20.6 million", "6.5 مليار
درهم" as "6.5 billion dollars" (issue 32: 3 of 6 English answers of a new user's tryout). Figures
are a closed vocabulary, so they need no model:

- `render` writes an Arabic span made only of figures ("الجمعة 14 أكتوبر", "6.5 مليار درهم (حوالي
  1.77 مليار دولار)") in English from the tables below, or returns None when a word is not a figure
  (a name, a place): then the model renders it;
- `read_arabic`, `read_english` find the facts a text states: each amount with its scale applied, its currency and unit,
  and the weekdays, months and years; `disagreements` compares an English rendering with its Arabic
  span, fact by fact. An English answer that fails it is never stated as fact (pipeline.py);
- `wanted` reads the kind a question asks for (money, duration, date, count, ...) and its time from tables,
  `mentions` types every figure and date of a sentence, and `typed` keeps those of the asked kind and time,
  which the model then chooses among (typed.py, issue 40);
- `asked` reads which kind of figure a question asks for (the currency, the unit, the year, the
  thing counted), and `kind_mismatch` sees a candidate that gives a figure of another kind: the
  dollar equivalent when dinars were asked, this year's level when last year's was, the number of
  experts when workshops were counted.

All Arabic matching is on `normalize_arabic` text (ة→ه, أ→ا, Arabic-Indic digits → ASCII).
"""

from .asked import Asked, asked, clause_of, holds_asked, holds_kind, kind_mismatch
from .read import Amount, Facts, disagreements, offices_fixed, offices_in, offices_misrendered, read_arabic, read_english, titles_in
from .render import complete, render
from .tables import MONTHS, OFFICES, WEEKDAYS
from .typed import Mention, Wanted, holds, mentions, typed, typed_kinds, wanted

__all__ = ["Amount", "Asked", "Facts", "MONTHS", "WEEKDAYS", "asked", "clause_of", "complete", "disagreements",
           "holds", "holds_asked", "offices_fixed", "offices_in", "offices_misrendered", "holds_kind", "kind_mismatch", "Mention", "mentions", "OFFICES", "read_arabic", "read_english", "render",
           "titles_in", "typed", "typed_kinds", "Wanted", "wanted"]
