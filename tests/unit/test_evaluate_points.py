"""Scoring by points (non-factoid questions, issue 39) on hand-made answers: no models."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rag import Answer
from rag.devtools.evaluate import (
    METRIC_KEYS,
    Point,
    Question,
    Record,
    by_kind,
    by_language_kind,
    load_questions,
    metrics,
    unsupported_lead,
)
from rag.errors import RagError
from rag.types import Quote

P_WITHDRAW = "أعلنت الحكومة انسحاب القوات من المنطقة الحدودية"
P_RETURN = "قال الوزير إن الاتفاق يضمن عودة النازحين"
P_TRUCKS = "وصلت 40 شاحنة محملة بالمساعدات إلى المدينة"
S_WITHDRAW = "وفي بيان رسمي، أعلنت الحكومة انسحاب القوات من المنطقة الحدودية يوم الثلاثاء."
S_TRUCKS = "وصلت 40 شاحنة محملة بالمساعدات إلى المدينة."
S_OFF = "ارتفعت أسعار النفط في الأسواق العالمية."
R_WITHDRAW = "In an official statement, the government announced the withdrawal of forces from the border area on Tuesday."

E_TALKS = "The talks in Geneva ended without an agreement on the border."
E_SANCTIONS = "The ministers agreed to extend the sanctions for another six months."


def _points(*sentences: str) -> tuple[Point, ...]:
    return tuple(Point(f"point {i}", s) for i, s in enumerate(sentences, start=1))


def _question(qid, lang, points, kind="", answerable=None, question="q"):
    return Question(qid, question, lang, (), tuple(p.sentence for p in points), answerable, points=points, kind=kind,
                    points_given=True)


def _answer(lang, sentences=(), status="answered", lead="", kind="", quotes=()):
    refused = status == "refused"
    text = "لا تتضمن المقالات الإجابة" if refused else " ".join(filter(None, (lead, *sentences)))
    return Answer(text, refused, lang, status=status, sentences=tuple(sentences), lead=lead, kind=kind,
                  quotes=tuple(quotes))


def _record(question, answer):
    return Record(question, answer, [], 1.0, 0.5)


# --- loading -------------------------------------------------------------------------------

def test_points_rows_load_with_their_sentences_as_evidence(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [
        {"id": "nf-1", "question": "لماذا انسحبت القوات؟", "lang": "ar", "kind": "explanation",
         "points": [{"point": "withdrawal", "sentence": P_WITHDRAW}, {"point": "trucks", "sentence": P_TRUCKS}]},
        {"id": "nf-2", "question": "ماذا قال الوزير عن المطار؟", "lang": "ar", "kind": "content", "points": [],
         "answerable": False},
        {"id": "old", "question": "q", "lang": "en", "answers": ["Geneva"], "evidence": [E_TALKS]},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    pointed, unanswerable, old = load_questions(path)
    assert pointed.points == (Point("withdrawal", P_WITHDRAW), Point("trucks", P_TRUCKS))
    assert pointed.evidence == (P_WITHDRAW, P_TRUCKS) and pointed.answers == ()
    assert pointed.answerable and pointed.by_points and pointed.kind == "explanation"
    assert not unanswerable.answerable and unanswerable.by_points and unanswerable.kind == "content"
    assert unanswerable.points == () and unanswerable.evidence == ()
    assert not old.by_points and old.points == () and old.kind == "" and old.answers == ("Geneva",)


@pytest.mark.parametrize("points, message", [
    ('[{"point": "p"}]', "point 1 needs"),  # no sentence
    ('[{"point": "p", "sentence": ""}]', "point 1 needs"),
    ('["just a string"]', "point 1 must be an object"),
    ('{"point": "p", "sentence": "s"}', "points must be a list"),
])
def test_malformed_points_are_an_error_naming_the_line(tmp_path, points, message):
    path = tmp_path / "q.jsonl"
    good = json.dumps({"id": "1", "question": "q", "lang": "en", "points": [{"point": "p", "sentence": E_TALKS}]})
    path.write_text(good + "\n" + f'{{"id": "2", "question": "q", "lang": "en", "points": {points}}}\n')
    with pytest.raises(RagError, match=f"q.jsonl:2: .*{message}"):
        load_questions(path)


def test_points_rows_checked_like_the_others(tmp_path):
    path = tmp_path / "q.jsonl"
    row = {"id": "1", "question": "q", "lang": "en", "kind": "why", "points": [{"point": "p", "sentence": E_TALKS}]}
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(RagError, match="q.jsonl:1: kind must be"):
        load_questions(path)
    path.write_text(json.dumps({**row, "kind": "summary", "answerable": False}) + "\n")
    with pytest.raises(RagError, match="q.jsonl:1: a question with evidence cannot be marked unanswerable"):
        load_questions(path)
    path.write_text(json.dumps({**row, "kind": "summary", "points": []}) + "\n")  # neither points nor answerable: false
    assert not load_questions(path)[0].answerable


# --- point recall, quote precision, correct ------------------------------------------------

def test_point_recall_and_quote_precision_on_a_small_set():
    three = _question("ar-1", "ar", _points(P_WITHDRAW, P_RETURN, P_TRUCKS), kind="explanation")
    two = _question("en-1", "en", _points(E_TALKS, E_SANCTIONS), kind="events")
    refused_q = _question("ar-2", "ar", _points(P_RETURN), kind="content")
    records = [
        # quotes 2 of 3 points; 2 of its 3 shown sentences are on point
        _record(three, _answer("ar", (S_WITHDRAW, S_TRUCKS, S_OFF))),
        # unsure, shows one sentence holding one of the two points
        _record(two, _answer("en", (E_SANCTIONS,), status="unsure")),
        # a refusal recalls nothing and shows nothing
        _record(refused_q, _answer("ar", (P_RETURN,), status="refused")),
        # unanswerable ones: answered, unsure, refused
        _record(_question("n-1", "ar", (), answerable=False), _answer("ar", (S_OFF,))),
        _record(_question("n-2", "en", (), answerable=False), _answer("en", (E_TALKS,), status="unsure")),
        _record(_question("n-3", "en", (), answerable=False), _answer("en", status="refused")),
    ]
    assert [r.point_recall for r in records[:3]] == [2 / 3, 0.5, 0.0]
    assert [r.quotes_on_point for r in records[:3]] == [2, 1, 1]  # the refusal's shown sentence is not counted below
    assert [r.correct for r in records] == [True, True, False, False, False, True]
    assert [r.useful for r in records[:3]] == [True, True, False]
    m = metrics(records)
    assert list(m) == list(METRIC_KEYS)
    assert m["point_recall"] == round((2 / 3 + 0.5 + 0) / 3, 4) == 0.3889
    assert m["quote_precision"] == 0.75  # 3 of the 4 sentences shown by the two answers that were not refused
    assert m["nonfactoid_false_refusal"] == round(1 / 3, 4)
    assert m["nonfactoid_unanswerable_answered"] == round(1 / 3, 4)
    assert m["nonfactoid_unanswerable_not_refused"] == round(2 / 3, 4)
    assert m["answer_acc"] == round(2 / 3, 4) and m["refusal_acc"] == round(1 / 3, 4)
    assert (m["leads"], m["unsupported_leads"]) == (0, 0)
    assert m["recall_at_1"] == 0.0  # the points' sentences are the evidence: retrieval is still judged


def test_a_refused_answer_recalls_nothing_even_with_sentences():
    q = _question("r", "ar", _points(P_WITHDRAW), kind="explanation")
    refused = _record(q, _answer("ar", (S_WITHDRAW,), status="refused"))
    shown = _record(q, _answer("ar", (S_WITHDRAW,), status="unsure"))
    assert refused.point_recall == 0.0 and refused.points_quoted == 0 and not refused.correct and not refused.useful
    assert shown.point_recall == 1.0 and shown.correct and shown.useful


def test_a_point_wider_than_the_quote_still_counts_it_on_point():
    """Precision tests both directions: a quote that is part of a two-sentence point is on point."""
    wide = E_TALKS + " " + E_SANCTIONS
    q = _question("w", "en", (Point("talks and sanctions", wide),))
    r = _record(q, _answer("en", (E_TALKS, "Oil prices rose sharply on world markets.")))
    assert r.quotes_on_point == 1 and metrics([r])["quote_precision"] == 0.5
    assert r.point_recall == 0.0  # neither shown sentence holds the whole (two-sentence) point


def test_right_takes_half_of_the_points():
    q = _question("h", "ar", _points(P_WITHDRAW, P_RETURN, P_TRUCKS))
    third = _record(q, _answer("ar", (S_WITHDRAW, S_OFF)))
    half = _record(_question("h2", "ar", _points(P_WITHDRAW, P_RETURN)), _answer("ar", (S_WITHDRAW,)))
    assert third.point_recall == 1 / 3 and not third.correct and not third.useful
    assert half.point_recall == 0.5 and half.correct and half.useful
    assert metrics([third, half])["answered_correct"] == 0.5 and metrics([third, half])["confident_wrong"] == 0.5


def test_the_answer_sentence_counts_as_shown():
    q = _question("s", "ar", _points(P_TRUCKS, P_RETURN))
    answer = Answer("وصلت 40 شاحنة", False, "ar", sentence=S_TRUCKS)
    assert _record(q, answer).point_recall == 0.5


def test_old_rows_leave_the_point_figures_empty():
    q = Question("old", "q", "en", ("Geneva",), (E_TALKS,))
    m = metrics([_record(q, Answer("In Geneva [1].", False, "en"))])
    assert m["answer_acc"] == 1.0
    assert all(m[k] is None for k in ("point_recall", "quote_precision", "leads", "unsupported_leads",
                                      "nonfactoid_false_refusal", "nonfactoid_unanswerable_answered",
                                      "nonfactoid_unanswerable_not_refused"))


# --- leads ---------------------------------------------------------------------------------

def _quoted(lang, lead, quotes):
    return _answer(lang, tuple(q.sentence for q in quotes), lead=lead, kind="explanation", quotes=quotes)


AR_QUOTES = (Quote(1, S_WITHDRAW), Quote(2, S_TRUCKS))


def test_arabic_lead_with_a_word_or_number_not_in_the_quotes_is_flagged():
    question = "لماذا انسحبت القوات؟"
    word = _quoted("ar", "أعلنت الحكومة انسحاب القوات بعد هجوم", AR_QUOTES)
    number = _quoted("ar", "أعلنت الحكومة انسحاب القوات ووصلت 55 شاحنة", AR_QUOTES)
    assert unsupported_lead(word, question) == ["هجوم"]
    assert unsupported_lead(number, question) == ["55"]


def test_arabic_lead_held_by_the_quotes_and_question_is_not_flagged():
    question = "لماذا انسحبت القوات من المنطقة الحدودية؟"
    lead = _quoted("ar", "أعلنت الحكومة انسحاب القوات من المنطقة الحدودية ووصلت ٤٠ شاحنة [1][2]", AR_QUOTES)
    assert unsupported_lead(lead, question) == []
    assert unsupported_lead(_quoted("ar", "", AR_QUOTES), question) == []  # no lead, nothing to check
    # a connective states nothing; a conjunction light stemming keeps on a short word is not a new word
    deficit = (Quote(1, "وأقرت الحكومة بأن العجز كبير."),)
    assert unsupported_lead(_quoted("ar", "بحسب الحكومة، وعجز الميزانية كبير", deficit), "") == ["ميزان"]


def test_english_lead_with_an_unseen_capitalized_name_is_flagged():
    quotes = (Quote(1, S_WITHDRAW, rendering=R_WITHDRAW),)
    question = "Why did the forces withdraw?"
    seen = _quoted("en", "The government announced the withdrawal on Tuesday [1].", quotes)
    unseen = _quoted("en", "On Tuesday the government announced a withdrawal, Macron said [1].", quotes)
    wrong_day = _quoted("en", "The government announced the withdrawal on Friday, with 12 trucks.", quotes)
    assert unsupported_lead(seen, question) == []
    assert unsupported_lead(unseen, question) == ["Macron"]
    assert unsupported_lead(wrong_day, question) == ["12", "Friday"]
    opening = _quoted("en", "According to the government, the withdrawal was announced.", quotes)
    assert unsupported_lead(opening, question) == []  # a function word opening the lead is no name
    named = _quoted("en", "Macron announced the withdrawal.", quotes)
    assert unsupported_lead(named, question) == ["Macron"]  # a name opening the lead is checked like any other


def test_leads_are_counted_over_the_points_rows():
    q = _question("l", "ar", _points(P_WITHDRAW, P_TRUCKS), kind="explanation", question="لماذا انسحبت القوات؟")
    records = [
        _record(q, _quoted("ar", "أعلنت الحكومة انسحاب القوات بعد هجوم", AR_QUOTES)),
        _record(q, _quoted("ar", "أعلنت الحكومة انسحاب القوات", AR_QUOTES)),
        _record(q, _quoted("ar", "", AR_QUOTES)),
    ]
    assert [bool(r.lead_unsupported) for r in records] == [True, False, False]
    m = metrics(records)
    assert (m["leads"], m["unsupported_leads"]) == (2, 1)
    assert m["point_recall"] == 1.0 and m["quote_precision"] == 1.0


def test_english_answer_quoting_arabic_sentences_is_in_the_right_language():
    q = _question("x", "en", _points(P_WITHDRAW), kind="explanation")
    quotes = (Quote(1, S_WITHDRAW), Quote(2, S_TRUCKS))
    text = f"Forces withdrew. «{S_WITHDRAW}» [1] «{S_TRUCKS}» [2]"
    answer = Answer(text, False, "en", sentences=(S_WITHDRAW, S_TRUCKS), kind="explanation", quotes=quotes,
                    lead="Forces withdrew.")
    assert _record(q, answer).lang_ok
    assert not _record(q, replace(answer, text=f"لقد انسحبت القوات. «{S_WITHDRAW}» [1]")).lang_ok


# --- by kind -------------------------------------------------------------------------------

def test_by_kind_groups_on_the_file_kind_then_the_answer_kind():
    records = [
        _record(_question("a", "ar", _points(P_WITHDRAW), kind="explanation"),
                _answer("ar", (S_WITHDRAW,), kind="summary")),  # the file's kind wins over the answer's
        _record(_question("b", "en", _points(E_TALKS), kind="explanation"), _answer("en", status="refused")),
        _record(_question("c", "ar", _points(P_TRUCKS)), _answer("ar", (S_TRUCKS,), kind="timeline")),
        _record(Question("d", "q", "en", ("Geneva",), (E_TALKS,)), Answer("Geneva [1].", False, "en")),
    ]
    kinds = by_kind(records)
    assert list(kinds) == ["factoid", "explanation", "timeline"]  # rag.types.KINDS order
    assert [kinds[k]["n"] for k in kinds] == [1, 2, 1]
    assert kinds["explanation"]["point_recall"] == 0.5 and kinds["explanation"]["nonfactoid_false_refusal"] == 0.5
    assert kinds["timeline"]["point_recall"] == 1.0
    assert kinds["factoid"]["point_recall"] is None and kinds["factoid"]["answer_acc"] == 1.0
    lang_kind = by_language_kind(records)
    assert {lang: list(k) for lang, k in lang_kind.items()} == {"ar": ["explanation", "timeline"],
                                                                 "en": ["factoid", "explanation"]}
    assert lang_kind["ar"]["explanation"]["point_recall"] == 1.0 and lang_kind["en"]["explanation"]["point_recall"] == 0.0


def test_report_has_the_kind_sections_and_point_verdicts(tmp_path):
    pytest.importorskip("matplotlib")
    from rag.devtools.report import write_report

    records = [
        _record(_question("nf-1", "ar", _points(P_WITHDRAW, P_RETURN, P_TRUCKS), kind="explanation"),
                _quoted("ar", "أعلنت الحكومة انسحاب القوات بعد هجوم", AR_QUOTES)),
        _record(Question("old", "q", "en", ("Geneva",), (E_TALKS,)), Answer("Geneva [1].", False, "en")),
    ]
    path = write_report(tmp_path / "r", metrics(records), {"ar": metrics(records[:1])}, records, {"n": 2})
    text = path.read_text(encoding="utf-8")
    assert "## By kind of question" in text and "| metric | all | factoid | explanation |" in text
    assert "## By language and kind" in text and "| ar | explanation | 1 |" in text
    assert "points 2/3 ✓" in text and "lead unsupported: هجوم" in text
    assert "| nf-1 | ar | explanation |" in text
    signals = [json.loads(line) for line in (tmp_path / "r" / "signals.jsonl").read_text(encoding="utf-8").splitlines()]
    assert signals[0]["kind"] == "explanation" and signals[0]["lead_unsupported"] == ["هجوم"]
    assert signals[1]["point_recall"] is None


def test_issue_40_figures_uncopied_words_and_guesses_of_another_kind(tmp_path):
    """Every run counts Arabic answers or guesses writing a word their sentence does not, and unsure guesses
    of another kind than the question file says it asks for."""
    from rag.devtools.evaluate import Record, load_questions, metrics
    from rag.types import Answer

    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "c", "question": "كم بلغت تكلفة المكتبة؟", "lang": "ar", "kind": "money", '
                    '"answers": ["12.5 مليون جنيه"], "evidence": ["12.5 مليون جنيه"]}\n', encoding="utf-8")
    q = load_questions(path)[0]
    sentence = "وبلغت تكلفة المشروع 12.5 مليون جنيه مصري بعد أعمال إنشاء استمرت 18 شهراً."
    guess = Answer(text=f"لست متأكدًا من الإجابة. ربما: 18 شهراً [1]. اقرأ النص: «{sentence}»", refused=False,
                   language="ar", status="unsure", sentence=sentence, sentences=(sentence,))
    garbled = Answer(text="تكلفةها 12.5 مليون [1].", refused=False, language="ar", status="answered", sentence=sentence)
    right = Answer(text="12.5 مليون جنيه [1].", refused=False, language="ar", status="answered", sentence=sentence)
    figures = metrics([Record(q, a, [], 1.0, 0.5) for a in (guess, garbled, right)])
    assert figures["guess_other_kind"] == 1 and figures["uncopied_answers"] == 1
