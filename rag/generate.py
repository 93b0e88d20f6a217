"""Text generation with a local GGUF model through llama-cpp-python.

llama.cpp contexts are not thread-safe, so one lock serializes generations on a model;
the lock is held for the whole stream, and released when the stream ends or is dropped.
Sampling is greedy (temperature 0) with a fixed seed, so the same question over the same
index gives the same answer, which is what evaluation and tests need.

A `FirstTokenProbe` reads the model's own judgement without a second call: the
probability it gives, at the first answer position, to the first token of a watched
reply (our NO_ANSWER sentinel). Greedy decoding only tells us whether that token won;
the probability tells us how close it came, which makes a calibrated refusal threshold.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import DependencyError, ModelChecksumError

Messages = list[dict[str, str]]


class FirstTokenProbe:
    """Records P(the first generated token starts one of `texts`) during one generation.

    Several spellings, because a small model writes its sentinel as NO_ANSWER or No_ANSWER.
    """

    def __init__(self, *texts: str):
        self.texts = texts
        self.probability: float | None = None

    def observe(self, token_ids: set[int], logits) -> None:
        if self.probability is None:
            import numpy as np

            z = np.asarray(logits, dtype=np.float64)
            z = np.exp(z - z.max())
            self.probability = float(sum(z[i] for i in token_ids) / z.sum())


class LlamaCppGenerator:
    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 2, seed: int = 42):
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyError("llama-cpp-python is not installed: run `make run`") from exc
        self.model_path = Path(model_path)
        self.seed = seed
        try:
            # llama.cpp reports load failures on stderr and then raises a bare ValueError;
            # the user gets our message instead of pages of C++ log.
            with contextlib.redirect_stderr(io.StringIO()):
                self.llm = Llama(
                    model_path=str(self.model_path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    seed=seed,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelChecksumError(
                f"llama.cpp could not load {self.model_path} ({exc}): the file is not a usable GGUF model."
            ) from exc
        self._lock = threading.Lock()

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None
    ) -> Iterator[str]:
        processors = None
        if probe is not None:
            token_ids = {self.llm.tokenize(t.encode(), add_bos=False, special=False)[0] for t in probe.texts}

            def watch(_input_ids, logits):  # called once per sampled token, before sampling
                probe.observe(token_ids, logits)
                return logits

            processors = [watch]
        with self._lock:
            for chunk in self.llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, seed=self.seed, stream=True,
                logits_processor=processors,
            ):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece


class FakeGenerator:
    """A scripted generator for unit tests of the pipeline logic (no model involved).

    `reply` is a fixed string or a function of the messages; it is streamed word by word.
    The messages of every call are kept in `.calls` so tests can check the prompt.
    `probe_probability`: what a probe reads (default: 1.0 when the reply starts with a
    watched text, else 0.0), to script a model that hesitates.
    """

    def __init__(self, reply: str | Callable[[Messages], str], probe_probability: float | None = None):
        self.reply = reply
        self.probe_probability = probe_probability
        self.calls: list[Messages] = []

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None
    ) -> Iterator[str]:
        self.calls.append(messages)
        text = self.reply(messages) if callable(self.reply) else self.reply
        if probe is not None:
            scripted = self.probe_probability
            probe.probability = scripted if scripted is not None else float(text.startswith(probe.texts))
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word
