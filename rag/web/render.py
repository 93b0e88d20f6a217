"""The chat page's HTML: answers, sources, refusals, errors and the article list.

Article text and model output are not ours: everything shown is HTML-escaped and emitted
inside one HTML block, so neither markup nor Markdown links in an article can act.
"""

from __future__ import annotations

import html
import json
import re

from ..answering.cite import MARKER, strip_markers
from ..lang import STOPWORDS, light_stem, normalize_arabic, same_word
from ..types import Answer

LABELS = {
    "en": {"sources": "Sources", "paragraph": "paragraph", "also": "also in", "published_by": "also published by",
           "refused": "No answer found in the indexed articles", "unsure": "Unsure: check the passage",
           "confidence": "confidence", "quote": "quoted from the article", "article": "Read the whole article",
           "scope": "searched"},
    "ar": {"sources": "المصادر", "paragraph": "الفقرة", "also": "وأيضا في", "published_by": "ونشرته أيضا",
           "refused": "لم يُعثر على إجابة في المقالات المفهرسة", "unsure": "غير متأكد: راجع النص",
           "confidence": "الثقة", "quote": "مقتبس من المقال", "article": "اقرأ المقال كاملا",
           "scope": "نطاق البحث"},
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
// At phone width the side panel starts closed: open, it would cover the chat (its toggle stays in reach).
(() => {
  if (!window.matchMedia('(max-width: 768px)').matches) return;
  const close = () => {
    const bar = document.querySelector('#rag-sidebar');
    if (!bar) return false;
    if (bar.classList.contains('open')) bar.querySelector('.toggle-button')?.click();
    return true;
  };
  const timer = setInterval(() => { if (close()) clearInterval(timer); }, 100);
  setTimeout(() => clearInterval(timer), 20000);
})();
</script>"""
CSS = """
[data-testid="user"], [data-testid="bot"], textarea[data-testid="textbox"] { text-align: start !important; }
.rag-msg { unicode-bidi: isolate; white-space: normal; }
.rag-ref { color: var(--color-accent); font-weight: 600; white-space: nowrap; }
.rag-refusal { border-inline-start: 4px solid #d97706; background: rgba(217, 119, 6, 0.10);
               padding: 0.4em 0.8em; border-radius: 6px; }
.rag-refusal .rag-badge { font-weight: 700; display: block; margin-bottom: 0.2em; }
.rag-unsure { border-inline-start: 4px solid #2563eb; background: rgba(37, 99, 235, 0.08);
             padding: 0.4em 0.8em; border-radius: 6px; }
.rag-unsure .rag-badge { font-weight: 700; display: block; margin-bottom: 0.2em; }
.rag-confidence { font-size: 0.8em; opacity: 0.7; margin-top: 0.2em; }
.rag-quote { font-size: 0.9em; margin-top: 0.2em; }
.rag-error { border-inline-start: 4px solid #dc2626; background: rgba(220, 38, 38, 0.10); padding: 0.4em 0.8em; }
.rag-sources { margin-top: 0.6em; border-top: 1px solid var(--border-color-primary); padding-top: 0.3em; }
.rag-sources summary { cursor: pointer; font-weight: 600; }
.rag-source { margin: 0.5em 0; }
.rag-source-head { font-size: 0.9em; opacity: 0.85; }
.rag-passage { margin: 0.2em 0 0 0; padding-inline-start: 0.8em; border-inline-start: 3px solid var(--border-color-primary); }
.rag-unsure-sentence { margin: 0.4em 0 0; padding: 0.3em 0.6em; border-inline-start: 3px solid #60a5fa; }
.rag-unsure-sentence mark { background: #fde68a; color: inherit; padding: 0 0.1em; }
.rag-passage mark { background: #fde68a; color: inherit; padding: 0 0.1em; }
.rag-docs { list-style: none; padding: 0; margin: 0; }
.rag-docs li { padding: 0.35em 0; border-bottom: 1px solid var(--border-color-primary); }
.rag-docs .rag-doc-meta { font-size: 0.8em; opacity: 0.7; }
.rag-article { margin: 0.3em 0 0 0; }
.rag-article summary { cursor: pointer; font-size: 0.9em; color: var(--color-accent); }
.rag-article-text { max-height: 24em; overflow-y: auto; padding: 0.3em 0.6em; border: 1px solid var(--border-color-primary);
                    border-radius: 6px; margin-top: 0.3em; }
.rag-article-text p { margin: 0.4em 0; }
.rag-article-text mark.rag-cited { background: #fde68a; color: inherit; }
/* Phone width: the side panel is closed on load (HEAD) and, opened, leaves the chat a strip to tap back to. */
@media (max-width: 768px) {
  #rag-sidebar.sidebar { width: 85vw !important; left: -85vw !important; }
  #rag-chatbot { height: 60vh !important; }
}
"""


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
    folded) and light stemming, and inflections count (`lang.same_word`), so "بيراموف" in
    the answer marks "وبيراموف" in the passage whatever its spelling.
    """
    wanted = _answer_words(answer_text)
    stems = {light_stem(w) for w in wanted}
    out, last = [], 0
    for m in _TOKEN.finditer(passage):
        word = normalize_arabic(m.group())
        stem = light_stem(word)
        if word in wanted or stem in stems or (len(stem) >= 4 and any(same_word(stem, s) for s in stems)):
            out.append(escape_passage(passage[last:m.start()]))
            out.append(f"<mark>{escape_passage(m.group())}</mark>")
            last = m.end()
    out.append(escape_passage(passage[last:]))
    return "".join(out)


def highlight_quote(passage: str, quote: str) -> str | None:
    """The passage escaped with the exact quoted span marked, or None when it does not hold it."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return None
    end = at + len(quote)
    return (f"{escape_passage(passage[:at])}<mark class=\"rag-quote-mark\">{escape_passage(passage[at:end])}</mark>"
            f"{escape_passage(passage[end:])}")


def _text_with_markers(text: str) -> str:
    escaped = escape_passage(text)
    return MARKER.sub(lambda m: f'<span class="rag-ref">{m.group()}</span>', escaped)


_USER_OPEN = '<div class="rag-user">'


def render_user(text: str) -> str:
    """The user's own message as the chat shows it: exactly what was typed, as text (escaped, line
    breaks kept), so a typed tag shows as the tag. No `dir` of its own: the message's element has
    dir="auto" (HEAD), and reads its direction from this text."""
    return f"{_USER_OPEN}{escape_passage(text)}</div>"


def shown_as_typed(message: dict) -> dict:
    """A user message as `render_user` shows it; one saved before it holds the raw text, rendered now."""
    content = message.get("content") if isinstance(message, dict) and message.get("role") == "user" else None
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type", "text") == "text")
    if not isinstance(content, str) or content.startswith(_USER_OPEN):
        return message
    return {**message, "content": render_user(content)}


def render_streaming(text: str) -> str:
    return f'<div class="rag-msg rag-streaming" dir="auto">{_text_with_markers(text)}</div>'


def render_error(message: str) -> str:
    return f'<div class="rag-msg rag-error" dir="auto">⚠️ {escape_passage(message)}</div>'


def render_record(record: dict) -> str:
    """The answer's record (question + `Answer.to_dict()`) inside its message, invisible: the page's
    feedback and the Markdown export read it back (`record_of`), even from a reopened conversation."""
    data = html.escape(json.dumps(record, ensure_ascii=False, separators=(",", ":")), quote=True)
    return f'<span class="rag-record" hidden data-record="{data}"></span>'


_RECORD = re.compile(r'<span class="rag-record" hidden data-record="([^"]*)"></span>')


def record_of(content) -> dict | None:
    """The record a rendered answer carries, or None (a question, an error, a message from elsewhere)."""
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    m = _RECORD.search(content) if isinstance(content, str) else None
    if not m:
        return None
    try:
        record = json.loads(html.unescape(m.group(1)))
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def render_article(passages: list[str], cited: str) -> str:
    """An article's passages, the cited one marked: the preview a source opens."""
    out = []
    for text in passages:
        body = escape_passage(text)
        out.append(f'<p dir="auto"><mark class="rag-cited">{body}</mark></p>' if text == cited else f'<p dir="auto">{body}</p>')
    return f'<div class="rag-article-text">{"".join(out)}</div>'


def render_answer(answer: Answer, question: str = "", articles: dict[str, list[str]] | None = None,
                  scope: dict | None = None) -> str:
    """The final message: one HTML block (no blank line, so Markdown never parses inside it).

    `articles`: {doc_id: passages} of cited articles, each source then opens its article's
    preview with the cited passage marked. `question` and `scope` (the page's filter) go into
    the message's record (`render_record`); the scope is also shown under the answer.
    """
    labels = LABELS.get(answer.language, LABELS["en"])
    record = render_record({"question": question, **answer.to_dict(), **({"scope": scope} if scope else {})})
    if answer.refused:
        return (
            f'<div class="rag-msg rag-refusal" dir="auto" lang="{answer.language}">'
            f'<span class="rag-badge">{labels["refused"]}</span>{escape_passage(answer.text)}</div>{record}'
        )
    if answer.status == "unsure":
        # The likely answer, marked unsure, then the sentence(s) most likely to hold it, the candidate's words marked.
        likely, shown, rest = answer.text, "", answer.text
        for i, sent in enumerate(s for s in dict.fromkeys((answer.sentence, *answer.sentences)) if s):
            if sent not in rest:
                continue
            before, rest = rest.split(sent, 1)
            before = before.strip(" «“\"»”:")
            if i == 0:
                likely = before
            elif before:
                shown += f'<div class="rag-unsure-also" dir="auto">{_text_with_markers(before)}</div>'
            marked = highlight_quote(sent, answer.quote) if answer.quote and i == 0 else None
            shown += f'<blockquote class="rag-unsure-sentence" dir="auto">{marked or escape_passage(sent)}</blockquote>'
        sentence = shown
        parts = [
            f'<div class="rag-msg rag-unsure" dir="auto" lang="{answer.language}">'
            f'<span class="rag-badge">{labels["unsure"]}</span>{_text_with_markers(likely)}{sentence}</div>'
        ]
    else:
        parts = [f'<div class="rag-msg rag-answer" dir="auto" lang="{answer.language}">{_text_with_markers(answer.text)}</div>']
    if answer.quote and answer.quote not in answer.text:
        parts.append(f'<div class="rag-quote" dir="auto">{labels["quote"]}: <q>{escape_passage(answer.quote)}</q></div>')
    if answer.confidence is not None:
        parts.append(f'<div class="rag-confidence" dir="auto">{labels["confidence"]}: {answer.confidence:.2f}</div>')
    if scope:
        parts.append(f'<div class="rag-scope" dir="auto">{labels["scope"]}: {render_scope(scope)}</div>')
    def preview(c) -> str:
        passages = (articles or {}).get(c.doc_id)
        if not passages:
            return ""
        return (f'<details class="rag-article" dir="auto"><summary>{labels["article"]}</summary>'
                f'{render_article(passages, c.text)}</details>')

    if answer.citations:
        parts.append(
            f'<details class="rag-sources" open dir="auto"><summary>{labels["sources"]} ({len(answer.citations)})</summary>'
        )
        for c in answer.citations:
            also = ""
            if c.also_in:
                also = f' · {labels["also"]} ' + ", ".join(f"<bdi>{escape_passage(d)}</bdi>" for d in c.also_in)
            if c.also_published_by:
                also += f' · {labels["published_by"]} ' + ", ".join(
                    f"<bdi>{escape_passage(d)}</bdi>" for d in c.also_published_by
                )
            published = "".join(
                f' · <bdi class="rag-{cls}">{escape_passage(value)}</bdi>' for cls, value in (("publisher", c.source), ("date", c.date)) if value
            )
            parts.append(
                f'<div class="rag-source">'
                f'<div class="rag-source-head" dir="auto"><span class="rag-ref">[{c.n}]</span> '
                f'<bdi class="rag-title">{escape_passage(c.title)}</bdi>{published} · {labels["paragraph"]} {c.paragraph + 1}{also}</div>'
                f'<blockquote class="rag-passage" dir="auto">{highlight_quote(c.text, answer.quote) or highlight(c.text, answer.text)}'
                f'</blockquote>{preview(c)}</div>'
            )
        parts.append("</details>")
    parts.append(record)
    return "".join(parts)


def render_scope(scope: dict) -> str:
    """The page's filter an answer was searched under, in no language's words: "2032-01-01 → … · Caspian Wire"."""
    dates = ""
    if scope.get("since") or scope.get("until"):
        dates = f'<bdi>{escape_passage(scope.get("since") or "…")} → {escape_passage(scope.get("until") or "…")}</bdi>'
    names = ", ".join(f"<bdi>{escape_passage(n)}</bdi>" for n in scope.get("sources") or ())
    return " · ".join(part for part in (dates, names) if part)


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
    content = re.sub(r'<div class="rag-(?:confidence|quote)".*?</div>', "", content)
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


def publication_line(info: dict) -> str:
    """'Reuters · 2026-11-20 · ' for a document that says who published it and when, else ''."""
    return "".join(f"{escape_passage(str(info[key]))} · " for key in ("source", "date") if info.get(key))


def render_documents(documents: dict[str, dict]) -> str:
    if not documents:
        return '<p class="rag-docs-empty">No articles indexed yet: add one below.</p>'
    items = []
    for doc_id, info in sorted(documents.items(), key=lambda kv: (kv[1].get("ingested_at", ""), kv[0])):
        title = info.get("title") or doc_id
        items.append(
            f'<li data-doc-id="{html.escape(doc_id, quote=True)}"><div dir="auto" class="rag-doc-title">{escape_passage(title)}</div>'
            f'<div class="rag-doc-meta" dir="ltr">{publication_line(info)}{escape_passage(doc_id)} · {int(info.get("chunks", 0))} passages</div></li>'
        )
    count = f"{len(documents)} article{'s' if len(documents) != 1 else ''} indexed"
    return f'<p><b>{count}</b></p><ul class="rag-docs">{"".join(items)}</ul>'

