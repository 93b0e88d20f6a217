"""The answering pipeline: retrieve -> select -> prompt -> generate -> guard -> cite.

Ways to generate (`Settings.answer_mode`). "copy": the model copies a span of the shown
sentences under a copy constraint (llm/copy.py, answering/extract.py), and a question in
another language gets that span translated. "guided": the model composes an answer with
[n] markers, but a word it starts copying from a sentence it must finish as the sentence
spells it. "free": it composes without constraint. "auto" (the default): guided when the
question is in the passages' language, copy when it is not. Measured on the tuning sets
(133 questions, candidates right): Arabic over Arabic 41/53 guided against 33/53 copied;
English over Arabic 27/48 copied and translated against 25/48 guided. The guards and cite.py
check a composed answer. In every mode a calibrated confidence (answering/confidence.py)
decides between answered, unsure and refused, and the answer carries its quote: the
verbatim span of a shown sentence it rests on.

`Answerer` is the public object behind `Assistant.stream`. Its stages are public methods
too (`evidence`, `messages`, `answer_from`), so `rag eval --oracle` can hand the model the
gold sentences and `rag bench` can send the very same prompt to the raw engine, without
anyone reaching into private parts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from functools import cached_property

from ..lang import detect_language
from ..llm import LLM, FirstTokenProbe
from ..llm.copy import CopySpans
from ..types import Answer
from . import extract, prompt
from .cite import citation, cite, has_content, strip_markers
from .confidence import ANSWERED, REFUSED, UNSURE, Calibration, signals
from .extract import (
    clean_span,
    extract_messages,
    grounded_share,
    locate,
    needs_translation,
    quote_for,
    translate_messages,
)
from .followup import clean_rewrite, history_messages, needs_rewrite, rewrite_messages
from .guards import (
    Reason,
    adds_nothing,
    drop_invented_years,
    refusal_reason,
    repair,
    ungrounded_numbers,
)
from .prompt import LANGUAGE_NAMES, NO_ANSWER, REFUSALS, UNSURE_TEXTS, answer_messages
from .question import clean_question
from .retrieve import Passage, retrieve
from .scope import EVERYTHING, Scope
from .select import Evidence, SentenceVectors, select_context

log = logging.getLogger(__name__)
SPAN_TOKENS = 48  # a copied answer is a name, a number or a short clause
TRANSLATION_TOKENS = 40


def openings(answer_mode: str) -> list[list[dict[str, str]]]:
    """The fixed turns the prompts of `answer_mode` start with, for the backend to read ahead (`LLM.prepare`)."""
    chosen = {"copy": [extract], "auto": [prompt, extract]}.get(answer_mode, [prompt])
    return [[dict(turn) for turn in module.fixed_prefix()] for module in chosen]


class Answerer:
    """Answers a question from an indexer's articles with an LLM, or refuses with a named reason.

    `llm` is a zero-argument callable returning the backend, so retrieval alone (and
    `rag eval`'s retrieval figures) never loads the language model.
    """

    def __init__(self, settings, indexer, embeddings, llm: Callable[[], LLM]):
        self.settings = settings
        self.indexer = indexer
        self.embeddings = embeddings
        self._llm = llm
        self.sentence_vectors = SentenceVectors(embeddings)

    @property
    def llm(self) -> LLM:
        return self._llm()

    @cached_property
    def calibration(self) -> Calibration:
        """The confidence model: the settings' own file, else the one fitted on the tuning set (package data)."""
        return Calibration.load(self.settings.calibration_path)

    # --- retrieve and select ------------------------------------------------------------
    def retrieve(
        self, question: str, k: int | None = None, *, vector: list[float] | None = None, scope: Scope = EVERYTHING
    ) -> list[Passage]:
        question = clean_question(question, self.settings.max_question_chars)
        self.indexer.ensure_index()
        return retrieve(
            self.indexer.index, question, k or self.settings.top_k, hybrid=self.settings.hybrid, vector=vector, scope=scope
        )

    def evidence(self, question: str, timings: dict | None = None, scope: Scope = EVERYTHING) -> list[Evidence]:
        """The sentences the LLM will read, or [] when no passage is close enough to try.

        `timings`, when given, receives the seconds spent on embed, retrieve and select.
        `scope`: the dates and sources the passages may come from.
        """
        timings = {} if timings is None else timings
        self.indexer.ensure_index()
        started = time.perf_counter()
        vector = self.embeddings.embed_query(question)  # once: for retrieval and for picking sentences
        embedded = time.perf_counter()
        passages = self.retrieve(question, vector=vector, scope=scope)
        retrieved = time.perf_counter()
        timings.update(embed=embedded - started, retrieve=retrieved - embedded, select=0.0)
        if not passages or max(p.score for p in passages) < self.settings.min_score:
            return []
        s = self.settings
        chosen = select_context(
            question, vector, passages, self.sentence_vectors, budget_chars=s.context_chars, max_passages=s.context_passages,
        )
        timings["select"] = time.perf_counter() - retrieved
        return chosen

    # --- prompt, generate, guard, cite ------------------------------------------------------
    @staticmethod
    def messages(question: str, language: str, evidence: list[Evidence]) -> list[dict[str, str]]:
        return answer_messages(question, language, evidence)

    def stream(self, question: str, history=None, scope: Scope = EVERYTHING) -> Iterator[str | Answer]:
        """Text pieces as they are generated, then the final `Answer` (see `Assistant.stream`)."""
        question = clean_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        turns = history_messages(history)
        started = time.perf_counter()
        if needs_rewrite(question, turns):
            question = self.standalone(question, turns)
        timings: dict[str, float] = {}
        evidence = self.evidence(question, timings, scope)
        generating = time.perf_counter()
        for item in self.answer_from(question, language, evidence):
            now = time.perf_counter()
            if isinstance(item, Answer):
                timings.setdefault("first_text", now - generating)
                timings.update(generate=now - generating, total=now - started)
                item.timings.update({k: round(v, 4) for k, v in timings.items()})
            else:
                timings.setdefault("first_text", now - generating)
            yield item

    def answer_from(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str | Answer]:
        """Stream the answer to a (standalone, cleaned) question from the given sentences.

        `stream` passes what retrieval and sentence selection chose; `rag eval --oracle`
        passes the sentences that hold the answer, to measure the model's reading alone.
        """
        if not evidence:
            # Nothing in the articles is even close: refusing here is both honest and instant.
            yield from self.refusal(language, Reason.OFF_TOPIC)
            return
        mode = self.mode_for(language, evidence)
        if mode == "copy":
            answer = self.copied_answer(question, language, evidence)
            yield answer.text
            yield answer
            return
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        pieces: list[str] = []
        undecided = True  # text is held back while it could still be the NO_ANSWER sentinel
        guided = CopySpans([e.text for e in evidence], guided=True) if mode == "guided" else None
        stream = self.llm.stream_chat(
            self.messages(question, language, evidence), max_tokens=s.max_tokens, temperature=s.temperature, probe=probe,
            **({"copy": guided} if guided else {}),
        )
        try:
            for piece in stream:
                if (probe.probability or 0.0) >= s.refuse_probability:
                    # The model itself leans towards "not in the passages": trust that, and stop now.
                    log.info("refusing: P(no answer) = %.2f", probe.probability)
                    yield from self.refusal(language, Reason.NO_ANSWER_PROBABILITY)
                    return
                pieces.append(piece)
                if undecided:
                    so_far = "".join(pieces).lstrip()
                    if NO_ANSWER.startswith(so_far.upper()):
                        continue
                    undecided = False
                    yield so_far
                else:
                    yield piece
        finally:
            stream.close()  # releases the model's lock at once, also when we stop early
        shown = [e.text for e in evidence]
        raw = repair("".join(pieces).strip(), language, shown, question)
        reason = refusal_reason(raw, question, shown, NO_ANSWER)
        log.info("raw answer %r; P(no answer) %.2f; guard %s", raw, probe.probability or 0.0, reason or "passed")
        if reason:
            yield from self.refusal(language, reason)
            return
        text, citations = cite(
            raw, [e.passage for e in evidence], shown, support=self.sentence_vectors.support, question=question
        )
        if not citations and language == detect_language(" ".join(shown)):
            # Same language as the passages, yet no passage shares its words: not from the
            # articles. (Across languages only the embedder can judge, and on a short answer
            # such as a transliterated name its similarity is too weak to refuse on.)
            log.info("refusing: no passage supports %r", text)
            yield from self.refusal(language, Reason.UNSUPPORTED)
            return
        yield self.judged(question, language, evidence, text, citations, probe)

    def mode_for(self, language: str, evidence: list[Evidence]) -> str:
        """How this question is answered: the settings' `answer_mode`, with "auto" resolved
        (guided in the passages' language, copy across languages)."""
        mode = self.settings.answer_mode
        if mode == "auto":
            mode = "guided" if language == detect_language(" ".join(e.text for e in evidence)) else "copy"
        return mode

    def judged(self, question, language, evidence, text, citations, probe) -> Answer:
        """A composed answer with its quote, calibrated confidence and outcome (answered, unsure, refused)."""
        quote, where = quote_for(text, question, evidence)
        values = signals(
            probe=probe, scores=[e.passage.score for e in evidence], span=quote or strip_markers(text), question=question,
            grounded=grounded_share(text, question, evidence), extractive=False,
        )
        confidence, status, reason = self.decide(values)
        if status == UNSURE and where is None:
            status = REFUSED  # nothing to show the reader: an unsure answer without its sentence helps no one
        log.info("quote %r; confidence %.2f -> %s %s", quote, confidence, status, reason)
        if status == REFUSED:
            return self.refused(language, reason, confidence, values, declined=quote or strip_markers(text).strip())
        sentence = where.sentence if where else ""
        if status == UNSURE:
            likely = strip_markers(text).strip().rstrip(".")
            text = UNSURE_TEXTS[language].format(answer=likely, n=1, sentence=sentence)
            citations = [citation(1, evidence[where.index].passage)]
        return Answer(text=text, refused=False, language=language, citations=citations, reason=reason, status=status,
                      confidence=confidence, quote=quote, sentence=sentence, signals=values)

    def decide(self, values: dict[str, float]) -> tuple[float, str, str]:
        """(confidence, outcome, reason) for an answer's signals: the calibration and the settings' thresholds."""
        confidence = self.calibration.confidence(values)
        status = self.calibration.outcome(confidence, answer_at=self.settings.answer_at, unsure_at=self.settings.unsure_at)
        reason = "" if status == ANSWERED else f"{Reason.LOW_CONFIDENCE}:{self.calibration.weakest(values)}"
        return confidence, status, reason

    def copied_answer(self, question: str, language: str, evidence: list[Evidence]) -> Answer:
        """The answer as a span copied from `evidence`, translated when the question's language differs,
        with its calibrated confidence and outcome (see the module docstring)."""
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        copy = CopySpans([e.text for e in evidence], escapes=(NO_ANSWER,))
        reply = "".join(self.llm.stream_chat(
            extract_messages(question, evidence), max_tokens=SPAN_TOKENS, temperature=s.temperature, probe=probe, copy=copy,
        ))
        span = clean_span(reply.strip())
        log.info("copied %r; P(no answer) %.2f", span, probe.probability or 0.0)
        if (probe.probability or 0.0) >= s.refuse_probability:
            return self.refused(language, Reason.NO_ANSWER_PROBABILITY, probe.probability)
        if NO_ANSWER in span.upper():
            return self.refused(language, Reason.NO_ANSWER)
        if not has_content(span):
            return self.refused(language, Reason.NO_CONTENT)
        where = locate(span, evidence)
        if where is None:
            return self.refused(language, Reason.NOT_COPIED)
        if adds_nothing(span, question):
            return self.refused(language, Reason.ECHOES_QUESTION)
        values = signals(probe=probe, scores=[e.passage.score for e in evidence], span=span, question=question)
        confidence, status, reason = self.decide(values)
        log.info("confidence %.2f -> %s %s", confidence, status, reason)
        if status == REFUSED:
            return self.refused(language, reason, confidence, values, declined=span)
        words = span
        if needs_translation(span, language):
            rendered = drop_invented_years(self.translate(question, evidence, span, language), [span, question])
            if not rendered or ungrounded_numbers(rendered, [span, question]):
                return self.refused(language, Reason.UNGROUNDED_NUMBER, confidence, values, declined=span)
            words = f"{rendered} ({span})"
        n = 1
        if status == ANSWERED:
            text = f"{words} [{n}]"
        else:
            text = UNSURE_TEXTS[language].format(answer=words, n=n, sentence=where.sentence)
        return Answer(
            text=text, refused=False, language=language, citations=[citation(n, evidence[where.index].passage)],
            reason=reason, status=status, confidence=confidence, quote=span, sentence=where.sentence, signals=values,
        )

    def translate(self, question: str, evidence: list[Evidence], phrase: str, language: str) -> str:
        """`phrase` (a copied span) in the question's language: a few words, never the whole passage."""
        reply = "".join(self.llm.stream_chat(
            translate_messages(question, evidence, phrase, language), max_tokens=TRANSLATION_TOKENS,
            temperature=self.settings.temperature,
        ))
        first = reply.strip().splitlines()[0] if reply.strip() else ""
        return first.strip(" \"'“”«».")

    @staticmethod
    def refused(language: str, reason: str, confidence: float | None = 0.0, values: dict | None = None,
                declined: str = "") -> Answer:
        """A refusal; one that declined a copied span keeps it as `quote`, so the reader and `rag eval` see what was held back."""
        log.info("refused (%s)", reason)
        return Answer(text=REFUSALS[language], refused=True, language=language, reason=reason,
                      confidence=confidence, quote=declined, signals=values or {})

    def standalone(self, question: str, turns: list[dict[str, str]]) -> str:
        """A follow-up rewritten into a question that retrieval can answer on its own."""
        messages = rewrite_messages(question, turns, LANGUAGE_NAMES[detect_language(question)])
        reply = "".join(self.llm.stream_chat(messages, max_tokens=64, temperature=0.0))
        standalone = clean_rewrite(reply, question, turns)
        log.info("follow-up rewritten: %r -> %r", question, standalone)
        return standalone

    @staticmethod
    def refusal(language: str, reason: str) -> Iterator[str | Answer]:
        text = REFUSALS[language]
        log.info("refused (%s)", reason)
        yield text
        yield Answer(text=text, refused=True, language=language, citations=[], reason=reason, confidence=0.0)
