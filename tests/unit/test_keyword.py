"""Keyword search, rank fusion and sentence selection: the logic, with fake embeddings."""

from pathlib import Path

from fakes import FakeEmbeddings

from rag.answering.retrieve import Passage, reciprocal_rank_fusion
from rag.answering.select import select_context
from rag.indexing.keyword import BM25

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

DOCS = {
    "a": "ووزعت طواقم وزارة الطوارئ المساعدات في مدينة خانكندي.",
    "b": "وتضمنت المساعدات 40 طناً من المواد الغذائية والمنظفات، محملة بـ4 شاحنات.",
    "c": "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده على أرمينيا.",
}


def test_bm25_finds_names_and_numbers_through_inflection():
    bm25 = BM25(list(DOCS), list(DOCS.values()))
    assert bm25.search("كم شاحنة حملت المساعدات؟", 3)[0][0] == "b"
    assert bm25.search("وزير الخارجية الأذربيجاني", 3)[0][0] == "c"  # الأذربيجاني meets أذربيجان
    assert {i for i, _ in bm25.search("مساعدات", 3)} == {"a", "b"}
    assert bm25.search("football", 3) == []  # no shared term, no hit (never a random filler)


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
