from pathlib import Path

from rag.answering.retrieve import Passage, collapse_near_duplicates

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _p(doc, para, text, score):
    return Passage(chunk_id=f"{doc}:{para}:0", doc_id=doc, title="t", paragraph=para, text=text, score=score)


def test_shared_seed_paragraphs_collapse_to_the_best_copy():
    # The last paragraph of each seed article is the same text with small differences.
    a = (SEEDS / "000_40d0f5eff5bdb6b3.txt").read_text(encoding="utf-8").splitlines()[-1]
    b = (SEEDS / "001_a5a7ca26a8a469ec.txt").read_text(encoding="utf-8").splitlines()[-1]
    other = _p("000", 3, "وأكد بيراموف أن عملية مكافحة الإرهاب تم تنفيذها على أراضي أذربيجان", 0.5)
    kept = collapse_near_duplicates([_p("001", 18, b, 0.7), _p("000", 19, a, 0.69), other])
    assert [(p.doc_id, p.paragraph) for p in kept] == [("001", 18), ("000", 3)]
    assert kept[0].also_in == ("000",)


def test_distinct_passages_are_all_kept_in_order():
    ps = [_p("d", i, f"passage number {i} says something different {i * 7}", 0.9 - i / 10) for i in range(4)]
    assert collapse_near_duplicates(ps) == ps


def test_the_two_near_identical_history_paragraphs_collapse():
    a = (SEEDS / "000_40d0f5eff5bdb6b3.txt").read_text(encoding="utf-8").splitlines()[18]
    b = (SEEDS / "001_a5a7ca26a8a469ec.txt").read_text(encoding="utf-8").splitlines()[17]
    assert a != b  # "المعترَف بها دولياً، جزء" vs "المعترَف بها دولياً جزءاً"
    assert len(collapse_near_duplicates([_p("000", 18, a, 0.6), _p("001", 17, b, 0.59)])) == 1
