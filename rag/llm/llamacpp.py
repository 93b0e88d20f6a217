"""The in-process backend: a local GGUF model through llama-cpp-python.

llama.cpp contexts are not thread-safe, so one lock serializes generations on a model;
the lock is held for the whole stream, and released when the stream ends or is dropped.
Sampling is greedy (temperature 0) with a fixed seed, so the same question over the same
index gives the same answer, which is what evaluation and tests need.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from pathlib import Path

from ..errors import DependencyError, ModelChecksumError
from .base import FirstTokenProbe, Messages


class LlamaCppLLM:
    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 2, seed: int = 42):
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyError("llama-cpp-python is not installed: run `make run`") from exc
        self.model_path = Path(model_path)
        self.name = self.model_path.name
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


