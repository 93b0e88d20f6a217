"""The public contract: what `import rag` offers, what it costs, and the JSON shape of an answer."""

import dataclasses
import json
import subprocess
import sys

import pytest

import rag


def test_all_is_pinned():
    assert rag.__all__ == ["Answer", "Assistant", "Citation", "Quote", "RagError", "Settings", "Stage",
                           "__version__"]  # Quote: issue 39; Stage: issue 41
    # The original five fields keep their order and meaning; later ones are added after them, with defaults.
    assert [f.name for f in dataclasses.fields(rag.Answer)] == [
        "text", "refused", "language", "citations", "reason", "status", "confidence", "answerability", "quote", "sentence",
        "sentences", "signals", "timings", "searched", "kind", "lead", "quotes",  # the last three: issue 39
    ]
    assert {"n", "doc_id", "title", "text", "score", "paragraph", "also_in"} <= {f.name for f in dataclasses.fields(rag.Citation)}
    for method in ("ask", "stream", "ingest", "retrieve", "documents", "load", "from_index", "from_settings"):
        assert callable(getattr(rag.Assistant, method)), method
    assert issubclass(rag.RagError, Exception)
    assert isinstance(rag.__version__, str) and rag.__version__[0].isdigit()


def test_import_rag_loads_no_heavy_library():
    heavy = ["torch", "llama_cpp", "chromadb", "gradio", "sentence_transformers", "langchain_chroma"]
    code = (
        "import sys, json, rag; from rag import Assistant; Assistant();"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_answer_json_shape():
    answer = rag.Answer(
        text="بيراموف [1]",
        refused=False,
        language="ar",
        citations=[rag.Citation(n=1, doc_id="d", title="t", text="p", score=0.812345, paragraph=2,
                                date="2026-11-20", source="Reuters")],
    )
    assert answer.to_dict() == {
        "answer": "بيراموف [1]",
        "refused": False,
        "status": "answered",  # derived from refused when not given
        "confidence": None,  # not measured
        "answerability": None,  # added in issue 28
        "quote": "",
        "sentence": "",
        "sentences": [],  # added in issue 28
        "language": "ar",
        "reason": "",
        "searched": "",  # added in issue 32
        "kind": "", "lead": "", "quotes": [],  # added in issue 39
        "citations": [{"n": 1, "doc_id": "d", "title": "t", "text": "p", "score": 0.8123,
                       "date": "2026-11-20", "source": "Reuters", "also_published_by": [],  # added in issue 18
                       "paragraph": 2}],  # added in issue 19
    }
    refusal = rag.Answer(text="…", refused=True, language="en", reason="off_topic").to_dict()
    assert refusal["refused"] is True and refusal["status"] == "refused" and refusal["reason"] == "off_topic"
    assert refusal["citations"] == []
    json.dumps(refusal)


def test_the_three_outcomes_agree_with_refused():
    unsure = rag.Answer(text="ربما: بيراموف [1]. اقرأ النص: «جدد وزير خارجية أذربيجان جيهون بيراموف»", refused=False,
                        language="ar", status="unsure", confidence=0.41, quote="جيهون بيراموف",
                        sentence="جدد وزير خارجية أذربيجان جيهون بيراموف")
    assert unsure.to_dict()["status"] == "unsure" and unsure.to_dict()["confidence"] == 0.41
    assert "جدد" not in unsure.likely_answer and "بيراموف" in unsure.likely_answer
    with pytest.raises(ValueError):
        rag.Answer(text="x", refused=True, language="en", status="answered")
    with pytest.raises(ValueError):
        rag.Answer(text="x", refused=False, language="en", status="maybe")
