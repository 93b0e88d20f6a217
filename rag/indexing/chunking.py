"""Split articles into passages: one paragraph a chunk, headlines joined to what they head.

Paragraphs are the natural unit of a news article: each says one thing, and a citation
to a paragraph is something a reader can check. A headline line alone carries almost no
facts, so it is prefixed to the paragraph below it, where it adds context to the
embedding. Only paragraphs longer than `chunk_size` are split further (LangChain's
recursive splitter, preferring sentence and clause boundaries, Arabic ones included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .readers import Article

HEADLINE_MAX_WORDS = 9
_SENTENCE_END = re.compile(r"[.!?؟:\"”»)]$")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # "<doc_id>:<paragraph>:<part>", stable for a given text and settings
    doc_id: str
    title: str
    paragraph: int  # 0-based position of the paragraph in its article
    text: str
    date: str = ""  # the article's publication date, YYYY-MM-DD, or ""
    source: str = ""  # the article's publisher, or ""

    @property
    def metadata(self) -> dict:
        """What the vector store keeps beside the text; date and source are what filters match.

        `day` is the date as the integer YYYYMMDD, because Chroma's range operators ($gte,
        $lte) compare numbers only. Unknown date or source: the keys are left out, so a
        date-range or source filter excludes the passage rather than guessing.
        """
        meta = {"doc_id": self.doc_id, "title": self.title, "paragraph": self.paragraph, "chunk_id": self.chunk_id}
        if self.date:
            meta["date"] = self.date
            meta["day"] = day_number(self.date)
        if self.source:
            meta["source"] = self.source
        return meta


def day_number(iso: str) -> int:
    """'2026-11-23' -> 20261123, the form date filters compare."""
    return int(iso[:10].replace("-", ""))


def is_headline(line: str) -> bool:
    """A short line without closing punctuation, e.g. 'عملية عسكرية قصيرة'."""
    return len(line.split()) <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(line)


def paragraphs(article: Article) -> list[str]:
    """The article's paragraphs with each headline joined to the paragraph that follows it."""
    out: list[str] = []
    pending: list[str] = []
    for line in article.lines:
        if is_headline(line):
            pending.append(line)
            continue
        out.append("\n".join([*pending, line]))
        pending = []
    if pending:  # headlines at the very end have nothing to head: keep their text anyway
        out.append("\n".join(pending))
    return out


def _splitter(chunk_size: int, chunk_overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=["\n", ". ", "؟ ", "? ", "! ", "؛ ", "، ", ", ", " ", ""],
        keep_separator="end",
    )


def chunk_articles(articles: list[Article], chunk_size: int = 1200, chunk_overlap: int = 150) -> list[Chunk]:
    splitter = None
    chunks: list[Chunk] = []
    for article in articles:
        for p_idx, para in enumerate(paragraphs(article)):
            if len(para) <= chunk_size:
                pieces = [para]
            else:
                splitter = splitter or _splitter(chunk_size, chunk_overlap)
                pieces = [s.strip() for s in splitter.split_text(para) if s.strip()]
            for part, piece in enumerate(pieces):
                chunks.append(
                    Chunk(
                        chunk_id=f"{article.doc_id}:{p_idx}:{part}",
                        doc_id=article.doc_id,
                        title=article.title,
                        paragraph=p_idx,
                        text=piece,
                        date=article.date,
                        source=article.source,
                    )
                )
    return chunks
