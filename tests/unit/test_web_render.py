"""What the chat page shows, as HTML: escaped, directional, with sources that match the markers."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from rag import Answer, Citation, RagError, Settings
from rag.web.app import safe_filename
from rag.web.server import is_loopback, parse_auth
from rag.web.render import (
    highlight,
    message_text,
    plain_history,
    render_answer,
    render_documents,
    render_streaming,
)

HOSTILE = (
    'Zorblax <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> '
    "[click me](javascript:window.__pwned=1) ![i](javascript:alert(1)) **bold** $x^2$ <b>tag</b>"
)


def _answer(text="جيهون بيراموف [1] وقال أيضا [2].", language="ar", citations=None):
    citations = citations if citations is not None else [
        Citation(n=1, doc_id="000_a", title="جدد وزير خارجية أذربيجان", text="أكد وزير الخارجية جيهون بيراموف أن …", score=0.6, paragraph=2),
        Citation(n=2, doc_id="001_b", title="أعلن الرئيس", text="وقال الرئيس إلهام علييف Ilham Aliyev", score=0.5, paragraph=0,
                 also_in=("000_a",)),
    ]
    return Answer(text=text, refused=False, language=language, citations=citations)


def _as_markdown(html: str) -> str:
    """What a CommonMark renderer with HTML enabled (as Gradio's chatbot) makes of a message."""
    return MarkdownIt("commonmark", {"html": True}).render(html)


def test_answer_has_a_source_for_every_marker_with_title_position_and_passage():
    out = render_answer(_answer())
    markers = {int(n) for n in re.findall(r'class="rag-ref" role="link" tabindex="0" title="انتقل إلى المصدر (\d+)"', out.split("<details", 1)[0])}
    sources = {int(n) for n in re.findall(r'<div class="rag-source"><div class="rag-source-head" dir="auto"><span class="rag-ref">\[(\d+)\]', out)}
    assert markers == sources == {1, 2}
    assert '<details class="rag-sources" open' in out and "<summary>المصادر (2)</summary>" in out
    assert "جدد وزير خارجية أذربيجان" in out and 'الفقرة <bdi dir="ltr">3</bdi>' in out
    assert "000_a" not in out.split('<span class="rag-record"')[0]  # people see titles, never ids
    titled = render_answer(_answer(), titles={"000_a": "أعلن الرئيس", "001_b": "أعلن الرئيس"})
    assert "وأيضًا في" not in titled  # a copy under the very same title: naming it again tells the reader nothing
    titled = render_answer(_answer(), titles={"000_a": "نسخة أخرى", "001_b": "أعلن الرئيس"})
    assert "وأيضًا في <bdi>نسخة أخرى</bdi>" in titled and "000_a" not in titled.split('<span class="rag-record"')[0]
    assert 'dir="auto"' in out.split(">", 1)[0]


def test_english_answer_has_english_labels():
    out = render_answer(_answer("40 tons [1].", "en", [Citation(1, "d", "t", "40 tons of food", 0.5, 4)]))
    assert "<summary>Sources (1)</summary>" in out and 'paragraph <bdi dir="ltr">5</bdi>' in out


def test_hostile_article_text_renders_inert():
    out = render_answer(_answer("Zorblax is a project [1].", "en", [Citation(1, "evil", HOSTILE, HOSTILE, 0.9)]))
    for html in (out, _as_markdown(out)):
        assert "<script" not in html and "<img" not in html and "<b>tag" not in html
        assert 'href="javascript' not in html and "<a " not in html and "<strong>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert "[click me](javascript:window.__pwned=1)" in out  # shown literally, not as a link
    assert "\n\n" not in out  # one HTML block: Markdown never parses inside it


def test_model_output_is_escaped_too():
    out = render_streaming("<img src=x onerror=alert(1)> [1]")
    assert "<img" not in out and "&lt;img" in out and 'title="Go to source 1">[1]</span>' in out
    out = render_answer(Answer("<script>x</script>", False, "en", []))
    assert "<script>" not in out


def test_refusal_looks_different_and_has_no_sources():
    out = render_answer(Answer("I could not find the answer to this question in the articles.", True, "en", []))
    assert 'class="rag-msg rag-refusal"' in out and "No answer found in the indexed articles" in out
    assert "rag-sources" not in out
    ar = render_answer(Answer("لم أجد إجابة عن هذا السؤال في المقالات المتاحة.", True, "ar", []))
    assert "rag-refusal" in ar and "لم يُعثر على إجابة في المقالات المفهرسة" in ar


def test_highlight_marks_the_answer_words_after_arabic_normalization():
    passage = "أكد وزير الخارجية جيهون بيراموف في باكو أن <الحل> قريب"
    out = highlight(passage, "الوزير هو جيهون بيرامــوف [1]")  # tatweel in the answer
    assert "<mark>جيهون</mark>" in out and "<mark>بيراموف</mark>" in out
    assert "<mark>في</mark>" not in out and "<mark>1</mark>" not in out  # function words and markers
    assert "&lt;الحل&gt;" in out
    assert highlight("Bayramov said 40 tons", "40 tons [2]") == "Bayramov said <mark>40</mark> <mark>tons</mark>"
    assert highlight("سلّمت ٤٠ طنا", "40 tons [1]") == "سلّمت <mark>٤٠</mark> طنا"  # Arabic-Indic digits too


def test_message_text_recovers_the_answer_without_sources():
    answer = _answer("He said <yes> & more [1].\nSecond line.", "en")
    rendered = render_answer(answer)
    assert message_text(rendered) == answer.text
    assert message_text([{"type": "text", "text": rendered}]) == answer.text  # Gradio 6 content parts
    refusal = render_answer(Answer("I could not find the answer to this question in the articles.", True, "en", []))
    assert message_text(refusal) == "I could not find the answer to this question in the articles."


def test_plain_history_feeds_follow_ups_plain_text():
    history = [
        {"role": "user", "content": [{"type": "text", "text": "من هو وزير خارجية أذربيجان؟"}]},
        {"role": "assistant", "content": [{"type": "text", "text": render_answer(_answer("جيهون بيراموف [1]"))}]},
    ]
    assert plain_history(history) == [
        {"role": "user", "content": "من هو وزير خارجية أذربيجان؟"},
        {"role": "assistant", "content": "جيهون بيراموف [1]"},
    ]


def test_documents_panel_escapes_titles():
    out = render_documents({"evil": {"title": HOSTILE, "chunks": 3, "ingested_at": "x"}, "000_a": {"title": "عنوان", "chunks": 18}})
    assert "<script" not in out and "<img" not in out and "2 articles indexed" in out
    assert 'data-doc-id="evil"' in out and "3 passages" in out
    assert "No articles" in render_documents({})


@pytest.mark.parametrize(
    "name, expected",
    [("../../etc/passwd.txt", "passwd.txt"), ("<script>.md", "_script_.md"), ("تقرير غزة.pdf", "تقرير غزة.pdf"),
     ("..", "article"), ("a;rm -rf.html", "a_rm -rf.html")],
)
def test_uploaded_file_names_stay_in_the_uploads_folder(name, expected):
    assert safe_filename(name) == expected


def test_auth_and_host_helpers(monkeypatch):
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("ana:s3cr:et") == ("ana", "s3cr:et")
    for bad in ("nopassword", ":x", "x:"):
        with pytest.raises(RagError, match="user:password"):
            parse_auth(bad)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    monkeypatch.setenv("RAG_UI_AUTH", "u:p")
    assert Settings().ui_auth == "u:p"


def test_an_answer_searched_under_a_filter_shows_it_and_escapes_it():
    answer = Answer(text="It is 980 metres long [1].", refused=False, language="en",
                    citations=[Citation(n=1, doc_id="d", title="T", text="It is 980 metres long.", score=0.9)])
    shown = render_answer(answer, "How long?", scope={"since": "2032-01-01", "sources": ["<b>Wire</b>"]})
    assert '<div class="rag-scope" dir="auto">searched: <bdi>2032-01-01 → …</bdi> · <bdi>&lt;b&gt;Wire&lt;/b&gt;</bdi></div>' in shown
    assert "rag-scope" not in render_answer(answer, "How long?")
