"""One port for everything a user or a program reaches: the chat page, its `/ask` API and `/v1`.

A FastAPI app carries the OpenAI-compatible routes (web/openai_api.py) with the Gradio
page mounted at "/" beside them, run by uvicorn: one process, one model lane
(`ChatHandlers.lane`), one port. Tools that speak the OpenAI API and the page's users
share the same queue for the model.
"""

from __future__ import annotations

import logging
import threading
import time

from .app import ChatHandlers, is_loopback
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

        blocks.queue(default_concurrency_limit=1)
        api = FastAPI(title=blocks.title, docs_url=None, redoc_url=None, openapi_url=None)
        chat = OpenAIChat(handlers.assistant, handlers.lane, handlers.ready.is_set, api_key, is_loopback(host))
        add_routes(api, chat)  # before the page's mount at "/", which would take every path
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
