"""The prompt's fixed openings: read once, saved beside the model cache, restored at start (llm/openings.py).

Real llama.cpp on the tiny GGUF and on the default one. What must hold: a restored
opening changes no answer (greedy decoding gives the very same text as a cold read), the
state is found again by a fresh backend instead of being re-read, a damaged state file
costs a re-read and nothing else, and a restored opening saves the prompt time it should.
"""

from __future__ import annotations

import shutil

import pytest

from rag.answering.pipeline import openings
from rag.answering.prompt import answer_messages
from rag.answering.select import Evidence
from rag.llm.llamacpp import LlamaCppLLM
from rag.settings import Settings
from rag.weights import DEFAULT_LLM, REGISTRY, ensure

PASSAGE = "أعلن وزير الطوارئ الأذربيجاني كمال الدين حيدروف أن الوزارة أرسلت 40 طنا من المساعدات."


def _evidence():
    from rag.answering.retrieve import Passage

    passage = Passage(doc_id="d", title="t", text=PASSAGE, paragraph=0, chunk_id="d:0", score=0.9)
    return [Evidence(text=PASSAGE, passage=passage)]


def _answer(llm: LlamaCppLLM, question: str) -> str:
    return "".join(llm.stream_chat(answer_messages(question, "ar", _evidence()), max_tokens=24))


@pytest.fixture(scope="module")
def cold_answers(tiny_llm_path):
    """Answers read with no opening prepared: the reference."""
    llm = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    return {q: _answer(llm, q) for q in ("كم طنا أرسلت الوزارة؟", "من هو وزير الطوارئ؟")}


@pytest.fixture(scope="module")
def saved_states(tiny_llm_path, tmp_path_factory):
    """The two openings of "auto" (the answer prompt's and the extraction prompt's), read once and saved: each
    test works on a copy (read again per test, they were 40 of this module's 51 s)."""
    folder = tmp_path_factory.mktemp("prompt-states")
    first = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    first.prepare(openings("auto"), folder)
    saved = sorted(folder.glob("*.npz"))
    assert len(first.openings) == 2 and len(saved) == 2 and all(f.stat().st_size > 100_000 for f in saved)
    return folder, [o.tokens for o in first.openings]


def _copy(states, tmp_path):
    shutil.copytree(states, tmp_path / "states")
    return tmp_path / "states"


def test_an_opening_is_saved_once_and_restored_by_a_fresh_backend(tiny_llm_path, tmp_path, cold_answers, saved_states):
    folder = _copy(saved_states[0], tmp_path)
    times = {f: f.stat().st_mtime_ns for f in folder.glob("*.npz")}
    fresh = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    fresh.prepare(openings("guided"), folder)  # the answer prompt's opening alone
    assert {f: f.stat().st_mtime_ns for f in folder.glob("*.npz")} == times  # restored, not read and written again
    assert [o.tokens for o in fresh.openings] == saved_states[1][:1]
    for question, reference in cold_answers.items():
        assert _answer(fresh, question) == reference  # greedy: the restored opening changes nothing

    auto = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    auto.prepare(openings("auto"), folder)
    assert [o.tokens for o in auto.openings] == saved_states[1]
    assert {f: f.stat().st_mtime_ns for f in folder.glob("*.npz")} == times


def test_switching_openings_between_questions_changes_no_answer(tiny_llm_path, tmp_path, cold_answers, saved_states):
    from rag.answering.extract import extract_messages

    llm = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    llm.prepare(openings("auto"), _copy(saved_states[0], tmp_path))
    for question, reference in cold_answers.items():
        "".join(llm.stream_chat(extract_messages(question, _evidence()), max_tokens=8))  # the other opening in between
        assert _answer(llm, question) == reference


def test_a_damaged_state_file_is_read_again(tiny_llm_path, tmp_path, cold_answers, saved_states):
    folder = _copy(saved_states[0], tmp_path)
    for path in folder.glob("*.npz"):
        path.write_bytes(b"not a state")
    llm = LlamaCppLLM(tiny_llm_path, n_ctx=2048)
    llm.prepare(openings("guided"), folder)
    sizes = sorted(f.stat().st_size for f in folder.glob("*.npz"))
    assert sizes[0] == len(b"not a state") and sizes[1] > 100_000  # the one it needs read again and saved again
    question, reference = next(iter(cold_answers.items()))
    assert _answer(llm, question) == reference


def test_a_restored_opening_spares_the_prompt_time_on_the_default_model():
    """On the bundled model the opening is most of the prompt: a fresh backend's first question
    reads only its own tokens. Counted by llama.cpp itself (prompt tokens decoded), not timed."""
    import llama_cpp

    model = ensure(REGISTRY[DEFAULT_LLM], Settings().models_dir)
    llm = LlamaCppLLM(model)
    llm.prepare(openings("guided"), Settings().models_dir / "prompt-states")
    messages = answer_messages("كم طنا أرسلت الوزارة؟", "ar", _evidence())
    opening = llm.opening_for(messages)
    assert opening is not None and len(opening.tokens) > 300
    llama_cpp.llama_perf_context_reset(llm.llm.ctx)
    assert list(llm.stream_chat(messages, max_tokens=4))
    read = llama_cpp.llama_perf_context(llm.llm.ctx).n_p_eval
    assert 0 < read < 150, read  # the question's own turn, not the 600-token opening
