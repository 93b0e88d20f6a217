"""`rag feedback export`: users' judgements of answers (RAG_HOME/feedback.jsonl) as a `rag eval` question set.

What a judgement says, and the question it becomes:
- a correction: the articles answer it, and the correction is the answer key;
- thumbs up on an answer: its quote (else its text) is the key and the sentence it rests
  on is the evidence;
- thumbs up on a refusal: the articles do not answer it (a refusal is right);
- thumbs down on a refusal: the articles do answer it (`"answerable": true`, no key
  unless corrected: eval then scores only whether it is answered);
- thumbs down on an answer without a correction says only that this answer is wrong,
  not what is right: left out, and counted in the summary.

A judgement is one line; a correction sent after it is a later line with the same id,
and the last line of an id wins. A question judged several times keeps its latest judgement.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..answering.cite import strip_markers
from ..errors import RagError
from ..lang import detect_language, normalize_arabic

log = logging.getLogger(__name__)


def read_entries(path: str | Path) -> tuple[list[dict], int]:
    """The judgements in `path`, the last line of each id, oldest first; and how many lines were unreadable."""
    path = Path(path)
    if not path.is_file():
        raise RagError(f"no feedback at {path}: thumbs on the chat page write it there.")
    latest: dict[str, dict] = {}
    bad = 0
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = str(entry["id"])
            if not isinstance(entry.get("question"), str) or entry.get("rating") not in ("up", "down"):
                raise ValueError("no question or rating")
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
            log.warning("%s:%d: not a feedback line, skipped", path, lineno)
            continue
        latest.pop(key, None)
        latest[key] = entry  # re-inserted: order is that of the last line
    return list(latest.values()), bad


def to_question(entry: dict) -> dict | None:
    """One judgement as an eval question line, or None when it says nothing about the right answer."""
    answer = entry.get("answer") or {}
    question = str(entry["question"]).strip()
    lang = answer.get("language") if answer.get("language") in ("ar", "en") else detect_language(question)
    base = {"id": f"fb-{entry['id']}", "question": question, "lang": lang}
    correction = str(entry.get("correction") or "").strip()
    refused = bool(answer.get("refused"))
    if correction:
        return {**base, "answerable": True, "answers": [correction], "evidence": []}
    if entry["rating"] == "up":
        if refused:
            return {**base, "answerable": False, "answers": [], "evidence": []}
        key = answer.get("quote") or strip_markers(str(answer.get("answer") or "")).strip()
        evidence = [answer["sentence"]] if answer.get("sentence") else [c["text"] for c in entry.get("citations", [])[:1]]
        if not key:
            return None
        return {**base, "answerable": True, "answers": [key], "evidence": evidence}
    if refused:
        return {**base, "answerable": True, "answers": [], "evidence": []}
    return None


def export(path: str | Path, out: str | Path) -> dict:
    """Write the question set; returns counts {"questions", "skipped", "unreadable"}."""
    entries, bad = read_entries(path)
    by_question: dict[str, dict] = {}
    skipped = 0
    for entry in entries:
        q = to_question(entry)
        if q is None:
            skipped += 1
            continue
        key = " ".join(normalize_arabic(q["question"]).split())
        by_question.pop(key, None)
        by_question[key] = q  # the latest judgement of a question stands
    if not by_question:
        raise RagError(f"{path}: no judgement there can be scored ({skipped} thumbs-down without a correction).")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in by_question.values()), encoding="utf-8")
    return {"questions": len(by_question), "skipped": skipped, "unreadable": bad,
            "superseded": len(entries) - skipped - len(by_question)}
