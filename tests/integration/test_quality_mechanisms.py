"""Each quality mechanism, checked with the real embedder and LLM where it depends on them."""

from __future__ import annotations

from rag.cite import cite
from rag.generate import FirstTokenProbe


def test_keyword_search_finds_the_exact_number_and_inflected_words(assistant):
    # "شاحنة" (truck) meets "شاحنات" (trucks) through light stemming; BM25 puts it first.
    hits = assistant.index.keyword_search("كم شاحنة حملت مساعدات وزارة الطوارئ؟", 4)
    assert "شاحنات" in hits[0][1]
    passages = assistant.retrieve("كم شاحنة حملت مساعدات وزارة الطوارئ؟")
    assert "شاحنات" in passages[0].text
    assert all(p.score > 0.2 for p in passages[:1])  # fused results keep their dense cosine


def test_the_paragraph_both_articles_share_is_shown_once_and_credits_both(assistant):
    passages = assistant.retrieve("كم يوماً استمرت المعارك في حرب عام 2020؟", k=4)
    shared = [p for p in passages if "44" in p.text]
    assert len(shared) == 1 and shared[0].also_in  # one copy, naming the other article


def test_the_prompt_holds_the_answering_sentence_not_whole_passages(assistant):
    evidence = assistant._evidence("كم طناً من المواد الغذائية والمنظفات تضمنت مساعدات وزارة الطوارئ؟")
    shown = " ".join(e.text for e in evidence)
    assert "40" in shown and len(shown) <= assistant.settings.context_chars
    assert len(shown) < sum(len(e.passage.text) for e in evidence)  # sentences, not paragraphs


def test_a_near_topic_question_passing_the_score_gate_is_refused(assistant):
    question = "How many Russian peacekeepers were killed?"  # the article says the number was not given
    assert max(p.score for p in assistant.retrieve(question)) >= assistant.settings.min_score
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == []
    assert answer.text == "The articles do not contain the answer to this question."


def test_the_no_answer_probe_reads_the_real_model(assistant):
    # Passages about aid trucks; a question about something else: the model leans to NO_ANSWER.
    evidence = assistant._evidence("كم شاحنة حملت مساعدات وزارة الطوارئ؟")
    probe = FirstTokenProbe("NO_ANSWER", "No_answer")
    messages = assistant._messages("ما هو سعر تذكرة الطيران إلى باكو؟", "ar", evidence)
    "".join(assistant.generator.stream_chat(messages, max_tokens=4, probe=probe))
    leaning_no = probe.probability
    probe = FirstTokenProbe("NO_ANSWER", "No_answer")
    messages = assistant._messages("كم شاحنة حملت مساعدات وزارة الطوارئ؟", "ar", evidence)
    "".join(assistant.generator.stream_chat(messages, max_tokens=4, probe=probe))
    assert leaning_no is not None and probe.probability is not None
    assert leaning_no > 0.5 > probe.probability


def test_a_wrong_citation_on_an_english_sentence_is_repaired_by_the_real_embedder(assistant):
    passages = assistant.retrieve("من هو وزير خارجية أذربيجان؟", k=1) + assistant.retrieve(
        "كم شاحنة حملت مساعدات وزارة الطوارئ؟", k=1
    )
    text, citations = cite("The aid arrived on four trucks [1].", passages, support=assistant._support)
    assert text == "The aid arrived on four trucks [2]." and [c.n for c in citations] == [2]
