"""Citation checking: every [n] is kept only where its passage supports the sentence."""

from rag.answering.cite import best_supporting, cite
from rag.answering.retrieve import Passage


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
    text, cites = cite("جيهون بيراموف وزير خارجية أذربيجان [1] [7].", PASSAGES)
    assert text == "جيهون بيراموف وزير خارجية أذربيجان [1]."
    assert [c.n for c in cites] == [1]


def test_grouped_and_arabic_indic_markers_are_checked_sentence_by_sentence():
    text, cites = cite("وزير خارجية أذربيجان هو بيراموف [1، ٢]. ووصلت 40 طناً من المواد [٢].", PASSAGES)
    # Passage 2 says nothing about the minister: its marker on the first sentence goes.
    assert text == "وزير خارجية أذربيجان هو بيراموف [1]. ووصلت 40 طناً من المواد [2]."
    assert [c.n for c in cites] == [1, 2]


def test_a_wrong_citation_is_moved_to_the_supporting_passage():
    text, cites = cite("وصلت 40 طناً من المواد الغذائية [1].", PASSAGES)
    assert text == "وصلت 40 طناً من المواد الغذائية [2]."
    assert [c.n for c in cites] == [2]


def test_a_marker_opening_the_next_sentence_belongs_to_the_one_before():
    text, _ = cite("جدد بيراموف مقترح بلاده. [1] ووصلت 40 طناً [2].", PASSAGES)
    assert text == "جدد بيراموف مقترح بلاده [1]. ووصلت 40 طناً [2]."


def test_a_one_word_answer_naming_the_passage_is_supported():
    text, cites = cite("بيراموف [1]", PASSAGES)
    assert text == "بيراموف [1]" and [c.n for c in cites] == [1]


def test_across_languages_support_is_judged_by_the_dense_similarity():
    # An English sentence shares no words with Arabic passages; the embedder judges instead.
    def support(sentences, shown):
        assert sentences == ["The aid came on four trucks."] and len(shown) == 2
        return [[0.21, 0.62]]

    text, cites = cite("The aid came on four trucks [1].", PASSAGES, support=support)
    assert text == "The aid came on four trucks [2]."
    assert [c.n for c in cites] == [2]


def test_uncited_answer_is_attributed_to_its_best_supporting_passage():
    text, cites = cite("وزير خارجية أذربيجان هو جيهون بيراموف.", PASSAGES)
    assert text.endswith("[1].")
    assert [c.n for c in cites] == [1]


def test_no_citation_without_clear_support():
    assert best_supporting("Something unrelated entirely.", PASSAGES) is None
    text, cites = cite("Something unrelated entirely.", PASSAGES)
    assert cites == [] and text == "Something unrelated entirely."


def test_words_repeated_from_the_question_prove_nothing():
    question = "من هو وزير خارجية أذربيجان؟"
    _, invented = cite("وزير خارجية أذربيجان هو زاكر حسنوف [1].", PASSAGES, question=question)
    assert invented == []
    text, real = cite("وزير خارجية أذربيجان هو جيهون بيراموف [1].", PASSAGES, question=question)
    assert [c.n for c in real] == [1] and text.endswith("[1].")


# --- replies that only echo the question (measured: 1 in 20 held-out answers did) ------------
