"""The chat UI served for real by Gradio on loopback, called over HTTP."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request

import pytest

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.types import Answer
from rag.web.app import build_app
from rag.web.server import serve


@pytest.fixture(scope="module")
def served_assistant(index_dir, assistant, tmp_path_factory):
    """The default models (shared with the session's assistant, loaded once); a copy of the index takes the uploads."""
    work = tmp_path_factory.mktemp("ui-api")
    shutil.copytree(index_dir, work / "vectorstore")
    own = Assistant(index_dir=work / "vectorstore", llm=assistant.llm, embeddings=assistant.embeddings)
    return own, work / "uploads"


@pytest.fixture(scope="module")
def served(served_assistant):
    """The real app on a real server, launched as `rag serve` launches it."""
    assistant, uploads = served_assistant
    app = build_app(assistant, uploads_dir=uploads)
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_page_is_served(served):
    with urllib.request.urlopen(served, timeout=30) as resp:
        assert resp.status == 200
        assert "News assistant" in resp.read().decode()  # the page's own name (issue 41), then the library's


def test_chat_endpoint_streams_an_answer_with_sources(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    reply = client.predict("من هو وزير خارجية أذربيجان؟", api_name="/chat")
    text = reply if isinstance(reply, str) else str(reply)
    assert "rag-answer" in text and 'class="rag-sources"' in text  # the final answer, with its sources
    assert "بيراموف" in text and "[1]" in text
    assert "rag-streaming" not in text and "rag-error" not in text and "rag-refusal" not in text


def test_ask_endpoint_returns_the_cli_json(served, served_assistant):
    from gradio_client import Client

    client = Client(served, verbose=False)
    result = client.predict("من هو وزير خارجية أذربيجان؟", api_name="/ask")
    assert set(result) == {"answer", "refused", "status", "confidence", "answerability", "quote", "sentence", "sentences", "searched",
                         "language", "reason", "citations", "kind", "lead", "quotes"}  # the last three: issue 39
    assert result["language"] == "ar"
    assert result["refused"] is False and "بيراموف" in result["answer"] and result["citations"]
    # Greedy decoding: the endpoint gives what `rag ask --json` would print (the probabilities up to the
    # last digit: the KV cache's state before a question moves the first token's tiny P(NO_ANSWER) a little).
    direct = served_assistant[0].ask("من هو وزير خارجية أذربيجان؟").to_dict()
    for key in ("confidence", "answerability"):
        assert abs(result.pop(key) - direct.pop(key)) <= 0.01
    assert result == direct
    off_topic = client.predict("Who won the 2022 FIFA World Cup?", api_name="/ask")
    assert off_topic == Answer(text=off_topic["answer"], refused=True, language="en", reason="off_topic",
                               confidence=0.0, answerability=0.0, searched="Who won the 2022 FIFA World Cup?",
                               kind="factoid").to_dict()
    assert "/ask" in client.view_api(print_info=False, return_format="str")


def test_ask_endpoint_reports_a_bad_question_clearly(served):
    from gradio_client import Client

    with pytest.raises(Exception, match="empty"):
        Client(served, verbose=False).predict("   ", api_name="/ask")


def test_uploaded_article_is_answerable_through_the_api(served, served_assistant, tmp_path):
    from gradio_client import Client, handle_file

    article = tmp_path / "lake_report.md"
    article.write_text(
        "# Qarvandi lake report\n\nThe Qarvandi lake near Shusha was refilled in 2031 with 4 million cubic metres of water.\n",
        encoding="utf-8",
    )
    client = Client(served, verbose=False)
    status, documents, _ = client.predict([handle_file(str(article))], api_name="/add_articles")
    assert "Added \u2068lake_report.md\u2069" in status and "Qarvandi lake report" in documents
    question = "When was the Qarvandi lake near Shusha refilled?"
    # The running server's index has it at once: it is the best passage, far above the refusal gate.
    best = served_assistant[0].retrieve(question)[0]
    assert best.doc_id == "lake_report" and best.score > served_assistant[0].settings.min_score
    result = client.predict(question, api_name="/ask")
    assert set(result) == {"answer", "refused", "status", "confidence", "answerability", "quote", "sentence", "sentences", "searched",
                         "language", "reason", "citations", "kind", "lead", "quotes"}  # the last three: issue 39
    assert result["refused"] is False and "2031" in result["answer"], result
    assert result["citations"][0]["doc_id"] == "lake_report"


def test_auth_is_required_when_set(served_assistant):
    from gradio_client import Client

    app = build_app(served_assistant[0], uploads_dir=served_assistant[1])
    port = free_port()
    serve(app, port=port, auth=("ana", "s3cret"), prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(url + "config", timeout=30)
        assert denied.value.code == 401
        with pytest.raises(Exception):
            Client(url, verbose=False)
        client = Client(url, auth=("ana", "s3cret"), verbose=False)
        assert client.predict("Who won the 2022 FIFA World Cup?", api_name="/ask")["refused"] is True
    finally:
        app.close()


def test_build_app_does_not_launch(index_dir, tmp_path):
    app = build_app(Assistant(index_dir=index_dir), uploads_dir=tmp_path)
    assert not getattr(app, "is_running", False)
