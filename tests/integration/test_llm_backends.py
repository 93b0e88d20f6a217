"""One contract for every LLM backend: the fake the unit tests use, llama.cpp in this
process (the tiny test GGUF), and an OpenAI-compatible server (llama_cpp.server with the
default GGUF). Whatever the pipeline relies on of `rag.llm.LLM` is checked here, so a
backend, or the fake, cannot drift from the others.
"""

from __future__ import annotations

import pytest
from fakes import FakeLLM

from rag.llm import LLM, FirstTokenProbe, GuardedLLM
from rag.llm.llamacpp import LlamaCppLLM
from rag.llm.server import OpenAICompatibleLLM

MESSAGES = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]


@pytest.fixture(scope="module", params=["fake", "llama.cpp", "server"])
def backend(request, tiny_llm_path):
    if request.param == "fake":
        return FakeLLM("Paris is the capital of France.")
    if request.param == "llama.cpp":
        return LlamaCppLLM(tiny_llm_path, n_ctx=1024, n_threads=2)
    return OpenAICompatibleLLM(request.getfixturevalue("llm_url"), timeout=120)


def test_implements_the_protocol_and_names_its_model(backend):
    assert isinstance(backend, LLM)
    assert isinstance(backend.name, str) and backend.name


def test_streams_text_pieces_within_max_tokens(backend):
    pieces = list(backend.stream_chat(MESSAGES, max_tokens=8, temperature=0.0))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip()
    assert len(pieces) <= 8  # a piece is at most one token


def test_greedy_decoding_is_repeatable(backend):
    first = "".join(backend.stream_chat(MESSAGES, max_tokens=12, temperature=0.0))
    again = "".join(backend.stream_chat(MESSAGES, max_tokens=12, temperature=0.0))
    assert first == again


def test_probe_reads_a_probability_or_says_it_has_none(backend):
    probe = FirstTokenProbe("Paris")
    text = "".join(backend.stream_chat(MESSAGES, max_tokens=8, temperature=0.0, probe=probe))
    assert probe.probability is None or 0.0 <= probe.probability <= 1.0
    if text.lstrip().startswith("Paris") and not isinstance(backend, OpenAICompatibleLLM):
        assert probe.probability and probe.probability > 0.0  # the winning token had some mass


def test_a_stream_closed_early_leaves_the_backend_usable(backend):
    stream = backend.stream_chat(MESSAGES, max_tokens=8, temperature=0.0)
    next(stream)
    stream.close()  # what the pipeline does on an early refusal: the model's lock must be released
    assert "".join(backend.stream_chat(MESSAGES, max_tokens=4, temperature=0.0)).strip()


def test_guarded_keeps_the_contract(backend):
    guarded = GuardedLLM(backend)
    assert isinstance(guarded, LLM) and guarded.name == backend.name and guarded.inner is backend
    assert "".join(guarded.stream_chat(MESSAGES, max_tokens=4, temperature=0.0)).strip()
