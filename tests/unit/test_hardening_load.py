"""`rag load` itself, against the real Gradio server with fake models (fast): the queue is
visible, nothing errors, the numbers add up, and only loopback is accepted."""

from __future__ import annotations

import time

import pytest

from rag import Assistant, load
from rag.embed import FakeEmbeddings
from rag.errors import RagError
from rag.generate import FakeGenerator


class SlowGenerator(FakeGenerator):
    """Takes ~0.3 s an answer, like a (very fast) model, so that requests really queue."""

    def stream_chat(self, messages, **kwargs):
        for piece in super().stream_chat(messages, **kwargs):
            time.sleep(0.05)
            yield piece


def test_load_run_against_the_served_app(tmp_path, seeds_copy):
    assistant = Assistant(
        generator=SlowGenerator("تحدث جيهون بيراموف أمام مجلس الأمن الدولي [1]."), embeddings=FakeEmbeddings(),
        seeds_dir=seeds_copy, index_dir=tmp_path / "index", models_dir=tmp_path / "models", home=tmp_path,
        min_score=0.05,
    )
    assistant.ensure_index()
    app, url = load.serve_locally(assistant, uploads_dir=tmp_path / "uploads")
    try:
        report = load.run(url, users=8, questions_per_user=2, time_limit=120)
    finally:
        app.close()
    s = report.summary()
    assert s["requests"] == 16 and s["errors"] == 0, [r.outcome for r in report.errors]
    assert s["answered"] + s["refused"] == 16
    assert s["max_queue_position"] >= 1 and s["requests_shown_a_queue_position"] >= 4
    assert 0 < s["latency_p50_s"] <= s["latency_p95_s"] <= s["latency_max_s"]
    assert s["throughput_per_min"] > 0 and s["server_up_after"] is True


@pytest.mark.parametrize("url", ["http://example.com:7860/", "http://10.0.0.1/", "http://0.0.0.0:7860/"])
def test_load_refuses_other_hosts(url):
    with pytest.raises(RagError, match="only runs against this machine"):
        load.run(url)


def test_load_is_bounded():
    with pytest.raises(RagError, match="bounded"):
        load.run("http://127.0.0.1:9/", users=500)
