"""The hybrid search as a LangChain retriever, for chains built around the product.

`Assistant.as_retriever(k=4)` returns a `langchain_core` `BaseRetriever`: the same
dense + keyword search, fusion and near-duplicate collapsing the answers are made from,
with the date and source limits of `Assistant.retrieve`. Each `Document` carries the
passage's text, its chunk id as `id`, and the metadata a citation shows (article, title,
paragraph, date, publisher, other publishers, cosine score).

It passes langchain-tests' standard `RetrieversIntegrationTests` (tests/integration/
test_langchain_retriever.py), so it composes as any LangChain retriever does.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field


class NewsRetriever(BaseRetriever):
    """Passages of the indexed articles for a query, best first (at most `k`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any = Field(description="The rag.Assistant whose index is searched.")
    k: int = Field(4, ge=1, description="How many passages to return.")
    since: str | None = Field(None, description="Only articles published on or after this date (YYYY-MM-DD).")
    until: str | None = Field(None, description="Only articles published on or before this date (YYYY-MM-DD).")
    sources: list[str] | None = Field(None, description="Only articles from these publishers.")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None,
        since: str | None = None, until: str | None = None, sources: list[str] | None = None,
    ) -> list[Document]:
        passages = self.assistant.retrieve(
            query, k or self.k, since=since or self.since, until=until or self.until, sources=sources or self.sources,
        )
        return [
            Document(
                id=p.chunk_id,
                page_content=p.text,
                metadata={
                    "chunk_id": p.chunk_id, "doc_id": p.doc_id, "title": p.title, "paragraph": p.paragraph,
                    "score": round(p.score, 4), "date": p.date, "source": p.source,
                    "also_published_by": list(p.also_published_by), "also_in": list(p.also_in),
                },
            )
            for p in passages
        ]
