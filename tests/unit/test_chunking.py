from pathlib import Path

from rag.indexing.chunking import chunk_articles, is_headline, paragraphs
from rag.indexing.readers import Article, load_articles, make_title, read_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_headlines_join_the_next_paragraph():
    art = Article("d", "t", ("First paragraph ends here.", "A short headline", "Second paragraph."), Path("d.txt"))
    assert paragraphs(art) == ["First paragraph ends here.", "A short headline\nSecond paragraph."]


def test_headline_detection_on_arabic():
    assert is_headline("عملية عسكرية قصيرة")
    assert not is_headline("وأكد بيراموف أن عملية مكافحة الإرهاب تمت.")


def test_seed_articles_chunk_by_paragraph():
    articles = load_articles(SEEDS)
    assert [a.doc_id for a in articles] == ["000_40d0f5eff5bdb6b3", "001_a5a7ca26a8a469ec"]
    chunks = chunk_articles(articles)
    # 20 + 19 lines, of which 2 + 2 are headlines joined to the paragraph below.
    assert len(chunks) == 35
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    headed = [c for c in chunks if c.text.startswith("عملية عسكرية قصيرة\n")]
    assert len(headed) == 1 and headed[0].doc_id == "000_40d0f5eff5bdb6b3"
    assert all(c.title == articles[0].title for c in chunks if c.doc_id == articles[0].doc_id)


def test_long_paragraph_is_split_with_stable_ids():
    sentence = "وقال الوزير إن المحادثات مستمرة في باكو. "
    art = Article("long", "t", (sentence * 60,), Path("long.txt"))
    chunks = chunk_articles([art], chunk_size=400, chunk_overlap=50)
    assert len(chunks) > 1
    assert all(len(c.text) <= 400 for c in chunks)
    assert [c.chunk_id for c in chunks] == [f"long:0:{i}" for i in range(len(chunks))]


def test_title_is_the_first_clause():
    assert make_title("أعلن الرئيس الأذربيجاني إلهام علييف، مساء الأربعاء") == "أعلن الرئيس الأذربيجاني إلهام علييف"
    long = " ".join(["كلمة"] * 20)
    assert make_title(long).endswith("…") and len(make_title(long).split()) == 13


def test_unreadable_files_are_skipped_with_a_warning(tmp_path, caplog):
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "ok.txt").write_text("سطر أول.\n", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    assert read_article(tmp_path / "empty.txt") is None
    assert [a.doc_id for a in load_articles(tmp_path)] == ["ok"]
    assert "empty" in caplog.text and "not UTF-8" in caplog.text
