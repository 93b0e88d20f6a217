"""The Gradio chat UI. `build_app()` returns it unlaunched; `serve()` launches it.

What the page does:
- answers stream as they are generated (the stop button cancels one); the final message
  replaces the stream with the cleaned answer and, under it, a collapsible "Sources"
  block: for each cited passage its article title, its paragraph and the passage with
  the words the answer shares highlighted;
- every message carries its own direction (`dir="auto"`), so Arabic and English turns
  sit side by side, each laid out the right way;
- a refusal is drawn differently from an answer and says no answer was found in the articles;
- the side panel lists the indexed articles and takes new ones (.txt .md .html .pdf),
  ingested through `Assistant.ingest` and answerable at once;
- `/ask` is the API for programs: a question in, `Answer.to_dict()` out.

Article text and model output are not ours: everything shown is HTML-escaped and emitted
inside one HTML block, so neither markup nor Markdown links in an article can act.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from pathlib import Path

from ..assistant import Assistant
from ..errors import RagError
from ..settings import Settings
from ..types import Answer
from .render import (
    escape_passage,
    plain_history,
    render_answer,
    render_documents,
    render_error,
    render_streaming,
)

log = logging.getLogger(__name__)

UPLOAD_TYPES = [".txt", ".md", ".html", ".pdf"]
LOADING = "The models are still loading; please ask again in a few seconds."
LOAD_WAIT_S = 120.0  # a warm start is 4-8 s (docs/performance.md); a cold one exports the embedder first


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """The uploaded file's own name, reduced to a plain file name in the uploads folder."""
    base = _UNSAFE_NAME.sub("_", Path(name).name).strip(" .") or "article"
    return base[:150]


# --- the app ----------------------------------------------------------------------
class ChatHandlers:
    """What the page's events do, separate from the layout so tests can call them directly."""

    def __init__(self, assistant: Assistant, uploads_dir: str | Path | None = None, ready: bool = True):
        self.assistant = assistant
        self.uploads = Path(uploads_dir) if uploads_dir else Path(assistant.settings.home) / "uploads"
        # One llama.cpp context and one index: the page, /ask, uploads and /v1 take turns in this lane.
        self.lane = threading.Lock()
        self.ready = threading.Event()  # set once the models are loaded (`rag serve` serves before that)
        if ready:
            self.ready.set()

    def respond(self, message: str, history: list, since: str = "", until: str = "", sources=None):
        """Stream one answer as HTML: the growing text, then the final answer with its sources.

        `since`, `until`, `sources`: the page's filter (dates YYYY-MM-DD; publisher names).
        """
        if not self.loaded():
            yield render_error(LOADING)
            return
        try:
            text = ""
            limits = {"since": since or None, "until": until or None, "sources": sources or None}
            with self.lane:
                for item in self.assistant.stream(message, plain_history(history), **limits):
                    if isinstance(item, Answer):
                        yield render_answer(item)
                    else:
                        text += item
                        yield render_streaming(text)
        except RagError as exc:
            yield render_error(str(exc))
        except Exception:  # the chat must stay usable whatever failed underneath
            log.exception("answering failed")
            yield render_error("Something went wrong while answering; please try again.")

    def ask(self, question: str, since: str = "", until: str = "", sources: list[str] | None = None) -> dict:
        """Answer one question from the indexed articles.

        Returns the same JSON object as `rag ask --json`: {"answer", "refused", "status"
        ("answered" | "unsure" | "refused"), "confidence" (0..1 or null), "quote" (the verbatim
        span the answer rests on), "sentence" (the passage sentence holding it), "language",
        "reason" (the guard or confidence reason, or ""), "citations": [{"n", "doc_id", "title",
        "text", "score", "date", "source"}]}. `since`/`until` (YYYY-MM-DD) and `sources` limit the articles.
        """
        if not self.loaded():
            raise RagError(LOADING)
        with self.lane:
            return self.assistant.ask(question, since=since or None, until=until or None, sources=sources or None).to_dict()

    def loaded(self) -> bool:
        """Whether the models are loaded, waiting for them a while first: a question asked during
        a start takes longer instead of failing (/v1 answers 503 at once, as OpenAI clients expect)."""
        return self.ready.wait(LOAD_WAIT_S)

    def source_names(self) -> list[str]:
        """The publishers of the indexed articles, for the page's source filter."""
        try:
            return sorted({str(d["source"]) for d in self.assistant.documents().values() if d.get("source")})
        except RagError:
            return []

    def documents_html(self) -> str:
        try:
            return render_documents(self.assistant.documents())
        except RagError as exc:
            return render_error(str(exc))

    def add_articles(self, files, progress=None) -> str:
        """Copy uploaded files into the uploads folder and ingest them; returns a status line (HTML)."""
        progress = progress or (lambda *args, **kwargs: None)
        files = [f for f in (files if isinstance(files, list) else [files]) if f]
        if not files:
            return ""
        self.uploads.mkdir(parents=True, exist_ok=True)
        saved, rejected = [], []
        progress(0.05, desc="saving")
        for f in files:
            src = Path(f if isinstance(f, (str, Path)) else getattr(f, "name", str(f)))
            if src.suffix.lower() not in UPLOAD_TYPES:
                rejected.append(src.name)
                continue
            dest = self.uploads / safe_filename(src.name)
            shutil.copyfile(src, dest)
            saved.append(dest)
        if not saved:
            return render_error(f"Not added: {', '.join(rejected)} (only {' '.join(UPLOAD_TYPES)} files).")
        progress(0.2, desc=f"embedding {len(saved)} file(s)")
        if not self.loaded():
            return render_error(LOADING)
        try:
            with self.lane:
                self.assistant.ensure_index()  # a missing index is first built from the seeds, then the upload added
                report = self.assistant.ingest(saved, progress=False)
        except RagError as exc:
            return render_error(str(exc))
        except Exception:
            log.exception("ingest failed")
            return render_error("Adding the article failed; see the server log.")
        progress(1.0, desc="done")
        names = ", ".join(p.name for p in saved)
        if report.added or report.updated:
            status = f"✓ Added {names} ({report.summary()}). You can ask about it now."
        elif report.duplicates:
            status = f"{names}: this text is already indexed ({report.summary()})."
        else:
            status = f"{names}: nothing new was indexed (empty or unreadable files are skipped; {report.summary()})."
        if rejected:
            status += f" Not added: {', '.join(rejected)}."
        return f'<div class="rag-status" dir="auto">{escape_passage(status)}</div>'


class ChatApp:
    """The page (a Gradio Blocks) with its handlers; `serve()` runs it, `close()` stops it."""

    def __init__(self, blocks, handlers: ChatHandlers):
        self.blocks = blocks
        self.handlers = handlers
        self.server = None  # the running WebServer, once served

    @property
    def is_running(self) -> bool:
        return self.server is not None and self.server.started

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.blocks.close()


def build_app(assistant: Assistant | None = None, uploads_dir: str | Path | None = None, ready: bool = True) -> ChatApp:
    """The chat app, not served (`serve()` serves it). Uploads are kept in `uploads_dir`
    (default: `<RAG_HOME>/uploads`), so a rebuilt index can read them again. `ready=False`:
    the models are still loading; questions get a "loading" reply until `handlers.ready` is set."""
    import gradio as gr

    handlers = ChatHandlers(assistant or Assistant(), uploads_dir, ready)
    settings = handlers.assistant.settings

    def ask(question: str, since: str = "", until: str = "", sources: list[str] | None = None) -> dict:
        """Answer one question from the indexed articles.

        Returns the same JSON object as `rag ask --json`: {"answer", "refused", "status"
        ("answered" | "unsure" | "refused"), "confidence" (0..1 or null), "quote" (the verbatim
        span the answer rests on), "sentence" (the passage sentence holding it), "language",
        "reason" (the guard or confidence reason, or ""), "citations": [{"n", "doc_id", "title",
        "text", "score", "date", "source"}]}. Optional: `since`/`until` (YYYY-MM-DD, inclusive)
        and `sources` (publisher names) limit the articles the answer may come from.
        """
        try:
            return handlers.ask(question, since, until, sources)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc

    def add_articles(files, progress=gr.Progress()):
        status = handlers.add_articles(files, progress)
        return status, handlers.documents_html(), None

    def source_choices():
        return gr.Dropdown(choices=handlers.source_names())

    def refresh():
        return handlers.documents_html(), gr.Dropdown(choices=handlers.source_names())

    with gr.Blocks(title=settings.ui_title, analytics_enabled=False, fill_height=True) as app:
        with gr.Sidebar(open=True, width=340, elem_id="rag-sidebar"):
            gr.Markdown("### Indexed articles")
            docs_panel = gr.HTML(elem_id="rag-documents")
            upload = gr.File(
                label="Add an article (.txt .md .html .pdf)", file_types=UPLOAD_TYPES, file_count="multiple",
                type="filepath", elem_id="rag-upload",
            )
            upload_status = gr.HTML(elem_id="rag-upload-status")
            with gr.Accordion("Limit to dates and sources", open=False, elem_id="rag-filter"):
                since = gr.Textbox("", label="Published on or after", placeholder="YYYY-MM-DD", elem_id="rag-since")
                until = gr.Textbox("", label="Published on or before", placeholder="YYYY-MM-DD", elem_id="rag-until")
                sources = gr.Dropdown(label="Sources", choices=[], value=[], multiselect=True, allow_custom_value=False,
                                      elem_id="rag-sources")
        gr.ChatInterface(
            handlers.respond,
            chatbot=gr.Chatbot(
                elem_id="rag-chatbot", label="Chat", latex_delimiters=[], sanitize_html=True, render_markdown=True,
                placeholder="Ask about the articles · اسأل عن المقالات", height="70vh",
            ),
            textbox=gr.Textbox(elem_id="rag-question", show_label=False, label="Question", placeholder="Type a message...",
                               scale=7, autofocus=True, submit_btn=True, stop_btn=True),
            title=settings.ui_title,
            description=settings.ui_description,
            examples=[[e, None, None, None] for e in settings.ui_examples] or None,  # None: shown in the chat, filters untouched
            cache_examples=False,
            analytics_enabled=False,
            api_name="chat",
            fill_height=True,
            additional_inputs=[since, until, sources],
        )
        gr.api(ask, api_name="ask")
        upload.upload(add_articles, [upload], [upload_status, docs_panel, upload], api_name="add_articles",
                      show_progress="full").then(source_choices, None, sources, api_visibility="undocumented")
        app.load(refresh, None, [docs_panel, sources], queue=False, api_visibility="undocumented")

    # One llama.cpp context and one index: every queued event (chat, /ask, uploads) takes turns.
    for fn in app.fns.values():
        if fn.queue is not False:
            fn.concurrency_id = "rag-assistant"
    return ChatApp(app, handlers)


def serve(app: ChatApp, host: str = "127.0.0.1", port: int = 7860, *, auth: tuple[str, str] | None = None,
          api_key: str | None = None, prevent_thread_lock: bool = False, quiet: bool = False):
    """Serve the page, its `/ask` API and the OpenAI-compatible `/v1` on one port (rag.web.server).

    `prevent_thread_lock`: serve from a background thread and return the running server.
    """
    from .server import WebServer

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
           auth: str | None = None) -> None:
    """Load the models and serve the page; host, port and login default to the settings (RAG_HOST, RAG_PORT, RAG_UI_AUTH)."""
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
    if not loaded:
        threading.Thread(target=_load, args=(app.handlers,), name="rag-load", daemon=True).start()
    print(f"Serving on http://{host}:{port} (the chat page, /ask, /v1); loading the models and the index …", flush=True)
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
    # datasketch (copy detection at ingest) imports scipy: 2.2 s, paid here rather than by the first upload.
    import datasketch  # noqa: F401
