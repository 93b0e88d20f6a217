"""What keeps a served library current by itself: its watched folders and its feeds, and what they did.

`rag serve` starts one `Upkeep` once the models are loaded; the page's side panel shows `status()`:
when the library last changed, the articles that came in last, and each feed and folder with its state.
"""

from __future__ import annotations

import logging

from .feeds import FeedList, FeedPoller
from .watch import FolderWatcher

log = logging.getLogger(__name__)
RECENT_ARTICLES = 5


class Upkeep:
    def __init__(self, assistant, folders=(), *, lane=None, rescan_s: float | None = None):
        settings = assistant.settings
        self.assistant = assistant
        self.feeds = FeedList(settings)
        self.watcher = (FolderWatcher(assistant, folders, rescan_s=rescan_s or settings.watch_rescan_s, lane=lane)
                        if folders else None)
        self.poller = FeedPoller(self.feeds, assistant, lane=lane)
        self.started = False

    def start(self) -> "Upkeep":
        if self.watcher is not None:
            self.watcher.start()
        self.poller.start()
        self.started = True
        return self

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.poller.stop()

    def status(self) -> dict:
        """{"changed_at", "recent": [{doc_id, title, date, source, ingested_at}], "folders": [...], "feeds": [...]}"""
        try:
            manifest = self.assistant.indexer.manifest_reader().read_manifest() or {}
        except Exception as exc:  # noqa: BLE001 - a status panel must not fail the page
            log.warning("reading the library's manifest for the status panel failed: %s", exc)
            manifest = {}
        docs = manifest.get("documents") if isinstance(manifest.get("documents"), dict) else {}
        recent = sorted(docs.items(), key=lambda kv: (kv[1].get("ingested_at", ""), kv[0]), reverse=True)
        return {
            "changed_at": manifest.get("updated_at", ""),
            "articles": len(docs),
            "recent": [{"doc_id": d, **{k: i.get(k, "") for k in ("title", "date", "source", "ingested_at")}}
                       for d, i in recent[:RECENT_ARTICLES]],
            "folders": [s.__dict__ for s in self.watcher.status(docs)] if self.watcher is not None else [],
            "feeds": [f.to_dict() for f in self.feeds.list()],
        }
