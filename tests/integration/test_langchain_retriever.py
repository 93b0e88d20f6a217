"""`Assistant.as_retriever()` against langchain-tests' standard retriever suite, on the real index.

Every standard test applies and runs: constructing with k, invoke with a k keyword,
invoke and ainvoke returning Documents.
"""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.retriever import NewsRetriever

QUESTION = "من هو وزير خارجية أذربيجان؟"


class TestNewsRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _real_assistant(self, assistant):
        self.assistant = assistant  # the session's product, over the real seed index

    @property
    def retriever_constructor(self) -> type[NewsRetriever]:
        return NewsRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"assistant": self.assistant, "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return QUESTION


def test_as_retriever_finds_the_evidence_keeps_citation_metadata_and_composes(assistant):
    retriever = assistant.as_retriever(k=3)
    docs = retriever.invoke(QUESTION)
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert any("بيراموف" in d.page_content for d in docs)
    top = docs[0]
    assert top.id == top.metadata["chunk_id"] and top.metadata["doc_id"] in assistant.documents()
    assert {"title", "paragraph", "score", "date", "source", "also_published_by"} <= set(top.metadata)
    # Same passages as Assistant.retrieve, in the same order.
    assert [d.page_content for d in docs] == [p.text for p in assistant.retrieve(QUESTION, 3)]
    # A chain: retriever | formatter.
    chain = retriever | RunnableLambda(lambda ds: "\n\n".join(d.page_content for d in ds))
    assert "بيراموف" in chain.invoke(QUESTION)
    # The date filter is pushed down: the seed articles carry no date, so a range excludes them all.
    assert assistant.as_retriever(k=3, since="2020-01-01").invoke(QUESTION) == []
