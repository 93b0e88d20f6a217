"""Issue 41's faults, each in both languages at both sizes (1280x900 and 390x844), in Debian's Chromium.

The page's own logic and layout decide these faults, not the model's answers, so the served app here runs the
tiny GGUF (a real llama.cpp model, ~2 s an answer) with the shipped thresholds: its answers are mostly unsure, and
an unsure English answer quotes its Arabic sentence inside English words, which is what faults 5d and 5f are
about. The default model's answers on the page, and the asking-again test at 1, 5 and 20 s into an answer, are
test_web_browser.py's.

One reader per language and size:
- (1) asks, and asks again while the answer is written: the second question waits in sight, and both answers
  end whole, in order, and are saved whole (a reload reopens them as shown);
- (2, 4) sees only the stages, in the page's words, while an answer is made, never a draft the checks may
  withdraw;
- (5) sees the score as a fold that says what it is, an Arabic span in an English answer as one right-to-left
  run, no passage marked from end to end, and the note of an added article gone with the article;
- (6) on a phone, sees each answer across the chat's width.
"""

from __future__ import annotations

import re
import shutil

import pytest
from test_web_browser import (  # noqa: F401  (browser: a fixture)
    ANSWER_TIMEOUT_MS,
    ARABIC_LAID_OUT_LEFT_TO_RIGHT,
    RECORD_STREAM,
    browser,
)
from test_web_reader_page import DESKTOP, LOCALES, PHONE

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.web import strings
from rag.web.app import build_app
from rag.web.server import serve

# An English question over the Arabic articles: the answer, or the sentence it offers, quotes Arabic.
QUESTION = "What did Pashinyan say about Armenians staying in Karabakh?"
AGAIN = "Who won the 2022 FIFA World Cup?"  # asked while the first is written; refused before the model


@pytest.fixture(scope="module")
def tiny_served(assistant, index_dir, tiny_llm_path, tmp_path_factory):
    """The url of the page served with the tiny GGUF and the shipped thresholds, over a private index."""
    work = tmp_path_factory.mktemp("page-faults")
    shutil.copytree(index_dir, work / "vectorstore")
    own = Assistant(home=work, index_dir=work / "vectorstore", llm_path=tiny_llm_path, embeddings=assistant.embeddings,
                    answer_at=None, unsure_at=None)
    own.llm  # noqa: B018 - loaded (and its openings read) before the first page asks
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()
    own.close()


def _stage_starts(lang: str) -> tuple[str, ...]:
    """The first words of each stage line in `lang`, up to its first figure: as the catalogue has them."""
    return tuple(strings.catalogue()[key][lang].split("{")[0].strip() for key in
                 ("stage_searching", "stage_reading", "stage_writing", "stage_quoting"))


def _final(page, index: int):
    """The index-th bot message once it holds a final answer, refusal or error."""
    page.wait_for_function(
        """i => { const b = document.querySelectorAll('[data-testid="bot"]');
                  return b.length > i && b[i].querySelector('.rag-answer, .rag-unsure, .rag-refusal, .rag-error'); }""",
        arg=index, timeout=ANSWER_TIMEOUT_MS,
    )
    return page.locator('[data-testid="bot"]').nth(index)


def _toggle_panel(page, want_open: bool) -> None:
    is_open = page.evaluate("() => document.querySelector('#rag-sidebar').classList.contains('open')")
    if is_open != want_open:
        page.locator("#rag-sidebar .toggle-button").click()
        page.wait_for_function("o => document.querySelector('#rag-sidebar').classList.contains('open') === o",
                               arg=want_open)
        page.wait_for_timeout(300)


@pytest.mark.parametrize("lang,size", [("ar", DESKTOP), ("ar", PHONE), ("en", DESKTOP), ("en", PHONE)],
                         ids=["ar-1280x900", "ar-390x844", "en-1280x900", "en-390x844"])
def test_each_fault_of_the_page_in_each_language_and_size(browser, tiny_served, lang, size, tmp_path):
    url = tiny_served
    phone = size is PHONE
    context = browser.new_context(viewport=size, locale=LOCALES[lang], is_mobile=phone)
    page = context.new_page()
    page.add_init_script(RECORD_STREAM)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        # The reader chooses the page's language (the other, then this one: the page opened in it already), so
        # an English question leaves an Arabic page Arabic; unchosen, the page follows the language asked in.
        _toggle_panel(page, True)
        other = "en" if lang == "ar" else "ar"
        for choice in (other, lang):
            page.locator("#rag-language label").filter(has_text=strings.NAMES[choice]).click()
            page.wait_for_function("d => document.documentElement.dir === d", arg="rtl" if choice == "ar" else "ltr",
                                   timeout=10_000)
        page.wait_for_function("d => document.documentElement.dir === d", arg="rtl" if lang == "ar" else "ltr",
                               timeout=10_000)
        if phone:
            _toggle_panel(page, False)

        # (1) Asked again while the answer is written: the new question waits in sight, the box is free.
        box = page.locator("#rag-question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        page.wait_for_selector('[data-testid="bot"] .rag-streaming', timeout=60_000)
        box.fill(AGAIN)
        box.press("Enter")
        page.wait_for_function("q => (document.querySelector('#rag-waiting') || {}).innerText?.includes(q)",
                               arg=AGAIN, timeout=10_000)
        assert box.input_value() == ""
        first, second = _final(page, 0), _final(page, 1)
        assert page.locator('[data-testid="user"]').all_inner_texts() == [QUESTION, AGAIN]
        for bot in (first, second):
            assert bot.locator(".rag-answer, .rag-unsure, .rag-refusal").count() == 1, bot.inner_text()[:200]
        assert second.locator(".rag-refusal").count() == 1
        assert page.locator("#rag-waiting").is_hidden()

        # (2, 4) While it was made: the stages, in the page's words, and nothing that was then withdrawn. A
        # quoted answer streams each sentence once it is chosen (it stays): each is in the final answer.
        streamed = [s for s in page.evaluate("window.__streamed") if s.strip()]
        assert streamed and all(s.startswith(_stage_starts(lang)) for s in streamed), [s[:90] for s in streamed]
        final = first.inner_text()
        for s in streamed:
            assert all(quote in final for quote in re.findall("«[^»]+»", s)), (s, final)

        # (5) The score is a fold that says what it is; an Arabic run in English words reads right to left;
        # no source passage is marked from end to end.
        for fold in first.locator(".rag-score summary").all():
            assert fold.evaluate("e => getComputedStyle(e).display") == "list-item"
            assert fold.inner_text().strip() == strings.text("score", "en")  # the answer's language: the answer is English
        text = first.locator(".rag-answer, .rag-unsure").first
        assert re.search("[\u0600-\u06FF]", text.inner_text()), text.inner_text()  # the Arabic it quotes
        assert text.evaluate(ARABIC_LAID_OUT_LEFT_TO_RIGHT) == []
        # A quoted sentence is marked in its passage; the answer's words are marked where they are not most of it.
        for passage in first.locator(".rag-passage").all():
            words = len(passage.inner_text().split())
            quoted = sum(len(m.split()) for m in passage.locator("mark.rag-quote-mark").all_inner_texts())
            shared = sum(len(m.split()) for m in passage.locator("mark:not(.rag-quote-mark)").all_inner_texts())
            assert quoted < words and (words < 8 or shared <= 0.6 * words), (quoted, shared, passage.inner_text()[:120])

        # (6) On a phone, each answer takes the chat's width (at two thirds, Arabic wrapped every 2-4 words).
        if phone:
            chat = page.locator("#rag-chatbot").bounding_box()
            for bot in (first, second):
                assert bot.bounding_box()["width"] >= 0.85 * chat["width"], (bot.bounding_box(), chat)

        # (1) Saved whole: a reload reopens both answers as they were shown.
        shown = [bot.inner_text() for bot in (first, second)]
        page.wait_for_function("q => document.querySelector('#rag-conversation-list').innerText.includes(q)",
                               arg=QUESTION[:20], timeout=30_000)
        page.reload(wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        _toggle_panel(page, True)
        page.locator("#rag-conversation-list label").filter(has_text=QUESTION[:20]).first.click()
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length === 2")
        assert [b.inner_text() for b in page.locator('[data-testid="bot"]').all()] == shown

        # (5) The note of an added article goes with the article.
        name = f"tarvel_{lang}_{size['width']}"
        article = tmp_path / f"{name}.txt"
        article.write_text(f"Tarvel dam {lang} {size['width']}\nThe Tarvel dam on the Kura river opened in 2031.\n",
                           encoding="utf-8")
        added = strings.catalogue()["added"][lang].split("{")[0]
        page.locator("#rag-upload input[type=file]").set_input_files(str(article))
        page.wait_for_function("w => (document.querySelector('#rag-upload-status') || {}).innerText?.includes(w)",
                               arg=added, timeout=120_000)
        page.locator("#rag-remove").locator("button, span").filter(has_text=strings.text("remove_article", lang)).first.click()
        page.locator("#rag-remove-choice input").first.click()
        page.get_by_role("option").filter(has_text=f"Tarvel dam {lang} {size['width']}").first.click()
        page.keyboard.press("Escape")
        page.locator("#rag-remove-button").click()
        page.locator("#rag-remove-yes").click()
        page.wait_for_function(f"() => !document.querySelector('#rag-documents li[data-doc-id=\"{name}\"]')",
                               timeout=60_000)
        page.wait_for_function("w => !(document.querySelector('#rag-upload-status') || {}).innerText?.includes(w)",
                               arg=added, timeout=10_000)
    finally:
        context.close()
