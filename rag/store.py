"""The persisted vector index: Chroma on disk (through langchain-chroma) plus a manifest.

The manifest records how the index was made (embedder, dimension, chunking, schema).
An index made differently from the current settings is rebuilt, never silently mixed:
vectors from two embedders are not comparable.

Builds go to a staging folder beside the index and are swapped in by rename, so a crash
or a kill mid-build leaves the previous index untouched and usable; the manifest is the
last file written, so a folder without one is never mistaken for a finished index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

from .chunk import Chunk
from .errors import DependencyError, IndexStoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
COLLECTION = "articles"
MANIFEST = "manifest.json"
ADD_BATCH = 64
REBUILD_HINT = "rebuild it with `rag ingest --rebuild`"


def _chroma():
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DependencyError("chromadb / langchain-chroma are not installed: run `make run`") from exc
    return chromadb, ChromaSettings, Chroma


class ArticleIndex:
    """One Chroma collection in `index_dir`, searched with `embeddings`."""

    def __init__(self, index_dir: Path, embeddings):
        self.index_dir = Path(index_dir)
        self.embeddings = embeddings
        self._client = None
        self._store = None

    # --- manifest --------------------------------------------------------------------
    def read_manifest(self) -> dict | None:
        try:
            return json.loads((self.index_dir / MANIFEST).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IndexStoreError(f"the index manifest in {self.index_dir} is unreadable ({exc}); {REBUILD_HINT}.")

    @staticmethod
    def expected_manifest(embedder_name: str, chunk_size: int, chunk_overlap: int) -> dict:
        return {"schema": SCHEMA_VERSION, "embedder": embedder_name, "chunk_size": chunk_size, "chunk_overlap": chunk_overlap}

    def mismatch(self, expected: dict) -> str | None:
        """Why the index on disk cannot be used as it is, or None when it can."""
        found = self.read_manifest()
        if found is None:
            return "there is no index yet" if not self.index_dir.exists() else "the index is incomplete"
        for key, value in expected.items():
            if found.get(key) != value:
                return f"it was built with {key}={found.get(key)!r}, the settings now say {value!r}"
        return None

    # --- building --------------------------------------------------------------------
    def build(self, chunks: list[Chunk], manifest: dict) -> dict:
        """Embed `chunks` into a fresh index and swap it in for the old one."""
        chromadb, ChromaSettings, Chroma = _chroma()
        self.close()
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = self.index_dir.with_name(f".{self.index_dir.name}.building-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        started = time.perf_counter()
        client = chromadb.PersistentClient(path=str(staging), settings=ChromaSettings(anonymized_telemetry=False))
        try:
            store = Chroma(
                client=client,
                collection_name=COLLECTION,
                embedding_function=self.embeddings,
                collection_metadata={"hnsw:space": "cosine"},
            )
            for start in range(0, len(chunks), ADD_BATCH):
                batch = chunks[start : start + ADD_BATCH]
                store.add_texts([c.text for c in batch], metadatas=[c.metadata for c in batch], ids=[c.chunk_id for c in batch])
            full = {
                **manifest,
                "dimension": getattr(self.embeddings, "dimension", None),
                "documents": len({c.doc_id for c in chunks}),
                "chunks": len(chunks),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.perf_counter() - started, 2),
            }
            (staging / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, indent=2))
        except BaseException:
            _release(client)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _release(client)
        retired = self.index_dir.with_name(f".{self.index_dir.name}.old-{os.getpid()}")
        if self.index_dir.exists():
            os.replace(self.index_dir, retired)
        os.replace(staging, self.index_dir)
        shutil.rmtree(retired, ignore_errors=True)
        return full

    # --- searching -------------------------------------------------------------------
    def store(self):
        if self._store is None:
            chromadb, ChromaSettings, Chroma = _chroma()
            if self.read_manifest() is None:
                raise IndexStoreError(f"there is no finished index in {self.index_dir}; build it with `rag ingest`.")
            try:
                self._client = chromadb.PersistentClient(
                    path=str(self.index_dir), settings=ChromaSettings(anonymized_telemetry=False)
                )
                self._store = Chroma(client=self._client, collection_name=COLLECTION, embedding_function=self.embeddings)
                self._store._collection.count()  # touch the data now, so damage shows here
            except Exception as exc:
                self.close()
                raise IndexStoreError(f"the index in {self.index_dir} cannot be read ({exc}); {REBUILD_HINT}.") from exc
        return self._store

    def search(self, query: str, k: int) -> list[tuple[dict, str, float]]:
        """(metadata, text, cosine similarity) of the k passages closest to `query`."""
        try:
            hits = self.store().similarity_search_with_score(query, k=k)
        except IndexStoreError:
            raise
        except Exception as exc:
            raise IndexStoreError(f"searching the index in {self.index_dir} failed ({exc}); {REBUILD_HINT}.") from exc
        # Chroma returns cosine *distance* for an "hnsw:space: cosine" collection.
        return [(doc.metadata, doc.page_content, 1.0 - float(distance)) for doc, distance in hits]

    def count(self) -> int:
        return self.store()._collection.count()

    def close(self) -> None:
        if self._client is not None:
            _release(self._client)
        self._client = None
        self._store = None


def _release(client) -> None:
    """Let go of Chroma's per-path cached system, so the folder can be swapped or reopened."""
    try:
        client.clear_system_cache()
    except Exception:  # pragma: no cover - best effort on Chroma internals
        log.debug("could not clear Chroma's system cache", exc_info=True)
