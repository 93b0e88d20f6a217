"""llama.cpp states of the prompt's fixed openings, read once and kept in memory and on disk.

Every answer prompt starts with the same turns: the system rules and the worked examples
(about 900 tokens for the answer prompt). On 2 cores llama.cpp reads prompt tokens at
about 70 per second, so a process's first question used to spend some 10 s on that
opening before reaching its own words, and every switch between the answer prompt and
the extraction prompt (Arabic, then English questions) read it again, because the KV
cache holds one sequence.

So each opening is read once per model and machine: its llama.cpp state (the KV cache
of those tokens) is saved under the model cache, keyed by a hash of the model file, the
llama.cpp build and the opening's text, and restored at start. Before a generation the
backend loads the state of the opening the conversation starts with, unless the KV
cache already holds it; llama.cpp then reads only the question's own part. Which
tokens are reused is still decided by llama.cpp's own prefix match, so a state that
does not fit costs time, never a wrong answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .base import Messages

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the file layout changes


@dataclass
class Opening:
    messages: Messages  # the fixed turns a conversation starts with
    tokens: list[int]  # their tokens as the chat template renders them
    state: object  # llama_cpp.LlamaState holding (at least) those tokens


def state_key(model_path: Path, build: str, opening: Messages) -> str:
    """A file name for an opening's state: changes with the model file, the llama.cpp build or the text."""
    stat = Path(model_path).stat()
    identity = {
        "format": FORMAT, "model": str(Path(model_path).resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns,
        "build": build, "opening": opening,
    }
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:20]
    return f"{Path(model_path).stem}-{digest}.npz"


def save(path: Path, opening: Opening) -> None:
    """Write atomically: several processes may start at once on one model cache."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    state = opening.state
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f, tokens=np.asarray(opening.tokens, dtype=np.int32),
                input_ids=np.asarray(state.input_ids, dtype=np.int32), n_tokens=state.n_tokens, seed=state.seed,
                llama_state=np.frombuffer(state.llama_state, dtype=np.uint8),
            )
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache costs speed, not the answer
        log.warning("could not save the prompt state %s: %s", path, exc)
        Path(tmp).unlink(missing_ok=True)


def load(path: Path, messages: Messages, n_vocab: int) -> Opening | None:
    """The saved opening, or None when there is none or it is unreadable (it is then read again)."""
    import numpy as np
    from llama_cpp import LlamaState

    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            raw = data["llama_state"].tobytes()
            state = LlamaState(
                input_ids=data["input_ids"].astype(np.intc), n_tokens=int(data["n_tokens"]), seed=int(data["seed"]),
                # The logits are not needed: a restored state is always decoded again before sampling.
                scores=np.zeros((1, n_vocab), dtype=np.single), llama_state=raw, llama_state_size=len(raw),
            )
            return Opening(messages, data["tokens"].tolist(), state)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring the unreadable prompt state %s: %s", path, exc)
        return None


def shared_prefix(a: list[int], b: list[int]) -> list[int]:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]
