"""The page's answer relay (web/relay.py): a stop lands while the answer's thread is busy."""

import threading
import time

import pytest

from rag.web.relay import WAITING, relay


def test_items_pass_through_in_order_and_the_lane_is_released():
    lane = threading.Lock()
    assert [i for i in relay(lambda: iter(["a", "b", "c"]), lane) if i is not WAITING] == ["a", "b", "c"]
    assert lane.acquire(timeout=1)


def test_a_slow_step_yields_waiting_and_closing_stops_the_stream_at_its_next_item():
    lane = threading.Lock()
    closed = threading.Event()
    produced = []

    def answer():
        try:
            yield "quote"
            time.sleep(0.6)  # the model writing a lead
            produced.append("lead")
            yield "lead"
            produced.append("after")
            yield "after"
        finally:
            closed.set()

    stream = relay(answer, lane, heartbeat=0.05)
    assert next(stream) == "quote"
    started = time.monotonic()
    assert next(stream) is WAITING  # the page gets control back at once, while the step runs
    assert time.monotonic() - started < 0.3
    stream.close()  # Gradio's cancel
    assert closed.wait(2)  # the answer's own generator is closed once its step ends
    assert produced == ["lead"]  # nothing after the stop is computed
    assert lane.acquire(timeout=1)  # and the lane is free for the next question


def test_an_error_in_the_stream_reaches_the_page_and_frees_the_lane():
    lane = threading.Lock()

    def broken():
        yield "x"
        raise ValueError("backend went away")

    stream = relay(broken, lane)
    assert next(stream) == "x"
    with pytest.raises(ValueError, match="went away"):
        list(stream)
    assert lane.acquire(timeout=1)


def test_the_next_answer_waits_for_the_lane():
    lane = threading.Lock()
    lane.acquire()
    stream = relay(lambda: iter(["late"]), lane, heartbeat=0.05)
    assert next(stream) is WAITING  # another answer holds the model
    lane.release()
    assert [i for i in stream if i is not WAITING] == ["late"]


def test_a_stop_while_waiting_for_the_lane_starts_nothing():
    lane = threading.Lock()
    lane.acquire()
    started = threading.Event()

    def answer():
        started.set()
        yield "never"

    stream = relay(answer, lane, heartbeat=0.05)
    assert next(stream) is WAITING
    stream.close()  # the reader stopped while another answer held the model
    lane.release()
    time.sleep(0.3)
    assert not started.is_set() and lane.acquire(timeout=1)
