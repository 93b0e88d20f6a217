"""The LLM-server backend against a scripted OpenAI-compatible HTTP server on loopback.

Streaming (through the `openai` client), the first-token probe from log-probabilities, a
server that refuses them or sends nothing, one that dies mid-answer, and one that cannot be
reached. The real
llama_cpp.server is exercised in test_llm_server.py.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.errors import GenerationError
from rag.llm import FirstTokenProbe
from rag.llm.server import OpenAICompatibleLLM as OpenAICompatibleGenerator

QUESTION = "من هو وزير خارجية أذربيجان جيهون بيراموف؟"


# --- the LLM server client (OpenAI-compatible), against a scripted server ------------------
class _Scripted(BaseHTTPRequestHandler):
    requests: list = []
    logprobs_ok = True
    fail_after: int | None = None
    reply = ["NO", "_ANSWER"]
    top = [("NO", -0.2), ("J", -1.9), ("The", -3.0)]

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "qwen-test", "object": "model"}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if body.get("logprobs") and not type(self).logprobs_ok:
            return self._json(500, {"error": {"message": "logprobs is not supported"}})
        if body.get("logprobs") and type(self).logprobs_ok == "empty":
            # llama_cpp.server --logits_all false: 200, then the stream ends with no event
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b": ping\n\n")
        for i, piece in enumerate(type(self).reply):
            if type(self).fail_after is not None and i >= type(self).fail_after:
                self.wfile.flush()
                self.connection.shutdown(2)  # the server dies mid-answer
                return
            choice = {"index": 0, "delta": {"content": piece}}
            if body.get("logprobs"):
                choice["logprobs"] = {"content": [{"token": piece, "logprob": -0.1, "top_logprobs": [
                    {"token": t, "logprob": lp} for t, lp in type(self).top]}]}
            self.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
        # As llama_cpp.server and vLLM end an answer: a last chunk with the finish reason, then [DONE].
        self.wfile.write(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def _json(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def llm_server():
    handler = type("Handler", (_Scripted,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()
    server.server_close()


def test_server_generator_streams_and_reads_the_probe(llm_server):
    url, handler = llm_server
    gen = OpenAICompatibleGenerator(url + "/", seed=7)
    probe = FirstTokenProbe("NO_ANSWER", "No_ANSWER")
    pieces = list(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=20, probe=probe))
    assert pieces == ["NO", "_ANSWER"]
    assert probe.probability == pytest.approx(0.8187, abs=1e-3)  # exp(-0.2): only "NO" starts a watched text
    sent = handler.requests[0]
    assert sent["stream"] is True and sent["model"] == "qwen-test" and sent["seed"] == 7
    assert sent["logprobs"] is True and sent["top_logprobs"] == 10 and sent["max_tokens"] == 20
    # Without a probe no log-probabilities are asked for.
    list(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=20))
    assert "logprobs" not in handler.requests[1]


def test_a_copy_constraint_goes_to_the_server_as_a_grammar_but_guided_copying_does_not(llm_server):
    from rag.llm.copy import CopySpans

    url, handler = llm_server
    gen = OpenAICompatibleGenerator(url)
    sources = ["جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده"]
    list(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=20, copy=CopySpans(sources, escapes=("NO_ANSWER",))))
    grammar = handler.requests[-1]["grammar"]
    assert grammar.startswith("root ::= ") and '"بيراموف"' in grammar and '"NO_ANSWER"' in grammar
    list(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=20, copy=CopySpans(sources, guided=True)))
    assert "grammar" not in handler.requests[-1]


def test_server_generator_without_logprobs_leaves_the_probe_empty(llm_server):
    url, handler = llm_server
    handler.logprobs_ok = False
    gen = OpenAICompatibleGenerator(url, model="m")
    probe = FirstTokenProbe("NO_ANSWER")
    assert "".join(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=8, probe=probe)) == "NO_ANSWER"
    assert probe.probability is None  # "no signal"
    assert [("logprobs" in r) for r in handler.requests] == [True, False]
    list(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=8, probe=FirstTokenProbe("NO_ANSWER")))
    assert "logprobs" not in handler.requests[-1]  # not asked again


def test_server_sending_nothing_for_logprobs_is_asked_again_without(llm_server):
    url, handler = llm_server
    handler.logprobs_ok = "empty"
    gen = OpenAICompatibleGenerator(url, model="m")
    probe = FirstTokenProbe("NO_ANSWER")
    assert "".join(gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=8, probe=probe)) == "NO_ANSWER"
    assert probe.probability is None and [("logprobs" in r) for r in handler.requests] == [True, False]


def test_probe_gets_no_signal_when_no_top_token_is_watched():
    probe = FirstTokenProbe("NO_ANSWER")
    probe.observe_top([("J", -0.1), (" The", -2.0)])
    assert probe.probability is None


def test_unreachable_server_is_a_clear_error_naming_the_url(make_assistant):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    url = f"http://127.0.0.1:{port}/v1"
    assistant = make_assistant(llm_url=url, llm_from_settings=True)
    with pytest.raises(GenerationError, match=rf"LLM server at {url} cannot be reached.*RAG_LLM_URL"):
        assistant.ask(QUESTION)


def test_server_dying_mid_answer_is_a_generation_error(llm_server):
    url, handler = llm_server
    handler.reply = ["جيهون", " بيراموف", " [1]"]
    handler.fail_after = 1
    gen = OpenAICompatibleGenerator(url, model="m", timeout=10)
    got = []
    with pytest.raises(GenerationError, match=f"{url}"):
        for piece in gen.stream_chat([{"role": "user", "content": "q"}], max_tokens=8):
            got.append(piece)
    assert got == ["جيهون"]


def test_assistant_answers_through_the_llm_server(llm_server, make_assistant):
    url, handler = llm_server
    handler.reply = ["تحدث جيهون بيراموف", " أمام مجلس الأمن الدولي [1]."]
    handler.top = [("و", -0.05)]
    assistant = make_assistant(llm_url=url, llm_from_settings=True)
    answer = assistant.ask(QUESTION)
    assert not answer.refused and answer.citations and "بيراموف" in answer.text
    assert isinstance(assistant.llm.inner, OpenAICompatibleGenerator)
    assert handler.requests[0]["messages"][0]["role"] == "system"


