"""Every supported format, and every kind of bad file, made for real in tmp_path."""

from __future__ import annotations

import logging
import os

import pytest

from rag.indexing.readers import find_files, load_articles, read_article


def test_html_gives_article_text_and_its_title(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>محادثات يفلاخ</title><style>p {color: red}</style>"
        "<script>alert('x'); var s = '<p>not text</p>';</script></head>"
        "<body><nav>Home | About</nav><h1>عنوان</h1><p>انطلقت محادثات في مدينة يفلاخ.</p>"
        "<p>وقال <b>الوزير</b> إن المحادثات مستمرة.</p><script>document.write('evil')</script></body></html>",
        encoding="utf-8",
    )
    a = read_article(page)
    assert a.title == "عنوان"  # the page's headline (h1) is preferred to its <title>
    assert a.lines[-2:] == ("انطلقت محادثات في مدينة يفلاخ.", "وقال الوزير إن المحادثات مستمرة.")
    assert not any("alert" in ln or "evil" in ln or "color" in ln or "Home" in ln for ln in a.lines)


def test_markdown_heading_is_the_title(tmp_path):
    md = tmp_path / "note.md"
    md.write_text("# Talks in Yevlakh\n\nTalks **began** on Thursday, see [the report](http://x).\n", encoding="utf-8")
    a = read_article(md)
    assert a.title == "Talks in Yevlakh"
    assert a.lines == ("Talks began on Thursday, see the report.",)


def test_pdf_text_layer_is_read(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Talks between Baku and Karabakh Armenians began in Yevlakh.")
    pdf.ln()
    pdf.cell(text="A Russian peacekeeper attended the meeting.")
    pdf.set_title("Yevlakh talks")
    path = tmp_path / "talks.pdf"
    pdf.output(str(path))
    a = read_article(path)
    assert a.title == "Yevlakh talks"
    assert "Yevlakh" in " ".join(a.lines) and len(a.lines) == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("empty.txt", b"  \n\n", "no text"),
        ("binary.txt", b"PK\x03\x04\x00\x00binary\x00data", "binary"),
        ("report.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
    ],
)
def test_bad_files_are_skipped_with_a_warning(tmp_path, caplog, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert read_article(path) is None
    assert reason in caplog.text and name in caplog.text


def test_folder_walk_survives_a_symlink_loop_and_keeps_ids_unique(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("قصة أولى.\n", encoding="utf-8")
    (tmp_path / "b" / "story.txt").write_text("قصة ثانية.\n", encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    files = find_files([tmp_path])
    assert len(files) == 2
    ids = [a.doc_id for a in load_articles(tmp_path)]
    assert len(set(ids)) == 2 and all(i.startswith("story-") for i in ids)


def test_front_matter_gives_date_source_and_title(tmp_path):
    from rag.indexing.readers import read_article

    f = tmp_path / "wire.txt"
    f.write_text("---\ndate: 2026-11-20\nsource: Reuters\ntitle: \"Talks resume\"\ncolour: red\n---\n"
                 "The talks resumed on Friday.\nBoth sides met.\n", encoding="utf-8")
    a = read_article(f)
    assert (a.date, a.source, a.title) == ("2026-11-20", "Reuters", "Talks resume")
    assert a.lines == ("The talks resumed on Friday.", "Both sides met.")  # the front matter is not text
    md = tmp_path / "note.md"
    md.write_text("---\ndate: 20 November\n---\n# Heading\nBody.\n", encoding="utf-8")
    b = read_article(md)
    assert (b.date, b.title, b.lines) == ("", "Heading", ("Body.",))  # an unreadable date is dropped, not guessed


def test_a_heading_line_in_a_text_file_is_a_title_without_its_hash(tmp_path):
    f = tmp_path / "dam.txt"
    f.write_text("---\nsource: Caspian Wire\n---\n# Kelvor dam reaches its full height\nThe dam is 97 metres high.\n",
                 encoding="utf-8")
    assert read_article(f).title == "Kelvor dam reaches its full height"
    g = tmp_path / "plain.txt"
    g.write_text("## Ferry line opens, officials say\nThe line opened.\n", encoding="utf-8")
    assert read_article(g).title == "Ferry line opens"
    h = tmp_path / "tag.txt"
    h.write_text("#Baku talks resume\nThe talks resumed.\n", encoding="utf-8")
    assert read_article(h).title == "#Baku talks resume"  # a hashtag is not a heading mark


def test_text_without_front_matter_has_no_date_or_source(tmp_path):
    from rag.indexing.readers import read_article

    f = tmp_path / "plain.txt"
    f.write_text("---\nA line of dashes opens this text but nothing closes it.\n", encoding="utf-8")
    a = read_article(f)
    assert (a.date, a.source) == ("", "") and a.lines[0] == "---"


@pytest.mark.parametrize("raw,clean", [
    ("Talks resume in Geneva | DW | 19.01.2020", "Talks resume in Geneva"),
    ("BBC News - Assange case: Sweden drops rape investigation", "Assange case: Sweden drops rape investigation"),
    ("Ministers from both countries meet in Geneva - talks on the border resume", None),
    ("محادثات يفلاخ", "محادثات يفلاخ"),
])
def test_clean_title_drops_site_decorations(raw, clean):
    from rag.indexing.readers import clean_title

    assert clean_title(raw) == (clean or raw)
