"""RAG_LLM_URL: generation on llama-cpp-python's own OpenAI-compatible server, for real.

`python -m llama_cpp.server` is started on 127.0.0.1 with the default GGUF; the
assistant (embedder and index in this process) sends it the same prompt it would give
the in-process model, and must answer with a citation, streamed.
"""

from __future__ import annotations

from rag import Answer, Assistant
from rag.llm.server import OpenAICompatibleLLM as OpenAICompatibleGenerator


def test_answer_with_citations_through_the_llm_server(llm_url, index_dir):
    assistant = Assistant(llm_url=llm_url, index_dir=index_dir, answer_at=None, unsure_at=None)  # shipped thresholds
    try:
        items = list(assistant.stream("من هو وزير خارجية أذربيجان؟"))
        answer = items[-1]
        assert isinstance(answer, Answer) and not answer.refused  # answered or unsure, with the name
        assert "بيراموف" in answer.text and answer.citations
        assert any("بيراموف" in c.text for c in answer.citations)
        assert len(items) >= 3  # streamed in pieces before the final answer
        assert isinstance(assistant.llm.inner, OpenAICompatibleGenerator)
        # A near-topic question passes the score gate (the article says the number was not given):
        # the model's reply, or its confidence, must keep it from being stated as fact.
        near = assistant.ask("How many Russian peacekeepers were killed?")
        assert near.status != "answered" and near.language == "en", near
        assert near.reason not in ("", "off_topic"), near.reason  # judged after the model was asked
    finally:
        assistant.close()


def test_the_probe_reads_the_servers_logprobs(llm_url):
    from rag.llm import FirstTokenProbe

    gen = OpenAICompatibleGenerator(llm_url)
    probe = FirstTokenProbe("NO_ANSWER", "No_ANSWER")
    messages = [{"role": "system", "content": "Reply with exactly NO_ANSWER and nothing else."},
                {"role": "user", "content": "What is the capital of Atlantis?"}]
    text = "".join(gen.stream_chat(messages, max_tokens=8, probe=probe))
    assert "NO" in text.upper()
    assert probe.probability is not None and probe.probability > 0.5
