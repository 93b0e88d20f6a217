"""Keyword search, rank fusion and sentence selection: the logic, with fake embeddings."""

import json
from pathlib import Path

import pytest
from fakes import FakeEmbeddings

from rag.answering.retrieve import Passage, reciprocal_rank_fusion
from rag.answering.select import select_context
from rag.indexing.keyword import SYNCED, KeywordIndex, KeywordPassage

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

DOCS = {
    "a": "ووزعت طواقم وزارة الطوارئ المساعدات في مدينة خانكندي.",
    "b": "وتضمنت المساعدات 40 طناً من المواد الغذائية والمنظفات، محملة بـ4 شاحنات.",
    "c": "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده على أرمينيا.",
}


def keyword_index(path, docs=DOCS, day=0, source=""):
    index = KeywordIndex(path)
    index.update([KeywordPassage(i, i, t, day, source) for i, t in docs.items()], [], {i: "v1" for i in docs})
    return index


def test_bm25_finds_names_and_numbers_through_inflection(tmp_path):
    bm25 = keyword_index(tmp_path / "kw")
    assert bm25.search("كم شاحنة حملت المساعدات؟", 3)[0][0] == "b"
    assert bm25.search("وزير الخارجية الأذربيجاني", 3)[0][0] == "c"  # الأذربيجاني meets أذربيجان
    assert {i for i, _ in bm25.search("مساعدات", 3)} == {"a", "b"}
    assert bm25.search("football", 3) == []  # no shared term, no hit (never a random filler)


def test_the_index_persists_and_updates_per_article(tmp_path):
    keyword_index(tmp_path / "kw")
    reopened = KeywordIndex(tmp_path / "kw")  # another process, later
    assert len(reopened) == 3 and reopened.synced() == {"a": "v1", "b": "v1", "c": "v1"}
    reopened.update([KeywordPassage("b2", "b", "قافلة جديدة من الشاحنات", 0, "")], ["c"], {"b": "v2"})
    assert len(reopened) == 2 and reopened.synced() == {"a": "v1", "b": "v2"}
    assert [i for i, _ in reopened.search("شاحنات", 3)] == ["b2"]  # b's old passage is gone with its version
    assert reopened.search("بيراموف", 3) == []


def test_sync_brings_the_index_to_the_stores_table(tmp_path):
    index = keyword_index(tmp_path / "kw")
    fetched = []

    def fetch(doc_ids):
        fetched.extend(doc_ids)
        return [KeywordPassage(f"{d}:new", d, "نص جديد عن الموانئ", 0, "") for d in doc_ids]

    table = {"a": {"sha256": "v1"}, "b": {"sha256": "v2"}, "d": {"sha256": "v1"}}  # b changed, c gone, d new
    assert index.sync(table, fetch) == 3 and sorted(fetched) == ["b", "d"]
    assert {i for i, _ in index.search("الموانئ", 5)} == {"b:new", "d:new"}
    assert index.sync(table, fetch) == 0 and sorted(fetched) == ["b", "d"]  # nothing more to fetch


def test_a_sync_that_finds_another_process_writing_waits_for_it_and_then_searches_everything(tmp_path):
    """Two app processes on one Chroma server share this host's keyword folder. The one that finds the writer
    busy used to search at once, an index it knew was behind, and missed the other's new articles (a fresh-clone
    run of the two-process test). It now waits for the writer, takes what it recorded, and adds what is missing."""
    import threading
    import time

    import tantivy

    from rag.lang import terms

    keyword_index(tmp_path / "kw")
    other = KeywordIndex(tmp_path / "kw")  # the other process: it holds the writer while it syncs "d"
    writer = other.index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(chunk_id="d:0", doc_id="d", body=" ".join(terms("الموانئ")), day=0, source=""))

    def finish():
        time.sleep(0.6)
        writer.commit()
        writer.wait_merging_threads()
        (tmp_path / "kw" / SYNCED).write_text(json.dumps({**other.synced(), "d": "v1"}))

    threading.Thread(target=finish).start()
    fetched = []

    def fetch(doc_ids):
        fetched.extend(doc_ids)
        return [KeywordPassage(f"{d}:0", d, "الموانئ", 0, "") for d in doc_ids]

    me = KeywordIndex(tmp_path / "kw")
    table = {d: {"sha256": "v1"} for d in ("a", "b", "c", "d", "e")}  # d synced by the other, e by nobody yet
    started = time.monotonic()
    assert me.sync(table, fetch) == 1
    assert time.monotonic() - started >= 0.5 and fetched == ["e"]  # it waited, and fetched only what was missing
    assert {i for i, _ in me.search("الموانئ", 5)} == {"d:0", "e:0"}


def test_day_and_source_filters_apply_inside_the_index(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.update([KeywordPassage("old", "old", "ميناء يفلاخ", 20251120, "Reuters"),
                  KeywordPassage("new", "new", "ميناء يفلاخ", 20261120, "BBC"),
                  KeywordPassage("undated", "undated", "ميناء يفلاخ", 0, "")], [], {})
    assert {i for i, _ in index.search("يفلاخ", 5)} == {"old", "new", "undated"}
    assert [i for i, _ in index.search("يفلاخ", 5, since=20260101)] == ["new"]
    assert [i for i, _ in index.search("يفلاخ", 5, until=20251231)] == ["old"]  # undated is never in a range
    assert [i for i, _ in index.search("يفلاخ", 5, sources=("Reuters",))] == ["old"]


def test_a_damaged_keyword_index_is_rebuilt_from_the_store(tmp_path):
    index = keyword_index(tmp_path / "kw")
    for f in (tmp_path / "kw").glob("meta.json"):
        f.write_text("{ not json")
    fresh = KeywordIndex(tmp_path / "kw")
    assert len(fresh) == 0 and fresh.synced() == {}  # started again: the next sync refills it
    assert fresh.sync({d: {"sha256": "v1"} for d in DOCS},
                      lambda ids: [KeywordPassage(i, i, DOCS[i], 0, "") for i in ids]) == 3
    assert fresh.search("شاحنات", 3)[0][0] == "b"
    del index


def test_rank_fusion_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([["x", "y", "z"], ["y", "w"]])
    assert fused[0] == "y"  # second and first beats first alone
    assert set(fused) == {"x", "y", "z", "w"}


def _p(i, text, score=0.5):
    return Passage(chunk_id=f"d:{i}:0", doc_id="d", title="t", paragraph=i, text=text, score=score)


def test_context_keeps_the_answering_sentence_within_budget():
    emb = FakeEmbeddings()
    passages = [
        _p(0, "قال الوزير إن الوضع هادئ. وتضمنت المساعدات 40 طناً من المواد الغذائية. وعاد الوفد إلى باكو."),
        _p(1, "وزعت الطواقم المساعدات في خانكندي. ثم غادرت المدينة."),
    ]
    q = "كم طناً تضمنت المساعدات من المواد الغذائية؟"
    evidence = select_context(q, emb.embed_query(q), passages, emb.embed_documents, budget_chars=60, max_passages=2)
    assert evidence[0].passage == passages[0]
    assert evidence[0].text == "وتضمنت المساعدات 40 طناً من المواد الغذائية."
    assert sum(len(e.text) for e in evidence) <= 60


def test_context_shows_sentences_in_article_order_under_their_passage():
    emb = FakeEmbeddings()
    passages = [_p(0, "ألف باء. جيم دال. هاء واو.")]
    q = "هاء واو ألف باء"
    evidence = select_context(q, emb.embed_query(q), passages, emb.embed_documents, budget_chars=500, max_passages=1)
    assert evidence[0].text.startswith("ألف باء.") and evidence[0].text.endswith("هاء واو.")


def test_each_passage_keeps_its_closest_sentence_cosine_for_the_answerability_signal():
    emb = FakeEmbeddings()
    passages = [_p(0, "وتضمنت المساعدات 40 طناً من المواد الغذائية. ثم غادرت القافلة."), _p(1, "ألف باء جيم دال.")]
    q = "كم طناً تضمنت المساعدات من المواد الغذائية؟"
    evidence = select_context(q, emb.embed_query(q), passages, emb.embed_documents, budget_chars=500, max_passages=2)
    vectors = emb.embed_documents(["وتضمنت المساعدات 40 طناً من المواد الغذائية."])
    cos = sum(a * b for a, b in zip(emb.embed_query(q), vectors[0]))
    assert evidence[0].similarity == pytest.approx(cos) and cos > 0.3  # the sentence about the question: high
    unrelated = select_context(q, emb.embed_query(q), passages[1:], emb.embed_documents, budget_chars=500, max_passages=1)
    assert unrelated[0].similarity < 0.2  # only a sentence sharing nothing with the question: low
