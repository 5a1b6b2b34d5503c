"""Python's cyclic garbage collector, paused while a stage builds large structures that hold no
cycle: the skolemizer's tables, a dataset's import, the site's index, the panels; and frozen
while such a structure lives and other work goes on beside it (the site's index, from its
computation until the build has collected the pages).

Each of the collector's passes walks the objects created since the last one, and its full
passes walk the whole heap; over millions of lists, tuples and dicts that reference counting
frees on its own they find nothing, and they were half the time of indexing a million triples.
Reference counting still frees what is dropped; the collector's state is restored after, as
it was found (a caller that had it off keeps it off).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["freeze", "frozen", "paused", "thaw"]


@contextmanager
def paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_depth = 0  # freezes not yet thawed


def freeze() -> None:
    """Leave every object that exists now out of the collector's passes (`gc.freeze`) until the
    matching `thaw`. Nested freezes are counted: only the outermost thaw gives the objects back,
    so an inner scope (the renderers' fork) cannot thaw what an outer one (the site) froze.

    The frozen objects are still freed by reference counting when dropped; only a cycle among
    them waits for the thaw. Objects created after the freeze are collected as usual."""
    global _depth
    gc.freeze()
    _depth += 1


def thaw() -> None:
    """End one `freeze`; the outermost gives the frozen objects back to the collector."""
    global _depth
    if _depth == 0:
        return
    _depth -= 1
    if _depth == 0:
        gc.unfreeze()


@contextmanager
def frozen() -> Iterator[None]:
    freeze()
    try:
        yield
    finally:
        thaw()
