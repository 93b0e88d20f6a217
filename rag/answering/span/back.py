"""A span quoted from passages in another language than the reader's, rendered into the reader's.

Figures come from the table (figures.render), never from the model; the rest the model renders as one
more turn of the chat it just answered in, once per quote and process (`memory`). Its names are then
spelled as the collection's names table writes them (names/table.py), so a name reads the same in every
answer, and a rendering naming someone or somewhere its quote does not ("Armenia" for أذربيجان, seen on the
seeds' held-out questions) is never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from ... import templates
from ...lang import detect_language
from ...llm import LLM
from .. import figures
from ..decision import ANSWERED, UNSURE
from ..guards import Reason, drop_invented_years, ungrounded_numbers
from ..names import NamesTable, unmatched_names
from ..prompt import LANGUAGE_NAMES

log = logging.getLogger(__name__)
TRANSLATION_TOKENS = 40
RENDERINGS_KEPT = 5_000  # quotes whose English is remembered; a few hundred KB at most


class BackRendering:
    """`llm`: a zero-argument callable for the backend (loaded only when a rendering is asked for)."""

    def __init__(self, llm: Callable[[], LLM], temperature: float = 0.0, names: NamesTable | None = None):
        self._llm = llm
        self.temperature = temperature
        self.names = names or NamesTable(None)
        self.memory: dict[str, str] = {}  # an Arabic quote -> its English, once per process

    @property
    def llm(self) -> LLM:
        return self._llm()

    def in_reader_language(self, messages, said: str, phrase: str, language: str, sources: list[str], verdict,
                           values: dict[str, float]):
        """Yields the quote while its English is written; returns (verdict, English or None, invented).

        Figures come from the table (figures.render), never from the model. Anything else the model
        renders once per process (`renderings`), so a name reads the same in every answer; a rendering
        that states other figures than its quote is dropped (`rendering_checked`); `invented`: the model's
        rendering stated a number no source gives (render_back returned None).
        """
        rendered = figures.render(phrase) or self.memory.get(phrase)
        if rendered is not None:
            return verdict, rendered, False
        yield f"{phrase} …"  # true at once: the verbatim quote, while its English is written
        rendered = self.render_back(messages, said, phrase, language, sources)
        if rendered is None:
            return verdict, None, True
        if language == "en":
            rendered = self.names.spelled(phrase, rendered)
        verdict, rendered = self.rendering_checked(verdict, phrase, rendered, values)
        if rendered:
            if language == "en":
                self.names.learn(phrase, rendered)
            if len(self.memory) >= RENDERINGS_KEPT:
                self.memory.clear()
            self.memory[phrase] = rendered
        return verdict, rendered, False

    @staticmethod
    def rendering_checked(verdict, phrase: str, rendered: str, values: dict[str, float]):
        """(verdict, rendering): when the model's English states other figures than the Arabic it renders
        (figures.disagreements: a number, currency, unit, weekday, month or year), or names someone or
        somewhere no word of it stands for (names.unmatched_names), the rendering is dropped, so the reader
        sees the Arabic quote alone, and the answer is unsure at best."""
        differ = figures.disagreements(phrase, rendered)
        if detect_language(phrase) == "ar":
            differ += [f"name {n}" for n in unmatched_names(phrase, rendered, phrase=True)]
        values["rendering_agrees"] = float(not differ)
        if not differ:
            return verdict, rendered
        log.info("rendering %r of %r differs in %s: not shown", rendered, phrase, differ)
        if verdict.status == ANSWERED:
            verdict = replace(verdict, status=UNSURE, reason=f"{Reason.LOW_CONFIDENCE}:{Reason.FIGURE_RENDERING}")
        return verdict, None

    def render_back(self, messages, said: str, phrase: str, language: str, sources: list[str]) -> str | None:
        """`phrase` (a quote from the passages) in the reader's language, as one more turn of the chat
        the model just answered in; None when the rendering invents a number.

        One continued chat rather than a fresh translation prompt: llama.cpp reuses the KV cache of
        the longest shared prefix, so this costs only the new turn (measured: a separate translation
        prompt evicted the cached opening and English answers took 12-15 s instead of 2-4 s).
        """
        turns = [*messages, {"role": "assistant", "content": said},
                 {"role": "user", "content": templates.render("translate_user", phrase=phrase,
                                                              language=LANGUAGE_NAMES[language])}]
        reply = "".join(self.llm.stream_chat(turns, max_tokens=TRANSLATION_TOKENS, temperature=self.temperature))
        first = reply.strip().splitlines()[0] if reply.strip() else ""
        rendered = figures.offices_fixed(phrase, drop_invented_years(first.strip(" \"'“”«»."), sources))
        # A number no source writes is invented, unless it is the quote's own figure written out ("49 ألف" as "49,000").
        if not rendered or (ungrounded_numbers(rendered, sources) and figures.disagreements(phrase, rendered)):
            return None
        return rendered
