"""The indexing pipeline: read -> chunk -> sync -> store.

`Indexer` is the public object behind `Assistant.ingest`. It decides what changed from
the manifest alone (no model loaded), embeds only new and changed documents, and leaves
an index that matches the settings, or a clear error. An index made with other settings
(another embedder, other chunking) is rebuilt, never silently mixed: vectors from two
embedders are not comparable.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import IndexStoreError, RagError
from ..types import IngestReport
from ..weights import DEFAULT_EMBEDDER, REGISTRY
from .chunking import chunk_articles
from .copies import find_copies
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
            self._index = ArticleIndex(self.settings.index_dir, self._embeddings(), self.settings.chroma_url, self.keyword_dir)
        return self._index

    def manifest_reader(self) -> ArticleIndex:
        """The index without its embedder: enough to read the manifest, loads no model."""
        return ArticleIndex(self.settings.index_dir, None, self.settings.chroma_url, self.keyword_dir)

    @property
    def keyword_dir(self) -> Path | None:
        """A Chroma server's keyword index on this host: under RAG_HOME, one folder per server URL."""
        url = self.settings.chroma_url
        return Path(self.settings.home) / "keyword" / hashlib.sha1(url.encode()).hexdigest()[:12] if url else None

    @property
    def names_path(self) -> Path:
        """The collection's names table (answering/names/table.py), kept with the index: in a local index's
        folder (a rebuild starts it anew), or beside a Chroma server's keyword index on this host."""
        return (self.keyword_dir or Path(self.settings.index_dir)) / "names.json"

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
            held_paths = [d.get("path", "") for d in held.values()]
            held_paths += [c.get("path", "") for d in held.values() for c in d.get("copies", [])]
            roots += [Path(p) for p in held_paths if p and Path(p).is_file()]
        indexed = {} if rebuild else held
        articles = load_articles(roots, self.settings.max_file_mb)
        if rebuild and not articles:
            raise RagError(f"no readable documents in {', '.join(map(str, roots))}: nothing to index.")
        known_copies = {(c.get("path"), c.get("sha256")) for d in indexed.values() for c in d.get("copies", [])}
        articles = [a for a in articles if (str(a.path), a.sha256) not in known_copies]  # recorded already
        plan = plan_sync(indexed, articles, roots, prune)
        copies, signatures = {}, {}
        if plan.add or plan.update:
            held_signatures = {d: i["minhash"] for d, i in indexed.items() if i.get("minhash") and d not in plan.remove}
            copies, signatures = find_copies(plan.add + plan.update, held_signatures)
        if not plan.changes_index and not copies and not rebuild:
            return _report(plan, indexed, started, rebuilt=False)
        copy_articles = [a for a in plan.add + plan.update if a.doc_id in copies]
        plan.remove += [a.doc_id for a in plan.update if a.doc_id in copies]  # it now copies another: its text goes
        plan.add = [a for a in plan.add if a.doc_id not in copies]
        plan.update = [a for a in plan.update if a.doc_id not in copies]
        s = self.settings
        chunks_by_doc = {a.doc_id: chunk_articles([a], s.chunk_size, s.chunk_overlap) for a in plan.add + plan.update}
        documents = {doc_id: info for doc_id, info in indexed.items() if doc_id not in plan.remove}
        now = utc_now()
        for a in plan.add + plan.update:
            documents[a.doc_id] = {
                "title": a.title, "path": str(a.path), "sha256": a.sha256,
                "chunks": len(chunks_by_doc[a.doc_id]), "ingested_at": now,
                **{k: v for k, v in (("date", a.date), ("source", a.source), ("url", a.url), ("author", a.author)) if v},
                "minhash": signatures[a.doc_id],
            }
            if a.doc_id in indexed and indexed[a.doc_id].get("copies"):
                documents[a.doc_id]["copies"] = indexed[a.doc_id]["copies"]  # reposts of it stay listed
        # A re-embedded article keeps saying who else published it; new copies add to that.
        relabel = {d: {"also_published_by": "; ".join(published_by(documents[d]["copies"]))}
                   for d in chunks_by_doc if documents[d].get("copies")}
        for a in copy_articles:
            holder = documents[copies[a.doc_id]]
            listed = [c for c in holder.get("copies", []) if c.get("path") != str(a.path)]
            holder["copies"] = [*listed, {"doc_id": a.doc_id, "path": str(a.path), "sha256": a.sha256,
                                          **{k: v for k, v in (("title", a.title), ("date", a.date), ("source", a.source)) if v}}]
            relabel[copies[a.doc_id]] = {"also_published_by": "; ".join(published_by(holder["copies"]))}
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
            # An index open for questions is updated itself, so its caches follow the change.
            index = self.index if chunks_by_doc or self._index is not None else reader
            index.update(chunks_by_doc, plan.remove, documents, self.expected_manifest(),
                         rebuild=rebuild, progress=bar.update, relabel=relabel)
        self._checked = True
        return _report(plan, documents, started, rebuilt=rebuild, copies=len(copy_articles))

    def remove(self, doc_ids: list[str]) -> IngestReport:
        """Take articles out of the index (their passages, keyword entries and manifest rows).

        Their files are left alone: an article whose file is in a folder that is ingested
        again comes back then, as `rag ingest --prune` would keep it.
        """
        started = time.perf_counter()
        reader = self.manifest_reader()
        held = documents_of(reader.read_manifest())
        missing = [d for d in doc_ids if d not in held]
        if missing:
            raise RagError(f"not in the index: {', '.join(missing)}.")
        documents = {d: info for d, info in held.items() if d not in doc_ids}
        index = self._index if self._index is not None else reader  # an open index follows the change
        index.update({}, list(doc_ids), documents, self.expected_manifest(), changed=[])
        plan = SyncPlan(remove=list(doc_ids), unchanged=list(documents))
        return _report(plan, documents, started, rebuilt=False)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def published_by(copies: list[dict]) -> list[str]:
    """Who else published an article: its copies' sources (their file names when unknown), once each."""
    return list(dict.fromkeys(c.get("source") or c.get("doc_id", "") for c in copies))


def _report(plan: SyncPlan, documents: dict, started: float, rebuilt: bool, copies: int = 0) -> IngestReport:
    return IngestReport(
        added=len(plan.add), updated=len(plan.update), removed=len(plan.remove), unchanged=len(plan.unchanged),
        duplicates=len(plan.duplicates), documents=len(documents),
        chunks=sum(d.get("chunks", 0) for d in documents.values()),
        seconds=round(time.perf_counter() - started, 2), rebuilt=rebuilt, copies=copies,
    )
