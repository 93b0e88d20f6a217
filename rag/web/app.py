"""The Gradio chat UI. `build_app()` returns it unlaunched; `rag.web.server.serve()` serves it.

What the page does:
- answers stream as they are generated (the stop button cancels one); the final message
  replaces the stream with the cleaned answer and, under it, a collapsible "Sources"
  block: for each cited passage its article title, its paragraph and the passage with
  the words the answer shares highlighted;
- every message carries its own direction (`dir="auto"`), so Arabic and English turns
  sit side by side, each laid out the right way;
- a refusal is drawn differently from an answer and says no answer was found in the articles;
- each source opens a preview of its whole article with the cited passage marked;
- the side panel lists the indexed articles, takes new ones (.txt .md .html .pdf),
  ingested through `Assistant.ingest` and answerable at once, and removes them;
- conversations are saved as they go (web/conversations.py): listed in the side panel,
  reopened, renamed, deleted and exported as Markdown with their sources;
- thumbs up or down on an answer, with an optional correction, go to
  `RAG_HOME/feedback.jsonl` (web/feedback.py), which `rag feedback export` turns into a
  question set for `rag eval`;
- `/ask` is the API for programs: a question in, `Answer.to_dict()` out; `/chat` streams
  the page's HTML answer;
- the page's own words are the reader's language (web/strings.py: the browser's, or the
  reader's choice), and what loses work (deleting a conversation, removing an article) asks first.

Article text and model output are not ours: everything shown is HTML-escaped and emitted
inside one HTML block, so neither markup nor Markdown links in an article can act.
(No `from __future__ import annotations` here: Gradio reads the event handlers' `gr.Request`
and `gr.SelectData` annotations at build time, and strings naming a local `gr` do not resolve.)
"""

import json
import logging
import re
import shutil
import tempfile
import threading
from pathlib import Path

from ..answering.scope import Scope
from ..assistant import Assistant
from ..errors import InvalidQuestionError, RagError
from ..types import Answer, Stage
from . import conversations as convs
from . import strings
from .strings import text as say
from .feedback import FeedbackLog
from .relay import WAITING, relay
from .render import (
    escape_passage,
    page_dir,
    plain_history,
    record_of,
    render_answer,
    render_documents,
    render_error,
    render_library,
    render_stage,
    render_status,
    render_user,
    render_waiting,
    shown_as_typed,
)
from .turns import Turns

log = logging.getLogger(__name__)

UPLOAD_TYPES = [".txt", ".md", ".html", ".pdf"]
LOAD_WAIT_S = 120.0  # a warm start is 4-8 s (docs/performance.md); a cold one exports the embedder first
# The side panel reads in the page's language's direction; the page says which language it is in.
PAGE_DIRECTION = """(lang) => { document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  document.title = document.querySelector('#rag-title')?.innerText || document.title;
  document.querySelector('#rag-sidebar')?.setAttribute('dir', lang === 'ar' ? 'rtl' : 'ltr'); }"""
# After the panel redraws (a frame later), scroll it just enough to show the whole upload status.
# The next waiting question is taken (web/turns.py) once no answer is being written: the stop button shows
# while one is. The hidden "next" button starts it; the server takes a turn only when its session has none.
ASK_NEXT = """() => { const stop = document.querySelector('#rag-question button.stop-button');
  const size = document.querySelector('#rag-line-size textarea, #rag-line-size input');
  if (+(size?.value || 0) > 0 && (!stop || stop.offsetParent === null)) document.querySelector('#rag-next')?.click(); }"""
SHOW_UPLOAD_STATUS = """() => { requestAnimationFrame(() => requestAnimationFrame(() =>
  document.querySelector('#rag-upload-status')?.scrollIntoView({block: 'nearest'}))); }"""


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """The uploaded file's own name, reduced to a plain file name in the uploads folder."""
    base = _UNSAFE_NAME.sub("_", Path(name).name).strip(" .") or "article"
    return base[:150]


def dates_problem(since: str, until: str, lang: str = "en") -> str | None:
    """What is wrong with the page's date filter, in the reader's words (None: nothing).

    The pipeline's own check (`Scope.of`) decides; its message is the API's, in English: on the page
    it reached an Arabic reader as "since must be a date as YYYY-MM-DD" (issue 33)."""
    checked = []
    for value in (since, until):
        value = (value or "").strip()
        try:
            checked.append(Scope.of(since=value).since)
        except InvalidQuestionError:
            return say("bad_date", lang, value=value)
    try:
        Scope.of(*checked)
    except InvalidQuestionError:
        return say("dates_reversed", lang, since=checked[0], until=checked[1])
    return None


# --- the app ----------------------------------------------------------------------
class ChatHandlers:
    """What the page's events do, separate from the layout so tests can call them directly.

    `lang`: the page's language ("en" | "ar", strings.py), which the notes and errors are written in.
    """

    def __init__(self, assistant: Assistant, uploads_dir: str | Path | None = None, ready: bool = True):
        self.assistant = assistant
        home = Path(assistant.settings.home)
        self.uploads = Path(uploads_dir) if uploads_dir else home / "uploads"
        self.feedback = FeedbackLog.for_assistant(assistant)
        self.user_conversations = convs.UserConversations(home / "conversations")
        # One llama.cpp context and one index: the page, /ask, uploads and /v1 take turns in this lane.
        self.lane = threading.Lock()
        self.turns = Turns()  # questions sent while an answer is written wait here (web/turns.py)
        self.upkeep = None  # the watched folders and feeds `rag serve` keeps (indexing/upkeep.py), shown in the panel
        self.ready = threading.Event()  # set once the models are loaded (`rag serve` serves before that)
        if ready:
            self.ready.set()

    # --- answering ---------------------------------------------------------------------
    def respond(self, message: str, history: list, since: str = "", until: str = "", sources=None, lang: str = "en"):
        """Stream one answer as HTML: the growing text, then the final answer with its sources.

        `since`, `until`, `sources`: the page's filter (dates YYYY-MM-DD; publisher names).
        """
        if not self.loaded():
            yield render_error(say("loading", lang), lang)
            return
        limit = self.assistant.settings.max_question_chars
        if len((message or "").strip()) > limit:
            yield render_error(say("too_long", lang, n=len(message.strip()), limit=limit), lang)
            return
        since, until = (since or "").strip(), (until or "").strip()  # a field of spaces is no date, not a wrong one
        wrong_dates = dates_problem(since, until, lang)
        if wrong_dates:
            yield render_error(wrong_dates, lang)
            return
        try:
            text, stage = "", say("stage_searching", lang)
            limits = {"since": since or None, "until": until or None, "sources": sources or None}
            shown = render_stage(stage, lang)
            quoting = False  # a quoted answer's pieces stay once streamed; a short answer's are a draft (Stage)
            # On a thread of its own (web/relay.py): the stop button lands while the model writes a lead.
            stream = lambda: self.assistant.stream(message, plain_history(history), stages=True, **limits)  # noqa: E731
            for item in relay(stream, self.lane):
                if item is WAITING:
                    yield shown
                elif isinstance(item, Stage):
                    quoting = item.name == "quoting"
                    stage = say(f"stage_{item.name}", lang, n=item.passages)
                    shown = render_stage(stage, lang, text)
                    yield shown
                elif isinstance(item, Answer):
                    scope = {k: v for k, v in limits.items() if v}
                    with self.lane:  # the index is read in turn with uploads and removals, as before
                        articles, titles = self.articles_of(item), self.titles()
                    shown = render_answer(item, message, articles, scope, titles)  # a late heartbeat re-sends this
                    yield shown
                elif quoting:  # only what stays is shown: never a draft that may turn into a refusal (issue 41)
                    text += item
                    shown = render_stage(stage, lang, text)
                    yield shown
        except RagError as exc:
            yield render_error(str(exc))
        except Exception:  # the chat must stay usable whatever failed underneath
            log.exception("answering failed")
            yield render_error(say("failed", lang), lang)

    def articles_of(self, answer: Answer) -> dict[str, list[str]]:
        """The cited articles' passages, for the sources' previews (a failure costs the preview, not the answer)."""
        out = {}
        for doc_id in dict.fromkeys(c.doc_id for c in answer.citations):
            try:
                out[doc_id] = self.assistant.article(doc_id)
            except Exception:
                log.warning("no preview for %s", doc_id, exc_info=True)
        return out

    def titles(self) -> dict[str, str]:
        """{doc_id: title} of the indexed articles: the page names an article by its title, never its id."""
        try:
            return {doc_id: str(info.get("title") or "") for doc_id, info in self.assistant.documents().items()}
        except RagError:
            return {}

    def chat(self, message: str, messages: list, since: str = "", until: str = "", sources=None, lang: str = "en"):
        """The page's chat: `messages` ends with the question; yields them with the answer growing after it."""
        messages = list(messages or [])
        history = messages[:-1] if messages and messages[-1].get("role") == "user" else messages
        for html in self.respond(message, history, since, until, sources, lang):
            yield [*messages, {"role": "assistant", "content": html}]

    def ask(self, question: str, since: str = "", until: str = "", sources: list[str] | None = None) -> dict:
        """Answer one question from the indexed articles.

        Returns the same JSON object as `rag ask --json`: {"answer", "refused", "status"
        ("answered" | "unsure" | "refused"), "confidence" (0..1 or null), "quote" (the verbatim
        span the answer rests on), "sentence" (the passage sentence holding it), "language",
        "reason" (the guard or confidence reason, or ""), "citations": [{"n", "doc_id", "title",
        "text", "score", "date", "source", "also_published_by", "paragraph"}]}. `since`/`until`
        (YYYY-MM-DD) and `sources` limit the articles.
        """
        if not self.loaded():
            raise RagError(say("loading", "en"))
        with self.lane:
            return self.assistant.ask(question, since=since or None, until=until or None, sources=sources or None).to_dict()

    def loaded(self) -> bool:
        """Whether the models are loaded, waiting for them a while first: a question asked during
        a start takes longer instead of failing (/v1 answers 503 at once, as OpenAI clients expect)."""
        return self.ready.wait(LOAD_WAIT_S)

    # --- feedback -------------------------------------------------------------------------
    def judge(self, content, liked: bool, correction: str = "", entry_id: str | None = None,
              user: str | None = None, lang: str = "en") -> dict:
        """Record a thumbs up or down (and a correction) on a rendered answer; returns the entry."""
        record = record_of(content)
        if record is None:
            raise RagError(say("rate_answers_only", lang))
        return self.feedback.add(record, liked, correction, entry_id, user)

    # --- conversations --------------------------------------------------------------------
    def conversations(self, browser: list | None, user: str | None) -> list[dict]:
        """The user's saved conversations: on the server when logged in, else the browser's.

        A question saved before questions were rendered as text is rendered now (`shown_as_typed`).
        """
        held = self.user_conversations.load(user) if user else list(browser or [])
        return [{**c, "messages": [shown_as_typed(m) for m in c.get("messages") or []]} for c in held]

    def keep(self, conversations: list[dict], user: str | None) -> list[dict]:
        """Store the conversations; returns what the browser keeps (nothing for a logged-in user)."""
        if user:
            self.user_conversations.store(user, conversations)
            return []
        return conversations

    # --- articles -------------------------------------------------------------------------
    def source_names(self) -> list[str]:
        """The publishers of the indexed articles, for the page's source filter."""
        try:
            return sorted({str(d["source"]) for d in self.assistant.documents().values() if d.get("source")})
        except RagError:
            return []

    def article_choices(self) -> list[tuple[str, str]]:
        """(label, doc_id) of every indexed article, for the panel's remove list: its title, and where two
        articles share a title, their publisher and date (then a number) to tell them apart."""
        try:
            docs = self.assistant.documents()
        except RagError:
            return []
        titled = {doc_id: str(info.get("title") or doc_id) for doc_id, info in docs.items()}
        counts: dict[str, int] = {}
        for title in titled.values():
            counts[title] = counts.get(title, 0) + 1
        labels: dict[str, str] = {}
        for doc_id, title in titled.items():
            if counts[title] > 1:
                extra = " · ".join(str(docs[doc_id][k]) for k in ("source", "date") if docs[doc_id].get(k))
                title = f"{title} · {extra}" if extra else title
            labels[doc_id] = title
        taken: dict[str, int] = {}
        for doc_id in sorted(labels, key=lambda d: (docs[d].get("ingested_at", ""), d)):
            taken[labels[doc_id]] = taken.get(labels[doc_id], 0) + 1
            if taken[labels[doc_id]] > 1:
                labels[doc_id] = f"{labels[doc_id]} ({taken[labels[doc_id]]})"
        return sorted(((label, doc_id) for doc_id, label in labels.items()), key=lambda pair: pair[0].casefold())

    def title_of(self, doc_id: str) -> str:
        return dict((d, label) for label, d in self.article_choices()).get(doc_id, doc_id)

    def documents_html(self, lang: str = "en") -> str:
        try:
            return render_documents(self.assistant.documents(), lang) + render_library(self.library_status(), lang)
        except RagError as exc:
            return render_error(str(exc))

    def library_status(self) -> dict:
        """When the library last changed, what came in, and its feeds and watched folders (indexing/upkeep.py)."""
        if self.upkeep is None:  # served without `rag serve`'s upkeep: the feeds and the index, nothing watched
            from ..indexing.upkeep import Upkeep

            self.upkeep = Upkeep(self.assistant)
        return self.upkeep.status()

    def library_changed(self, seen: str) -> tuple[bool, str]:
        """Whether the panel must be drawn again since `seen` (a fingerprint of the status), and the new one."""
        status = self.library_status()
        # The manifest's time has whole seconds: two changes in one second (an upload, then a feed's item) differ
        # in what is listed, not in when.
        mark = json.dumps([status["changed_at"], status.get("articles"), status.get("recent"), status["feeds"],
                           status["folders"]], sort_keys=True, default=str)
        return mark != seen, mark

    def remove_article(self, doc_id: str | None, lang: str = "en") -> str:
        """Take one article out of the index (and its uploaded copy out of the uploads folder); a status line."""
        if not doc_id:
            return render_error(say("pick_article", lang), lang)
        if not self.loaded():
            return render_error(say("loading", lang), lang)
        title = self.title_of(doc_id)
        try:
            with self.lane:
                held = self.assistant.documents()
                if doc_id not in held:  # removed meanwhile, from another page or the CLI
                    return render_error(say("not_indexed", lang), lang)
                path = held[doc_id].get("path", "")
                self.assistant.remove([doc_id])
        except RagError as exc:
            return render_error(str(exc))
        except Exception:
            log.exception("removing %s failed", doc_id)
            return render_error(say("remove_failed", lang), lang)
        # An upload would come back with the next rebuild of the index: its file goes too.
        if path and Path(path).resolve().parent == self.uploads.resolve():
            Path(path).unlink(missing_ok=True)
        return render_status(say("removed", lang, title=title), lang)

    def add_articles(self, files, progress=None, lang: str = "en") -> str:
        """Copy uploaded files into the uploads folder and ingest them; returns a status line (HTML)."""
        progress = progress or (lambda *args, **kwargs: None)
        files = [f for f in (files if isinstance(files, list) else [files]) if f]
        if not files:
            return ""
        self.uploads.mkdir(parents=True, exist_ok=True)
        saved, rejected = [], []
        progress(0.05, desc=say("progress_saving", lang))
        for f in files:
            src = Path(f if isinstance(f, (str, Path)) else getattr(f, "name", str(f)))
            if src.suffix.lower() not in UPLOAD_TYPES:
                rejected.append(src.name)
                continue
            dest = self.uploads / safe_filename(src.name)
            shutil.copyfile(src, dest)
            saved.append(dest)
        types = " ".join(UPLOAD_TYPES)
        if not saved:
            return render_error(say("not_added", lang, names=", ".join(rejected), types=types), lang)
        progress(0.2, desc=say("progress_embedding", lang, n=len(saved)))
        if not self.loaded():
            return render_error(say("loading", lang), lang)
        try:
            with self.lane:
                self.assistant.ensure_index()  # a missing index is first built from the seeds, then the upload added
                report = self.assistant.ingest(saved, progress=False)
        except RagError as exc:
            return render_error(str(exc))
        except Exception:
            log.exception("ingest failed")
            return render_error(say("add_failed", lang), lang)
        progress(1.0, desc=say("progress_done", lang))
        names = ", ".join(p.name for p in saved)
        if report.added or report.updated:
            status = say("added", lang, names=names)
        elif report.duplicates:
            status = say("already_indexed", lang, names=names)
        else:
            status = say("nothing_new", lang, names=names)
        if rejected:
            status += " " + say("not_added", lang, names=", ".join(rejected), types=types)
        return render_status(status, lang)


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


def _session(request) -> str:
    """The browser session a page event came from (Gradio's session hash)."""
    return getattr(request, "session_hash", None) or ""


def _user(request) -> str | None:
    """The logged-in user (`--auth`), or None."""
    return getattr(request, "username", None) or None


def _export_file(conversation: dict | None, lang: str = "en") -> str | None:
    """The conversation as a Markdown file for the page's download button (one file per conversation, rewritten)."""
    if not conversation:
        return None
    folder = Path(tempfile.gettempdir()) / "rag-export" / safe_filename(str(conversation["id"]))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink(missing_ok=True)
    name = safe_filename(conversation.get("title") or "conversation")[:80] or "conversation"
    path = folder / f"{name}.md"
    path.write_text(convs.to_markdown(conversation, lang), encoding="utf-8")
    return str(path)


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
        "text", "score", "date", "source", "also_published_by", "paragraph"}]}. Optional:
        `since`/`until` (YYYY-MM-DD, inclusive) and `sources` (publisher names) limit the
        articles the answer may come from.
        """
        try:
            return handlers.ask(question, since, until, sources)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc

    def chat(message: str, since: str = "", until: str = "", sources: list[str] | None = None) -> str:
        """Answer one question as the page shows it: HTML, streamed, the last piece the final answer with its sources."""
        # `-> str` is what each streamed piece is: gr.api reads its output from the return annotation.
        yield from handlers.respond(message, [], since, until, sources)

    # --- the page's language: the reader's choice, else the one asked in, else the browser's
    def words(lang: str, also: dict | None = None) -> list:
        """Every labelled component's words in `lang` (`labelled`, below: component, attribute, catalogue key),
        one update per component in the order of `shown`, with what else changes in it (`also`: {component:
        {attribute: value}}): an event may name a component once among its outputs."""
        updates: dict[int, dict] = {id(language): {"value": lang}}  # the switch shows the language too
        for component, attribute, key in labelled:
            updates.setdefault(id(component), {})[attribute] = say(key, lang)
        updates[id(header)] = {"value": header_html(lang)}  # the title and the line under it
        updates[id(chatbot)]["examples"] = examples_in(lang)
        for component, more in (also or {}).items():
            updates[id(component)].update(more)
        return [type(component)(**updates[id(component)]) for component in shown]

    def open_page(chosen, browser, request: gr.Request):
        lang = strings.page_language(chosen, request.headers.get("accept-language") if request else None)
        return (lang, *words(lang, {
            listed: {"choices": convs.choices(handlers.conversations(browser, _user(request)), lang), "value": None},
            sources: {"choices": handlers.source_names()},
            to_remove: {"choices": handlers.article_choices(), "value": None}}), handlers.documents_html(lang))

    def choose_language(lang, browser, request: gr.Request):
        lang = strings.known(lang)
        listing = {listed: {"choices": convs.choices(handlers.conversations(browser, _user(request)), lang)}}
        return (lang, lang, *words(lang, listing), handlers.documents_html(lang))

    def follow_conversation(question: str, chosen, lang: str, conv_id, browser, request: gr.Request):
        """A reader who has not chosen the page's language gets the language they ask in: the browser's
        language is a guess, the conversation is what they read (issue 33)."""
        spoken = strings.language_of(question)
        # An example is the page's words, not the reader's language.
        if chosen in strings.LANGUAGES or spoken is None or spoken == lang or question in settings.ui_examples:
            return [gr.skip()] * (len(shown) + 2)
        conversations = handlers.conversations(browser, _user(request))
        return (spoken, *words(spoken, {
            listed: {"choices": convs.choices(conversations, spoken), "value": conv_id},
            export: {"value": _export_file(convs.find(conversations, conv_id), spoken)}}), handlers.documents_html(spoken))

    # --- the chat loop: question in, answer streamed, conversation saved ----------------
    def waiting_line(request, lang: str, shown: bool = True):
        """The session's waiting questions (shown while an answer is written, hidden when none wait or none is),
        and their number, which the page script reads (ASK_NEXT)."""
        line = handlers.turns.waiting(_session(request))
        visible = shown and bool(line)
        return (gr.Row(visible=visible), render_waiting(line, say("waiting", lang), lang) if visible else "",
                str(len(line)))

    def accept(message: str, lang: str, request: gr.Request):
        """The question joins the session's line (web/turns.py); the box is free for the next one at once. It is
        asked when no answer is being written (ASK_NEXT, then `take_next`), never into one: sent while an answer
        streamed, it once took that answer as it stood ("ال") and replaced the whole one with it."""
        if not (message or "").strip():
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()  # nothing to send, and nothing changes
        session = _session(request)
        if not handlers.turns.wait(session, message):  # the question stays in the box
            _, line, size = waiting_line(request, lang)
            return gr.skip(), gr.Row(visible=True), line + render_status(say("line_full", lang, n=size), lang), size
        return ("", *waiting_line(request, lang, shown=handlers.turns.in_flight(session)))

    def accept_example(lang: str, evt: gr.SelectData, request: gr.Request):
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        return accept(str(value.get("text", "")), lang, request)[1:]

    def take_next(messages: list, lang: str, request: gr.Request):
        """The session's next waiting question into the chat, when no answer is in flight. It runs in the
        assistant's lane (queued), so its chat is the one the last answer left, saved whole. With none to take,
        the steps after it do nothing (an empty question): raised, even quietly, Gradio drew "Error" over the chat."""
        question = handlers.turns.take(_session(request))
        if question is None:
            return (gr.skip(), gr.skip(), "", gr.skip(), *waiting_line(request, lang, shown=False))
        waiting = gr.Textbox(submit_btn=False, stop_btn=True)  # its value is the reader's: typing goes on
        return (waiting, [*(messages or []), {"role": "user", "content": render_user(question)}], question, True,
                *waiting_line(request, lang))

    def cancel_waiting(lang: str, request: gr.Request):
        handlers.turns.cancel(_session(request))
        return waiting_line(request, lang)

    def answer(message: str, messages: list, since: str, until: str, sources, lang: str):
        # Not `handlers.chat` itself: an event takes its function's name as its API name, and "chat" is /chat's.
        if not (message or "").strip():  # no question was taken (take_next)
            yield gr.skip()
            return
        yield from handlers.chat(message, messages, since, until, sources, lang)

    def finish(message: str, messages: list, conv_id, browser, lang: str, request: gr.Request):
        if not (message or "").strip():  # no question was taken (take_next): nothing ended, nothing to save
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        ready = gr.Textbox(submit_btn=True, stop_btn=False)
        handlers.turns.done(_session(request))  # saved below: the next question may take its turn
        user = _user(request)
        conversations, conv_id = convs.save(handlers.conversations(browser, user), conv_id, messages or [])
        listed = gr.Radio(choices=convs.choices(conversations, lang), value=conv_id)
        # A "still being written" note is over with the answer.
        return (ready, conv_id, handlers.keep(conversations, user), listed,
                _export_file(convs.find(conversations, conv_id), lang), False, "")

    def still_answering(lang: str) -> str:
        # The answer streams into the open conversation and is saved into it when it ends: opening,
        # starting or deleting another meanwhile overwrote that one with this answer (issue 33's review).
        return render_status(say("busy", lang), lang)

    def open_conversation(conv_id, current_id, busy: bool, browser, lang: str, request: gr.Request):
        if busy:
            return (gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.Radio(value=current_id),
                    still_answering(lang))
        handlers.turns.cancel(_session(request))  # questions waiting belong to the conversation left
        conversation = convs.find(handlers.conversations(browser, _user(request)), conv_id)
        if conversation is None:
            return None, [], None, "", gr.Row(visible=False), gr.skip(), ""
        # A confirmation asked about another conversation goes: "Yes" must act on what it named.
        return (conv_id, conversation["messages"], _export_file(conversation, lang), conversation.get("title", ""),
                gr.Row(visible=False), gr.skip(), "")

    def new_conversation(busy: bool, lang: str, request: gr.Request):
        if busy:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), still_answering(lang)
        handlers.turns.cancel(_session(request))  # questions waiting belong to the conversation left
        return None, [], gr.Radio(value=None), None, "", gr.Row(visible=False), ""

    def rename_conversation(title: str, conv_id, browser, lang: str, request: gr.Request):
        user = _user(request)
        conversations = convs.rename(handlers.conversations(browser, user), conv_id, title)
        return (handlers.keep(conversations, user), gr.Radio(choices=convs.choices(conversations, lang), value=conv_id),
                _export_file(convs.find(conversations, conv_id), lang))

    def ask_delete(conv_id, busy: bool, browser, lang: str, request: gr.Request):
        """Deleting loses the conversation for good: the reader is asked first (issue 33)."""
        if busy:
            return gr.Row(visible=True), still_answering(lang), gr.Button(visible=False), None
        conversation = convs.find(handlers.conversations(browser, _user(request)), conv_id)
        if conversation is None:
            return gr.Row(visible=True), render_error(say("no_conversation", lang), lang), gr.Button(visible=False), None
        question = say("delete_ask", lang, title=conversation.get("title") or say("untitled", lang))
        # The conversation asked about is kept: "Yes" deletes it, whatever is open by then.
        return gr.Row(visible=True), render_status(question, lang), gr.Button(visible=True), conv_id

    def delete_conversation(doomed, conv_id, browser, lang: str, request: gr.Request):
        user = _user(request)
        held = handlers.conversations(browser, user)
        gone = convs.find(held, doomed) or {}
        conversations = convs.delete(held, doomed)
        note = say("deleted", lang, title=gone.get("title") or say("untitled", lang))
        if not gone:  # "Yes" twice, or nothing asked about: nothing to delete
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.Row(visible=False), gr.skip(), None
        if doomed != conv_id:  # another conversation is open: it stays open
            return (conv_id, handlers.keep(conversations, user),
                    gr.Radio(choices=convs.choices(conversations, lang), value=conv_id),
                    gr.skip(), gr.skip(), gr.skip(), gr.Row(visible=False), render_status(note, lang), None)
        return (None, handlers.keep(conversations, user), gr.Radio(choices=convs.choices(conversations, lang), value=None),
                [], None, "", gr.Row(visible=False), render_status(note, lang), None)

    # --- feedback -------------------------------------------------------------------
    def like(messages: list, lang: str, evt: gr.LikeData, request: gr.Request):
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        content = messages[index]["content"] if 0 <= index < len(messages or []) else evt.value
        liked = evt.liked is True or evt.liked == "Like"
        try:
            entry = handlers.judge(content, liked, user=_user(request), lang=lang)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        thanks = say("thanks_right" if liked else "thanks_wrong", lang)
        status = render_status(thanks, lang)
        return entry["id"], content, gr.Row(visible=not liked), status, ""

    def correct(text: str, entry_id, content, lang: str, request: gr.Request):
        if not entry_id or not (text or "").strip():
            raise gr.Error(say("write_correction", lang))
        try:
            handlers.judge(content, False, text, entry_id, _user(request), lang)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        status = render_status(say("correction_saved", lang), lang)
        return gr.Row(visible=False), status, ""

    # --- articles ---------------------------------------------------------------------
    def add_articles(files, lang: str, progress=gr.Progress()):
        status = handlers.add_articles(files, progress, lang)
        return status, handlers.documents_html(lang), None

    def article_lists(picked=None):
        """The filter's sources and the articles one can remove, the reader's pick left alone while it is still
        indexed: redrawn empty, the pick went, and with it the "remove it?" question the reader was answering
        (issue 41: the panel's refresh a second after an upload took the "Yes" button from under the reader's
        click). Not sent back either: a pick made while the refresh was on its way would be undone."""
        choices = handlers.article_choices()
        kept = picked in {doc_id for _, doc_id in choices}
        articles = gr.Dropdown(choices=choices) if kept else gr.Dropdown(choices=choices, value=None)
        return gr.Dropdown(choices=handlers.source_names()), articles

    def refresh_library(lang: str, seen: str, picked):
        """Every few seconds: the panel and the article lists drawn again once the library changed (a feed's
        items, a watched folder's file, another process's ingest), else nothing sent."""
        changed, mark = handlers.library_changed(seen)
        if not changed:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return (handlers.documents_html(lang), *article_lists(picked), mark)

    def ask_remove(doc_id, lang: str):
        """Removing takes an article out of every answer: the reader is asked first (issue 33)."""
        if not doc_id:
            return gr.Row(visible=False), render_error(say("pick_article", lang), lang), None
        question = say("remove_ask", lang, title=handlers.title_of(doc_id))
        return gr.Row(visible=True), render_status(question, lang), doc_id

    def remove_pick_changed(picked, asked):
        """The question stays while the pick is the article it names (a redraw that kept it). Any other pick
        (another process removed the article, say), and the question goes with its buttons: "Yes" would remove
        what it did not name."""
        if asked and picked == asked:
            return gr.skip(), gr.skip(), gr.skip()
        if asked:
            return gr.Row(visible=False), "", None
        return gr.Row(visible=False), gr.skip(), gr.skip()

    def remove_article(doc_id, lang: str, asked=None):
        """Take one article out of the index, by its id. On the page, "Yes" removes the article its question
        named and no other (`asked`, the page's own state; an API caller names the article and has none)."""
        if asked and doc_id != asked:
            return (render_error(say("pick_article", lang), lang), gr.skip(), gr.skip(), gr.skip(),
                    gr.Row(visible=False), None)
        status = handlers.remove_article(doc_id, lang)
        sources, articles = article_lists()
        return status, handlers.documents_html(lang), articles, sources, gr.Row(visible=False), None

    def header_html(lang: str) -> str:
        """The page's title (the product's name in the page's language, then the library's) and the line under it."""
        title = say("product", lang) + (f" · {settings.ui_title}" if settings.ui_title else "")
        line = settings.ui_description or say("subtitle", lang)
        return (f'<div dir="{page_dir(lang)}"><h1 id="rag-title" dir="auto">{escape_passage(title)}</h1>'
                f'<p id="rag-subtitle">{escape_passage(line)}</p></div>')

    def examples_in(lang: str) -> list[dict] | None:
        """The examples in the page's language; all of them when none is (an operator's list in one language)."""
        mine = [e for e in settings.ui_examples if strings.language_of(e) == lang]
        return [{"text": e} for e in mine or settings.ui_examples] or None

    with gr.Blocks(title=say("product", strings.DEFAULT), analytics_enabled=False, fill_height=True) as app:
        saved = gr.BrowserState([], storage_key="rag-conversations", secret=convs.browser_secret(settings.home))
        chosen = gr.BrowserState("", storage_key="rag-page-language")  # the reader's own choice, kept in the browser
        lang = gr.State(strings.DEFAULT)  # the page's language
        current = gr.State(None)  # the open conversation's id
        doomed = gr.State(None)  # the conversation a delete confirmation asks about
        busy = gr.State(False)  # an answer is streaming into the open conversation
        question = gr.State("")  # the question being answered
        judged = gr.State(None)  # the feedback entry a correction completes
        judged_content = gr.State(None)
        en = strings.DEFAULT
        with gr.Sidebar(open=True, width=340, elem_id="rag-sidebar"):
            language = gr.Radio(choices=[(name, code) for code, name in strings.NAMES.items()], value=en,
                                label=say("language", en), elem_id="rag-language")
            with gr.Accordion(say("conversations", en), open=True, elem_id="rag-conversations") as conversations_box:
                new_chat = gr.Button(say("new_conversation", en), size="sm", elem_id="rag-new-chat")
                listed = gr.Radio(choices=[], value=None, show_label=False, label=say("conversation_list", en),
                                  elem_id="rag-conversation-list")
                with gr.Row():
                    title = gr.Textbox(show_label=False, label=say("name", en), placeholder=say("name_placeholder", en),
                                       scale=3, elem_id="rag-rename")
                    rename = gr.Button(say("rename", en), size="sm", scale=1, elem_id="rag-rename-button")
                with gr.Row():
                    export = gr.DownloadButton(say("export", en), value=None, size="sm", elem_id="rag-export")
                    delete = gr.Button(say("delete", en), size="sm", variant="stop", elem_id="rag-delete-chat")
                with gr.Row(visible=False, elem_id="rag-delete-confirm") as delete_row:
                    delete_question = gr.HTML(elem_id="rag-delete-question")
                    delete_yes = gr.Button(say("delete_yes", en), size="sm", variant="stop", elem_id="rag-delete-yes")
                    delete_no = gr.Button(say("cancel", en), size="sm", elem_id="rag-delete-no")
                conversation_status = gr.HTML(elem_id="rag-conversation-status")
            docs_heading = gr.Markdown(say("indexed_articles_heading", en))
            docs_panel = gr.HTML(elem_id="rag-documents")
            upload = gr.File(
                label=say("add_article", en), file_types=UPLOAD_TYPES, file_count="multiple",
                type="filepath", elem_id="rag-upload",
            )
            upload_status = gr.HTML(elem_id="rag-upload-status")
            with gr.Accordion(say("remove_article", en), open=False, elem_id="rag-remove") as remove_box:
                to_remove = gr.Dropdown(label=say("article", en), choices=[], value=None, elem_id="rag-remove-choice")
                remove = gr.Button(say("remove_button", en), size="sm", variant="stop", elem_id="rag-remove-button")
                with gr.Row(visible=False, elem_id="rag-remove-confirm") as remove_row:
                    remove_yes = gr.Button(say("remove_yes", en), size="sm", variant="stop", elem_id="rag-remove-yes")
                    remove_no = gr.Button(say("cancel", en), size="sm", elem_id="rag-remove-no")
                remove_status = gr.HTML(elem_id="rag-remove-status")
            with gr.Accordion(say("limit", en), open=False, elem_id="rag-filter") as filter_box:
                since = gr.Textbox("", label=say("since", en), placeholder="YYYY-MM-DD", elem_id="rag-since")
                until = gr.Textbox("", label=say("until", en), placeholder="YYYY-MM-DD", elem_id="rag-until")
                sources = gr.Dropdown(label=say("sources_filter", en), choices=[], value=[], multiselect=True,
                                      allow_custom_value=False, elem_id="rag-sources")
        header = gr.HTML(header_html(en), elem_id="rag-header")
        chatbot = gr.Chatbot(
            elem_id="rag-chatbot", label=say("chat", en), latex_delimiters=[], sanitize_html=True, render_markdown=True,
            placeholder=say("chat_placeholder", en), height="70vh", feedback_options=("Like", "Dislike"),
            examples=examples_in(en),
        )
        textbox = gr.Textbox(elem_id="rag-question", show_label=False, label=say("question", en),
                             placeholder=say("question_placeholder", en), autofocus=True, submit_btn=True, stop_btn=False)
        with gr.Row(visible=False, elem_id="rag-waiting") as waiting_row:
            waiting_list = gr.HTML(elem_id="rag-waiting-list")
            cancel_line = gr.Button(say("cancel_waiting", en), size="sm", scale=0, elem_id="rag-waiting-cancel")
        next_question = gr.Button("next", elem_id="rag-next", elem_classes=["rag-hidden"])  # clicked by ASK_NEXT
        line_size = gr.Textbox("0", elem_id="rag-line-size", elem_classes=["rag-hidden"], show_label=False,
                               container=False)  # how many questions wait: read by ASK_NEXT
        # Under the question box, not above it: opened above, it pushed the box off a 900-pixel screen (issue 33).
        feedback_status = gr.HTML(elem_id="rag-feedback-status")
        with gr.Row(visible=False, elem_id="rag-correction-row") as correction_row:
            correction = gr.Textbox(show_label=False, label=say("correction", en), placeholder=say("correction_placeholder", en),
                                    scale=5, elem_id="rag-correction")
            send_correction = gr.Button(say("send_correction", en), scale=1, elem_id="rag-send-correction")

        labelled = [(language, "label", "language"), (conversations_box, "label", "conversations"),
                    (new_chat, "value", "new_conversation"), (listed, "label", "conversation_list"),
                    (title, "label", "name"), (title, "placeholder", "name_placeholder"),
                    (rename, "value", "rename"), (export, "label", "export"), (delete, "value", "delete"),
                    (delete_yes, "value", "delete_yes"), (delete_no, "value", "cancel"),
                    (docs_heading, "value", "indexed_articles_heading"), (upload, "label", "add_article"),
                    (remove_box, "label", "remove_article"), (to_remove, "label", "article"),
                    (remove, "value", "remove_button"), (remove_yes, "value", "remove_yes"), (remove_no, "value", "cancel"),
                    (filter_box, "label", "limit"), (since, "label", "since"), (until, "label", "until"),
                    (sources, "label", "sources_filter"), (chatbot, "label", "chat"), (chatbot, "placeholder", "chat_placeholder"),
                    (correction, "label", "correction"), (correction, "placeholder", "correction_placeholder"),
                    (send_correction, "value", "send_correction"), (textbox, "label", "question"),
                    (textbox, "placeholder", "question_placeholder"),
                    (cancel_line, "value", "cancel_waiting"), (header, "value", "product")]
        shown = list({id(component): component for component, _, _ in labelled}.values())
        saving = {"fn": finish, "inputs": [question, chatbot, current, saved, lang],
                  "outputs": [textbox, current, saved, listed, export, busy, conversation_status],
                  "api_visibility": "private", "queue": False, "show_progress": "hidden"}
        following = {"fn": follow_conversation, "inputs": [question, chosen, lang, current, saved],
                     "outputs": [lang, *shown, docs_panel], "api_visibility": "private", "queue": False,
                     "show_progress": "hidden"}
        answering = {"fn": answer, "inputs": [question, chatbot, since, until, sources, lang], "outputs": [chatbot],
                     "api_visibility": "private", "show_progress": "hidden"}  # the stages say it, in the page's language
        # A question joins the session's line (web/turns.py), and is taken when no answer is being written.
        line = [waiting_row, waiting_list, line_size]
        asked = textbox.submit(accept, [textbox, lang], [textbox, *line], api_visibility="private", queue=False)
        asked.then(None, None, None, js=ASK_NEXT, api_visibility="private", queue=False)
        picked = chatbot.example_select(accept_example, [lang], line, api_visibility="private", queue=False)
        picked.then(None, None, None, js=ASK_NEXT, api_visibility="private", queue=False)
        # No progress of Gradio's own: a "•••" bubble and English timers stayed where no question was waiting.
        taken = next_question.click(take_next, [chatbot, lang], [textbox, chatbot, question, busy, *line],
                                    api_visibility="private", show_progress="hidden")
        answered = taken.success(**answering)
        # The conversation saved, then the page's language following it (once the reader asked), then the next
        # waiting question taken.
        followed = answered.then(**saving).then(**following)
        followed.then(None, [language], None, js=PAGE_DIRECTION, api_visibility="private", queue=False).then(
            None, None, None, js=ASK_NEXT, api_visibility="private", queue=False)
        cancel_line.click(cancel_waiting, [lang], line, api_visibility="private", queue=False)
        # A stopped answer is saved by the steps after it: Gradio runs an event's `.then` steps when it is
        # cancelled too. Chained here as well, the save ran twice at once, and a new conversation was listed twice.
        textbox.stop(None, None, None, cancels=[answered], api_visibility="private", queue=False)

        listed.input(open_conversation, [listed, current, busy, saved, lang],
                     [current, chatbot, export, title, delete_row, listed, conversation_status], api_visibility="private",
                     queue=False)
        # The chat's own clear button starts a new conversation; the saved one stays listed.
        fresh = [current, chatbot, listed, export, title, delete_row, conversation_status]
        chatbot.clear(new_conversation, [busy, lang], fresh, api_visibility="private", queue=False)
        new_chat.click(new_conversation, [busy, lang], fresh, api_visibility="private", queue=False)
        rename.click(rename_conversation, [title, current, saved, lang], [saved, listed, export], api_visibility="private",
                     queue=False)
        delete.click(ask_delete, [current, busy, saved, lang], [delete_row, delete_question, delete_yes, doomed],
                     api_visibility="private", queue=False)
        delete_no.click(lambda: gr.Row(visible=False), None, [delete_row], api_visibility="private", queue=False)
        delete_yes.click(delete_conversation, [doomed, current, saved, lang],
                         [current, saved, listed, chatbot, export, title, delete_row, conversation_status, doomed],
                         api_visibility="private", queue=False)
        chatbot.like(like, [chatbot, lang], [judged, judged_content, correction_row, feedback_status, correction],
                     api_visibility="private", queue=False)
        send_correction.click(correct, [correction, judged, judged_content, lang],
                              [correction_row, feedback_status, correction], api_visibility="private", queue=False)

        gr.api(ask, api_name="ask")
        gr.api(chat, api_name="chat")
        uploaded = upload.upload(add_articles, [upload, lang], [upload_status, docs_panel, upload], api_name="add_articles",
                                 show_progress="full")
        uploaded.then(article_lists, [to_remove], [sources, to_remove], api_visibility="private")
        # The result sits under the drop zone, and the list above it has just grown: bring it into sight.
        uploaded.then(None, None, None, js=SHOW_UPLOAD_STATUS, api_visibility="private", queue=False)
        remove_asked = gr.State(None)  # the article the open "remove it?" question names
        remove.click(ask_remove, [to_remove, lang], [remove_row, remove_status, remove_asked], api_visibility="private",
                     queue=False)
        remove_no.click(lambda: (gr.Row(visible=False), "", None), None, [remove_row, remove_status, remove_asked],
                        api_visibility="private", queue=False)
        # Another article picked, or the list redrawn without the one asked about: "Yes" would remove what it did
        # not name.
        to_remove.change(remove_pick_changed, [to_remove, remove_asked], [remove_row, remove_status, remove_asked],
                         api_visibility="private", queue=False)
        # The reader's own pick: the question about the article picked before goes (`.change` also follows a
        # removal and an upload, whose notes stay).
        to_remove.input(lambda: ("", gr.Row(visible=False), None), None, [remove_status, remove_row, remove_asked],
                        api_visibility="private", queue=False)
        removed = remove_yes.click(remove_article, [to_remove, lang, remove_asked],
                                   [remove_status, docs_panel, to_remove, sources, remove_row, remove_asked],
                                   api_name="remove_article")
        # An upload's "added, ask about it now" note goes: it may name the article just removed (issue 41).
        removed.then(lambda: "", None, [upload_status], api_visibility="private", queue=False, show_progress="hidden")

        library_seen = gr.State("")  # the library status last drawn (refresh_library), set when the page opens
        app.load(lambda: handlers.library_changed("")[1], None, [library_seen], queue=False, api_visibility="private",
                 show_progress="hidden")
        gr.Timer(settings.library_refresh_s).tick(refresh_library, [lang, library_seen, to_remove],
                                                  [docs_panel, sources, to_remove, library_seen],
                                                  queue=False, api_visibility="private", show_progress="hidden")
        opened = app.load(open_page, [chosen, saved], [lang, *shown, docs_panel],
                          queue=False, api_visibility="private", show_progress="hidden")
        opened.then(None, [language], None, js=PAGE_DIRECTION, api_visibility="private", queue=False)
        switched = language.input(choose_language, [language, saved], [lang, chosen, *shown, docs_panel],
                                  api_visibility="private", queue=False, show_progress="hidden")
        switched.then(None, [language], None, js=PAGE_DIRECTION, api_visibility="private", queue=False)

    # One llama.cpp context and one index: every queued event (chat, /ask, uploads) takes turns.
    for fn in app.fns.values():
        if fn.queue is not False:
            fn.concurrency_id = "rag-assistant"
    return ChatApp(app, handlers)
