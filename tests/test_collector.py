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


def test_freezes_nest_and_only_the_outermost_thaw_gives_the_objects_back():
    from igokg.collector import freeze, frozen, thaw

    assert gc.get_freeze_count() == 0
    kept = [[] for _ in range(10)]  # objects that exist at the freeze
    freeze()
    try:
        assert gc.get_freeze_count() >= len(kept)
        with frozen():  # an inner scope (the renderers' fork) ...
            pass
        assert gc.get_freeze_count() >= len(kept)  # ... does not thaw what the outer one froze
    finally:
        thaw()
    assert gc.get_freeze_count() == 0
    thaw()  # a thaw without a freeze changes nothing
    assert gc.get_freeze_count() == 0
    with pytest.raises(ValueError), frozen():
        raise ValueError("boom")
    assert gc.get_freeze_count() == 0
