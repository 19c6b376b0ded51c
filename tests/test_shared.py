"""The per-process cache serving threads share: each value is built once."""

from __future__ import annotations

import threading
import time

import pytest

from search.shared import SharedCache


def test_threads_asking_at_once_wait_for_one_build() -> None:
    cache = SharedCache(4)
    builds = []

    def build() -> list[int]:
        builds.append(threading.get_ident())
        time.sleep(0.2)
        return [1, 2, 3]

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("words", build))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(results) == 8 and all(result is results[0] for result in results)


def test_a_failed_build_is_not_cached_and_the_next_caller_builds_again() -> None:
    cache = SharedCache(4)

    def broken() -> int:
        raise OSError("index file vanished")

    with pytest.raises(OSError):
        cache.get("key", broken)
    assert "key" not in cache
    assert cache.get("key", lambda: 7) == 7


def test_least_recently_used_entries_go_first() -> None:
    cache = SharedCache(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 1)  # a is now the most recent
    cache.get("c", lambda: 3)
    assert "a" in cache and "c" in cache and "b" not in cache


def test_a_weighted_cache_holds_at_most_its_limit_of_weight() -> None:
    cache = SharedCache(10, weight=len)
    cache.get("six", lambda: [0] * 6)
    cache.get("three", lambda: [0] * 3)
    assert "six" in cache and "three" in cache
    cache.get("four", lambda: [0] * 4)  # 13 > 10: the oldest goes
    assert "six" not in cache and "three" in cache and "four" in cache
    cache.get("big", lambda: [0] * 50)  # over the limit alone: kept, the rest go
    assert "big" in cache and "three" not in cache and "four" not in cache


def test_batched_lookups_and_stores_keep_recency_and_the_weight_limit() -> None:
    cache = SharedCache(10, weight=len)
    cache.store_many([("a", "xxx"), ("b", "xxx"), ("c", "xxx")])
    assert cache.lookup_many(["a", "z", "a"]) == ["xxx", None, "xxx"]  # a is now the newest
    cache.store_many([("b", "yyyyyy"), ("d", "xxxxx")])  # b kept as it was; d evicts b, c
    assert [key for key in ("a", "b", "c", "d") if key in cache] == ["a", "d"]
    assert cache.lookup_many(["b", "d"]) == [None, "xxxxx"]


def test_a_value_stored_while_it_was_being_built_is_weighed_once() -> None:
    """A batch may store a key while ``get`` builds it: the cache keeps one value for
    the key and counts its weight once, so later values still fit under the limit."""
    cache = SharedCache(10, weight=len)

    def build() -> str:
        cache.store_many([("k", "abcd")])  # another thread's batch, meanwhile
        return "wxyz"

    assert cache.get("k", build) == "wxyz"
    cache.store_many([("other", "123456")])  # 4 + 6 = 10: both fit
    assert "k" in cache and "other" in cache
