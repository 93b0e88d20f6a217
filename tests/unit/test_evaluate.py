"""The evaluation metrics on hand-made cases, and the shipped question set's own checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import Answer, Citation
from rag.devtools.evaluate import (
    METRIC_KEYS,
    Question,
    Record,
    contains_answer,
    first_relevant_rank,
    load_questions,
    metrics,
    percentile,
    supports,
)
from rag.errors import RagError
from rag.lang import normalize_arabic

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "tests" / "data" / "questions.jsonl"


def test_answer_matching_normalizes_arabic():
    assert contains_answer("وزير الخارجية هو جيهون بِيرامُوف [1]", ["بيراموف"])
    assert contains_answer("تضمنت أربعين طنا", ["اربعين"])  # hamza form folded
    assert contains_answer("The minister is Jeyhun BAYRAMOV.", ["Bayramov"])
    assert contains_answer("وصلت ٤٠ طناً", ["40"])  # Arabic-Indic digits
    assert not contains_answer("لا أعرف", ["بيراموف"])


def test_numeric_keys_must_stand_alone():
    assert not contains_answer("40 tons of food", ["4"])
    assert contains_answer("محملة بـ4 شاحنات", ["4"])
    assert not contains_answer("see passage [4]", ["4"])  # a citation marker is not a number in the answer


def test_support_is_verbatim_or_80_percent_of_the_span_words():
    span = "one two three four five six seven eight nine ten"
    assert supports("prefix ONE two three four five six seven eight nine ten suffix", [span])
    assert supports("one two three four five six seven eight", [span])  # 8/10
    assert not supports("one two three four five six seven", [span])  # 7/10
    assert supports("حكمت حاجييف مستشار الرئيس", ["حكمت حاجييف"])


def test_first_relevant_rank():
    passages = ["nothing here", "still nothing", "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح"]
    assert first_relevant_rank(passages, ["جيهون بيراموف"]) == 3
    assert first_relevant_rank(passages, ["absent span"]) is None


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) is None


def _record(qid, lang, answers, evidence, text, refused, cites, retrieved, latency, ttft):
    q = Question(qid, "q", lang, tuple(answers), tuple(evidence))
    citations = [Citation(n=i, doc_id="d", title="t", text=c, score=0.5) for i, c in enumerate(cites, start=1)]
    return Record(q, Answer(text, refused, lang, citations), retrieved, latency, ttft)


def test_useful_counts_an_unsure_answer_only_when_its_sentence_holds_the_evidence():
    ev = "جيهون بيراموف"
    q = Question("u", "q", "ar", ("بيراموف",), (ev,))
    shown = Answer("ربما: حاجييف [1]. اقرأ النص: «جدد الوزير جيهون بيراموف»", False, "ar", status="unsure",
                   sentence="جدد الوزير جيهون بيراموف")
    missed = Answer("ربما: حاجييف [1]. اقرأ النص: «قال حاجييف»", False, "ar", status="unsure", sentence="قال حاجييف")
    assert Record(q, shown, [], 1.0, 1.0).useful and not Record(q, missed, [], 1.0, 1.0).useful
    unanswerable = Record(Question("n", "q", "ar", (), ()), shown, [], 1.0, 1.0)
    assert metrics([unanswerable])["unanswerable_unsure"] == 1.0 and metrics([unanswerable])["useful"] is None


def test_metrics_on_hand_made_records():
    ev = "جيهون بيراموف"
    records = [
        # answerable, right, relevant passage at rank 1, one good and one bad citation
        _record("a", "ar", ["بيراموف"], [ev], "جيهون بيراموف [1][2]", False, [ev, "غير ذي صلة"], [ev, "x"], 2.0, 1.0),
        # answerable, wrong answer, relevant passage at rank 3, English answer to an English question
        _record("b", "en", ["40"], ["40 طناً"], "It was 4 tons [1].", False, ["x"], ["x", "y", "40 طناً هنا"], 4.0, 2.0),
        # answerable but refused: a false refusal
        _record("c", "ar", ["فرنسا"], ["فرنسا"], "لا تتضمن المقالات", True, [], ["z"], 6.0, 3.0),
        # unanswerable and refused, in the wrong language
        _record("d", "ar", [], [], "The articles do not contain the answer.", True, [], [], 8.0, 4.0),
    ]
    m = metrics(records)
    assert list(m) == list(METRIC_KEYS)
    assert m["recall_at_1"] == round(1 / 3, 4)
    assert m["recall_at_3"] == m["recall_at_5"] == round(2 / 3, 4)
    assert m["mrr"] == round((1 + 1 / 3) / 3, 4)
    assert m["answer_acc"] == round(1 / 3, 4)
    assert m["useful"] == round(1 / 3, 4)  # only "a": answered right; none unsure
    assert m["unanswerable_answered"] == 0.0 and m["unanswerable_unsure"] == 0.0
    assert m["false_refusal"] == round(1 / 3, 4)
    assert m["refusal_acc"] == 1.0
    assert m["citation_acc"] == round(1 / 3, 4)
    assert m["citation_precision"] == round(1 / 3, 4)  # 1 supporting of 3 citations
    assert m["lang_match"] == 0.75
    assert m["answered_correct"] == round(1 / 3, 4)  # of the answerable: answered and right
    assert m["confident_wrong"] == 0.25  # of all four: one stated a wrong answer
    assert (m["p50_s"], m["p95_s"], m["ttft_p50_s"], m["n"]) == (5.0, 7.7, 2.5, 4)


def test_bad_question_lines_are_named(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "q", "lang": "fr", "answers": ["a"], "evidence": ["e"]}\n')
    with pytest.raises(RagError, match="q.jsonl:1: lang"):
        load_questions(path)
    path.write_text('{"id": "1", "question": "q", "lang": "ar", "answers": [], "evidence": ["e"]}\nnot json\n')
    with pytest.raises(RagError, match="q.jsonl:1: a question with evidence"):
        load_questions(path)


def test_shipped_question_set_is_well_formed():
    questions = load_questions(QUESTIONS)
    seeds = " ".join(normalize_arabic(p.read_text(encoding="utf-8")) for p in (REPO / "seeds").glob("*.txt"))
    assert len(questions) >= 40
    assert sum(not q.answerable for q in questions) >= 8
    assert {q.lang for q in questions} == {"ar", "en"}
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        for span in q.evidence:
            assert normalize_arabic(span) in seeds, f"{q.id}: evidence is not verbatim in the articles: {span}"
    # Some questions must be about the paragraphs both articles share.
    shared = [q for q in questions if any("44" in e or "بوساطة روسية" in e for e in q.evidence)]
    assert len(shared) >= 3


@pytest.mark.parametrize("name", ["questions_heldout", "questions_heldout2", "questions_heldout3", "questions_heldout4"])
def test_held_out_sets_are_well_formed(name):
    """The sets written apart from the tuning: answerable and unanswerable, evidence verbatim."""
    questions = load_questions(REPO / "tests" / "data" / f"{name}.jsonl")
    seeds = " ".join(normalize_arabic(p.read_text(encoding="utf-8")) for p in (REPO / "seeds").glob("*.txt"))
    assert len(questions) >= 45 and len({q.id for q in questions}) == len(questions)
    assert sum(not q.answerable for q in questions) >= 10 and {q.lang for q in questions} == {"ar", "en"}
    for q in questions:
        for span in q.evidence:
            assert normalize_arabic(span) in seeds, f"{q.id}: evidence is not verbatim in the articles: {span}"


def test_report_is_written(tmp_path):
    from rag.devtools.report import write_report

    records = [_record("a", "ar", ["بيراموف"], ["بيراموف"], "بيراموف | [1]", False, ["بيراموف"], ["بيراموف"], 1.0, 0.5)]
    path = write_report(tmp_path / "r", metrics(records), {"ar": metrics(records)}, records, {"n": 1})
    text = path.read_text(encoding="utf-8")
    assert "| a | ar |" in text and "correct ✓" in text and "\\|" in text
    assert (tmp_path / "r" / "metrics.png").read_bytes()[:4] == b"\x89PNG"
    json.dumps(metrics(records))  # the --json output must serialize
