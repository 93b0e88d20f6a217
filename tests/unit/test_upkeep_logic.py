"""Issue 42's logic, fast: which files a watcher reads, the feed list's state, the page's panel in both languages,
/mcp's door, and the command line. The real parts (a watcher, a feed server, MCP clients) are tests/integration's."""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.indexing.feeds import FeedList, check_url
from rag.indexing.readers import SkippedFiles, read_article
from rag.indexing.watch import open_for_writing, wanted
from rag.settings import Settings
from rag.web.render import render_library


@pytest.mark.parametrize("name, read", [
    ("a.txt", True), ("b.HTML", True), ("c.pdf", True), ("notes.md", True),
    ("a.txt.part", False), ("a.crdownload", False), (".hidden.txt", False), ("a.txt~", False), ("~$a.txt", False),
    ("a.docx", False), ("a.tmp", False),
])
def test_a_watcher_reads_documents_and_never_a_writer_s_temporary_name(name, read):
    assert wanted(Path("/news") / name) is read


def test_a_file_open_for_writing_is_seen_as_such(tmp_path):
    path = tmp_path / "a.txt"
    with open(path, "w") as handle:
        handle.write("half")
        handle.flush()
        assert open_for_writing(path)
    assert not open_for_writing(path)
    with open(path) as handle:  # open for reading only: complete
        assert handle.read() == "half" and not open_for_writing(path)


def test_the_reason_a_file_is_skipped_is_kept_with_its_path(tmp_path):
    binary, empty = tmp_path / "a.txt", tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01 binary")
    empty.write_text("  \n")
    with SkippedFiles() as skipped:
        assert read_article(binary) is None and read_article(empty) is None
        logging.getLogger("rag.indexing.readers").warning("not a skip message")
    assert skipped.reasons == {str(binary): "it holds binary data, not text", str(empty): "it holds no text"}


def test_the_feed_list_keeps_its_state_and_survives_a_damaged_file(tmp_path):
    feeds = FeedList(Settings(home=tmp_path))
    with pytest.raises(RagError, match="http"):
        feeds.add("file:///etc/passwd")
    with pytest.raises(RagError, match="no such feed"):
        feeds.remove("https://example.org/rss")
    feeds.add("https://example.org/rss")
    feeds.add("https://example.org/rss")  # twice: once
    assert [f.url for f in FeedList(Settings(home=tmp_path)).list()] == ["https://example.org/rss"]
    assert feeds.due() == ["https://example.org/rss"]  # a new feed is due at once
    (tmp_path / "feeds.json").write_text("{not json")
    assert feeds.list() == []  # damaged: set aside, not fatal
    assert list(tmp_path.glob("feeds.broken-*"))
    assert check_url(" https://a.b/c ") == "https://a.b/c"


STATUS = {
    "changed_at": "2026-12-05T21:30:12+00:00", "articles": 3,
    "recent": [{"doc_id": "d1", "title": "Bridge <reopens>", "date": "2026-03-01", "source": "", "ingested_at": ""}],
    "folders": [{"path": "/srv/news", "files": 2, "last_change": "", "failed": {"/srv/news/x.pdf": "not a readable PDF (<eof>)"}}],
    "feeds": [{"url": "https://a.b/rss", "title": "Valley Gazette", "last_poll": "2026-12-05T21:00:00+00:00",
               "items_added": 4, "failures": 0, "last_error": ""},
              {"url": "https://c.d/rss", "title": "", "last_poll": "2026-12-05T21:00:00+00:00", "items_added": 0,
               "failures": 2, "last_error": "2026-12-05T21:00:00+00:00: the feed: HTTP 503"}],
}


@pytest.mark.parametrize("lang, words", [
    ("en", ["Library updated", "2026-12-05 21:30 UTC", "Came in last", "Feeds", "4 articles added", "failing",
            "HTTP 503", "Watched folders", "no change yet", "cannot read", "x.pdf"]),
    ("ar", ["حُدّثت المكتبة", "آخر ما وصل", "الخلاصات", "تتعذّر", "المجلدات المراقَبة", "لا تغيير بعد", "تعذّرت قراءة"]),
])
def test_the_panel_says_when_the_library_changed_and_how_each_feed_and_folder_is(lang, words):
    panel = render_library(STATUS, lang)
    for word in words:
        assert word in panel, (word, panel)
    assert "<reopens>" not in panel and "&lt;reopens&gt;" in panel and "<eof>" not in panel  # escaped
    assert render_library({"changed_at": "", "recent": [], "feeds": [], "folders": []}, lang) == ""


def Chat(key, loopback=True):
    from rag.web.openai_api import OpenAIChat

    return OpenAIChat(None, None, lambda: True, key, loopback)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_mcp_s_door_is_v1_s_door_and_the_page_s_login_opens_it():
    from rag.web.server import KeyGuard

    open_loopback = KeyGuard(None, Chat(None), None)
    assert open_loopback.allowed("") is None
    keyed = KeyGuard(None, Chat("k"), None)
    assert keyed.allowed("Bearer k") is None and keyed.allowed("") and keyed.allowed("Bearer x")
    network = KeyGuard(None, Chat(None, loopback=False), None)
    assert "RAG_API_KEY" in network.allowed("")
    login = KeyGuard(None, Chat(None), ("ana", "pw"))
    assert login.allowed(basic("ana", "pw")) is None
    assert login.allowed(basic("ana", "no")) and login.allowed("")  # a login closes the loopback's open door
    both = KeyGuard(None, Chat("k"), ("ana", "pw"))
    assert both.allowed("Bearer k") is None and both.allowed(basic("ana", "pw")) is None and both.allowed("Bearer x")


@pytest.mark.parametrize("args, message", [
    (["feeds", "add"], "give the feed's URL"),
    (["feeds", "add", "not-a-url"], "not a feed address"),
    (["feeds", "poll", "https://unknown.example/rss"], "not a feed of this library"),
    (["watch"], "give the folders to watch"),
    (["watch", "/no/such/folder"], "not a folder"),
])
def test_the_command_line_says_what_is_wrong_before_loading_any_model(tmp_path, args, message):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RAG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and message in done.stderr, (done.returncode, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1


def test_rag_feeds_add_list_remove(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RAG_HOME": str(tmp_path)}

    def rag(*args):
        return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, env=env, timeout=120)

    assert "added https://example.org/rss" in rag("feeds", "add", "https://example.org/rss").stdout
    listed = json.loads(rag("feeds", "list", "--json").stdout)
    assert [f["url"] for f in listed] == ["https://example.org/rss"] and listed[0]["items_added"] == 0
    assert "not polled yet" in rag("feeds").stdout
    assert "removed" in rag("feeds", "remove", "https://example.org/rss").stdout
    assert "no feeds" in rag("feeds", "list").stdout


def test_the_readme_s_watch_feeds_and_mcp_commands_are_commands_of_rag():
    """Each command of the README's section on watching, feeds and MCP parses as `rag` parses it (the commands
    themselves run in tests/integration/test_upkeep.py and test_mcp.py)."""
    import shlex

    from rag.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A library that keeps itself current")[1].split("\n## ")[0]
    block = section.split("```bash\n")[1].split("```")[0]
    commands = [c.strip() for line in block.splitlines() for c in line.split("#")[0].split(";") if c.strip()]
    assert {c.split()[1] for c in commands} == {"watch", "serve", "feeds", "mcp"}
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        assert callable(args.func), command


class Library:
    """The two calls a feed poll makes of an assistant, over the real readers; `fail` makes the next ingest fail."""

    def __init__(self):
        self.docs, self.fail = {}, False

    def documents(self):
        return dict(self.docs)

    def ingest(self, paths, progress=False):
        from rag.indexing.readers import load_articles

        if self.fail:
            self.fail = False
            raise RagError("the index is locked")
        for a in load_articles(paths):
            self.docs[a.doc_id] = {"path": str(a.path), "title": a.title}


def test_items_fetched_before_a_failed_ingest_are_ingested_at_the_next_poll_not_fetched_again(tmp_path):
    from newsroom import Newsroom

    room = Newsroom()
    try:
        room.serve("/p.html", "<html><body><article><p>" + "The harbour reopened after the storm. " * 5
                   + "</p></article></body></html>", **{"Content-Type": "text/html"})
        room.feed("/rss.xml", "Harbour Times", [{"title": "Harbour reopens", "link": f"{room.url}/p.html"}])
        feeds = FeedList(Settings(home=tmp_path))
        feeds.add(f"{room.url}/rss.xml")
        library = Library()
        library.fail = True
        report = feeds.poll(library)
        assert report.new_items == 1 and report.added == 0 and "index is locked" in report.errors[f"{room.url}/rss.xml"]
        assert feeds.list()[0].failures == 1
        report = feeds.poll(library)
        assert (report.new_items, report.added, report.errors) == (0, 1, {})
        assert room.hits["/p.html"] == 1 and [d["title"] for d in library.docs.values()] == ["Harbour reopens"]
        assert feeds.list()[0].failures == 0 and feeds.list()[0].items_added == 1
    finally:
        room.close()


def test_a_slow_feed_is_reported_and_holds_up_no_other(tmp_path, monkeypatch):
    import time

    from newsroom import Newsroom

    from rag.indexing import feeds as feeds_module

    monkeypatch.setattr(feeds_module, "TIMEOUT_S", 1.0)  # the shipped 20 s, shortened for the test
    room = Newsroom()
    try:
        room.slow("/slow.xml", 4)
        room.feed("/fast.xml", "Fast News", [{"title": "Quick item", "link": "",
                                             "description": "The ferry leaves at seven from the north pier."}])
        feeds = FeedList(Settings(home=tmp_path))
        feeds.add(f"{room.url}/slow.xml")
        feeds.add(f"{room.url}/fast.xml")
        library = Library()
        started = time.monotonic()
        report = feeds.poll(library)
        assert time.monotonic() - started < 3.5  # the slow feed's 4 s are not waited for
        assert "no answer within 1 s" in report.errors[f"{room.url}/slow.xml"]
        assert report.added == 1 and [d["title"] for d in library.docs.values()] == ["Quick item"]
        slow = {f.url: f for f in feeds.list()}[f"{room.url}/slow.xml"]
        assert slow.failures == 1 and slow.next_poll > time.time() + feeds.every_s  # backed off
    finally:
        room.close()
