"""The chat UI served for real by Gradio on loopback, called over HTTP."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from rag import Assistant
from rag.ui import build_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(index_dir, tiny_llm_path):
    """The real app on a real server; the tiny LLM keeps this test about serving, not quality."""
    app = build_app(Assistant(index_dir=index_dir, llm_path=tiny_llm_path))
    port = _free_port()
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, ssr_mode=False, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_page_is_served(served):
    with urllib.request.urlopen(served, timeout=30) as resp:
        assert resp.status == 200
        assert "Karabakh news assistant" in resp.read().decode()


def test_chat_endpoint_streams_an_answer_with_sources(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    reply = client.predict("من هو وزير خارجية أذربيجان؟", api_name="/chat")
    text = reply if isinstance(reply, str) else str(reply)
    assert "المصادر" in text or "not covered" in text  # a final answer was rendered, not a partial
    assert "⚠️" not in text


def test_build_app_does_not_launch(index_dir):
    app = build_app(Assistant(index_dir=index_dir))
    assert not getattr(app, "is_running", False)
