"""Text generation with a local GGUF model through llama-cpp-python.

llama.cpp contexts are not thread-safe, so one lock serializes generations on a model;
the lock is held for the whole stream, and released when the stream ends or is dropped.
Sampling is greedy (temperature 0) with a fixed seed, so the same question over the same
index gives the same answer, which is what evaluation and tests need.

A `FirstTokenProbe` reads the model's own judgement without a second call: the
probability it gives, at the first answer position, to the first token of a watched
reply (our NO_ANSWER sentinel). Greedy decoding only tells us whether that token won;
the probability tells us how close it came, which makes a calibrated refusal threshold.

`OpenAICompatibleGenerator` sends the same requests to an LLM server instead
(`RAG_LLM_URL=http://host:port/v1`: llama-cpp-python's own `python -m llama_cpp.server`,
or vLLM, or any server speaking OpenAI's /chat/completions with streaming), using only
the standard library. `GuardedGenerator` turns any failure of a generator into a
`GenerationError` with a message for the user, so the UI and the CLI can report it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import DependencyError, GenerationError, ModelChecksumError, RagError

log = logging.getLogger(__name__)

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

    def observe_top(self, top: list[tuple[str, float]]) -> None:
        """The same reading from a server's top log-probabilities of the first token.

        A server gives token strings, not ids: a top token counts when a watched text starts
        with it (leading space ignored). When none of the top tokens does, the probability
        stays None ("no signal"): it is somewhere below the smallest top probability.
        """
        if self.probability is not None:
            return
        hits = [math.exp(lp) for tok, lp in top if tok.strip() and any(t.startswith(tok.strip()) for t in self.texts)]
        if hits:
            self.probability = min(1.0, sum(hits))


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


class FailingGenerator(FakeGenerator):
    """A FakeGenerator that streams `pieces` words of its reply, then fails like a crashed model."""

    def __init__(self, reply: str = "جيهون بيراموف هو وزير", pieces: int = 2, error: Exception | None = None):
        super().__init__(reply)
        self.pieces = pieces
        self.error = error or RuntimeError("llama_decode returned -3")

    def stream_chat(self, messages: Messages, **kwargs) -> Iterator[str]:
        for i, piece in enumerate(super().stream_chat(messages, **kwargs)):
            if i >= self.pieces:
                break
            yield piece
        raise self.error


GENERATION_FAILED = "the language model failed while answering; please try again."


class GuardedGenerator:
    """Any generator, with its failures (also mid-answer) turned into a `GenerationError`.

    The user gets one clear message; the exception itself goes to the log. Errors that are
    already a `RagError` (a model file that cannot load, an unreachable LLM server) pass
    unchanged: their message already says what to do. Other attributes are the inner
    generator's (`.llm`, `.calls`).
    """

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        if name == "inner":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def stream_chat(self, messages: Messages, **kwargs) -> Iterator[str]:
        stream = self.inner.stream_chat(messages, **kwargs)
        try:
            yield from stream
        except RagError:
            raise
        except Exception as exc:
            log.error("generation failed: %r", exc, exc_info=True)
            raise GenerationError(GENERATION_FAILED) from exc
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()


class _EmptyStream(GenerationError):
    """The server accepted the request and then sent no event at all."""


class OpenAICompatibleGenerator:
    """Generation on an OpenAI-compatible server: POST {url}/chat/completions, streamed.

    `url` is the API root, e.g. http://127.0.0.1:8000/v1. The reply arrives as server-sent
    events, parsed here with urllib (no client library). For the probe, the request asks
    for the top log-probabilities of each token; a server that refuses them (llama_cpp.server
    started with --logits_all false) is asked again without, and the probe stays None.
    The server queues concurrent requests itself: no lock is needed on this side.
    """

    def __init__(self, url: str, *, model: str | None = None, timeout: float = 120.0, seed: int = 42):
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.seed = seed
        self._logprobs = True  # until the server says it cannot give them
        self._model_checked = model is not None

    def _fail(self, what: str, exc: Exception | str) -> GenerationError:
        return GenerationError(
            f"the LLM server at {self.url} {what} ({exc}). Start it (e.g. `python -m llama_cpp.server --model "
            "<file.gguf> --host 127.0.0.1 --port 8000`) or unset RAG_LLM_URL to use the in-process model."
        )

    def _open(self, path: str, body: dict | None = None):
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json", "Accept": "text/event-stream" if body else "application/json"},
        )
        return urllib.request.urlopen(request, timeout=self.timeout)

    def models(self) -> list[str]:
        """The model ids the server lists (GET {url}/models)."""
        import urllib.error

        try:
            with self._open("/models") as resp:
                return [m.get("id") for m in json.load(resp).get("data", []) if m.get("id")]
        except urllib.error.HTTPError as exc:  # it answers, but lists nothing: send no model name
            log.warning("the LLM server at %s does not list its models (HTTP %s)", self.url, exc.code)
            return []
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise self._fail("cannot be reached", getattr(exc, "reason", exc)) from exc

    def _post(self, body: dict):
        import urllib.error

        try:
            return self._open("/chat/completions", body)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            if body.get("logprobs") and exc.code in (400, 422, 500, 501):
                return None  # most likely the log-probabilities: the caller asks again without them
            raise self._fail(f"refused the request with HTTP {exc.code}", detail or exc.reason) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise self._fail("cannot be reached", getattr(exc, "reason", exc)) from exc

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None
    ) -> Iterator[str]:
        if not self._model_checked:
            names = self.models()
            self.model = names[0] if names else None
            self._model_checked = True
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "seed": self.seed,
                "stream": True}
        if self.model:
            body["model"] = self.model
        if probe is not None and self._logprobs:
            resp = self._post({**body, "logprobs": True, "top_logprobs": 10})
            if resp is not None:
                try:
                    with resp:
                        yield from self._events(resp, probe)
                    return
                except _EmptyStream:
                    pass  # llama_cpp.server --logits_all false answers 200 and then nothing
            log.warning("the LLM server at %s gives no log-probabilities: refusals rely on the answer text", self.url)
            self._logprobs = False
        with self._post(body) as resp:
            yield from self._events(resp, probe)

    def _events(self, resp, probe: FirstTokenProbe | None) -> Iterator[str]:
        probed = False  # only the first generated token is read
        finished = False
        events = 0
        try:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue  # blank separators, comments (": ping") and event names
                data = line[5:].strip()
                events += 1
                if data == "[DONE]":
                    return
                event = json.loads(data)
                if "error" in event:
                    raise self._fail("failed while answering", event["error"])
                choices = event.get("choices") or [{}]
                choice = choices[0]
                if probe is not None and not probed:
                    content = (choice.get("logprobs") or {}).get("content") or []
                    if content:
                        probed = True
                        probe.observe_top([(t.get("token", ""), t.get("logprob", -math.inf))
                                           for t in content[0].get("top_logprobs") or []])
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece
                finished = finished or bool(choice.get("finish_reason"))
        except (OSError, ValueError) as exc:  # a dropped connection, a timeout, a garbled event
            raise self._fail("stopped answering", exc) from exc
        if not events:
            raise _EmptyStream(self._fail("stopped answering", "it sent no reply at all"))
        if not finished:  # the connection closed without [DONE] or a finish_reason: cut off
            raise self._fail("stopped answering", "the stream ended before the answer was complete")
