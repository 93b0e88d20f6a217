"""The server backend: any OpenAI-compatible /chat/completions endpoint (RAG_LLM_URL).

llama-cpp-python's own `python -m llama_cpp.server`, vLLM, or any server speaking OpenAI's
streamed chat completions, reached with the standard library only.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator

from ..errors import GenerationError
from .base import FirstTokenProbe, Messages
from .copy import CopySpans

log = logging.getLogger(__name__)


class _EmptyStream(GenerationError):
    """The server accepted the request and then sent no event at all."""


class OpenAICompatibleLLM:
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

    @property
    def name(self) -> str:
        """The model asked for: the configured one, the first the server lists once asked, else the URL."""
        return self.model or self.url

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
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: FirstTokenProbe | None = None,
        copy: CopySpans | None = None,
    ) -> Iterator[str]:
        if not self._model_checked:
            names = self.models()
            self.model = names[0] if names else None
            self._model_checked = True
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "seed": self.seed,
                "stream": True}
        if self.model:
            body["model"] = self.model
        if copy is not None and not copy.guided:
            # llama_cpp.server and llama.cpp's server honour a grammar; others ignore it (a reply
            # that is then not a span is refused as `not_copied`). Guided copying needs the
            # model's logits token by token, which a server does not expose: it runs free there.
            body["grammar"] = copy.gbnf()
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
                content = ((choice.get("logprobs") or {}).get("content") or []) if probe is not None else []
                if content and not probed:
                    probed = True
                    probe.observe_top([(t.get("token", ""), t.get("logprob", -math.inf))
                                       for t in content[0].get("top_logprobs") or []])
                if content:
                    probe.token_logprobs += [t.get("logprob", -math.inf) for t in content]
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
