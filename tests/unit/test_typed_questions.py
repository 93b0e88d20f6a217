"""The typed-question generator (devtools/typed_questions.py) on a scripted model: one question per drawn
mention, its kind the mention's, the mention the answer key; questions that leak the answer are dropped;
a kind the article states nowhere is asked as a near-miss unanswerable."""

from __future__ import annotations

from fakes import FakeLLM

from rag.devtools.typed_questions import generate

ARTICLE = ("مكتبة المنصورة الجديدة\n\nالمنصورة - 3 مارس 2026\n\n"
           "وبلغت تكلفة مشروع المكتبة الجديدة 12.5 مليون جنيه مصري بعد أعمال إنشاء استمرت 18 شهراً.\n\n"
           "وتضم المكتبة الجديدة 60 ألف كتاب.\n")


def test_questions_from_mentions_and_a_near_miss(tmp_path):
    (tmp_path / "lib.txt").write_text(ARTICLE, encoding="utf-8")

    def reply(messages):
        prompt = messages[-1]["content"]
        arabic = "in Arabic" in prompt
        if "headline" in prompt:  # the near-miss: the article gives no percentage
            return "بأي نسبة تغيرت تكلفة مكتبة المنصورة الجديدة؟" if arabic else "By what percentage did it change?"
        if "12.5" in prompt.split("exactly:")[1][:20]:
            return "كم بلغت تكلفة مشروع المكتبة الجديدة 12.5؟" if arabic else "How much did the 12.5 library cost?"
        return "كم بلغت مدة أعمال إنشاء المكتبة الجديدة؟" if arabic else "How long did the library take to build?"

    rows = generate(tmp_path, FakeLLM(reply), per_article=3, seed=1)
    by_id = {r["id"]: r for r in rows}
    assert all(r["answers"] == r["evidence"] for r in rows if r["answers"])
    assert "gen-lib-money" not in by_id  # its question wrote the answer's digits
    duration = by_id["gen-lib-duration"]
    assert duration["kind"] == "duration" and duration["answers"] == ["18 شهراً"]
    near = by_id["gen-lib-no-percent"]
    assert near["answers"] == [] and near["evidence"] == [] and near["kind"] == "percent"
