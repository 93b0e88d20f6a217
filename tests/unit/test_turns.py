"""Questions sent while an answer is written wait their turn (rag/web/turns.py)."""

from __future__ import annotations

import threading

from rag.web.turns import MAX_WAITING, STALE_S, Turns


def test_a_question_waits_while_its_sessions_answer_is_in_flight():
    turns = Turns()
    assert turns.wait("a", "first") and turns.take("a") == "first"
    assert turns.in_flight("a")
    turns.wait("a", "second")
    turns.wait("a", "third")
    assert turns.take("a") is None  # never into an answer being written
    assert turns.waiting("a") == ["second", "third"]
    assert turns.wait("b", "another reader") and turns.take("b") == "another reader"  # sessions apart
    turns.done("a")
    assert turns.take("a") == "second" and turns.waiting("a") == ["third"]
    turns.done("a")
    assert turns.take("a") == "third" and turns.waiting("a") == []
    turns.done("a")
    assert turns.take("a") is None and not turns.in_flight("a")


def test_cancel_drops_the_line_not_the_answer_being_written():
    turns = Turns()
    turns.wait("a", "first")
    turns.take("a")
    turns.wait("a", "second")
    turns.cancel("a")
    assert turns.waiting("a") == [] and turns.in_flight("a")
    turns.done("a")
    assert turns.take("a") is None


def test_a_full_line_refuses_more_and_an_abandoned_answer_frees_its_session():
    now = [0.0]
    turns = Turns(clock=lambda: now[0])
    turns.wait("a", "q")
    turns.take("a")
    assert all(turns.wait("a", f"q{i}") for i in range(MAX_WAITING))
    assert not turns.wait("a", "one too many")
    assert turns.take("a") is None
    now[0] = STALE_S + 1  # the browser left before its answer's end was saved
    assert turns.take("a") == "q0"


def test_two_takes_at_once_start_one_question():
    turns = Turns()
    for q in ("q1", "q2"):
        turns.wait("a", q)
    taken, barrier = [], threading.Barrier(8)

    def take():
        barrier.wait()
        taken.append(turns.take("a"))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [q for q in taken if q] == ["q1"]
