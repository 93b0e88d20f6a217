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
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import DependencyError, ModelChecksumError
from .base import FirstTokenProbe, Messages
from .copy import CopySpans


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
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None,
        copy: CopySpans | None = None,
    ) -> Iterator[str]:
        processor = None
        if probe is not None or copy is not None:
            processor = _Processor(self, probe, copy)
        with self._lock:
            for chunk in self.llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, seed=self.seed, stream=True,
                logits_processor=[processor] if processor else None,
            ):
                choice = chunk["choices"][0]
                piece = choice["delta"].get("content")
                if piece:
                    yield piece
                if choice.get("finish_reason") == "stop" and processor is not None:
                    processor.finish()

    @cached_property
    def end_ids(self) -> set[int]:
        """Tokens that end a reply: the model's end-of-sequence and its chat turn's end."""
        ids = {self.llm.token_eos()}
        for marker in (b"<|im_end|>", b"<|eot_id|>", b"<|end|>", b"<end_of_turn>"):
            tokens = self.llm.tokenize(marker, add_bos=False, special=True)
            if len(tokens) == 1:
                ids.add(tokens[0])
        return ids

    @cached_property
    def closer_ids(self):
        """Tokens with no letter or digit (punctuation, spaces, "[", a line break), as a numpy array.

        Under a copy constraint a model that wants to close its answer ("." or " [1]") is
        not allowed those tokens, and would carry on copying instead (measured: spans that
        ran to the end of the sentence). Their probability counts as ending the span.
        """
        return self.vocabulary_classes[0]

    @cached_property
    def break_ids(self):
        """Tokens that start with a space or punctuation: a guided copy may always break off a word with one."""
        return self.vocabulary_classes[1]

    @cached_property
    def vocabulary_classes(self):
        """(closer ids, break ids), read once per model (about a second for a 150k vocabulary)."""
        import numpy as np

        detok = self.llm.detokenize
        closers, breaks = [], []
        for i in range(self.llm.n_vocab()):
            text = detok([i]).decode("utf-8", "ignore")
            if not any(ch.isalnum() for ch in text):
                closers.append(i)
            if text and not text[0].isalnum():
                breaks.append(i)
        return np.asarray(closers, dtype=np.int64), np.asarray(breaks, dtype=np.int64)

    def tokenize(self, text: bytes) -> list[int]:
        return self.llm.tokenize(text, add_bos=False, special=False)


class _Processor:
    """One generation's logits processor: reads the probe, records each chosen token's
    log-probability (before any constraint), and masks what a `CopySpans` forbids.

    llama.cpp calls it once per generated token with every token so far; the token chosen
    at the previous call is therefore the last of `input_ids`.
    """

    def __init__(self, backend: LlamaCppLLM, probe: FirstTokenProbe | None, copy: CopySpans | None):
        import numpy as np

        self.np = np
        self.backend, self.probe, self.copy = backend, probe, copy
        self.watched = set()
        if probe is not None:
            self.watched = {backend.tokenize(t.encode())[0] for t in probe.texts}
        self.tokenize = lru_cache(maxsize=4096)(backend.tokenize)
        self.ends = backend.end_ids
        self.eos = backend.llm.token_eos()
        self.last = None  # log-softmax of the previous call's logits

    def __call__(self, input_ids, logits):
        np = self.np
        if self.last is not None:
            chosen = int(input_ids[-1])
            self._record(float(self.last[chosen]))
            if self.copy is not None:
                self.copy.advance(self.backend.llm.detokenize([chosen]))
        z = np.asarray(logits, dtype=np.float64)
        top = z.max()
        log_softmax = z - (top + np.log(np.exp(z - top).sum()))
        if self.probe is not None:
            self.probe.observe(self.watched, logits)
        self.last = log_softmax
        if self.copy is None:
            return logits
        allowed = self.copy.allowed(self.tokenize, self.ends)
        if allowed is None:
            return logits
        ids = np.fromiter(allowed, dtype=np.int64)
        if self.copy.guided:  # mid-word: finish the source's word, or break off with a space or punctuation
            masked = np.full_like(logits, -1e30)
            keep = np.concatenate([ids, self.backend.break_ids])
            masked[keep] = logits[keep]
            if self.probe is not None:
                self.probe.copy_mass.append(float(np.exp(log_softmax[keep]).sum()))
            return masked
        masked = np.full_like(logits, -1e30)
        masked[ids] = logits[ids]
        mass = float(np.exp(log_softmax[ids]).sum())
        if self.eos in allowed:  # the span may end here: wanting to close it counts as ending it
            closing = np.setdiff1d(self.backend.closer_ids, ids, assume_unique=True)
            closing = np.concatenate([closing, [self.eos]])
            top = float(z[closing].max())
            masked[self.eos] = top + np.log(np.exp(z[closing] - top).sum())
            mass += float(np.exp(log_softmax[closing]).sum() - np.exp(log_softmax[self.eos]))
        if self.probe is not None:
            self.probe.copy_mass.append(min(1.0, mass))
        return masked

    def _record(self, logprob: float) -> None:
        if self.probe is not None:
            self.probe.token_logprobs.append(logprob)

    def finish(self) -> None:
        """The reply ended on an end token, which no later call saw: record its log-probability."""
        if self.last is not None:
            self._record(max(float(self.last[i]) for i in self.ends))
            self.last = None
