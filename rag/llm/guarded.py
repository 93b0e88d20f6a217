"""Any backend, with its failures turned into one clear `GenerationError` for the user."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..errors import GenerationError, RagError
from .base import Messages

log = logging.getLogger(__name__)

GENERATION_FAILED = "the language model failed while answering; please try again."


class GuardedLLM:
    """Any generator, with its failures (also mid-answer) turned into a `GenerationError`.

    The user gets one clear message; the exception itself goes to the log. Errors that are
    already a `RagError` (a model file that cannot load, an unreachable LLM server) pass
    unchanged: their message already says what to do. The wrapped backend stays
    reachable as `.inner` (the benchmark drives its raw engine).
    """

    def __init__(self, inner):
        self.inner = inner

    @property
    def name(self) -> str:
        """The wrapped backend's model name (a server's is known only after its first reply)."""
        return getattr(self.inner, "name", type(self.inner).__name__)

    def prepare(self, openings: list[Messages], cache_dir=None) -> None:
        """Have the prompt's fixed openings read ahead, where the backend can keep them (llama.cpp in
        process: llm/openings.py). Others read the whole prompt per request; for them this does nothing.

        A failure here costs speed, not answers: it is logged, and the opening is read with the question.
        """
        prepare = getattr(self.inner, "prepare", None)
        if prepare is None:
            return
        try:
            prepare(openings, cache_dir)
        except Exception as exc:  # noqa: BLE001 - an optimization must not stop the model from loading
            log.warning("could not prepare the prompt's openings: %r", exc)

    def stream_chat(self, messages: Messages, **kwargs) -> Iterator[str]:
        stream = self.inner.stream_chat(messages, **kwargs)
        try:
            yield from stream
        except RagError:
            raise
        except Exception as exc:
            log.error("generation failed: %r", exc, exc_info=True)
            raise GenerationError(GENERATION_FAILED) from exc
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()


