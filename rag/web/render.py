"""The chat page's HTML: answers, sources, refusals, errors and the article list.

Article text and model output are not ours: everything shown is HTML-escaped and emitted
inside one HTML block, so neither markup nor Markdown links in an article can act.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..answering.cite import MARKER, strip_markers
from ..answering.prompt import QUOTED_NO_RENDERING
from ..lang import STOPWORDS, detect_language, light_stem, normalize_arabic, same_word
from ..types import Answer
from .strings import text as say

# Words this short, and function words, match everywhere: highlighting them says nothing.
# The search stopwords (lang.STOPWORDS, normalized Arabic) plus a few more English ones.
_STOPWORDS = STOPWORDS | set(
    "for that with has have had his her their they them not but over after said".split()
)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")

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
// An answer's [n] leads to its source: the same message's source n, its list opened, brought into view and lit.
(() => {
  const number = (el) => {
    const m = (el.textContent || '').match(/[0-9\u0660-\u0669]+/);
    return m ? m[0].replace(/[\u0660-\u0669]/g, (d) => d.charCodeAt(0) - 0x0660) : null;
  };
  const follow = (ref) => {
    const message = ref.closest('[data-testid="bot"]');
    const n = number(ref);
    const source = message && [...message.querySelectorAll('.rag-source')]
      .find((s) => number(s.querySelector('.rag-source-head .rag-ref') || s) === n);
    if (!source) return;
    const list = source.closest('details');
    if (list && !list.open) list.open = true;
    source.scrollIntoView({block: 'center'});
    source.classList.remove('rag-flash');
    void source.offsetWidth;  // restart the light if the same source is followed twice
    source.classList.add('rag-flash');
  };
  document.addEventListener('click', (e) => {
    const ref = e.target.closest && e.target.closest('.rag-ref[role="link"]');
    if (ref) follow(ref);
  });
  document.addEventListener('keydown', (e) => {
    const ref = (e.key === 'Enter' || e.key === ' ') && e.target.closest && e.target.closest('.rag-ref[role="link"]');
    if (ref) { e.preventDefault(); follow(ref); }
  });
  // A source's whole article opens scrolled to its cited passage (it sat below the fold).
  document.addEventListener('toggle', (e) => {
    const article = e.target;
    if (!article.matches || !article.matches('details.rag-article') || !article.open) return;
    const box = article.querySelector('.rag-article-text');
    const mark = box && box.querySelector('mark.rag-cited');
    if (!mark) return;
    const b = box.getBoundingClientRect(), m = mark.getBoundingClientRect();
    box.scrollTop += m.top - b.top - Math.max(0, (b.height - m.height) / 2);
    box.scrollIntoView({block: 'nearest'});
  }, true);
})();
</script>"""
CSS = """
[data-testid="user"], [data-testid="bot"], textarea[data-testid="textbox"] { text-align: start !important; }
.rag-msg { unicode-bidi: isolate; white-space: normal; }
.rag-hidden { display: none !important; }
.rag-stage { opacity: 0.75; font-style: italic; }
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
.rag-ref[role="link"] { cursor: pointer; text-decoration: underline dotted; }
.rag-source.rag-flash { animation: rag-flash 1.6s ease-out; border-radius: 6px; }
@keyframes rag-flash { from { background: rgba(253, 230, 138, 0.9); } to { background: transparent; } }
.rag-trust { display: block; }
.rag-score summary { cursor: pointer; display: list-item; font-size: 0.9em; color: var(--body-text-color-subdued); }
#rag-delete-confirm { flex-wrap: wrap !important; }
#rag-delete-question { flex: 1 1 100% !important; min-width: 100% !important; }
#rag-remove-choice input { unicode-bidi: plaintext; text-align: start; }
/* No thumbs under an error note: there is no answer to judge. */
.message-row.bot-row:has(.rag-error) + .message-buttons { display: none !important; }
/* The conversation list scrolls inside its own box, so the upload box stays in reach; a label keeps its two lines. */
#rag-conversation-list { max-height: 18em; overflow-y: auto !important; }
#rag-conversation-list label span { white-space: pre-line; }
/* Gradio's scroll-down arrow sits in a gutter of its own, not on the passage text. */
#rag-chatbot .bubble-wrap { padding-right: 44px; }
#rag-chatbot .scroll-down-button-container { left: auto !important; right: 6px !important; transform: none !important; }
#rag-delete-confirm, #rag-remove-confirm { flex-wrap: wrap; }
/* Phone width: the side panel is closed on load (HEAD) and, opened, leaves the chat a strip to tap back to. */
#rag-header, #rag-header .html-container { padding: 0 !important; }
#rag-header h1 { text-align: center; margin: 0 0 0.2rem; font-size: 1.5rem; line-height: 1.3; }
#rag-subtitle { text-align: center; margin: 0; opacity: 0.85; }
/* An Arabic page is right to left as a whole: the side panel opens from the right (Gradio's own panel only
   knows a side fixed when the page is built; the page's language changes while it is open). */
html[dir=rtl] #rag-sidebar.sidebar:not(.right) { left: auto !important; right: -340px !important; }
html[dir=rtl] #rag-sidebar.sidebar.open:not(.right) { transform: translate(-100%) !important; }
html[dir=rtl] .sidebar-parent:has(#rag-sidebar.open) { padding-left: 0 !important; padding-right: var(--overlap-amount) !important; }
html[dir=rtl] #rag-sidebar .toggle-button { left: auto !important; right: 100% !important; transform: rotate(180deg);
                                            border-left: var(--border-width) solid var(--border-color-primary) !important; }
/* Gradio's own footer words (API, "built with", settings) are not the page's: the catalogue has none for them. */
footer { display: none !important; }
@media (max-width: 768px) {
  #rag-sidebar.sidebar { width: 85vw !important; left: -85vw !important; }
  html[dir=rtl] #rag-sidebar.sidebar:not(.right) { left: auto !important; right: -85vw !important; }
  #rag-chatbot { height: 60vh !important; }
  /* A phone's header is one line, and messages take the full width (Arabic wrapped every 2-4 words). */
  #rag-header h1 { font-size: 1.15rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; margin: 0; }
  #rag-subtitle { display: none; }
  #rag-chatbot .bubble.bot-row, #rag-chatbot .bubble.user-row { max-width: 100% !important; margin-inline: 0 !important; }
  #rag-chatbot .message-wrap { padding-inline: 0 !important; margin-inline: 0 !important; width: 100% !important; }
  #rag-chatbot .bubble-wrap { padding-inline: 4px !important; }
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


MARK_AT_MOST = 0.6  # a passage more than this share marked is shown unmarked (a long answer shares most words)
MARK_NOTHING_FROM = 8  # words a passage needs before the share counts: a short one may be the answer itself


def highlight(passage: str, answer_text: str) -> str:
    """The passage escaped, with the words the answer also uses wrapped in <mark>.

    Words are compared after Arabic normalization (أ/إ/آ→ا, ة→ه, diacritics dropped, case
    folded) and light stemming, and inflections count (`lang.same_word`), so "بيراموف" in
    the answer marks "وبيراموف" in the passage whatever its spelling.
    """
    wanted = _answer_words(answer_text)
    stems = {light_stem(w) for w in wanted}
    out, last, marked, tokens = [], 0, 0, 0
    for m in _TOKEN.finditer(passage):
        tokens += 1
        word = normalize_arabic(m.group())
        stem = light_stem(word)
        if word in wanted or stem in stems or (len(stem) >= 4 and any(same_word(stem, s) for s in stems)):
            out.append(escape_passage(passage[last:m.start()]))
            out.append(f"<mark>{escape_passage(m.group())}</mark>")
            last = m.end()
            marked += 1
    out.append(escape_passage(passage[last:]))
    if tokens >= MARK_NOTHING_FROM and marked > MARK_AT_MOST * tokens:
        return escape_passage(passage)  # every word marked helps no one (issue 41): the answer's words, or none
    return "".join(out)


def highlight_quote(passage: str, quote: str) -> str | None:
    """The passage escaped with the exact quoted span marked, or None when it does not hold it. A passage that
    is the quote and nothing else is shown unmarked: marked whole, it helps no one (issue 41)."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return None
    end = at + len(quote)
    if not passage[:at].strip() and not passage[end:].strip():
        return escape_passage(passage)
    return (f"{escape_passage(passage[:at])}<mark class=\"rag-quote-mark\">{escape_passage(passage[at:end])}</mark>"
            f"{escape_passage(passage[end:])}")


_AR = "\u0600-\u06FF"
# An Arabic run with the figures and spaces inside it and a figure on either end ("18 شهراً", "38 مليون يورو").
_ARABIC_RUN = re.compile(rf"(?:[\d٠-٩][\d٠-٩.,]*\s*)?[{_AR}]+(?:[\s\d٠-٩.,%]+[{_AR}]+)*(?:\s*[\d٠-٩][\d٠-٩.,]*)?")


def _text_with_markers(text: str, language: str = "en") -> str:
    """The text escaped, each [n] a link to its source (the page's script follows it: HEAD; the chat's
    sanitizer drops data attributes, so the script reads the number from the marker's own text)."""
    escaped = escape_passage(text)
    if language == "en":  # "18 months (18 شهراً)": the Arabic quote read right to left, as one run (issue 41)
        escaped = _ARABIC_RUN.sub(lambda m: f'<bdi dir="rtl">{m.group()}</bdi>', escaped)

    def ref(m: re.Match) -> str:
        n = re.split(r"\s*[,،]\s*", m.group(1))[0].translate(_ARABIC_DIGITS)
        return (f'<span class="rag-ref" role="link" tabindex="0" '
                f'title="{html.escape(say("go_to_source", language, n=n), quote=True)}">{m.group()}</span>')

    return MARKER.sub(ref, escaped)


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


def render_stage(stage: str, language: str | None = None, text: str = "") -> str:
    """An answer being made: the step it is at (Stage, in the page's language), above the quotes streamed so far."""
    so_far = f'<div dir="auto">{_text_with_markers(text)}</div>' if text else ""
    return (f'<div class="rag-msg rag-streaming"><div class="rag-stage" dir="{page_dir(language)}">'
            f'{escape_passage(stage)}</div>{so_far}</div>')


def page_dir(language: str | None) -> str:
    """The direction of a note written in the page's `language` ("auto" when it is not known)."""
    return {"ar": "rtl", "en": "ltr"}.get(language or "", "auto")


def render_error(message: str, language: str | None = None) -> str:
    return f'<div class="rag-msg rag-error" dir="{page_dir(language)}">⚠️ {escape_passage(message)}</div>'


def render_waiting(questions: list[str], heading: str, language: str | None = None) -> str:
    """The questions waiting for the answer being written (web/turns.py), in the order they will be asked."""
    items = "".join(f'<li dir="auto">{escape_passage(q)}</li>' for q in questions)
    return f'<div class="rag-status" dir="{page_dir(language)}">{escape_passage(heading)}<ol>{items}</ol></div>'


def render_status(message: str, language: str | None = None) -> str:
    """A note of the side panel (added, removed, thanks), in the page's direction."""
    return f'<div class="rag-status" dir="{page_dir(language)}">{escape_passage(message)}</div>'


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
                  scope: dict | None = None, titles: dict[str, str] | None = None) -> str:
    """The final message: one HTML block (no blank line, so Markdown never parses inside it).

    `articles`: {doc_id: passages} of cited articles, each source then opens its article's
    preview with the cited passage marked. `titles`: {doc_id: title}, so an article is named by
    its title, never its id. `question` and `scope` (the page's filter) go into the message's
    record (`render_record`); the scope is also shown under the answer. The block's own words are
    in the answer's language.
    """
    lang = answer.language
    record = render_record({"question": question, **answer.to_dict(), **({"scope": scope} if scope else {})})
    if answer.refused:
        return (
            f'<div class="rag-msg rag-refusal" dir="auto" lang="{lang}">'
            f'<span class="rag-badge">{say("refused", lang)}</span>{escape_passage(answer.text)}</div>{record}'
        )
    if answer.quotes:
        parts = [render_quoted(answer)]
    elif answer.status == "unsure":
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
                shown += f'<div class="rag-unsure-also" dir="auto">{_text_with_markers(before, lang)}</div>'
            marked = highlight_quote(sent, answer.quote) if answer.quote and i == 0 else None
            shown += f'<blockquote class="rag-unsure-sentence" dir="auto">{marked or escape_passage(sent)}</blockquote>'
        parts = [
            f'<div class="rag-msg rag-unsure" dir="auto" lang="{lang}">'
            f'<span class="rag-badge">{say("unsure", lang)}</span>{_text_with_markers(likely, lang)}{shown}</div>'
        ]
    else:
        parts = [f'<div class="rag-msg rag-answer" dir="auto" lang="{lang}">{_text_with_markers(answer.text, lang)}</div>']
    if answer.quote and answer.quote not in answer.text and not answer.quotes:
        parts.append(f'<div class="rag-quote" dir="auto">{say("quoted", lang)}: <q>{escape_passage(answer.quote)}</q></div>')
    parts.append(render_trust(answer) if not answer.quotes else "")
    if scope:
        parts.append(f'<div class="rag-scope" dir="auto">{say("searched", lang)}: {render_scope(scope)}</div>')

    def preview(c) -> str:
        passages = (articles or {}).get(c.doc_id)
        if not passages:
            return ""
        return (f'<details class="rag-article" dir="auto"><summary>{say("read_article", lang)}</summary>'
                f'{render_article(passages, c.text)}</details>')

    if answer.citations:
        parts.append(
            f'<details class="rag-sources" open dir="auto"><summary>{say("sources", lang)} ({len(answer.citations)})</summary>'
        )
        for c in answer.citations:
            also = ""
            if c.also_in:
                named = dict.fromkeys((titles or {}).get(d) or "" for d in c.also_in)
                named.pop("", None)
                named.pop(c.title, None)
                if named:
                    also = f' · {say("also_in", lang)} ' + ", ".join(f"<bdi>{escape_passage(t)}</bdi>" for t in named)
            if c.also_published_by:
                also += f' · {say("also_published_by", lang)} ' + ", ".join(
                    f"<bdi>{escape_passage(d)}</bdi>" for d in c.also_published_by
                )
            published = "".join(
                f' · <bdi class="rag-{cls}"{direction}>{escape_passage(value)}</bdi>'
                for cls, value, direction in (("publisher", c.source, ""), ("date", c.date, ' dir="ltr"')) if value
            )
            parts.append(
                f'<div class="rag-source">'
                f'<div class="rag-source-head" dir="auto"><span class="rag-ref">[{c.n}]</span> '
                f'<bdi class="rag-title">{escape_passage(c.title)}</bdi>{published} · {say("paragraph", lang)} '
                f'<bdi dir="ltr">{c.paragraph + 1}</bdi>{also}</div>'
                f'<blockquote class="rag-passage" dir="auto">{marked_passage(c, answer)}'
                f'</blockquote>{preview(c)}</div>'
            )
        parts.append("</details>")
    parts.append(record)
    return "".join(parts)


def marked_passage(c, answer: Answer) -> str:
    """A source's passage with what the answer took from it marked: its first quoted sentence, else its quote, else shared words."""
    for q in answer.quotes:
        if q.n == c.n:
            marked = highlight_quote(c.text, q.sentence)
            if marked:
                return marked
    return highlight_quote(c.text, answer.quote) or highlight(c.text, answer.text)


def render_quoted(answer: Answer) -> str:
    """A quoted-sentences answer (issue 39): the unsure note or the lead, then each quote verbatim with its
    [n] link, its date (a timeline), its side (a comparison) and its checked rendering beside it."""
    lang = answer.language
    status = "rag-answer" if answer.status == "answered" else "rag-unsure"
    out = [f'<div class="rag-msg rag-quoted {status}" dir="auto" lang="{lang}">']
    if answer.status != "answered":
        out.append(f'<span class="rag-badge">{say("unsure", lang)}</span>')
    if answer.lead:
        out.append(f'<p class="rag-lead" dir="auto">{escape_passage(answer.lead)}</p>')
    side = ""
    for q in answer.quotes:
        if q.side and q.side != side:
            side = q.side
            out.append(f'<div class="rag-side" dir="auto"><bdi>{escape_passage(side)}</bdi></div>')
        day = f'<bdi class="rag-date" dir="ltr">{escape_passage(q.date)}</bdi> ' if q.date else ""
        rendering = ""
        reader = "rtl" if lang == "ar" else "ltr"
        if q.rendering:
            rendering = (f'<div class="rag-rendering" dir="{reader}" lang="{lang}" title="{say("quoted_rendering", lang)}">'
                         f'{escape_passage(q.rendering)}</div>')
        elif detect_language(q.sentence) != lang:
            rendering = f'<div class="rag-rendering rag-no-rendering" dir="{reader}">{escape_passage(QUOTED_NO_RENDERING[lang])}</div>'
        quoted = detect_language(q.sentence)  # the quote's own direction: bdi and dir'd children do not set "auto"
        out.append(f'<blockquote class="rag-quoted-sentence" dir="{"rtl" if quoted == "ar" else "ltr"}" lang="{quoted}">'
                   f'{day}<span>«{escape_passage(q.sentence)}»</span> {_text_with_markers(f"[{q.n}]", lang)}{rendering}</blockquote>')
    key = "trust_quoted_answered" if answer.status == "answered" else "trust_quoted_unsure"
    out.append(f'</div><div class="rag-confidence rag-{key.replace("_", "-")}" dir="auto">'
               f'<span class="rag-trust">{escape_passage(say(key, lang))}</span></div>')
    return "".join(out)


def trust_key(answer: Answer) -> str | None:
    """Which words tell the reader what an answer can be relied on for (None: a refusal says it itself).

    The bare number misled (issue 33): an unsure answer showing the right sentence read 0.00, an
    unsure guess 0.68 above it, and a wrong answered one 0.89. What a reader can act on is the
    outcome: answered (likely right, check the marked words), a guess (rely on the sentence only),
    or no answer stated (the sentence is the closest the articles come).
    """
    if answer.refused:
        return None
    if answer.status == "answered":
        return "trust_answered"
    return "trust_guess" if answer.quote or answer.confidence else "trust_sentence"


def render_trust(answer: Answer) -> str:
    """The trust line in words; the calibrated score behind a fold, for those who want it (none without a candidate)."""
    key = trust_key(answer)
    if key is None:
        return ""
    lang = answer.language
    # The source named is the one whose marked words the answer is: the citation holding the quote.
    holding = [c.n for c in answer.citations if answer.quote and answer.quote in c.text]
    n = holding[0] if holding else (answer.citations[0].n if answer.citations else 1)
    score = ""
    if key != "trust_sentence" and answer.confidence is not None:
        score = (f'<details class="rag-score"><summary>{say("score", lang)}</summary>'
                 f'<span class="rag-score-text">{escape_passage(say("trust_score", lang, score=f"{answer.confidence:.2f}"))}</span>'
                 '</details>')
    return (f'<div class="rag-confidence rag-{key.replace("_", "-")}" dir="auto">'
            f'<span class="rag-trust">{escape_passage(say(key, lang, n=n))}</span>{score}</div>')


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
    # A quoted answer's blocks (lead, sides, quotes, renderings) each on a line of their own.
    content = re.sub(r"</(?:p|blockquote|div)>", lambda m: m.group(0) + "\n", content)
    content = re.sub(r'<span class="rag-badge">.*?</span>', "", content)
    content = re.sub(r'<div class="rag-(?:confidence|quote)[^"]*".*?</div>', "", content)
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
    """'Reuters · 2026-11-20 · ' for a document that says who published it and when, else ''. Each value is
    isolated: a date inside an Arabic line read "20-11-2026" (issue 33)."""
    return "".join(f'<bdi{" dir=ltr" if key == "date" else ""}>{escape_passage(str(info[key]))}</bdi> · '
                   for key in ("source", "date") if info.get(key))


def render_documents(documents: dict[str, dict], language: str = "en") -> str:
    """The side panel's article list: titles (an article's id is for programs, kept as data-doc-id)."""
    if not documents:
        return f'<p class="rag-docs-empty" dir="auto">{say("no_articles", language)}</p>'
    items = []
    for doc_id, info in sorted(documents.items(), key=lambda kv: (kv[1].get("ingested_at", ""), kv[0])):
        title = info.get("title") or doc_id
        items.append(
            f'<li data-doc-id="{html.escape(doc_id, quote=True)}"><div dir="auto" class="rag-doc-title">{escape_passage(title)}</div>'
            f'<div class="rag-doc-meta" dir="auto">{publication_line(info)}'
            f'{say("passages", language, n=int(info.get("chunks", 0)))}</div></li>'
        )
    count = say("article_count_one", language) if len(documents) == 1 else say("articles_count", language, n=len(documents))
    return f'<p dir="auto"><b>{count}</b></p><ul class="rag-docs">{"".join(items)}</ul>'


def moment(iso: str) -> str:
    """An ISO time as the panel shows it: "2026-12-05 21:30 UTC" (the page does not know the reader's zone)."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def render_library(status: dict, language: str = "en") -> str:
    """The side panel's upkeep: when the library last changed, what came in last, each feed and watched folder."""
    parts = []
    if status.get("changed_at"):
        parts.append(f'<p class="rag-library-changed" dir="auto">{say("library_changed", language, when=moment(status["changed_at"]))}</p>')
    if status.get("recent"):
        items = "".join(f'<li dir="auto">{escape_passage(r.get("title") or r["doc_id"])}</li>' for r in status["recent"])
        parts.append(f'<p dir="auto"><b>{say("library_recent", language)}</b></p><ul class="rag-library-recent">{items}</ul>')
    if status.get("feeds"):
        items = []
        for f in status["feeds"]:
            state = (say("feed_failing", language, error=html.escape(f["last_error"].partition(": ")[2] or f["last_error"]))
                     if f.get("failures") else
                     say("feed_state", language, when=moment(f["last_poll"]), n=f.get("items_added", 0))
                     if f.get("last_poll") else say("feed_never", language))
            name = f.get("title") or f["url"]
            items.append(f'<li data-feed="{html.escape(f["url"], quote=True)}"><div dir="auto">{escape_passage(name)}</div>'
                         f'<div class="rag-doc-meta{" rag-failing" if f.get("failures") else ""}" dir="auto">{state}</div></li>')
        parts.append(f'<p dir="auto"><b>{say("feeds_heading", language)}</b></p><ul class="rag-feeds">{"".join(items)}</ul>')
    if status.get("folders"):
        items = []
        for f in status["folders"]:
            state = say("folder_state", language, n=f.get("files", 0),
                        when=moment(f["last_change"]) if f.get("last_change") else say("folder_no_change", language))
            failed = "".join(f'<div class="rag-doc-meta rag-failing" dir="auto">'
                             f'{say("folder_failed", language, path=html.escape(Path(p).name), error=html.escape(why))}</div>'
                             for p, why in sorted(f.get("failed", {}).items()))
            items.append(f'<li data-folder="{html.escape(f["path"], quote=True)}"><div dir="ltr">{html.escape(f["path"])}</div>'
                         f'<div class="rag-doc-meta" dir="auto">{state}</div>{failed}</li>')
        parts.append(f'<p dir="auto"><b>{say("folders_heading", language)}</b></p><ul class="rag-folders">{"".join(items)}</ul>')
    return f'<div id="rag-library">{"".join(parts)}</div>' if parts else ""
