"""Read documents from disk into `Article`s: one per file, its text lines and a title.

Supported: .txt and .md (one paragraph a line), .html/.htm (the article text, never
markup, scripts or styles; <title> becomes the title) and .pdf (its text layer). Anything
else is skipped with a warning, and so is a file that cannot be read or is larger than
the size limit (`max_file_mb`, RAG_MAX_FILE_MB): one broken file must not cost the user the
rest of the index, and a 50 MB dump must not stall an ingest for an hour or fill memory.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
_CLAUSE_END = re.compile(r"[،,.:;؛!?؟]")
TITLE_MAX_WORDS = 12
DEFAULT_MAX_FILE_MB = 20.0  # Settings.max_file_mb's default; a news article is a few KB


@dataclass(frozen=True)
class Article:
    doc_id: str  # the file stem: stable across runs and readable in citations
    title: str
    lines: tuple[str, ...]  # non-empty text lines (paragraphs and headlines), in order
    path: Path
    sha256: str = ""  # of the file's bytes: how incremental ingest knows what changed


def make_title(first_line: str) -> str:
    """A short title from the opening line: its first clause, at most TITLE_MAX_WORDS words."""
    clause = _CLAUSE_END.split(first_line, maxsplit=1)[0].strip() or first_line.strip()
    tokens = clause.split()
    return " ".join(tokens[:TITLE_MAX_WORDS]) + (" …" if len(tokens) > TITLE_MAX_WORDS else "")


# --- per-format text extraction: (title or None, lines) --------------------------------

def _decode(raw: bytes, path: Path) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("skipping %s: it is not UTF-8 text", path)
        return None


def _plain_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _from_markdown(text: str) -> tuple[str | None, list[str]]:
    title, lines = None, []
    for line in _plain_lines(text):
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading and title is None and line.startswith("# "):
            title = heading.group(1).strip()
            continue
        line = heading.group(1) if heading else line
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images: keep the text
        line = re.sub(r"^[-*+>]\s+|[*_`]{1,3}", "", line).strip()
        if line:
            lines.append(line)
    return title, lines


class _ArticleText(HTMLParser):
    """Text of an HTML page, one line per block element; scripts, styles and the head skipped."""

    SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "nav", "footer"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "blockquote", "tr", "header"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skip_depth += 1
        elif tag in self.BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self.BLOCK:
            self._flush()

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self._current.append(data)

    def _flush(self):
        line = " ".join("".join(self._current).split())
        if line:
            self.lines.append(line)
        self._current = []

    def close(self):
        super().close()
        self._flush()


def _from_html(text: str) -> tuple[str | None, list[str]]:
    parser = _ArticleText()
    parser.feed(text)
    parser.close()
    return (" ".join(parser.title.split()) or None), parser.lines


def _from_pdf(path: Path) -> tuple[str | None, list[str]] | None:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("skipping %s: pypdf is not installed", path)
        return None
    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, OSError, ValueError) as exc:
        log.warning("skipping %s: not a readable PDF (%s)", path, exc)
        return None
    return meta_title, _plain_lines(text)


def read_article(path: Path, max_file_mb: float = DEFAULT_MAX_FILE_MB) -> Article | None:
    """The document in `path`, or None (with a warning) when it holds no usable text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        log.warning("skipping %s: unsupported file type %s", path, suffix or "(none)")
        return None
    try:
        size = path.stat().st_size
        if size > max_file_mb * 2**20:
            # Checked before reading: the file is never loaded into memory.
            log.warning("skipping %s: it is %.1f MB, over the %g MB limit (raise RAG_MAX_FILE_MB to index it)",
                        path, size / 2**20, max_file_mb)
            return None
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("skipping %s: cannot read it (%s)", path, exc.strerror or exc)
        return None
    if suffix == ".pdf":
        parsed = _from_pdf(path)
    else:
        text = _decode(raw, path)
        if text is None:
            return None
        if "\x00" in text:
            log.warning("skipping %s: it holds binary data, not text", path)
            return None
        if suffix in (".html", ".htm"):
            parsed = _from_html(text)
        elif suffix in (".md", ".markdown"):
            parsed = _from_markdown(text)
        else:
            parsed = (None, _plain_lines(text))
    if parsed is None:
        return None
    title, lines = parsed
    if not lines:
        log.warning("skipping %s: it holds no text", path)
        return None
    return Article(
        doc_id=path.stem,
        title=title or make_title(lines[0]),
        lines=tuple(lines),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def find_files(roots: Iterable[Path]) -> list[Path]:
    """Every file under the given files and folders, sorted; symlink loops are not followed.

    Unsupported types are included so that read_article can say why it skips them.
    """
    found: set[Path] = set()
    for root in map(Path, roots):
        if root.is_file():
            found.add(root.resolve())
        elif root.is_dir():
            for dirpath, _dirs, files in _walk(root):
                found.update((dirpath / name).resolve() for name in files if not name.startswith("."))
        else:
            log.warning("skipping %s: no such file or folder", root)
    return sorted(found)


def _walk(root: Path):
    import os

    # os.walk does not follow symlinked folders by default, so a link cycle cannot trap it.
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        yield Path(dirpath), dirs, files


def load_articles(roots: Path | Iterable[Path], max_file_mb: float = DEFAULT_MAX_FILE_MB) -> list[Article]:
    roots = [roots] if isinstance(roots, (str, Path)) else list(roots)
    articles = [a for a in (read_article(p, max_file_mb) for p in find_files(roots)) if a is not None]
    return _unique_ids(articles)


def _unique_ids(articles: list[Article]) -> list[Article]:
    """Two files with one stem (a.txt and a.html, or two folders) keep distinct, stable ids."""
    from dataclasses import replace

    seen: dict[str, int] = {}
    for a in articles:
        seen[a.doc_id] = seen.get(a.doc_id, 0) + 1
    return [
        replace(a, doc_id=f"{a.doc_id}-{hashlib.sha1(str(a.path).encode()).hexdigest()[:6]}") if seen[a.doc_id] > 1 else a
        for a in articles
    ]
