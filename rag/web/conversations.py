"""Saved conversations: listed, reopened, renamed, deleted and exported as Markdown.

A conversation is {"id", "title", "created", "updated", "messages"}; its messages are the chat's own
({"role", "content"}, the content as the page rendered it), so a reopened conversation
looks as it did, and each answer carries its record (render.record_of) for the export's
sources. Where they live:
- without a login, in the user's browser (`gr.BrowserState`, i.e. localStorage): nothing
  of one user's reaches another, and the server keeps nothing;
- with `--auth`, on the server, one file per user under `RAG_HOME/conversations/`, so a
  user finds them again from another browser, and users of one browser do not share them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from .render import message_text, record_of
from .strings import FIRST_STRONG_ISOLATE, LTR_ISOLATE, POP_ISOLATE
from .strings import text as say

# localStorage holds about 5 MB a site; an answer with its sources and record is 3-8 KB,
# so 100 conversations of a few turns fit with room to spare. The oldest go first.
MAX_CONVERSATIONS = 100
TITLE_CHARS = 60


def browser_secret(home: str | Path) -> str:
    """The key the browser's copy is encrypted with: the same for a RAG_HOME on this machine at every start.

    Gradio's BrowserState draws a new key each start by default, which would leave every
    saved conversation unreadable after a restart of `rag serve`. The copy is the user's own
    conversation in the user's own browser, so the key guards nothing secret: it only has to
    stay the same, and deriving it (machine id + home) writes nothing.
    """
    try:
        machine = Path("/etc/machine-id").read_text(encoding="ascii").strip()
    except OSError:
        machine = ""
    return hashlib.sha256(f"rag-conversations|{machine}|{Path(home).resolve()}".encode()).hexdigest()[:32]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def title_of(messages: list[dict]) -> str:
    """The first question, shortened: what a user recognises a conversation by."""
    for m in messages:
        if m.get("role") == "user":
            text = " ".join(message_text(m.get("content")).split())
            if text:
                return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
    return ""


def find(conversations: list[dict], conv_id: str | None) -> dict | None:
    return next((c for c in conversations or [] if c.get("id") == conv_id), None)


def save(conversations: list[dict], conv_id: str | None, messages: list[dict]) -> tuple[list[dict], str | None]:
    """`messages` stored as conversation `conv_id` (a new one when None); most recent first."""
    if not messages:
        return list(conversations or []), conv_id
    held = find(conversations, conv_id)
    if held is not None and held.get("messages") == messages:
        return list(conversations or []), conv_id  # nothing new: it keeps its place in the list
    now = _now()
    if held is None:
        held = {"id": conv_id or uuid.uuid4().hex[:12], "title": title_of(messages), "renamed": False}
    elif not held.get("renamed"):
        held = {**held, "title": title_of(messages)}
    # A new one is created now; one saved before "created" existed is dated by its last use, once, so its
    # number stays put.
    held = {"created": held.get("updated") or now, **held, "messages": messages, "updated": now}
    rest = [c for c in conversations or [] if c.get("id") != held["id"]]
    return [held, *rest][:MAX_CONVERSATIONS], held["id"]


def rename(conversations: list[dict], conv_id: str | None, title: str) -> list[dict]:
    title = " ".join((title or "").split())[:120]
    if not title:
        return list(conversations or [])
    return [{**c, "title": title, "renamed": True} if c.get("id") == conv_id else c for c in conversations or []]


def delete(conversations: list[dict], conv_id: str | None) -> list[dict]:
    return [c for c in conversations or [] if c.get("id") != conv_id]


# A label is plain text (the list draws no HTML), so text is isolated the plain-text way: FIRST STRONG
# ISOLATE (the title takes its own direction) and LEFT-TO-RIGHT ISOLATE (the stamp), each closed by POP
# DIRECTIONAL ISOLATE, what <bdi> and <bdi dir="ltr"> do in HTML. The stamp goes on a line of its own
# (the list keeps line breaks: render.CSS): beside a wrapped Arabic title it landed mid-title (issue 33).


def choices(conversations: list[dict], language: str = "en") -> list[tuple[str, str]]:
    """(label, id) pairs for the page's list: the title, then when it was last used (always left to right).

    Conversations of the same title are numbered in the order they were started ("… (2)"): started
    with the same question, they could not be told apart. The number stays with its conversation
    when another is used and moves up the list (numbered by place, two labels swapped).
    """
    conversations = list(conversations or [])
    titles = [c.get("title") or say("untitled", language) for c in conversations]
    seen: dict[str, int] = {}
    numbered = [""] * len(titles)
    started = sorted(range(len(conversations)),  # the oldest keeps the bare title
                     key=lambda i: (str(conversations[i].get("created") or conversations[i].get("updated") or ""),
                                    str(conversations[i].get("id"))))
    for i in started:
        seen[titles[i]] = seen.get(titles[i], 0) + 1
        if seen[titles[i]] > 1:
            numbered[i] = f" ({seen[titles[i]]})"
    out = []
    for c, title, number in zip(conversations, titles, numbered):
        when = str(c.get("updated", ""))[:16].replace("T", " ")
        label = f"{FIRST_STRONG_ISOLATE}{title}{number}{POP_ISOLATE}\n{LTR_ISOLATE}{when}{POP_ISOLATE}"
        out.append((label, c["id"]))
    return out


_MARKUP = re.compile(r"([\\`*_\[\]<>&~])")  # what opens code, emphasis, links, HTML, entities, strikethrough
_LINE_MARK = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([#>+=.)-])", re.M)  # what makes a line a heading, a quote or a list item


def markdown_text(text: str) -> str:
    """The user's words as Markdown that shows them as typed: every mark that would act is backslash-escaped."""
    return _LINE_MARK.sub(r"\1\\\2", _MARKUP.sub(r"\\\1", text)).replace("\n", "  \n")


def to_markdown(conversation: dict, language: str = "en") -> str:
    """The conversation as Markdown: each question (as typed), each answer with its status and its sources.

    Headings are in the page's `language`; articles are named by title, publisher and date, never by id.
    """
    title = markdown_text(conversation.get("title") or say("untitled", language))
    lines = [f"# {title}", "", f"_{say('md_saved', language, when=conversation.get('updated', ''))}_", ""]
    for m in conversation.get("messages", []):
        content = m.get("content")
        if m.get("role") == "user":
            lines += [f"**{say('md_question', language)}:** {markdown_text(message_text(content))}", ""]
            continue
        record = record_of(content)
        if record is None:
            lines += [f"**{say('md_answer', language)}:** {message_text(content)}", ""]
            continue
        status = record.get("status", "")
        said = [say(f"md_{status}", language)] if status in ("answered", "unsure", "refused") else []
        if isinstance(record.get("confidence"), float) and status != "refused":
            said.append(say("md_confidence", language, score=f"{record['confidence']:.2f}"))
        lines += [f"**{say('md_answer', language)}** ({say('comma', language).join(said)}): {record.get('answer', '')}", ""]
        citations = record.get("citations") or []
        if citations:
            lines += [f"{say('md_sources', language)}:", ""]
            for c in citations:
                head = " · ".join(str(x) for x in (c.get("title"), c.get("source"), c.get("date")) if x)
                lines.append(f"- [{c.get('n')}] {head} ({say('paragraph', language)} {int(c.get('paragraph', 0)) + 1})")
                lines += [f"  > {line}" for line in str(c.get("text", "")).splitlines() if line.strip()]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class UserConversations:
    """Each logged-in user's conversations, one JSON file each (written whole, by rename)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def _file(self, user: str) -> Path:
        # The name is a hash: a user name is not a safe file name.
        return self.folder / f"{hashlib.sha256(user.encode()).hexdigest()[:24]}.json"

    def load(self, user: str) -> list[dict]:
        try:
            data = json.loads(self._file(user).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            # A damaged file is kept aside, not overwritten: its conversations may still be read by hand.
            broken = self._file(user)
            os.replace(broken, broken.with_suffix(f".damaged-{int(datetime.now().timestamp())}"))
            return []
        return data if isinstance(data, list) else []

    def store(self, user: str, conversations: list[dict]) -> None:
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self._file(user)
            tmp = path.with_suffix(f".tmp-{os.getpid()}-{threading.get_ident()}")
            tmp.write_text(json.dumps(conversations, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
