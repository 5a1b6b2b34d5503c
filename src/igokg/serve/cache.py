"""Query results kept in memory: the store is read-only, so a result never goes stale."""

from __future__ import annotations

from collections import OrderedDict


class ResultCache:
    """Least-recently-used results by (request, formats), bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple, tuple[int, str, bytes]] = OrderedDict()

    def get(self, key: tuple) -> tuple[int, str, bytes] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple, value: tuple[int, str, bytes]) -> None:
        n = len(value[2]) + sum(len(k) for k in key if isinstance(k, str))
        if self.max_bytes <= 0 or n > self.max_bytes // 8:
            return
        if key in self._items:
            return
        self._items[key] = value
        self.size += n
        while self.size > self.max_bytes and self._items:
            k, v = self._items.popitem(last=False)
            self.size -= len(v[2]) + sum(len(x) for x in k if isinstance(x, str))
