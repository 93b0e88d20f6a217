"""Real models, real Chroma on disk (in a temp dir), real seeds.

The models come from the cache `make test` fills (`rag models fetch --all`); a missing
model is a failure here, not a skip: these tests are the claim that the product works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from rag import Assistant
from rag.devtools.loadtest import free_port
from rag.settings import Settings
from rag.weights import DEFAULT_LLM, REGISTRY, TEST_LLM, ensure

# The plumbing tests (serving, indexing, backends, entry points that keep the environment) show
# every candidate answer: which outcome a confidence earns is the calibration's business,
# tested in test_trust.py (which sets its own thresholds) and measured by `rag eval`.
# Entry points started with a clean environment (test_entrypoints) run the shipped thresholds.
os.environ.setdefault("RAG_ANSWER_AT", "0")
os.environ.setdefault("RAG_UNSURE_AT", "0")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    """One index built from the real seeds with the real embedder, shared by the session."""
    path = tmp_path_factory.mktemp("index") / "vectorstore"
    Assistant(index_dir=path).ingest()
    return path


@pytest.fixture(scope="session")
def assistant(index_dir):
    """The product as shipped: default LLM and embedder."""
    a = Assistant.load(index_dir=index_dir)
    yield a
    a.close()


@pytest.fixture(scope="module")
def shipped(assistant):
    """The session's models with the shipped thresholds (the integration tier's default shows every candidate);
    one per module, so what one module's answers leave behind (the renderings remembered) stays there."""
    return Assistant(assistant.settings.model_copy(update={"answer_at": None, "unsure_at": None}),
                     llm=assistant.llm, embeddings=assistant.embeddings)


@pytest.fixture(scope="module")
def private_copy(shipped, index_dir, tmp_path_factory):
    """`make(name)` -> (the shipped product over a private copy of the index, its home): for a module that adds
    articles or serves the page, so nothing it does reaches the other modules' index."""
    def make(name: str):
        work = tmp_path_factory.mktemp(name)
        shutil.copytree(index_dir, work / "vectorstore")
        own = Assistant(shipped.settings.model_copy(update={"index_dir": work / "vectorstore", "home": work}),
                        llm=shipped.llm, embeddings=shipped.embeddings)
        return own, work

    return make


@pytest.fixture(scope="session")
def tiny_llm_path():
    return ensure(REGISTRY[TEST_LLM], Settings().models_dir)


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory):
    """`python -m llama_cpp.server` with the default GGUF on a free loopback port, for the session."""
    model = ensure(REGISTRY[DEFAULT_LLM], Settings().models_dir)
    port = free_port()
    log = open(tmp_path_factory.mktemp("llm-server") / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", str(Settings().n_threads), "--verbose", "false", "--cache", "true"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"llama_cpp.server exited; see {log.name}"
            assert time.time() < deadline, f"llama_cpp.server did not start in 180 s; see {log.name}"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
