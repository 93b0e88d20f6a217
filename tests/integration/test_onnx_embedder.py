"""The ONNX embedder is the same model as sentence-transformers', and serving needs no torch.

Real weights, the real export in the model cache (`rag models fetch` makes it), real
onnxruntime; the export itself is exercised once more into tmp_path when it is damaged.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rag.embedder import OnnxEmbeddings, SentenceTransformerEmbeddings, load_embeddings
from rag.embedder_export import GRAPH, STAMP, TOKENS, current_graph, graph_dir, stamp_for
from rag.settings import Settings
from rag.weights import resolve_embedder

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


def own_embedder(folder):
    """A user's own sentence-transformers folder, saved by today's sentence-transformers: a two-layer BERT
    (32-d) with a word-level tokenizer and query/document prompts. Small, so the export it needs takes ~15 s
    where EmbeddingGemma's takes ~80 s; the export code is the same."""
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers import models as token_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "task", "query", "text", "the", "ministry", "food", "وزير", "خارجية"]
    tokens = Tokenizer(token_models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokens.pre_tokenizer = pre_tokenizers.Whitespace()
    tokens.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    raw = folder.parent / f"{folder.name}-raw"
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(raw)
    PreTrainedTokenizerFast(tokenizer_object=tokens, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]").save_pretrained(raw)
    body = models.Transformer(str(raw), max_seq_length=16)
    SentenceTransformer(modules=[body, models.Pooling(32)],
                        prompts={"query": "task: query | ", "document": "text: "}).save(str(folder))
    return folder


def test_a_damaged_export_is_made_again(tmp_path):
    """A user's own embedder folder whose export is damaged (the stamp matches, the graph is not a graph): loading
    it exports again, once, and the new graph gives the folder's own vectors, prompts and truncation included."""
    folder = own_embedder(tmp_path / "own-embedder")
    models_dir = tmp_path / "models"
    out = graph_dir(models_dir, folder)
    out.mkdir(parents=True)
    (out / GRAPH).write_bytes(b"not a graph")
    (out / STAMP).write_text(json.dumps(stamp_for(folder, None)))  # what ensure_graph would trust as current
    assert current_graph(models_dir, folder, None) == out / GRAPH
    private = Settings().model_copy(update={"models_dir": models_dir, "embedder": str(folder), "embedder_backend": "onnx"})
    embeddings = load_embeddings(private)
    assert isinstance(embeddings, OnnxEmbeddings)
    assert (out / GRAPH).stat().st_size > 1000 and json.loads((out / TOKENS).read_text())["max_len"] == 16
    reference = SentenceTransformerEmbeddings(str(folder))
    texts = ["the ministry food", "وزير خارجية the", "the " * 40]  # the last is cut at 16 tokens by both
    a, b = np.array(embeddings.embed_documents(texts)), np.array(reference.embed_documents(texts))
    assert a.shape == b.shape == (3, 32) and (a * b).sum(axis=1).min() > 0.9999
    assert float(np.dot(embeddings.embed_query(texts[0]), reference.embed_query(texts[0]))) > 0.9999
