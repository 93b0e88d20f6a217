"""How soon a new article is answerable (issue 42): a file dropped into a watched folder, an item added to a feed.

    .venv/bin/python docs/experiments/upkeep_latency.py [--rounds 5] [--feed-every-s 20] [--out FILE.json]

Real parts: the default models, a private copy of the index, a real watcher (watchfiles) on a temporary folder,
a real local HTTP server (tests/newsroom.py) serving an RSS feed and a real news page, polled by the real
FeedPoller. Each round adds one new article with a fact no other article holds, then asks about it until the
answer cites it. Reported per round, and as min / median / max:

- watched file: seconds from the file's write to (a) its passages being searchable, (b) the answer to a question
  about it, asked then, finished (and whether it cites the file and states the figure);
- feed item: seconds from the item appearing in the feed to (a) its article in the index, against the bound the
  issue sets, one poll interval plus the item's ingest time (the poll's own duration, measured in the same round),
  (b) the answer to a question about it, finished.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

PLACES = ["Ossel", "Varnby", "Hallam", "Skarvik", "Torne", "Brenna", "Ulvik", "Marsk"]


def spread(values: list[float]) -> dict:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def until(check, timeout: float = 120.0, step: float = 0.05):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        got = check()
        if got:
            return got
        time.sleep(step)
    raise TimeoutError("not within the timeout")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--feed-every-s", type=float, default=20.0, help="the feed's poll interval for this run")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from newsroom import Newsroom

    from rag import Assistant, Settings
    from rag.indexing.feeds import FeedList, FeedPoller
    from rag.indexing.watch import FolderWatcher

    work = Path(tempfile.mkdtemp(prefix="rag-upkeep-"))
    shipped = Settings()
    settings = shipped.model_copy(update={"home": work, "index_dir": work / "vectorstore",
                                          "feeds_every_min": args.feed_every_s / 60})
    if Path(shipped.index_dir).is_dir():
        shutil.copytree(shipped.index_dir, work / "vectorstore")
    assistant = Assistant.load(settings)
    assistant.ensure_index()
    room = Newsroom()
    results = {"rounds": args.rounds, "feed_every_s": args.feed_every_s, "watched": [], "feed": []}
    try:
        inbox = work / "inbox"
        inbox.mkdir()
        watcher = FolderWatcher(assistant, [inbox], rescan_s=300).start()
        for i in range(args.rounds):
            place, ships = PLACES[i % len(PLACES)], 200 + 37 * i
            question = f"How many container ships did the port of {place} handle in {2030 + i}?"
            path = inbox / f"port-{place.lower()}-{i}.txt"
            started = time.monotonic()
            path.write_text(f"The port of {place} handled {ships} container ships in {2030 + i}, its busiest year.\n")
            until(lambda: any(p.doc_id == path.stem for p in assistant.retrieve(question, 3)))
            searchable = time.monotonic() - started
            answer = assistant.ask(question)
            answered = time.monotonic() - started
            cites = bool(answer.citations) and answer.citations[0].doc_id == path.stem
            results["watched"].append({"searchable_s": round(searchable, 2), "answered_s": round(answered, 2),
                                       "status": answer.status, "cites_it": cites, "right": str(ships) in answer.text})
            print(f"watched {i}: searchable {searchable:.2f} s, answered {answered:.2f} s ({answer.status})", flush=True)
        watcher.stop()

        feeds = FeedList(settings)
        items: list[dict] = []
        room.feed("/rss.xml", "Harbour Times", items)
        feeds.add(f"{room.url}/rss.xml")
        feeds.poll(assistant)  # the first poll, of an empty feed: the feed is known and due again in one interval
        poller = FeedPoller(feeds, assistant, tick_s=0.5).start()
        for i in range(args.rounds):
            place, tons = PLACES[(i + 3) % len(PLACES)], 1000 + 113 * i
            question = f"How many tons of grain did the port of {place} export in {2040 + i}?"
            items.append({"title": f"{place} grain exports", "link": "", "date": "2026-12-01",
                          "description": f"<p>The port of {place} exported {tons} tons of grain in {2040 + i}.</p>"})
            room.feed("/rss.xml", "Harbour Times", items)
            started = time.monotonic()
            title = f"{place} grain exports"
            until(lambda: any(d.get("title") == title for d in assistant.documents().values()),
                  timeout=args.feed_every_s * 3 + 120, step=0.02)
            indexed = time.monotonic() - started
            answer = assistant.ask(question)
            answered = time.monotonic() - started
            ingest = poller.last_seconds
            results["feed"].append({"indexed_s": round(indexed, 2), "answered_s": round(answered, 2),
                                    "poll_and_ingest_s": round(ingest, 2), "bound_s": round(args.feed_every_s + ingest, 2),
                                    "status": answer.status, "right": str(tons) in answer.text})
            print(f"feed {i}: indexed {indexed:.2f} s (bound {args.feed_every_s + ingest:.2f} s: one interval + poll and "
                  f"ingest {ingest:.2f} s), answered {answered:.2f} s ({answer.status})", flush=True)
        poller.stop()
    finally:
        room.close()
        assistant.close()
        shutil.rmtree(work, ignore_errors=True)
    results["watched_searchable_s"] = spread([r["searchable_s"] for r in results["watched"]])
    results["watched_answered_s"] = spread([r["answered_s"] for r in results["watched"]])
    results["feed_indexed_s"] = spread([r["indexed_s"] for r in results["feed"]])
    results["feed_answered_s"] = spread([r["answered_s"] for r in results["feed"]])
    results["feed_within_bound"] = sum(r["indexed_s"] <= r["bound_s"] for r in results["feed"])
    print(json.dumps({k: v for k, v in results.items() if k not in ("watched", "feed")}, indent=1))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
