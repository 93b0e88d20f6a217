"""The page's handlers with fake models over a real index in tmp_path; the app's wiring; `rag serve`."""

from __future__ import annotations

import subprocess
from pathlib import Path
import sys

import pytest
from fakes import FakeLLM as FakeGenerator

from rag import Answer, Stage
from rag.web import app as ui


@pytest.fixture
def handlers(make_assistant, tmp_path):
    def reply(messages):
        user = messages[-1]["content"]
        if "Zorblax" in user and "[1]" in user:
            return "The Zorblax project opened in Baku in 2031 [1]."
        if "standalone" in messages[0]["content"].lower() or "conversation" in user.lower():
            return "أين ألقى وزير خارجية أذربيجان جيهون بيراموف كلمته؟"
        return "تحدث جيهون بيراموف أمام مجلس الأمن الدولي [1]."

    return ui.ChatHandlers(make_assistant(FakeGenerator(reply)), tmp_path / "uploads")


def test_respond_shows_the_stages_not_a_draft_then_the_final_answer(handlers):
    """Issue 41: a streamed draft once turned into a refusal ("ال…", then "no answer found"). The page shows
    what is happening, in its language, and the answer once it is decided."""
    out = list(handlers.respond("من هو وزير خارجية أذربيجان جيهون بيراموف؟", [], lang="ar"))
    shown = list(dict.fromkeys(out[:-1]))  # while a step runs the page re-sends what it shows (web/relay.py)
    assert all("rag-streaming" in o for o in shown)
    assert "جارٍ البحث في المقالات" in shown[0] and any("جارٍ كتابة الإجابة من" in o for o in shown), shown
    assert not any("تحدث" in o for o in shown)  # the model's words only once checked
    assert "rag-answer" in out[-1] and 'class="rag-sources"' in out[-1] and "تحدث جيهون بيراموف" in out[-1]


def test_the_stages_are_streamed_only_when_asked_for(handlers):
    question = "من هو وزير خارجية أذربيجان جيهون بيراموف؟"
    assert not any(isinstance(item, Stage) for item in handlers.assistant.stream(question))  # the contract as it was
    staged = list(handlers.assistant.stream(question, stages=True))
    assert staged[0] == Stage("searching") and isinstance(staged[-1], Answer)
    writing = next(i for i, item in enumerate(staged) if isinstance(item, Stage) and item.name == "writing")
    assert staged[writing].passages >= 1 and all(isinstance(item, str) for item in staged[writing + 1:-1])


def test_follow_up_sees_the_conversation_as_plain_text(handlers):
    first = list(handlers.respond("من هو وزير خارجية أذربيجان جيهون بيراموف؟", []))[-1]
    history = [
        {"role": "user", "content": [{"type": "text", "text": "من هو وزير خارجية أذربيجان جيهون بيراموف؟"}]},
        {"role": "assistant", "content": [{"type": "text", "text": first}]},
    ]
    list(handlers.respond("وأين ألقى كلمته؟", history))
    rewrite_prompt = "\n".join(m["content"] for m in handlers.assistant.llm.inner.calls[1])
    assert "تحدث جيهون بيراموف أمام مجلس الأمن الدولي" in rewrite_prompt
    assert "<div" not in rewrite_prompt and "rag-sources" not in rewrite_prompt


def test_errors_become_a_message_and_the_chat_goes_on(handlers):
    out = list(handlers.respond("   ", []))
    assert len(out) == 1 and "rag-error" in out[0] and "empty" in out[0]

    def boom(messages):
        raise RuntimeError("llama.cpp exploded")

    handlers.assistant.llm.inner.reply = boom  # the scripted model now crashes
    out = list(handlers.respond("من هو وزير خارجية أذربيجان جيهون بيراموف؟", []))
    assert "rag-error" in out[-1] and "try again" in out[-1] and "exploded" not in out[-1]


def test_ask_returns_the_cli_json_shape(handlers):
    got = handlers.ask("من هو وزير خارجية أذربيجان جيهون بيراموف؟")
    assert set(got) == {"answer", "refused", "status", "confidence", "answerability", "quote", "sentence", "sentences", "searched", "language",
                        "reason", "citations", "kind", "lead", "quotes"}
    assert got["refused"] is False and got["language"] == "ar" and got["reason"] == ""
    assert "بيراموف" in got["answer"] and "[1]" in got["answer"]
    assert got["citations"] and set(got["citations"][0]) == {"n", "doc_id", "title", "text", "score", "date", "source", "also_published_by", "paragraph"}
    assert got["citations"][0]["n"] == 1 and "بيراموف" in got["citations"][0]["text"]


def test_upload_is_ingested_listed_and_answerable_at_once(handlers, tmp_path):
    article = tmp_path / "outside" / "zorblax.md"
    article.parent.mkdir()
    article.write_text("# Zorblax project\n\nThe Zorblax project opened in Baku in 2031 with 12 engineers.\n", encoding="utf-8")
    steps = []
    status = handlers.add_articles([str(article)], lambda value, desc=None: steps.append(value))
    assert "Added \u2068zorblax.md\u2069" in status and steps[-1] == 1.0
    assert (tmp_path / "uploads" / "zorblax.md").is_file()
    assert "Zorblax project" in handlers.documents_html() and "3 articles indexed" in handlers.documents_html()
    answer = handlers.ask("When did the Zorblax project open in Baku?")
    assert not answer["refused"] and answer["citations"][0]["doc_id"] == "zorblax"
    # The same file again changes nothing; a file of another type is refused with a reason.
    assert "nothing new" in handlers.add_articles([str(article)])
    bad = tmp_path / "outside" / "tool.exe"
    bad.write_bytes(b"MZ")
    assert "rag-error" in handlers.add_articles([str(bad)]) and ".pdf" in handlers.add_articles([str(bad)])


def test_notes_are_in_the_page_language_and_name_articles_by_title(handlers, tmp_path):
    article = tmp_path / "outside" / "zorblax_plant.md"
    article.parent.mkdir()
    article.write_text("# محطة زوربلاكس\n\nافتتحت محطة زوربلاكس في باكو عام 2031 وتنتج 90 ألف متر مكعب.\n", encoding="utf-8")
    assert "✓ أُضيف \u2068zorblax_plant.md\u2069. يمكنك السؤال عنه الآن." in handlers.add_articles([str(article)], lang="ar")
    assert "عدد المقالات المفهرسة: 3" in handlers.documents_html("ar")
    assert ("محطة زوربلاكس", "zorblax_plant") in handlers.article_choices()  # the title, no id in the label
    assert "اختر أولًا" in handlers.remove_article(None, "ar")
    assert "حُذف «\u2068محطة زوربلاكس\u2069» من الفهرس" in handlers.remove_article("zorblax_plant", "ar")
    assert "لم يعد في الفهرس" in handlers.remove_article("zorblax_plant", "ar")  # gone meanwhile: said, not "not in the index: id"
    assert "«12/03/2026» ليس تاريخًا" in list(handlers.respond("س؟", [], since="12/03/2026 ", lang="ar"))[-1]
    reversed_dates = list(handlers.respond("When?", [], since="2031-05-01", until="2031-01-01", lang="en"))[-1]
    # Each date isolated left to right: after Arabic letters a bare "2031-05-01" is drawn "01-05-2031".
    assert "The start date \u20662031-05-01\u2069 is after the end date \u20662031-01-01\u2069" in reversed_dates
    assert "\u20662031-05-01\u2069" in list(handlers.respond("متى؟", [], since="2031-05-01", until="2031-01-01 ",
                                                         lang="ar"))[-1]
    assert "«\u2068x\u2069» ليس تاريخًا" in list(handlers.respond("س؟", [], since="   ", until="x", lang="ar"))[-1]
    assert "عدد أحرف السؤال 2001،" in list(handlers.respond("س" * 2001, [], lang="ar"))[-1]


def test_articles_of_the_same_title_are_told_apart_in_the_remove_list(handlers, tmp_path):
    for name, when in (("a.md", "2031-01-02"), ("b.md", "2031-03-04")):
        (tmp_path / name).write_text(f"---\ndate: {when}\nsource: Wire\n---\n# Dam report\n\nThe dam in {name} "
                                     f"held {len(name) * 7} million cubic metres on {when}.\n", encoding="utf-8")
        handlers.add_articles([str(tmp_path / name)])
    labels = [label for label, _ in handlers.article_choices() if label.startswith("Dam report")]
    assert labels == ["Dam report · Wire · 2031-01-02", "Dam report · Wire · 2031-03-04"]


def test_app_wiring(handlers):
    app = ui.build_app(handlers.assistant, handlers.uploads)
    names = {fn.api_name for fn in app.blocks.fns.values()}
    assert {"chat", "ask", "add_articles"} <= names
    queued = [fn for fn in app.blocks.fns.values() if fn.queue is not False]
    assert queued and {fn.concurrency_id for fn in queued} == {"rag-assistant"}  # one model, one lane
    assert not getattr(app, "is_running", False)


def test_launch_warns_when_serving_the_network_without_auth(monkeypatch, capsys):
    calls = []
    from rag.web import server

    from types import SimpleNamespace

    class Upkeep:  # the watched folders and feeds: recorded, not run
        def __init__(self, assistant, folders, lane=None):
            calls.append(("upkeep", list(folders)))

        def start(self):
            pass

    monkeypatch.setattr(server, "build_app", lambda assistant, ready=True: SimpleNamespace(
        handlers=SimpleNamespace(assistant=assistant, lane=None, upkeep=None)))
    monkeypatch.setattr(server, "Upkeep", Upkeep)
    monkeypatch.setattr(server, "serve", lambda app, host, port, auth=None, api_key=None: calls.append((host, port, auth)))
    monkeypatch.delenv("RAG_UI_AUTH", raising=False)
    monkeypatch.delenv("RAG_API_KEY", raising=False)
    server.launch("0.0.0.0", 7861, assistant=object())
    err = capsys.readouterr().err
    assert "WARNING" in err and "RAG_API_KEY" in err and calls[-1] == ("0.0.0.0", 7861, None)
    server.launch("0.0.0.0", 7861, assistant=object(), auth="ana:pw")
    assert "WARNING" not in capsys.readouterr().err and calls[-1][2] == ("ana", "pw")
    monkeypatch.setenv("RAG_UI_AUTH", "env:pw")
    server.launch(assistant=object())
    assert calls[-1] == ("127.0.0.1", 7860, ("env", "pw"))  # loopback by default
    monkeypatch.setenv("RAG_WATCH", '["/srv/news"]')
    server.launch(assistant=object(), watch=["/tmp/inbox"])
    assert calls[-2] == ("upkeep", [Path("/srv/news"), "/tmp/inbox"])  # the settings' folders and --watch's


def test_serve_cli_offers_auth_and_rejects_a_malformed_one():
    run = lambda *a: subprocess.run([sys.executable, "-m", "rag.cli", "serve", *a], capture_output=True, text=True, timeout=60)  # noqa: E731
    help_text = run("--help").stdout
    assert "--auth" in help_text and "127.0.0.1" in help_text
    bad = run("--host", "0.0.0.0", "--auth", "nopassword")
    assert bad.returncode == 2 and "user:password" in bad.stderr and "Traceback" not in bad.stderr
