"""The ONNX embedder is the same model as sentence-transformers', and serving needs no torch.

Real weights, the real export in the model cache (`rag models fetch` makes it), real
onnxruntime; the export itself is exercised once more into tmp_path when it is damaged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rag.embedder import OnnxEmbeddings, SentenceTransformerEmbeddings, load_embeddings
from rag.embedder_export import GRAPH, STAMP, TOKENS, current_graph
from rag.settings import Settings
from rag.weights import DEFAULT_EMBEDDER, REGISTRY, resolve_embedder

TEXTS = [
    "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده على أرمينيا من أجل إبرام اتفاقية سلام.",
    "The emergency ministry delivered 40 tons of food and 1.5 tons of detergents.",
    "قصير",
    "A longer passage, padded against the short ones in the same batch: " * 6,
]


@pytest.fixture(scope="module")
def both():
    settings = Settings()
    return load_embeddings(settings), SentenceTransformerEmbeddings(resolve_embedder(settings))


def test_default_backend_is_onnx_with_the_folders_vectors(both):
    onnx, torch_st = both
    assert isinstance(onnx, OnnxEmbeddings)
    a, b = np.array(onnx.embed_documents(TEXTS)), np.array(torch_st.embed_documents(TEXTS))
    assert a.shape == b.shape == (len(TEXTS), 768)
    assert (a * b).sum(axis=1).min() > 0.9999  # the same vectors, batch padding included
    for text in TEXTS[:3]:
        assert float(np.dot(onnx.embed_query(text), torch_st.embed_query(text))) > 0.9999
    # query and document prompts differ, as in sentence-transformers
    assert float(np.dot(onnx.embed_query(TEXTS[0]), onnx.embed_documents(TEXTS[:1])[0])) < 0.999
    assert onnx.embed_documents([]) == []


def test_serving_path_loads_no_torch(index_dir):
    code = textwrap.dedent(f"""
        import sys
        from rag import Assistant
        a = Assistant.load(index_dir={str(index_dir)!r})
        passages = a.retrieve("من هو وزير خارجية أذربيجان؟")
        print(type(a.embeddings).__name__, len(passages), "torch" in sys.modules, "sentence_transformers" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["OnnxEmbeddings", "4", "False", "False"]


def test_a_damaged_export_is_made_again(tmp_path):
    """Copy the verified export into a private models_dir, break its graph, and load: it re-exports."""
    settings = Settings()
    folder = resolve_embedder(settings)
    cached = current_graph(settings.models_dir, __import__("pathlib").Path(folder), REGISTRY[DEFAULT_EMBEDDER].check_sha256)
    assert cached is not None, "`rag models fetch` should have exported the embedder"
    models_dir = tmp_path / "models"
    shutil.copytree(cached.parent, models_dir / cached.parent.name)
    (models_dir / cached.parent.name / GRAPH).write_bytes(b"not a graph")
    private = settings.model_copy(update={"models_dir": models_dir, "embedder": folder, "embedder_backend": "onnx"})
    stamp = json.loads((models_dir / cached.parent.name / STAMP).read_text())
    stamp["checksum"] = None  # a user's own folder: no registry checksum
    (models_dir / cached.parent.name / STAMP).write_text(json.dumps(stamp))
    embeddings = load_embeddings(private)
    assert isinstance(embeddings, OnnxEmbeddings)
    assert (models_dir / cached.parent.name / GRAPH).stat().st_size > 1000
    assert json.loads((models_dir / cached.parent.name / TOKENS).read_text())["kind"] == "sentencepiece"
    assert len(embeddings.embed_query("hello")) == 768
