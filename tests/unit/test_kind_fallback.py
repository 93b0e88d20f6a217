"""The model's reading of a question no table claims (answering/kind_fallback.py), on a scripted model."""

from __future__ import annotations

from fakes import FakeLLM

from rag.answering import kind_fallback
from rag.answering.kinds import FACTOID, SUMMARY, table_kind
from rag.answering.pipeline import openings

UNCLAIMED = "ما التوصيات التي خرجت بها اللجنة في تقريرها؟"


def test_tables_leave_the_unclaimed_question_to_the_fallback():
    assert table_kind(UNCLAIMED) is None
    assert table_kind("لماذا أطلقت أذربيجان عمليتها؟") != FACTOID and table_kind("كم جنديا قتل؟") == FACTOID


def test_p_several_sentences_routes_at_the_threshold():
    llm = FakeLLM("B", probe_probability=0.62)
    assert kind_fallback.model_kind(lambda: llm, UNCLAIMED, at=0.5) == (SUMMARY, 0.62)
    assert kind_fallback.model_kind(lambda: llm, UNCLAIMED, at=0.7) == (FACTOID, 0.62)
    asked = llm.calls[-1]
    assert asked[:-1] == list(kind_fallback.fixed_prefix()) and UNCLAIMED in asked[-1]["content"]


def test_the_fallback_opening_is_read_ahead_only_when_on():
    prefix = list(kind_fallback.fixed_prefix())
    assert prefix not in openings("auto") and prefix in openings("auto", with_kind_fallback=True)


def test_the_pipeline_asks_the_model_only_for_unclaimed_questions(make_assistant):
    def reply(messages):
        return "B" if "Answer form" in messages[-1]["content"] else "NO_ANSWER"

    llm = FakeLLM(reply)
    assistant = make_assistant(llm, kind_fallback=True)
    routed = assistant.ask(UNCLAIMED)
    assert routed.kind == SUMMARY and "kind" in routed.timings
    asked = sum("Answer form" in call[-1]["content"] for call in llm.calls)
    assistant.ask("كم جنديا روسيا قتل؟")  # a factoid opening: the tables decide, no model call
    assistant.ask("لماذا أطلقت أذربيجان عمليتها في قره باغ؟")  # a table claims it
    assert sum("Answer form" in call[-1]["content"] for call in llm.calls) == asked == 1
    off = make_assistant(FakeLLM(reply), kind_fallback=False)
    assert off.ask(UNCLAIMED).kind == FACTOID
