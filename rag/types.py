"""The public result types. Plain dataclasses so callers need none of our heavy deps."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    """One passage the answer cites as [n]."""

    n: int  # the marker number used in Answer.text
    doc_id: str  # file stem of the article
    title: str
    text: str  # the passage itself
    score: float  # retrieval similarity, higher is closer (cosine, -1..1)
    paragraph: int = 0  # position of the passage in its article (0-based)
    also_in: tuple[str, ...] = ()  # other articles that carry a near-identical passage
    also_published_by: tuple[str, ...] = ()  # sources of reposts of this article, stored once (issue 18)
    date: str = ""  # the article's publication date, YYYY-MM-DD, or "" when unknown
    source: str = ""  # who published the article (site or outlet), or ""


STATUSES = ("answered", "unsure", "refused")
# What a question asks for (rag.answering.kinds): a span ("factoid") or a set of sentences (the rest, issue 39).
KINDS = ("factoid", "explanation", "content", "events", "summary", "timeline", "comparison")


@dataclass(frozen=True)
class Quote:
    """One sentence of a quoted-sentences answer (issue 39): verbatim from the article it cites as [n]."""

    n: int  # the citation marker
    sentence: str  # verbatim, in the article's language
    rendering: str = ""  # the sentence in the reader's language when that differs, checked; "" when none passed
    date: str = ""  # YYYY-MM-DD the sentence describes (timelines), or ""
    side: str = ""  # which side of a comparison the sentence speaks for, or ""

    def to_dict(self) -> dict:
        return {"n": self.n, "sentence": self.sentence, "rendering": self.rendering, "date": self.date, "side": self.side}


@dataclass(frozen=True)
class Answer:
    """One answer, in one of three outcomes (`status`):

    - "answered": stated as the answer; `confidence` passed the calibrated threshold.
    - "unsure": the likely answer, marked as unsure in `text`, which also shows `sentence`
      (the passage sentence that most likely holds it) for the reader to judge.
    - "refused": the articles (as retrieved) do not give an answer we would show; `reason`
      names the guard. `refused` is true exactly for this status.
    """

    text: str
    refused: bool  # true when the articles do not hold the answer
    language: str  # 'ar' or 'en': the question's language, which the answer is written in
    citations: list[Citation] = field(default_factory=list)
    reason: str = ""  # refused or unsure: the guard or confidence reason (rag.answering.guards.Reason), else ""
    status: str = ""  # "answered" | "unsure" | "refused" (derived from `refused` when not given)
    confidence: float | None = None  # calibrated P(the answer is right), 0..1; None: not measured
    answerability: float | None = None  # calibrated P(the shown sentences hold an answer), 0..1; None: not measured
    quote: str = ""  # the verbatim passage span the answer rests on (in the passage's language), or ""
    sentence: str = ""  # the passage sentence holding `quote`, or ""
    # Unsure: every sentence shown for the reader to judge, `sentence` first; a second one when
    # the sentence sharing most of the question's words is another (issue 28).
    sentences: tuple[str, ...] = ()
    signals: dict = field(default_factory=dict, compare=False, repr=False)  # what `confidence` was computed from
    # Seconds per stage (embed, retrieve, select, first_text, generate, total), filled by
    # `Assistant.stream`: where this answer's time went (`rag bench` sums them).
    timings: dict = field(default_factory=dict, compare=False, repr=False)
    # The question as searched: a follow-up's standalone rewrite when one was kept, else the question asked (issue 32).
    searched: str = ""
    # What the question asks for (KINDS); "" from code older than issue 39.
    kind: str = ""
    # A quoted-sentences answer (every kind but factoid): its checked lead line ("" when the check
    # dropped it) and its quotes in the order the question asks for; `sentences` holds the same sentences.
    lead: str = ""
    quotes: tuple[Quote, ...] = ()

    def __post_init__(self):
        status = self.status or ("refused" if self.refused else "answered")
        if status not in STATUSES or (status == "refused") != self.refused:
            raise ValueError(f"status {status!r} does not agree with refused={self.refused}")
        object.__setattr__(self, "status", status)

    @property
    def likely_answer(self) -> str:
        """The answer's own words: `text` without the sentence an unsure answer shows."""
        if self.status != "unsure":
            return self.text
        text = self.text
        for shown in dict.fromkeys((self.sentence, *self.sentences)):
            if shown:
                text = text.replace(shown, " ")
        return text

    def to_dict(self) -> dict:
        """The JSON shape shared by `rag ask --json` and the UI's API endpoint."""
        return {
            "answer": self.text,
            "refused": self.refused,
            "status": self.status,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "answerability": None if self.answerability is None else round(self.answerability, 3),
            "quote": self.quote,
            "sentence": self.sentence,
            "sentences": list(self.sentences),
            "language": self.language,
            "reason": self.reason,
            "searched": self.searched,
            "kind": self.kind,
            "lead": self.lead,
            "quotes": [q.to_dict() for q in self.quotes],
            "citations": [
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "text": c.text, "score": round(c.score, 4),
                 "date": c.date, "source": c.source, "also_published_by": list(c.also_published_by),
                 "paragraph": c.paragraph}
                for c in self.citations
            ],
        }


@dataclass(frozen=True)
class Stage:
    """A step of an answer as it happens, streamed by `Assistant.stream(..., stages=True)`, so a reader sees
    what is happening before the first words (issue 41: the page once showed only dots for up to 92 s).

    `name`: "searching" (the articles), "reading" (`passages` of them, for quoted sentences), "writing" (the
    model writes a short answer from `passages` passages; it is checked before it is shown, and its pieces
    may still be withdrawn), "quoting" (quoted sentences follow, each one kept once streamed).
    """

    name: str
    passages: int = 0


@dataclass(frozen=True)
class IngestReport:
    """What an ingest changed, for the summary line and for callers."""

    added: int
    updated: int
    removed: int
    unchanged: int
    duplicates: int  # files whose text is already indexed under another doc_id
    documents: int  # in the index afterwards
    chunks: int
    seconds: float
    rebuilt: bool = False
    copies: int = 0  # articles found to be reposts of one already held: listed with it, not stored again

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        totals = f"{self.documents} documents, {self.chunks} chunks ({self.seconds:.1f}s)"
        if not self.changed and not self.copies:
            return f"nothing changed: {self.unchanged} unchanged, {self.duplicates} duplicates; {totals}"
        verb = "built" if self.rebuilt else "updated"
        return (
            f"index {verb}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {self.duplicates} duplicates"
            + (f", {self.copies} copies of held articles" if self.copies else "") + f"; {totals}"
        )
