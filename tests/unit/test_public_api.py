import json
import subprocess
import sys

import rag


def test_all_is_pinned():
    assert rag.__all__ == ["Answer", "Assistant", "Citation", "RagError", "Settings"]
    for name in rag.__all__:
        assert getattr(rag, name) is not None


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
        citations=[rag.Citation(n=1, doc_id="d", title="t", text="p", score=0.812345, paragraph=2)],
    )
    assert answer.to_dict() == {
        "answer": "بيراموف [1]",
        "refused": False,
        "language": "ar",
        "citations": [{"n": 1, "doc_id": "d", "title": "t", "text": "p", "score": 0.8123}],
    }
