"""The OpenAI-compatible /v1 of a served app, driven by the official `openai` client.

The app is the real one (page, /ask and /v1 on one port, real models) over a copy of the
test index, with an API key set.
"""

from __future__ import annotations

import shutil

import openai
import pytest
from openai import OpenAI

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.web.app import build_app
from rag.web.server import serve

KEY = "sk-test-0123456789"


@pytest.fixture(scope="module")
def v1(assistant, index_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("v1")
    shutil.copytree(index_dir, work / "vectorstore")
    own = Assistant(index_dir=work / "vectorstore", llm=assistant.llm, embeddings=assistant.embeddings)
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, api_key=KEY, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/v1"
    app.close()


@pytest.fixture
def client(v1):
    return OpenAI(base_url=v1, api_key=KEY, max_retries=0, timeout=300)


def test_models_lists_the_assistant(client):
    assert [m.id for m in client.models.list()] == ["rag-news"]


def test_streamed_arabic_answer_carries_markers_and_citations_in_the_last_chunk(client):
    stream = client.chat.completions.create(
        model="rag-news", stream=True, messages=[{"role": "user", "content": "من هو وزير خارجية أذربيجان؟"}],
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2  # it came in pieces
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra
    assert extra["status"] in ("answered", "unsure") and extra["refused"] is False
    assert "بيراموف" in text and "[1]" in text
    assert extra["citations"] and extra["citations"][0]["n"] == 1 and "بيراموف" in " ".join(c["text"] for c in extra["citations"])
    assert {"doc_id", "title", "text", "score", "date", "source"} <= set(extra["citations"][0])


def test_refusal_is_a_normal_completion_marked_refused(client):
    done = client.chat.completions.create(model="rag-news", messages=[{"role": "user", "content": "Who won the 2022 FIFA World Cup?"}])
    assert done.choices[0].message.content.startswith("I could not find the answer")
    assert done.model_extra["refused"] is True and done.model_extra["status"] == "refused"
    assert done.model_extra["citations"] == []


def test_follow_up_is_resolved_from_messages(client):
    done = client.chat.completions.create(model="rag-news", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "من هو وزير خارجية أذربيجان؟"},
        {"role": "assistant", "content": "جيهون بيراموف [1]"},
        {"role": "user", "content": "وأين ألقى كلمته؟"},
    ])
    assert done.model_extra["refused"] is False
    assert any("بمجلس الأمن" in c["text"] for c in done.model_extra["citations"])


def test_a_wrong_key_is_refused_with_openais_error_shape(v1):
    bad = OpenAI(base_url=v1, api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.chat.completions.create(model="rag-news", messages=[{"role": "user", "content": "من هو وزير الخارجية؟"}])
    assert caught.value.status_code == 401 and caught.value.body["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_empty_and_too_long_questions_are_400(client, assistant):
    for content in ("   ", "س" * (assistant.settings.max_question_chars + 1)):
        for stream in (False, True):
            with pytest.raises(openai.BadRequestError) as caught:
                client.chat.completions.create(model="rag-news", stream=stream, messages=[{"role": "user", "content": content}])
            assert caught.value.status_code == 400 and caught.value.body["type"] == "invalid_request_error"


def test_503_while_the_models_load(index_dir, tmp_path):
    app = build_app(Assistant(index_dir=index_dir), uploads_dir=tmp_path, ready=False)
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0)
        with pytest.raises(openai.InternalServerError) as caught:
            client.chat.completions.create(model="rag-news", messages=[{"role": "user", "content": "من هو وزير الخارجية؟"}])
        assert caught.value.status_code == 503 and caught.value.body["code"] == "model_loading"
        assert caught.value.response.headers["retry-after"] == "5"
    finally:
        app.close()
