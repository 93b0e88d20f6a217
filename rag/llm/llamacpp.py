"""The in-process backend: a local GGUF model through llama-cpp-python.

llama.cpp contexts are not thread-safe, so one lock serializes generations on a model;
the lock is held for the whole stream, and released when the stream ends or is dropped.
Sampling is greedy (temperature 0) with a fixed seed, so the same question over the same
index gives the same answer, which is what evaluation and tests need. The prompt's fixed
openings are read once per model and machine and restored from disk (`prepare`, openings.py).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Iterator
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import DependencyError, ModelChecksumError
from . import openings as saved
from .base import FirstTokenProbe, Messages
from .copy import CopySpans

log = logging.getLogger(__name__)


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
        self.openings: list[saved.Opening] = []

    # --- the prompt's fixed openings ----------------------------------------------------
    def prepare(self, openings: list[Messages], cache_dir: Path | None = None) -> None:
        """Have each fixed opening's state ready: from `cache_dir` when saved there, else read now (and saved).

        Reading the answer prompt's opening costs about 10 s on 2 cores; restoring it, well
        under a second. Called at load, so a server's first question is as fast as its tenth.
        """
        import llama_cpp

        build = f"{llama_cpp.__version__} {llama_cpp.llama_print_system_info().decode(errors='ignore')} n_ctx={self.llm.n_ctx()}"
        for messages in openings:
            messages = [dict(turn) for turn in messages]
            if any(o.messages == messages for o in self.openings):
                continue
            path = Path(cache_dir) / saved.state_key(self.model_path, build, messages) if cache_dir else None
            opening = saved.load(path, messages, self.llm.n_vocab()) if path else None
            if opening is None:
                opening = self.read_opening(messages)
                if path:
                    saved.save(path, opening)
            self.openings.append(opening)

    def read_opening(self, messages: Messages) -> saved.Opening:
        """Read an opening into the KV cache and keep its state.

        Its tokens are found as llama.cpp itself renders the chat: the shared start of two
        conversations that differ only in a last user turn (one short turn more to read).
        """
        import numpy as np
        from llama_cpp import LlamaState

        seen = []
        with self._lock:
            self.llm.reset()
            for probe in ("a", "b"):
                self.llm.create_chat_completion(
                    messages=[*messages, {"role": "user", "content": probe}], max_tokens=1, temperature=0.0, seed=self.seed,
                )
                seen.append(self.llm.input_ids[: self.llm.n_tokens].tolist())
            state = self.llm.save_state()
        # The logits copy (hundreds of MB for a 150k vocabulary) is dropped: a restored state
        # is decoded again before anything is sampled from it.
        state = LlamaState(
            input_ids=state.input_ids, scores=np.zeros((1, self.llm.n_vocab()), dtype=np.single), n_tokens=state.n_tokens,
            llama_state=state.llama_state, llama_state_size=state.llama_state_size, seed=state.seed,
        )
        return saved.Opening(messages, saved.shared_prefix(*seen), state)

    def opening_for(self, messages: Messages) -> saved.Opening | None:
        """The longest prepared opening that `messages` starts with."""
        fits = [o for o in self.openings if messages[: len(o.messages)] == o.messages]
        return max(fits, key=lambda o: len(o.messages), default=None)

    def restore_opening(self, messages: Messages) -> bool:
        """Load the state of the opening `messages` starts with, unless the KV cache already holds it.

        The caller holds the lock. True when a state was loaded.
        """
        opening = self.opening_for(messages)
        if opening is None:
            return False
        n = len(opening.tokens)
        held = self.llm.input_ids[: min(n, self.llm.n_tokens)].tolist()
        if held == opening.tokens:
            return False
        try:
            self.llm.load_state(opening.state)
        except RuntimeError as exc:  # a state from another build: read the prompt in full instead
            log.warning("could not restore a prompt state (%s); it will be read again", exc)
            self.openings.remove(opening)
            self.llm.reset()
            return False
        return True

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None,
        copy: CopySpans | None = None, seed: int | None = None,
    ) -> Iterator[str]:
        processor = None
        if probe is not None or copy is not None:
            processor = _Processor(self, probe, copy)
        with self._lock:
            self.restore_opening(messages)
            for chunk in self.llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, seed=self.seed if seed is None else seed,
                stream=True,
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
