"""The one interface every LLM backend implements, and the first-token probe they share.

A backend streams a chat completion: `stream_chat(messages, max_tokens=, temperature=,
probe=)` yields text pieces. Two backends ship (llama.cpp in this process, and any
OpenAI-compatible server); tests add scripted fakes in tests/. Everything above this
layer (prompting, guards, citations) is written against `LLM` alone, so a backend is
chosen by settings (`make_llm`) and never by the code that asks.

A `FirstTokenProbe` reads the model's own judgement without a second call: the
probability it gives, at the first answer position, to the first token of a watched
reply (our NO_ANSWER sentinel). Greedy decoding only tells us whether that token won;
the probability tells us how close it came, which makes a calibrated refusal threshold.
It also keeps the log-probability of every token the model chose and, under a copy
constraint (`copy=CopySpans`, llm/copy.py), how much probability the model itself put
on the tokens the constraint allowed: the signals the answer's confidence is built from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .copy import CopySpans

Messages = list[dict[str, str]]


@runtime_checkable
class LLM(Protocol):
    """A chat model that streams its reply. `name` identifies the model (for logs and reports)."""

    name: str

    def stream_chat(
        self, messages: Messages, *, max_tokens: int, temperature: float = 0.0, probe: "FirstTokenProbe | None" = None,
        copy: "CopySpans | None" = None, seed: int | None = None,
    ) -> Iterator[str]: ...

    # `seed`: for a sampled reply (temperature > 0), which draw; None keeps the backend's own seed,
    # so greedy replies stay repeatable.

    # Optional: `prepare(openings: list[Messages], cache_dir)` reads the prompt's fixed
    # opening turns ahead of the first question (llama.cpp keeps their state; llm/openings.py).


class FirstTokenProbe:
    """Records P(the first generated token starts one of `texts`) during one generation.

    Several spellings, because a small model writes its sentinel as NO_ANSWER or No_ANSWER.
    """

    def __init__(self, *texts: str):
        self.texts = texts
        self.probability: float | None = None
        self.token_logprobs: list[float] = []  # of each chosen token, before any constraint
        self.copy_mass: list[float] = []  # per step under a copy constraint: P(an allowed token)

    def observe(self, token_ids: set[int], logits) -> None:
        if self.probability is None:
            import numpy as np

            z = np.asarray(logits, dtype=np.float64)
            z = np.exp(z - z.max())
            self.probability = float(sum(z[i] for i in token_ids) / z.sum())

    def observe_top(self, top: list[tuple[str, float]]) -> None:
        """The same reading from a server's top log-probabilities of the first token.

        A server gives token strings, not ids: a top token counts when a watched text starts
        with it (leading space ignored). When none of the top tokens does, the probability
        stays None ("no signal"): it is somewhere below the smallest top probability.
        """
        if self.probability is not None:
            return
        hits = [math.exp(lp) for tok, lp in top if tok.strip() and any(t.startswith(tok.strip()) for t in self.texts)]
        if hits:
            self.probability = min(1.0, sum(hits))


