"""Real models, real Chroma on disk (in a temp dir), real seeds.

The models come from the cache `make test` fills (`rag models fetch --all`); a missing
model is a failure here, not a skip: these tests are the claim that the product works.
"""

from __future__ import annotations

import pytest

from rag import Assistant
from rag.models import REGISTRY, TEST_LLM, ensure
from rag.settings import Settings


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


@pytest.fixture(scope="session")
def tiny_llm_path():
    return ensure(REGISTRY[TEST_LLM], Settings().models_dir)
