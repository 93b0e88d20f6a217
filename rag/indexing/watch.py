"""Watched folders: the index follows a folder as files come, change and go (`rag watch`, `rag serve --watch`).

File events come from watchfiles (inotify on Linux); a full rescan every `watch_rescan_s` seconds
(default 60) is the safety net for events a network drive or an overflowed queue never sends.

A file is read only once it is complete: its size and mtime held still between two looks half a
second apart, and, where /proc shows it (Linux), no process holds it open for writing. Why both: a
writer that pauses mid-file (a download, an editor's slow save) passes a stillness test alone; a
writer on another machine of a shared folder is invisible to /proc. Names that writers use while
writing (`.part`, `.crdownload`, `.tmp`, `~`, dotfiles) are never read.

A file that cannot be read is reported with its path and the reader's reason, is retried when it
changes, and never stops the watcher; a failing ingest is reported and retried at the next rescan.
"""

from __future__ import annotations

import glob
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .readers import SUPPORTED_SUFFIXES, SkippedFiles

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".swp")
SETTLE_S = 0.5  # two looks this far apart must agree before a file is read
TICK_MS = 500  # how often the watcher wakes without events, to re-look at files still being written
RECENT = 20  # events kept for the page and `rag watch`


def wanted(path: Path) -> bool:
    """A document file worth reading: a supported type, not hidden, not a name writers use while writing."""
    name = path.name
    return (path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith((".", "~")) and not name.endswith("~")
            and not name.lower().endswith(PARTIAL_SUFFIXES))


def files_open_for_writing(under: list[Path]) -> set[str]:
    """The files below `under` that a process this user can see holds open for writing (Linux /proc; none elsewhere).

    One pass over /proc for every pending file at once: a first scan of a large folder looks at thousands.
    """
    roots = tuple(f"{os.path.realpath(u)}{os.sep}" for u in under)
    found = set()
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
                if not target.startswith(roots) or target in found:
                    continue
                with open(f"{fd_dir[:-3]}/fdinfo/{fd}", encoding="ascii") as info:
                    flags = int(next(line for line in info if line.startswith("flags:")).split()[1], 8)
            except (OSError, ValueError, StopIteration):
                continue
            if flags & (os.O_WRONLY | os.O_RDWR):
                found.add(target)
    return found


def open_for_writing(path: Path) -> bool:
    """Whether any process this user can see holds `path` open for writing."""
    return os.path.realpath(path) in files_open_for_writing([Path(path).parent])


def signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass
class FolderStatus:
    """One watched folder as the page and `rag watch` show it."""

    path: str
    files: int = 0  # documents of this folder in the index
    last_change: str = ""  # ISO time of the last change this watcher made to the index
    failed: dict[str, str] = field(default_factory=dict)  # path -> why it could not be read


class FolderWatcher:
    """Keeps the index in step with folders, in a thread of its own (`start`) or this one (`run`).

    `ingest(paths)` and `remove(doc_ids)` are the assistant's; `lane` is the lock every index and
    model user takes in turn (the served app's), so a change never lands mid-answer.
    """

    def __init__(self, assistant, folders, *, rescan_s: float = 60.0, lane: threading.Lock | None = None,
                 on_event=None):
        self.assistant = assistant
        self.folders = [Path(f).expanduser().resolve() for f in folders]
        missing = [str(f) for f in self.folders if not f.is_dir()]
        if missing:
            from ..errors import RagError

            raise RagError(f"not a folder: {', '.join(missing)}")
        self.rescan_s = rescan_s
        self.lane = lane or threading.Lock()
        self.on_event = on_event or (lambda text: None)
        self.stop_event = threading.Event()
        self.ready = threading.Event()  # set after the first full scan, which follows the watch's start
        self.thread: threading.Thread | None = None
        self.events: list[dict] = []  # newest last: {"at", "kind": added|updated|removed|failed, "path", "detail"}
        self.failed: dict[Path, tuple[tuple[int, int] | None, str]] = {}  # path -> (its signature, the reason)
        self.pending: dict[Path, tuple[int, int] | None] = {}  # changed files and their last seen signature
        self.known: dict[Path, tuple[int, int] | None] = {}  # files read, as they were: a rescan skips them unchanged
        self.last_rescan = 0.0
        self.last_change: dict[Path, str] = {}

    # --- the loop ---------------------------------------------------------------------------
    def start(self) -> "FolderWatcher":
        """Watch from a thread; returns once the folders are watched and their files as they are now are indexed."""
        self.thread = threading.Thread(target=self._loop, name="rag-watch", daemon=True)
        self.thread.start()
        while not self.ready.wait(0.2):
            if not self.thread.is_alive():
                break
        return self

    def run(self) -> None:
        self._loop()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _loop(self) -> None:
        import watchfiles

        while not self.stop_event.is_set():
            try:
                for changes in watchfiles.watch(*self.folders, debounce=300, step=50, rust_timeout=TICK_MS,
                                                yield_on_timeout=True, stop_event=self.stop_event,
                                                ignore_permission_denied=True):  # Ctrl-C ends `rag watch`
                    if not self.ready.is_set():  # the first wake-up: the watch is live, so a scan now misses nothing
                        self.sync()
                        self.ready.set()
                    for _change, name in changes:
                        path = Path(name)
                        if wanted(path) or not path.exists():  # a removed folder's files go too
                            self.pending.setdefault(path, None)
                    if time.monotonic() - self.last_rescan >= self.rescan_s:
                        self.sync()
                    else:
                        self.settle()
            except Exception as exc:  # noqa: BLE001 - a watcher outlives a failed watch or scan (a folder gone, an index busy)
                log.warning("watching %s failed (%s); rescanning and watching again", self.folders, exc)
                self.record("failed", ", ".join(map(str, self.folders)), str(exc))
                self.last_rescan = 0.0  # the next wake-up rescans
                self.ready.set()  # `start` returns: the failure is in the status, and the loop tries again
                self.stop_event.wait(min(self.rescan_s / 4, 15.0))

    # --- what a change does -----------------------------------------------------------------
    def sync(self) -> None:
        """The full rescan: every wanted file of the folders is looked at, and what is gone from them is pruned."""
        self.last_rescan = time.monotonic()
        for folder in self.folders:
            for root, dirs, files in os.walk(folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    path = Path(root) / name
                    if wanted(path) and (path not in self.known or self.known[path] != signature(path)):
                        self.pending.setdefault(path, None)
        for path in self.held():
            if not path.exists():
                self.pending.setdefault(path, None)
        self.settle(wait=True)

    def held(self, documents: dict[str, dict] | None = None) -> dict[Path, dict]:
        """The index's documents whose file is under a watched folder: path -> its manifest row, with its doc_id."""
        out = {}
        for doc_id, info in (self.assistant.documents() if documents is None else documents).items():
            path = Path(info.get("path", "") or "/")
            if any(f == path or f in path.parents for f in self.folders):
                out[path] = {**info, "doc_id": doc_id}
        return out

    def settle(self, wait: bool = False) -> None:
        """Read the pending files that are complete; remove the documents of files gone; keep the rest pending."""
        if not self.pending:
            return
        if wait:  # a rescan looks twice itself rather than waiting for the next tick
            for path in self.pending:
                self.pending[path] = signature(path)
            self.stop_event.wait(SETTLE_S)
        ready, gone = [], []
        writing = files_open_for_writing(self.folders)
        for path, seen in list(self.pending.items()):
            now = signature(path)
            if now is None:
                gone.append(path)
                del self.pending[path]
            elif now != seen or os.path.realpath(path) in writing:
                self.pending[path] = now  # still being written: look again at the next tick
            else:
                del self.pending[path]
                if self.failed.get(path, (None,))[0] != now:  # a failed file is retried only once it changes
                    ready.append(path)
        if gone:
            self.remove(gone)
        if ready:
            self.ingest(ready)

    def remove(self, paths: list[Path]) -> None:
        held = self.held()
        doc_ids = [held[p]["doc_id"] for p in paths if p in held]
        for p in paths:
            self.failed.pop(p, None)
            self.known.pop(p, None)
        if not doc_ids:
            return
        try:
            with self.lane:
                self.assistant.remove(doc_ids)
        except Exception as exc:  # noqa: BLE001 - reported; the next rescan tries again
            self.record("failed", ", ".join(map(str, paths)), f"could not remove it from the index: {exc}")
            return
        for p in paths:
            if p in held:
                self.record("removed", str(p))

    def ingest(self, paths: list[Path]) -> None:
        before = {p: info.get("sha256") for p, info in self.held().items()}
        try:
            with self.lane, SkippedFiles() as skipped:
                self.assistant.ingest(paths, progress=False)
        except Exception as exc:  # noqa: BLE001 - reported; the next rescan tries again
            for p in paths:
                self.record("failed", str(p), f"the index could not take it: {exc}")
            return
        after = self.held()
        for p in paths:
            self.known[p] = signature(p)
            reason = skipped.reasons.get(str(p))
            if reason is not None:
                self.failed[p] = (signature(p), reason)
                self.record("failed", str(p), reason)
                continue
            self.failed.pop(p, None)
            if p in after and after[p].get("sha256") != before.get(p):
                self.record("updated" if p in before else "added", str(p), after[p].get("title", ""))

    def record(self, kind: str, path: str, detail: str = "") -> None:
        from .store import utc_now

        at = utc_now()
        self.events = [*self.events, {"at": at, "kind": kind, "path": path, "detail": detail}][-RECENT:]
        if kind != "failed":
            for folder in self.folders:
                if folder == Path(path) or folder in Path(path).parents:
                    self.last_change[folder] = at
        if kind == "failed":
            log.warning("watched file %s: %s", path, detail)
        self.on_event(f"{kind}: {path}" + (f" ({detail})" if detail else ""))

    def status(self, documents: dict[str, dict] | None = None) -> list[FolderStatus]:
        """Each folder's state; `documents`: the index's, when the caller has just read them."""
        held = self.held(documents)
        return [
            FolderStatus(
                path=str(f),
                files=sum(1 for p in held if f == p or f in p.parents),
                last_change=self.last_change.get(f, ""),
                failed={str(p): why for p, (_, why) in list(self.failed.items()) if f in p.parents},  # a copy: the watcher writes it
            )
            for f in self.folders
        ]
