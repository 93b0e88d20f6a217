"""Incremental ingest over a real Chroma index in tmp_path, with fake embeddings that count calls."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest
from fakes import FakeEmbeddings

from rag import Assistant
from rag.indexing.sync import plan_sync


class CountingEmbeddings(FakeEmbeddings):
    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


@pytest.fixture
def corpus(tmp_path, seeds_copy):
    return seeds_copy


@pytest.fixture
def make(make_assistant):
    def make_counting(emb=None):
        return make_assistant(embeddings=emb or CountingEmbeddings())

    return make_counting


def _chunk_texts(a: Assistant) -> list[str]:
    return [text for _, text in a.indexer.index.passages().values()]


def test_unchanged_corpus_is_skipped_without_embedding(make, corpus):
    first = make().ingest([corpus])
    assert (first.added, first.documents, first.chunks) == (2, 2, 35)
    emb = CountingEmbeddings()
    started = time.perf_counter()
    again = make(emb).ingest([corpus])
    assert time.perf_counter() - started < 2.0
    assert not again.changed and again.unchanged == 2 and emb.embedded == 0
    assert again.summary().startswith("nothing changed")


def test_changed_file_replaces_its_chunks(make, corpus):
    make().ingest([corpus])
    target = corpus / "000_40d0f5eff5bdb6b3.txt"
    target.write_text("خبر جديد تماما عن محادثات السلام في يفلاخ.\n", encoding="utf-8")
    emb = CountingEmbeddings()
    a = make(emb)
    report = a.ingest([corpus])
    assert (report.updated, report.added, report.unchanged) == (1, 0, 1)
    assert emb.embedded == 1  # only the changed document was embedded
    texts = _chunk_texts(a)
    assert len(texts) == 18 and "خبر جديد تماما عن محادثات السلام في يفلاخ." in texts
    assert not any(t.startswith("جدد وزير خارجية أذربيجان") for t in texts)


def test_new_file_duplicate_and_prune(make, corpus, tmp_path):
    make().ingest([corpus])
    (corpus / "extra.md").write_text("# Extra\n\nA new article about the aid convoy.\n", encoding="utf-8")
    shutil.copy(corpus / "001_a5a7ca26a8a469ec.txt", corpus / "copy_of_001.txt")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    a = make()
    report = a.ingest([corpus])
    assert (report.added, report.duplicates, report.documents) == (1, 1, 3)
    docs = a.documents()
    assert docs["extra"]["title"] == "Extra"
    assert docs["001_a5a7ca26a8a469ec"]["duplicates"] == [str((corpus / "copy_of_001.txt").resolve())]
    (corpus / "extra.md").unlink()
    assert not make().ingest([corpus]).removed  # without --prune nothing is removed
    no_model = Assistant(make().settings)  # no embedder given, and models_dir is empty: loading one would fail
    pruned = no_model.ingest([corpus], prune=True)  # so removing must need no embedder
    assert (pruned.removed, pruned.documents) == (1, 2)
    assert "extra" not in make().documents()


def test_documents_from_other_folders_survive_prune(make, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "side.txt").write_text("مقال جانبي عن باكو.\n", encoding="utf-8")
    make().ingest([corpus])
    make().ingest([other])
    report = make().ingest([corpus], prune=True)
    assert report.removed == 0 and "side" in make().documents()


def test_plan_ignores_nothing_it_should_not():
    from pathlib import Path

    from rag.indexing.readers import Article

    art = Article("a", "t", ("x",), Path("/r/a.txt"), sha256="h1")
    plan = plan_sync({"a": {"sha256": "h0", "path": "/r/a.txt"}, "b": {"sha256": "h2", "path": "/elsewhere/b.txt"}},
                     [art], [Path("/r")], prune=True)
    assert [x.doc_id for x in plan.update] == ["a"] and plan.remove == []


def test_rag_docs_lists_the_index(make, corpus, tmp_path):
    make().ingest([corpus])
    env = {"RAG_INDEX_DIR": str(tmp_path / "index")}
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "docs", "--json"], capture_output=True, text=True,
                          env={**__import__("os").environ, **env}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == ["000_40d0f5eff5bdb6b3", "001_a5a7ca26a8a469ec"]
    assert docs["000_40d0f5eff5bdb6b3"]["chunks"] == 18 and docs["000_40d0f5eff5bdb6b3"]["ingested_at"]


def test_interrupted_swap_is_recovered(make, corpus, tmp_path):
    make().ingest([corpus])
    index = tmp_path / "index"
    index.rename(tmp_path / ".index.old-999999")  # as if killed between the two renames
    assert len(make().documents()) == 2
    assert index.exists()


class FailingEmbeddings(CountingEmbeddings):
    """Embeds the first batch, then fails: an update that stops half-way."""

    def embed_documents(self, texts):
        if self.embedded:
            raise RuntimeError("embedder died")
        return super().embed_documents(texts)


def _extra_articles(folder, n=30):
    folder.mkdir()
    for i in range(n):  # distinct words per article: none is a copy of another
        body = "\n\n".join(f"الفقرة {p} من المقال {i} كلمة{i}x{p} عن موضوع{i * 7 + p} في المدينة{p}" for p in range(12))
        (folder / f"extra_{i:02d}.txt").write_text(body, encoding="utf-8")
    return folder


def test_adding_articles_updates_the_open_index_in_place(make, corpus, tmp_path):
    a = make()
    a.ingest([corpus])
    a.retrieve("وزير خارجية أذربيجان")  # the index is open for questions
    inode = (tmp_path / "index" / "chroma.sqlite3").stat().st_ino
    report = a.ingest([corpus, _extra_articles(tmp_path / "extra", 3)])
    # The same database file, written in place: no staging copy of the whole index swapped in.
    assert report.added == 3 and (tmp_path / "index" / "chroma.sqlite3").stat().st_ino == inode
    hits = a.retrieve("كلمة1x4")  # the open index answers from the new article at once
    assert any("كلمة1x4" in p.text for p in hits)
    assert a.indexer.index.count() == report.chunks and not (tmp_path / "index" / "pending.json").exists()


def test_an_update_that_fails_half_way_leaves_the_index_as_before(make, corpus, tmp_path):
    make().ingest([corpus])
    before = json.loads((tmp_path / "index" / "manifest.json").read_text())
    a = make(FailingEmbeddings())
    with pytest.raises(RuntimeError, match="embedder died"):
        a.ingest([corpus, _extra_articles(tmp_path / "extra", 30)])  # 360 passages: two batches of 256
    assert a.indexer.index.count() == before["chunks"]  # the first batch's passages were taken out again
    assert json.loads((tmp_path / "index" / "manifest.json").read_text())["documents"] == before["documents"]
    assert not (tmp_path / "index" / "pending.json").exists()
    report = make().ingest([corpus, tmp_path / "extra"])
    assert report.added == 30 and report.chunks == before["chunks"] + 360


def test_a_killed_update_is_cleaned_up_before_anything_is_served(make, corpus, tmp_path):
    import chromadb

    a = make()
    a.ingest([corpus])
    chunks = json.loads((tmp_path / "index" / "manifest.json").read_text())["chunks"]
    a.close()
    # As a kill -9 leaves it: the journal names a document whose passages are half-written.
    client = chromadb.PersistentClient(path=str(tmp_path / "index"))
    client.get_collection("articles").add(ids=["half:0:0"], documents=["نص نصف مكتوب"],
                                          metadatas=[{"doc_id": "half", "chunk_id": "half:0:0"}],
                                          embeddings=[[0.1] * FakeEmbeddings().dimension])
    client.clear_system_cache()
    (tmp_path / "index" / "pending.json").write_text(json.dumps({"documents": ["half"]}))
    b = make()
    assert b.indexer.index.count() == chunks and not (tmp_path / "index" / "pending.json").exists()
    assert "half" not in b.documents()
