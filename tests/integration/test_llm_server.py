"""RAG_LLM_URL: generation on llama-cpp-python's own OpenAI-compatible server, for real.

`python -m llama_cpp.server` is started on 127.0.0.1 with the default GGUF; the
assistant (embedder and index in this process) sends it the same prompt it would give
the in-process model, and must answer with a citation, streamed.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from rag import Answer, Assistant
from rag.generate import OpenAICompatibleGenerator
from rag.load import free_port
from rag.models import DEFAULT_LLM, REGISTRY, ensure
from rag.settings import Settings



@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    model = ensure(REGISTRY[DEFAULT_LLM], Settings().models_dir)
    port = free_port()
    log = open(tmp_path_factory.mktemp("llm-server") / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", str(Settings().n_threads), "--verbose", "false"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"llama_cpp.server exited; see {log.name}"
            assert time.time() < deadline, f"llama_cpp.server did not start in 180 s; see {log.name}"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_answer_with_citations_through_the_llm_server(llm_url, index_dir):
    assistant = Assistant(llm_url=llm_url, index_dir=index_dir)
    try:
        items = list(assistant.stream("من هو وزير خارجية أذربيجان؟"))
        answer = items[-1]
        assert isinstance(answer, Answer) and not answer.refused
        assert "بيراموف" in answer.text and answer.citations
        assert any("بيراموف" in c.text for c in answer.citations)
        assert len(items) >= 3  # streamed in pieces before the final answer
        assert isinstance(assistant.generator.inner, OpenAICompatibleGenerator)
        # The first-token probe reads the server's log-probabilities (llama_cpp.server's default logits_all).
        off_topic = assistant.ask("Who won the 2022 FIFA World Cup?")
        assert off_topic.refused and off_topic.language == "en"
    finally:
        assistant.close()


def test_the_probe_reads_the_servers_logprobs(llm_url):
    from rag.generate import FirstTokenProbe

    gen = OpenAICompatibleGenerator(llm_url)
    probe = FirstTokenProbe("NO_ANSWER", "No_ANSWER")
    messages = [{"role": "system", "content": "Reply with exactly NO_ANSWER and nothing else."},
                {"role": "user", "content": "What is the capital of Atlantis?"}]
    text = "".join(gen.stream_chat(messages, max_tokens=8, probe=probe))
    assert "NO" in text.upper()
    assert probe.probability is not None and probe.probability > 0.5
