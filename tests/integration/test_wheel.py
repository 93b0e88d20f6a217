"""The wheel works outside the checkout: built from the sources, installed elsewhere, run from
an unrelated working directory over articles ingested there, with the real models.

The wheel is built from a copy of the sources (an in-tree build would write build/ and
*.egg-info into the checkout) and installed with `pip install --target`: its own folder,
first on the path, so `import rag` is the installed copy and never the checkout's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUESTION = "من هو وزير خارجية أذربيجان؟"


def _checkout_state() -> str:
    """Tracked changes and untracked files, ignored ones included (a stray vectorstore/ counts)."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    noise = (".venv/", ".pytest_cache/", "__pycache__/", ".pyc")  # the test runner's own
    return "\n".join(line for line in out.splitlines() if not any(n in line for n in noise))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        if (REPO / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
                    str(work / "dist"), str(src)], check=True, capture_output=True, text=True)
    (wheel,) = (work / "dist").glob("rag_news-*.whl")
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, text=True)
    return wheel, site


def test_the_wheel_ships_the_prompts(installed):
    import zipfile

    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    for prompt in ("answer_system.txt", "answer_user.txt", "answer_examples.jsonl", "rewrite_system.txt", "rewrite_user.txt"):
        assert f"rag/prompts/{prompt}" in names
    assert not any(n.startswith(("tests/", "seeds/")) for n in names)


def test_installed_copy_answers_with_a_citation_from_anywhere(installed, tmp_path):
    _, site = installed
    before = _checkout_state()
    cwd, home = tmp_path / "elsewhere", tmp_path / "home"
    cwd.mkdir()
    articles = tmp_path / "my-articles"
    shutil.copytree(REPO / "seeds", articles)
    env = {**os.environ, "PYTHONPATH": str(site), "RAG_HOME": str(home)}
    env.pop("RAG_INDEX_DIR", None)
    env.pop("RAG_SEEDS_DIR", None)

    def rag(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rag", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=900)

    where = subprocess.run([sys.executable, "-c", "import rag; print(rag.__file__); print(rag.__version__)"],
                           cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(site)) and where[1] == "0.2.0"  # the installed copy, not the checkout
    assert rag("--version").stdout.strip() == "rag 0.2.0"

    ingest = rag("ingest", str(articles))
    assert ingest.returncode == 0, ingest.stderr
    assert "2 added" in ingest.stdout and (home / "vectorstore" / "manifest.json").is_file()

    asked = rag("ask", "--json", QUESTION)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["refused"] is False and "بيراموف" in answer["answer"]
    assert answer["citations"] and "بيراموف" in answer["citations"][0]["text"]

    no_set = rag("eval")  # no question set ships with the articles: it must say so, in one line
    assert no_set.returncode == 2 and "--questions" in no_set.stderr and "Traceback" not in no_set.stderr

    # A damaged install (a prompt file gone) is one line naming the file, exit 2, no traceback.
    damaged = tmp_path / "damaged-site"
    shutil.copytree(site, damaged)
    (damaged / "rag" / "prompts" / "answer_system.txt").unlink()
    broken = subprocess.run([sys.executable, "-m", "rag", "ask", QUESTION], cwd=cwd,
                            env={**env, "PYTHONPATH": str(damaged)}, capture_output=True, text=True, timeout=900)
    assert broken.returncode == 2, broken.stderr
    assert broken.stderr.strip().splitlines()[-1] == (
        "error: the prompt file answer_system.txt is missing from the installed package (rag.prompts): "
        "reinstall the package."
    )
    assert "Traceback" not in broken.stderr

    assert _checkout_state() == before  # nothing was written into the checkout
    assert not (cwd / "vectorstore").exists() and list(cwd.iterdir()) == []
