"""Dates and sources from the files to the answer, and the date/source filter pushed down to
a real Chroma index (fake embeddings: the logic, not the model)."""

from __future__ import annotations

import pytest

from rag.errors import InvalidQuestionError

WIRE = {
    # name: (date, source, text); the same event reported three times, a year apart
    "old.txt": ("2025-11-20", "Reuters", "The port of Yevlakh reopened after the floods, the minister said."),
    "new.txt": ("2026-11-20", "BBC", "The port of Yevlakh closed again because of the storm, the minister said."),
    "newer.md": ("2026-11-22", "Reuters", "Ferries will return to the port of Yevlakh next week, officials said."),
}


@pytest.fixture
def dated(tmp_path, make_assistant):
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, (day, source, text) in WIRE.items():
        (folder / name).write_text(f"---\ndate: {day}\nsource: {source}\n---\n{text}\n", encoding="utf-8")
    (folder / "undated.txt").write_text("The port of Yevlakh is the largest on the river.\n", encoding="utf-8")
    assistant = make_assistant(seeds_dir=folder, context_passages=1)
    assistant.ingest(progress=False)
    return assistant


def doc_ids(passages):
    return {p.doc_id for p in passages}


def test_documents_and_citations_carry_date_and_source(dated):
    docs = dated.documents()
    assert (docs["new"]["date"], docs["new"]["source"]) == ("2026-11-20", "BBC")
    assert "date" not in docs["undated"] and "source" not in docs["undated"]
    answer = dated.ask("What happened at the port of Yevlakh?", since="2026-11-21")
    assert answer.citations and all((c.date, c.source) == ("2026-11-22", "Reuters") for c in answer.citations)
    assert answer.to_dict()["citations"][0]["date"] == "2026-11-22"


def test_filters_are_applied_by_the_store_not_after_retrieval(dated):
    question = "Why did the port of Yevlakh close again because of the storm?"
    assert [p.doc_id for p in dated.retrieve(question, k=1)] == ["new"]  # the best passage overall
    # k=1 with the best passage outside the range: a post-filter would find nothing.
    assert doc_ids(dated.retrieve(question, k=1, until="2025-12-31")) == {"old"}
    assert doc_ids(dated.retrieve(question, k=4, since="2026-01-01")) == {"new", "newer"}
    assert doc_ids(dated.retrieve(question, k=4, sources=["Reuters"])) == {"old", "newer"}
    assert doc_ids(dated.retrieve(question, k=4, since="2026-01-01", sources=["Reuters"])) == {"newer"}
    assert dated.retrieve(question, k=4, sources=["Nobody"]) == []  # undated/unsourced text is never let in


def test_keyword_search_honours_the_filter(dated):
    # "Ferries" is a word of one article only: BM25 finds it overall, never outside the filter.
    assert "newer" in doc_ids(dated.retrieve("Ferries", k=4))
    assert "newer" not in doc_ids(dated.retrieve("Ferries", k=4, until="2026-11-21"))


def test_no_article_in_range_is_a_refusal_not_an_error(dated):
    answer = dated.ask("What happened at the port of Yevlakh?", since="2030-01-01")
    assert answer.refused and not answer.citations


def test_bad_dates_are_a_clear_error_before_any_search(dated):
    with pytest.raises(InvalidQuestionError, match="YYYY-MM-DD"):
        dated.ask("What happened at the port?", since="last week")
