"""Admission rules, on the real object in a real event loop."""

from __future__ import annotations

import asyncio

import pytest

from igokg.serve.admission import Admission, Refused


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def test_a_client_over_its_share_waits_while_another_client_runs_at_once():
    async def go():
        a = Admission(slots=4, per_client=1, queue=8, client_queue=8, max_wait=5)
        await a.enter("heavy")
        waiting = asyncio.ensure_future(a.enter("heavy"))
        await asyncio.sleep(0)
        assert not waiting.done() and a.waiting == 1
        await asyncio.wait_for(a.enter("small"), 0.1)  # a free slot, and small has none running
        a.leave("heavy")
        await asyncio.wait_for(waiting, 0.1)
        assert a.running == 2
    run(go())


def test_a_client_past_its_waiting_share_gets_429_naming_the_limit():
    async def go():
        a = Admission(slots=1, per_client=1, queue=8, client_queue=1, max_wait=5)
        await a.enter("10.0.0.1")
        first = asyncio.ensure_future(a.enter("10.0.0.1"))
        await asyncio.sleep(0)
        with pytest.raises(Refused) as exc:
            await a.enter("10.0.0.1")
        assert exc.value.status == 429 and exc.value.retry_after >= 1
        assert "10.0.0.1" in exc.value.message and "1 waiting" in exc.value.message
        first.cancel()
        await asyncio.sleep(0)
    run(go())


def test_a_freed_slot_goes_to_the_client_with_fewest_running():
    async def go():
        a = Admission(slots=2, per_client=2, queue=8, client_queue=8, max_wait=5)
        await a.enter("busy")
        await a.enter("busy")
        busy_next = asyncio.ensure_future(a.enter("busy"))
        await asyncio.sleep(0)
        other = asyncio.ensure_future(a.enter("other"))
        await asyncio.sleep(0)
        a.leave("busy")
        await asyncio.wait_for(asyncio.shield(other), 0.1)
        assert other.done() and not busy_next.done()  # "other" came later but had nothing running
        busy_next.cancel()
        await asyncio.sleep(0)
    run(go())


def test_waiting_longer_than_max_wait_is_refused_unstarted():
    async def go():
        a = Admission(slots=1, per_client=1, queue=8, client_queue=8, max_wait=0.05)
        await a.enter("x")
        with pytest.raises(Refused) as exc:
            await a.enter("y")
        assert exc.value.status == 503 and "not started" in exc.value.message
        assert a.waiting == 0
    run(go())
