"""Shared fixtures. Tests never write into the repo: every index and upload lives in tmp_path."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # `from fakes import FakeLLM`

DEFAULT_REPLY = "تحدث جيهون بيراموف أمام مجلس الأمن الدولي [1]."


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed articles that a test may change."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture
def make_assistant(tmp_path, seeds_copy):
    """An Assistant over a private copy of the seeds, all state under tmp_path.

    With no `llm` and `embeddings` it runs on the fakes (fast, logic only); integration
    tests pass `real=True` for the shipped models. `min_score` is lowered for the fake
    embedder, whose similarities are not the real model's. On the fakes the answer mode
    is "free" (a scripted reply with [n] markers) and every answer passes the confidence
    thresholds (a scripted model has no real log-probabilities), unless a test asks otherwise.
    """
    from fakes import FakeEmbeddings, FakeLLM

    from rag import Assistant

    made = []

    def make(llm=None, *, embeddings=None, real: bool = False, llm_from_settings: bool = False, **overrides):
        """`llm`: an LLM, or a reply string for a FakeLLM; `real`: the shipped models where none is given;
        `llm_from_settings`: fake embeddings, but the LLM backend the settings choose (e.g. `llm_url`)."""
        if isinstance(llm, str):
            llm = FakeLLM(llm)
        settings = {"seeds_dir": seeds_copy, "index_dir": tmp_path / "index", "home": tmp_path}
        if real:
            assistant = Assistant(llm=llm, embeddings=embeddings, **{**settings, **overrides})
        else:
            # Fake embeddings pick sentences poorly: show the LLM every retrieved sentence.
            settings.update(models_dir=tmp_path / "models", min_score=0.05, context_chars=5000, context_passages=4,
                            answer_mode="free", answer_at=0.0, unsure_at=0.0, self_check=False,
                            kind_fallback=False)  # a scripted reply is no reading of a question's kind
            assistant = Assistant(
                llm=None if llm_from_settings else llm or FakeLLM(DEFAULT_REPLY), embeddings=embeddings or FakeEmbeddings(), **{**settings, **overrides}
            )
        made.append(assistant)
        return assistant

    yield make
    for assistant in made:
        assistant.close()
