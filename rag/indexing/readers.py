"""Read documents from disk into `Article`s: one per file, its text lines, a title, and
when and by whom it was published.

Supported: .txt and .md (one paragraph a line, optionally opened by a front matter giving
`date`, `source`, `title`, `url`, `author`), .html/.htm (saved news pages: trafilatura
finds the article among menus, share bars, related links and comments, and reads its
title, publication date, author and site name) and .pdf (its text layer). Anything else is
skipped with a warning, and so is a file that cannot be read or is larger than the size
limit (`max_file_mb`, RAG_MAX_FILE_MB): one broken file must not cost the user the rest of
the index, and a 50 MB dump must not stall an ingest for an hour or fill memory.

Why trafilatura: on 8 real news pages the hand-written HTMLParser this replaced stored 79
of 242 passages (33%) of boilerplate, and boilerplate chosen as evidence gave wrong
answers. tests/data/pages holds 13 real pages with text a person marked as body and as
not body; tests/unit/test_pages.py checks each one.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Date
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
    date: str = ""  # publication date, YYYY-MM-DD, or "" when the file does not say
    source: str = ""  # who published it (site name, outlet), or ""
    url: str = ""
    author: str = ""


@dataclass(frozen=True)
class Parsed:
    """What a format reader found in one file, before it becomes an `Article`."""

    lines: list[str]
    title: str | None = None
    date: str = ""
    source: str = ""
    url: str = ""
    author: str = ""


_HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")


def make_title(first_line: str) -> str:
    """A short title from the opening line: its first clause, at most TITLE_MAX_WORDS words.

    A Markdown heading mark ("# ") is not part of the title: a .txt is not parsed as Markdown,
    but its opening line is often written as one.
    """
    first_line = _HEADING_MARK.sub("", first_line)
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


def _from_markdown(text: str) -> Parsed:
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
    return Parsed(lines, title)


FRONT_MATTER_KEYS = ("date", "source", "title", "url", "author")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str, path: Path | str = "") -> tuple[dict[str, str], str]:
    """A leading `---` block of `key: value` lines (date, source, title, url, author) and the rest.

    Deliberately not YAML: five flat keys need no parser, and a stray colon in an article
    must not turn into a type error. Unknown keys are ignored with a warning.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in FRONT_MATTER_KEYS:
            log.warning("%s: front matter line %r ignored (known keys: %s)", path, line.strip(), ", ".join(FRONT_MATTER_KEYS))
            continue
        fields[key] = value.strip().strip("\"'")
    return fields, text[m.end():]


def iso_date(value: object, path: Path | str = "") -> str:
    """`value` as YYYY-MM-DD, or "" (with a warning) when it is not a date."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return Date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        log.warning("%s: date %r is not YYYY-MM-DD; the article is kept without a date", path, text)
        return ""


_TITLE_PARTS = re.compile(r"\s+[|–—·•]{1,2}\s+|\s+-\s+")
DECORATION_MAX_WORDS = 4  # "DW", "BBC News", "19.01.2020", "World news | The Guardian"


def clean_title(title: str | None) -> str | None:
    """A page title without the site's decorations: "Talks resume | DW | 19.01.2020" -> "Talks resume".

    Pages add the site name, a section or a date before or after the headline. When every
    other part is that short, the headline is the longest part; otherwise the dashes belong
    to the headline and it is kept whole.
    """
    title = " ".join((title or "").split())
    if not title:
        return None
    parts = sorted((p for p in _TITLE_PARTS.split(title) if p.strip()), key=lambda p: -len(p.split()))
    if len(parts) > 1 and all(len(p.split()) <= DECORATION_MAX_WORDS for p in parts[1:]):
        return parts[0]
    return title


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
LINK_LINE_SHARE = 0.8


def without_link_lines(lines: list[str]) -> list[str]:
    """The lines with their link markup reduced to text, and the lines that are mostly a link dropped.

    A line that is (almost) all link text is navigation inside the article: "Read more:
    Looted colonial art", "Zum Anfang". trafilatura keeps such lines in the body; on the
    13 marked pages this rule drops exactly those 3 lines, and no marked body text.
    """
    kept = []
    for line in lines:
        plain = _LINK.sub(r"\1", line).strip()
        linked = sum(len(m.group(1)) for m in _LINK.finditer(line))
        if plain and linked / len(plain) <= LINK_LINE_SHARE:
            kept.append(plain)
    return kept


@functools.cache
def _trafilatura_config():
    """trafilatura's defaults, except that a short article is still an article.

    By default a main text under 250 characters sends trafilatura to its fallback, which
    keeps menus and cuts paragraphs at inline tags ("وقال\\nالوزير\\nإن"); a news brief
    can be that short.
    """
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "10")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    return config


def read_page(text: str, path: Path | str = "") -> Parsed:
    """The article in a saved web page, with its metadata (trafilatura)."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("skipping %s: trafilatura is not installed", path)
        return Parsed([])
    try:
        doc = trafilatura.bare_extraction(
            text, include_comments=False, include_tables=True, include_links=True, with_metadata=True, deduplicate=True,
            config=_trafilatura_config(),
        )
    except Exception as exc:  # noqa: BLE001 - a page trafilatura cannot parse must not stop the ingest
        log.warning("skipping %s: the page cannot be parsed (%s)", path, exc)
        return Parsed([])
    if doc is None or not (doc.text or "").strip():
        return Parsed([])
    return Parsed(
        lines=without_link_lines(_plain_lines(doc.text)),
        title=clean_title(doc.title),
        date=iso_date(doc.date, path),
        source=doc.sitename or doc.hostname or "",
        url=doc.url or "",
        author=doc.author or "",
    )


def _from_pdf(path: Path) -> Parsed | None:
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
    return Parsed(_plain_lines(text), meta_title)


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
            parsed = read_page(text, path)
        else:
            front, text = split_front_matter(text, path)
            parsed = _from_markdown(text) if suffix in (".md", ".markdown") else Parsed(_plain_lines(text))
            if front:
                parsed = Parsed(
                    parsed.lines,
                    front.get("title") or parsed.title,
                    iso_date(front.get("date"), path),
                    front.get("source", ""),
                    front.get("url", ""),
                    front.get("author", ""),
                )
    if parsed is None:
        return None
    if not parsed.lines:
        log.warning("skipping %s: it holds no text", path)
        return None
    return Article(
        doc_id=path.stem,
        title=parsed.title or make_title(parsed.lines[0]),
        lines=tuple(parsed.lines),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        date=parsed.date,
        source=parsed.source,
        url=parsed.url,
        author=parsed.author,
    )


class SkippedFiles(logging.Handler):
    """What each skipped file's warning said, by path: `with SkippedFiles() as skipped: ingest(...)`.

    Why: every reader says why it skips a file in one warning, "skipping PATH: reason", and a
    watched folder must report that reason with the path (issue 42) without reading the file again.
    """

    _SKIP = re.compile(r"^skipping (.+?): (.+)$", re.S)

    def __init__(self):
        super().__init__(logging.WARNING)
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        m = self._SKIP.match(record.getMessage())
        if m:
            self.reasons[m.group(1)] = m.group(2)

    def __enter__(self) -> "SkippedFiles":
        log.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        log.removeHandler(self)


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
