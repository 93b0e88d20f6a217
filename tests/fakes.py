"""Test doubles for fast unit tests of the pipeline logic. They load no model.

`FakeLLM` and `FailingLLM` implement `rag.llm.LLM`; `FakeEmbeddings` is a LangChain
`Embeddings`. The contract test (tests/integration/test_llm_backends.py) holds FakeLLM to
the same interface as the real backends, so a fake cannot drift from what it stands for.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator

from langchain_core.embeddings import Embeddings

from rag.lang import words
from rag.llm import FirstTokenProbe, Messages
from rag.llm.copy import CopySpans


class FakeLLM:
    """A scripted LLM: `reply` is a fixed string or a function of the messages; streamed word by word.

    The messages of every call are kept in `.calls` so tests can check the prompt.
    `probe_probability`: what a probe reads (default: 1.0 when the reply starts with a
    watched text, else 0.0), to script a model that hesitates; `logprob`: the log-probability
    it reports for every token. Under a copy constraint the reply is streamed as scripted
    (a test scripts a span); `.copies` keeps the constraints it was given.
    """

    name = "fake"

    def __init__(self, reply: str | Callable[[Messages], str], probe_probability: float | None = None,
                 logprob: float = -0.05):
        self.reply = reply
        self.probe_probability = probe_probability
        self.logprob = logprob
        self.calls: list[Messages] = []
        self.copies: list[CopySpans] = []

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None,
        copy: CopySpans | None = None, seed: int | None = None,
    ) -> Iterator[str]:
        self.calls.append(messages)
        if copy is not None:
            self.copies.append(copy)
        text = self.reply(messages) if callable(self.reply) else self.reply
        if probe is not None:
            scripted = self.probe_probability
            probe.probability = scripted if scripted is not None else float(text.startswith(probe.texts))
            probe.token_logprobs += [self.logprob] * (len(text.split(" ")[:max_tokens]) + 1)
        for i, word in enumerate(text.split(" ")[:max_tokens]):  # a word stands for a token
            yield word if i == 0 else " " + word


class FailingLLM(FakeLLM):
    """A FakeLLM that streams `pieces` words of its reply, then fails like a crashed model.

    `failures`: how many calls fail before it answers normally (None: every call), so a
    test can show that the same assistant answers the next question after a crash.
    """

    def __init__(self, reply: str = "جيهون بيراموف هو وزير", pieces: int = 2, error: Exception | None = None,
                 failures: int | None = None):
        super().__init__(reply)
        self.pieces = pieces
        self.error = error or RuntimeError("llama_decode returned -3")
        self.failures = failures

    def stream_chat(self, messages: Messages, **kwargs) -> Iterator[str]:
        if self.failures is not None and len(self.calls) >= self.failures:
            yield from super().stream_chat(messages, **kwargs)
            return
        for i, piece in enumerate(super().stream_chat(messages, **kwargs)):
            if i >= self.pieces:
                break
            yield piece
        raise self.error


class FakeEmbeddings(Embeddings):
    """Deterministic bag-of-words vectors: same words, similar vectors. Not a model."""

    def __init__(self, dimension: int = 64):
        self.name = f"fake-{dimension}"
        self.dimension = dimension

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in words(text):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
