"""Read articles from disk into `Article`s: one per file, its paragraphs and a title.

The seed articles are plain text with one paragraph a line. A file that cannot be read
as text is skipped with a warning rather than stopping the whole ingest: one broken file
must not cost the user the rest of the index.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md")
_CLAUSE_END = re.compile(r"[،,.:;؛!?؟]")
TITLE_MAX_WORDS = 12


@dataclass(frozen=True)
class Article:
    doc_id: str  # the file stem: stable across runs and readable in citations
    title: str
    lines: tuple[str, ...]  # non-empty lines, in order
    path: Path


def make_title(first_line: str) -> str:
    """A short title from the opening line: its first clause, at most TITLE_MAX_WORDS words."""
    clause = _CLAUSE_END.split(first_line, maxsplit=1)[0].strip() or first_line.strip()
    tokens = clause.split()
    return " ".join(tokens[:TITLE_MAX_WORDS]) + (" …" if len(tokens) > TITLE_MAX_WORDS else "")


def read_article(path: Path) -> Article | None:
    """The article in `path`, or None (with a warning) when it holds no readable text."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("skipping %s: cannot read it (%s)", path, exc.strerror or exc)
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("skipping %s: it is not UTF-8 text", path)
        return None
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not lines:
        log.warning("skipping %s: it is empty", path)
        return None
    return Article(doc_id=path.stem, title=make_title(lines[0]), lines=lines, path=path)


def find_files(root: Path) -> list[Path]:
    """Supported files under a folder (sorted, so ingest order and ids are reproducible)."""
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


def load_articles(root: Path) -> list[Article]:
    return [a for a in (read_article(p) for p in find_files(root)) if a is not None]
