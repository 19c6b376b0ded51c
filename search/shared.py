"""Per-process caches shared by every serving thread, for things derived from immutable data.

A whoosh segment never changes once written, and an open reader's set of segments (with
their deletions) never changes either, so what is computed from them - a segment's
lexicon, a term's decoded postings - is the same for every thread and is computed once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

Value = TypeVar("Value")


class SharedCache:
    """A thread-safe least-recently-used map from a key to a value built on first use,
    holding at most ``limit`` in total of the values' ``weight`` (1 each by default).

    A missing key is built once: other threads asking for it meanwhile wait for that
    build instead of making their own copy (four threads each building the word list of a
    43,000-article segment at start-up took four times the memory and the time).

    >>> cache = SharedCache(2)
    >>> cache.get("a", lambda: 1), cache.get("b", lambda: 2), cache.get("a", lambda: 9)
    (1, 2, 1)
    >>> cache.get("c", lambda: 3); "b" in cache
    3
    False
    """

    def __init__(self, limit: int, weight: Callable[[object], int] = lambda value: 1) -> None:
        self.limit = limit
        self._weight = weight
        self._total = 0
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value (a build under way still stores its own)."""
        with self._lock:
            self._values.clear()
            self._total = 0

    def forget(self, key: Hashable) -> None:
        """Drop the value kept for ``key``, if any."""
        with self._lock:
            if key in self._values:
                self._total -= self._weight(self._values.pop(key))

    def lookup_many(self, keys: list[Hashable]) -> list[object | None]:
        """The value kept for each key (now among the most recently used), or None; under
        one hold of the lock."""
        values = self._values
        with self._lock:
            found = [values.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    values.move_to_end(key)
        return found

    def store_many(self, items: list[tuple[Hashable, object]]) -> None:
        """Keep each ``(key, value)`` (for values built in batches, outside :meth:`get`),
        under one hold of the lock; a key already kept keeps its value."""
        with self._lock:
            for key, value in items:
                self._keep(key, value)
            self._evict()

    def _keep(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key`` unless one is kept already (the lock held)."""
        if key not in self._values:
            self._values[key] = value
            self._total += self._weight(value)

    def _evict(self) -> None:
        while self._total > self.limit and len(self._values) > 1:
            _, dropped = self._values.popitem(last=False)
            self._total -= self._weight(dropped)

    def get(self, key: Hashable, build: Callable[[], Value]) -> Value:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]  # type: ignore[return-value]
                building = self._building.get(key)
                if building is None:
                    building = self._building[key] = threading.Lock()
                    building.acquire()
                    break
            with building:  # another thread is building it: wait, then look again
                pass
        try:
            value = build()  # outside the cache's lock: other keys go on meanwhile
            with self._lock:
                self._keep(key, value)
                self._evict()
            return value
        finally:
            with self._lock:
                del self._building[key]
            building.release()
