"""How haberara's costs grow with the archive: the same articles copied N times.

1. the N-times archive: ``WORK/docs/copy-1`` … ``copy-N``, each a hard-linked copy of
   ``ARTICLES_DIR`` under a new folder (so every copy's articles have new ids);
2. a full build of it (``speed.full_build``): seconds, docs/s, index size;
3. a ``reindex`` over the whole folder with nothing changed (twice: seconds and CPU
   seconds), then adding 1 file, twice: ``reindex`` over the whole folder
   (``speed.incremental``) and ``reindex`` given the new file's path; each time the
   reindex's seconds and the time until a ``Searcher`` opened before it returns the new
   article (also with ``--skip-build``, on the archive and index built before); then one
   file added while ``watch`` runs (:mod:`search.indexing.watch`), until it is found;
4. in-process latency of ``speed.py``'s 300 queries on a searcher prepared as a ``serve``
   worker prepares its own: p50/p95/p99;
5. a serving worker's memory: ``python -m search serve --no-reindex`` on 127.0.0.1 answers
   the warm-up and the 300 queries once over one connection; its peak RSS, and of what it
   holds afterwards its own heap apart from the index pages it maps (shared with the page
   cache, which the kernel can drop and read again).

    .venv/bin/python bench/scale.py /tmp/news-full --copies 5 --work /tmp/haberara-scale-5
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

from common import (
    DEFAULT_CORPUS_DIR,
    RESULTS_DIR,
    checkout,
    linked_copy,
    machine,
    markdown_table,
    write_json,
)
from speed import (
    ADDED_DIR,
    SEED,
    add_files,
    background_done,
    full_build,
    incremental,
    latencies,
    query_set,
    seconds_until_found,
    server_rss,
    start_server,
    stop_server,
    summary,
    worker_searcher,
)


def make_archive(source: Path, docs: Path, copies: int) -> int:
    """``copies`` hard-linked copies of ``source`` under ``docs/copy-K``; the file count."""
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    for number in range(1, copies + 1):
        linked_copy(source, docs / f"copy-{number}")
    return sum(1 for _ in docs.rglob("*.txt"))


def segments(index: Path) -> int:
    """How many segments the current commit of ``index`` has."""
    from search.storage import store

    with store.open_index(index).reader() as reader:
        return len(list(reader.leaf_readers()))


def incremental_named(docs: Path, index: Path, searcher, start: int, rng) -> dict:
    """Add one file, reindex it alone (``reindex(paths=[file])``), and wait until
    ``searcher`` returns it."""
    from search.indexing.reindex import reindex

    (doc_id,) = add_files(docs, 1, start, rng)
    started = time.perf_counter()
    report = reindex(docs, index, paths=[docs / f"{doc_id}.txt"])
    reindexed = time.perf_counter() - started
    return {
        "files": 1,
        "added": report.added,
        "reindex_s": round(reindexed, 2),
        "searchable_s": seconds_until_found(searcher, doc_id, started),
    }


def incremental_watched(docs: Path, index: Path, searcher, start: int, rng) -> dict:
    """Add one file while ``watch`` runs (after its first run over the whole folder), and
    wait until ``searcher`` returns it."""
    from search.indexing.watch import watch

    reports: list = []
    stop = threading.Event()
    watching = threading.Thread(target=watch, args=(docs, index, reports.append, stop))
    watching.start()
    try:
        deadline = time.perf_counter() + 120
        while not reports and time.perf_counter() < deadline:
            time.sleep(0.02)
        (doc_id,) = add_files(docs, 1, start, rng)
        visible = seconds_until_found(searcher, doc_id, time.perf_counter())
    finally:
        stop.set()
        watching.join()
    return {
        "files": 1,
        "runs": len(reports) - 1,
        "run_s": round(reports[-1].seconds, 2) if len(reports) > 1 else None,
        "searchable_s": visible,
    }


def unchanged_reindex(docs: Path, index: Path) -> dict:
    """A ``reindex`` over the whole folder that finds nothing to do: wall and CPU seconds."""
    from search.indexing.reindex import reindex

    started, cpu = time.perf_counter(), time.process_time()
    report = reindex(docs, index)
    return {
        "unchanged": report.unchanged,
        "reindex_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
    }


def add_one_file(docs: Path, index: Path, warmup: list[str], rng) -> dict:
    """Two reindexes finding nothing to do, then both ways of adding one file, on a
    searcher that has answered a few queries."""
    from search.searching.searcher import Searcher

    searcher = Searcher(index)
    latencies(lambda q: searcher.search(q, per_page=10), warmup[:3])
    start = 1 + sum(1 for _ in (docs / ADDED_DIR).glob("*.txt"))
    return {
        "unchanged": [unchanged_reindex(docs, index) for _ in range(2)],
        "whole_folder": incremental(docs, index, searcher, 1, start, rng),
        "named": incremental_named(docs, index, searcher, start + 1, rng),
        "watched": incremental_watched(docs, index, searcher, start + 2, rng),
    }


def worker_memory(index: Path, queries: list[str], warmup: list[str], work: Path) -> dict:
    """A ``serve`` worker's memory after answering ``warmup`` and ``queries`` once."""
    server = start_server(index, work / "server.log", [])
    try:
        connection = server.connect()
        for query in (*warmup, *queries):
            server.get(connection, query)
        return server_rss(server)
    finally:
        stop_server(server)


def table(results: dict) -> str:
    build = results.get("build", {})
    inproc = results.get("in_process", {})
    added = results.get("add_one", {})
    folder, named = added.get("whole_folder", {}), added.get("named", {})
    watched = added.get("watched", {})
    unchanged = " / ".join(
        f"{run['reindex_s']} ({run['cpu_s']} CPU)" for run in added.get("unchanged", [])
    )
    memory = results.get("worker", {})
    spread = "/".join(str(inproc.get(f"p{p}_ms", "-")) for p in (50, 95, 99))
    rows = [
        ["articles", results.get("files", "-")],
        ["in-process p50 / p95 / p99 ms", spread.replace("/", " / ")],
        ["full build s (docs/s)", f"{build.get('seconds', '-')} ({build.get('docs_per_s', '-')})"],
        ["index MB", build.get("index_mb", "-")],
        ["segments after the build", build.get("segments", "-")],
        ["nothing changed, reindex whole folder: s (CPU s), twice", unchanged or "-"],
        ["add 1 file, reindex whole folder: reindex s", folder.get("reindex_s", "-")],
        ["add 1 file, reindex whole folder: searchable s", folder.get("searchable_s", "-")],
        ["add 1 file, reindex FILE: reindex s", named.get("reindex_s", "-")],
        ["add 1 file, reindex FILE: searchable s", named.get("searchable_s", "-")],
        ["add 1 file, `watch` running: its run s", watched.get("run_s", "-")],
        ["add 1 file, `watch` running: searchable s", watched.get("searchable_s", "-")],
        ["worker peak RSS MB", memory.get("peak_rss_mb_max_process", "-")],
        [
            "worker now: own heap / index pages MB",
            f"{memory.get('worker_anon_mb', '-')} / {memory.get('worker_file_mb', '-')}",
        ],
    ]
    return markdown_table(["figure", f"haberara {results.get('copies')}×"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles_dir", type=Path)
    parser.add_argument("--copies", type=int, default=5, help="copies of the articles")
    parser.add_argument("--work", type=Path, default=None, help="default /tmp/haberara-scale-N")
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=None, help="default results/scale-N.json")
    parser.add_argument("--per-set", type=int, default=50, help="eval queries per set")
    parser.add_argument("--titles", type=int, default=150, help="title-prefix queries")
    parser.add_argument(
        "--skip-build", action="store_true", help="reuse WORK/docs and WORK/index as they are"
    )
    parser.add_argument("--skip-memory", action="store_true", help="no serving worker")
    parser.add_argument(
        "--rounds", type=int, default=1, help="in-process: each query's least time of N passes"
    )
    args = parser.parse_args(argv)
    work = args.work or Path(f"/tmp/haberara-scale-{args.copies}")
    out = args.out or RESULTS_DIR / f"scale-{args.copies}.json"
    rng = random.Random(SEED)
    queries = query_set(args.corpus_dir, args.per_set, args.titles, rng)
    warmup = query_set(args.corpus_dir, 5, 10, random.Random(SEED + 1))
    work.mkdir(parents=True, exist_ok=True)
    docs, index = work / "docs", work / "index"
    results: dict = {
        "machine": machine(),
        "checkout": checkout(),
        "copies": args.copies,
        "queries": len(queries),
        "load_average": {"start": os.getloadavg()},
    }
    if not args.skip_build:
        print(f"{args.copies} copies of {args.articles_dir} …", flush=True)
        results["files"] = make_archive(args.articles_dir, docs, args.copies)
        print(f"full build of {results['files']} files …", flush=True)
        results["build"] = {**full_build(docs, index), "segments": segments(index)}
        print(f"  {results['build']}", flush=True)
    print("adding 1 file …", flush=True)
    results["add_one"] = add_one_file(docs, index, warmup, rng)
    print(f"  {results['add_one']}", flush=True)
    print(f"in-process latency over {len(queries)} queries …", flush=True)
    searcher = worker_searcher(index)
    searcher.cache_pages = args.rounds == 1  # (a page kept would answer the next passes)
    latencies(lambda q: searcher.search(q, per_page=10), warmup)
    background_done()
    results["in_process"] = summary(
        latencies(lambda q: searcher.search(q, per_page=10), queries, args.rounds)
    )
    results["in_process"]["rounds"] = args.rounds
    print(f"  {results['in_process']}", flush=True)
    if not args.skip_memory:
        print("serving worker's memory …", flush=True)
        results["worker"] = worker_memory(index, queries, warmup, work)
    results["load_average"]["end"] = os.getloadavg()
    write_json(out, results)
    print("\n" + table(results))
    print(f"\nmachine: {results['machine']}, load average {results['load_average']}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
