"""LLM backends behind one interface (`LLM`), chosen by settings in `make_llm`.

Backends load lazily: importing this package loads no llama.cpp.
"""

from __future__ import annotations

from .base import LLM, FirstTokenProbe, Messages
from .guarded import GENERATION_FAILED, GuardedLLM

__all__ = ["GENERATION_FAILED", "LLM", "FirstTokenProbe", "GuardedLLM", "Messages", "make_llm"]


def make_llm(settings) -> GuardedLLM:
    """The backend the settings ask for, wrapped so that its failures reach the user as one line.

    `RAG_LLM_URL` set: an OpenAI-compatible server; otherwise llama.cpp in this process on
    `RAG_LLM_PATH` or the bundled, checksum-verified GGUF.
    """
    if settings.llm_url:
        from .server import OpenAICompatibleLLM

        return GuardedLLM(OpenAICompatibleLLM(
            settings.llm_url, model=settings.llm_model, timeout=settings.llm_timeout, seed=settings.seed,
        ))
    from ..weights import resolve_llm
    from .llamacpp import LlamaCppLLM

    return GuardedLLM(LlamaCppLLM(resolve_llm(settings), n_ctx=settings.n_ctx, n_threads=settings.n_threads, seed=settings.seed))
