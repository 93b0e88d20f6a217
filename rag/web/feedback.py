"""Thumbs up or down on an answer, with an optional correction, appended to `RAG_HOME/feedback.jsonl`.

Each line is one judgement, complete on its own: the question, the answer as the page
showed it (text, status, confidence, quote, citations), the user's rating and correction,
the settings that shaped the answer, the models' ids and the time. A correction sent after
a thumbs-down is a second line with the same `id`; readers keep the last line of an id
(`rag feedback export`, rag/devtools/feedback.py). Appending one short line with O_APPEND
is atomic on Linux, so two server threads never interleave a line; nothing is rewritten,
so a crash loses at most the judgement being written.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from ..errors import RagError

FEEDBACK_FILE = "feedback.jsonl"
# The settings that decide what an answer is: retrieval, selection, generation and the guards.
ANSWER_SETTINGS = (
    "top_k", "hybrid", "context_passages", "context_chars", "refuse_probability", "min_score", "answer_mode",
    "answer_at", "unsure_at", "max_tokens", "temperature", "seed", "n_ctx", "chunk_size", "chunk_overlap",
)
MAX_CORRECTION_CHARS = 2000


def model_ids(assistant) -> dict[str, str]:
    """Which models answered: the LLM (a GGUF file, or a server's model) and the embedder."""
    from ..weights import DEFAULT_LLM

    s = assistant.settings
    if s.llm_url:
        llm = f"{s.llm_model or 'first listed'} @ {s.llm_url}"
    else:
        llm = Path(s.llm_path).name if s.llm_path else DEFAULT_LLM
    return {"llm": llm, "embedder": assistant.embedder_name}


class FeedbackLog:
    """Appends judgements of answers to one JSONL file."""

    def __init__(self, path: str | Path, settings: dict, models: dict):
        self.path = Path(path)
        self.settings = settings
        self.models = models
        self._lock = threading.Lock()

    @classmethod
    def for_assistant(cls, assistant) -> "FeedbackLog":
        s = assistant.settings
        return cls(Path(s.home) / FEEDBACK_FILE, {k: getattr(s, k) for k in ANSWER_SETTINGS}, model_ids(assistant))

    def add(self, record: dict, liked: bool, correction: str = "", entry_id: str | None = None, user: str | None = None) -> dict:
        """Append one judgement of `record` (the page's answer record: question + `Answer.to_dict()`).

        `entry_id`: the judgement this one completes (a correction after a thumbs-down).
        Returns the entry written.
        """
        correction = (correction or "").strip()
        if len(correction) > MAX_CORRECTION_CHARS:
            raise RagError(f"The correction is {len(correction)} characters; at most {MAX_CORRECTION_CHARS} are kept.")
        if not str(record.get("question", "")).strip():
            raise RagError("This message has no question to judge.")
        entry = {
            "id": entry_id or uuid.uuid4().hex[:16],
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rating": "up" if liked else "down",
            "correction": correction,
            "question": record["question"],
            "answer": {k: record.get(k) for k in ("answer", "status", "refused", "confidence", "quote", "sentence",
                                                  "language", "reason")},
            "citations": record.get("citations", []),
            "scope": record.get("scope") or {},
            "settings": self.settings,
            "models": self.models,
            **({"user": user} if user else {}),
        }
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        return entry
