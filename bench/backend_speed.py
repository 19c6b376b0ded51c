"""Speed of the two backends on the same articles: the embedded index and an OpenSearch
cluster (``scripts/opensearch-cluster start`` starts a local one).

For each backend: a full build of the articles folder (``reindex --full``; for OpenSearch
through the bulk API into 3 shards with a replica each), docs/s; an incremental reindex
after adding 100 new files (copies of seeded-random articles), and the time until a live
searcher finds the last one; then the in-process latency p50/p95/p99 of
``search(q, per_page=10)`` (top 10 with snippets and facets) over ``speed.py``'s query
set, after a separate warm-up set.

    .venv/bin/python bench/backend_speed.py /tmp/news-full --work /tmp/haberara-backends \\
        --opensearch-url http://127.0.0.1:9200,http://127.0.0.1:9201,http://127.0.0.1:9202
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

from common import DEFAULT_CORPUS_DIR, RESULTS_DIR, checkout, machine, use_project, write_json
from speed import SEED, add_files, copy_docs, latencies, query_set, summary

use_project()

INDEX = "bench-speed"


def build(backend, docs: Path) -> dict:
    """A full build, timed."""
    if backend.name == "embedded" and backend.index_dir.exists():
        shutil.rmtree(backend.index_dir)
    started = time.perf_counter()
    report = backend.reindex(docs, full=True)
    seconds = time.perf_counter() - started
    return {
        "docs": report.added,
        "failed": len(report.failed),
        "seconds": round(seconds, 1),
        "docs_per_s": round(report.added / seconds, 1),
    }


def incremental(backend, searcher, docs: Path, count: int, rng: random.Random) -> dict:
    """Add ``count`` files, reindex, and wait until ``searcher`` finds the last one."""
    ids = add_files(docs, count, 0, rng)
    started = time.perf_counter()
    report = backend.reindex(docs)
    reindexed = time.perf_counter() - started
    while searcher.article(ids[-1]) is None and time.perf_counter() < started + 60:
        time.sleep(0.02)
    return {
        "files": count,
        "added": report.added,
        "reindex_s": round(reindexed, 2),
        "searchable_s": round(time.perf_counter() - started, 2),
    }


def measure(backend, docs: Path, queries: list[str], warmup: list[str]) -> dict:
    result = {"build": build(backend, docs)}
    print(f"[{backend.name}] build {result['build']}", flush=True)
    searcher = backend.searcher()
    result["incremental"] = incremental(backend, searcher, docs, 100, random.Random(SEED))
    print(f"[{backend.name}] +100 files {result['incremental']}", flush=True)
    latencies(lambda q: searcher.search(q, per_page=10), warmup)
    result["latency"] = summary(latencies(lambda q: searcher.search(q, per_page=10), queries))
    print(f"[{backend.name}] latency {result['latency']}", flush=True)
    return result


def table(results: dict) -> str:
    rows = ["| backend | build docs/s | +100 files reindex s | searchable s | p50 ms | p95 ms "
            "| p99 ms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for name, result in results.items():
        build, added, latency = result["build"], result["incremental"], result["latency"]
        rows.append(
            f"| {name} | {build['docs_per_s']} | {added['reindex_s']} | {added['searchable_s']} "
            f"| {latency['p50_ms']} | {latency['p95_ms']} | {latency['p99_ms']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles_dir", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/haberara-backends"))
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--opensearch-url", required=True, help="node URLs, comma-separated")
    parser.add_argument("--backends", default="embedded,opensearch")
    parser.add_argument("--per-set", type=int, default=50, help="eval queries per set")
    parser.add_argument("--titles", type=int, default=150, help="title-prefix queries")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "backend_speed.json")
    args = parser.parse_args(argv)
    from search.opensearch.backend import Backend

    queries = query_set(args.corpus_dir, args.per_set, args.titles, random.Random(SEED))
    warmup = query_set(args.corpus_dir, 10, 20, random.Random(SEED + 1))
    measured = checkout()
    results = {}
    for name in args.backends.split(","):
        docs = args.work / f"docs-{name}"
        print(f"[{name}] copied {copy_docs(args.articles_dir, docs)} files", flush=True)
        backend = Backend.choose(name, args.work / "index", args.opensearch_url, INDEX)
        results[name] = measure(backend, docs, queries, warmup)
    write_json(args.out, {"results": results, "machine": machine(), "checkout": measured,
                          "queries": len(queries)})  # fmt: skip
    print("\n" + table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
