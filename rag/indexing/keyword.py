"""BM25 keyword search, the partner of dense retrieval, persisted and updated per article (tantivy).

Dense embeddings find paraphrases but blur exact names and numbers ("4 شاحنات", "يفلاخ");
keyword search finds those exactly. Terms are our normalized, light-stemmed Arabic (and
English) words (lang.terms), indexed as given: tantivy splits them on spaces only.

Why tantivy: the hand-written BM25 this replaces was rebuilt in memory in every process
from every stored passage. bm25s has no incremental update (re-indexing 100,000 passages
to add 10 took 7.8 s), and Chroma 1.5.9 has no local sparse or BM25 index ("Search is not
implemented for Local Chroma"). tantivy adds 10 passages in 171 ms at 100,000, answers in
0.2-1.4 ms p50 (k=50), filters by day range and source inside the index, and scores with
the same BM25 (k1 1.2, b 0.75; top-10 overlap with the old code 0.975 on 5,000 passages).
Figures: docs/performance.md, "A library of 100,000 passages".

The index is derived from the vector store, never the other way round: `synced.json`
records which version (content hash) of each article it holds, so any process can bring it
up to date from the store's manifest, including several app processes sharing one Chroma
server, each with its own keyword folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..lang import terms

log = logging.getLogger(__name__)

SYNCED = "synced.json"
WRITER_HEAP = 50_000_000  # bytes; tantivy's minimum per thread is 15 MB
# A process that finds another one writing waits for it rather than search an index it knows is behind the
# store: searched at once, two app processes sharing a Chroma server missed each other's new articles for a
# whole SERVER_SYNC_S (a fresh-clone run at 5272bcd). Syncing 6 articles takes well under a second.
BUSY_WAIT_S = 30


@dataclass(frozen=True)
class KeywordPassage:
    chunk_id: str
    doc_id: str
    text: str
    day: int = 0  # YYYYMMDD, 0 when the article has no date
    source: str = ""


def _schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    sb.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    sb.add_integer_field("day", stored=False, indexed=True, fast=True)
    sb.add_text_field("source", stored=False, tokenizer_name="raw", fast=True)
    return sb.build()


class KeywordIndex:
    """One tantivy index in `path`, with the record of what it holds."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._index = None

    @property
    def index(self):
        if self._index is None:
            import tantivy

            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
            except ValueError:  # damaged or from another schema: it is derived data, start again
                log.warning("rebuilding the keyword index in %s", self.path)
                self.reset()
                self._index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
        return self._index

    def reset(self) -> None:
        self._index = None
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)

    # --- what it holds -------------------------------------------------------------------
    def synced(self) -> dict[str, str]:
        """{doc_id: content hash} of the articles indexed here."""
        try:
            return json.loads((self.path / SYNCED).read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _write_synced(self, synced: dict[str, str]) -> None:
        tmp = self.path / f".{SYNCED}.{os.getpid()}"
        tmp.write_text(json.dumps(synced))
        os.replace(tmp, self.path / SYNCED)

    # --- updating --------------------------------------------------------------------------
    def update(self, add: Iterable[KeywordPassage], remove_docs: Iterable[str], versions: dict[str, str]) -> None:
        """Drop every passage of `remove_docs` and of the articles in `add`, then add `add`.

        `versions`: {doc_id: content hash} of the articles added, recorded in synced.json
        after the commit (a crash in between only means the next sync redoes them).
        """
        self._write(self._writer(), lambda: add, remove_docs, versions)

    def _writer(self):
        """The index's one writer; a ValueError naming "LockBusy" when another process holds it."""
        return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)

    def _write(self, writer, passages: Callable[[], Iterable[KeywordPassage]], remove_docs: Iterable[str],
               versions: dict[str, str]) -> None:
        """`update` with the writer in hand; `passages()` gives what to add (fetched with the writer held)."""
        import tantivy

        try:
            add = list(passages())
            gone = set(remove_docs) | {p.doc_id for p in add}
            for doc_id in gone:
                writer.delete_documents_by_term("doc_id", doc_id)
            for p in add:
                writer.add_document(tantivy.Document(
                    chunk_id=p.chunk_id, doc_id=p.doc_id, body=" ".join(terms(p.text)), day=int(p.day), source=p.source,
                ))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # and the writer's lock is let go
        self.index.reload()
        synced = {d: h for d, h in self.synced().items() if d not in gone}
        synced.update(versions)
        self._write_synced(synced)

    def sync(self, documents: dict[str, dict], fetch: Callable[[list[str]], list[KeywordPassage]],
             held: dict[str, str] | None = None) -> int:
        """Bring the index up to the store's document table; returns how many articles changed.

        `documents`: the manifest's {doc_id: {"sha256", ...}}; `fetch(doc_ids)`: their stored passages.
        `held`: `synced()` read *before* `documents`. Read after, it can hold an article another
        process synced from a newer manifest than `documents`, which would then be deleted here
        as gone (seen in the two-process test under load).
        """
        held = self.synced() if held is None else held
        wanted = {d: str(info.get("sha256", "")) for d, info in documents.items()}
        gone = [d for d in held if d not in wanted]
        deadline, waited = time.monotonic() + BUSY_WAIT_S, False
        while True:
            stale = [d for d, h in wanted.items() if held.get(d) != h]
            if not stale and not gone:
                if waited:
                    self.index.reload()  # what the other process committed
                return 0
            try:
                writer = self._writer()  # before fetching: a wait is spent on nothing but waiting
            except ValueError as exc:  # "LockBusy": another process holds the writer, most likely doing this sync
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    log.warning("the keyword index in %s stayed locked by another process for %d s; searching it "
                                "as it is", self.path, BUSY_WAIT_S)
                    self.index.reload()
                    return 0
            else:
                self._write(writer, lambda todo=stale: fetch(todo) if todo else [], gone, {d: wanted[d] for d in stale})
                return len(stale) + len(gone)
            # Wait for it, then take what it recorded (only what it synced: an article it added from a newer
            # manifest stays, since `gone` was decided before), and do whatever is still missing.
            time.sleep(0.2)
            held, waited = self.synced(), True

    # --- searching --------------------------------------------------------------------------
    def search(self, query: str, k: int, since: int = 0, until: int = 0, sources: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the k best passages with a positive score, best first.

        `since`/`until` (YYYYMMDD) and `sources` restrict the passages ranked, inside the index.
        """
        from tantivy import FieldType, Occur, Query

        words = list(dict.fromkeys(terms(query)))
        if not words:
            return []
        index = self.index
        schema = index.schema
        text = Query.boolean_query([(Occur.Should, Query.term_query(schema, "body", w)) for w in words])
        clauses = [(Occur.Must, text)]
        if since or until:
            days = Query.range_query(schema, "day", FieldType.Integer, since or 1, until or 99991231)
            clauses.append((Occur.Must, Query.const_score_query(days, 0.0)))
        if sources:
            clauses.append((Occur.Must, Query.const_score_query(Query.term_set_query(schema, "source", list(sources)), 0.0)))
        searcher = index.searcher()
        hits = searcher.search(Query.boolean_query(clauses) if len(clauses) > 1 else text, k, count=False).hits
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in hits if score > 0]

    def __len__(self) -> int:
        return self.index.searcher().num_docs
