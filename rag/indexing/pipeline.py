"""The indexing pipeline: read -> chunk -> sync -> store.

`Indexer` is the public object behind `Assistant.ingest`. It decides what changed from
the manifest alone (no model loaded), embeds only new and changed documents, and leaves
an index that matches the settings, or a clear error. An index made with other settings
(another embedder, other chunking) is rebuilt, never silently mixed: vectors from two
embedders are not comparable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import IndexStoreError, RagError
from ..types import IngestReport
from ..weights import DEFAULT_EMBEDDER, REGISTRY
from .chunking import chunk_articles
from .readers import load_articles
from .store import ArticleIndex, documents_of, utc_now
from .sync import SyncPlan, plan_sync

log = logging.getLogger(__name__)


class Indexer:
    """Keeps one article index (local folder or Chroma server) in step with files and settings.

    `embeddings` is a zero-argument callable returning the embedder, so reading the
    manifest, listing documents and pruning never load a model.
    """

    def __init__(self, settings, embeddings: Callable[[], object]):
        self.settings = settings
        self._embeddings = embeddings
        self._index: ArticleIndex | None = None
        self._checked = False  # the manifest matched the settings once: no need to re-read it per question

    @property
    def index(self) -> ArticleIndex:
        """The searchable index (loads the embedder on first use)."""
        if self._index is None:
            self._index = ArticleIndex(self.settings.index_dir, self._embeddings(), self.settings.chroma_url)
        return self._index

    def manifest_reader(self) -> ArticleIndex:
        """The index without its embedder: enough to read the manifest, loads no model."""
        return ArticleIndex(self.settings.index_dir, None, self.settings.chroma_url)

    @property
    def embedder_name(self) -> str:
        return self.settings.embedder or DEFAULT_EMBEDDER

    def expected_manifest(self) -> dict:
        s = self.settings
        checksum = None if s.embedder else REGISTRY[DEFAULT_EMBEDDER].check_sha256
        return ArticleIndex.expected_manifest(self.embedder_name, checksum, s.chunk_size, s.chunk_overlap)

    def stale_reason(self) -> str | None:
        """Why the index must be (re)built, or None; reads only the manifest, no model."""
        reader = self.manifest_reader()
        return reader.mismatch(self.expected_manifest(), reader.read_manifest())

    def ensure_index(self) -> None:
        """Build the index when it is missing or was made with other settings (checked once)."""
        if not self._checked:
            if self.stale_reason():
                self.ingest(rebuild=True)
            self._checked = True

    def documents(self) -> dict[str, dict]:
        """What is indexed: {doc_id: {title, path, chunks, ingested_at, ...}}."""
        return self.manifest_reader().documents()

    def ingest(self, paths=None, *, rebuild: bool = False, prune: bool = False, progress: bool = True) -> IngestReport:
        """Bring the index up to date with files and folders (default: settings.seeds_dir).

        New and changed files are embedded, unchanged ones skipped by content hash, files
        with text already indexed are recorded as duplicates, and with `prune` documents
        whose file is gone from the given folders are removed. An index built with other
        settings is rebuilt from every file it held, plus the given ones.
        """
        started = time.perf_counter()
        roots = [Path(p) for p in (paths or [self.settings.seeds_dir])]
        reader = self.manifest_reader()
        try:
            found = reader.read_manifest()
        except IndexStoreError:
            if not rebuild:
                raise
            found = None  # a rebuild is the cure for an unreadable manifest
        reason = reader.mismatch(self.expected_manifest(), found)
        held = documents_of(found)
        if reason and found is not None:
            log.warning("rebuilding the index in %s: %s", reader.location, reason)
        rebuild = rebuild or reason is not None
        if rebuild:
            roots += [Path(d["path"]) for d in held.values() if Path(d.get("path", "")).is_file()]
        indexed = {} if rebuild else held
        articles = load_articles(roots, self.settings.max_file_mb)
        if rebuild and not articles:
            raise RagError(f"no readable documents in {', '.join(map(str, roots))}: nothing to index.")
        plan = plan_sync(indexed, articles, roots, prune)
        if not plan.changes_index and not rebuild:
            return _report(plan, indexed, started, rebuilt=False)
        s = self.settings
        chunks_by_doc = {a.doc_id: chunk_articles([a], s.chunk_size, s.chunk_overlap) for a in plan.add + plan.update}
        documents = {doc_id: info for doc_id, info in indexed.items() if doc_id not in plan.remove}
        now = utc_now()
        for a in plan.add + plan.update:
            documents[a.doc_id] = {
                "title": a.title, "path": str(a.path), "sha256": a.sha256,
                "chunks": len(chunks_by_doc[a.doc_id]), "ingested_at": now,
                **{k: v for k, v in (("date", a.date), ("source", a.source), ("url", a.url), ("author", a.author)) if v},
            }
        for path, holder in plan.duplicates.items():
            if holder in documents:
                dups = documents[holder].setdefault("duplicates", [])
                if path not in dups:
                    dups.append(path)
        from tqdm import tqdm

        total = sum(len(c) for c in chunks_by_doc.values())
        with tqdm(total=total, desc=f"embedding {len(chunks_by_doc)} documents", unit="chunk",
                  disable=None if progress else True) as bar:
            # Removing documents needs no embedder: load the model only when there is text to embed.
            index = self.index if chunks_by_doc else reader
            index.update(chunks_by_doc, plan.remove, documents, self.expected_manifest(),
                         rebuild=rebuild, progress=bar.update)
        self._checked = True
        return _report(plan, documents, started, rebuilt=rebuild)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def _report(plan: SyncPlan, documents: dict, started: float, rebuilt: bool) -> IngestReport:
    return IngestReport(
        added=len(plan.add), updated=len(plan.update), removed=len(plan.remove), unchanged=len(plan.unchanged),
        duplicates=len(plan.duplicates), documents=len(documents),
        chunks=sum(d.get("chunks", 0) for d in documents.values()),
        seconds=round(time.perf_counter() - started, 2), rebuilt=rebuilt,
    )
