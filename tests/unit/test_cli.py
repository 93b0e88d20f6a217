import os
import subprocess
import sys


def _rag(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def test_empty_question_is_a_clear_error_not_a_traceback(tmp_path):
    proc = _rag("ask", "   ", env_extra={"RAG_INDEX_DIR": str(tmp_path / "idx")})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: the question is empty: type a question about the articles."
    assert not (tmp_path / "idx").exists()


def test_missing_model_names_the_fix(tmp_path):
    proc = _rag(
        "ask", "من هو وزير خارجية أذربيجان؟",
        env_extra={"RAG_MODELS_DIR": str(tmp_path / "no-models"), "RAG_INDEX_DIR": str(tmp_path / "idx")},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "make run" in proc.stderr and "rag models fetch" in proc.stderr


def test_models_list_reports_status(tmp_path):
    proc = _rag("models", env_extra={"RAG_MODELS_DIR": str(tmp_path)})
    assert proc.returncode == 0
    assert proc.stdout.count("missing") == 3


def test_version():
    import rag

    proc = _rag("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"rag {rag.__version__}"


def test_a_reader_that_goes_away_is_not_a_traceback(tmp_path):
    """`rag docs --json | head`: the pipe closes before we write; we stop quietly."""
    read_end, write_end = os.pipe()
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "idx")}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "docs", "--json"], stdout=write_end,
                            stderr=subprocess.PIPE, env=env, text=True)
    os.close(write_end)
    os.close(read_end)  # the reader is gone before the first byte
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert proc.returncode == 0


def test_eval_without_a_question_set_says_how_to_give_one(tmp_path):
    proc = _rag("eval", env_extra={"RAG_HOME": str(tmp_path)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error: no question set given: pass --questions FILE")


def test_a_bad_date_filter_is_a_clear_error_before_any_model(tmp_path):
    proc = _rag("ask", "ماذا قال الوزير؟", "--since", "last week",
                env_extra={"RAG_HOME": str(tmp_path), "RAG_INDEX_DIR": str(tmp_path / "idx")})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: since must be a date as YYYY-MM-DD, not 'last week'."
    assert not (tmp_path / "idx").exists()
