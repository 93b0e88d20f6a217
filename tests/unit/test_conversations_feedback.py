"""Saved conversations, feedback lines and their export to a question set: the logic, without a page or a model."""

from __future__ import annotations

import json

import pytest

from rag.devtools.evaluate import Record, load_questions, metrics
from rag.devtools.feedback import export, read_entries, to_question
from rag.errors import RagError
from rag.types import Answer, Citation
from rag.web import conversations as convs
from rag.web.feedback import FeedbackLog
from rag.web.render import plain_history, record_of, render_answer, render_article, render_user, shown_as_typed

CITATION = Citation(n=1, doc_id="d1", title="Aid convoy", text="Azerbaijan sent 40 tons of aid on Monday.", score=0.7,
                    paragraph=2, date="2023-09-20", source="Reuters")
ANSWER = Answer(text="40 tons [1]", refused=False, citations=[CITATION], language="en", quote="40 tons",
                sentence="Azerbaijan sent 40 tons of aid on Monday.", confidence=0.91)
REFUSAL = Answer(text="I could not find the answer.", refused=True, language="en", reason="off_topic")


def _turn(question: str, answer: Answer) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": render_answer(answer, question)}]


def test_a_rendered_answer_carries_its_record_and_the_preview_marks_the_cited_passage():
    html = render_answer(ANSWER, "How much aid?", {"d1": ["Intro.", CITATION.text, "More."]}, {"sources": ["Reuters"]})
    record = record_of(html)
    assert record["question"] == "How much aid?" and record["answer"] == "40 tons [1]"
    assert record["citations"][0]["paragraph"] == 2 and record["scope"] == {"sources": ["Reuters"]}
    assert '<details class="rag-article"' in html and 'mark class="rag-cited">Azerbaijan sent 40 tons' in html
    assert record_of("<p>plain</p>") is None and record_of([{"type": "text", "text": html}]) == record
    assert render_article(["<b>x</b>"], "none") == '<div class="rag-article-text"><p dir="auto">&lt;b&gt;x&lt;/b&gt;</p></div>'


def test_conversations_save_rename_delete_and_keep_the_newest_first():
    first, conv_id = convs.save([], None, _turn("How much aid?", ANSWER))
    assert first[0]["title"] == "How much aid?" and conv_id
    more = _turn("How much aid?", ANSWER) + _turn("Who won the cup?", REFUSAL)
    listed, same = convs.save(first, conv_id, more)
    assert same == conv_id and len(listed) == 1 and len(listed[0]["messages"]) == 4
    listed, other = convs.save(listed, None, _turn("Second", ANSWER))
    assert [c["id"] for c in listed] == [other, conv_id]
    renamed = convs.rename(listed, conv_id, "  Aid   questions ")
    assert convs.find(renamed, conv_id)["title"] == "Aid questions"
    assert convs.save(renamed, conv_id, more)[0] == renamed  # saved again unchanged: it keeps its place
    kept, _ = convs.save(renamed, conv_id, more + _turn("And then?", ANSWER))  # a renamed one keeps its name as it grows
    assert convs.find(kept, conv_id)["title"] == "Aid questions"
    assert convs.rename(kept, conv_id, "   ") == kept
    assert [c["id"] for c in convs.delete(kept, conv_id)] == [other]
    assert convs.choices(kept)[0][1] == conv_id and "Aid questions" in convs.choices(kept)[0][0]


def test_a_listed_title_keeps_its_time_stamp_left_to_right():
    conversation = {"id": "c1", "title": "وزير الخارجية", "updated": "2026-12-03T09:26:41+00:00", "messages": []}
    label = convs.choices([conversation])[0][0]
    # The title isolated in its own direction, the stamp on its own line, left to right (<bdi>, <bdi dir="ltr">).
    assert label == "\u2068وزير الخارجية\u2069\n\u20662026-12-03 09:26\u2069"


def test_conversations_of_the_same_title_are_numbered_and_an_untitled_one_is_named_in_the_page_language():
    held = [{"id": f"c{i}", "title": "ما المساعدات؟", "updated": f"2026-12-03T09:2{i}:00+00:00", "messages": []}
            for i in (3, 2, 1)]  # newest first, as saved
    labels = [label.split("\n")[0].strip("\u2068\u2069") for label, _ in convs.choices(held)]
    assert labels == ["ما المساعدات؟ (3)", "ما المساعدات؟ (2)", "ما المساعدات؟"]
    # The oldest used again moves to the top: each conversation keeps its own number (by when it was started).
    started = [{**c, "created": c["updated"]} for c in held]
    reused = [{**started[2], "updated": "2026-12-03T09:30:00+00:00"}, started[0], started[1]]
    numbers = {conv_id: label.split("\n")[0].strip("\u2068\u2069") for label, conv_id in convs.choices(reused)}
    assert numbers == {"c1": "ما المساعدات؟", "c3": "ما المساعدات؟ (3)", "c2": "ما المساعدات؟ (2)"}
    # Saved before "created" existed: dated once by its last use, then it keeps its number when used again.
    old = [{k: v for k, v in c.items() if k != "created"} for c in held]
    grown, _ = convs.save(old, "c1", [*old[2]["messages"], {"role": "user", "content": "و؟"}])
    assert convs.find(grown, "c1")["created"] == "2026-12-03T09:21:00+00:00"
    untitled = [{"id": "c9", "title": "", "updated": "", "messages": []}]
    assert "محادثة جديدة" in convs.choices(untitled, "ar")[0][0] and "New conversation" in convs.choices(untitled)[0][0]


def test_markdown_export_keeps_each_answer_with_its_sources():
    conversation = convs.save([], None, _turn("How much aid?", ANSWER) + _turn("Who won the cup?", REFUSAL))[0][0]
    md = convs.to_markdown(conversation)
    assert md.startswith("# How much aid?")
    assert "**Question:** How much aid?" in md and "**Answer** (answered, model score 0.91): 40 tons [1]" in md
    assert "- [1] Aid convoy · Reuters · 2023-09-20 (paragraph 3)" in md and "d1" not in md  # titles, not ids
    assert "  > Azerbaijan sent 40 tons of aid on Monday." in md
    assert "**Answer** (refused): I could not find the answer." in md
    arabic = convs.to_markdown(conversation, "ar")
    assert "**السؤال:** How much aid?" in arabic
    assert "**الإجابة** (أُجيب عنه، درجة النموذج 0.91): 40 tons [1]" in arabic and "المصادر:" in arabic and "(الفقرة 3)" in arabic


def test_a_typed_tag_stays_text_in_the_chat_the_saved_conversation_and_the_export():
    from markdown_it import MarkdownIt

    typed = "<img src=x onerror=alert(1)> who is the *foreign* minister?"
    shown = render_user(typed)
    assert shown == '<div class="rag-user">&lt;img src=x onerror=alert(1)&gt; who is the *foreign* minister?</div>'
    messages = [{"role": "user", "content": shown}, {"role": "assistant", "content": render_answer(ANSWER, typed)}]
    assert plain_history(messages)[0] == {"role": "user", "content": typed}  # the follow-up sees what was typed
    conversation = convs.save([], None, messages)[0][0]
    assert conversation["title"] == typed
    md = convs.to_markdown(conversation)
    assert md.startswith("# \\<img src=x onerror=alert(1)\\> who is the \\*foreign\\* minister?\n")
    assert "**Question:** \\<img src=x onerror=alert(1)\\> who is the \\*foreign\\* minister?" in md
    for line in md.splitlines()[:1] + [line for line in md.splitlines() if line.startswith("**Question:**")]:
        rendered = MarkdownIt("commonmark").render(line)
        assert "<img" not in rendered and "<em>" not in rendered, rendered
        assert "&lt;img src=x onerror=alert(1)&gt; who is the *foreign* minister?" in rendered, rendered
    # A question saved before it was rendered holds the raw text: it is rendered as typed when reopened.
    assert shown_as_typed({"role": "user", "content": typed}) == {"role": "user", "content": shown}
    parts = {"role": "user", "content": [{"type": "text", "text": shown}]}
    assert shown_as_typed(parts) is parts and shown_as_typed(messages[1]) is messages[1]


def test_each_logged_in_user_has_their_own_conversations_and_a_damaged_file_is_kept_aside(tmp_path):
    store = convs.UserConversations(tmp_path)
    store.store("alice", [{"id": "a", "title": "A", "messages": []}])
    assert store.load("alice")[0]["id"] == "a" and store.load("bob") == []
    broken = next(tmp_path.glob("*.json"))
    broken.write_text("{not json")
    assert store.load("alice") == [] and list(tmp_path.glob("*.damaged-*"))


def _log(tmp_path) -> FeedbackLog:
    return FeedbackLog(tmp_path / "feedback.jsonl", {"top_k": 4}, {"llm": "m", "embedder": "e"})


def test_feedback_lines_hold_question_answer_citations_settings_models_and_time(tmp_path):
    log = _log(tmp_path)
    record = record_of(render_answer(ANSWER, "How much aid?"))
    first = log.add(record, liked=False)
    log.add(record, liked=False, correction="40 tonnes", entry_id=first["id"], user="alice")
    lines = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and lines[0]["id"] == lines[1]["id"]
    assert lines[1]["correction"] == "40 tonnes" and lines[1]["user"] == "alice"
    assert lines[0]["question"] == "How much aid?" and lines[0]["citations"][0]["doc_id"] == "d1"
    assert lines[0]["settings"] == {"top_k": 4} and lines[0]["models"] == {"llm": "m", "embedder": "e"} and lines[0]["time"]
    with pytest.raises(RagError):
        log.add({"question": ""}, liked=True)
    with pytest.raises(RagError):
        log.add(record, liked=False, correction="x" * 5000)


def test_export_turns_each_kind_of_judgement_into_the_question_it_says(tmp_path):
    log = _log(tmp_path)
    answered = record_of(render_answer(ANSWER, "How much aid?"))
    refused = record_of(render_answer(REFUSAL, "Who won the cup?"))
    up = to_question(log.add(answered, True))
    assert up["id"].startswith("fb-") and up == {
        "id": up["id"], "question": "How much aid?", "lang": "en", "answerable": True, "answers": ["40 tons"],
        "evidence": ["Azerbaijan sent 40 tons of aid on Monday."]}
    assert to_question(log.add(refused, True))["answerable"] is False
    down_refusal = to_question(log.add(refused, False))
    assert down_refusal["answerable"] is True and down_refusal["answers"] == []
    assert to_question(log.add(answered, False)) is None  # wrong, but what is right is not said
    corrected = to_question(log.add(answered, False, correction="41 tons"))
    assert corrected["answers"] == ["41 tons"] and corrected["answerable"] is True and corrected["evidence"] == []


def test_export_keeps_the_last_line_of_an_id_and_the_latest_judgement_of_a_question(tmp_path):
    log = _log(tmp_path)
    answered = record_of(render_answer(ANSWER, "How much aid?"))
    first = log.add(answered, False)
    log.add(answered, False, correction="41 tons", entry_id=first["id"])
    log.add(record_of(render_answer(REFUSAL, "Who won the cup?")), False)
    with open(tmp_path / "feedback.jsonl", "a") as f:
        f.write("{broken\n")
    entries, bad = read_entries(tmp_path / "feedback.jsonl")
    assert len(entries) == 2 and bad == 1 and entries[0]["correction"] == "41 tons"
    counts = export(tmp_path / "feedback.jsonl", tmp_path / "q.jsonl")
    assert counts == {"questions": 2, "skipped": 0, "unreadable": 1, "superseded": 0}
    questions = load_questions(tmp_path / "q.jsonl")  # rag eval's own loader reads it
    assert [q.answerable for q in questions] == [True, True] and questions[0].answers == ("41 tons",)
    assert not questions[1].answers and not questions[1].evidence
    with pytest.raises(RagError):
        export(tmp_path / "missing.jsonl", tmp_path / "q2.jsonl")


def test_eval_scores_a_question_marked_answerable_without_evidence(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps({"id": "a", "question": "How much aid?", "lang": "en", "answerable": True, "answers": ["40 tons"]}) + "\n"
        + json.dumps({"id": "b", "question": "Who won?", "lang": "en", "answerable": True}) + "\n"
        + json.dumps({"id": "c", "question": "Who?", "lang": "en", "answers": ["x"], "evidence": ["y"], "answerable": False}) + "\n"
    )
    with pytest.raises(RagError, match="cannot be marked unanswerable"):
        load_questions(path)
    path.write_text("\n".join(path.read_text().splitlines()[:2]) + "\n")
    keyed, unkeyed = load_questions(path)
    records = [Record(keyed, ANSWER, [], 1.0, 0.5), Record(unkeyed, REFUSAL, [], 1.0, 0.5)]
    assert records[0].correct and not records[1].correct and records[0].rank is None
    m = metrics(records)
    assert m["answer_acc"] == 0.5 and m["false_refusal"] == 0.5 and m["recall_at_1"] is None and m["citation_acc"] is None


def test_the_browser_copy_is_encrypted_with_a_key_that_survives_a_restart(tmp_path):
    key = convs.browser_secret(tmp_path)
    assert len(key) == 32 and convs.browser_secret(tmp_path) == key  # the next start derives the same key
    assert convs.browser_secret(tmp_path / "other") != key and not list(tmp_path.iterdir())  # per home; nothing written
