"""The OpenAI chat API (`/v1/models`, `/v1/chat/completions`), so the tools people already use can ask.

Chat front-ends, editors and scripts speak this protocol through the `openai` package. A
request's last user message is the question; the earlier user and assistant messages are
the conversation a follow-up is resolved against (system messages are not instructions
to this assistant: its rules are its own). The answer text carries its [n] markers, and
the response adds what `rag ask --json` returns: `citations`, `status`, `confidence`,
`refused`, `reason`, `quote`.

Streaming sends the answer once it is final, in pieces, then a last chunk with the
citations. It does not forward the model's tokens as they come: the guards judge the
whole answer and may refuse after it is written (an ungrounded number, no supporting
passage), and a streamed sentence cannot be taken back in this protocol, where the chat
page can replace it. With the bundled 1.5B model about 4 answers in 10 on unseen
questions are wrong before the guards (docs/evaluation.md). While it works, SSE comments
keep the connection alive.

Errors have OpenAI's shape ({"error": {"message", "type", "param", "code"}}): 400 for an
empty, too long or malformed request, 401 for a missing or wrong key, 503 while the
models load. `RAG_API_KEY` set: a Bearer key is required. On a non-loopback host the API
refuses every request until a key is set.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from ..answering.question import clean_question
from ..answering.scope import Scope
from ..errors import EmptyQuestionError, InvalidQuestionError, RagError
from ..types import Answer

log = logging.getLogger(__name__)

MODEL_ID = "rag-news"
KEEP_ALIVE_S = 5.0
PIECE_WORDS = 4  # words per streamed chunk of a final answer


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": None, "code": self.code}}


def question_and_history(body: Any) -> tuple[str, list[dict[str, str]]]:
    """The last user message and the user/assistant turns before it; ApiError(400) when malformed."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
        raise ApiError(400, "'messages' must be a non-empty list of {role, content} objects.", code="invalid_messages")
    turns = []
    for message in body["messages"]:
        if not isinstance(message, dict) or message.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            raise ApiError(400, "each message needs a role: system, user or assistant.", code="invalid_messages")
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
        if content is not None and not isinstance(content, str):
            raise ApiError(400, "a message's content must be text.", code="invalid_messages")
        if message["role"] in ("user", "assistant"):
            turns.append({"role": message["role"], "content": content or ""})
    if not turns or turns[-1]["role"] != "user":
        raise ApiError(400, "the last message must be the user's question.", code="invalid_messages")
    return turns[-1]["content"], turns[:-1]


def completion_fields(answer: Answer) -> dict:
    """What this API adds to OpenAI's response: the fields of `rag ask --json` beside the text."""
    data = answer.to_dict()
    return {k: data[k] for k in ("citations", "status", "confidence", "answerability", "refused", "reason", "quote", "sentence",
                                  "searched")}


class OpenAIChat:
    """The two endpoints, over one Assistant.

    `ready()`: whether the models are loaded (503 before). `lane`: the lock every model user
    of this process takes (the page, /ask, uploads), so /v1 joins the same single queue.
    """

    def __init__(self, assistant, lane, ready: Callable[[], bool], api_key: str | None, loopback: bool):
        self.assistant = assistant
        self.lane = lane
        self.ready = ready
        self.api_key = api_key or None
        self.loopback = loopback

    # --- checks ------------------------------------------------------------------------
    def check_key(self, authorization: str | None) -> None:
        if self.api_key is None:
            if self.loopback:
                return
            raise ApiError(401, "this server is reachable from the network: set RAG_API_KEY to use /v1.",
                           code="api_key_required")
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(key.strip().encode(), self.api_key.encode()):
            raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")

    def check_ready(self) -> None:
        if not self.ready():
            raise ApiError(503, "the models are still loading; try again in a few seconds.", "server_error", "model_loading")

    # --- answering ---------------------------------------------------------------------
    def answer(self, question: str, history: list[dict[str, str]], limits: dict) -> Answer:
        """One answer, in the process's single model lane."""
        with self.lane:
            try:
                return self.assistant.ask(question, history, **limits)
            except InvalidQuestionError as exc:
                raise ApiError(400, str(exc), code="invalid_question") from exc
            except RagError as exc:
                raise ApiError(500, str(exc), "server_error") from exc

    def checked(self, question: str, limits: dict) -> dict:
        """ApiError(400) for an empty or too long question or a malformed date range."""
        try:
            clean_question(question, self.assistant.settings.max_question_chars)
            Scope.of(**limits)
        except EmptyQuestionError as exc:
            raise ApiError(400, str(exc), code="empty_question") from exc
        except InvalidQuestionError as exc:
            raise ApiError(400, str(exc), code="invalid_question") from exc
        return limits

    @staticmethod
    def limits(body: dict) -> dict:
        """Optional date and source limits, as in `/ask` (extra body fields)."""
        return {k: body.get(k) or None for k in ("since", "until", "sources")}

    def models(self) -> dict:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "rag-news"}]}

    def completion(self, body: dict, answer: Answer) -> dict:
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model") or MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            **completion_fields(answer),
        }

    async def stream(self, body: dict, question: str, history: list, limits: dict) -> AsyncIterator[str]:
        """SSE lines: keep-alive comments while answering, then the final answer in chunks, then [DONE]."""
        ident, created, model = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time()), body.get("model") or MODEL_ID

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            data = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        task = asyncio.get_running_loop().run_in_executor(None, self.answer, question, history, limits)
        yield chunk({"role": "assistant", "content": ""})
        while True:
            try:
                answer = await asyncio.wait_for(asyncio.shield(task), KEEP_ALIVE_S)
                break
            except TimeoutError:
                yield ": answering\n\n"
            except ApiError as exc:
                yield f"data: {json.dumps(exc.body(), ensure_ascii=False)}\n\n"
                yield "data: [DONE]\n\n"
                return
        words = answer.text.split(" ")
        for start in range(0, len(words), PIECE_WORDS):
            piece = " ".join(words[start : start + PIECE_WORDS])
            yield chunk({"content": piece if start == 0 else " " + piece})
        yield chunk({}, "stop", **completion_fields(answer))
        yield "data: [DONE]\n\n"


def add_routes(app, chat: OpenAIChat) -> None:
    """Mount /v1/models and /v1/chat/completions on a FastAPI app."""
    def error(exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": "5"} if exc.status == 503 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.get("/v1/models")
    async def models(request: Request):
        try:
            chat.check_key(request.headers.get("authorization"))
        except ApiError as exc:
            return error(exc)
        return chat.models()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):
        try:
            chat.check_key(request.headers.get("authorization"))
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError(400, "the request body is not JSON.", code="invalid_json") from exc
            question, history = question_and_history(body)
            limits = chat.checked(question, chat.limits(body))  # 400 before a stream starts, not inside it
            chat.check_ready()
            if body.get("stream"):
                return StreamingResponse(chat.stream(body, question, history, limits), media_type="text/event-stream",
                                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
            answer = await asyncio.get_running_loop().run_in_executor(None, chat.answer, question, history, limits)
            return chat.completion(body, answer)
        except ApiError as exc:
            return error(exc)
