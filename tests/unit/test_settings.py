from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import Settings


def test_home_relocates_seeds_and_index(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    s = Settings()
    assert s.seeds_dir == tmp_path / "seeds"
    assert s.index_dir == tmp_path / "vectorstore"


def test_env_prefix_and_types(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_LLM_PATH", str(tmp_path / "x.gguf"))
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "m"))
    s = Settings()
    assert s.top_k == 7
    assert s.llm_path == tmp_path / "x.gguf"
    assert s.models_dir == Path(tmp_path / "m")


def test_bad_values_are_rejected():
    with pytest.raises(ValidationError):
        Settings(top_k=0)
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)
