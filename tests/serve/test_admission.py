"""Admission rules, on the real object, with real threads waiting."""

from __future__ import annotations

import threading
import time

import pytest

from igokg.serve.admission import Admission, Gone, Refused


class Waiter:
    """`enter` on its own thread, as a connection's thread calls it."""

    def __init__(self, admission: Admission, client: str, gone=None) -> None:
        self.outcome: object = None
        self.done = threading.Event()

        def go() -> None:
            try:
                admission.enter(client, gone)
                self.outcome = "admitted"
            except (Refused, Gone) as exc:
                self.outcome = exc
            self.done.set()

        threading.Thread(target=go, daemon=True).start()

    def wait(self, timeout: float = 1.0) -> object:
        assert self.done.wait(timeout), "still waiting"
        return self.outcome


def until(predicate, timeout: float = 1.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.005)


def test_a_client_over_its_share_waits_while_another_client_runs_at_once():
    a = Admission(slots=4, per_client=1, queue=8, client_queue=8, max_wait=5)
    a.enter("heavy")
    waiting = Waiter(a, "heavy")
    until(lambda: a.waiting == 1)
    assert not waiting.done.is_set()
    a.enter("small")  # a free slot, and small has none running: at once
    a.leave("heavy")
    assert waiting.wait() == "admitted"
    assert a.running == 2 and a.waiting == 0


def test_a_client_past_its_waiting_share_gets_429_naming_the_limit():
    a = Admission(slots=1, per_client=1, queue=8, client_queue=1, max_wait=5)
    a.enter("10.0.0.1")
    first = Waiter(a, "10.0.0.1")
    until(lambda: a.waiting == 1)
    with pytest.raises(Refused) as exc:
        a.enter("10.0.0.1")
    assert exc.value.status == 429 and exc.value.retry_after >= 1
    assert "10.0.0.1" in exc.value.message and "1 waiting" in exc.value.message
    a.leave("10.0.0.1")
    assert first.wait() == "admitted"


def test_a_full_queue_is_refused_at_once_with_503():
    a = Admission(slots=1, per_client=1, queue=1, client_queue=8, max_wait=5)
    a.enter("x")
    Waiter(a, "y")
    until(lambda: a.waiting == 1)
    t0 = time.monotonic()
    with pytest.raises(Refused) as exc:
        a.enter("z")
    assert exc.value.status == 503 and "queue limit 1" in exc.value.message
    assert time.monotonic() - t0 < 0.1


def test_a_freed_slot_goes_to_the_client_with_fewest_running():
    a = Admission(slots=2, per_client=2, queue=8, client_queue=8, max_wait=5)
    a.enter("busy")
    a.enter("busy")
    busy_next = Waiter(a, "busy")
    until(lambda: a.waiting == 1)
    other = Waiter(a, "other")
    until(lambda: a.waiting == 2)
    a.leave("busy")
    assert other.wait() == "admitted"  # "other" came later but had nothing running
    assert not busy_next.done.is_set()
    a.leave("busy")
    assert busy_next.wait() == "admitted"


def test_waiting_longer_than_max_wait_is_refused_unstarted():
    a = Admission(slots=1, per_client=1, queue=8, client_queue=8, max_wait=0.05)
    a.enter("x")
    with pytest.raises(Refused) as exc:
        a.enter("y")
    assert exc.value.status == 503 and "not started" in exc.value.message
    assert a.waiting == 0 and a.running == 1


def test_a_client_that_leaves_while_waiting_loses_its_place():
    a = Admission(slots=1, per_client=1, queue=8, client_queue=8, max_wait=5)
    a.enter("x")
    left = threading.Event()
    waiter = Waiter(a, "y", gone=left.is_set)
    until(lambda: a.waiting == 1)
    left.set()
    assert isinstance(waiter.wait(), Gone)
    assert a.waiting == 0
    a.leave("x")
    assert a.running == 0  # the slot was not handed to the client that left
