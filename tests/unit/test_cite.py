from rag.cite import best_supporting, cite, has_content
from rag.retrieve import Passage


def _p(i: int, text: str) -> Passage:
    return Passage(chunk_id=f"d:{i}:0", doc_id="d", title="t", paragraph=i, text=text, score=0.9 - i / 10)


PASSAGES = [
    _p(0, "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده على أرمينيا."),
    _p(1, "وتضمنت المساعدات 40 طناً من المواد الغذائية محملة بـ4 شاحنات."),
]


def test_only_cited_passages_become_citations():
    text, cites = cite("The aid weighed 40 tonnes [2].", PASSAGES)
    assert text == "The aid weighed 40 tonnes [2]."
    assert [(c.n, c.paragraph) for c in cites] == [(2, 1)]
    assert cites[0].text == PASSAGES[1].text and cites[0].score == PASSAGES[1].score


def test_markers_pointing_nowhere_are_removed():
    text, cites = cite("Bayramov spoke [1] at the UN [7].", PASSAGES)
    assert text == "Bayramov spoke [1] at the UN."
    assert [c.n for c in cites] == [1]


def test_grouped_and_arabic_indic_markers():
    text, cites = cite("جواب [1، ٢] وتكرار [1].", PASSAGES)
    assert text == "جواب [1][2] وتكرار [1]."
    assert [c.n for c in cites] == [1, 2]


def test_uncited_answer_is_attributed_to_its_best_supporting_passage():
    text, cites = cite("وزير خارجية أذربيجان هو جيهون بيراموف.", PASSAGES)
    assert text.endswith("[1]")
    assert [c.n for c in cites] == [1]


def test_no_citation_without_clear_support():
    assert best_supporting("Something unrelated entirely.", PASSAGES) is None
    text, cites = cite("Something unrelated entirely.", PASSAGES)
    assert cites == [] and text == "Something unrelated entirely."


def test_markers_alone_are_not_an_answer():
    assert not has_content(" [1]. ")
    assert has_content("40 [1]")
