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

import html
import logging
import re
import shutil
from pathlib import Path

from .assistant import Assistant
from .cite import MARKER, strip_markers
from .errors import RagError
from .lang import STOPWORDS, normalize_arabic
from .types import Answer

log = logging.getLogger(__name__)

TITLE = "Karabakh news assistant · مساعد أخبار قره باغ"
DESCRIPTION = (
    "Ask in Arabic or English about the indexed articles. Answers cite the passages they use; "
    "when the articles do not hold the answer, the assistant says so."
)
EXAMPLES = [
    "من هو وزير خارجية أذربيجان؟",
    "How many tons of food and detergents did the emergency ministry deliver?",
    "ماذا قال باشينيان عن بقاء الأرمن في قره باغ؟",
    "When did the 2020 war end?",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".pdf"]
LABELS = {
    "en": {"sources": "Sources", "paragraph": "paragraph", "also": "also in",
           "refused": "No answer found in the indexed articles"},
    "ar": {"sources": "المصادر", "paragraph": "الفقرة", "also": "وأيضا في",
           "refused": "لم يُعثر على إجابة في المقالات المفهرسة"},
}
# Words this short, and function words, match everywhere: highlighting them says nothing.
# The search stopwords (lang.STOPWORDS, normalized Arabic) plus a few more English ones.
_STOPWORDS = STOPWORDS | set(
    "for that with has have had his her their they them not but over after said".split()
)
_TOKEN = re.compile(r"\w+", re.UNICODE)

# Gradio renders every message inside an element that it marks dir="ltr" (or "rtl" for the
# whole chat). This gives each message its own direction instead, and keeps it on re-renders.
HEAD = """<script>
(() => {
  const SEL = '[data-testid="user"], [data-testid="bot"], textarea[data-testid="textbox"]';
  const fix = (root) => {
    if (!root.querySelectorAll) return;
    const found = root.matches && root.matches(SEL) ? [root] : [];
    for (const el of [...found, ...root.querySelectorAll(SEL)]) {
      if (el.getAttribute('dir') !== 'auto') el.setAttribute('dir', 'auto');
    }
  };
  const start = () => {
    fix(document.body);
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') fix(r.target);
        for (const n of r.addedNodes || []) if (n.nodeType === 1) fix(n);
      }
    }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ['dir']});
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
</script>"""
CSS = """
[data-testid="user"], [data-testid="bot"], textarea[data-testid="textbox"] { text-align: start !important; }
.rag-msg { unicode-bidi: isolate; white-space: normal; }
.rag-ref { color: var(--color-accent); font-weight: 600; white-space: nowrap; }
.rag-refusal { border-inline-start: 4px solid #d97706; background: rgba(217, 119, 6, 0.10);
               padding: 0.4em 0.8em; border-radius: 6px; }
.rag-refusal .rag-badge { font-weight: 700; display: block; margin-bottom: 0.2em; }
.rag-error { border-inline-start: 4px solid #dc2626; background: rgba(220, 38, 38, 0.10); padding: 0.4em 0.8em; }
.rag-sources { margin-top: 0.6em; border-top: 1px solid var(--border-color-primary); padding-top: 0.3em; }
.rag-sources summary { cursor: pointer; font-weight: 600; }
.rag-source { margin: 0.5em 0; }
.rag-source-head { font-size: 0.9em; opacity: 0.85; }
.rag-passage { margin: 0.2em 0 0 0; padding-inline-start: 0.8em; border-inline-start: 3px solid var(--border-color-primary); }
.rag-passage mark { background: #fde68a; color: inherit; padding: 0 0.1em; }
.rag-docs { list-style: none; padding: 0; margin: 0; }
.rag-docs li { padding: 0.35em 0; border-bottom: 1px solid var(--border-color-primary); }
.rag-docs .rag-doc-meta { font-size: 0.8em; opacity: 0.7; }
"""


# --- rendering: everything from articles or the model is escaped -----------------------
def escape_passage(text: str) -> str:
    """Article or model text as literal HTML text (line breaks kept)."""
    return html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def _answer_words(answer_text: str) -> set[str]:
    # Numbers count whatever their length: across languages (an English answer over an
    # Arabic passage) they and the names are what the two texts share.
    return {w for w in _TOKEN.findall(normalize_arabic(strip_markers(answer_text)))
            if (len(w) > 2 and w not in _STOPWORDS) or w.isdigit()}


def highlight(passage: str, answer_text: str) -> str:
    """The passage escaped, with the words the answer also uses wrapped in <mark>.

    Words are compared after Arabic normalization (أ/إ/آ→ا, ة→ه, diacritics dropped, case
    folded), so "بيراموف" in the answer marks "بيراموف" in the passage whatever its spelling.
    """
    wanted = _answer_words(answer_text)
    out, last = [], 0
    for m in _TOKEN.finditer(passage):
        word = normalize_arabic(m.group())
        if word in wanted or (len(word) > 3 and word[0] in "وبلف" and word[1:] in wanted):
            out.append(escape_passage(passage[last:m.start()]))
            out.append(f"<mark>{escape_passage(m.group())}</mark>")
            last = m.end()
    out.append(escape_passage(passage[last:]))
    return "".join(out)


def _text_with_markers(text: str) -> str:
    escaped = escape_passage(text)
    return MARKER.sub(lambda m: f'<span class="rag-ref">{m.group()}</span>', escaped)


def render_streaming(text: str) -> str:
    return f'<div class="rag-msg rag-streaming" dir="auto">{_text_with_markers(text)}</div>'


def render_error(message: str) -> str:
    return f'<div class="rag-msg rag-error" dir="auto">⚠️ {escape_passage(message)}</div>'


def render_answer(answer: Answer) -> str:
    """The final message: one HTML block (no blank line, so Markdown never parses inside it)."""
    labels = LABELS.get(answer.language, LABELS["en"])
    if answer.refused:
        return (
            f'<div class="rag-msg rag-refusal" dir="auto" lang="{answer.language}">'
            f'<span class="rag-badge">{labels["refused"]}</span>{escape_passage(answer.text)}</div>'
        )
    parts = [f'<div class="rag-msg rag-answer" dir="auto" lang="{answer.language}">{_text_with_markers(answer.text)}</div>']
    if answer.citations:
        parts.append(
            f'<details class="rag-sources" open dir="auto"><summary>{labels["sources"]} ({len(answer.citations)})</summary>'
        )
        for c in answer.citations:
            also = ""
            if c.also_in:
                also = f' · {labels["also"]} ' + ", ".join(f"<bdi>{escape_passage(d)}</bdi>" for d in c.also_in)
            parts.append(
                f'<div class="rag-source">'
                f'<div class="rag-source-head" dir="auto"><span class="rag-ref">[{c.n}]</span> '
                f'<bdi class="rag-title">{escape_passage(c.title)}</bdi> · {labels["paragraph"]} {c.paragraph + 1}{also}</div>'
                f'<blockquote class="rag-passage" dir="auto">{highlight(c.text, answer.text)}</blockquote></div>'
            )
        parts.append("</details>")
    return "".join(parts)


_TAG = re.compile(r"<[^>]+>")


def message_text(content) -> str:
    """The plain text of a chat message as we rendered it: the answer without its sources."""
    if isinstance(content, list):
        content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    if not isinstance(content, str):
        return ""
    content = content.split('<details class="rag-sources"', 1)[0]
    content = content.replace("<br>", "\n")
    content = re.sub(r'<span class="rag-badge">.*?</span>', "", content)
    return html.unescape(_TAG.sub("", content)).strip()


def plain_history(history) -> list[dict[str, str]]:
    """Gradio's chat history with our markup removed, for follow-up questions."""
    turns = []
    for turn in history or []:
        if isinstance(turn, dict) and turn.get("role") in ("user", "assistant"):
            text = message_text(turn.get("content"))
            if text:
                turns.append({"role": turn["role"], "content": text})
    return turns


def render_documents(documents: dict[str, dict]) -> str:
    if not documents:
        return '<p class="rag-docs-empty">No articles indexed yet: add one below.</p>'
    items = []
    for doc_id, info in sorted(documents.items(), key=lambda kv: (kv[1].get("ingested_at", ""), kv[0])):
        title = info.get("title") or doc_id
        items.append(
            f'<li data-doc-id="{html.escape(doc_id, quote=True)}"><div dir="auto" class="rag-doc-title">{escape_passage(title)}</div>'
            f'<div class="rag-doc-meta" dir="ltr">{escape_passage(doc_id)} · {int(info.get("chunks", 0))} passages</div></li>'
        )
    count = f"{len(documents)} article{'s' if len(documents) != 1 else ''} indexed"
    return f'<p><b>{count}</b></p><ul class="rag-docs">{"".join(items)}</ul>'


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """The uploaded file's own name, reduced to a plain file name in the uploads folder."""
    base = _UNSAFE_NAME.sub("_", Path(name).name).strip(" .") or "article"
    return base[:150]


# --- the app ----------------------------------------------------------------------
class ChatHandlers:
    """What the page's events do, separate from the layout so tests can call them directly."""

    def __init__(self, assistant: Assistant, uploads_dir: str | Path | None = None):
        self.assistant = assistant
        self.uploads = Path(uploads_dir) if uploads_dir else Path(assistant.settings.home) / "uploads"

    def respond(self, message: str, history: list):
        """Stream one answer as HTML: the growing text, then the final answer with its sources."""
        try:
            text = ""
            for item in self.assistant.stream(message, plain_history(history)):
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

    def ask(self, question: str) -> dict:
        """Answer one question from the indexed articles.

        Returns the same JSON object as `rag ask --json`: {"answer", "refused", "language",
        "citations": [{"n", "doc_id", "title", "text", "score"}]}.
        """
        return self.assistant.ask(question).to_dict()

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
        try:
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


def build_app(assistant: Assistant | None = None, uploads_dir: str | Path | None = None):
    """The Gradio Blocks app, not launched (`serve()` launches it). Uploads are kept in
    `uploads_dir` (default: `<RAG_HOME>/uploads`), so a rebuilt index can read them again."""
    import gradio as gr

    handlers = ChatHandlers(assistant or Assistant(), uploads_dir)

    def ask(question: str) -> dict:
        """Answer one question from the indexed articles.

        Returns the same JSON object as `rag ask --json`: {"answer", "refused", "language",
        "citations": [{"n", "doc_id", "title", "text", "score"}]}.
        """
        try:
            return handlers.ask(question)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc

    def add_articles(files, progress=gr.Progress()):
        status = handlers.add_articles(files, progress)
        return status, handlers.documents_html(), None

    with gr.Blocks(title="Karabakh news assistant", analytics_enabled=False, fill_height=True) as app:
        with gr.Sidebar(open=True, width=340, elem_id="rag-sidebar"):
            gr.Markdown("### Indexed articles")
            docs_panel = gr.HTML(elem_id="rag-documents")
            upload = gr.File(
                label="Add an article (.txt .md .html .pdf)", file_types=UPLOAD_TYPES, file_count="multiple",
                type="filepath", elem_id="rag-upload",
            )
            upload_status = gr.HTML(elem_id="rag-upload-status")
        gr.ChatInterface(
            handlers.respond,
            chatbot=gr.Chatbot(
                elem_id="rag-chatbot", label="Chat", latex_delimiters=[], sanitize_html=True, render_markdown=True,
                placeholder="Ask about the articles · اسأل عن المقالات", height="70vh",
            ),
            title=TITLE,
            description=DESCRIPTION,
            examples=EXAMPLES,
            cache_examples=False,
            analytics_enabled=False,
            api_name="chat",
            fill_height=True,
        )
        gr.api(ask, api_name="ask")
        upload.upload(add_articles, [upload], [upload_status, docs_panel, upload], api_name="add_articles",
                      show_progress="full")
        app.load(handlers.documents_html, None, docs_panel, queue=False, api_visibility="undocumented")

    # One llama.cpp context and one index: every queued event (chat, /ask, uploads) takes turns.
    for fn in app.fns.values():
        if fn.queue is not False:
            fn.concurrency_id = "rag-assistant"
    return app


def serve(app, host: str = "127.0.0.1", port: int = 7860, *, auth: tuple[str, str] | None = None, **launch_kwargs):
    """Queue and launch a `build_app()` app with this UI's styling and direction script."""
    app.queue(default_concurrency_limit=1)
    # ssr_mode=False: server-side rendering would start a Node process we do not need.
    options = dict(server_name=host, server_port=port, ssr_mode=False, show_error=False, css=CSS, head=HEAD,
                   auth=auth, auth_message="Karabakh news assistant" if auth else None)
    options.update(launch_kwargs)
    return app.launch(**options)


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


def launch(host: str = "127.0.0.1", port: int = 7860, assistant: Assistant | None = None,
           auth: str | None = None) -> None:
    import sys

    from .settings import Settings

    credentials = parse_auth(auth if auth is not None else Settings().ui_auth)
    if not is_loopback(host) and credentials is None:
        print(
            f"WARNING: serving on {host} without a password: anyone who can reach this machine can use "
            "the assistant and add articles. Add --auth user:password (or set RAG_UI_AUTH).",
            file=sys.stderr, flush=True,
        )
    print("Loading the models and the index …", flush=True)
    assistant = assistant or Assistant.load()
    serve(build_app(assistant), host, port, auth=credentials)
