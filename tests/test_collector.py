"""The collector is paused for the block and given back as it was found, also on an error."""

from __future__ import annotations

import gc

import pytest

from igokg.collector import paused


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_gives_the_collector_back():
    with pytest.raises(ValueError), paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_caller_that_had_it_off_keeps_it_off():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
