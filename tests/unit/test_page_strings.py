"""The page's own words (rag/web/strings.toml): every string in both languages, taking the same values."""

from __future__ import annotations

import re
import string

import pytest

from rag.types import Answer, Citation
from rag.web import strings
from rag.web.render import render_answer, trust_key


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(strings.catalogue()))
def test_every_string_has_both_languages_with_the_same_values(key):
    entry = strings.catalogue()[key]
    assert set(entry) == set(strings.LANGUAGES), key
    assert _fields(entry["en"]) == _fields(entry["ar"]), key
    assert entry["en"].strip() or key == "comma"
    if key != "export":  # "Markdown" is a format's name in either language
        assert re.search("[\u0600-\u06FF]", entry["ar"]) or key == "comma", f"{key}: the Arabic is not Arabic"


def test_the_page_language_is_the_readers_choice_else_the_browsers():
    assert strings.from_header("ar-EG,ar;q=0.9,en;q=0.8") == "ar"
    assert strings.from_header("fr-FR,fr;q=0.9,ar;q=0.8,en;q=0.7") == "ar"  # the first one the page speaks
    assert strings.from_header("en;q=0.5,ar;q=0.9") == "ar"  # by q-value, not by order
    assert strings.from_header("de-DE") == strings.from_header(None) == strings.from_header("") == "en"
    assert strings.from_header("ar;q=bad,en") == "en"
    assert strings.from_header("ar;q=0,en;q=0.5") == "en"  # q=0 says "not this language"
    assert strings.page_language("en", "ar-EG") == "en" and strings.page_language("", "ar-EG") == "ar"
    assert strings.page_language("xx", "en-US") == "en"
    # A filled-in title is isolated in its own direction; a lone figure needs no isolate.
    assert strings.text("delete_ask", "ar", title="س") == "هل تريد حذف المحادثة «\u2068س\u2069»؟ لا يمكن استعادتها بعد الحذف."
    assert strings.text("too_long", "ar", n=2001, limit=2000) == "عدد أحرف السؤال 2001، والحد الأقصى 2000. اختصره من فضلك."
    assert strings.text("md_saved", "ar", when="2026-12-03 10:00") == "حُفظت في \u20662026-12-03 10:00\u2069"
    assert strings.text("rename", "fr") == "Rename"  # a language the page does not speak falls back to English


def test_the_language_a_question_is_asked_in():
    assert strings.language_of("كم طناً من المساعدات وزعتها الوزارة؟") == "ar"
    assert strings.language_of("How many tons of aid (مساعدات) were sent?") == "en"  # most letters are Latin
    assert strings.language_of("ما هو GDP؟") == "ar"
    assert strings.language_of("2026؟ 40") is None  # no letters: nothing to tell


def _answer(status: str, confidence, quote: str = "") -> Answer:
    cites = [Citation(1, "d", "t", "40 tons of food", 0.5)]
    return Answer("40 tons [1]", status == "refused", "en", [] if status == "refused" else cites, status=status,
                  confidence=confidence, quote=quote)


def test_confidence_is_said_in_words_and_the_score_kept_one_click_away():
    """Issue 33: 0.00 on an unsure answer showing the right sentence, 0.68 on an unsure guess, 0.89 on a wrong
    answered one: the bare number misled. The words say what each outcome lets the reader rely on."""
    assert trust_key(_answer("answered", 0.89, "40 tons")) == "trust_answered"
    assert trust_key(_answer("unsure", 0.68, "40 tons")) == "trust_guess"
    assert trust_key(_answer("unsure", 0.0)) == "trust_sentence"
    assert trust_key(_answer("refused", 0.0)) is None
    # The source named is the one holding the quoted words, not merely the first.
    two = _answer("answered", 0.89, "40 tons")
    two.citations.insert(0, Citation(2, "e", "u", "Aid arrived by road.", 0.6))
    assert "source 1." in render_answer(two).split('<span class="rag-trust">', 1)[1]
    answered = render_answer(_answer("answered", 0.89, "40 tons"))
    words = answered.split('<span class="rag-trust">', 1)[1].split("</span>", 1)[0]
    assert "Likely right" in words and not re.search(r"\d\.\d", words)  # no number in the words
    assert '<details class="rag-score"><summary>How sure is this?</summary>' in answered and "0.89" in answered
    sentence_only = render_answer(_answer("unsure", 0.0))
    assert "No answer was stated" in sentence_only and "rag-score" not in sentence_only  # no 0.00 to mislead


def test_small_faults_of_the_page_under_real_use():
    """Issue 41 (5): an Arabic span inside an English answer drawn in the wrong order ("(18 شهراً)"), and a source
    passage with every word marked."""
    from rag import Answer
    from rag.web.render import highlight, render_answer

    shown = render_answer(Answer(text="18 months (18 شهراً) [1]", refused=False, language="en", citations=[]))
    assert '(<bdi dir="rtl">18 شهراً</bdi>)' in shown  # one right-to-left run, its figure inside
    arabic = render_answer(Answer(text="بلغت 18 شهراً [1]", refused=False, language="ar", citations=[]))
    assert "18 شهراً" in arabic and "<bdi dir=\"rtl\">" not in arabic  # an Arabic answer reads right to left already
    passage = "وقال وزير الخارجية جيهون بيراموف إن المحادثات مع أرمينيا ستستمر في بروكسل الأسبوع المقبل."
    assert highlight(passage, "جيهون بيراموف").count("<mark>") == 2  # the answer's words
    assert "<mark>" not in highlight(passage, passage)  # a quote marked whole: nothing
    from rag.web.render import highlight_quote

    assert "<mark" not in highlight_quote(passage, passage)  # a quoted sentence that is the whole passage: nothing
    assert 'rag-quote-mark">جيهون بيراموف</mark>' in highlight_quote(passage, "جيهون بيراموف")  # else the quote
