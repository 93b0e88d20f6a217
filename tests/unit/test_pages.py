"""Real published news pages (tests/data/pages, README there): the extracted article holds the
text a person marked as body and none of what they marked as menus, share bars, related
links or comments. One test per page, so a regression names the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.indexing.chunking import chunk_articles
from rag.indexing.readers import read_article

PAGES = Path(__file__).parents[1] / "data" / "pages"
MARKED = json.loads((PAGES / "marked.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def extracted():
    return {name: read_article(PAGES / name) for name in MARKED}


# El País ends with a sign-off that mixes text and links ("Puede escribirnos a <mail> o seguir
# a Materia en Facebook, Twitter…"): neither trafilatura nor the link-line rule drops it.
KNOWN_LEAKS = {"elpais-antartida.html"}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="a sign-off line of text and links is kept"))
    if n in KNOWN_LEAKS else n
    for n in sorted(MARKED)
])
def test_page_keeps_the_body_and_drops_the_boilerplate(name, extracted):
    article = extracted[name]
    assert article is not None, f"{name}: no article extracted"
    body = squash(" ".join(article.lines))
    marks = MARKED[name]
    missing = [m for m in marks["with"] if squash(m) not in body]
    leaked = [m for m in marks["without"] + marks.get("comments", []) if squash(m) in body]
    assert not missing, f"{name}: body text lost: {missing}"
    assert not leaked, f"{name}: boilerplate kept: {leaked}"
    # Every stored passage is article text: none of the marked boilerplate reaches the index.
    for chunk in chunk_articles([article]):
        assert not any(squash(m) in squash(chunk.text) for m in marks["without"])


# htmldate (through trafilatura) reads these two a day off the marked date: El País's URL
# says 2020/02/18 while its meta tags say 2020-02-19; tagesschau's page says "Stand: 28.04.2020"
# and htmldate finds 2020-04-29. Strict: if a release fixes them, the marks are checked again.
OFF_BY_A_DAY = {"elpais-antartida.html", "tagesschau-rheinmetall.html"}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="htmldate reads a neighbouring date"))
    if n in OFF_BY_A_DAY else n
    for n in sorted(n for n, m in MARKED.items() if m.get("date"))
])
def test_page_publication_date_is_read(name, extracted):
    assert extracted[name].date == MARKED[name]["date"]


@pytest.mark.parametrize("name", sorted(MARKED))
def test_page_has_a_source_and_a_date(name, extracted):
    assert extracted[name].source and extracted[name].date


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("name", sorted(n for n, m in MARKED.items() if m.get("title")))
def test_page_title_is_the_headline_without_site_decorations(name, extracted):
    title, marked = extracted[name].title, MARKED[name]["title"]
    # The page's own headline (h1 or og:title) may be worded differently from the marked one.
    overlap = len(words_of(title) & words_of(marked)) / len(words_of(title) | words_of(marked))
    assert overlap >= 0.5, (title, marked)
    assert " | " not in title and not title.endswith(("DW", "19.01.2020"))
