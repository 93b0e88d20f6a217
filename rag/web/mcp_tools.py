"""The library as an MCP server: `rag mcp` (stdio) and `/mcp` on `rag serve` (streamable HTTP).

Why: the assistants people already work in (Claude Desktop, Cursor, any MCP client) can then search
and ask this library. Built on the official MCP Python SDK (`mcp.server.mcpserver.MCPServer`).

Four tools and one resource template:
- `ask`: the answer with its status, confidence, quote and citations, exactly as `rag ask --json`;
- `search`: passages with title, date, source and score, with the same date and source filters;
- `list_articles` and `get_article`; each article is also the resource `article://{doc_id}`.

Served, the tools take the page's model lane: an MCP client waits its turn as a page user does.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any

from pydantic import Field

from ..errors import RagError

INSTRUCTIONS = (
    "A question-answering assistant over a library of news articles (Arabic and English). Use `ask` for an answer "
    "with citations, `search` for the passages themselves, `list_articles` and `get_article` to browse. `ask` "
    "answers only from the articles and says how sure it is: status 'answered' (the cited passages support it), "
    "'unsure' (a likely answer with the sentence it comes from: check it), or 'refused' (the articles do not hold "
    "the answer: say so rather than guess)."
)
ASK = (
    "Answer a question (Arabic or English) from the news articles, with [n] citations. Returns the answer text, "
    "status ('answered': supported by the cited passages; 'unsure': a likely answer, with the source sentence to "
    "check; 'refused': the articles do not hold the answer, and `answer` says so), confidence (0-1), the verbatim "
    "quote, and citations (doc_id, title, date, source, passage). Optional filters: since/until (YYYY-MM-DD, "
    "inclusive) and sources (publisher names, as list_articles gives them). Takes seconds: a local model writes it."
)
SEARCH = (
    "Find the passages of the news articles closest to a query (hybrid keyword and semantic search), best first, "
    "each with its article's doc_id, title, date, source, paragraph and score (cosine similarity, higher is closer). "
    "No model writes anything: fast. Optional filters: since/until (YYYY-MM-DD) and sources."
)
LIST = "List the articles in the library: doc_id, title, date, source, url and passage count, newest first."
GET = "One article in full, by doc_id (as list_articles or a citation gives it): its title, date, source, url and paragraphs."

Question = Annotated[str, Field(min_length=1, max_length=2000, description="the question, in Arabic or English")]
Day = Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
Sources = Annotated[list[str] | None, Field(description="publisher names, as list_articles gives them")]


def build_mcp(assistant, *, lane=None, ready=lambda: True):
    """An MCPServer whose tools call `assistant`; `lane` is the served app's model lock, if any."""
    import anyio
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from .. import __version__

    server = MCPServer(name="rag-news", title="News library", version=__version__, instructions=INSTRUCTIONS,
                       log_level="WARNING")
    lane = lane or threading.Lock()  # one llama.cpp context: tool calls answer one at a time

    async def call(fn, *args, **kwargs):
        if not ready():
            raise ToolError("the models are still loading: try again in a minute")

        def run():
            with lane:
                return fn(*args, **kwargs)

        try:
            return await anyio.to_thread.run_sync(run)
        except RagError as exc:
            raise ToolError(str(exc)) from None

    def limits(since, until, sources) -> dict[str, Any]:
        from ..answering.scope import Scope

        try:
            scope = Scope.of(since, until, sources)
        except RagError as exc:
            raise ToolError(str(exc)) from None
        return {"since": scope.since, "until": scope.until, "sources": scope.sources}

    @server.tool(description=ASK)
    async def ask(question: Question, since: Day = None, until: Day = None, sources: Sources = None) -> dict[str, Any]:
        from ..answering.question import clean_question

        try:
            clean_question(question, assistant.settings.max_question_chars)
        except RagError as exc:
            raise ToolError(str(exc)) from None
        answer = await call(assistant.ask, question, **limits(since, until, sources))
        return answer.to_dict()

    @server.tool(description=SEARCH)
    async def search(query: Question, k: Annotated[int, Field(ge=1, le=50)] = 5, since: Day = None,
                     until: Day = None, sources: Sources = None) -> dict[str, Any]:
        passages = await call(assistant.retrieve, query, k, **limits(since, until, sources))
        documents = assistant.documents()
        return {"passages": [
            {"doc_id": p.doc_id, "title": p.title, "date": p.date, "source": p.source,
             "url": documents.get(p.doc_id, {}).get("url", ""), "paragraph": p.paragraph,
             "score": round(float(p.score), 4), "text": p.text}
            for p in passages
        ]}

    @server.tool(description=LIST)
    async def list_articles() -> dict[str, Any]:
        return {"articles": articles(assistant)}

    @server.tool(description=GET)
    async def get_article(doc_id: Annotated[str, Field(min_length=1, max_length=300)]) -> dict[str, Any]:
        return await call(article, assistant, doc_id)

    @server.resource("article://{doc_id}", name="article", mime_type="text/plain",
                     description="One news article, whole: title, date, source, url, then its paragraphs.")
    async def article_resource(doc_id: str) -> str:
        got = await call(article, assistant, doc_id)
        head = [got["title"], " · ".join(x for x in (got["date"], got["source"], got["url"]) if x)]
        return "\n".join([*[h for h in head if h], "", *got["paragraphs"]])

    @server.resource("articles://list", name="articles", mime_type="application/json",
                     description="Every article of the library (doc_id, title, date, source, url).")
    async def articles_resource() -> str:
        return json.dumps(articles(assistant), ensure_ascii=False)

    return server


def articles(assistant) -> list[dict]:
    rows = [
        {"doc_id": d, "title": i.get("title", ""), "date": i.get("date", ""), "source": i.get("source", ""),
         "url": i.get("url", ""), "passages": i.get("chunks", 0)}
        for d, i in assistant.documents().items()
    ]
    return sorted(rows, key=lambda r: (r["date"], r["doc_id"]), reverse=True)


def article(assistant, doc_id: str) -> dict[str, Any]:
    from mcp.server.mcpserver.exceptions import ToolError

    info = assistant.documents().get(doc_id)
    if info is None:
        raise ToolError(f"no article {doc_id!r} in the library: list_articles gives the doc_ids")
    return {"doc_id": doc_id, "title": info.get("title", ""), "date": info.get("date", ""),
            "source": info.get("source", ""), "url": info.get("url", ""), "paragraphs": assistant.article(doc_id)}
