"""Multi-turn: turn a follow-up ("and where did he speak?") into a standalone question.

Retrieval sees one question at a time, so a follow-up that leans on the conversation
must be rewritten before it can find anything. Rewriting costs an LLM call, so it runs
only when the question cannot stand on its own: a short question that continues the chat
("and ...", "what about ...") or refers back (pronouns) with few words of its own, while there
is a conversation to refer to. The pipeline keeps a rewrite only when it retrieves at least as
well as the question alone (`Answerer.stream`).
"""

from __future__ import annotations

import re

from .. import templates
from ..lang import content_terms, detect_language, normalize_arabic, same_word, terms, words
from .cite import strip_markers

MAX_TURNS = 4  # the last exchanges are enough to resolve a reference
FOLLOWUP_MAX_WORDS = 9
# A question that refers back but names this many content words of its own stands alone: "Why were the
# Russian peacekeepers killed on Wednesday?" was rewritten into the previous question's topic and
# answered with invented names (issue 32), while "Why did he resign?" names one word and needs the chat.
OWN_TERMS = 2
# Openings that continue the conversation whatever else the question says: "and …", "what about …".
_EN_CONTINUES = re.compile(r"^\W*(and|what about|how about)\b", re.IGNORECASE)
_AR_CONTINUES = re.compile(r"^\W*([وف](من|ما|ماذا|متي|اين|كم|هل|لماذا|كيف)(?!\w)|ماذا عن|وماذا)")
_EN_REFERS_BACK = re.compile(
    r"\b(he|she|it|its|they|them|their|his|her|him|there|that|this|those|these|then|the same)\b", re.IGNORECASE,
)
# Arabic (matched after normalization): demonstratives, pronouns, and pronoun suffixes on the verbs and
# prepositions that news questions use.
_AR_REFERS_BACK = re.compile(
    r"\b(ذلك|تلك|هذا|هذه|هناك|عندها|حينها)\b|(?<!من )(?<!ما )\b(هو|هي|هم)\b|"
    r"\b(قال|اعلن|اكد|ذكر|اضاف|عن|مع|الي|في|من|علي|له|لها|قالت)(ه|ها|هم)\b|\b\w+(ه|ها|هم)[?؟]*$"
)


def _text(content) -> str:
    """Text of a message content: a string, or Gradio 6's list of {"type": "text", "text"} parts."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return "\n".join(p["text"] for p in parts if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str))


def history_messages(history) -> list[dict[str, str]]:
    """Accept OpenAI-style dicts (Gradio's too) or (user, assistant) pairs; keep the text turns."""
    messages: list[dict[str, str]] = []
    for turn in history or []:
        if isinstance(turn, dict):
            content = _text(turn.get("content"))
            if turn.get("role") in ("user", "assistant") and content.strip():
                messages.append({"role": turn["role"], "content": content})
        elif isinstance(turn, (list, tuple)) and len(turn) == 2:
            for role, content in zip(("user", "assistant"), turn):
                if isinstance(content, str) and content.strip():
                    messages.append({"role": role, "content": content})
    return messages[-2 * MAX_TURNS :]


def needs_rewrite(question: str, history: list[dict[str, str]]) -> bool:
    """Only a question that cannot stand on its own: one that continues the chat ("and where?",
    "ومتى حدث ذلك؟"), or refers back (a pronoun, "that") while naming at most OWN_TERMS words of its own."""
    if not history or len(question.split()) > FOLLOWUP_MAX_WORDS:
        return False
    norm = normalize_arabic(question)
    if _EN_CONTINUES.search(question) or _AR_CONTINUES.search(norm):
        return True
    own = content_terms(_EN_REFERS_BACK.sub(" ", question))  # the question's own words, not its pronouns
    if not own:
        return True  # "When?", "Where?", "How many?": nothing to search with but the chat
    refers = _EN_REFERS_BACK.search(question) or _AR_REFERS_BACK.search(norm)
    return bool(refers) and len(own) <= OWN_TERMS


def rewrite_messages(question: str, history: list[dict[str, str]], language_name: str) -> list[dict[str, str]]:
    conversation = "\n".join(f"{m['role']}: {_strip_sources(m['content'])}" for m in history)
    return [
        {"role": "system", "content": templates.render("rewrite_system")},
        {
            "role": "user",
            "content": templates.render("rewrite_user", conversation=conversation, question=question, language=language_name),
        },
    ]


def _strip_sources(text: str) -> str:
    """The UI appends cited passages under each answer; the rewrite needs the answer only."""
    for marker in ("\n\n**Sources**", "\n\n**المصادر**"):
        text = text.split(marker, 1)[0]
    return " ".join(strip_markers(text).split())


def clean_rewrite(text: str, question: str, history: list[dict[str, str]]) -> str:
    """The model's rewrite (first line, unquoted) when it is usable, else a safe fallback.

    A small model sometimes drifts into another language or returns nothing; then the
    previous user question joined with the follow-up still retrieves the right passages.
    """
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(standalone question|السؤال)\s*[:：]\s*", "", line, flags=re.IGNORECASE).strip(" \"'“”«»")
    if (3 <= len(line) <= 400 and detect_language(line) == detect_language(question) and _adds_words(line, question)
            and _keeps_the_ask(line, question)):
        return line
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
    return f"{_strip_sources(previous)} {question}".strip()


_ASKS = re.compile(r"(?<!\w)(?:and\s+)?[وف]?(من|ما|ماذا|متي|اين|كم|هل|لماذا|كيف|اي)(?!\w)|"
                   r"(?:\band\s+)?\b(who|whom|what|when|where|why|how|which)\b", re.IGNORECASE)


_ALIKE = frozenset({"what", "which", "how"})


def _keeps_the_ask(rewrite: str, question: str) -> bool:
    """Does the rewrite still ask what the follow-up asks: the question word it opens with (where, متى, …)?

    Measured: "وأين ألقى كلمته؟" after "من هو وزير خارجية أذربيجان؟" was rewritten into the previous
    question itself, and the answer repeated the previous one (issue 32: "ومتى حدث ذلك؟" likewise).
    """
    lead = _ASKS.match(normalize_arabic(question).lstrip(" \"'«“(").strip())
    if not lead:
        return True  # no question word opens it ("And Armenia?"): nothing to lose
    word = next(g for g in lead.groups() if g).lower()
    kept = {next(g for g in m.groups() if g).lower() for m in _ASKS.finditer(normalize_arabic(rewrite))}
    # what / which / how ask alike in English ("What is his age?" -> "How old is …")
    return word in kept or (word in _ALIKE and bool(kept & _ALIKE))


def _adds_words(rewrite: str, question: str) -> bool:
    """Did the rewrite bring in anything (a name, a noun) the follow-up did not have?

    Compared as search terms (light-stemmed, so "وأين" asked "أين") and inflections count.
    """
    asked = set(terms(question)) | {w[1:] for w in words(question) if len(w) > 3 and w[0] in "وف"}
    return any(not any(same_word(t, a) for a in asked) for t in content_terms(rewrite))
