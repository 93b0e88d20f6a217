"""Questions a reader sends while an answer is written wait their turn, in sight, per browser session.

Gradio sends an event's inputs when the event is triggered. A question sent while an answer streamed took
the chat as it stood at that moment, an answer cut off at "ال", and that cut-off answer replaced the whole
one and was saved so (issue 41: four answers of eight in a first pass). So a question is never started
while its session has an answer in flight: it joins the session's line (`wait`), the page shows the line
with a cancel button, and the next question is taken (`take`) only once the answer before it is saved
(`done`), when the page's chat holds it whole.

An answer whose end never came (the browser left) does not hold its session's line for ever: after
STALE_S a new question may start.
"""

from __future__ import annotations

import threading
import time

STALE_S = 900.0  # far above the slowest answer seen (92 s on a busy machine, issue 41)
MAX_WAITING = 20  # questions one session may line up; more are refused with a note


class Turns:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, list[str]] = {}
        self._answering: dict[str, float] = {}  # session -> when its answer started

    def wait(self, session: str, question: str) -> bool:
        """Line the question up; False when the line is full."""
        with self._lock:
            line = self._waiting.setdefault(session, [])
            if len(line) >= MAX_WAITING:
                return False
            line.append(question)
            return True

    def take(self, session: str) -> str | None:
        """The session's next question, now marked as being answered; None while an answer is in flight or
        when no question waits."""
        with self._lock:
            if self.in_flight(session):
                return None
            line = self._waiting.get(session)
            if not line:
                return None
            self._answering[session] = self._clock()
            question = line.pop(0)
            if not line:
                del self._waiting[session]
            return question

    def done(self, session: str) -> None:
        """The session's answer ended and was saved: the next question may start."""
        with self._lock:
            self._answering.pop(session, None)

    def cancel(self, session: str) -> None:
        """The questions waiting in the session's line are dropped (the answer being written goes on)."""
        with self._lock:
            self._waiting.pop(session, None)

    def waiting(self, session: str) -> list[str]:
        with self._lock:
            return list(self._waiting.get(session, ()))

    def in_flight(self, session: str) -> bool:
        started = self._answering.get(session)
        return started is not None and self._clock() - started < STALE_S
