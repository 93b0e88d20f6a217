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


def test_home_is_the_checkout_when_running_from_one(monkeypatch):
    from rag import settings

    monkeypatch.delenv("RAG_HOME", raising=False)
    assert settings.checkout_root() == Path(__file__).resolve().parents[2]
    assert Settings().home == settings.checkout_root()


def test_an_installed_copy_keeps_its_state_in_the_user_data_dir(monkeypatch, tmp_path):
    from rag import settings

    monkeypatch.delenv("RAG_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(settings, "PACKAGE_PARENT", tmp_path / "site-packages")  # no pyproject.toml, no seeds/
    s = Settings()
    assert s.home == tmp_path / "data" / settings.APP_NAME
    assert s.index_dir == s.home / "vectorstore" and s.seeds_dir == s.home / "seeds"


def test_page_title_description_and_examples_come_from_settings(monkeypatch):
    monkeypatch.setenv("RAG_UI_TITLE", "Tunisia desk")
    monkeypatch.setenv("RAG_UI_EXAMPLES", '["Who won the 2019 election?", "من فاز؟"]')
    s = Settings()
    assert s.ui_title == "Tunisia desk" and s.ui_examples == ["Who won the 2019 election?", "من فاز؟"]
    assert "Karabakh" in Settings.model_fields["ui_title"].default  # the demo's values are only defaults
