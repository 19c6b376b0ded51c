"""A serving worker's memory over many distinct queries: does what it keeps stay bounded?

``speed.py`` asks 300 queries, which a worker's caches (scored postings, query words'
forms, snippet words) can hold in full. A worker that runs for days meets far more. This
asks every eval question (``<corpus>/{xquad-tr,tquad,news-headlines}/queries.tsv``,
11,390, each once, in file order, cut to the query length limit) of one searcher prepared
as a ``serve`` worker prepares its own, in one thread, and reports the process's memory
every ``--every`` queries: RSS, its peak, its own heap (anon) and index pages (file),
with the time taken so far.

    .venv/bin/python bench/worker_memory.py /tmp/haberara-speed/index
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import (
    DEFAULT_CORPUS_DIR,
    RESULTS_DIR,
    checkout,
    machine,
    markdown_table,
    process_memory_mb,
    read_tsv,
    use_project,
    write_json,
)

use_project()

from speed import EVAL_SETS, worker_searcher  # noqa: E402 - speed.py needs use_project() too


def eval_questions(corpus_dir: Path) -> list[str]:
    """Every eval set's query texts, set after set, in file order."""
    return [row[1] for name in EVAL_SETS for row in read_tsv(corpus_dir / name / "queries.tsv")]


def run(index: Path, queries: list[str], every: int) -> list[dict]:
    """Memory after the worker is prepared, then after every ``every`` queries (and the last)."""
    from search.searching.searcher import MAX_QUERY_LENGTH

    searcher = worker_searcher(index)
    pid, started = os.getpid(), time.perf_counter()
    samples = [{"queries": 0, "seconds": 0.0, **process_memory_mb(pid)}]
    for count, text in enumerate(queries, 1):
        searcher.search(text[:MAX_QUERY_LENGTH], per_page=10)
        if count % every == 0 or count == len(queries):
            seconds = round(time.perf_counter() - started, 1)
            samples.append({"queries": count, "seconds": seconds, **process_memory_mb(pid)})
            print(f"  {samples[-1]}", flush=True)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("index", type=Path, help="a built index (e.g. speed.py's)")
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--queries", type=int, default=None, help="ask only the first N")
    parser.add_argument("--every", type=int, default=1000, help="sample every N queries")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "worker_memory.json")
    args = parser.parse_args(argv)
    queries = eval_questions(args.corpus_dir)[: args.queries]
    print(f"{len(queries)} distinct queries on {args.index} …", flush=True)
    from search.errors import IndexMissing

    try:
        samples = run(args.index, queries, args.every)
    except IndexMissing as error:
        parser.error(str(error))
    results = {"machine": machine(), "checkout": checkout(), "samples": samples}
    write_json(args.out, results)
    header = ["queries", "seconds", "RSS MiB", "peak MiB", "own heap MiB", "index pages MiB"]
    keys = ("rss", "peak", "anon", "file")
    rows = [[s["queries"], f"{s['seconds']:.1f}", *(f"{s[k]:.1f}" for k in keys)] for s in samples]
    print("\n" + markdown_table(header, rows))
    print(f"\nmachine: {results['machine']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
