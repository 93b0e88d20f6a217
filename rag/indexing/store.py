"""The persisted vector index: Chroma (through langchain-chroma) plus a manifest.

The manifest records how the index was made (embedder name and checksum, chunking,
schema) and what is in it (each document's path, content hash, title, chunk count, when
it was ingested). An index made differently from the current settings is rebuilt, never
silently mixed: vectors from two embedders are not comparable.

Local index (the default, `vectorstore/`): every change is made on a copy in a staging
folder and swapped in by rename, and the manifest is the last file written. A crash or
a `kill -9` mid-ingest therefore leaves the previous index untouched and usable, and the
next ingest simply does the work again.

Chroma server (`RAG_CHROMA_URL`): the same operations go to the server's collection in
place; they are idempotent per document (delete by doc_id, then add) and the manifest is
written last, so an interrupted update is completed by the next ingest.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from ..errors import DependencyError, IndexStoreError
from .chunking import Chunk

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 3: passages carry date/day/source; HTML read by trafilatura
COLLECTION = "articles"
MANIFEST = "manifest.json"
MANIFEST_COLLECTION = "rag_manifest"  # server mode keeps the manifest beside the data
ADD_BATCH = 256
REBUILD_HINT = "rebuild it with `rag ingest --rebuild`"


def _chroma():
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DependencyError("chromadb / langchain-chroma are not installed: run `make run`") from exc
    return chromadb, ChromaSettings, Chroma


def utc_now() -> str:
    """The timestamp format of the manifest."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def documents_of(manifest: dict | None) -> dict[str, dict]:
    """The manifest's document table ({} for none, or for schema 1, which kept only a count)."""
    docs = (manifest or {}).get("documents")
    return docs if isinstance(docs, dict) else {}


class ArticleIndex:
    """One Chroma collection, local in `index_dir` or on the server at `chroma_url`."""

    def __init__(self, index_dir: Path, embeddings, chroma_url: str | None = None):
        self.index_dir = Path(index_dir)
        self.embeddings = embeddings
        self.chroma_url = chroma_url or None
        self._client = None
        self._store = None  # the LangChain vector store: adds texts, searches by vector
        self._collection = None  # the same Chroma collection through chromadb's own API: get, count, delete
        self._passages: dict[str, tuple[dict, str]] | None = None  # every stored passage, read on first use
        self._lexical = None  # BM25 over the same passages, built on first keyword search

    @property
    def location(self) -> str:
        return self.chroma_url or str(self.index_dir)

    # --- clients -----------------------------------------------------------------------
    def _new_client(self, path: Path | None = None):
        chromadb, ChromaSettings, _ = _chroma()
        settings = ChromaSettings(anonymized_telemetry=False)
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            try:
                return chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=settings
                )
            except Exception as exc:
                raise IndexStoreError(f"cannot reach the Chroma server at {self.chroma_url} ({exc}).") from exc
        return chromadb.PersistentClient(path=str(path or self.index_dir), settings=settings)

    # --- manifest ----------------------------------------------------------------------
    def read_manifest(self) -> dict | None:
        if self.chroma_url:
            return self._read_server_manifest()
        self._recover_interrupted_swap()
        try:
            return json.loads((self.index_dir / MANIFEST).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IndexStoreError(f"the index manifest in {self.index_dir} is unreadable ({exc}); {REBUILD_HINT}.")

    def _read_server_manifest(self) -> dict | None:
        client = self._new_client()
        try:
            got = client.get_or_create_collection(MANIFEST_COLLECTION).get(ids=["manifest"], include=["documents"])
        except Exception as exc:
            raise IndexStoreError(f"cannot read the index manifest from {self.chroma_url} ({exc}).") from exc
        docs = got.get("documents") or []
        return json.loads(docs[0]) if docs else None

    def _write_manifest(self, client, manifest: dict, staging: Path | None) -> None:
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        if staging is not None:
            (staging / MANIFEST).write_text(text)
        else:
            client.get_or_create_collection(MANIFEST_COLLECTION).upsert(ids=["manifest"], documents=[text], embeddings=[[1.0]])

    @staticmethod
    def expected_manifest(embedder_name: str, embedder_checksum: str | None, chunk_size: int, chunk_overlap: int) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "embedder": embedder_name,
            "embedder_checksum": embedder_checksum,
            "chunk_size": chunk_size,
            "chunk_overlap": chunk_overlap,
        }

    def mismatch(self, expected: dict, found: dict | None) -> str | None:
        """Why the index with manifest `found` cannot be used as it is, or None when it can."""
        if found is None:
            if self.chroma_url or not self.index_dir.exists():
                return "there is no index yet"
            return "the index is incomplete"
        for key, value in expected.items():
            if found.get(key) != value:
                return f"it was built with {key}={found.get(key)!r}, the settings now say {value!r}"
        return None

    def documents(self) -> dict[str, dict]:
        return documents_of(self.read_manifest())

    # --- updating ------------------------------------------------------------------------
    def update(
        self,
        chunks_by_doc: dict[str, list[Chunk]],
        remove: list[str],
        documents: dict[str, dict],
        expected: dict,
        rebuild: bool = False,
        progress: Callable[[int], None] | None = None,
        relabel: dict[str, dict] | None = None,
    ) -> dict:
        """Replace the chunks of the given documents, drop `remove`, and write the manifest.

        `documents` is the full document table of the new manifest. `relabel`: {doc_id:
        metadata} merged into the stored chunks of those documents (no re-embedding), e.g.
        who else published an article.
        """
        _, _, Chroma = _chroma()
        self.close()
        # Without an embedder (only removals or relabels), the vectors' dimension is the index's own.
        dimension = getattr(self.embeddings, "dimension", None) or (None if rebuild else (self.read_manifest() or {}).get("dimension"))
        staging = None if self.chroma_url else self._stage(copy=not rebuild)
        client = self._new_client(staging)
        try:
            if rebuild and self.chroma_url:
                for name in (COLLECTION, MANIFEST_COLLECTION):
                    try:
                        client.delete_collection(name)
                    except Exception:  # absent: nothing to delete
                        pass
            store = Chroma(
                client=client,
                collection_name=COLLECTION,
                embedding_function=self.embeddings,
                collection_metadata={"hnsw:space": "cosine"},
            )
            collection = client.get_collection(COLLECTION)
            for doc_id in [*remove, *chunks_by_doc]:
                collection.delete(where={"doc_id": doc_id})  # idempotent: safe to repeat after a crash
            # Batches across documents, not per document: a news article has 6-12 passages, and
            # embedding them a document at a time ran at 0.63x the raw encoder on 310 passages
            # (small batches, more padding); a few hundred at once lets sentence-transformers
            # sort them by length.
            chunks = [c for doc_chunks in chunks_by_doc.values() for c in doc_chunks]
            for start in range(0, len(chunks), ADD_BATCH):
                batch = chunks[start : start + ADD_BATCH]
                store.add_texts(
                    [c.text for c in batch], metadatas=[c.metadata for c in batch], ids=[c.chunk_id for c in batch]
                )
                if progress:
                    progress(len(batch))
            for doc_id, patch in (relabel or {}).items():
                held = collection.get(where={"doc_id": doc_id}, include=["metadatas"])
                if held["ids"]:
                    collection.update(ids=held["ids"], metadatas=[{**(m or {}), **patch} for m in held["metadatas"]])
            manifest = {
                **expected,
                "dimension": dimension,
                "documents": documents,
                "chunks": sum(d["chunks"] for d in documents.values()),
                "updated_at": utc_now(),
            }
            self._write_manifest(client, manifest, staging)
        except BaseException:
            _release(client)
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        _release(client)
        if staging is not None:
            self._swap_in(staging)
        return manifest

    def _stage(self, copy: bool) -> Path:
        """A private working copy of the index (or an empty folder) beside it."""
        self._remove_stale_work_dirs()
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = self.index_dir.with_name(f".{self.index_dir.name}.building-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        if copy and (self.index_dir / MANIFEST).exists():
            shutil.copytree(self.index_dir, staging)
            (staging / MANIFEST).unlink()  # rewritten last: until then the copy is not an index
        else:
            staging.mkdir()
        return staging

    def _swap_in(self, staging: Path) -> None:
        retired = self.index_dir.with_name(f".{self.index_dir.name}.old-{os.getpid()}")
        if self.index_dir.exists():
            os.replace(self.index_dir, retired)
        os.replace(staging, self.index_dir)
        shutil.rmtree(retired, ignore_errors=True)

    def _recover_interrupted_swap(self) -> None:
        """A kill between the two renames of a swap leaves the old index aside: put it back."""
        if self.index_dir.exists():
            return
        for old in sorted(self.index_dir.parent.glob(f".{self.index_dir.name}.old-*")):
            if (old / MANIFEST).exists():
                log.warning("restoring the index from an interrupted update: %s", old)
                os.replace(old, self.index_dir)
                return

    def _remove_stale_work_dirs(self) -> None:
        for pattern in (f".{self.index_dir.name}.building-*", f".{self.index_dir.name}.old-*"):
            for work in self.index_dir.parent.glob(pattern):
                pid = work.name.rsplit("-", 1)[-1]
                if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
                    continue  # another ingest is running right now
                shutil.rmtree(work, ignore_errors=True)

    # --- searching ---------------------------------------------------------------------
    def store(self):
        if self._store is None:
            _, _, Chroma = _chroma()
            if self.read_manifest() is None:
                raise IndexStoreError(f"there is no finished index in {self.location}; build it with `rag ingest`.")
            try:
                self._client = self._new_client()
                self._store = Chroma(client=self._client, collection_name=COLLECTION, embedding_function=self.embeddings)
                self._collection = self._client.get_collection(COLLECTION)
                self._collection.count()  # touch the data now, so damage shows here
            except IndexStoreError:
                self.close()
                raise
            except Exception as exc:
                self.close()
                raise IndexStoreError(f"the index in {self.location} cannot be read ({exc}); {REBUILD_HINT}.") from exc
        return self._store

    def search(self, query: str, k: int) -> list[tuple[dict, str, float]]:
        """(metadata, text, cosine similarity) of the k passages closest to `query`."""
        self.store()  # opened first, so a damaged index is reported as such, not as an embedder error
        return self.search_by_vector(self.embeddings.embed_query(query), k)

    def search_by_vector(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[dict, str, float]]:
        """Like `search`, for a query embedded already (the caller reuses the vector).

        `where`: a Chroma metadata filter (answering.scope), applied by the store while it searches.
        """
        store = self.store()
        try:
            hits = store.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where)
        except Exception as exc:
            raise IndexStoreError(f"searching the index in {self.location} failed ({exc}); {REBUILD_HINT}.") from exc
        # Chroma returns cosine *distance* for an "hnsw:space: cosine" collection.
        return [(doc.metadata, doc.page_content, 1.0 - float(distance)) for doc, distance in hits]

    def passages(self) -> dict[str, tuple[dict, str]]:
        """Every stored passage as {chunk_id: (metadata, text)}, read once and kept until the index changes.

        BM25 is built over them, and `rag eval --oracle` looks up the passage holding a
        question's evidence among them.
        """
        if self._passages is None:
            self.store()
            try:
                got = self._collection.get(include=["documents", "metadatas"])
            except Exception as exc:
                raise IndexStoreError(f"reading the index in {self.location} failed ({exc}); {REBUILD_HINT}.") from exc
            self._passages = {i: (m or {}, d or "") for i, m, d in zip(got["ids"], got["metadatas"], got["documents"])}
        return self._passages

    def keyword_search(self, query: str, k: int, where: dict | None = None) -> list[tuple[dict, str, float]]:
        """(metadata, text, BM25 score) of the k passages sharing the most weighted terms with `query`.

        `where` restricts the passages ranked, as the store's own filter selects them.
        """
        passages = self.passages()
        if self._lexical is None:
            from .keyword import BM25

            self._lexical = BM25(list(passages), [d for _, d in passages.values()])
        allowed = None if where is None else self.ids_where(where)
        return [(*passages[i], score) for i, score in self._lexical.search(query, k, allowed)]

    def ids_where(self, where: dict) -> set[str]:
        """Ids of the stored passages matching a Chroma metadata filter."""
        self.store()
        try:
            return set(self._collection.get(where=where, include=[])["ids"])
        except Exception as exc:
            raise IndexStoreError(f"filtering the index in {self.location} failed ({exc}).") from exc

    def similarities(self, vector: list[float], chunk_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of stored passages to `vector` (both are unit-normalized)."""
        if not chunk_ids:
            return {}
        try:
            self.store()
            got = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        except Exception as exc:
            raise IndexStoreError(f"reading the index in {self.location} failed ({exc}); {REBUILD_HINT}.") from exc
        return {i: float(sum(a * b for a, b in zip(vector, e))) for i, e in zip(got["ids"], got["embeddings"])}

    def count(self) -> int:
        self.store()
        return self._collection.count()

    def close(self) -> None:
        if self._client is not None:
            _release(self._client)
        self._client = None
        self._store = None  # the LangChain vector store: adds texts, searches by vector
        self._collection = None  # the same Chroma collection through chromadb's own API: get, count, delete
        self._passages = None
        self._lexical = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _release(client) -> None:
    """Let go of Chroma's per-path cached system, so the folder can be swapped or reopened."""
    try:
        client.clear_system_cache()
    except Exception:  # pragma: no cover - best effort on Chroma internals
        log.debug("could not clear Chroma's system cache", exc_info=True)
