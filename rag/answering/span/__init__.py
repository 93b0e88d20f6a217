"""The span path: a factoid question's answer is a span of the shown sentences (issue 39 left it here).

retrieve (shared) -> select -> prompt -> generate -> guard -> cite -> decide

Ways to generate (`Settings.answer_mode`). "copy": the model copies a span of the shown
sentences under a copy constraint (llm/copy.py, answering/extract.py), and a question in
another language gets that span translated. "guided": the model composes an answer with
[n] markers, but a word it starts copying from a sentence it must finish as the sentence
spells it. "free": it composes without constraint. "auto" (the default): guided when the
question is in the passages' language, copy when it is not. Measured on the tuning sets
(133 questions, candidates right): Arabic over Arabic 41/53 guided against 33/53 copied;
English over Arabic 27/48 copied and translated against 25/48 guided. "translate": the question
is first translated into the passages' language and answered guided, its quote rendered back
(`Settings.cross_mode` chooses it for auto). The guards and cite.py check a composed answer. In
every mode the decision room (answering/decision/) decides: answerability alone decides a refusal,
correctness decides answered or unsure; the answer carries its quote, the verbatim span of a
shown sentence it rests on.

Its stages are public methods (`evidence`, `messages`, `answer_from`), so `rag eval --oracle` can
hand the model the gold sentences and `rag bench` can send the very same prompt to the raw engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from dataclasses import replace

from ... import templates
from ...lang import detect_language
from ...llm import LLM, FirstTokenProbe
from ...llm.copy import CopySpans
from ...types import Answer
from .. import figures
from ..cite import citation, cite, has_content, strip_markers
from ..decision import ANSWERED, REFUSED, UNSURE, Decision, answerability, correctness
from ..decision.signals import agreement, coverage, with_derived
from ..extract import clean_span, extract_messages, locate, needs_translation, person_span, place_span, quote_for
from ..guards import DECLINES, Reason, adds_nothing, copied_faithfully, garbled_words, refusal_reason, repair
from ..names import NamesTable
from ..prompt import LANGUAGE_NAMES, NO_ANSWER, UNSURE_ALSO, UNSURE_TEXTS, UNSURE_TEXTS_NO_CANDIDATE, answer_messages
from ..retrieve import Passage
from ..scope import EVERYTHING, Scope
from ..select import Evidence, SentenceVectors, select_context
from .back import BackRendering
from .outcomes import best_sentence, figure_checked, passages_language, path_for, refusal, refused, shown_sentences
from .typed_choice import chosen, typed_options

log = logging.getLogger(__name__)
SPAN_TOKENS = 48  # a copied answer is a name, a number or a short clause
QUESTION_TOKENS = 80  # a translated question
SELF_CHECK_YES = ("yes", "Yes", "YES", "نعم")
REDRAW_SLACK = 4  # a redrawn composed answer may take a few tokens more than the greedy one to reach its span

__all__ = ["SpanAnswers", "passages_language", "shown_sentences"]


class SpanAnswers:
    """Answers a question with a span of the sentences retrieval found, or refuses with a named reason.

    `retrieve(question, k, vector=, scope=)`: the pipeline's retrieval; `llm` and `decision`: zero-argument
    callables, so building this loads neither the model nor the fitted decision.
    """

    def __init__(self, settings, retrieve: Callable[..., list[Passage]], embeddings, sentence_vectors: SentenceVectors,
                 llm: Callable[[], LLM], decision: Callable[[], Decision], names: NamesTable | None = None):
        self.settings = settings
        self.retrieve = retrieve
        self.embeddings = embeddings
        self.sentence_vectors = sentence_vectors
        self._llm = llm
        self._decision = decision
        self.back = BackRendering(llm, settings.temperature, names or NamesTable(None))

    @property
    def llm(self) -> LLM:
        return self._llm()

    @property
    def decision(self) -> Decision:
        return self._decision()

    def evidence(self, question: str, timings: dict | None = None, scope: Scope = EVERYTHING) -> list[Evidence]:
        """The sentences the LLM will read, or [] when no passage is close enough to try.

        `timings`, when given, receives the seconds spent on embed, retrieve and select.
        `scope`: the dates and sources the passages may come from.
        """
        timings = {} if timings is None else timings
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

    @staticmethod
    def messages(question: str, language: str, evidence: list[Evidence]) -> list[dict[str, str]]:
        return answer_messages(question, language, evidence)

    def answer_from(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str | Answer]:
        """Stream the answer to a (standalone, cleaned) question from the given sentences.

        `stream` passes what retrieval and sentence selection chose; `rag eval --oracle`
        passes the sentences that hold the answer, to measure the model's reading alone.
        """
        if not evidence:
            # Nothing in the articles is even close: refusing here is both honest and instant.
            yield from refusal(language, Reason.OFF_TOPIC)
            return
        mode = self.mode_for(language, evidence)
        if mode == "copy":
            previewed = False
            for item in self.copy_stream(question, language, evidence):
                if isinstance(item, Answer):
                    if not previewed:
                        yield item.text
                    yield item
                    return
                previewed = True
                yield item
        if mode == "translate":
            answer = self.translated_answer(question, language, evidence)
            yield answer.text
            yield answer
            return
        yield from self.composed_answer(question, language, evidence, mode)

    def composed_answer(self, question: str, language: str, evidence: list[Evidence], mode: str,
                        asked: str | None = None) -> Iterator[str | Answer]:
        """The model composes (guided: finishing every word it copies as the passage spells it).

        `asked`: the question as the reader wrote it, when `question` is its translation.
        """
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        pieces: list[str] = []
        undecided = True  # text is held back while it could still be the NO_ANSWER sentinel
        def guide():  # the reply and any redraw of it run under the same guide, each a fresh one
            return CopySpans([e.text for e in evidence], guided=True) if mode == "guided" else None

        guided = guide()
        answer_language = detect_language(question) if asked else language
        messages = self.messages(question, answer_language, evidence)
        stream = self.llm.stream_chat(
            messages, max_tokens=s.max_tokens, temperature=s.temperature, probe=probe, copy=guided,
        )
        try:
            for piece in stream:
                if (probe.probability or 0.0) >= s.refuse_probability:
                    # The model itself leans towards "not in the passages": trust that, and stop now.
                    log.info("refusing: P(no answer) = %.2f", probe.probability)
                    yield from refusal(language, Reason.NO_ANSWER_PROBABILITY)
                    return
                pieces.append(piece)
                if undecided:
                    so_far = "".join(pieces).lstrip()
                    if NO_ANSWER.startswith(so_far.upper()):
                        continue
                    undecided = False
                    if not asked:  # a translated question's answer is rendered back before it is shown
                        yield so_far
                elif not asked:
                    yield piece
        finally:
            stream.close()  # releases the model's lock at once, also when we stop early
        shown = [e.text for e in evidence]
        raw = repair("".join(pieces).strip(), answer_language, shown, question)
        reason = refusal_reason(raw, question, shown, NO_ANSWER)
        log.info("raw answer %r; P(no answer) %.2f; guard %s", raw, probe.probability or 0.0, reason or "passed")
        path = path_for(asked or question, evidence)
        if reason in DECLINES:
            yield from refusal(language, reason, values=self.case_signals(question, evidence, probe, path))
            return
        if reason:
            yield self.without_candidate(question, language, evidence, probe, path, reason)
            return
        text, citations = cite(
            raw, [e.passage for e in evidence], shown, support=self.sentence_vectors.support, question=question
        )
        if not citations and answer_language == passages_language(evidence):
            # Same language as the passages, yet no passage shares its words: not from the articles.
            log.info("no passage supports %r", text)
            yield self.without_candidate(question, language, evidence, probe, path, Reason.UNSUPPORTED)
            return
        quote, where = quote_for(text, question, evidence)
        if where is None:
            yield self.without_candidate(question, language, evidence, probe, path, Reason.UNSUPPORTED)
            return
        candidate = quote or strip_markers(text).strip()
        values = self.case_signals(question, evidence, probe, path, candidate=candidate, sentence=where.sentence,
                                   check=[*messages, {"role": "assistant", "content": raw}],
                                   redraw=(messages, guide, len(probe.token_logprobs) + REDRAW_SLACK))
        verdict = self.decide(values, path)
        log.info("quote %r; answerability %.2f, confidence %.2f -> %s %s", quote, verdict.answerability,
                 verdict.confidence, verdict.status, verdict.reason)
        if verdict.status == REFUSED:
            yield refused(language, verdict.reason, verdict.confidence, values, declined=candidate,
                               answerability=verdict.answerability)
            return
        rendered = ""
        if asked:  # the reader asked in another language: render the answer's quote back into it
            phrase = quote or candidate
            verdict, rendered, invented = yield from self.back.in_reader_language(
                messages, raw, phrase, language, [question, *shown], verdict, values)
            if invented:
                yield self.without_candidate(question, language, evidence, probe, path, Reason.UNGROUNDED_NUMBER)
                return
            text = f"{rendered} ({phrase}) [1]" if rendered else f"{phrase} [1]"
            citations = [citation(1, evidence[where.index].passage)]
        other = self.of_asked_kind(asked or question, language, candidate, where.sentence, rendered, evidence,
                                   messages, verdict, values, probe)
        if other is not None:
            yield other
            return
        verdict = figure_checked(verdict, asked or question, candidate, where.sentence, rendered, evidence, values)
        if verdict.status == REFUSED:
            yield refused(language, verdict.reason, verdict.confidence, values, declined=candidate,
                               answerability=verdict.answerability)
            return
        yield self.shown(language, evidence, verdict, values, text, citations, quote, where, question, asked=asked)

    def copied_answer(self, question: str, language: str, evidence: list[Evidence]) -> Answer:
        """The final answer of `copy_stream`."""
        final = None
        for item in self.copy_stream(question, language, evidence):
            final = item
        return final

    def copy_stream(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str | Answer]:
        """The answer as a span copied from `evidence`, translated when the question's language differs,
        with its outcome from the decision room (see the module docstring). While the model writes the
        English, the copied quote is shown ("span …"); then the final `Answer`."""
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        def guide():  # the span and any redraw of it, each under a fresh copy constraint
            return CopySpans([e.text for e in evidence], escapes=(NO_ANSWER,))

        copy = guide()
        messages = extract_messages(question, evidence)
        reply = "".join(self.llm.stream_chat(
            messages, max_tokens=SPAN_TOKENS, temperature=s.temperature, probe=probe, copy=copy,
        ))
        span = clean_span(reply.strip())
        log.info("copied %r; P(no answer) %.2f", span, probe.probability or 0.0)
        path = path_for(question, evidence)
        if (probe.probability or 0.0) >= s.refuse_probability:
            yield refused(language, Reason.NO_ANSWER_PROBABILITY, probe.probability,
                               self.case_signals(question, evidence, probe, path))
            return
        if NO_ANSWER in span.upper():
            yield refused(language, Reason.NO_ANSWER, 0.0, self.case_signals(question, evidence, probe, path))
            return
        if not has_content(span):
            yield self.without_candidate(question, language, evidence, probe, path, Reason.NO_CONTENT)
            return
        where = locate(span, evidence)
        if where is None:
            yield self.without_candidate(question, language, evidence, probe, path, Reason.NOT_COPIED)
            return
        # The copy widened to what the question asks: the figure's currency or unit, the city, the name after a title.
        whole = figures.complete(span, where.sentence)
        whole = person_span(question, place_span(question, whole, where.sentence), where.sentence)
        if whole != span:
            span, where = whole, locate(whole, evidence) or where
        if adds_nothing(span, question):
            yield self.without_candidate(question, language, evidence, probe, path, Reason.ECHOES_QUESTION)
            return
        values = self.case_signals(
            question, evidence, probe, path, candidate=span, sentence=where.sentence,
            check=[*messages, {"role": "assistant", "content": span}],
            redraw=(messages, guide, SPAN_TOKENS),
        )
        verdict = self.decide(values, path)
        log.info("answerability %.2f, confidence %.2f -> %s %s", verdict.answerability, verdict.confidence,
                 verdict.status, verdict.reason)
        if verdict.status == REFUSED:
            yield refused(language, verdict.reason, verdict.confidence, values, declined=span,
                               answerability=verdict.answerability)
            return
        words, rendered = span, ""
        if needs_translation(span, language):
            verdict, rendered, invented = yield from self.back.in_reader_language(
                messages, span, span, language, [span, question], verdict, values)
            if invented and verdict.status == ANSWERED:
                verdict = replace(verdict, status=UNSURE, reason=f"{Reason.LOW_CONFIDENCE}:{Reason.UNGROUNDED_NUMBER}")
            words = f"{rendered} ({span})" if rendered else span
        other = self.of_asked_kind(question, language, span, where.sentence, rendered or "", evidence, messages,
                                   verdict, values, probe)
        if other is not None:
            yield other
            return
        verdict = figure_checked(verdict, question, span, where.sentence, rendered or "", evidence, values)
        if verdict.status == REFUSED:
            yield refused(language, verdict.reason, verdict.confidence, values, declined=span,
                               answerability=verdict.answerability)
            return
        yield self.shown(language, evidence, verdict, values, f"{words} [1]",
                         [citation(1, evidence[where.index].passage)], span, where, question)

    def translated_answer(self, question: str, language: str, evidence: list[Evidence]) -> Answer:
        """Across languages: the question translated into the passages' language, answered on that
        language's guided path, and the answer's quote rendered back into the question's language."""
        target = passages_language(evidence)
        prompt = templates.render("translate_question_user", question=question, language=LANGUAGE_NAMES[target])
        reply = "".join(self.llm.stream_chat([{"role": "user", "content": prompt}], max_tokens=QUESTION_TOKENS,
                                             temperature=self.settings.temperature))
        translated = reply.strip().splitlines()[0].strip(" \"'“”«»") if reply.strip() else ""
        if detect_language(translated) != target:
            return self.copied_answer(question, language, evidence)  # the translation failed: copy instead
        log.info("question translated: %r -> %r", question, translated)
        final = None
        for item in self.composed_answer(translated, language, evidence, "guided", asked=question):
            final = item
        return final

    def case_signals(self, question, evidence, probe, path, *, candidate: str = "", sentence: str = "",
                     check: list[dict[str, str]] | None = None, redraw=None) -> dict[str, float]:
        """Every signal of this case: answerability's, and correctness' when there is a candidate.

        `check`: the chat so far, for the self-check turn; `redraw`: (messages, a guide maker,
        max tokens) of the reply, for the agreement samples (each only when its setting is on).
        """
        values = answerability.signals(
            question, [sent for _, sent in shown_sentences(evidence)], p_no_answer=probe.probability or 0.0,
            scores=[e.passage.score for e in evidence], similarities=[e.similarity for e in evidence],
            background=evidence[0].background if evidence else None, spread=evidence[0].spread if evidence else 0.0,
        )
        values["cross"] = float(path == "cross")
        if candidate:
            values.update(correctness.signals(question, candidate, sentence, probe))
            if check is not None and self.settings.self_check:
                yes = self.self_check(check, question, candidate)
                if yes is not None:
                    values["self_check"] = yes
            if redraw is not None and self.settings.agreement_samples:
                values["agreement"] = agreement(candidate, self.redraws(*redraw))
        return with_derived(values)

    def redraws(self, messages: list[dict[str, str]], guide, max_tokens: int) -> list[str]:
        """`agreement_samples` replies drawn again from `messages` at `agreement_temperature`, each
        under a fresh guide from `guide()` (None: free). In process, the prompt is still in
        llama.cpp's KV cache, so a draw costs only its own tokens; a server may read it again."""
        s = self.settings
        drawn = []
        for k in range(s.agreement_samples):
            drawn.append("".join(self.llm.stream_chat(
                messages, max_tokens=max_tokens, temperature=s.agreement_temperature, seed=k + 1, copy=guide(),
            )))
        return drawn

    def self_check(self, messages: list[dict[str, str]], question: str, candidate: str) -> float | None:
        """P("yes") when the model, on the prompt it has just read (cached), is asked whether the
        passages give this answer: one more turn of ~40 tokens and one generated token."""
        probe = FirstTokenProbe(*SELF_CHECK_YES)
        turn = {"role": "user", "content": templates.render("verify_user", question=question, answer=candidate)}
        for _ in self.llm.stream_chat([*messages, turn], max_tokens=1, temperature=0.0, probe=probe):
            pass
        return probe.probability

    def mode_for(self, language: str, evidence: list[Evidence]) -> str:
        """How this question is answered: the settings' `answer_mode`, with "auto" resolved
        (guided in the passages' language; across languages, `cross_mode`)."""
        mode = self.settings.answer_mode
        if mode == "auto":
            mode = "guided" if language == passages_language(evidence) else self.settings.cross_mode
        return mode

    def decide(self, values: dict[str, float], path: str, candidate: bool = True):
        """The decision room's verdict for this case's signals, with the settings' threshold overrides."""
        return self.decision.decide(values, path, answer_at=self.settings.answer_at,
                                    answerable_at=self.settings.unsure_at, candidate=candidate)

    def of_asked_kind(self, question, language, candidate, sentence, rendered, evidence, messages, verdict,
                      values, probe) -> Answer | None:
        """None when the candidate states a figure or date of the asked kind and time (or none is asked);
        else the model's choice among the mentions of that kind (typed_choice.py), unsure at best, or,
        when the shown sentences hold none, the closest sentence with no guess (refused when the decision,
        the model's own P(no answer) included, says nothing is near)."""
        want = figures.wanted(question)
        held = figures.holds(want, f"{candidate} {rendered}".strip(), sentence)
        values["asked_kind_held"] = float(held)
        if held:
            return None
        options = typed_options(want, evidence)
        log.info("candidate %r states no %s: choosing among %d typed mentions", candidate, want.kind, len(options))
        if not options or verdict.status == REFUSED:
            return self.without_candidate(question, language, evidence, probe, path_for(question, evidence),
                                          Reason.FIGURE_KIND)
        reply = "".join(self.llm.stream_chat(messages, max_tokens=SPAN_TOKENS, temperature=self.settings.temperature,
                                             copy=CopySpans([m.text for m in options])))
        mention, where = chosen(reply, options, evidence)
        if where is None:
            return self.without_candidate(question, language, evidence, probe, path_for(question, evidence),
                                          Reason.FIGURE_KIND)
        words = mention.text
        if needs_translation(words, language):
            english = figures.render(words)
            words = f"{english} ({words})" if english else words
        unsure = replace(verdict, status=UNSURE, reason=f"{Reason.LOW_CONFIDENCE}:{Reason.FIGURE_KIND}")
        return self.shown(language, evidence, unsure, values, f"{words} [1]", [citation(1, evidence[where.index].passage)],
                          mention.text, where, question)

    def shown(self, language, evidence, verdict, values, text, citations, quote, where, question: str = "",
              asked: str | None = None) -> Answer:
        """An answered or unsure answer with its quote, sentence(s), confidence and answerability.

        An unsure answer offers its candidate ("Possibly: …") only when it is of the asked kind (figures.typed; read
        from `asked`, the reader's question, when `question` is its translation) and, in Arabic, only when every word
        of it is a word of its sentence (`copied_faithfully`)."""
        sentences: tuple[str, ...] = ()
        shown = " ".join([question, *(e.text for e in evidence)])
        if verdict.status == ANSWERED and garbled_words(strip_markers(text), shown):
            # A composed Arabic answer garbling a word it copies ("التفاق" for اتفاق): the verbatim quote instead.
            log.info("answer %r writes words no sentence does: its quote %r instead", text, quote)
            if quote and copied_faithfully(quote, where.sentence):
                text, citations = f"{quote} [1]", [citation(1, evidence[where.index].passage)]
            else:
                verdict = replace(verdict, status=UNSURE, reason=f"{Reason.LOW_CONFIDENCE}:{Reason.NOT_COPIED}")
        if verdict.status == UNSURE:
            likely = strip_markers(text).strip().rstrip(".")
            if not copied_faithfully(likely, where.sentence):
                likely = quote if quote and copied_faithfully(quote, where.sentence) else ""
            if likely and not figures.holds(figures.wanted(asked or question), likely, where.sentence):
                likely = ""
            text = (UNSURE_TEXTS[language].format(answer=likely, n=1, sentence=where.sentence) if likely
                    else UNSURE_TEXTS_NO_CANDIDATE[language].format(n=1, sentence=where.sentence))
            citations = [citation(1, evidence[where.index].passage)]
            sentences = (where.sentence,)
            index, best = best_sentence(question, evidence)
            if best != where.sentence and coverage(question, best) > coverage(question, where.sentence):
                n = 1 if index == where.index else 2
                if n == 2:
                    citations.append(citation(2, evidence[index].passage))
                text += UNSURE_ALSO[language].format(n=n, sentence=best)
                sentences += (best,)
        return Answer(text=text, refused=False, language=language, citations=citations, reason=verdict.reason,
                      status=verdict.status, confidence=verdict.confidence, quote=quote, sentence=where.sentence,
                      sentences=sentences, signals=values, answerability=verdict.answerability)

    def without_candidate(self, question, language, evidence, probe, path, reason) -> Answer:
        """A guard rejected the model's reply, so there is no answer to state. When the sentences
        still look as if they hold one, the reader gets the most likely sentence, marked unsure;
        otherwise a refusal (reason: the guard)."""
        values = self.case_signals(question, evidence, probe, path)  # no candidate's signals: there is none
        verdict = self.decide(values, path, candidate=False)
        if verdict.status == REFUSED:
            return refused(language, reason, 0.0, values, answerability=verdict.answerability)
        index, sentence = best_sentence(question, evidence)
        text = UNSURE_TEXTS_NO_CANDIDATE[language].format(n=1, sentence=sentence)
        return Answer(text=text, refused=False, language=language, citations=[citation(1, evidence[index].passage)],
                      reason=f"{Reason.LOW_CONFIDENCE}:{reason}", status=UNSURE, confidence=0.0, sentence=sentence,
                      sentences=(sentence,), signals=values, answerability=verdict.answerability)
