"""The answering pipeline: retrieve -> select -> prompt -> generate -> guard -> cite.

`Answerer` is the public object behind `Assistant.stream`. Its stages are public methods
too (`evidence`, `messages`, `answer_from`), so `rag eval --oracle` can hand the model the
gold sentences and `rag bench` can send the very same prompt to the raw engine, without
anyone reaching into private parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..lang import detect_language
from ..llm import LLM, FirstTokenProbe
from ..types import Answer
from .cite import cite
from .followup import clean_rewrite, history_messages, needs_rewrite, rewrite_messages
from .guards import Reason, refusal_reason, repair
from .prompt import LANGUAGE_NAMES, NO_ANSWER, REFUSALS, answer_messages
from .question import clean_question
from .retrieve import Passage, retrieve
from .select import Evidence, SentenceVectors, select_context

log = logging.getLogger(__name__)


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

    # --- retrieve and select ------------------------------------------------------------
    def retrieve(self, question: str, k: int | None = None, *, vector: list[float] | None = None) -> list[Passage]:
        question = clean_question(question, self.settings.max_question_chars)
        self.indexer.ensure_index()
        return retrieve(self.indexer.index, question, k or self.settings.top_k, hybrid=self.settings.hybrid, vector=vector)

    def evidence(self, question: str) -> list[Evidence]:
        """The sentences the LLM will read, or [] when no passage is close enough to try."""
        self.indexer.ensure_index()
        vector = self.embeddings.embed_query(question)  # once: for retrieval and for picking sentences
        passages = self.retrieve(question, vector=vector)
        if not passages or max(p.score for p in passages) < self.settings.min_score:
            return []
        s = self.settings
        return select_context(
            question, vector, passages, self.sentence_vectors, budget_chars=s.context_chars, max_passages=s.context_passages,
        )

    # --- prompt, generate, guard, cite ------------------------------------------------------
    @staticmethod
    def messages(question: str, language: str, evidence: list[Evidence]) -> list[dict[str, str]]:
        return answer_messages(question, language, evidence)

    def stream(self, question: str, history=None) -> Iterator[str | Answer]:
        """Text pieces as they are generated, then the final `Answer` (see `Assistant.stream`)."""
        question = clean_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        turns = history_messages(history)
        if needs_rewrite(question, turns):
            question = self.standalone(question, turns)
        yield from self.answer_from(question, language, self.evidence(question))

    def answer_from(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str | Answer]:
        """Stream the answer to a (standalone, cleaned) question from the given sentences.

        `stream` passes what retrieval and sentence selection chose; `rag eval --oracle`
        passes the sentences that hold the answer, to measure the model's reading alone.
        """
        if not evidence:
            # Nothing in the articles is even close: refusing here is both honest and instant.
            yield from self.refusal(language, Reason.OFF_TOPIC)
            return
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        pieces: list[str] = []
        undecided = True  # text is held back while it could still be the NO_ANSWER sentinel
        stream = self.llm.stream_chat(
            self.messages(question, language, evidence), max_tokens=s.max_tokens, temperature=s.temperature, probe=probe
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
        yield Answer(text=text, refused=False, language=language, citations=citations)

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
        yield Answer(text=text, refused=True, language=language, citations=[], reason=reason)
