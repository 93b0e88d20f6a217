"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

The server is the real app with the default models over a copy of the test index (an
upload must not leak into other tests). No browser is downloaded: Playwright drives
/usr/bin/chromium. Set RAG_UI_SCREENSHOT=path.png to keep the conversation's screenshot.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.web.app import build_app
from rag.web.server import serve

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


# Every run of Arabic text in an element drawn left to right: "(18 شهراً)" inside English words was one.
ARABIC_LAID_OUT_LEFT_TO_RIGHT = """e => { const bad = [], walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode())
    if (/[\u0600-\u06FF]/.test(n.textContent) && getComputedStyle(n.parentElement).direction !== 'rtl')
      bad.push(n.textContent.slice(0, 80));
  return bad; }"""


def _missing(what: str) -> None:
    """Skip on a developer's machine; fail in CI (CI=true), where a skipped browser test would hide a gap."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI: {INSTALL_HINT}")
    pytest.skip(f"{what} is missing: {INSTALL_HINT}")



@pytest.fixture(scope="module")
def served(assistant, index_dir, tmp_path_factory):
    """(url, RAG_HOME, the served Assistant) of the page: feedback and server-side conversations go under that
    home; the Assistant, for a test that changes the library as another process would."""
    work = tmp_path_factory.mktemp("ui-browser")
    shutil.copytree(index_dir, work / "vectorstore")
    # The session's loaded models, over a private copy of the index.
    # The side panel looks for library changes every second (10 s as shipped), so the feeds test waits 1 s, not 10.
    own = Assistant(home=work, index_dir=work / "vectorstore", llm=assistant.llm, embeddings=assistant.embeddings,
                    library_refresh_s=1)
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/", work, own
    app.close()


@pytest.fixture(scope="module")
def url(served):
    return served[0]


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


def bot_messages(page):
    return page.locator('[data-testid="bot"]')


def _wait_final(page, index: int):
    page.wait_for_function(
        """i => { const b = document.querySelectorAll('[data-testid="bot"]');
                  return b.length > i && b[i].querySelector('.rag-answer, .rag-unsure, .rag-refusal, .rag-error'); }""",
        arg=index, timeout=ANSWER_TIMEOUT_MS,
    )
    return bot_messages(page).nth(index)


def ask_on_page(page, question: str):
    index = bot_messages(page).count()
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


def _check_stages(page) -> None:
    """A short answer shows its stages while it is made, and no draft of itself: a draft once streamed "ال…"
    and then turned into a refusal (issue 41)."""
    streamed = page.evaluate("window.__streamed")
    assert any(s.startswith("Writing the answer from") for s in streamed), streamed
    assert all(s.startswith(("Searching the articles", "Writing the answer from")) for s in streamed), streamed


def test_arabic_and_english_answers_stream_with_sources_each_in_its_direction(page, tmp_path):
    # An example question is a click away (examples show while the chat is empty).
    examples = page.locator("button.example")
    assert examples.count() >= 3 and examples.filter(has_text="How many").count()  # the page's language's (issue 41)
    page.evaluate("window.__streamed = []")
    examples.filter(has_text="How many tons").first.click()
    english = _wait_final(page, 0)
    # An English answer over Arabic articles is a copied span and its translation: it arrives whole.
    _check_answer_with_sources(english, "en")
    assert "40" in english.locator(".rag-answer").inner_text()
    # Its Arabic span reads right to left: "(18 شهراً)" inside English words was drawn in the wrong order (issue 41).
    assert english.locator(".rag-answer").evaluate(ARABIC_LAID_OUT_LEFT_TO_RIGHT) == []
    # The score is a fold that says so, not a bare "Score" like plain text (issue 41).
    fold = english.locator(".rag-score summary")
    if fold.count():
        assert fold.evaluate("e => getComputedStyle(e).display") == "list-item" and fold.inner_text() != "Score"

    arabic = ask_on_page(page, "من هو وزير خارجية أذربيجان؟")
    _check_stages(page)
    _check_answer_with_sources(arabic, "ar")
    assert "بيراموف" in arabic.locator(".rag-answer").inner_text()

    users = page.locator('[data-testid="user"]')
    assert [_direction(users.nth(i)) for i in range(2)] == [("auto", "ltr"), ("auto", "rtl")]

    refusal = ask_on_page(page, "Who won the 2022 FIFA World Cup?")
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
    stopped = bot_messages(page).first.inner_text()
    page.wait_for_timeout(3000)
    assert bot_messages(page).first.inner_text() == stopped  # nothing more arrives
    assert bot_messages(page).first.locator(".rag-answer").count() == 0
    assert box.is_enabled()
    # The model's lane is free again: the next question reaches the model (it passes the score
    # gate) and is answered, here with the model's own refusal.
    assert ask_on_page(page, "How many Russian peacekeepers were killed?").locator(".rag-refusal").count() == 1


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
    assert page.locator("#rag-documents ul.rag-docs > li").count() == 3
    assert page.locator('#rag-documents li[data-doc-id="zorblax_plant"]').count() == 1

    bot = ask_on_page(page, "How much drinking water does the Zorblax desalination plant produce a day?")
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
    # CI once (2026-12-03, 1 run in 5) answered 980: the date never reached the server. Not reproduced in
    # 5 runs here, and a probe showed the field keeps a date typed while the upload's last step refreshes
    # the source list in this panel. Two candidate races are closed: the test waits for that refresh (the
    # new source is listed), as a user would, and types the date key by key instead of setting it at once.
    page.locator("#rag-sources input").first.click()
    page.get_by_role("option", name="Ganja Daily").wait_for(timeout=60_000)
    page.keyboard.press("Escape")
    since = page.locator("#rag-since textarea, #rag-since input").first
    since.press_sequentially("2032-01-01")  # key by key, as a user types: each keystroke reaches the page's state
    since.press("Tab")  # leave the field, as a user does: the page commits the value before the question is sent
    assert since.input_value() == "2032-01-01"
    bot = ask_on_page(page, "How long is the Quorvex bridge?")
    _check_answer_with_sources(bot, "en")
    assert "2032-01-01 → …" in bot.locator(".rag-scope").inner_text()  # the server searched under the date
    assert "1,450" in bot.locator(".rag-answer").inner_text()
    heads = [h.inner_text() for h in bot.locator(".rag-source-head").all()]
    assert heads and all("Ganja Daily" in h and "2032-04-09" in h for h in heads), heads

    # Only the earlier publisher: the since date cleared, the source picked from the list.
    since.fill("")
    since.press("Tab")
    page.locator("#rag-sources input").first.click()
    page.get_by_role("option", name="Caspian Wire").click()
    page.keyboard.press("Escape")
    bot = ask_on_page(page, "How long is the Quorvex bridge?")
    _check_answer_with_sources(bot, "en")
    assert bot.locator(".rag-scope").inner_text().endswith("Caspian Wire")
    assert "980" in bot.locator(".rag-answer").inner_text()
    heads = [h.inner_text() for h in bot.locator(".rag-source-head").all()]
    assert heads and all("Caspian Wire" in h and "2031-03-03" in h for h in heads), heads


# --- issue 19: conversations, feedback into evaluation, the page at phone width ----------

def _conversation_list(page) -> str:
    return page.locator("#rag-conversation-list").inner_text()


def test_a_conversation_is_saved_reopened_renamed_and_exported_and_a_correction_becomes_an_eval_question(
        page, served, tmp_path, tiny_llm_path):
    home = served[1]
    bot = ask_on_page(page, "من هو وزير خارجية أذربيجان؟")
    _check_answer_with_sources(bot, "ar")
    answer = bot.locator(".rag-answer").inner_text()
    assert "جيهون بيراموف" in answer
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('وزير خارجية')")

    # Saved in this browser: a reload starts an empty chat, and the conversation is listed and reopens whole.
    page.reload(wait_until="load")
    page.wait_for_selector("#rag-documents li", timeout=60_000)
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('وزير خارجية')")
    assert bot_messages(page).count() == 0
    page.locator("#rag-conversation-list label").filter(has_text="وزير خارجية").first.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"] .rag-answer').length === 1")
    assert bot_messages(page).first.locator(".rag-answer").inner_text() == answer

    # Renamed, and the name survives a reload.
    page.locator("#rag-rename textarea, #rag-rename input").first.fill("Foreign minister")
    page.locator("#rag-rename-button").click()
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('Foreign minister')")
    page.reload(wait_until="load")
    page.wait_for_selector("#rag-documents li", timeout=60_000)
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('Foreign minister')")
    page.locator("#rag-conversation-list label").filter(has_text="Foreign minister").first.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"] .rag-answer').length === 1")

    # Exported as Markdown with the answer's sources.
    with page.expect_download() as download:
        page.locator("#rag-export").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Foreign minister")
    assert "**Question:** من هو وزير خارجية أذربيجان؟" in markdown and "جيهون بيراموف" in markdown
    assert "Sources:" in markdown and re.search(r"^- \[1\] .+paragraph \d+", markdown, re.M)
    assert re.search(r"^  > .*بيراموف", markdown, re.M)  # the cited passage itself

    # Thumbs down with a correction: one judgement in RAG_HOME/feedback.jsonl, completed by the correction.
    page.locator('#rag-chatbot button[aria-label="Dislike"]').last.click()
    page.wait_for_selector("#rag-correction-row", state="visible", timeout=10_000)
    page.locator("#rag-correction textarea, #rag-correction input").first.fill("جيهون بيراموف")
    page.locator("#rag-send-correction").click()
    page.wait_for_function("() => document.querySelector('#rag-feedback-status').innerText.includes('correction is saved')")
    lines = [json.loads(line) for line in (home / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["rating"] for e in lines] == ["down", "down"] and lines[0]["id"] == lines[1]["id"]
    last = lines[-1]
    assert last["correction"] == "جيهون بيراموف" and last["question"] == "من هو وزير خارجية أذربيجان؟"
    assert last["citations"] and last["citations"][0]["doc_id"] and last["answer"]["status"] in ("answered", "unsure")
    assert last["models"]["llm"] and last["models"]["embedder"] and "top_k" in last["settings"] and last["time"]

    # ... exported as a question set that `rag eval` scores.
    questions = tmp_path / "feedback-questions.jsonl"
    env = {**os.environ, "RAG_HOME": str(home), "RAG_INDEX_DIR": str(home / "vectorstore")}
    rag = str(Path(sys.executable).with_name("rag"))
    done = subprocess.run([rag, "feedback", "export", "--out", str(questions)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines()]
    assert exported == [{"id": f"fb-{last['id']}", "question": "من هو وزير خارجية أذربيجان؟", "lang": "ar",
                         "answerable": True, "answers": ["جيهون بيراموف"], "evidence": []}]
    # `rag eval` reads and scores the file; the tiny GGUF answers (what it is scored on is the line above; the
    # default model's answer to this question is the page's, checked at the top).
    done = subprocess.run([rag, "eval", "--questions", str(questions), "--json"],
                          env={**env, "RAG_LLM_PATH": str(tiny_llm_path)}, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    scored = json.loads(done.stdout)
    # Read as one answerable question with an answer key: scored for its answer, with no refusal rate to give.
    assert scored["n"] == 1 and scored["answer_acc"] in (0.0, 1.0) and scored["refusal_acc"] is None, scored


def test_phone_width_keeps_the_chat_in_reach_and_a_source_opens_its_article(browser, url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        page.wait_for_function("() => !document.querySelector('#rag-sidebar').classList.contains('open')", timeout=10_000)
        on_top = """() => { const r = document.querySelector('#rag-question textarea').getBoundingClientRect();
                           const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                           return !!(e && e.closest('#rag-question')); }"""
        assert page.evaluate(on_top)  # nothing covers the question box
        bot = ask_on_page(page, "من هو وزير خارجية أذربيجان؟")
        source = bot.locator(".rag-source").first
        cited = source.locator(".rag-passage").inner_text().strip()
        source.locator("details.rag-article summary").click()
        article = source.locator(".rag-article-text")
        assert article.is_visible() and article.locator("p").count() > 1
        assert article.locator("mark.rag-cited").inner_text().strip() == cited
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
        # Issue 41: the answer takes the chat's width (at two thirds, Arabic wrapped every 2-4 words).
        chat = page.locator("#rag-chatbot").bounding_box()
        assert bot.bounding_box()["width"] >= 0.85 * chat["width"], (bot.bounding_box(), chat)

        # Opened, the panel leaves its toggle and a strip of the chat in reach.
        page.locator("#rag-sidebar .toggle-button").click()
        page.wait_for_function("() => document.querySelector('#rag-sidebar').classList.contains('open')")
        page.wait_for_timeout(500)
        toggle = page.locator("#rag-sidebar .toggle-button").bounding_box()
        assert toggle["x"] + toggle["width"] <= 390
        page.locator("#rag-sidebar .toggle-button").click()
        page.wait_for_function("() => !document.querySelector('#rag-sidebar').classList.contains('open')")
    finally:
        context.close()


def test_an_article_removed_from_the_panel_leaves_the_index(page, served, tmp_path):
    home = served[1]
    article = tmp_path / "vantor_mine.txt"
    article.write_text("Vantor copper mine closes\nThe Vantor copper mine near Dashkasan closed on 5 May 2031 after "
                       "producing 12,300 tonnes of ore in its last year.\n", encoding="utf-8")
    page.locator("#rag-upload input[type=file]").set_input_files(str(article))
    page.wait_for_function(
        "() => (document.querySelector('#rag-upload-status') || {}).innerText?.includes('Added')", timeout=120_000
    )
    assert page.locator('#rag-documents li[data-doc-id="vantor_mine"]').count() == 1
    page.locator("#rag-remove").get_by_text("Remove an article").click()
    page.locator("#rag-remove-choice input").first.click()
    page.get_by_role("option", name=re.compile(r"Vantor copper mine")).click()
    page.keyboard.press("Escape")
    page.locator("#rag-remove-button").click()
    page.wait_for_selector("#rag-remove-yes", state="visible", timeout=10_000)  # removing asks first (issue 33)
    # The library changes while the reader reads the question (a feed's item, another reader's upload): the
    # panel's refresh draws the new article and keeps the reader's pick and question. It took them, in CI, when
    # the refresh after the reader's own upload came between the pick and "Yes".
    other = tmp_path / "other" / "harbour_crane.txt"
    other.parent.mkdir()
    other.write_text("Harbour crane arrives\nA new harbour crane reached the port of Velmar on 2 June 2031.\n",
                     encoding="utf-8")
    own = served[2]
    own.ingest([other.parent], progress=False)
    try:
        page.wait_for_selector('#rag-documents li[data-doc-id="harbour_crane"]', timeout=10_000)
        page.wait_for_timeout(1200)  # a tick more: the dropdown's redraw and its change event came with the panel's
        assert page.locator("#rag-remove-yes").is_visible()
        assert "Vantor copper mine" in page.locator("#rag-remove-choice input").first.input_value()
        page.locator("#rag-remove-yes").click()
        page.wait_for_function(
            "() => (document.querySelector('#rag-remove-status') || {}).innerText?.includes('Removed')", timeout=60_000)
    finally:
        if "harbour_crane" in own.documents():
            own.remove(["harbour_crane"])
    assert page.locator('#rag-documents li[data-doc-id="vantor_mine"]').count() == 0
    # Issue 41: the upload's "added, you can ask about it now" note went with the article.
    page.wait_for_function("() => !(document.querySelector('#rag-upload-status') || {}).innerText?.includes('Added')",
                           timeout=10_000)
    assert not (home / "uploads" / "vantor_mine.txt").exists()  # a rebuild does not bring it back
    manifest = json.loads((home / "vectorstore" / "manifest.json").read_text(encoding="utf-8"))
    assert "vantor_mine" not in manifest["documents"]
    bot = ask_on_page(page, "How many tonnes of ore did the Vantor copper mine produce in its last year?")
    cited = " ".join(h.inner_text() for h in bot.locator(".rag-source-head").all())
    assert "Vantor" not in cited and "12,300" not in bot.inner_text()


# --- issue 29: the page as a new user meets it ----------------------------------------
# These share the module's served app; only the typed-message test waits for an answer.

def _covered(page) -> list[str]:
    """What covers the page: Gradio's error toasts and the components' error overlays."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="toast-body"], .toast-body, .error')]
                             .filter(e => e.offsetParent !== null).map(e => e.className + ': ' + e.innerText)""")


def _upload(page, path) -> None:
    page.locator("#rag-upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "() => (document.querySelector('#rag-upload-status') || {}).innerText?.includes('Added')", timeout=120_000
    )


def test_an_empty_question_is_not_sent_and_covers_nothing(page, capfd):
    box = page.locator("#rag-question textarea")
    for typed in ("", "   "):
        box.click()
        box.fill(typed)
        box.press("Enter")
        page.wait_for_timeout(1500)  # an error overlay or a sent question would be there by now
        assert _covered(page) == []
        assert page.locator('[data-testid="user"], [data-testid="bot"]').count() == 0
    # The box is still the user's: nothing lies over it, and a question typed now is taken.
    on_top = """() => { const r = document.querySelector('#rag-question textarea').getBoundingClientRect();
                       const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                       return !!(e && e.closest('#rag-question')); }"""
    assert page.evaluate(on_top) and box.is_enabled() and box.is_editable()
    assert page.locator("#rag-question button.submit-button").is_visible()
    err = capfd.readouterr().err
    assert "Type a question first" not in err and "Traceback" not in err, err[-2000:]


def test_a_typed_message_shows_as_typed_in_the_chat_reopened_and_exported(page):
    typed = "<img src=x onerror=alert(1)> who is the foreign minister?"
    ask_on_page(page, typed)
    user = page.locator('[data-testid="user"]').first
    assert user.inner_text().strip() == typed and user.locator("img").count() == 0

    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('foreign minister')")
    page.reload(wait_until="load")
    page.wait_for_selector("#rag-documents li", timeout=60_000)
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('foreign minister')")
    listed = page.locator("#rag-conversation-list label").filter(has_text="foreign minister").first
    # Its title too (isolated in its own direction: U+2068 ... U+2069, issue 33).
    assert listed.inner_text().lstrip("\u2068").startswith(typed) and listed.locator("img").count() == 0
    listed.click()
    page.wait_for_selector('[data-testid="user"]')
    user = page.locator('[data-testid="user"]').first
    assert user.inner_text().strip() == typed and user.locator("img").count() == 0

    with page.expect_download() as download:
        page.locator("#rag-export").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    question = next(line for line in markdown.splitlines() if line.startswith("**Question:**"))
    rendered = MarkdownIt("commonmark").render(question)  # what a Markdown viewer shows
    assert "<img" not in rendered, rendered
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == f"Question: {typed}"


def test_an_arabic_conversation_title_keeps_its_time_stamp_in_order(page):
    # A question stopped at once is saved all the same: no answer is waited for.
    box = page.locator("#rag-question textarea")
    box.fill("من هو وزير خارجية أذربيجان؟")
    box.press("Enter")
    page.locator("button.stop-button").click(timeout=30_000)
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('وزير خارجية')",
                           timeout=60_000)
    label = page.locator("#rag-conversation-list label").filter(has_text="وزير خارجية").first
    # Where the stamp's year and its time are drawn: the year first, left to right, as written.
    year_x, time_x = label.evaluate("""label => {
        const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const m = n.data.match(/(\\d{4})-\\d{2}-\\d{2} (\\d{2}:\\d{2})/);
            if (!m) continue;
            const x = (from, len) => { const r = document.createRange(); r.setStart(n, from); r.setEnd(n, from + len);
                                       return r.getBoundingClientRect().left; };
            return [x(m.index, 4), x(m.index + 11, 5)];
        }
        return null; }""")
    assert year_x < time_x, label.inner_text()


def test_a_heading_line_after_the_front_matter_is_a_title_without_its_hash(page, tmp_path):
    article = tmp_path / "kelvor_dam.txt"
    article.write_text("---\ndate: 2031-05-02\nsource: Caspian Wire\n---\n# Kelvor dam reaches its full height\n"
                       "The Kelvor dam on the Tartar river reached its full height of 97 metres on Friday.\n",
                       encoding="utf-8")
    _upload(page, article)
    title = page.locator('#rag-documents li[data-doc-id="kelvor_dam"] .rag-doc-title').inner_text()
    assert title == "Kelvor dam reaches its full height"


def test_the_upload_result_is_in_sight_after_an_upload(page, tmp_path):
    article = tmp_path / "oltan_ferry.txt"
    article.write_text("Oltan ferry line opens\nThe Oltan ferry line between Baku and Aktau opened on 9 June 2031 "
                       "with two ships a day.\n", encoding="utf-8")
    # A laptop screen; the user has scrolled the side panel to the drop zone, which ends at the screen's foot.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#rag-upload").evaluate("e => e.scrollIntoView({block: 'end'})")
    _upload(page, article)
    page.wait_for_timeout(500)  # let the page settle (the list's redraw, any scrolling)
    in_sight = """() => { const s = document.querySelector('#rag-upload-status .rag-status');
                          const r = s.getBoundingClientRect();
                          if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight) return false;
                          const e = document.elementFromPoint(r.x + Math.min(20, r.width / 2), r.y + r.height / 2);
                          return !!(e && e.closest('#rag-upload-status')); }"""
    assert "You can ask about it now" in page.locator("#rag-upload-status").inner_text()
    assert page.evaluate(in_sight)


def test_an_english_answer_shows_its_stages_then_its_english_beside_its_arabic_quote(page):
    """Issue 32: an English answer over Arabic articles showed nothing but dots until it was finished; it then
    streamed its Arabic quote first. Issue 41: a streamed draft may still be withdrawn, so the page shows the
    answer's stages (in the page's language) until the answer is decided, then the English beside its quote."""
    bot = ask_on_page(page, "Which permanent member of the UN Security Council requested the session on Karabakh?")
    streamed = page.evaluate("window.__streamed")
    assert any(re.match(r"Writing the answer from \d+ passages", t) for t in streamed), streamed
    assert not any(re.search("[\u0600-\u06FF]", t) for t in streamed), streamed  # no draft of the quote
    final = bot.locator(".rag-answer, .rag-unsure").first.inner_text()
    assert re.search("[A-Za-z]", final) and re.search("[\u0600-\u06FF]", final), final


def test_a_why_answer_streams_its_first_quote_then_shows_every_quote_with_its_source(page):
    bot = ask_on_page(page, "لماذا أطلقت أذربيجان عمليتها في قره باغ؟")
    streamed = page.evaluate("window.__streamed")
    quotes = bot.locator(".rag-quoted-sentence")
    assert quotes.count() >= 2, bot.inner_text()
    first = quotes.first.inner_text()
    sentence = first[first.index("«") + 1:first.index("»")]
    # The first quote was on the page, whole, while the answer was still being written (the lead comes last).
    assert any(sentence in text for text in streamed), (sentence, streamed)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", bot.locator(".rag-quoted").inner_text())}
    numbers = {int(s.locator(".rag-source-head .rag-ref").inner_text().strip("[]"))
               for s in bot.locator(".rag-sources .rag-source").all()}
    assert markers and markers == numbers, (markers, numbers)
    assert bot.locator(".rag-passage mark.rag-quote-mark").count() >= 1  # each source marks the sentence quoted
    assert _direction(quotes.first)[1] == "rtl"


def test_asking_again_while_an_answer_streams_loses_no_answer(page):
    """Issue 41 (1): a question sent while an answer streams once overwrote that answer with what it showed at
    that moment ("ال", no sources), and saved it so. Asked again 1 s, 5 s and 20 s into the first answer, the
    new questions wait in sight, and every answer ends whole, in order, and is saved whole."""
    import time

    questions = ["ماذا قال باشينيان عن بقاء الأرمن في قره باغ؟", "من هو وزير خارجية أذربيجان؟",
                 "How many Russian peacekeepers were killed?", "Who is the President of Azerbaijan?"]
    box = page.locator("#rag-question textarea")
    box.fill(questions[0])
    box.press("Enter")
    page.wait_for_selector('[data-testid="bot"] .rag-streaming', timeout=ANSWER_TIMEOUT_MS)
    started = time.monotonic()
    waited = 0
    for question, at in zip(questions[1:], (1, 5, 20)):
        page.wait_for_timeout(max(0.0, at - (time.monotonic() - started)) * 1000)
        streaming = page.locator('[data-testid="bot"] .rag-streaming').count() > 0
        box.fill(question)
        box.press("Enter")
        if streaming:  # asked during an answer: it waits in sight, and the box is free for the next one
            waited += 1
            page.wait_for_function("q => (document.querySelector('#rag-waiting') || {}).innerText?.includes(q)",
                                   arg=question, timeout=10_000)
            assert box.input_value() == ""
    assert waited >= 2, "the first answer ended before the questions sent into it"
    finals = [_wait_final(page, i) for i in range(len(questions))]
    assert page.locator('[data-testid="user"]').all_inner_texts() == questions
    whole = [bot.locator(".rag-answer, .rag-unsure, .rag-refusal").count() == 1 for bot in finals]
    assert all(whole), [bot.inner_text()[:80] for bot in finals]
    assert page.locator('[data-testid="bot"] .rag-streaming').count() == 0
    assert page.locator("#rag-waiting").is_hidden()
    shown = [bot.inner_text() for bot in finals]

    # Saved whole: after a reload the conversation reopens with the four answers as they were shown.
    page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('باشينيان')")
    page.reload(wait_until="load")
    page.wait_for_selector("#rag-documents li", timeout=60_000)
    page.locator("#rag-conversation-list label").filter(has_text="باشينيان").first.click()
    page.wait_for_function("n => document.querySelectorAll('[data-testid=\"bot\"]').length === n", arg=len(questions))
    assert [bot.inner_text() for bot in bot_messages(page).all()] == shown


PAGE_WORDS = {  # the catalogue's (web/strings.toml), as the page must show them
    "en": {"title": "News assistant · Karabakh", "subtitle": "Ask in English or Arabic", "dir": "ltr"},
    "ar": {"title": "مساعد الأخبار · Karabakh", "subtitle": "اسأل بالعربية أو الإنجليزية", "dir": "rtl"},
}


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_the_page_is_in_one_language_and_an_arabic_page_reads_right_to_left(browser, url, width, height):
    """Issue 41 (3, 6): the title named the bundled articles' topic in both languages, the subtitle stayed English
    on an Arabic page, two of four examples were English, the layout stayed left to right, and on a phone the
    header took a quarter of the screen. Each language's page, then a switch that redraws all of it."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ar-EG")
    page = context.new_page()
    phone = width < 768
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        for lang in ("ar", "en"):
            words = PAGE_WORDS[lang]
            if lang == "en":  # the switch in the side panel: everything is redrawn
                if phone:
                    page.locator("#rag-sidebar .toggle-button").click()
                page.locator("#rag-language label").filter(has_text="English").click()
                if phone:
                    page.locator("#rag-sidebar .toggle-button").click()
            page.wait_for_function("t => document.querySelector('#rag-title')?.innerText === t", arg=words["title"],
                                   timeout=10_000)
            page.wait_for_function("d => document.documentElement.dir === d", arg=words["dir"], timeout=10_000)
            assert page.title() == words["title"]
            examples = page.locator("button.example").all_inner_texts()
            assert examples and all((re.search("[\u0600-\u06FF]", e) is not None) == (lang == "ar") for e in examples), examples
            assert page.locator("footer").is_hidden()  # Gradio's own English words
            if phone:  # one line of header, no subtitle
                assert page.locator("#rag-subtitle").is_hidden()
                assert page.locator("#rag-header").bounding_box()["height"] <= 48
            else:
                assert page.locator("#rag-subtitle").inner_text().startswith(words["subtitle"])
                panel = page.locator("#rag-sidebar").bounding_box()
                # The side panel on the reading side: the right for Arabic, the left for English.
                assert (panel["x"] > width / 2) == (lang == "ar"), panel
                assert page.locator("#rag-sidebar").get_attribute("dir") == words["dir"]
    finally:
        context.close()


@pytest.mark.parametrize("lang,width,height", [("en", 1280, 900), ("ar", 1280, 900), ("en", 390, 844), ("ar", 390, 844)])
def test_the_delete_confirmation_reads_on_its_own_line_and_an_arabic_title_shows_its_start(browser, url, lang, width,
                                                                                           height):
    """Issue 41 (5): the delete confirmation was squeezed into a column one or two words wide, and the remove box
    cut off the start of an Arabic title. A saved conversation is made by hand (the browser's storage is the
    page's), so no answer is waited for."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ar-EG" if lang == "ar" else "en-US")
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        if width < 768:
            page.locator("#rag-sidebar .toggle-button").click()
            page.wait_for_function("() => document.querySelector('#rag-sidebar').classList.contains('open')")
        # A conversation to delete: the chat's own clear makes none, so one short answer is saved first.
        if width < 768:
            page.locator("#rag-sidebar .toggle-button").click()
        bot = ask_on_page(page, "Who won the 2022 FIFA World Cup?")  # refused before the model: quick
        assert bot.locator(".rag-refusal").count() == 1
        if width < 768:
            page.locator("#rag-sidebar .toggle-button").click()
            page.wait_for_function("() => document.querySelector('#rag-sidebar').classList.contains('open')")
        page.wait_for_function("() => document.querySelector('#rag-conversation-list').innerText.includes('FIFA')")
        page.locator("#rag-delete-chat").click()
        question = page.locator("#rag-delete-question")
        question.wait_for(state="visible", timeout=10_000)
        panel = page.locator("#rag-sidebar").bounding_box()
        box = question.bounding_box()
        assert box["width"] >= 0.6 * panel["width"], (box, panel)  # a line, not a column of words
        yes = page.locator("#rag-delete-yes").bounding_box()
        assert yes["y"] >= box["y"] + box["height"] - 1  # the buttons under the question
        page.locator("#rag-delete-no").click()

        page.locator("#rag-remove").locator("button, span").filter(
            has_text=re.compile("Remove an article|احذف مقالًا من الفهرس")).first.click()
        choice = page.locator("#rag-remove-choice input").first
        choice.click()
        page.get_by_role("option").filter(has_text="بيراموف").first.click()
        page.keyboard.press("Escape")
        # The title's first words are in sight: the box reads its text right to left, from its start.
        assert choice.evaluate("e => getComputedStyle(e).unicodeBidi") == "plaintext"
        assert choice.evaluate("e => e.scrollLeft") <= 0
    finally:
        context.close()


def test_the_side_panel_shows_the_feeds_in_the_page_s_language(browser, served):
    """Issue 42: the side panel lists the library's feeds with their state, in the page's words, and says when the
    library last changed; a feed added while the page is open shows without a reload (the panel's timer)."""
    from rag.indexing.feeds import FeedList
    from rag.settings import Settings

    url, home, _ = served
    feeds = FeedList(Settings(home=home))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-EG")
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#rag-documents li", state="attached", timeout=60_000)
        assert "حُدّثت المكتبة" in page.locator("#rag-library").inner_text()
        feeds.add("https://example.org/news/rss")
        page.wait_for_selector("#rag-library .rag-feeds li", timeout=30_000)  # drawn by the timer
        assert "لم تُجلب بعد" in page.locator("#rag-library").inner_text()
        page.locator("#rag-language label").filter(has_text="English").click()
        page.wait_for_function("() => document.querySelector('#rag-library')?.innerText.includes('not polled yet')",
                               timeout=10_000)
        text = page.locator("#rag-library").inner_text()
        assert "Feeds" in text and "https://example.org/news/rss" in text and "Library updated" in text
    finally:
        feeds.remove("https://example.org/news/rss")
        context.close()
