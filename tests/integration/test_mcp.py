"""Issue 42: the library as an MCP server, reached by the official MCP client (the `mcp` SDK's `Client`):
over stdio (`rag mcp`, a fresh process with the shipped models and thresholds) and over streamable HTTP
(`/mcp` on the served app, behind RAG_API_KEY as /v1 is). Every tool is called; `ask` answers with
citations, and an off-topic question is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from rag.devtools.loadtest import free_port
from rag.web.app import build_app
from rag.web.server import serve

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ANSWERED = "من هو وزير خارجية أذربيجان؟"
OFF_TOPIC = "Who won the 2022 FIFA World Cup?"
KEY = "mcp-test-key"


async def every_tool(client) -> dict:
    """Call each tool and read each resource once; what came back, by name."""
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ask", "search", "list_articles", "get_article"}
    assert "refused" in tools["ask"].description and "unsure" in tools["ask"].description  # the outcomes explained
    got = {}
    for name, arguments in (("ask", {"question": ANSWERED}), ("ask_off_topic", {"question": OFF_TOPIC}),
                            ("search", {"query": "وزير خارجية أذربيجان", "k": 3}), ("list_articles", {})):
        result = await client.call_tool(name.removesuffix("_off_topic"), arguments)
        assert not result.is_error, result.content
        got[name] = result.structured_content
    doc_id = got["search"]["passages"][0]["doc_id"]
    result = await client.call_tool("get_article", {"doc_id": doc_id})
    got["get_article"] = result.structured_content
    got["resource"] = (await client.read_resource(f"article://{doc_id}")).contents[0].text
    # Bad input: a clear error, not a crash.
    for name, arguments in (("ask", {"question": ""}), ("search", {"query": "x", "since": "last week"}),
                            ("get_article", {"doc_id": "no-such-article"})):
        result = await client.call_tool(name, arguments)
        assert result.is_error, (name, result)
        got.setdefault("errors", []).append(result.content[0].text)
    return got


def check(got: dict) -> None:
    answer = got["ask"]
    assert answer["status"] == "answered" and "بيراموف" in answer["answer"] and answer["citations"], answer
    assert {"confidence", "quote", "status", "refused"} <= set(answer)  # as `rag ask --json` gives it
    refused = got["ask_off_topic"]
    assert refused["status"] == "refused" and refused["refused"] and not refused["citations"], refused
    passage = got["search"]["passages"][0]
    assert {"doc_id", "title", "date", "source", "score", "text"} <= set(passage) and "بيراموف" in passage["text"]
    assert passage["doc_id"] in {a["doc_id"] for a in got["list_articles"]["articles"]}
    article = got["get_article"]
    assert article["doc_id"] == passage["doc_id"] and any(passage["text"][:30] in p for p in article["paragraphs"])
    assert article["title"] in got["resource"] and article["paragraphs"][0] in got["resource"]
    empty, bad_date, unknown = got["errors"]
    assert "question" in empty and "since" in bad_date and "no-such-article" in unknown


def readme_mcp_config() -> dict:
    """The MCP client configuration the README shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```json\n")[1:] if '"mcpServers"' in b.split("```")[0])
    return json.loads(block.split("```")[0])


def test_rag_mcp_over_stdio_as_the_readme_configures_it(index_dir, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(REPO / "seeds", home / "seeds")
    shutil.copytree(index_dir, home / "vectorstore")
    (server,) = readme_mcp_config()["mcpServers"].values()
    checkout = str(BIN.parent.parent)  # the README's /path/to/checkout: this checkout (its .venv), the test's home
    assert server["command"].replace("/path/to/checkout", checkout) == str(BIN / "rag") and server["args"] == ["mcp"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}  # the shipped thresholds
    env.update({k: v.replace("/path/to/checkout", str(home)) for k, v in server["env"].items()})
    params = StdioServerParameters(command=str(BIN / "rag"), args=server["args"], env=env)

    async def session():
        async with Client(params, read_timeout_seconds=600) as client:
            return await every_tool(client)

    check(anyio.run(session))


@pytest.fixture(scope="module")
def mcp_url(private_copy):
    own, work = private_copy("mcp-served")
    app = build_app(own, uploads_dir=work / "uploads")
    port = free_port()
    serve(app, port=port, prevent_thread_lock=True, quiet=True, api_key=KEY)
    yield f"http://127.0.0.1:{port}/mcp"
    app.close()


def test_mcp_over_http_on_the_served_app_behind_the_api_key(mcp_url):
    async def session(key: str | None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=600)) as http:
            async with Client(streamable_http_client(mcp_url, http_client=http), read_timeout_seconds=600) as client:
                return await every_tool(client)

    check(anyio.run(session, KEY))
    for key in (None, "wrong-key"):
        with pytest.raises(Exception):  # the SDK's client gives up on the refused connection
            anyio.run(session, key)
        # The door itself says why, to any HTTP client.
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        plain = httpx2.post(mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=headers,
                            timeout=30)
        assert plain.status_code == 401 and "key" in json.loads(plain.text)["error"]["message"].lower(), plain.text
