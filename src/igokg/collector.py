"""Python's cyclic garbage collector, paused while a stage builds large structures that hold no
cycle: the skolemizer's tables, a dataset's import, the site's index, the panels.

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

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
