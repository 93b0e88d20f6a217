"""The public result types. Plain dataclasses so callers need none of our heavy deps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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


@dataclass(frozen=True)
class Answer:
    text: str
    refused: bool  # true when the articles do not hold the answer
    language: str  # 'ar' or 'en': the question's language, which the answer is written in
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON shape shared by `rag ask --json` and the UI's API endpoint."""
        return {
            "answer": self.text,
            "refused": self.refused,
            "language": self.language,
            "citations": [
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "text": c.text, "score": round(c.score, 4)}
                for c in self.citations
            ],
        }
