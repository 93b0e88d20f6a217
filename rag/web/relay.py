"""An answer's stream, run on its own thread, so the page's stop button lands at once.

Gradio runs a synchronous generator one `next()` at a time on a worker thread, and cancels
it (the stop button) only when that `next()` returns. A quoted answer (issue 39) spends its
last `next()` in the model writing the lead: 6-12 s of prompt reading on 2 cores, during
which the stop did nothing and the CI's browser test timed out at 10 s. Here the answer
runs on a thread of its own and the page's generator waits for its pieces at most
`HEARTBEAT_S`, yielding `WAITING` in between; a stop then lands within that time. The
answer's thread keeps the model's lane until the model's current call ends, and stops
at its next piece: the next question waits for that call, never for the rest of the answer.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

HEARTBEAT_S = 0.25
WAITING = object()  # nothing new yet: the caller re-yields what it showed last (Gradio sends no change)
_END = object()


def relay(start: Callable[[], Iterator], lane: threading.Lock, heartbeat: float = HEARTBEAT_S) -> Iterator:
    """The items of `start()` (called on the answer's thread, inside `lane`), with `WAITING` whenever
    `heartbeat` seconds pass without one. An exception raised by the stream is raised here.

    Closing this generator (Gradio's cancel) stops the stream at its next item and closes it,
    which ends its model call's stream as well.
    """
    pieces: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        with lane:
            stream = None
            try:
                if stop.is_set():
                    return  # stopped while another answer held the model: start nothing
                stream = start()
                for item in stream:
                    if stop.is_set():
                        break
                    pieces.put(item)
            except BaseException as exc:  # handed to the page, which shows it
                pieces.put(exc)
            finally:
                if stream is not None and hasattr(stream, "close"):
                    try:
                        stream.close()
                    except Exception:
                        log.warning("closing a stopped answer failed", exc_info=True)
                pieces.put(_END)

    worker = threading.Thread(target=run, name="rag-answer", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = pieces.get(timeout=heartbeat)
            except queue.Empty:
                yield WAITING
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
