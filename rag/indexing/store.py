"""The persisted vector index: Chroma (through langchain-chroma) plus a manifest.

The manifest records how the index was made (embedder name and checksum, chunking,
schema) and what is in it (each document's path, content hash, title, chunk count, when
it was ingested). An index made differently from the current settings is rebuilt, never
silently mixed: vectors from two embedders are not comparable.

Local index (the default, `vectorstore/`): a first build or a rebuild is made in a staging
folder and swapped in by rename, so a crash leaves the previous index untouched. Adding,
changing or removing articles is done in place, in the open collection: a staging copy of
a 100,000-passage index is about 1 GB, and copying and reopening it made adding one article
take seconds. In place, the documents being changed are first written to a journal
(`pending.json`); the manifest, written last by rename, still describes the index before
the change. A crash or `kill -9` mid-update leaves at most those documents half-written,
and the next opening removes them (passages and manifest entries) before anything is
served, so the next ingest adds them again. One ingest at a time: a lock file
(`.update.lock`) makes a second one wait.

Chroma server (`RAG_CHROMA_URL`): the same operations go to the server's collection in
place; they are idempotent per document (delete by doc_id, then add) and the manifest is
written last, so an interrupted update is completed by the next ingest.
"""

from __future__ import annotations

import contextlib
import fcntl
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
from .keyword import KeywordIndex, KeywordPassage

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 3: passages carry date/day/source; HTML read by trafilatura
COLLECTION = "articles"
MANIFEST = "manifest.json"
PENDING = "pending.json"  # the journal of an in-place update: the documents it is changing
LOCK = ".update.lock"
MANIFEST_COLLECTION = "rag_manifest"  # server mode keeps the manifest beside the data
KEYWORD_DIR = "keyword"  # the keyword index, inside a local index folder
SERVER_SYNC_S = 2.0  # how often a process using a Chroma server looks for other processes' ingests
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

    def __init__(self, index_dir: Path, embeddings, chroma_url: str | None = None, keyword_dir: Path | None = None):
        """`keyword_dir`: where a Chroma server's keyword index is kept on this host (a local
        index keeps its own inside `index_dir`)."""
        self.index_dir = Path(index_dir)
        self.embeddings = embeddings
        self.chroma_url = chroma_url or None
        self.keyword_dir = Path(keyword_dir) if keyword_dir else self.index_dir / KEYWORD_DIR
        self._client = None
        self._store = None  # the LangChain vector store: adds texts, searches by vector
        self._collection = None  # the same Chroma collection through chromadb's own API: get, count, delete
        self._passages: dict[str, tuple[dict, str]] | None = None  # every stored passage, read on first use
        self._keyword = None  # the keyword index (indexing/keyword.py), opened and synced on first use
        self._keyword_checked = 0.0  # when it was last compared with a server's manifest

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
        if (self.index_dir / PENDING).exists():
            with self._exclusive(wait=False) as mine:
                if mine:  # else an update is running right now: the manifest is still the one before it
                    self._recover_interrupted_update()
        try:
            return json.loads((self.index_dir / MANIFEST).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IndexStoreError(f"the index manifest in {self.index_dir} is unreadable ({exc}); {REBUILD_HINT}.")

    def _read_server_manifest(self) -> dict | None:
        """The header record plus one record per document ("doc:<doc_id>").

        One record per document, not one JSON for all: two processes ingesting into one
        server at once each write only the documents they changed, so neither erases the
        other's (a single record is read-modify-written, and the last writer wins).
        """
        client = self._new_client()
        try:
            got = client.get_or_create_collection(MANIFEST_COLLECTION).get(include=["documents"])
        except Exception as exc:
            raise IndexStoreError(f"cannot read the index manifest from {self.chroma_url} ({exc}).") from exc
        records = dict(zip(got.get("ids") or [], got.get("documents") or []))
        if "manifest" not in records:
            return None
        try:
            manifest = json.loads(records.pop("manifest"))
            documents = manifest.setdefault("documents", {})
            for key, text in records.items():
                if key.startswith("doc:"):
                    documents[key[4:]] = json.loads(text)
        except ValueError as exc:
            raise IndexStoreError(f"the index manifest on {self.chroma_url} is unreadable ({exc}); {REBUILD_HINT}.") from exc
        manifest["chunks"] = sum(int(d.get("chunks", 0)) for d in documents.values())
        return manifest

    def _write_manifest(self, client, manifest: dict, staging: Path | None, changed=None, removed=()) -> None:
        """Locally one file (in `staging`: the staging folder, or the index itself), written last. On a server the header and only the `changed` and
        `removed` documents' records (all of them when `changed` is None)."""
        if staging is not None:
            _write_json(staging / MANIFEST, manifest)
            return
        documents = manifest["documents"]
        header = {k: v for k, v in manifest.items() if k != "documents"}
        records = {"manifest": header}
        records.update({f"doc:{d}": documents[d] for d in (documents if changed is None else changed) if d in documents})
        collection = client.get_or_create_collection(MANIFEST_COLLECTION)
        if removed:
            collection.delete(ids=[f"doc:{d}" for d in removed])
        ids = list(records)
        for start in range(0, len(ids), ADD_BATCH):
            batch = ids[start : start + ADD_BATCH]
            collection.upsert(ids=batch, documents=[json.dumps(records[i], ensure_ascii=False) for i in batch],
                              embeddings=[[1.0]] * len(batch))

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
        changed: list[str] | None = None,
    ) -> dict:
        """Replace the chunks of the given documents, drop `remove`, and write the manifest.

        `documents` is the full document table of the new manifest. `relabel`: {doc_id:
        metadata} merged into the stored chunks of those documents (no re-embedding), e.g.
        who else published an article. `changed`: the documents whose manifest entry this
        update writes (default: those in `chunks_by_doc` and `relabel`); on a server only
        those are written, so concurrent ingests of other documents are kept.
        """
        _, _, Chroma = _chroma()
        in_place = not self.chroma_url and not rebuild and (self.index_dir / MANIFEST).exists()
        if changed is None:
            changed = [*chunks_by_doc, *(relabel or {})]
        with self._exclusive():
            if in_place:
                self._recover_interrupted_update()
                # Only documents whose passages are rewritten: a relabel patches metadata, safe to repeat.
                _write_json(self.index_dir / PENDING, {"documents": sorted({*remove, *chunks_by_doc})})
                self.store()
                client, target = self._client, self.index_dir
            else:
                self.close()
                target = None if self.chroma_url else self._stage()
                client = self._new_client(target)
            # Without an embedder (only removals or relabels), the vectors' dimension is the index's own.
            dimension = getattr(self.embeddings, "dimension", None) or (
                None if rebuild else (self.read_manifest() or {}).get("dimension"))
            try:
                manifest = self._apply(Chroma, client, target, chunks_by_doc, remove, documents, expected,
                                       rebuild, progress, relabel, changed, dimension)
            except BaseException:
                if in_place:
                    self._recover_interrupted_update()  # what was half-written goes now, not at the next start
                else:
                    _release(client)
                    if target is not None:
                        shutil.rmtree(target, ignore_errors=True)
                raise
            if in_place:
                (self.index_dir / PENDING).unlink()
                self._passages = None
            else:
                _release(client)
                if target is not None:
                    self._swap_in(target)
        return manifest

    def _apply(self, Chroma, client, target, chunks_by_doc, remove, documents, expected, rebuild, progress,
               relabel, changed, dimension) -> dict:
        """The writes of `update`, into `client`'s collection and the keyword index in `target` (local)."""
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
            store.add_texts([c.text for c in batch], metadatas=[c.metadata for c in batch], ids=[c.chunk_id for c in batch])
            if progress:
                progress(len(batch))
        if target is not None:  # a server's keyword indexes catch up from its manifest (keyword())
            keyword = self._keyword if target == self.index_dir and self._keyword else KeywordIndex(target / KEYWORD_DIR)
            if rebuild:
                keyword.reset()
            keyword.update(
                [keyword_passage(c.metadata, c.text) for c in chunks], remove,
                {d: str(documents[d].get("sha256", "")) for d in chunks_by_doc if d in documents},
            )
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
        self._write_manifest(client, manifest, target, None if rebuild else changed, remove)
        return manifest

    @contextlib.contextmanager
    def _exclusive(self, wait: bool = True):
        """One update of a local index at a time (an flock beside it, freed by the kernel if its holder dies).

        Yields whether the lock was taken; a Chroma server needs none (its updates are per document).
        """
        if self.chroma_url:
            yield True
            return
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir.with_name(f".{self.index_dir.name}{LOCK}"), "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _recover_interrupted_update(self) -> None:
        """Remove the documents an interrupted in-place update was changing (caller holds the lock).

        Their passages may be half-written, so they go from the collection, the keyword index
        and the manifest; the next ingest adds them again from their files.
        """
        try:
            pending = json.loads((self.index_dir / PENDING).read_text()).get("documents", [])
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            pending = None  # unreadable journal: every document the manifest does not account for goes
        log.warning("completing an interrupted update of %s: %s", self.index_dir,
                    "documents " + ", ".join(pending) if pending is not None else "unknown documents")
        manifest = json.loads((self.index_dir / MANIFEST).read_text())
        documents = documents_of(manifest)
        client = self._client or self._new_client()
        collection = client.get_collection(COLLECTION)
        if pending is None:
            held = {m.get("doc_id") for m in collection.get(include=["metadatas"])["metadatas"] if m}
            pending = sorted(d for d in held if d not in documents)
        for start in range(0, len(pending), 500):
            collection.delete(where={"doc_id": {"$in": pending[start : start + 500]}})
        (self._keyword or KeywordIndex(self.index_dir / KEYWORD_DIR)).update([], pending, {})
        for doc_id in pending:
            documents.pop(doc_id, None)
        manifest["chunks"] = sum(int(d.get("chunks", 0)) for d in documents.values())
        _write_json(self.index_dir / MANIFEST, manifest)
        (self.index_dir / PENDING).unlink()
        self._passages = None
        if client is not self._client:
            _release(client)

    def _stage(self) -> Path:
        """An empty private folder beside the index, where a first build or a rebuild is made."""
        self._remove_stale_work_dirs()
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = self.index_dir.with_name(f".{self.index_dir.name}.building-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
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

    def keyword_search(
        self, query: str, k: int, since: int = 0, until: int = 0, sources: tuple[str, ...] = ()
    ) -> list[tuple[dict, str, float]]:
        """(metadata, text, BM25 score) of the k passages sharing the most weighted terms with `query`.

        `since`/`until` (YYYYMMDD) and `sources` restrict the passages ranked, inside the keyword index.
        """
        hits = self.keyword().search(query, k, since, until, sources)
        if not hits:
            return []
        try:
            got = self._collection.get(ids=[i for i, _ in hits], include=["documents", "metadatas"])
        except Exception as exc:
            raise IndexStoreError(f"reading the index in {self.location} failed ({exc}); {REBUILD_HINT}.") from exc
        found = {i: (m or {}, d or "") for i, m, d in zip(got["ids"], got["metadatas"], got["documents"])}
        return [(*found[i], score) for i, score in hits if i in found]

    def keyword(self) -> KeywordIndex:
        """The keyword index, brought up to date with the store's manifest.

        A local index's keyword folder is written with it by every ingest; it is compared with
        the manifest once, on opening. With a Chroma server other processes ingest too, so the
        comparison is repeated every SERVER_SYNC_S seconds.
        """
        self.store()
        now = time.monotonic()
        if self._keyword is None or (self.chroma_url and now - self._keyword_checked > SERVER_SYNC_S):
            self._keyword = self._keyword or KeywordIndex(self.keyword_dir)
            held = self._keyword.synced()  # before the manifest: see KeywordIndex.sync
            changed = self._keyword.sync(self.documents(), self._stored_passages, held)
            if changed:
                log.info("keyword index in %s: %d articles brought up to date", self._keyword.path, changed)
            self._keyword_checked = now
        return self._keyword

    def _stored_passages(self, doc_ids: list[str]) -> list[KeywordPassage]:
        out = []
        for start in range(0, len(doc_ids), 500):
            got = self._collection.get(where={"doc_id": {"$in": doc_ids[start : start + 500]}}, include=["documents", "metadatas"])
            out += [keyword_passage(m or {}, d or "") for m, d in zip(got["metadatas"], got["documents"])]
        return out

    def article(self, doc_id: str) -> list[tuple[dict, str]]:
        """One article's stored passages, (metadata, text), in reading order (for the page's preview)."""
        try:
            self.store()
            got = self._collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        except Exception as exc:
            raise IndexStoreError(f"reading the index in {self.location} failed ({exc}); {REBUILD_HINT}.") from exc

        def position(item):
            meta = item[0]
            part = str(meta.get("chunk_id", "")).rsplit(":", 1)[-1]
            return int(meta.get("paragraph", 0)), int(part) if part.isdigit() else 0

        return sorted(((m or {}, d or "") for m, d in zip(got["metadatas"], got["documents"])), key=position)

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
        self._keyword = None


def keyword_passage(meta: dict, text: str) -> KeywordPassage:
    return KeywordPassage(
        chunk_id=str(meta.get("chunk_id", "")), doc_id=str(meta.get("doc_id", "")), text=text,
        day=int(meta.get("day", 0) or 0), source=str(meta.get("source", "")),
    )


def _write_json(path: Path, data: dict) -> None:
    """Written whole or not at all: a temporary file renamed over the old one.

    Compact: with `indent` json runs its pure-Python encoder, and writing the manifest of
    11,000 articles took 0.58 s of the 0.97 s it took to add one (rag bench --scale).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    os.replace(tmp, path)


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
