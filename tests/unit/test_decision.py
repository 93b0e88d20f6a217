"""The confidence model, its fitting and thresholds, and the three outcomes of a copied answer (on fakes)."""

from __future__ import annotations

import json
import random

import pytest
from fakes import FakeLLM

from rag.answering.decision import (
    ANSWERABILITY_FEATURES,
    ANSWERED,
    CORRECTNESS_FEATURES,
    REFUSED,
    UNSURE,
    Decision,
    Logistic,
)
from rag.answering.decision import signals as sig
from rag.devtools import calibrate
from rag.devtools.evaluate import auroc

QUESTION = "من هو وزير خارجية أذربيجان؟"
SPAN = "جيهون بيراموف"
ALL = tuple(dict.fromkeys(ANSWERABILITY_FEATURES + CORRECTNESS_FEATURES))


def synthetic_rows(n: int = 300, seed: int = 0) -> list[dict]:
    """Rows where answerable questions' sentences cover the question, and right candidates' tokens were likely."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        answerable = i % 4 != 0
        logprob = rng.uniform(-3, 0)
        right = answerable and rng.random() < 1 / (1 + pow(2.718, -(3 * logprob + 4)))
        values = {k: rng.uniform(0, 1) for k in ALL} | {"logprob_mean": logprob}
        values["coverage_best"] = rng.uniform(0.4, 1.0) if answerable else rng.uniform(0.0, 0.6)
        values["dense_sentence"] = values["coverage_best"]  # the cross path's stand-in for coverage
        rows.append({"id": str(i), "answerable": answerable, "path": "same" if (i // 4) % 2 else "cross", "decided": True,
                     "signals": values, "candidate_correct": right, "status": "answered", "reason": ""})
    return rows


def test_each_decision_learns_its_own_signal_per_path():
    fitted = calibrate.calibrate(synthetic_rows(), fitted_on="synthetic")
    for path in ("same", "cross"):
        a, c = fitted.answerability[path], fitted.correctness[path]
        informative = "coverage_best" if path == "same" else "dense_sentence"  # no lexical signal across languages
        assert a.weights[informative] == max(a.weights.values()) > 0.5
        assert c.weights["logprob_mean"] == max(c.weights.values()) > 0.5
        assert fitted.metrics[path]["correctness_auroc_cv"] > 0.7
        assert fitted.metrics[path]["answerability_auroc_cv"] > 0.7
        assert 0.0 <= fitted.answerable_at[path] <= 1.0 and 0.0 <= fitted.answer_at[path] <= 1.0


def test_thresholds_keep_confident_wrong_answers_within_the_target_and_refuse_unanswerables():
    """The promise holds on out-of-fold probabilities, on which the thresholds are chosen (in-sample ones
    are more confident than the models will be on new questions)."""
    from rag.answering.decision import answerability, correctness

    rows = synthetic_rows(seed=1)
    fitted = calibrate.calibrate(rows, fitted_on="synthetic", max_confident_wrong=0.03, min_refusal=0.9)
    for path in ("same", "cross"):
        on_path = [r for r in rows if r["path"] == path]
        able = calibrate.out_of_fold(on_path, [r["answerable"] for r in on_path], answerability.PATH_FEATURES[path], 1.0)
        right = calibrate.out_of_fold(on_path, [r["candidate_correct"] for r in on_path],
                                      correctness.PATH_FEATURES[path], 1.0)
        kept = [a >= fitted.answerable_at[path] for a in able]
        answered = [k and c >= fitted.answer_at[path] for k, c in zip(kept, right)]
        wrong = sum(1 for ans, r in zip(answered, on_path) if ans and not r["candidate_correct"])
        assert wrong / len(on_path) <= 0.03
        unanswerable = [k for k, r in zip(kept, on_path) if not r["answerable"]]
        assert 1 - sum(unanswerable) / len(unanswerable) >= 0.9


def test_each_collection_sees_its_own_share_of_unanswerables_refused():
    """Pooled, a collection of easy unanswerables hides one of hard ones; per collection it cannot."""
    from rag.answering.decision import answerability

    rows = synthetic_rows(seed=2)
    for i, r in enumerate(rows):  # a second collection whose unanswerables look almost answerable
        if i % 3 == 0:
            r["collection"] = "hard"
            if not r["answerable"]:
                r["signals"]["coverage_best"] = r["signals"]["dense_sentence"] = 0.55
    pooled = calibrate.calibrate([{k: v for k, v in r.items() if k != "collection"} for r in rows],
                                 fitted_on="synthetic", min_refusal=0.85)
    fitted = calibrate.calibrate(rows, fitted_on="synthetic", min_refusal=0.85, each_collection=True)
    for path in ("same", "cross"):
        on_path = [r for r in rows if r["path"] == path]
        able = calibrate.out_of_fold(on_path, [r["answerable"] for r in on_path], answerability.PATH_FEATURES[path], 1.0)
        for name in ("seeds", "hard"):
            shown = [a >= fitted.answerable_at[path] for a, r in zip(able, on_path)
                     if not r["answerable"] and (r.get("collection") or "seeds") == name]
            assert 1 - sum(shown) / len(shown) >= 0.85, (path, name)
        assert fitted.answerable_at[path] > pooled.answerable_at[path]


def fixed(able_z: float, right_z: float) -> Decision:
    """A decision whose answerability is sigmoid(able_z) and confidence sigmoid(right_z) whatever the signals."""
    return Decision({p: Logistic({}, {}, {}, able_z) for p in ("same", "cross")},
                    {p: Logistic({}, {}, {}, right_z) for p in ("same", "cross")},
                    {"same": 0.3, "cross": 0.3}, {"same": 0.7, "cross": 0.7})


def test_the_decision_round_trips_and_decides_three_outcomes(tmp_path):
    model = Logistic({"logprob_mean": 2.0}, {"logprob_mean": -1.0}, {"logprob_mean": 0.5}, 0.0)
    d = Decision({"same": model, "cross": model}, {"same": model, "cross": model},
                 {"same": 0.3, "cross": 0.3}, {"same": 0.8, "cross": 0.8})
    path = tmp_path / "d.json"
    path.write_text(d.to_json())
    again = Decision.load(path)
    assert again == d
    assert again.decide({"logprob_mean": 0.0}, "same").status == ANSWERED  # z = 4: 0.98
    assert again.decide({"logprob_mean": -1.0}, "same").status == UNSURE  # z = 0: 0.5
    refused = again.decide({"logprob_mean": -3.0}, "same")  # z = -8
    assert refused.status == REFUSED and refused.reason == "unanswerable:logprob_mean"
    assert again.decide({"logprob_mean": 0.0}, "same", candidate=False).status == UNSURE  # no candidate: never answered


def test_the_packaged_decision_loads_and_was_fitted_on_tuning_data_only():
    d = Decision.load()
    for path in ("same", "cross"):
        assert set(d.answerability[path].weights) <= set(ANSWERABILITY_FEATURES)
        assert set(d.correctness[path].weights) <= set(CORRECTNESS_FEATURES)
        assert 0.0 <= d.answerable_at[path] <= 1.0 and 0.0 <= d.answer_at[path] <= 1.0
    assert "heldout" not in d.fitted_on and "test" not in d.fitted_on


def test_no_signal_rewards_repeating_the_question():
    assert not any("overlap" in k or "echo" in k for k in ALL)


# --- each new signal, high where it must be and low where it must be -----------------------

def test_answer_type_match():
    assert sig.asked_type("When was Jamal Khashoggi born?") == sig.DATE
    assert sig.type_match("When was Jamal Khashoggi born?", "13 أكتوبر 1958") == 1.0
    assert sig.type_match("When was Jamal Khashoggi born?", "المدينة المنورة") == 0.0  # a city for "when"
    assert sig.type_match("كم دبابة كانت في الإقليم؟", "أكثر من 100 دبابة") == 1.0
    assert sig.type_match("كم دبابة كانت في الإقليم؟", "قره باغ") == 0.0
    assert sig.type_match("من هو وزير خارجية أذربيجان؟", "2020") == 0.0  # a bare year for "who"
    assert sig.type_match("من هو وزير خارجية أذربيجان؟", SPAN) == 0.5  # a name: cannot be told on the surface


def test_type_present_and_coverage():
    q = "كم عدد جنود حفظ السلام الروس الذين قتلوا؟"
    assert sig.type_present(q, ["قالت الوزارة إن جنوداً من قوات حفظ السلام لقوا حتفهم اليوم"]) == 0.0
    assert sig.type_present(q, ["قتل 5 جنود من قوات حفظ السلام"]) == 1.0
    assert sig.coverage(QUESTION, "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده") == 1.0
    assert sig.coverage(QUESTION, "وصلت ثلاث شحنات من المساعدات") == 0.0


def test_grounding():
    sentence = "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده"
    assert sig.grounded(SPAN, sentence) == 1.0
    assert sig.grounded("جيهون بيرامُوف", sentence) == 1.0  # after normalization (diacritics)
    assert sig.grounded("إلهام علييف", sentence) == 0.0


def test_auroc():
    assert auroc([(0.9, True), (0.1, False)]) == 1.0
    assert auroc([(0.1, True), (0.9, False)]) == 0.0
    assert auroc([(0.5, True), (0.5, False)]) == 0.5
    assert auroc([(0.5, True)]) is None


# --- the three outcomes through the pipeline, on fakes -------------------------------------

@pytest.mark.parametrize(("able", "z", "status"), [(3.0, 3.0, "answered"), (3.0, 0.0, "unsure"), (-3.0, 3.0, "refused")])
def test_a_copied_answer_takes_the_outcome_its_two_decisions_give(make_assistant, tmp_path, able, z, status):
    path = tmp_path / "cal.json"
    path.write_text(fixed(able, z).to_json())
    a = make_assistant(SPAN, answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    answer = a.ask(QUESTION)
    assert answer.status == status and answer.refused == (status == "refused")
    assert answer.confidence == pytest.approx(1 / (1 + 2.718281828 ** -z), abs=1e-3)
    if status == "refused":
        assert answer.reason.startswith("unanswerable") and answer.quote == SPAN and not answer.citations
        return
    assert answer.quote == SPAN and SPAN in answer.sentence and answer.citations[0].n == 1
    assert SPAN in answer.citations[0].text
    if status == "answered":
        assert answer.text == f"{SPAN} [1]" and answer.reason == ""
    else:
        assert answer.sentence in answer.text and answer.reason.startswith("low_confidence")
        assert answer.likely_answer.count(SPAN) == 1  # the likely answer, without the shown sentence


@pytest.mark.parametrize(("able", "status"), [(-3.0, "refused"), (3.0, "unsure")])
def test_a_reply_that_is_not_a_span_is_never_stated(make_assistant, tmp_path, able, status):
    """No candidate survives: refused when the sentences look unanswerable, else the likeliest sentence, unsure."""
    path = tmp_path / "cal.json"
    path.write_text(fixed(able, 3.0).to_json())
    a = make_assistant("وزارة السياحة الأذربيجانية", answer_mode="copy", calibration_path=path, answer_at=None,
                       unsure_at=None)
    answer = a.ask("ما الوزارة التي أرسلت المساعدات؟")
    assert answer.status == status and "not_copied" in answer.reason
    if status == "unsure":
        assert answer.sentence and answer.sentence in answer.text and answer.citations
        assert "السياحة" not in answer.text  # the rejected reply is not shown


def test_the_model_is_constrained_to_the_shown_sentences(make_assistant):
    a = make_assistant(SPAN, answer_mode="copy")
    a.ask(QUESTION)
    constraint = a.llm.inner.copies[-1]
    shown = a.answerer.span.evidence(QUESTION)
    assert [s.decode() for s in constraint.sources] == [e.text for e in shown]
    assert constraint.escapes == (b"NO_ANSWER",)


def test_an_english_question_gets_the_span_translated_and_the_verbatim_quote(make_assistant, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0, 3.0).to_json())

    def reply(messages):
        return "Jeyhun Bayramov" if "Translate" in messages[-1]["content"] else SPAN

    a = make_assistant(FakeLLM(reply), answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    answer = a.ask("Who is Azerbaijan's foreign minister?")
    assert answer.language == "en" and answer.status == "answered"
    assert answer.text == f"Jeyhun Bayramov ({SPAN}) [1]" and answer.quote == SPAN
    translate = a.llm.inner.calls[-1]
    assert SPAN in translate[-1]["content"] and translate[-2] == {"role": "assistant", "content": SPAN}
    assert json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))["quote"] == SPAN


# --- figures: rendered by table, a model rendering checked, the asked kind (issue 32) ----------

def test_a_figure_span_is_rendered_by_table_without_asking_the_model(make_assistant, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0, 3.0).to_json())
    a = make_assistant(FakeLLM("الثلاثاء 19 سبتمبر/أيلول"), answer_mode="copy", calibration_path=path, answer_at=None,
                       unsure_at=None)
    items = list(a.stream("On what date did Azerbaijan announce its operation?"))
    answer = items[-1]
    assert answer.status == "answered" and answer.text == "Tuesday, 19 September (الثلاثاء 19 سبتمبر/أيلول) [1]"
    assert not any("Translate" in call[-1]["content"] for call in a.llm.inner.calls)  # one call: the copy
    assert items[:-1] == [answer.text]  # nothing to preview: the English was there at once


def test_a_name_is_rendered_once_and_reads_the_same_in_every_answer(make_assistant, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0, 3.0).to_json())
    renderings = iter(["Jeyhun Bayramov", "Ceyhun Bayramov"])

    def reply(messages):
        return next(renderings) if "Translate" in messages[-1]["content"] else SPAN

    a = make_assistant(FakeLLM(reply), answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    first = a.ask("Who is Azerbaijan's foreign minister?")
    again = a.ask("Which Azerbaijani minister spoke at the Security Council?")
    assert first.text == again.text == f"Jeyhun Bayramov ({SPAN}) [1]"
    assert sum("Translate" in call[-1]["content"] for call in a.llm.inner.calls) == 1


def test_a_model_rendering_with_another_weekday_is_never_answered_and_not_shown(make_assistant, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0, 3.0).to_json())
    span = "الخميس، انطلقت محادثات بين أذربيجان ووفد أرميني"

    def reply(messages):
        return "On Wednesday, talks began between Azerbaijan and an Armenian delegation" \
            if "Translate" in messages[-1]["content"] else span

    a = make_assistant(FakeLLM(reply), answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    items = list(a.stream("When did the talks with the Armenian delegation begin?"))
    answer = items[-1]
    assert answer.status == "unsure" and answer.reason == "low_confidence:figure_rendering"
    assert "Wednesday" not in answer.text and span in answer.text and answer.signals["rendering_agrees"] == 0.0
    assert items[0] == f"{span} …"  # the verbatim quote streamed first, while the English was written


def test_a_figure_of_a_kind_no_sentence_holds_is_not_guessed(make_assistant, tmp_path):
    """Issue 40: the kind is typed. No shown sentence states a dollar figure, so the tonnes the model copies are not
    offered: the closest sentence, unsure and with no guess (refused when the decision says nothing is near)."""
    path = tmp_path / "cal.json"
    path.write_text(fixed(3.0, 3.0).to_json())
    llm = FakeLLM("40")
    a = make_assistant(llm, answer_mode="copy", calibration_path=path, answer_at=None, unsure_at=None)
    answer = a.ask("كم طناً تضمنت المساعدات الأذربيجانية؟")
    assert answer.status == "answered" and answer.text == "40 طناً [1]"  # the copy completed with its unit
    assert answer.signals["asked_kind_held"] == 1.0
    dollars = a.ask("كم بلغت قيمة المساعدات الأذربيجانية بالدولار؟")  # the articles give no dollar figure for the aid
    assert dollars.status != "answered" and dollars.reason.endswith("figure_kind") and dollars.quote == ""
    assert "40" not in dollars.text.split("«")[0]  # no guess before the quoted sentence


# --- agreement: redrawn samples of the same prompt -------------------------------------------

def test_agreement_is_high_when_the_samples_say_the_candidate_and_low_when_they_do_not():
    assert sig.agreement(SPAN, [SPAN, f"وزير الخارجية {SPAN}", "جيهون بيراموفا"]) == 1.0  # inflections count as one word
    assert sig.agreement(SPAN, ["NO_ANSWER", "إلهام علييف"]) == 0.0
    assert sig.agreement("40 طناً", ["40 طناً", "50 طناً"]) == pytest.approx(0.75)  # half of the second sample
    assert sig.agreement(SPAN, []) == 0.0 and sig.agreement("", [SPAN]) == 0.0


class SamplingLLM(FakeLLM):
    """Greedy calls get the span; sampled ones (temperature > 0) get `samples` in turn; every call's settings kept."""

    def __init__(self, greedy: str, samples: list[str]):
        super().__init__(greedy)
        self.greedy, self.samples, self.settings_seen = greedy, list(samples), []

    def stream_chat(self, messages, *, max_tokens, temperature=0.0, probe=None, copy=None, seed=None):
        self.settings_seen.append((temperature, seed, copy))
        if temperature > 0:
            self.reply = self.samples.pop(0)
        else:
            self.reply = self.greedy
        yield from super().stream_chat(messages, max_tokens=max_tokens, temperature=temperature, probe=probe, copy=copy)


def test_agreement_samples_are_drawn_from_the_same_prompt_under_a_fresh_constraint(make_assistant):
    llm = SamplingLLM(SPAN, [SPAN, "NO_ANSWER", SPAN, "إلهام علييف"])
    a = make_assistant(llm, answer_mode="copy", agreement_samples=4, agreement_temperature=0.7)
    answer = a.ask(QUESTION)
    assert answer.signals["agreement"] == pytest.approx(0.5)
    drawn = [s for s in llm.settings_seen if s[0] > 0]
    assert [(t, seed) for t, seed, _ in drawn] == [(0.7, 1), (0.7, 2), (0.7, 3), (0.7, 4)]
    copies = [c for _, _, c in drawn]
    assert all(c is not None for c in copies) and len({id(c) for c in copies}) == 4  # each draw copies afresh
    first = llm.calls[0]
    assert all(call == first for call in llm.calls[1:5])  # the prompt the answer was read from


def test_no_samples_are_drawn_by_default(make_assistant):
    llm = SamplingLLM(SPAN, [])
    answer = make_assistant(llm, answer_mode="copy").ask(QUESTION)
    assert "agreement" not in answer.signals and all(t == 0.0 for t, _, _ in llm.settings_seen)


def test_a_composed_answer_is_redrawn_from_its_prompt_each_draw_under_a_fresh_guide(make_assistant):
    reply = f"وزير خارجية أذربيجان هو {SPAN} [1]."
    llm = SamplingLLM(reply, [reply, "NO_ANSWER"])
    a = make_assistant(llm, answer_mode="guided", agreement_samples=2)
    answer = a.ask(QUESTION)
    assert answer.signals["agreement"] == pytest.approx(0.5)
    greedy, *drawn = llm.settings_seen
    assert greedy[0] == 0.0 and greedy[2] is not None and greedy[2].guided
    assert [(t, seed) for t, seed, _ in drawn] == [(0.7, 1), (0.7, 2)]
    assert all(c is not None and c.guided and c is not greedy[2] for _, _, c in drawn)
