"""Progress for long steps: a spinner line on a terminal, silence in CI and pipes.

Library functions take an optional `progress(message)` callable; this module makes
one. Whether to show anything is the `Project`'s decision (a TTY and no CI).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["progress_reporter"]


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _message: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("starting…") as status:
        yield lambda message: status.update(message)
