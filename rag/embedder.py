"""The embedder, as a LangChain `Embeddings` so the Chroma store can call it directly.

Retrieval models such as EmbeddingGemma are trained with different prompts for queries
and for documents; sentence-transformers applies them in `encode_query` and
`encode_document`. Vectors are normalized so cosine similarity is a dot product and
scores are comparable across questions (the refusal threshold relies on that).
"""

from __future__ import annotations

import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .errors import DependencyError, ModelMissingError

BATCH_SIZE = 16


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
