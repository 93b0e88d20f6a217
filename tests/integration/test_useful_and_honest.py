"""Useful and honest (issue 28), with the real models and the shipped decision thresholds.

An answerable question whose candidate is weak comes back *unsure* with the sentence that
holds its answer (here, /ask and the CLI; the page in test_web_browser.py); a near-topic
question the articles do not answer is refused; an English question gets its answer through
the cross-language path that was kept; the self-check signal is high for a right candidate
and low for a wrong one; and the README's examples print what the README says they print.

All share the session's loaded models (conftest `assistant`) and one served app.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.devtools.evaluate import contains_answer, supports
from rag.devtools.loadtest import free_port
from rag.web.app import build_app
from rag.web.server import serve

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
README = (REPO / "README.md").read_text(encoding="utf-8")

# Chosen from the tuning sets' rows (docs/eval-runs/useful-calibration), each with a margin to its threshold;
# greedy decoding makes them repeatable.
# Tuning-set questions (tests/data/questions.jsonl ar-02, en-07; questions_tuning3.jsonl t3-ar-13).
WEAK = {"question": "أين ألقى بيراموف كلمته بشأن مقترح السلام مع أرمينيا؟", "evidence": ["خلال جلسة بمجلس الأمن الدولي"]}
NEAR_TOPIC_UNANSWERABLE = "كم يبلغ عمر وزير الخارجية الأذربيجاني جيهون بيراموف؟"  # his age: not in the articles
OFF_TOPIC = "من فاز بكأس العالم لكرة القدم 2022؟"  # nothing near it in the articles
ENGLISH = {"question": "On what date in 2020 did the Azerbaijani army launch its operation to liberate its occupied "
                       "territories?", "answers": ["27 September", "September 27", "27th", "27 سبتمبر"]}


@pytest.fixture(scope="module")
def ask_url(private_copy):
    own, work = private_copy("useful-served")
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def check_unsure(result: dict) -> None:
    assert result["status"] == "unsure" and not result["refused"], result
    assert supports(result["sentence"], WEAK["evidence"]), result["sentence"]
    assert result["sentence"] in result["answer"] and result["citations"]
    assert result["confidence"] < 1.0 and result["answerability"] is not None


def test_a_weak_candidate_comes_back_unsure_with_the_sentence_that_holds_the_answer(shipped):
    check_unsure(shipped.ask(WEAK["question"]).to_dict())


def test_unsure_through_ask(ask_url):
    from gradio_client import Client

    check_unsure(Client(ask_url, verbose=False).predict(WEAK["question"], api_name="/ask"))


def test_unsure_through_the_cli(index_dir, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(REPO / "seeds", home / "seeds")
    shutil.copytree(index_dir, home / "vectorstore")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}  # the shipped thresholds
    env["RAG_HOME"] = str(home)
    done = subprocess.run([str(BIN / "rag"), "ask", "--json", WEAK["question"]], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    check_unsure(json.loads(done.stdout))


def test_a_near_topic_question_the_articles_do_not_answer_is_never_answered(shipped):
    """Refused, or (since issue 32's refit refuses half the tuning unanswerables and leaves the rest to correctness)
    unsure with the sentence alone: never a candidate stated as the answer."""
    answer = shipped.ask(NEAR_TOPIC_UNANSWERABLE)
    assert answer.status in ("refused", "unsure"), answer
    if answer.refused:
        assert not answer.citations and answer.text == "لم أجد إجابة عن هذا السؤال في المقالات المتاحة."
    else:
        assert answer.confidence == 0.0 and not answer.quote and answer.sentence in answer.text, answer


def test_an_english_question_gets_its_answer_on_the_kept_path(shipped):
    answer = shipped.ask(ENGLISH["question"])
    assert answer.status == "answered" and answer.language == "en", answer
    assert contains_answer(answer.text, ENGLISH["answers"]) and answer.citations
    assert answer.signals["cross"] == 1.0 and answer.quote in answer.sentence


def test_the_sentence_cosine_is_high_for_an_answered_english_question_and_low_for_an_unrelated_one(shipped):
    """`dense_sentence`, the cross path's answerability signal: the embedder is multilingual, so an
    English question meets the Arabic sentence that answers it (measured 0.63) far above one about
    something the articles never touch (0.35)."""
    answer = shipped.ask(ENGLISH["question"])
    assert answer.signals["dense_sentence"] >= 0.55
    assert answer.signals["dense_sentence"] == max(e.similarity for e in shipped.answerer.span.evidence(ENGLISH["question"]))
    unrelated = shipped.answerer.span.evidence("Which football club won the Azerbaijani league in 2019?")
    assert unrelated and max(e.similarity for e in unrelated) <= 0.45  # close enough to be read, yet low


def test_the_self_check_is_high_for_a_right_candidate_and_low_for_a_wrong_one(shipped):
    from rag.answering.prompt import answer_messages

    question = "من هو وزير خارجية أذربيجان؟"
    evidence = shipped.answerer.span.evidence(question)
    messages = answer_messages(question, "ar", evidence)
    right = shipped.answerer.span.self_check([*messages, {"role": "assistant", "content": "جيهون بيراموف [1]."}],
                                        question, "جيهون بيراموف")
    wrong = shipped.answerer.span.self_check([*messages, {"role": "assistant", "content": "ثلاث شحنات [1]."}],
                                        question, "ثلاث شحنات")
    # Measured: about 0.88 against 0.62 for a plausible wrong name: a weak signal, which is why it is not kept.
    assert right > 0.7 and wrong < right - 0.15, (right, wrong)


# --- the README's examples print what the README says ------------------------------------------

def readme_python_example() -> tuple[str, dict]:
    """The README's Python question and what its comments say the answer's fields are."""
    import ast

    question = re.search(r'answer = assistant\.ask\("([^"]+)"\)', README).group(1)
    said = {}
    for line in README.splitlines():
        m = re.match(r"answer\.(\w+), answer\.(\w+), answer\.(\w+)\s+# (.+)$", line.strip())
        if m:
            said.update(zip(m.groups()[:3], ast.literal_eval(f"({m.group(4)})")))
    return question, said


def test_the_readme_python_example_prints_what_it_says(shipped):
    question, said = readme_python_example()
    answer = shipped.ask(question)
    assert set(said) == {"text", "refused", "language", "status", "confidence", "quote"}, said
    for key in ("text", "refused", "language", "status", "quote"):
        assert getattr(answer, key) == said[key], (key, getattr(answer, key), said[key])
    assert abs(answer.confidence - said["confidence"]) <= 0.02


def test_the_readme_json_example_is_what_rag_ask_json_prints(shipped):
    command = re.search(r'`rag ask --json "([^"]+)"` prints', README)
    assert command, "the README names the question of its JSON example"
    shown = json.loads(re.search(r"```json\n(.+?)\n```", README, re.S).group(1))
    got = shipped.ask(command.group(1)).to_dict()
    for key in ("answer", "refused", "status", "quote", "language", "reason"):
        assert shown[key] == got[key], (key, shown[key], got[key])
    assert shown["citations"][0]["doc_id"] == got["citations"][0]["doc_id"]


# --- the page, in a real browser ------------------------------------------------------------

ANSWERED = "من هو وزير خارجية أذربيجان؟"


def test_the_page_shows_an_answer_an_unsure_answer_with_its_sentence_and_a_refusal(ask_url):
    """Debian's Chromium through Playwright on the served app. With RAG_UI_SCREENSHOT=path.png the
    conversation is kept as the README's screenshot (docs/ui-screenshot.png is made this way)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1200, "height": 2000})
        page.goto(ask_url, wait_until="load")
        page.wait_for_selector("#rag-documents li", timeout=60_000)
        bots = page.locator('[data-testid="bot"]')
        finals = {}
        # The refusal: a question off the articles' topic (a near-topic one is unsure since issue 32's refit).
        for kind, question in (("answer", ANSWERED), ("unsure", WEAK["question"]), ("refusal", OFF_TOPIC)):
            index = bots.count()
            box = page.locator("#rag-question textarea")
            box.fill(question)
            box.press("Enter")
            page.wait_for_function(
                """i => { const b = document.querySelectorAll('[data-testid="bot"]');
                          return b.length > i && b[i].querySelector('.rag-answer, .rag-unsure, .rag-refusal, .rag-error'); }""",
                arg=index, timeout=180_000)
            finals[kind] = bots.nth(index)
        assert finals["answer"].locator(".rag-answer").count() == 1
        unsure = finals["unsure"].locator(".rag-unsure")
        assert unsure.count() == 1, finals["unsure"].inner_text()
        sentences = unsure.locator("blockquote.rag-unsure-sentence")
        assert sentences.count() >= 1
        assert any(supports(s.inner_text(), WEAK["evidence"]) for s in sentences.all())
        assert unsure.locator("blockquote.rag-unsure-sentence mark").count() >= 1  # the candidate's words marked
        assert finals["refusal"].locator(".rag-refusal").count() == 1
        assert finals["refusal"].locator(".rag-sources").count() == 0
        if os.environ.get("RAG_UI_SCREENSHOT"):
            page.screenshot(path=os.environ["RAG_UI_SCREENSHOT"], full_page=True)
        browser.close()


def test_a_quoted_answer_through_ask_carries_its_kind_quotes_and_citations(ask_url):
    from gradio_client import Client

    result = Client(ask_url, verbose=False).predict("ما شروط اتفاق وقف إطلاق النار؟", api_name="/ask")
    assert result["kind"] == "content" and not result["refused"], result
    assert 2 <= len(result["quotes"]) <= 6 and result["sentences"] == [q["sentence"] for q in result["quotes"]]
    numbers = {c["n"] for c in result["citations"]}
    assert {q["n"] for q in result["quotes"]} == numbers
    for q in result["quotes"]:
        assert f"«{q['sentence']}» [{q['n']}]" in result["answer"]
