from fakes import FakeEmbeddings
from fakes import FakeLLM as FakeGenerator

from rag import Assistant
from rag.answering.followup import clean_rewrite, history_messages, needs_rewrite

HISTORY = [{"role": "user", "content": "من هو وزير خارجية أذربيجان؟"}, {"role": "assistant", "content": "جيهون بيراموف [1]"}]


def test_follow_ups_are_recognised_only_with_a_conversation():
    for q in ("وأين ألقى كلمته؟", "ومن قال ذلك؟", "ماذا قال عنه بوتين؟", "Where did he give his speech?", "And who mediated it?"):
        assert needs_rewrite(q, HISTORY), q
        assert not needs_rewrite(q, []), q
    for q in ("من هو وزير خارجية أذربيجان؟", "ما هي عاصمة الإقليم؟", "How many trucks carried the aid?",
              "Who is the foreign minister of Azerbaijan and where did he give his speech to the council?"):
        assert not needs_rewrite(q, HISTORY), q


def test_history_accepts_messages_and_pairs():
    pairs = [("q1", "a1"), ("q2", None)]
    assert history_messages(pairs) == [
        {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"}
    ]
    noisy = [{"role": "assistant", "content": {"file": "x.png"}}, {"role": "system", "content": "x"}, *HISTORY]
    assert history_messages(noisy) == HISTORY
    assert len(history_messages([("q", "a")] * 10)) == 8
    gradio6 = [  # what gr.ChatInterface hands its function in Gradio 6
        {"role": "user", "content": [{"type": "text", "text": "من هو وزير خارجية أذربيجان؟"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "جيهون بيراموف [1]"}, {"type": "file", "file": {}}]},
    ]
    assert history_messages(gradio6) == HISTORY


def test_rewrite_is_kept_only_when_it_resolves_something():
    assert clean_rewrite("Standalone question: Where did Jeyhun Bayramov speak?", "Where did he speak?", HISTORY) == (
        "Where did Jeyhun Bayramov speak?"
    )
    # Unresolved (nothing new) or in the wrong language: previous question + follow-up.
    fallback = "من هو وزير خارجية أذربيجان؟ وأين ألقى كلمته؟"
    assert clean_rewrite("أين ألقى كلمته؟", "وأين ألقى كلمته؟", HISTORY) == fallback
    assert clean_rewrite("Where did John speak?", "وأين ألقى كلمته؟", HISTORY) == fallback
    assert clean_rewrite("", "وأين ألقى كلمته؟", HISTORY) == fallback


def test_assistant_retrieves_with_the_standalone_question(tmp_path, seeds_copy):
    def reply(messages):
        if "standalone question" in messages[0]["content"]:
            return "أين ألقى وزير خارجية أذربيجان جيهون بيراموف كلمته؟"
        return "في مجلس الأمن الدولي [1]."

    gen = FakeGenerator(reply)
    a = Assistant(generator=gen, embeddings=FakeEmbeddings(), seeds_dir=seeds_copy, index_dir=tmp_path / "i", min_score=0.05,
                  context_chars=5000, context_passages=4, answer_mode="free", answer_at=0.0,
                  self_check=False)
    answer = a.ask("وأين ألقى كلمته؟", history=HISTORY)
    assert len(gen.calls) == 2 and not answer.refused and answer.language == "ar"
    assert "جيهون بيراموف كلمته" in gen.calls[1][-1]["content"]  # the answer prompt got the rewrite
    a.ask("من هو وزير خارجية أذربيجان؟", history=HISTORY)
    assert len(gen.calls) == 3  # a standalone question costs no rewrite call


def test_a_question_that_stands_on_its_own_is_not_rewritten_in_a_conversation():
    # Issue 32: "Why were the Russian peacekeepers killed on Wednesday?" was rewritten into the previous
    # question's topic. A wh-question naming its own subject stands alone; one leaning on a pronoun does not.
    putin = [{"role": "user", "content": "What did Putin say about the Karabakh operation?"},
             {"role": "assistant", "content": "He said it was an internal matter [1]."}]
    for q in ("Why were the Russian peacekeepers killed on Wednesday?", "When did Azerbaijan launch its operation?",
              "Where did the Azerbaijani and Armenian officials meet?", "لماذا قتل جنود حفظ السلام الروس يوم الأربعاء؟"):
        assert not needs_rewrite(q, putin), q
    for q in ("Why did he say that?", "When did it happen?", "ومتى حدث ذلك؟", "And where?", "What about Armenia?"):
        assert needs_rewrite(q, putin), q


def test_a_rewrite_that_drops_the_follow_ups_question_is_not_kept():
    # Measured: "وأين ألقى كلمته؟" came back as the previous question itself, and its answer was repeated.
    assert clean_rewrite("من هو وزير خارجية أذربيجان؟", "وأين ألقى كلمته؟", HISTORY) == (
        "من هو وزير خارجية أذربيجان؟ وأين ألقى كلمته؟")
    assert clean_rewrite("متى قال بوتين إن بلاده على اتصال؟", "ومتى حدث ذلك؟", HISTORY) == "متى قال بوتين إن بلاده على اتصال؟"


def test_a_bare_question_word_is_a_follow_up_and_a_preposition_is_not_a_question_word():
    for q in ("When?", "Where?", "How many?", "كم عمره؟"):
        assert needs_rewrite(q, HISTORY), q
    # "من" in "ومتى عاد من نيويورك؟" is "from": the rewrite into the previous question does not keep "when"
    assert clean_rewrite("من هو وزير خارجية أذربيجان؟", "ومتى عاد من نيويورك؟", HISTORY).endswith("ومتى عاد من نيويورك؟")
