"""Completion latency (``/api/suggest``), the completion table's build, and related articles.

    .venv/bin/python bench/suggest.py INDEX [--prefixes 2000] [--http 1000] [--related 200]
        [--table-memory]

On an index already built (``haberara reindex --docs /tmp/news-full --index INDEX``):

- **build**: a fresh :class:`search.Searcher`'s first completion, which reads every title
  and builds the table (what ``serve`` does at start, and a thread does after a reindex);
- **in-process**: ``Searcher.complete`` over ``--prefixes`` half-typed words, each asked
  once: a seeded sample of title words cut after 1-8 letters, typed in lower case, without
  Turkish letters or in Turkish capitals, a fifth of them after a whole first word
  (``istanbul büy``), and the issue's ``kirg`` and ``istanb``;
- **http**: the same prefixes through a real ``haberara serve`` on 127.0.0.1, one
  connection, one request after the other (``--http`` of them; 0 to skip), once the
  server's completions have come (how long after it first answered is reported too);
- **related**: ``Searcher.related`` for ``--related`` seeded random articles;
- with ``--table-memory``, the memory the table holds (``tracemalloc``, a build of its own).

Prints a Markdown table and writes ``bench/results/suggest.json``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
import urllib.parse
from pathlib import Path

from common import (
    RESULTS_DIR,
    ascii_fold,
    machine,
    markdown_table,
    peak_rss_mb,
    percentile,
    stop_process,
    turkish_upper,
    use_project,
    write_json,
)

use_project()

from search import Searcher  # noqa: E402
from search.searching.complete import CompletionTable, read_titles  # noqa: E402
from search.text.analysis import WORD, turkish_lower  # noqa: E402

SEED = 24


def prefixes(titles: list[str], count: int, rng: random.Random) -> list[str]:
    """Half-typed queries from title words, spelled as readers type them."""
    words = [turkish_lower(w) for title in titles for w in WORD.findall(title) if len(w) >= 3]
    typed = ["kirg", "istanb"]
    while len(typed) < count:
        word = rng.choice(words)
        cut = word[: rng.randint(1, min(8, len(word)))]
        cut = rng.choice([cut, ascii_fold(cut), turkish_upper(cut)])
        if rng.random() < 0.2:
            cut = f"{rng.choice(words)} {cut}"
        typed.append(cut)
    return typed


def timed_ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def summary(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "max_ms": round(max(values), 3),
    }


def table_memory_mb(titles: list[str]) -> float:
    """What a completion table of ``titles`` holds once built (the build's own passing
    allocations left out)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    table = CompletionTable.from_titles(titles)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del table
    return held / 2**20


def http_latencies(index: Path, typed: list[str]) -> tuple[list[float], float]:
    """Each prefix's round trip through a real server; and how long after the server
    answered its first request its completions came (the table is built meanwhile)."""
    from speed import start_server  # the speed benchmark's server start-up

    log = RESULTS_DIR / "suggest-server.log"
    RESULTS_DIR.mkdir(exist_ok=True)
    server = start_server(index, log, ["--workers", "1"])
    try:
        connection = server.connect()

        def get(prefix: str) -> bytes:
            connection.request("GET", "/api/suggest?" + urllib.parse.urlencode({"q": prefix}))
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, response.status
            return body

        started = time.perf_counter()
        while b'"completions":[]' in get("a"):  # none until the table is built
            time.sleep(0.25)
        ready_ms = (time.perf_counter() - started) * 1000
        return [timed_ms(lambda p=p: get(p)) for p in typed], ready_ms
    finally:
        stop_process(server.process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--prefixes", type=int, default=2000)
    parser.add_argument("--http", type=int, default=1000)
    parser.add_argument("--related", type=int, default=200)
    parser.add_argument("--table-memory", action="store_true")
    args = parser.parse_args()
    rng = random.Random(SEED)

    searcher = Searcher(args.index)
    build_ms = timed_ms(lambda: searcher.complete("a"))
    titles = list(read_titles(searcher._current().engine.reader))
    typed = prefixes(titles, args.prefixes, rng)
    searcher.complete("kirg")
    in_process = [timed_ms(lambda p=p: searcher.complete(p)) for p in typed]
    examples = {p: [c.text for c in searcher.complete(p)][:5] for p in typed[:2]}

    ids = [fields["id"] for fields in searcher._current().searcher.all_stored_fields()]
    chosen = rng.sample(ids, min(args.related, len(ids)))
    searcher.related(chosen[0])  # the first reads the scoring data every search reads
    related = [timed_ms(lambda i=i: searcher.related(i)) for i in chosen]

    results = {
        "machine": machine(),
        "index": str(args.index),
        "titles": len(titles),
        "table_build_ms": round(build_ms, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "examples": examples,
        "in_process": summary(in_process),
        "related": summary(related),
    }
    if args.table_memory:
        results["table_mb"] = round(table_memory_mb(titles), 1)
    if args.http:
        latencies, ready = http_latencies(args.index, typed[: args.http])
        results["http"] = {**summary(latencies), "completions_after_start_ms": round(ready, 1)}
    write_json(RESULTS_DIR / "suggest.json", results)

    rows = [
        (name, results[name]["count"], results[name]["p50_ms"], results[name]["p95_ms"],
         results[name]["p99_ms"], results[name]["max_ms"])
        for name in ("in_process", "http", "related") if name in results
    ]  # fmt: skip
    print(f"{len(titles)} titles; table built in {build_ms / 1000:.1f} s; examples {examples}")
    if "table_mb" in results:
        print(f"the table holds {results['table_mb']} MB")
    print(markdown_table(["what", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
