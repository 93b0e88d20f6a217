"""The answering pipeline: it routes a question to one of two answer forms by its kind.

    clean -> follow-up rewrite -> kind (kinds.py; the model's when no table claims it and
    RAG_KIND_FALLBACK is on) -> quoted room (answering/quoted/) | span room (answering/span/)

A question whose answer is a set of sentences (why, terms, what happened, summary, timeline,
comparison) is answered with quoted sentences (issue 39: the span path held 0.30 of such questions'
key points on 12 blind questions over the seeds); every other question, a factoid, with a span
of a shown sentence. The two forms share retrieval (`retrieve`), the decision room and citation.

`Answerer` is the public object behind `Assistant.stream`; its two rooms are public too
(`span`, `quoted`), so `rag eval --oracle` and `rag bench` reach a stage without private parts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property

from ..lang import detect_language
from ..llm import LLM
from ..types import Answer, Stage
from . import extract, kind_fallback, prompt
from .decision import Decision
from .followup import clean_rewrite, history_messages, needs_rewrite, rewrite_messages
from .kind_fallback import model_kind
from .kinds import FACTOID, is_quoted, table_kind
from .names import NamesTable
from .prompt import LANGUAGE_NAMES
from .question import clean_question
from .quoted import QuotedAnswers
from .retrieve import Passage, retrieve
from .scope import EVERYTHING, Scope
from .select import SentenceVectors
from .span import SpanAnswers

log = logging.getLogger(__name__)
REWRITE_TOKENS = 64  # a follow-up rewritten into a standalone question


def openings(answer_mode: str, with_kind_fallback: bool = False) -> list[list[dict[str, str]]]:
    """The fixed turns the prompts of `answer_mode` (and the kind fallback's, when on) start with, for the
    backend to read ahead (`LLM.prepare`)."""
    chosen = {"copy": [extract], "auto": [prompt, extract]}.get(answer_mode, [prompt])
    chosen = [*chosen, kind_fallback] if with_kind_fallback else chosen
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
    def span(self) -> SpanAnswers:
        """The span room (answering/span/): factoid questions."""
        return SpanAnswers(self.settings, self.retrieve, self.embeddings, self.sentence_vectors, self._llm,
                           lambda: self.decision, names=self.names)

    @cached_property
    def quoted(self) -> QuotedAnswers:
        """The quoted-sentences room (answering/quoted/), sharing this pipeline's retrieval and backends."""
        s = self.settings
        return QuotedAnswers(
            lambda question, vector, k, scope: self.retrieve(question, k, vector=vector, scope=scope or EVERYTHING),
            self.embeddings, self.sentence_vectors, self._llm, temperature=s.temperature, min_score=s.min_score,
            article=lambda doc_id: [text for _, text in self.indexer.index.article(doc_id)], names=self.names,
        )

    @cached_property
    def names(self) -> NamesTable:
        """One English spelling per name for this collection (answering/names/table.py), shared by both rooms."""
        return NamesTable(self.indexer.names_path, passages=lambda: self.indexer.index.passages())

    @cached_property
    def decision(self) -> Decision:
        """The two decisions' fitted models: the settings' own file, else the packaged one (decision/decision.json)."""
        return Decision.load(self.settings.calibration_path)

    def retrieve(
        self, question: str, k: int | None = None, *, vector: list[float] | None = None, scope: Scope = EVERYTHING
    ) -> list[Passage]:
        """The passages both rooms read from (answering/retrieve.py), within `scope`."""
        question = clean_question(question, self.settings.max_question_chars)
        self.indexer.ensure_index()
        return retrieve(
            self.indexer.index, question, k or self.settings.top_k, hybrid=self.settings.hybrid, vector=vector, scope=scope
        )

    def stream(self, question: str, history=None, scope: Scope = EVERYTHING,
               stages: bool = False) -> Iterator[str | Stage | Answer]:
        """Text pieces as they are generated, then the final `Answer` (see `Assistant.stream`); with `stages`,
        a `Stage` before each step as well."""
        for item in self.steps(question, history, scope):
            if stages or not isinstance(item, Stage):
                yield item

    def steps(self, question: str, history=None, scope: Scope = EVERYTHING) -> Iterator[str | Stage | Answer]:
        question = clean_question(question, self.settings.max_question_chars)
        asked = question
        language = detect_language(question)
        kind = table_kind(question)
        turns = history_messages(history)
        started = time.perf_counter()
        yield Stage("searching")
        if needs_rewrite(question, turns):
            question = self.better_query(question, self.standalone(question, turns), scope)
            if kind in (None, FACTOID):  # "and the terms?" says its kind only once rewritten
                kind = table_kind(question)
        timings: dict[str, float] = {}
        if kind is None and self.settings.kind_fallback and self.settings.quoted_answers:
            asking = time.perf_counter()
            kind, p_sentences = model_kind(self._llm, question, self.settings.kind_fallback_at)
            timings["kind"] = time.perf_counter() - asking
            log.info("no table claims %r: P(several sentences) %.2f -> %s", question, p_sentences, kind)
        kind = kind or FACTOID
        generating = time.perf_counter()
        if is_quoted(kind) and self.settings.quoted_answers:  # off: every kind takes the span path, kind still told
            answer = self.quoted.stream(question, language, kind, asked=asked, scope=scope)
        else:
            evidence = self.span.evidence(question, timings, scope)
            if evidence:  # the model writes at once: one stage, reading and writing
                yield Stage("writing", len({e.passage.chunk_id for e in evidence}))
            generating = time.perf_counter()
            answer = self.span.answer_from(question, language, evidence)
        for item in answer:
            now = time.perf_counter()
            if isinstance(item, Stage):
                yield item
                continue
            if isinstance(item, Answer):
                timings.setdefault("first_text", now - generating)
                timings.update(generate=now - generating, total=now - started)
                item = replace(item, searched=question, kind=item.kind or kind)
                item.timings.update({k: round(v, 4) for k, v in timings.items()})
            else:
                timings.setdefault("first_text", now - generating)
            yield item

    def standalone(self, question: str, turns: list[dict[str, str]]) -> str:
        """A follow-up rewritten into a question that retrieval can answer on its own."""
        messages = rewrite_messages(question, turns, LANGUAGE_NAMES[detect_language(question)])
        reply = "".join(self.llm.stream_chat(messages, max_tokens=REWRITE_TOKENS, temperature=0.0))
        standalone = clean_rewrite(reply, question, turns)
        log.info("follow-up rewritten: %r -> %r", question, standalone)
        return standalone

    def better_query(self, question: str, rewrite: str, scope: Scope = EVERYTHING) -> str:
        """The rewrite, unless the question alone retrieves better (its best passage's cosine is higher):
        a rewrite that drifts to the previous topic then loses to the question as asked."""
        if rewrite == question:
            return question
        best = {}
        for text in (question, rewrite):
            passages = self.retrieve(text, vector=self.embeddings.embed_query(text), scope=scope)
            best[text] = max((p.score for p in passages), default=0.0)
        if best[rewrite] < best[question]:
            log.info("rewrite %r retrieves worse (%.3f) than the question (%.3f): kept the question",
                     rewrite, best[rewrite], best[question])
            return question
        return rewrite
