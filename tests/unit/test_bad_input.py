"""Bad input and faults, with fake models: the user gets one clear message and loses nothing.

Where each case is tested (this file unless named):
- questions: empty and whitespace (test_answerer, test_cli), 20,000 characters,
  control characters and lone surrogates, a third language (here; real model:
  tests/integration/test_bad_input_real_models.py);
- files: non-UTF-8, empty, binary named .txt (test_readers), symlink loop
  (test_readers), 50 MB (here);
- models: missing (test_weights, test_cli), wrong checksum (test_weights, and `rag models verify` in
  tests/integration/test_entrypoints.py), damaged GGUF (tests/integration/test_answers.py), truncated
  real GGUF (tests/integration/test_bad_input_real_models.py), a prompt file missing from an
  installed copy (tests/integration/test_wheel.py), the LLM failing mid-answer (here: Assistant, CLI, UI);
- index: damaged (test_answerer), deleted and older schema (here);
- hostile articles: prompt injection (tests/integration/test_bad_input_real_models.py), markup rendered
  inert (test_web_render, tests/integration/test_web_browser.py);
- the LLM server going away or misbehaving: tests/integration/test_llm_server_client.py (a scripted
  server) and tests/integration/test_llm_server.py (the real llama_cpp.server).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from fakes import FailingLLM as FailingGenerator
from fakes import FakeLLM as FakeGenerator

from rag import Answer
from rag.answering.prompt import ANSWER_INSTRUCTIONS, REFUSALS
from rag.answering.question import clean_question
from rag.errors import GenerationError, InvalidQuestionError, RagError
from rag.lang import detect_language
from rag.indexing.store import SCHEMA_VERSION
from rag.web import app as ui

QUESTION = "من هو وزير خارجية أذربيجان جيهون بيراموف؟"


# --- questions ------------------------------------------------------------------------
def test_a_20000_character_question_is_refused_with_the_limit(make_assistant, tmp_path):
    question = ("ما " * 10_000)[:20_000]
    assert len(question) == 20_000
    with pytest.raises(InvalidQuestionError) as err:
        make_assistant().ask(question)
    assert str(err.value) == "the question is 20000 characters long; the limit is 2000. Please shorten it."
    assert not (tmp_path / "index").exists()  # refused before any work


def test_a_20000_character_question_on_the_cli_is_one_line_and_exit_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "x" * 20_000], capture_output=True, text=True, timeout=120,
        env={**os.environ, "RAG_INDEX_DIR": str(tmp_path / "idx"), "RAG_MODELS_DIR": str(tmp_path / "models")},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: the question is 20000 characters long; the limit is 2000. Please shorten it."
    ]


def test_control_characters_and_lone_surrogates_are_cleaned():
    assert clean_question("من\x00 هو\x07 وزير\x1b[31m الخارجية\ud800؟\x7f", 2000) == "من  هو  وزير [31m الخارجية؟"
    assert clean_question("\ud800\udfff Who\tis\x0bthe minister?\r\n", 2000) == "Who\tis the minister?"
    with pytest.raises(InvalidQuestionError, match="empty"):
        clean_question("\x00\x01\ud800 \x7f", 2000)
    with pytest.raises(InvalidQuestionError, match="must be text"):
        clean_question(b"bytes", 2000)  # type: ignore[arg-type]


def test_a_question_with_control_characters_and_surrogates_is_answered(make_assistant):
    assistant = make_assistant()
    answer = assistant.ask("من هو\x00 وزير خارجية\ud800 أذربيجان\x1b جيهون بيراموف؟")
    assert not answer.refused and answer.citations and answer.language == "ar"
    prompt = json.dumps(assistant.llm.inner.calls[0], ensure_ascii=False)
    assert "\\u0000" not in prompt and "\\ud800" not in prompt and "\\u001b" not in prompt


@pytest.mark.parametrize("question", [
    "Qui est le ministre des Affaires étrangères de l'Azerbaïdjan ?",  # French: Latin script
    "Кто министр иностранных дел Азербайджана?",  # Russian
    "阿塞拜疆外交部长是谁？",  # Chinese
])
def test_a_third_language_is_answered_or_refused_in_english(make_assistant, question):
    """We answer in Arabic or English only: a question in any other script gets English.

    (Persian and Urdu are written in Arabic script and get Arabic.)"""
    assert detect_language(question) == "en"
    refusing = make_assistant(FakeGenerator("NO_ANSWER"))
    answer = refusing.ask(question)
    assert answer.refused and answer.language == "en" and answer.text == REFUSALS["en"]
    answering = make_assistant(FakeGenerator("Jeyhun Bayramov (جيهون بيراموف) [1]."), min_score=-1.0)
    answer = answering.ask(question)
    assert answer.language == "en"
    assert ANSWER_INSTRUCTIONS["en"] in answering.llm.inner.calls[0][-1]["content"]


# --- files --------------------------------------------------------------------------
def test_a_50_mb_file_is_skipped_with_a_warning_and_the_index_stays_intact(make_assistant, seeds_copy, tmp_path, caplog):
    assistant = make_assistant()
    assistant.ingest(progress=False)
    before = json.loads((tmp_path / "index" / "manifest.json").read_text())
    big = seeds_copy / "dump.txt"
    line = ("وزير الخارجية " * 20 + "\n").encode()
    with open(big, "wb") as f:
        f.write(line * (50 * 2**20 // len(line) + 1))
    assert big.stat().st_size >= 50 * 2**20
    with caplog.at_level(logging.WARNING):
        report = make_assistant().ingest(progress=False)
    assert "dump.txt" in caplog.text and "RAG_MAX_FILE_MB" in caplog.text and "50.0 MB" in caplog.text
    assert not report.changed and report.documents == 2
    after = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert after["documents"] == before["documents"]
    assert make_assistant().ask(QUESTION).citations  # the index still answers
    # Raising the limit is how to index it anyway (checked on a small limit, not 50 MB of embeddings).
    small = seeds_copy / "small.txt"
    small.write_text("مقال قصير عن محادثات السلام في يفلاخ.\n" * 2000, encoding="utf-8")
    assert make_assistant(max_file_mb=0.01).ingest(progress=False).added == 0
    assert make_assistant(max_file_mb=1).ingest(progress=False).added == 1


def test_max_file_mb_comes_from_the_environment(monkeypatch):
    from rag.settings import Settings

    monkeypatch.setenv("RAG_MAX_FILE_MB", "5")
    assert Settings().max_file_mb == 5.0
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0")
    with pytest.raises(ValueError):
        Settings()


# --- the model failing mid-answer ----------------------------------------------------------
def test_llm_failing_mid_answer_is_a_clear_error_and_the_next_question_works(make_assistant):
    assistant = make_assistant(FailingGenerator("تحدث الوزير أمام مجلس الأمن الدولي [1]", pieces=3, failures=1))
    seen = []
    with pytest.raises(GenerationError, match="failed while answering; please try again") as err:
        for item in assistant.stream(QUESTION):
            seen.append(item)
    assert isinstance(err.value, RagError) and "llama_decode" not in str(err.value)
    assert seen and not any(isinstance(i, Answer) for i in seen)  # some text was streamed, no final answer
    assert not assistant.ask(QUESTION).refused  # the same assistant, its model now answering


def test_rag_errors_from_the_generator_pass_unchanged(make_assistant):
    assistant = make_assistant(FailingGenerator(pieces=1, error=GenerationError("the LLM server at http://x is down")))
    with pytest.raises(GenerationError, match="http://x is down"):
        assistant.ask(QUESTION)


def test_llm_failing_mid_answer_in_the_ui_shows_an_error_and_the_chat_goes_on(make_assistant, tmp_path):
    assistant = make_assistant(FailingGenerator("تحدث الوزير أمام مجلس الأمن الدولي [1]", pieces=3, failures=1))
    handlers = ui.ChatHandlers(assistant, tmp_path / "uploads")
    out = list(handlers.respond(QUESTION, []))
    assert "rag-streaming" in out[0]  # the answer had started
    assert "rag-error" in out[-1] and "try again" in out[-1] and "llama_decode" not in out[-1]
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": out[-1]}]
    assert "rag-answer" in list(handlers.respond(QUESTION, history))[-1]


def test_llm_failing_mid_answer_on_the_cli_is_one_line_and_exit_2(make_assistant, monkeypatch, capsys):
    from rag import cli

    made = make_assistant(FailingGenerator(pieces=2))
    monkeypatch.setattr("rag.assistant.Assistant", lambda settings=None: made)
    assert cli.main(["ask", QUESTION]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["error: the language model failed while answering; please try again."]


# --- the index -------------------------------------------------------------------------
def test_deleted_vectorstore_is_rebuilt_from_the_seeds(make_assistant, tmp_path):
    make_assistant().ingest(progress=False)
    shutil.rmtree(tmp_path / "index")
    answer = make_assistant().ask(QUESTION)
    assert answer.citations and (tmp_path / "index" / "manifest.json").is_file()
    assert len(json.loads((tmp_path / "index" / "manifest.json").read_text())["documents"]) == 2


def test_index_of_an_older_schema_is_rebuilt_with_a_message(make_assistant, tmp_path, caplog):
    make_assistant().ingest(progress=False)
    path = tmp_path / "index" / "manifest.json"
    old = json.loads(path.read_text())
    old["schema"] = 1
    old["documents"] = len(old["documents"])  # schema 1 kept only a count
    path.write_text(json.dumps(old))
    with caplog.at_level(logging.WARNING):
        report = make_assistant().ingest(progress=False)
    assert report.rebuilt and report.documents == 2
    assert "rebuilding the index" in caplog.text and "schema=1" in caplog.text
    assert json.loads(path.read_text())["schema"] == SCHEMA_VERSION
    # And on the question path, without an explicit ingest:
    path.write_text(json.dumps(old))
    assert make_assistant().ask(QUESTION).citations
    assert json.loads(path.read_text())["schema"] == SCHEMA_VERSION


def test_llm_url_comes_from_the_environment(monkeypatch):
    from rag.settings import Settings

    monkeypatch.setenv("RAG_LLM_URL", "http://10.0.0.5:8000/v1")
    monkeypatch.setenv("RAG_LLM_MODEL", "Qwen/Qwen2.5-7B-Instruct")
    s = Settings()
    assert s.llm_url == "http://10.0.0.5:8000/v1" and s.llm_model == "Qwen/Qwen2.5-7B-Instruct"
