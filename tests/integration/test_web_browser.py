"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

The server is the real app with the default models over a copy of the test index (an
upload must not leak into other tests). No browser is downloaded: Playwright drives
/usr/bin/chromium. Set RAG_UI_SCREENSHOT=path.png to keep the conversation's screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.web.app import build_app, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
INSTALL_HINT = (
    "needs Debian's Chromium at /usr/bin/chromium: `sudo apt-get install -y chromium chromium-driver` "
    "(`make test` installs it when run as root), and Playwright for Python (`pip install -e .[dev]`)"
)
ANSWER_TIMEOUT_MS = 180_000  # a 1.5B model on 2 shared cores: 5–25 s an answer, more when the VM is busy
# Every streamed version of a bot message, recorded in the page as it arrives.
RECORD_STREAM = """
window.__streamed = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll('[data-testid="bot"] .rag-streaming')) {
    const t = el.textContent;
    if (window.__streamed[window.__streamed.length - 1] !== t) window.__streamed.push(t);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""



def _missing(what: str) -> None:
    """Skip on a developer's machine; fail in CI (CI=true), where a skipped browser test would hide a gap."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI: {INSTALL_HINT}")
    pytest.skip(f"{what} is missing: {INSTALL_HINT}")



@pytest.fixture(scope="module")
def url(assistant, index_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("ui-browser")
    shutil.copytree(index_dir, work / "vectorstore")
    # The session's loaded models, over a private copy of the index.
    own = Assistant(index_dir=work / "vectorstore", llm=assistant.llm, embeddings=assistant.embeddings)
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing("Chromium")
    try:
        from playwright import sync_api
    except ImportError:
        _missing("Playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, url):
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.add_init_script(RECORD_STREAM)
    page.goto(url, wait_until="load")  # not "networkidle": Gradio keeps connections open
    page.wait_for_selector("#rag-documents li", timeout=60_000)
    yield page
    context.close()


def _bots(page):
    return page.locator('[data-testid="bot"]')


def _wait_final(page, index: int):
    page.wait_for_function(
        """i => { const b = document.querySelectorAll('[data-testid="bot"]');
                  return b.length > i && b[i].querySelector('.rag-answer, .rag-refusal, .rag-error'); }""",
        arg=index, timeout=ANSWER_TIMEOUT_MS,
    )
    return _bots(page).nth(index)


def _ask(page, question: str):
    index = _bots(page).count()
    page.evaluate("window.__streamed = []")
    box = page.locator("#rag-question textarea")
    box.fill(question)
    box.press("Enter")
    return _wait_final(page, index)


def _direction(locator) -> tuple[str | None, str]:
    return locator.get_attribute("dir"), locator.evaluate("e => getComputedStyle(e).direction")


def _check_answer_with_sources(bot, language: str) -> None:
    assert bot.locator(".rag-refusal, .rag-error").count() == 0, bot.inner_text()
    answer = bot.locator(".rag-answer")
    assert _direction(answer) == ("auto", "rtl" if language == "ar" else "ltr")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.inner_text())}
    sources = bot.locator(".rag-sources .rag-source")
    numbers = {int(s.locator(".rag-source-head .rag-ref").inner_text().strip("[]")) for s in sources.all()}
    assert markers and markers == numbers, (answer.inner_text(), numbers)
    assert bot.locator("details.rag-sources").get_attribute("open") is not None
    label = "الفقرة" if language == "ar" else "paragraph"
    for source in sources.all():
        assert source.locator(".rag-title").inner_text().strip()
        assert re.search(label + r" \d+", source.locator(".rag-source-head").inner_text())
        assert len(source.locator(".rag-passage").inner_text().strip()) > 20
        assert _direction(source.locator(".rag-passage"))[0] == "auto"
    assert bot.locator(".rag-passage mark").count() >= 1  # the cited words are highlighted


def _check_streamed(page) -> None:
    streamed = page.evaluate("window.__streamed")
    assert len(streamed) >= 3, streamed  # the answer grew in the page piece by piece
    assert len(streamed[-1]) > len(streamed[0])


def test_arabic_and_english_answers_stream_with_sources_each_in_its_direction(page, tmp_path):
    # An example question is a click away (examples show while the chat is empty).
    examples = page.locator("button.example")
    assert examples.count() >= 4 and examples.filter(has_text="من هو").count() and examples.filter(has_text="How many").count()
    page.evaluate("window.__streamed = []")
    examples.filter(has_text="How many tons").first.click()
    english = _wait_final(page, 0)
    # An English answer over Arabic articles is a copied span and its translation: it arrives whole.
    _check_answer_with_sources(english, "en")
    assert "40" in english.locator(".rag-answer").inner_text()

    arabic = _ask(page, "من هو وزير خارجية أذربيجان؟")
    _check_streamed(page)  # a composed answer streams
    _check_answer_with_sources(arabic, "ar")
    assert "بيراموف" in arabic.locator(".rag-answer").inner_text()

    users = page.locator('[data-testid="user"]')
    assert [_direction(users.nth(i)) for i in range(2)] == [("auto", "ltr"), ("auto", "rtl")]

    refusal = _ask(page, "Who won the 2022 FIFA World Cup?")
    assert refusal.locator(".rag-refusal").count() == 1 and refusal.locator(".rag-sources").count() == 0
    assert "No answer found in the indexed articles" in refusal.inner_text()
    refusal_bg = refusal.locator(".rag-refusal").evaluate("e => getComputedStyle(e).backgroundColor")
    answer_bg = english.locator(".rag-answer").evaluate("e => getComputedStyle(e).backgroundColor")
    assert refusal_bg != answer_bg  # visibly different

    textbox = page.locator("#rag-question textarea")
    assert textbox.is_enabled() and textbox.input_value() == ""
    page.set_viewport_size({"width": 1360, "height": 1500})  # room for the whole conversation
    page.wait_for_timeout(500)
    shot = tmp_path / "chat.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    if os.environ.get("RAG_UI_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["RAG_UI_SCREENSHOT"])


def test_stop_button_ends_an_answer_and_the_input_stays_usable(page):
    box = page.locator("#rag-question textarea")
    box.fill("ماذا قال باشينيان عن بقاء الأرمن في قره باغ؟")
    box.press("Enter")
    page.wait_for_selector('[data-testid="bot"] .rag-streaming', timeout=ANSWER_TIMEOUT_MS)
    page.locator("button.stop-button").click()
    page.wait_for_function("() => !document.querySelector('button.stop-button') || "
                           "document.querySelector('button.stop-button').offsetParent === null", timeout=10_000)
    stopped = _bots(page).first.inner_text()
    page.wait_for_timeout(3000)
    assert _bots(page).first.inner_text() == stopped  # nothing more arrives
    assert _bots(page).first.locator(".rag-answer").count() == 0
    assert box.is_enabled()
    # The model's lane is free again: the next question reaches the model (it passes the score
    # gate) and is answered, here with the model's own refusal.
    assert _ask(page, "How many Russian peacekeepers were killed?").locator(".rag-refusal").count() == 1


def test_uploaded_article_is_listed_answerable_and_rendered_inert(page, tmp_path):
    article = tmp_path / "zorblax_plant.txt"
    article.write_text(
        "Zorblax desalination plant opens in Baku <img src=x onerror=\"window.__pwned=1\">\n"
        "The Zorblax desalination plant opened in Baku on 3 March 2031 and produces 90,000 cubic metres "
        "of drinking water a day. <script>window.__pwned=1</script> <img src=x onerror=\"window.__pwned=1\"> "
        "[read more](javascript:window.__pwned=1)\n",
        encoding="utf-8",
    )
    page.locator("#rag-upload input[type=file]").set_input_files(str(article))
    page.wait_for_function(
        "() => (document.querySelector('#rag-upload-status') || {}).innerText?.includes('Added')", timeout=120_000
    )
    assert page.locator("#rag-documents li").count() == 3
    assert page.locator('#rag-documents li[data-doc-id="zorblax_plant"]').count() == 1

    bot = _ask(page, "How much drinking water does the Zorblax desalination plant produce a day?")
    _check_answer_with_sources(bot, "en")
    assert "90,000" in bot.locator(".rag-answer").inner_text() or "90000" in bot.locator(".rag-answer").inner_text()
    passage = bot.locator(".rag-passage").filter(has_text="Zorblax").first.inner_text()
    assert "<script>window.__pwned=1</script>" in passage and "[read more](javascript:" in passage
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script:has-text('__pwned'), img[onerror], a[href^='javascript']").count() == 0


def test_date_and_source_filter_limits_the_answer_and_sources_show_publisher_and_date(page, tmp_path):
    # Two reports of one made-up bridge, a year apart, from two publishers, with different figures.
    # Unfiltered, the answer comes from the earlier one (980).
    (tmp_path / "early.txt").write_text(
        "---\ndate: 2031-03-03\nsource: Caspian Wire\n---\nQuorvex bridge opens over the Kura river\n"
        "The Quorvex bridge in Ganja is 980 metres long, the regional transport office said on Monday when "
        "the bridge opened to traffic.\n", encoding="utf-8")
    (tmp_path / "late.txt").write_text(
        "---\ndate: 2032-04-09\nsource: Ganja Daily\n---\nEngineers lengthen the Quorvex bridge\n"
        "The Quorvex bridge in Ganja is 1,450 metres long since engineers added a new approach span, the city "
        "council said.\n", encoding="utf-8")
    page.locator("#rag-upload input[type=file]").set_input_files([str(tmp_path / "early.txt"), str(tmp_path / "late.txt")])
    page.wait_for_function(
        "() => (document.querySelector('#rag-upload-status') || {}).innerText?.includes('Added')", timeout=120_000
    )
    listed = page.locator('#rag-documents li[data-doc-id="late"]')
    assert "Ganja Daily" in listed.inner_text() and "2032-04-09" in listed.inner_text()

    page.locator("#rag-filter").get_by_text("Limit to dates and sources").click()
    page.locator("#rag-since textarea, #rag-since input").first.fill("2032-01-01")
    bot = _ask(page, "How long is the Quorvex bridge?")
    _check_answer_with_sources(bot, "en")
    assert "1,450" in bot.locator(".rag-answer").inner_text()
    heads = [h.inner_text() for h in bot.locator(".rag-source-head").all()]
    assert heads and all("Ganja Daily" in h and "2032-04-09" in h for h in heads), heads

    # Only the earlier publisher: the since date cleared, the source picked from the list.
    page.locator("#rag-since textarea, #rag-since input").first.fill("")
    page.locator("#rag-sources input").first.click()
    page.get_by_role("option", name="Caspian Wire").click()
    page.keyboard.press("Escape")
    bot = _ask(page, "How long is the Quorvex bridge?")
    _check_answer_with_sources(bot, "en")
    assert "980" in bot.locator(".rag-answer").inner_text()
    heads = [h.inner_text() for h in bot.locator(".rag-source-head").all()]
    assert heads and all("Caspian Wire" in h and "2031-03-03" in h for h in heads), heads
