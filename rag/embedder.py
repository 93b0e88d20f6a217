"""The embedder, as a LangChain `Embeddings` so the Chroma store can call it directly.

Retrieval models such as EmbeddingGemma are trained with different prompts for queries
and for documents; sentence-transformers applies them in `encode_query` and
`encode_document`. Vectors are normalized so cosine similarity is a dot product and
scores are comparable across questions (the refusal threshold relies on that).
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .embedder_export import TOKENS
from .errors import DependencyError, ModelMissingError

BATCH_SIZE = 16
log = logging.getLogger(__name__)


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model_name_or_path: str, device: str = "cpu"):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyError(
                "sentence-transformers is not installed: run `make run` or `pip install -e .`"
            ) from exc
        try:  # a per-load "Loading weights" bar is noise in a CLI answer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover
            pass
        local = Path(model_name_or_path).expanduser()
        try:
            # A local folder must never trigger a hub look-up (there is no network here).
            self.model = SentenceTransformer(
                str(local) if local.exists() else model_name_or_path,
                device=device,
                local_files_only=local.exists(),
            )
        except OSError as exc:
            raise ModelMissingError(f"cannot load the embedder '{model_name_or_path}': {exc}") from exc
        self.name = model_name_or_path
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = get_dim()
        # torch releases the GIL, but one model object is not meant for concurrent encode calls.
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self.model.encode_document(
                list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
            )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self.model.encode_query(text, normalize_embeddings=True, convert_to_numpy=True)
        return vector.tolist()


class OnnxEmbeddings(Embeddings):
    """The same sentence-transformers model, run by onnxruntime from an exported graph.

    Why: a question is ~20 tokens, and at that size PyTorch's per-call overhead dominates:
    EmbeddingGemma's query took 118-161 ms through sentence-transformers and 45-75 ms
    through onnxruntime on this 2-core machine. The serving path then imports neither
    torch nor sentence-transformers (tokenizers + onnxruntime only), which is most of
    what a start used to spend. The graph comes from `rag.embedder_export` (run by
    `rag models fetch`); prompts and the 768-d output are exactly the folder's.
    """

    def __init__(self, folder: str | Path, graph: str | Path):
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyError("onnxruntime and tokenizers are needed for the ONNX embedder: `pip install -e .`") from exc
        folder, graph = Path(folder), Path(graph)
        try:
            self.tokenize = self._tokenizer(folder, graph.parent / TOKENS)
            config = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
            max_len = self._max_length(folder, graph.parent / TOKENS)
            options = ort.SessionOptions()
            options.log_severity_level = 3
            self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail types
            raise ModelMissingError(f"cannot load the ONNX embedder {graph}: {exc}") from exc
        self.max_len = max_len
        self.prompts = config.get("prompts", {})
        self.name = str(folder)
        self.dimension = self.session.get_outputs()[0].shape[-1]
        self._lock = threading.Lock()

    @staticmethod
    def _max_length(folder: Path, reading_file: Path) -> int:
        """The model's max_seq_length: recorded at export; older exports read the folder's config.

        sentence-transformers 6 keeps it in tokenizer_config.json (model_max_length), not in
        sentence_bert_config.json, so a folder saved by it had no length to read before.
        """
        reading = json.loads(reading_file.read_text(encoding="utf-8")) if reading_file.is_file() else {}
        if reading.get("max_len"):
            return int(reading["max_len"])
        for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
            path = folder / name
            value = json.loads(path.read_text(encoding="utf-8")).get(key) if path.is_file() else None
            if isinstance(value, int) and 0 < value < 1_000_000:
                return value
        raise ValueError(f"no max_seq_length in {folder}")

    @staticmethod
    def _tokenizer(folder: Path, reading_file: Path):
        """texts -> token id lists, by the reading the export checked (see embedder_export)."""
        reading = json.loads(reading_file.read_text(encoding="utf-8")) if reading_file.is_file() else {}
        if reading.get("kind") == "sentencepiece":
            import sentencepiece

            pieces = sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))
            prefix, suffix = reading["prefix"], reading["suffix"]
            return lambda texts: [prefix + ids + suffix for ids in pieces.encode(texts)], reading["pad_id"]
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        pad_id = tokenizer.token_to_id("<pad>") or 0
        return lambda texts: [e.ids for e in tokenizer.encode_batch(texts)], pad_id

    def _encode(self, texts: list[str], prompt: str):
        import numpy as np

        tokenize, pad_id = self.tokenize
        rows = [ids if len(ids) <= self.max_len else ids[: self.max_len - 1] + ids[-1:] for ids in tokenize([prompt + t for t in texts])]
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):  # right padding, as sentence-transformers pads
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        with self._lock:
            (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        texts = list(texts)
        if not texts:
            return []
        # Batches of similar length pad least (what sentence-transformers does too).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        prompt = self.prompts.get("document", "")
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            out[batch] = self._encode([texts[i] for i in batch], prompt)
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self.prompts.get("query", ""))[0].tolist()


def load_embeddings(settings) -> Embeddings:
    """The embedder the settings choose, in the form `embedder_backend` asks for.

    `auto` runs the bundled EmbeddingGemma through its ONNX export (exported on first
    use, ~2 minutes, then cached under models_dir) and any other model through
    sentence-transformers, whose architectures the exporter may not trace.
    """
    from . import embedder_export
    from .weights import DEFAULT_EMBEDDER, REGISTRY, resolve_embedder

    source = resolve_embedder(settings)
    backend = settings.embedder_backend
    if backend == "auto":
        backend = "torch" if settings.embedder else "onnx"
    if backend == "torch":
        return SentenceTransformerEmbeddings(source)
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise ModelMissingError(
            f"RAG_EMBEDDER_BACKEND=onnx needs a local sentence-transformers folder, not '{source}'; "
            "use RAG_EMBEDDER_BACKEND=torch for a hub id."
        )
    checksum = None if settings.embedder else REGISTRY[DEFAULT_EMBEDDER].check_sha256
    graph = embedder_export.ensure_graph(settings.models_dir, folder, checksum, log=log.warning)
    try:
        return OnnxEmbeddings(folder, graph)
    except ModelMissingError as exc:  # a damaged export (the weights were verified): make it again, once
        log.warning("%s; exporting again", exc)
        embedder_export.discard(settings.models_dir, folder)
        return OnnxEmbeddings(folder, embedder_export.ensure_graph(settings.models_dir, folder, checksum, log=log.warning))
