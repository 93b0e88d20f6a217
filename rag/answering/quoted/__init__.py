"""The quoted-sentences answer: for questions whose answer is a set of sentences, not a span (issue 39).

Why, what an agreement says, what someone said, what happened, a summary, a timeline, a
comparison: the span path copies one clause and cannot serve them (0.30 of their key points
held on 12 blind questions over the seeds). This room answers them with 2-6 sentences quoted
verbatim from the articles, each cited [n], chosen to cover distinct points (choose.py),
ordered for the question (order.py), with one model-written lead line, for an answered question,
kept only when the quotes state every name, figure and date in it (lead.py). A reader who asked in another
language gets a checked rendering beside each quote (render.py). The outcome (cover.py) is
known before the first quote streams, so nothing shown is withdrawn:

    retrieve (shared) -> candidates -> choose -> decide -> order -> stream quotes (+ renderings) -> lead -> Answer

The room shares retrieval, the refusal texts and citation with the span path; pipeline.py
only routes between the two by the question's kind (kinds.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace

from ...errors import RagError
from ...lang import detect_language
from ...types import Answer, Quote, Stage
from ..cite import citation
from ..decision import ANSWERED, REFUSED, UNSURE
from ..guards import Reason
from ..kinds import COMPARISON, TIMELINE
from ..names import NamesTable, glossary
from ..prompt import QUOTED_NO_RENDERING, QUOTED_OTHER_SIDE, QUOTED_UNSURE, REFUSALS
from ..retrieve import Passage
from .choose import MAX_QUOTES, candidates, choose
from .cover import coverage
from .cues import cue_for
from .dates import asked_range, within
from .lead import LEAD_TOKENS, clean_lead, lead_messages, unsupported
from .order import dated_day, grouped, order, reference_dates, side_of, sides
from .render import Renderings

log = logging.getLogger(__name__)
# A reader in another language waits ~5 s for each rendering on 2 cores: four quotes, not six.
MAX_RENDERED = 4
QUOTED_PASSAGES = 12  # passages searched for quotes: on the tuning halves 8 held 0.70 of the key-point sentences, 12 held 0.76-0.81


class QuotedAnswers:
    """Answers a non-factoid question with quoted sentences.

    `search(question, vector, k, scope)` returns the passages (the pipeline's own retrieval, with its
    scope); `embed` is the sentence-vector cache; `llm` a zero-argument callable for the backend;
    `article(doc_id)` an article's paragraphs, which date an article the store holds no date for.
    """

    def __init__(self, search: Callable[..., list[Passage]], embeddings, embed, llm, *, temperature: float = 0.0,
                 min_score: float = 0.0, article: Callable[[str], list[str]] | None = None,
                 names: NamesTable | None = None):
        self.search = search
        self.article = article or (lambda doc_id: [])
        self.embeddings = embeddings
        self.embed = embed
        self.llm = llm
        self.temperature = temperature
        self.min_score = min_score
        self.renderings = Renderings(llm, embeddings, temperature, names or NamesTable(None))

    def stream(self, question: str, language: str, kind: str, asked: str = "", scope=None) -> Iterator[str | Answer]:
        """Pieces of the answer as they are decided (each quote line as soon as it is chosen), then the `Answer`.

        `question`: the standalone question (a follow-up's rewrite), which everything is read from; `asked`: the
        question as the reader wrote it, whose spelling of names the renderings keep;
        `scope`: the dates and sources searched (answering/scope.py), handed to `search`.
        """
        asked = asked or question
        vector = self.embeddings.embed_query(question)
        passages = self.search(question, vector, QUOTED_PASSAGES, scope)
        if not passages or max(p.score for p in passages) < self.min_score:
            yield from self.refusal(language, kind, Reason.OFF_TOPIC)
            return
        yield Stage("reading", len({p.chunk_id for p in passages}))
        question_sides = sides(question) if kind == COMPARISON else []
        ranked, background, spread = candidates(question, vector, passages, self.embed,
                                                cue=cue_for(kind, question_sides))
        reference = reference_dates(ranked, self.article)
        days = asked_range(question) if kind == TIMELINE else None
        if days:  # "between 19 and 22 September": the sentences that tell those days, when two or more do
            in_range = [c for c in ranked if within(dated_day(c, reference), days)]
            ranked = in_range if len(in_range) >= 2 else ranked
        # A reader in another language than the articles waits for a rendering of each quote: fewer quotes.
        most = MAX_RENDERED if detect_language(" ".join(c.sentence for c in ranked[:MAX_QUOTES])) != language else MAX_QUOTES
        picked = choose(ranked, most=most)
        if question_sides:
            picked = self.with_every_side(picked, ranked, question_sides, most)
        cover = coverage(question, [c.sentence for c in picked], max((c.cosine for c in picked), default=0.0),
                         background, spread)
        status = cover.status()
        log.info("%s question: %d quotes, %s -> %s", kind, len(picked), cover.signals(), status)
        if status == REFUSED:
            yield from self.refusal(language, kind, f"{Reason.UNANSWERABLE}:coverage", cover.signals())
            return
        dated = order(picked, kind, reference)
        side_vectors = self.embed([s.name for s in question_sides]) if question_sides else None
        rows = grouped(dated, question_sides, side_vectors) if question_sides else [(c, d, "") for c, d in dated]
        foreign = [c.sentence for c, _, _ in rows if detect_language(c.sentence) != language]
        names = glossary(asked, " ".join(foreign)) if foreign else {}  # only quotes to render need the reader's names
        numbers: dict[str, int] = {}
        quotes: list[Quote] = []
        citations = []
        head = QUOTED_UNSURE[language] if status == UNSURE else ""
        yield Stage("quoting")
        if head:
            yield head + "\n\n"
        side = ""
        for c, day, side_name in rows:
            n = numbers.get(c.passage.chunk_id)
            if n is None:
                n = numbers[c.passage.chunk_id] = len(numbers) + 1
                # Syndicated copies of the quoted sentence merged into it (choose.merge_copies): "also in" them.
                merged = tuple(d for d in c.also_in if d != c.passage.doc_id and d not in c.passage.also_in)
                citations.append(citation(n, replace(c.passage, also_in=(*c.passage.also_in, *merged))))
            quote = Quote(n=n, sentence=c.sentence, date=day if kind == TIMELINE else "",
                          side=side_name or (QUOTED_OTHER_SIDE[language] if question_sides else ""))
            if quote.side != side:
                side = quote.side
                yield f"{side}:\n"
            yield quote_line(quote) + "\n"
            if detect_language(c.sentence) != language:  # each quote on its own: a collection may mix languages
                rendering = self.rendering(c.sentence, language, names)
                if rendering:  # its names, as written, for the quotes that follow
                    names = {**glossary(rendering, c.sentence), **names}
                quote = replace(quote, rendering=rendering)
                yield rendering_line(quote, language) + "\n"
            quotes.append(quote)
        # A lead states the answer in one line: only an answered question has one. Over quotes that cover part of
        # the question it read as an answer they do not give ("أوضح أن …" under "What did Macron say?", whom no
        # quote names: a tuning-half case), so an unsure answer shows its note and the quotes alone.
        lead = self.lead(question, language, quotes) if status == ANSWERED else ""
        text = compose(lead, quotes, language, head)
        yield Answer(text=text, refused=False, language=language, citations=citations, status=status,
                     reason="" if status == ANSWERED else f"{Reason.LOW_CONFIDENCE}:coverage",
                     confidence=None, sentence=quotes[0].sentence, sentences=tuple(q.sentence for q in quotes),
                     signals=cover.signals(), kind=kind, lead=lead, quotes=tuple(quotes))

    def rendering(self, sentence: str, language: str, names: dict[str, str]) -> str:
        """The checked rendering, or "" (the quote then stands alone, with its note) when the model fails:
        the quotes already shown stay, whatever the backend does."""
        try:
            return self.renderings.of(sentence, language, names)
        except RagError as exc:
            log.warning("no rendering of %r: %s", sentence, exc)
            return ""

    @staticmethod
    def with_every_side(picked, ranked, question_sides, most: int = MAX_QUOTES):
        """A comparison quotes each side it names: the best sentence naming a missing side replaces the last pick."""
        have = {side_of(c, question_sides) for c in picked}
        for i in range(len(question_sides)):
            if i in have:
                continue
            extra = next((c for c in ranked if c not in picked and side_of(c, question_sides) == i), None)
            if extra is not None:
                if len(picked) >= most:
                    picked = picked[:-1]
                picked = [*picked, extra]
        return picked

    def lead(self, question: str, language: str, quotes: list[Quote]) -> str:
        """One line written by the model over the quotes (their renderings for another language), or "" when
        it states what the quotes do not."""
        shown = [q.rendering or q.sentence for q in quotes]
        try:
            reply = "".join(self.llm().stream_chat(lead_messages(question, language, shown), max_tokens=LEAD_TOKENS,
                                                   temperature=self.temperature))
        except RagError as exc:  # the quotes are the answer; without a lead it still stands
            log.warning("no lead: %s", exc)
            return ""
        lead = clean_lead(reply)
        if not lead or detect_language(lead) != language:
            return ""
        missing = unsupported(lead, [*shown, *(q.sentence for q in quotes)], question)
        if missing:
            log.info("lead %r dropped: the quotes do not state %s", lead, missing)
            return ""
        return lead

    @staticmethod
    def refusal(language: str, kind: str, reason: str, values: dict | None = None) -> Iterator[str | Answer]:
        text = REFUSALS[language]
        yield text
        yield Answer(text=text, refused=True, language=language, reason=reason, confidence=0.0, signals=values or {},
                     answerability=0.0 if reason == Reason.OFF_TOPIC else None, kind=kind)


def quote_line(quote: Quote) -> str:
    day = f"{quote.date}: " if quote.date else ""
    return f"- {day}«{quote.sentence}» [{quote.n}]"


def rendering_line(quote: Quote, language: str) -> str:
    return f"  {quote.rendering}" if quote.rendering else f"  ({QUOTED_NO_RENDERING[language]})"


def compose(lead: str, quotes: list[Quote], language: str, head: str = "") -> str:
    """The answer's text: the unsure note or the lead, then the quotes, grouped by side when they have sides."""
    lines: list[str] = []
    if head:
        lines += [head, ""]
    if lead:
        lines += [lead, ""]
    side = ""
    for q in quotes:
        if q.side != side:
            side = q.side
            lines.append(f"{side}:")
        lines.append(quote_line(q))
        if q.rendering or detect_language(q.sentence) != language:
            lines.append(rendering_line(q, language))
    return "\n".join(lines)
