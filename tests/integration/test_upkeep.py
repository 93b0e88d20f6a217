"""Issue 42: a library that stays current by itself. Real parts throughout: a local HTTP server serving a real
RSS feed and real news pages (tests/newsroom.py, tests/data/pages), a real watcher (watchfiles, inotify) on a
temporary folder, the real embedder and index; answers by the session's real LLM.

Timings are not asserted here (they are `docs/experiments/upkeep_latency.py`'s): the waits below are bounds
past which something is broken, not targets.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from newsroom import Newsroom

from rag.indexing.feeds import FEED_MAX_BYTES, FeedList
from rag.indexing.upkeep import Upkeep
from rag.indexing.watch import FolderWatcher

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
HELICOPTER = (PAGES / "aljazeera-afghanistan-helicopter.html").read_bytes()
SUDAN = (PAGES / "assabah-sudan-interview.html").read_bytes()
SHIPS = "<p>The port of Nordhaven handled 312 container ships in 2031, the harbour council said on Tuesday.</p>"


@pytest.fixture(scope="module")
def room():
    r = Newsroom()
    yield r
    r.close()


@pytest.fixture
def library(private_copy, tmp_path):
    """The shipped product over a private index and home of its own."""
    own, work = private_copy(f"upkeep-{tmp_path.name}")
    yield own
    own.close()


def by_url(assistant, url: str) -> dict | None:
    return next((dict(info, doc_id=d) for d, info in assistant.documents().items() if info.get("url") == url), None)


def test_a_feed_s_items_become_articles_with_their_date_source_and_url_and_nothing_is_fetched_twice(room, library):
    room.serve("/news/helicopter.html", HELICOPTER, **{"Content-Type": "text/html"})
    items = [
        {"title": "US service members killed in helicopter crash", "link": f"{room.url}/news/helicopter.html",
         "date": "2019-11-20"},
        # No page behind this link: the feed's own text is the article.
        {"title": "Nordhaven harbour's record year", "link": f"{room.url}/news/missing.html", "description": SHIPS,
         "date": "2026-01-04"},
    ]
    room.feed("/a/rss.xml", "Nordhaven Daily", items, etag='"v1"')
    feeds = FeedList(library.settings)
    feeds.add(f"{room.url}/a/rss.xml")
    report = feeds.poll(library)
    assert (report.new_items, report.added, report.errors) == (2, 2, {}), report.summary()

    page = by_url(library, f"{room.url}/news/helicopter.html")
    assert page and page["date"] == "2019-11-20" and page["source"] == "Al Jazeera"  # read from the page, as an upload
    own_text = by_url(library, f"{room.url}/news/missing.html")
    assert own_text and own_text["date"] == "2026-01-04" and own_text["source"] == "Nordhaven Daily"
    assert Path(own_text["path"]).is_relative_to(Path(library.settings.home) / "feeds")

    answer = library.ask("How many container ships did the port of Nordhaven handle in 2031?")
    assert answer.status != "refused" and "312" in answer.text, answer.text
    assert answer.citations[0].doc_id == own_text["doc_id"]

    # Polled again: the feed answers 304 to its ETag, and no page is fetched a second time.
    assert feeds.poll(library).new_items == 0
    assert room.requests[-1][1].get("If-None-Match") == '"v1"'
    # The feed changes: only its new item is fetched.
    room.serve("/news/sudan.html", SUDAN, **{"Content-Type": "text/html"})
    room.feed("/a/rss.xml", "Nordhaven Daily",
              [*items, {"title": "Interview", "link": f"{room.url}/news/sudan.html", "date": "2020-02-19"}], etag='"v2"')
    report = feeds.poll(library)
    assert (report.new_items, report.added) == (1, 1)
    assert room.hits["/news/helicopter.html"] == 1 and room.hits["/news/missing.html"] == 1
    assert room.hits["/news/sudan.html"] == 1

    # The state survives a restart: a new FeedList over the same home knows the feed, its counts and its items.
    again = FeedList(library.settings)
    (feed,) = again.list()
    assert feed.items_added == 3 and feed.title == "Nordhaven Daily" and feed.last_ok and not feed.last_error
    room.feed("/a/rss.xml", "Nordhaven Daily", items, etag='"v3"')  # an old item shown again is not fetched again
    assert again.poll(library).new_items == 0 and room.hits["/news/helicopter.html"] == 1


def test_a_feed_that_fails_is_reported_retried_later_and_recovers_without_blocking_another(room, library):
    room.serve("/b/rss.xml", "down for maintenance", status=503)
    room.feed("/c/rss.xml", "Coastal Herald",
              [{"title": "Ferry timetable", "link": "", "date": "2026-02-01",
                "description": "<p>The Coastal Herald reports that the winter ferry leaves at 7:15 from pier four.</p>"}])
    room.serve("/d/rss.xml", '<?xml version="1.0"?><rss><channel><title>Broken</title><item><title>half')
    room.huge("/e/rss.xml", 50, declared=False)
    room.huge("/f/rss.xml", 50, declared=True)
    feeds = FeedList(library.settings)
    for path in ("/b/rss.xml", "/c/rss.xml", "/d/rss.xml", "/e/rss.xml", "/f/rss.xml"):
        feeds.add(f"{room.url}{path}")
    held = set(library.documents())
    started = time.monotonic()
    report = feeds.poll(library)
    assert time.monotonic() - started < 60  # the 50 MB responses are cut at 10 MB, not read whole
    assert report.added == 1, report.summary()  # the healthy feed was not held up by the others
    assert "HTTP 503" in report.errors[f"{room.url}/b/rss.xml"]
    assert "malformed" in report.errors[f"{room.url}/d/rss.xml"]
    for path in ("/e/rss.xml", "/f/rss.xml"):
        assert f"{FEED_MAX_BYTES // 2**20} MB limit" in report.errors[f"{room.url}{path}"]
    assert held < set(library.documents())  # nothing already indexed was lost

    status = {f.url: f for f in feeds.list()}
    down = status[f"{room.url}/b/rss.xml"]
    assert down.failures == 1 and "HTTP 503" in down.last_error
    # Backed off: not due at the next regular poll, due after twice the interval.
    assert feeds.every_s * 1.5 < down.next_poll - time.time() <= feeds.every_s * 2 + 5
    assert down.url not in feeds.due() and down.url in feeds.due(time.time() + feeds.every_s * 2 + 5)

    room.feed("/b/rss.xml", "Back Online", [{"title": "Recovered", "link": "", "date": "2026-02-02",
                                             "description": "<p>The observatory reopened its dome to visitors.</p>"}])
    report = feeds.poll(library, [down.url])
    assert report.errors == {} and report.added == 1
    recovered = {f.url: f for f in feeds.list()}[down.url]
    assert recovered.failures == 0 and recovered.last_ok and recovered.items_added == 1


def test_the_server_polls_the_feeds_and_the_page_s_panel_shows_them(room, library):
    room.feed("/g/rss.xml", "Valley Gazette", [{"title": "Bridge reopens", "link": "", "date": "2026-03-01",
                                                "description": "<p>The old stone bridge over the Varna river reopened after repairs.</p>"}])
    FeedList(library.settings).add(f"{room.url}/g/rss.xml")
    keep = Upkeep(library)
    keep.poller.tick_s = 0.2
    keep.start()
    try:
        assert wait_for(lambda: keep.poller.last is not None, 120), "the feed was not polled"
    finally:
        keep.stop()
    status = keep.status()
    assert any(r["title"] == "Bridge reopens" for r in status["recent"]), status["recent"]
    (feed,) = status["feeds"]
    assert feed["title"] == "Valley Gazette" and feed["items_added"] == 1 and feed["last_poll"]
    from rag.web.render import render_library

    for lang, heading in (("en", "Feeds"), ("ar", "الخلاصات")):
        panel = render_library(status, lang)
        assert heading in panel and "Valley Gazette" in panel and "Bridge reopens" in panel


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    return check()


def test_a_watched_folder_adds_changes_and_prunes_and_waits_for_a_file_being_written(library, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "before.txt").write_text("The Lindqvist archive holds 4,000 maps of the northern coast.\n")
    watcher = FolderWatcher(library, [folder], rescan_s=300).start()
    try:
        def doc(name):
            return next((d for d, i in library.documents().items() if Path(i.get("path", "")).name == name), None)

        assert doc("before.txt")  # what was there at the start

        (folder / "added.md").write_text("# Port news\n\nThe port of Ossel handled 312 container ships in March.\n")
        assert wait_for(lambda: doc("added.md"))
        passages = library.retrieve("How many container ships did the port of Ossel handle in March?", 3)
        assert passages[0].doc_id == doc("added.md")

        (folder / "added.md").write_text("# Port news\n\nThe port of Ossel handled 287 container ships in April.\n")
        assert wait_for(lambda: "287" in " ".join(library.article(doc("added.md"))))

        (folder / "before.txt").unlink()
        assert wait_for(lambda: doc("before.txt") is None)

        # A file still being written is not read; once its writer closes it, it is read whole.
        with open(folder / "slow.txt", "w", encoding="utf-8") as handle:
            handle.write("The Hallam observatory was founded in 1871 ")
            handle.flush()
            time.sleep(3)
            assert doc("slow.txt") is None
            handle.write("by the astronomer Ida Brenner.\n")
        assert wait_for(lambda: doc("slow.txt"))
        assert "Ida Brenner" in " ".join(library.article(doc("slow.txt")))

        # A file that cannot be read is reported with its reason, never stops the watcher, and is retried once changed.
        (folder / "broken.txt").write_bytes(b"\x00\x01\x02 not text")
        failed = wait_for(lambda: watcher.status()[0].failed)
        assert "binary data" in failed[str(folder / "broken.txt")]
        assert any(e["kind"] == "failed" and e["path"].endswith("broken.txt") for e in watcher.events)
        (folder / "after.txt").write_text("The ferry to Skarvik runs twice a day in winter.\n")
        assert wait_for(lambda: doc("after.txt"))
        (folder / "broken.txt").write_text("The Skarvik lighthouse is 41 metres tall.\n")
        assert wait_for(lambda: doc("broken.txt")) and not watcher.status()[0].failed

        # Writers' temporary names are never read; the finished file, renamed into place, is.
        (folder / "draft.txt.part").write_text("The Brenner crater is named after Ida Brenner.\n")
        os.replace(folder / "draft.txt.part", folder / "draft.txt")
        assert wait_for(lambda: doc("draft.txt"))
        assert not any(Path(i.get("path", "")).name.endswith(".part") for i in library.documents().values())
        assert watcher.status()[0].files == 5
    finally:
        watcher.stop()
