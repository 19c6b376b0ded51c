"""The words the index holds, each with how many articles hold it in their title and in
their body, kept beside the index as a few compressed documents.

The searcher needs every word (keyboard spellings, inflections, prefixes, suggestions).
Reading them from the articles' keyword fields with an aggregation took 25-29 s for a
10,000-article index; the counts a reindex keeps load with one request. Each reindex
updates them from the words of the articles it adds, changes and removes, and writes
them under a new stamp before stamping the index with it; counts of another stamp (a
reindex that stopped half-way) are not trusted, and are read again from the articles.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable

from search.opensearch.mapping import DEFAULT_REPLICAS
from search.storage.schema import TEXT_FIELDS

#: word -> [articles holding it in the title, articles holding it in the body]
WordCounts = dict[str, list[int]]

SUFFIX = "-words"
#: Words per stored document.
PART_WORDS = 50_000


def store_name(index: str) -> str:
    """The index the counts of ``index`` are kept in."""
    return index + SUFFIX


def load(client, index: str, stamp: object) -> WordCounts | None:
    """The kept counts, when they were written for ``stamp``; else None."""
    from opensearchpy import exceptions as os_errors

    try:
        head = client.get(index=store_name(index), id="head")["_source"]
    except os_errors.NotFoundError:
        return None
    if head.get("stamp") != stamp:
        return None
    ids = [f"part-{number}" for number in range(head["parts"])]
    if not ids:
        return {}
    counts: WordCounts = {}
    for doc in client.mget(index=store_name(index), body={"ids": ids})["docs"]:
        if not doc.get("found"):
            return None
        counts.update(json.loads(zlib.decompress(base64.b64decode(doc["_source"]["data"]))))
    return counts


def save(client, index: str, stamp: object, counts: WordCounts) -> None:
    """Keep ``counts`` under ``stamp`` (the parts first, then the head naming them)."""
    name = store_name(index)
    if not client.indices.exists(index=name):
        settings = {"number_of_shards": 1, "number_of_replicas": DEFAULT_REPLICAS}
        client.indices.create(
            index=name, body={"settings": settings, "mappings": {"enabled": False}}
        )
    words = sorted(counts)
    parts = [words[start : start + PART_WORDS] for start in range(0, len(words), PART_WORDS)]
    for number, part in enumerate(parts):
        data = json.dumps({word: counts[word] for word in part}, ensure_ascii=False)
        encoded = base64.b64encode(zlib.compress(data.encode("utf-8"), 6)).decode("ascii")
        client.index(index=name, id=f"part-{number}", body={"data": encoded})
    client.index(index=name, id="head", body={"stamp": stamp, "parts": len(parts)})


def delete(client, index: str) -> None:
    """Forget the kept counts (the index is made afresh)."""
    client.indices.delete(index=store_name(index), ignore_unavailable=True)


def from_fields(words: dict[str, dict[str, int]]) -> WordCounts:
    """Counts from ``{field: {word: articles}}`` (as read from the articles)."""
    counts: WordCounts = {}
    for bit, name in enumerate(TEXT_FIELDS):
        for word, count in words[name].items():
            counts.setdefault(word, [0, 0])[bit] = count
    return counts


def by_field(counts: WordCounts) -> dict[str, dict[str, int]]:
    """``{field: {word: articles}}`` of the words some article holds in that field."""
    return {
        name: {word: pair[bit] for word, pair in counts.items() if pair[bit]}
        for bit, name in enumerate(TEXT_FIELDS)
    }


def add(counts: WordCounts, sources: Iterable[dict], sign: int) -> None:
    """Count in (``sign`` 1) or out (-1) the words of articles given by their documents
    (``title_words`` and ``body_words``); words no article holds any more are dropped.

    >>> counts = {}
    >>> add(counts, [{"title_words": ["bişkek"], "body_words": ["bişkek", "toplantı"]}], 1)
    >>> counts
    {'bişkek': [1, 1], 'toplantı': [0, 1]}
    >>> add(counts, [{"title_words": [], "body_words": ["toplantı"]}], -1)
    >>> counts
    {'bişkek': [1, 1]}
    """
    for source in sources:
        for bit, name in enumerate(TEXT_FIELDS):
            for word in source.get(f"{name}_words", ()):
                pair = counts.setdefault(word, [0, 0])
                pair[bit] += sign
                if pair[bit] <= 0 and not pair[1 - bit]:
                    del counts[word]
                elif pair[bit] < 0:
                    pair[bit] = 0
