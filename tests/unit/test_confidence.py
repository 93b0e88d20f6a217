"""The confidence model, its fitting and thresholds, and the three outcomes of a copied answer (on fakes)."""

from __future__ import annotations

import json
import random

import pytest
from fakes import FakeLLM

from rag.answering.confidence import ANSWERED, FEATURES, REFUSED, UNSURE, Calibration
from rag.devtools import calibrate
from rag.devtools.evaluate import auroc

QUESTION = "من هو وزير خارجية أذربيجان؟"
SPAN = "جيهون بيراموف"


def synthetic_rows(n: int = 200, seed: int = 0) -> list[dict]:
    """Rows whose candidate is right more often when the copied tokens were likely."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        logprob = rng.uniform(-3, 0)
        right = rng.random() < 1 / (1 + pow(2.718, -(3 * logprob + 4)))
        values = {k: rng.uniform(0, 1) for k in FEATURES} | {"logprob_mean": logprob}
        rows.append({"id": str(i), "answerable": i % 5 != 0, "signals": values, "candidate_correct": right and i % 5 != 0})
    return rows


def test_fitting_learns_that_likely_tokens_mean_right_answers():
    rows = synthetic_rows()
    fitted = calibrate.calibrate(rows, fitted_on="synthetic")
    assert fitted.weights["logprob_mean"] > 0.5
    assert max(abs(w) for k, w in fitted.weights.items() if k != "logprob_mean") < fitted.weights["logprob_mean"]
    assert fitted.metrics["auroc_tuning"] > 0.7
    assert 0.0 <= fitted.unsure_at <= fitted.answer_at <= 1.0


def test_thresholds_keep_confident_wrong_answers_within_the_target():
    rows = synthetic_rows(seed=1)
    fitted = calibrate.calibrate(rows, fitted_on="synthetic", max_confident_wrong=0.03, min_refusal=0.9)
    confident_wrong = sum(
        1 for r in rows if fitted.confidence(r["signals"]) >= fitted.answer_at and not r["candidate_correct"]
    )
    assert confident_wrong / len(rows) <= 0.03
    unanswerable = [r for r in rows if not r["answerable"]]
    shown = sum(1 for r in unanswerable if fitted.confidence(r["signals"]) >= fitted.unsure_at)
    assert 1 - shown / len(unanswerable) >= 0.9


def test_the_calibration_round_trips_and_decides_three_outcomes(tmp_path):
    cal = Calibration({"logprob_mean": 2.0}, {"logprob_mean": -1.0}, {"logprob_mean": 0.5}, 0.0, 0.8, 0.3)
    path = tmp_path / "c.json"
    path.write_text(cal.to_json())
    again = Calibration.load(path)
    assert again == cal
    assert again.outcome(again.confidence({"logprob_mean": 0.0})) == ANSWERED  # z = 4: 0.98
    assert again.outcome(again.confidence({"logprob_mean": -1.0})) == UNSURE  # z = 0: 0.5
    assert again.outcome(again.confidence({"logprob_mean": -3.0})) == REFUSED  # z = -8
    assert again.weakest({"logprob_mean": -3.0}) == "logprob_mean"


def test_the_packaged_calibration_loads_and_was_fitted_on_tuning_sets_only():
    cal = Calibration.load()
    assert set(cal.weights) <= set(FEATURES)
    assert 0.0 <= cal.unsure_at <= cal.answer_at <= 1.0
    assert "heldout" not in cal.fitted_on


def test_auroc():
    assert auroc([(0.9, True), (0.1, False)]) == 1.0
    assert auroc([(0.1, True), (0.9, False)]) == 0.0
    assert auroc([(0.5, True), (0.5, False)]) == 0.5
    assert auroc([(0.5, True)]) is None


# --- the three outcomes through the pipeline, on fakes -------------------------------------

def fixed(confidence_z: float) -> Calibration:
    """A calibration whose confidence is sigmoid(z) whatever the signals."""
    return Calibration({}, {}, {}, confidence_z, answer_at=0.7, unsure_at=0.3)


@pytest.mark.parametrize(("z", "status"), [(3.0, "answered"), (0.0, "unsure"), (-3.0, "refused")])
def test_a_copied_answer_takes_the_outcome_its_confidence_gives(make_assistant, tmp_path, z, status):
    path = tmp_path / "cal.json"
    path.write_text(fixed(z).to_json())
    a = make_assistant(SPAN, answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    answer = a.ask(QUESTION)
    assert answer.status == status and answer.refused == (status == "refused")
    assert answer.confidence == pytest.approx(1 / (1 + 2.718281828 ** -z), abs=1e-3)
    if status == "refused":
        assert answer.reason.startswith("low_confidence") and answer.quote == SPAN and not answer.citations
        return
    assert answer.quote == SPAN and SPAN in answer.sentence and answer.citations[0].n == 1
    assert SPAN in answer.citations[0].text
    if status == "answered":
        assert answer.text == f"{SPAN} [1]" and answer.reason == ""
    else:
        assert answer.sentence in answer.text and answer.reason.startswith("low_confidence")
        assert answer.likely_answer.count(SPAN) == 1  # the likely answer, without the shown sentence


def test_a_reply_that_is_not_a_span_of_the_passages_is_refused(make_assistant):
    a = make_assistant("وزارة السياحة الأذربيجانية", answer_mode="copy")
    answer = a.ask("ما الوزارة التي أرسلت المساعدات؟")
    assert answer.refused and answer.reason == "not_copied"


def test_the_model_is_constrained_to_the_shown_sentences(make_assistant):
    a = make_assistant(SPAN, answer_mode="copy")
    a.ask(QUESTION)
    constraint = a.llm.inner.copies[-1]
    shown = a.answerer.evidence(QUESTION)
    assert [s.decode() for s in constraint.sources] == [e.text for e in shown]
    assert constraint.escapes == (b"NO_ANSWER",)


def test_an_english_question_gets_the_span_translated_and_the_verbatim_quote(make_assistant, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0).to_json())

    def reply(messages):
        return "Jeyhun Bayramov" if "Translate" in messages[-1]["content"] else SPAN

    a = make_assistant(FakeLLM(reply), answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    answer = a.ask("Who is Azerbaijan's foreign minister?")
    assert answer.language == "en" and answer.status == "answered"
    assert answer.text == f"Jeyhun Bayramov ({SPAN}) [1]" and answer.quote == SPAN
    translate = a.llm.inner.calls[-1]
    assert SPAN in translate[-1]["content"] and translate[-2] == {"role": "assistant", "content": SPAN}
    assert json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))["quote"] == SPAN
