"""English beside each Arabic quote, for a reader who asked in English, checked before it is shown.

The model renders one sentence at a time, and a rendering is shown only when four checks pass:
its figures agree with the sentence's (figures.disagreements: number, currency, unit, weekday,
month, year); each name it writes stands for a word of the sentence (names.py: "Iraq" for أذربيجان
fails); it negates where the sentence negates and nowhere else (a closed table of negation
words); and it means what the sentence says, judged by the multilingual embedder: the cosine
between the rendering and its Arabic sentence must reach MIN_MEANING.

Calibrated (docs/experiments/rendering_meaning.py) on 12 sentences of a tuning collection, each
with a right rendering written by hand and three corrupted ones (negation flipped, verb changed,
entity swapped). Right renderings score 0.7397-0.91; corrupted ones 0.61-0.88, so no cosine separates
them (AUROC right vs negation 0.82, vs verb 0.80, vs entity 0.91). MIN_MEANING = 0.72 keeps every
right rendering and drops the model's garbled ones seen on the seeds (0.54-0.59: "Iraq" and "Albania"
for أذربيجان); the negation table catches the flipped negations the cosine misses. A changed verb
or a swapped entity that keeps the cosine above 0.72 still passes: a back-rendering would cost a
second generation per sentence (~5 s each on 2 cores), more than the answer's whole budget.
A rendering that fails is left out, and the reader sees the Arabic with a note.

Each sentence is rendered once per process (`Renderings`), so a quote repeated across answers,
and the names in it, read the same every time.
"""

from __future__ import annotations

import logging
import re

from ... import templates
from ...lang import detect_language, normalize_arabic
from .. import figures
from ..names import NamesTable, unmatched_names
from ..prompt import LANGUAGE_NAMES
from ..select import cosine

log = logging.getLogger(__name__)
RENDER_TOKENS = 120  # a news sentence of ~35 Arabic words is ~60 English tokens
MIN_MEANING = 0.72  # cosine of a rendering and its sentence; see the module docstring
# Negation, a closed class in both languages: a rendering that negates where its sentence does not, or
# the reverse, says the opposite ("سيتنفسون الصعداء" as "will die"). غير and ما are left out: غير
# forms adjectives (قوات غير قانونية, "illegal forces") and ما is as often "what" as "not".
_NEGATION_AR = re.compile(r"(?<![\u0621-\u064A])(?:[وف]?(?:لا|لم|لن|ليس|ليست|ليسوا|لسنا|عدم|بدون|دون))(?![\u0621-\u064A])")
_NEGATION_EN = re.compile(r"\b(?:not|no|never|none|nobody|nothing|without|nor|neither|cannot)\b|n't\b", re.I)
KEPT = 2_000


def negates(text: str) -> bool:
    """The text holds a negation word of its language (_NEGATION_AR, _NEGATION_EN)."""
    if detect_language(text) == "ar":
        return bool(_NEGATION_AR.search(normalize_arabic(text)))
    return bool(_NEGATION_EN.search(text))


def negation_agrees(sentence: str, rendering: str) -> bool:
    """Both negate, or neither does, whichever way the rendering goes."""
    return negates(sentence) == negates(rendering)


class Renderings:
    """Checked renderings of quoted sentences into the reader's language, remembered per process."""

    def __init__(self, llm, embeddings, temperature: float = 0.0, names: NamesTable | None = None):
        self._llm = llm  # a zero-argument callable: the model loads only when a rendering is needed
        self.embeddings = embeddings
        self.temperature = temperature
        self.names = names or NamesTable(None)  # the collection's spellings (names/table.py)
        self.memory: dict[tuple[str, str], str] = {}

    def of(self, sentence: str, language: str, names: dict[str, str] | None = None) -> str:
        """The checked rendering of `sentence` into `language`, or "" when none passed the checks.

        `names`: {Arabic: English} spellings to keep (names.glossary: the reader's own), those the sentence holds
        are given to the model with the collection's (`self.names`); the 1.5B model otherwise writes "Gharyb"
        for قره باغ and "Azribjan" for أذربيجان. An English rendering's names are then respelled as the
        collection writes them, and a checked rendering's spellings join the collection's table.
        """
        key = (sentence, language)
        if key in self.memory:
            return self.memory[key]
        offices = {office: figures.OFFICES[office][0] for office in figures.offices_in(sentence)} if language == "en" else {}
        spellings = {**self.names.given(sentence), **(names or {})} if language == "en" else dict(names or {})
        given = "; ".join(f"{ar} = {en}" for ar, en in {**spellings, **offices}.items()
                          if ar in sentence or ar in offices)
        spelled = templates.render("render_names", names=given) if given else ""
        turn = templates.render("render_sentence_user", sentence=sentence, language=LANGUAGE_NAMES[language],
                                names=spelled)
        reply = "".join(self._llm().stream_chat([{"role": "user", "content": turn}], max_tokens=RENDER_TOKENS,
                                                temperature=self.temperature))
        first = next((line for line in reply.strip().splitlines() if line.strip()), "").strip(" \"'“”«»")
        if language == "en":  # offices and names as the tables write them
            first = self.names.spelled(sentence, figures.offices_fixed(sentence, first), keep=(names or {}).values())
        rendering = first if self.passes(sentence, first, language) else ""
        if rendering and language == "en":
            self.names.learn(sentence, rendering)
        if len(self.memory) >= KEPT:
            self.memory.clear()
        self.memory[key] = rendering
        return rendering

    def meaning(self, sentence: str, rendering: str) -> float:
        """Cosine of the rendering and its sentence under the multilingual embedder."""
        a, b = self.embeddings.embed_documents([sentence, rendering])
        return cosine(a, b)

    def passes(self, sentence: str, rendering: str, language: str) -> bool:
        if not rendering or detect_language(rendering) != language:
            return False
        differ = figures.disagreements(sentence, rendering)
        if differ:
            log.info("rendering %r of %r: figures differ (%s)", rendering, sentence, differ)
            return False
        arabic, english = (sentence, rendering) if language == "en" else (rendering, sentence)
        wrong_names = unmatched_names(arabic, english)
        if wrong_names:
            log.info("rendering %r of %r: names %s stand for no word of the sentence", rendering, sentence, wrong_names)
            return False
        if not negation_agrees(sentence, rendering):
            log.info("rendering %r of %r: one negates, the other does not", rendering, sentence)
            return False
        score = self.meaning(sentence, rendering)
        if score < MIN_MEANING:
            log.info("rendering %r of %r: meaning %.2f < %.2f", rendering, sentence, score, MIN_MEANING)
            return False
        return True
