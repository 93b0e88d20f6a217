"""Candidates of the asked kind, typed before the model chooses (issue 40).

A 1.5B model, asked what the library cost, copied "18 months" from the sentence that also holds the cost,
and the checks after it (figures.kind_mismatch, tuned on our own phrasings) let it through with
confidence. Here the question's kind and time scope are read from tables (figures.typed), every figure
and date of the shown sentences is typed, and:

- the model answers as before, so its own "not in the passages" (the no-answer probe) still refuses;
- its candidate holds no mention of the asked kind and scope, and no shown sentence holds one: the
  reader gets the closest sentence, unsure and with no guess, or a refusal when the decision (the
  model's P(no answer) included) says nothing is near (`SpanAnswers.without_candidate`). A first
  version did not ask the model at all then, and lost that refusal: "How many Russian peacekeepers
  were killed?" (the articles say the number was not given) came back unsure instead of refused;
- its candidate holds none but the sentences do: it chooses again, among those mentions only (its copy
  constraint is the mentions' text; the prompt is still in the backend's cache, so this costs a few
  tokens), and the answer is unsure at best: its first choice was of another kind.
"""

from __future__ import annotations

import re

from ...lang import normalize_arabic
from .. import figures
from ..extract import Located, locate
from ..select import Evidence
from .outcomes import shown_sentences


def typed_options(want: figures.Wanted, evidence: list[Evidence]) -> list[figures.Mention]:
    """The mentions of the asked kind and scope in the shown sentences, in the order they are shown."""
    return [m for _, m in figures.typed(want, [s for _, s in shown_sentences(evidence)])]


def chosen(reply: str, options: list[figures.Mention], evidence: list[Evidence]) -> tuple[figures.Mention, Located]:
    """The option the model's constrained reply copied from (it may copy part of one: "12.5" of "12.5 مليون جنيه"),
    else the first, with where it stands."""
    said = normalize_arabic(reply.strip())
    written = [normalize_arabic(m.text) for m in options]
    bounded = re.compile(rf"(?<![\w.,]){re.escape(said)}(?![\w.,])") if said else None
    pick = next((m for m, w in zip(options, written) if said == w), None)  # "50" is not the 50 of "150"
    pick = pick or next((m for m, w in zip(options, written) if bounded and bounded.search(w)), options[0])
    where = locate(pick.text, evidence)
    return pick, where
