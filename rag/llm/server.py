"""The server backend: any OpenAI-compatible /chat/completions endpoint (RAG_LLM_URL).

llama-cpp-python's own `python -m llama_cpp.server`, vLLM, or any server speaking OpenAI's
streamed chat completions, reached through the `openai` package: the maintained client for
that protocol (its server-sent events, timeouts and retries), where this module used to
parse the events by hand with urllib.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from functools import cached_property

from ..errors import GenerationError
from .base import FirstTokenProbe, Messages
from .copy import CopySpans

log = logging.getLogger(__name__)

RETRIES = 2  # connection failures and 5xx, with the client's backoff; not for the log-probability attempt


class _EmptyStream(GenerationError):
    """The server accepted the request and then sent no event at all."""


class OpenAICompatibleLLM:
    """Generation on an OpenAI-compatible server: POST {url}/chat/completions, streamed.

    `url` is the API root, e.g. http://127.0.0.1:8000/v1. For the probe, the request asks
    for the top log-probabilities of each token; a server that refuses them (llama_cpp.server
    started with --logits_all false) is asked again without, and the probe stays None.
    The server queues concurrent requests itself: no lock is needed on this side.
    """

    def __init__(self, url: str, *, model: str | None = None, timeout: float = 120.0, seed: int = 42,
                 api_key: str | None = None):
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.seed = seed
        self.api_key = api_key
        self._logprobs = True  # until the server says it cannot give them
        self._model_checked = model is not None

    @property
    def name(self) -> str:
        """The model asked for: the configured one, the first the server lists once asked, else the URL."""
        return self.model or self.url

    @cached_property
    def client(self):
        from openai import OpenAI

        # A local server needs no key; the client insists on one.
        return OpenAI(base_url=self.url, api_key=self.api_key or "not-needed", timeout=self.timeout, max_retries=RETRIES)

    def _fail(self, what: str, exc: Exception | str) -> GenerationError:
        return GenerationError(
            f"the LLM server at {self.url} {what} ({exc}). Start it (e.g. `python -m llama_cpp.server --model "
            "<file.gguf> --host 127.0.0.1 --port 8000`) or unset RAG_LLM_URL to use the in-process model."
        )

    def models(self) -> list[str]:
        """The model ids the server lists (GET {url}/models)."""
        import openai

        try:
            return [m.id for m in self.client.models.list() if m.id]
        except openai.APIStatusError as exc:  # it answers, but lists nothing: send no model name
            log.warning("the LLM server at %s does not list its models (HTTP %s)", self.url, exc.status_code)
            return []
        except openai.APIError as exc:
            raise self._fail("cannot be reached", exc) from exc

    def _create(self, body: dict, retries: int = RETRIES):
        import openai

        try:
            return self.client.with_options(max_retries=retries).chat.completions.create(**body)
        except openai.APIConnectionError as exc:
            raise self._fail("cannot be reached", exc.__cause__ or exc) from exc
        except openai.APIStatusError as exc:
            raise self._fail(f"refused the request with HTTP {exc.status_code}", exc.message) from exc

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None,
        copy: CopySpans | None = None, seed: int | None = None,
    ) -> Iterator[str]:
        import openai

        if not self._model_checked:
            names = self.models()
            self.model = names[0] if names else None
            self._model_checked = True
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                "seed": self.seed if seed is None else seed,
                "stream": True, "model": self.model or ""}
        if copy is not None and not copy.guided:
            # llama_cpp.server and llama.cpp's server honour a grammar; others ignore it (a reply
            # that is then not a span is refused as `not_copied`). Guided copying needs the
            # model's logits token by token, which a server does not expose: it runs free there.
            body["extra_body"] = {"grammar": copy.gbnf()}
        if probe is not None and self._logprobs:
            try:
                stream = self.client.with_options(max_retries=0).chat.completions.create(
                    **body, logprobs=True, top_logprobs=10)
            except openai.APIStatusError as exc:
                if exc.status_code not in (400, 422, 500, 501):
                    raise self._fail(f"refused the request with HTTP {exc.status_code}", exc.message) from exc
                stream = None  # most likely the log-probabilities: asked again without them
            except openai.APIConnectionError as exc:
                raise self._fail("cannot be reached", exc.__cause__ or exc) from exc
            if stream is not None:
                try:
                    yield from self._events(stream, probe)
                    return
                except _EmptyStream:
                    pass  # llama_cpp.server --logits_all false answers 200 and then nothing
            log.warning("the LLM server at %s gives no log-probabilities: refusals rely on the answer text", self.url)
            self._logprobs = False
        yield from self._events(self._create(body), probe)

    def _events(self, stream, probe: FirstTokenProbe | None) -> Iterator[str]:
        import httpx
        import openai

        probed = False  # only the first generated token is read
        finished = False
        events = 0
        try:
            with stream:
                for chunk in stream:
                    events += 1
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    content = (choice.logprobs.content or []) if probe is not None and choice.logprobs else []
                    if content and not probed:
                        probed = True
                        probe.observe_top([(t.token, t.logprob) for t in content[0].top_logprobs or []])
                    if content:
                        probe.token_logprobs += [t.logprob if t.logprob is not None else -math.inf for t in content]
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    finished = finished or bool(choice.finish_reason)
        except (openai.APIError, httpx.HTTPError, OSError, ValueError) as exc:  # dropped, timed out, garbled
            raise self._fail("stopped answering", exc) from exc
        if not events:
            raise _EmptyStream(self._fail("stopped answering", "it sent no reply at all"))
        if not finished:  # servers end an answer with a finish_reason; a closed stream without one was cut off
            raise self._fail("stopped answering", "the stream ended before the answer was complete")
