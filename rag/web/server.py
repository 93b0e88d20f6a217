"""One port for everything a user or a program reaches: the chat page, its `/ask` API and `/v1`.

`serve()` and `launch()` live here, not in app.py: the page (app.py) knows nothing of how it
is served, so the two modules no longer import each other.

A FastAPI app carries the OpenAI-compatible routes (web/openai_api.py) with the Gradio
page mounted at "/" beside them, run by uvicorn: one process, one model lane
(`ChatHandlers.lane`), one port. Tools that speak the OpenAI API and the page's users
share the same queue for the model.
"""

from __future__ import annotations

import logging
import threading
import time

from ..assistant import Assistant
from ..errors import RagError
from ..indexing.upkeep import Upkeep
from ..settings import Settings
from .app import ChatApp, ChatHandlers, build_app
from .openai_api import OpenAIChat, add_routes
from .render import CSS, HEAD

log = logging.getLogger(__name__)


class WebServer:
    """The composed app and its uvicorn server; `start()` in a thread, or `run()` in this one."""

    def __init__(self, blocks, handlers: ChatHandlers, host: str, port: int, *, auth=None,
                 api_key: str | None = None, quiet: bool = False):
        import gradio as gr
        import uvicorn
        from fastapi import FastAPI

        from starlette.routing import Route

        from .mcp_tools import build_mcp

        blocks.queue(default_concurrency_limit=1)
        # /mcp: the library's MCP tools over streamable HTTP, in the same model lane as the page and /v1.
        mcp = build_mcp(handlers.assistant, lane=handlers.lane, ready=handlers.ready.is_set)
        mcp_app = mcp.streamable_http_app(streamable_http_path="/mcp", host=host)
        api = FastAPI(title=blocks.title, docs_url=None, redoc_url=None, openapi_url=None,
                      lifespan=lambda app: mcp.session_manager.run())
        chat = OpenAIChat(handlers.assistant, handlers.lane, handlers.ready.is_set, api_key, is_loopback(host))
        add_routes(api, chat)  # before the page's mount at "/", which would take every path
        endpoint = next(r.endpoint for r in mcp_app.routes if getattr(r, "path", "") == "/mcp")
        api.router.routes.append(Route("/mcp", endpoint=KeyGuard(endpoint, chat, auth)))
        # ssr_mode=False: server-side rendering would start a Node process we do not need.
        gr.mount_gradio_app(api, blocks, path="/", auth=auth, auth_message=blocks.title if auth else None,
                            ssr_mode=False, show_error=False, css=CSS, head=HEAD, server_name=host, server_port=port)
        self.url = f"http://{host}:{port}/"
        self.app = api
        self.server = uvicorn.Server(uvicorn.Config(api, host=host, port=port, log_level="warning" if quiet else "info",
                                                    timeout_graceful_shutdown=2))
        self.thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    def run(self) -> None:
        self.server.run()

    def start(self, timeout: float = 60.0) -> str:
        """Serve from a daemon thread; returns the URL once it accepts connections."""
        self.thread = threading.Thread(target=self.server.run, name="rag-web", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not start on {self.url}")
            time.sleep(0.05)
        return self.url

    def close(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


class KeyGuard:
    """/mcp's door, as /v1's: the Bearer RAG_API_KEY when one is set, else loopback only. A server with a login
    (--auth) asks for it (HTTP Basic) or the key, even on loopback. An ASGI wrapper around the MCP endpoint."""

    def __init__(self, app, chat: OpenAIChat, auth: tuple[str, str] | None):
        self.app, self.chat, self.auth = app, chat, auth

    def allowed(self, authorization: str) -> str | None:
        """None when the request may pass, else why not."""
        import base64
        import hmac

        scheme, _, value = authorization.partition(" ")
        if self.auth and scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip()).decode()
            except ValueError:
                given = ""
            if hmac.compare_digest(given.encode(), ":".join(self.auth).encode()):
                return None
            return "wrong user or password"
        if self.auth and self.chat.api_key is None:  # a page with a login: no open door beside it
            return "this server has a login: send it (HTTP Basic) or the Bearer RAG_API_KEY"
        from .openai_api import ApiError

        try:
            self.chat.check_key(authorization or None)
        except ApiError as exc:
            return exc.message
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            why = self.allowed(headers.get("authorization", ""))
            if why is not None:
                import json

                body = json.dumps({"error": {"message": why, "code": "unauthorized"}}).encode()
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="rag"')]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def serve(app: ChatApp, host: str = "127.0.0.1", port: int = 7860, *, auth: tuple[str, str] | None = None,
          api_key: str | None = None, prevent_thread_lock: bool = False, quiet: bool = False):
    """Serve the page, its `/ask` API and the OpenAI-compatible `/v1` on one port (rag.web.server).

    `prevent_thread_lock`: serve from a background thread and return the running server.
    """
    app.server = WebServer(app.blocks, app.handlers, host, port, auth=auth, api_key=api_key, quiet=quiet)
    if prevent_thread_lock:
        app.server.start()
        return app.server
    app.server.run()
    return app.server


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:pass' -> ('user', 'pass'); None or '' -> None."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise RagError("--auth / RAG_UI_AUTH must look like user:password (both non-empty).")
    return user, password


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def launch(host: str | None = None, port: int | None = None, assistant: Assistant | None = None,
           auth: str | None = None, watch=None) -> None:
    """Load the models and serve the page; host, port and login default to the settings (RAG_HOST, RAG_PORT, RAG_UI_AUTH).

    `watch`: folders the index follows (default RAG_WATCH); the feeds (`rag feeds add`) are polled either way.
    """
    import sys

    settings = assistant.settings if isinstance(assistant, Assistant) else Settings()
    host = host or settings.host
    port = port or settings.port
    credentials = parse_auth(auth if auth is not None else settings.ui_auth)
    if not is_loopback(host) and credentials is None:
        print(
            f"WARNING: serving on {host} without a password: anyone who can reach this machine can use "
            "the assistant and add articles. Add --auth user:password (or set RAG_UI_AUTH).",
            file=sys.stderr, flush=True,
        )
    api_key = settings.api_key
    if not is_loopback(host) and not api_key:
        print(f"NOTE: /v1 (the OpenAI-compatible API) answers only with a key on {host}: set RAG_API_KEY.",
              file=sys.stderr, flush=True)
    # The server is up at once; until the models are loaded, /v1 answers 503 and the page says so.
    loaded = assistant is not None
    app = build_app(assistant or Assistant(settings), ready=loaded)
    folders = [*settings.watch, *(watch or [])]
    # Checked now (a missing folder is an error before any model loads); started once the models are.
    app.handlers.upkeep = Upkeep(app.handlers.assistant, folders, lane=app.handlers.lane)
    if not loaded:
        threading.Thread(target=_load, args=(app.handlers,), name="rag-load", daemon=True).start()
    else:
        app.handlers.upkeep.start()
    print(f"Serving on http://{host}:{port} (the chat page, /ask, /v1, /mcp); loading the models and the index …",
          flush=True)
    serve(app, host, port, auth=credentials, api_key=api_key)


def _load(handlers: ChatHandlers) -> None:
    """Load the models and the index into the served assistant, then open the doors."""
    import os

    try:
        handlers.assistant.preload()
    except Exception as exc:
        log.error("loading the models failed: %s", exc, exc_info=not isinstance(exc, RagError))
        print(f"ERROR: {exc}", flush=True)
        os._exit(1)
    handlers.ready.set()
    print("Ready.", flush=True)
    if handlers.upkeep is not None:
        try:
            handlers.upkeep.start()  # the watched folders as they are now, then their changes; the feeds when due
        except Exception as exc:  # noqa: BLE001 - the page serves on; the panel and the log say what failed
            log.error("keeping the library current failed to start: %s", exc)
    # datasketch (copy detection at ingest) imports scipy: 2.2 s, paid here rather than by the first upload.
    import datasketch  # noqa: F401
