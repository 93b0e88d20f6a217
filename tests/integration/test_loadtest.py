"""`rag load` against the real Gradio server: 8 users at once, bounded.

With a scripted model (fast: the queue is visible, nothing errors, the numbers add up,
only loopback is accepted) and with the tiny real LLM. The full run with the default
models is `rag load` (figures in the README).
"""

from __future__ import annotations

import shutil
import time

import pytest
from fakes import FakeLLM

from rag import Assistant
from rag.devtools import loadtest as load
from rag.errors import RagError


def test_eight_concurrent_users_are_all_answered_and_the_server_stays_up(assistant, index_dir, tiny_llm_path, tmp_path):
    shutil.copytree(index_dir, tmp_path / "vectorstore")
    served = Assistant.load(index_dir=tmp_path / "vectorstore", llm_path=tiny_llm_path, embeddings=assistant.embeddings)
    app, url = load.serve_locally(served, uploads_dir=tmp_path / "uploads")
    try:
        # The span path's questions (the quoted path's takes the tiny model 6 s): 8 users at once is the point.
        quick = [q for q in load.QUESTIONS if not q.startswith(("ماذا قال", "What did"))]
        report = load.run(url, users=8, questions_per_user=1, questions=quick, time_limit=600)
        summary = report.summary()
        print(load.format_report(summary))
        assert summary["requests"] == 8 and summary["errors"] == 0, [r.outcome for r in report.errors]
        assert summary["answered"] + summary["unsure"] + summary["refused"] == 8
        # One model: requests take turns, and those waiting are shown their place in the queue.
        assert summary["max_queue_position"] is not None and summary["max_queue_position"] >= 1
        assert summary["server_up_after"]
    finally:
        app.close()
        served.close()


class SlowLLM(FakeLLM):
    """Takes ~0.3 s an answer, like a (very fast) model, so that requests really queue."""

    def stream_chat(self, messages, **kwargs):
        for piece in super().stream_chat(messages, **kwargs):
            time.sleep(0.05)
            yield piece


def test_load_run_against_the_served_app_with_a_scripted_model(make_assistant, tmp_path):
    assistant = make_assistant(SlowLLM("تحدث جيهون بيراموف أمام مجلس الأمن الدولي [1]."))
    assistant.ensure_index()
    app, url = load.serve_locally(assistant, uploads_dir=tmp_path / "uploads")
    try:
        report = load.run(url, users=8, questions_per_user=2, time_limit=120)
    finally:
        app.close()
    s = report.summary()
    assert s["requests"] == 16 and s["errors"] == 0, [r.outcome for r in report.errors]
    assert s["answered"] + s["unsure"] + s["refused"] == 16
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
