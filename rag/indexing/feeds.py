"""RSS and Atom feeds: new items become articles (`rag feeds add|list|remove|poll`; polled by `rag serve`, `rag watch`).

Each new item's page is fetched and read with trafilatura, as an uploaded page is; an item whose
page cannot be had (no link, an error, a page with no article) falls back to the feed's own text.
The article is kept as a text file with its title, date, source and URL in a front matter, under
RAG_HOME/feeds/, and ingested from there: a rebuild finds it again, and syndicated copies group
as any two files do (indexing/copies.py).

State lives in RAG_HOME/feeds.json (written whole and atomically, under a lock, so `rag feeds add`
in one process and a server polling in another do not lose each other's change):
- per feed: ETag and Last-Modified (sent back, so an unchanged feed costs a 304), the last poll,
  items added, the last error, and a backoff: a failing feed waits 2, 4, 8 … polls (at most a day);
- every item link or id ever fetched, so no item is fetched twice, from one feed or two.

A feed that is down, slow, malformed or huge is reported and retried later: each request has a
20 s connect/read timeout and a 60 s deadline, a feed is read to at most 10 MiB and a page to
RAG_MAX_FILE_MB, and feeds are fetched side by side, so one cannot hold up another.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import json
import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from ..errors import RagError

log = logging.getLogger(__name__)

FEEDS_FILE = "feeds.json"
ITEMS_DIR = "feeds"
FEED_MAX_BYTES = 10 * 2**20  # a news feed is tens of KB; a 10 MiB one is not a feed
TIMEOUT_S = 20.0
DEADLINE_S = 60.0
MAX_BACKOFF_S = 24 * 3600
MAX_NEW_PER_POLL = 50  # a first poll of a long archive feed takes its newest 50; later polls take the rest
SEEN_KEPT = 20_000
USER_AGENT = "rag-news-assistant/1.0 (+feed reader)"


class FetchError(Exception):
    """A request that gave no usable body: the reason, in words a user can act on."""


@dataclass
class Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    modified: str | None = None
    content_type: str = ""


def fetch(url: str, max_bytes: int, headers: dict | None = None) -> Fetched:
    """GET `url`, reading at most `max_bytes` (more is an error, and the rest is never read)."""
    import httpx

    started = time.monotonic()
    try:
        with httpx.Client(timeout=httpx.Timeout(TIMEOUT_S), follow_redirects=True,
                          headers={"User-Agent": USER_AGENT, **(headers or {})}) as client:
            with client.stream("GET", url) as response:
                if response.status_code == 304:
                    return Fetched(304)
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"{int(declared) / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"over the {max_bytes / 2**20:g} MB limit (stopped reading)")
                    if time.monotonic() - started > DEADLINE_S:
                        raise FetchError(f"too slow (over {DEADLINE_S:g} s)")
                    chunks.append(chunk)
                return Fetched(response.status_code, b"".join(chunks), response.headers.get("etag"),
                               response.headers.get("last-modified"), response.headers.get("content-type", ""))
    except httpx.TimeoutException:
        raise FetchError(f"no answer within {TIMEOUT_S:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot reach it ({type(exc).__name__}: {exc})") from None


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RagError(f"not a feed address: {url!r} (give an http:// or https:// URL)")
    return url


@dataclass
class Feed:
    url: str
    title: str = ""
    added_at: str = ""
    last_poll: str = ""
    last_ok: str = ""
    items_added: int = 0
    last_error: str = ""
    failures: int = 0
    next_poll: float = 0.0  # epoch seconds
    etag: str | None = None
    modified: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class PollReport:
    feeds: int = 0
    new_items: int = 0
    added: int = 0  # articles the index gained (a copy of a held article is grouped, not added)
    errors: dict[str, str] = field(default_factory=dict)  # url -> reason

    def summary(self) -> str:
        text = f"{self.feeds} feeds polled: {self.new_items} new items, {self.added} articles added"
        return text + "".join(f"\n  {url}: {why}" for url, why in self.errors.items())


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def slug(text: str, limit: int = 40) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    return "-".join(words)[:limit].strip("-") or "feed"


class FeedList:
    """The feeds of one RAG_HOME and their poll state; `poll` fetches what is new and ingests it."""

    def __init__(self, settings):
        self.settings = settings
        self.home = Path(settings.home)
        self.path = self.home / FEEDS_FILE
        self.items_dir = self.home / ITEMS_DIR
        self.every_s = settings.feeds_every_min * 60

    # --- state, under a lock --------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        import fcntl

        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".feeds.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            feeds = {url: Feed(**{k: v for k, v in f.items() if k in Feed.__dataclass_fields__})
                     for url, f in data.get("feeds", {}).items()}
            return {"feeds": feeds, "seen": list(data.get("seen", [])), "pending": dict(data.get("pending", {}))}
        except FileNotFoundError:
            return {"feeds": {}, "seen": [], "pending": {}}
        except (OSError, ValueError, TypeError) as exc:
            broken = self.path.with_suffix(f".broken-{int(time.time())}")
            log.warning("%s is damaged (%s): kept as %s, starting an empty feed list", self.path, exc, broken.name)
            with contextlib.suppress(OSError):
                os.replace(self.path, broken)
            return {"feeds": {}, "seen": [], "pending": {}}

    def _write(self, state: dict) -> None:
        data = {"feeds": {u: f.to_dict() for u, f in state["feeds"].items()}, "seen": state["seen"][-SEEN_KEPT:],
                "pending": state.get("pending", {})}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    # --- what a user does -------------------------------------------------------------------
    def list(self) -> list[Feed]:
        with self._locked():
            return list(self._read()["feeds"].values())

    def add(self, url: str) -> Feed:
        url = check_url(url)
        with self._locked():
            state = self._read()
            feed = state["feeds"].get(url) or Feed(url=url, added_at=now_iso())
            state["feeds"][url] = feed
            self._write(state)
        return feed

    def remove(self, url: str) -> Feed:
        """Stop polling a feed. Its articles stay in the library (`rag remove` takes one out)."""
        with self._locked():
            state = self._read()
            feed = state["feeds"].pop(url.strip(), None)
            if feed is None:
                known = ", ".join(state["feeds"]) or "none"
                raise RagError(f"no such feed: {url} (feeds: {known})")
            self._write(state)
        return feed

    def due(self, now: float | None = None) -> list[str]:
        now = time.time() if now is None else now
        return [f.url for f in self.list() if f.next_poll <= now]

    def next_due(self) -> float | None:
        """When the next feed is due (epoch seconds), or None without feeds."""
        return min((f.next_poll for f in self.list()), default=None)

    # --- polling ----------------------------------------------------------------------------
    def poll(self, assistant, urls: list[str] | None = None, *, lane=None) -> PollReport:
        """Fetch the given feeds (default: every feed), write their new items, and ingest them in one go."""
        with self._locked():
            state = self._read()
        chosen = [state["feeds"][u] for u in (urls if urls is not None else list(state["feeds"])) if u in state["feeds"]]
        report = PollReport(feeds=len(chosen))
        if not chosen:
            return report
        seen = set(state["seen"])
        with ThreadPoolExecutor(max_workers=min(4, len(chosen)), thread_name_prefix="rag-feed") as pool:
            results = list(pool.map(lambda f: self._poll_one(f, seen), chosen))
        written: dict[str, list[Path]] = {}
        new_keys: list[str] = []
        for feed, (files, keys, error) in zip(chosen, results):
            written[feed.url] = files
            new_keys += keys
            report.new_items += len(files)
            if error:
                report.errors[feed.url] = error
        with self._locked():  # fetched is fetched: the items are on disk and never fetched again, even if the
            state = self._read()  # ingest below fails (they wait in "pending" for the next poll's ingest)
            held = set(state["seen"])  # once, not once a key: up to 20,000 of them
            state["seen"] = [*state["seen"], *(k for k in new_keys if k not in held)]
            for url, files in written.items():
                state["pending"][url] = [*state["pending"].get(url, []), *map(str, files)]
            waiting = {url: [Path(f) for f in files if Path(f).is_file()] for url, files in state["pending"].items()}
            self._write(state)
        try:
            added_by_feed = self._ingest(assistant, waiting, lane)
            ingest_error = ""
        except Exception as exc:  # noqa: BLE001 - reported on each feed; the items are ingested at the next poll
            log.warning("the new feed items could not be added to the index: %s", exc)
            added_by_feed, ingest_error = {}, f"the index could not take the new items ({exc}); retried at the next poll"
        report.added = sum(added_by_feed.values())
        with self._locked():  # merged into the state as it is now: a feed added meanwhile is kept
            state = self._read()
            if not ingest_error:
                for url in waiting:
                    state["pending"].pop(url, None)
            for feed, (_files, _keys, error) in zip(chosen, results):
                if feed.url not in state["feeds"]:
                    continue  # removed while it was polled
                feed.items_added += added_by_feed.get(feed.url, 0)
                feed.last_poll = now_iso()
                error = error or ingest_error
                if error:
                    report.errors.setdefault(feed.url, error)
                    feed.failures += 1
                    feed.last_error = f"{now_iso()}: {error}"
                    feed.next_poll = time.time() + min(self.every_s * 2 ** feed.failures, MAX_BACKOFF_S)
                else:
                    feed.failures, feed.last_ok = 0, feed.last_poll
                    feed.next_poll = time.time() + self.every_s
                state["feeds"][feed.url] = feed
            self._write(state)
        return report

    def _ingest(self, assistant, written: dict[str, list[Path]], lane) -> dict[str, int]:
        files = [p for ps in written.values() for p in ps]
        if not files:
            return {}
        before = set(assistant.documents())
        with lane or contextlib.nullcontext():
            assistant.ingest(files, progress=False)
        paths = {info.get("path"): d for d, info in assistant.documents().items() if d not in before}
        return {url: sum(1 for p in ps if str(p.resolve()) in paths) for url, ps in written.items()}

    def _poll_one(self, feed: Feed, seen: set[str]) -> tuple[list[Path], list[str], str]:
        """(files written, item keys taken, error or "") for one feed; never raises."""
        import feedparser

        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.modified:
            headers["If-Modified-Since"] = feed.modified
        try:
            got = fetch(feed.url, FEED_MAX_BYTES, headers)
        except FetchError as exc:
            return [], [], f"the feed: {exc}"
        if got.status == 304:
            return [], [], ""
        parsed = feedparser.parse(got.body)
        problem = parsed.get("bozo_exception")
        # A wrong or missing encoding declaration is read past; broken XML is not: what it yields is a guess.
        if parsed.get("bozo") and not isinstance(problem, (feedparser.CharacterEncodingOverride,
                                                            feedparser.NonXMLContentType)):
            return [], [], f"the feed is malformed ({problem})"
        if not parsed.entries and not parsed.get("feed"):
            return [], [], "not an RSS or Atom feed"
        feed.etag, feed.modified = got.etag, got.modified
        feed.title = parsed.get("feed", {}).get("title", "") or feed.title
        files, keys = [], []
        fresh = [e for e in parsed.entries if self.key(e) not in seen][:MAX_NEW_PER_POLL]
        for entry in fresh:
            key = self.key(entry)
            try:
                path = self._write_item(feed, entry, key)
            except Exception as exc:  # noqa: BLE001 - one bad item must not cost the rest of the feed
                log.warning("feed %s: item %s skipped (%s)", feed.url, key, exc)
                path = None
            keys.append(key)
            seen.add(key)
            if path is not None:
                files.append(path)
        return files, keys, ""

    @staticmethod
    def key(entry) -> str:
        """An item's identity: its link (the page that would be fetched), else its id, else its text."""
        return (entry.get("link") or entry.get("id")
                or "sha1:" + hashlib.sha1((entry.get("title", "") + entry.get("summary", "")).encode()).hexdigest())

    def _write_item(self, feed: Feed, entry, key: str) -> Path | None:
        """The item as a text file with a front matter: its page's article, else the feed's own text."""
        from .readers import read_page

        link = entry.get("link", "")
        page = None
        if link.startswith(("http://", "https://")):
            try:
                got = fetch(link, int(self.settings.max_file_mb * 2**20))
                page = read_page(got.body.decode("utf-8", errors="replace"), link)
            except FetchError as exc:
                log.warning("feed %s: page %s not fetched (%s); using the feed's own text", feed.url, link, exc)
        lines = page.lines if page is not None and page.lines else self.entry_text(entry)
        if not lines:
            log.warning("feed %s: item %s has no text, in its page or the feed", feed.url, key)
            return None
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        date = (page.date if page is not None and page.date else
                datetime.fromtimestamp(calendar.timegm(published), timezone.utc).date().isoformat() if published else "")
        host = urlparse(link or feed.url).netloc.removeprefix("www.")
        meta = {
            "title": entry.get("title", "") or (page.title if page else "") or "",
            "date": date,
            "source": (page.source if page is not None and page.source else "") or feed.title or host,
            "url": link,
            "author": entry.get("author", "") or (page.author if page is not None else ""),
        }
        folder = self.items_dir / slug(urlparse(feed.url).netloc + " " + urlparse(feed.url).path, 48)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{slug(host, 24)}-{date or 'undated'}-{hashlib.sha1(key.encode()).hexdigest()[:8]}.txt"
        front = "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in meta.items() if v)
        path = folder / name
        tmp = folder / f".{name}.tmp"
        tmp.write_text(f"---\n{front}---\n" + "\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    @staticmethod
    def entry_text(entry) -> list[str]:
        """The feed's own text of an item (its content, else its summary), as plain lines."""
        from .readers import read_page

        html = ""
        for content in entry.get("content", []) or []:
            html = content.get("value", "") or html
        html = html or entry.get("summary", "")
        if not html.strip():
            return []
        if "<" not in html:
            return [line.strip() for line in html.splitlines() if line.strip()]
        parsed = read_page(f"<html><body><article>{html}</article></body></html>")
        if parsed.lines:
            return parsed.lines
        return [line.strip() for line in re.sub(r"<[^>]+>", "\n", html).splitlines() if line.strip()]


class FeedPoller:
    """Polls each feed of a FeedList when it is due, in a daemon thread (served apps and `rag watch`).

    It sleeps until the next feed is due, and at most `tick_s` (60 s), so a feed added by `rag feeds add` in
    another process is polled within a minute and an item is in the index within one poll interval plus its
    ingest (measured: docs/experiments/upkeep_latency.py).
    """

    def __init__(self, feeds: FeedList, assistant, *, lane=None, on_event=None, tick_s: float = 60.0):
        import threading

        self.feeds, self.assistant, self.lane = feeds, assistant, lane
        self.on_event = on_event or (lambda text: None)
        self.tick_s = tick_s
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="rag-feeds", daemon=True)
        self.last: PollReport | None = None
        self.last_seconds = 0.0  # how long the last poll took, fetching and ingesting
        self.polls = 0

    def start(self) -> "FeedPoller":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                due = self.feeds.due()
                if due:
                    started = time.monotonic()
                    self.last = self.feeds.poll(self.assistant, due, lane=self.lane)
                    self.last_seconds, self.polls = time.monotonic() - started, self.polls + 1
                    if self.last.new_items or self.last.errors:
                        self.on_event(self.last.summary())
            except Exception as exc:  # noqa: BLE001 - the poller outlives any one poll
                log.warning("polling the feeds failed: %s", exc)
            try:
                due = self.feeds.next_due()
            except Exception:  # noqa: BLE001 - an unreadable list is read again at the next tick
                due = None
            wait = self.tick_s if due is None else min(self.tick_s, max(0.2, due - time.time()))
            self.stop_event.wait(wait)
