"""Where search and indexing spend their time: cProfile over ~50 reader queries on a built
index, and over a full build of a sample of article files.

Prints, for each: the functions with the most self time (% of the profiled total), the
cumulative time of the steps a search goes through (query building and inflection
expansion, whoosh matching and BM25, facets, stored-field reads, snippets, suggestions,
searcher refresh), and self time grouped by area. Writes ``.prof`` files (open with
``python -m pstats`` or snakeviz) and JSON to ``bench/results/``.

    .venv/bin/python bench/hotspots.py --index /tmp/haberara-speed/index \
        --build-docs /tmp/news-full --build-files 2000
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from common import DEFAULT_CORPUS_DIR, RESULTS_DIR, markdown_table, use_project, write_json

use_project()

from speed import SEED, query_set  # noqa: E402

#: Steps of a search (and a build) whose cumulative time is reported, by function name.
STEPS = {
    "Searcher.search (whole)": ("search/searching/searcher.py", "search"),
    "parse_query": ("search/searching/query.py", "parse_query"),
    "compile_query (expansion)": ("search/searching/querybuild.py", "compile_query"),
    "Vocabulary._forms (inflections)": ("search/searching/vocabulary.py", "_forms"),
    "matching and BM25F (CompiledQuery.match)": ("search/searching/querybuild.py", "match"),
    "  the terms' postings: gather, decode, score": ("search/searching/engine.py", "_score_many"),
    "_hit (stored fields+snippet)": ("search/searching/searcher.py", "_hit"),
    "snippet": ("search/searching/highlight.py", "snippet"),
    "highlight (title)": ("search/searching/highlight.py", "highlight"),
    "suggest": ("search/searching/suggest.py", "suggest"),
    "Searcher._current (refresh)": ("search/searching/searcher.py", "_current"),
    "facet counting (Searcher facet)": ("search/searching/searcher.py", "facet"),
    "top-k (rank)": ("search/searching/searcher.py", "rank"),
    "reindex (whole)": ("search/indexing/reindex.py", "reindex"),
    "a worker's share (_build_part)": ("search/indexing/build.py", "_build_part"),
    "  reading files (read_one)": ("search/indexing/changes.py", "read_one"),
    "  add_document": ("search/storage/segmentwriter.py", "add_document"),
    "    words as form numbers": ("search/text/analysis.py", "numbers"),
    "    new forms' terms (stems)": ("search/text/analysis.py", "learn"),
    "    postings collected": ("search/storage/segmentwriter.py", "add"),
    "    stored fields and columns": ("codec/base.py", "add_column_value"),
    "  segment written (_finalize_segment)": ("whoosh/writing.py", "_finalize_segment"),
    "    words counted into postings": ("search/storage/segmentwriter.py", "sorted_postings"),
    "merge of the workers' segments": ("search/storage/segmentmerge.py", "merge_build_segments"),
}

#: Self time is summed into these areas by the first matching path part.
AREAS = (
    ("search/searching/highlight.py", "snippets/highlight (ours)"),
    ("search/searching/querybuild.py", "query building (ours)"),
    ("search/searching/engine.py", "search engine / scoring (ours)"),
    ("search/text/morphology.py", "inflection grammar (ours)"),
    ("search/searching/suggest.py", "suggestions (ours)"),
    ("search/text/analysis.py", "analysis chain (ours)"),
    ("search/articles.py", "article reading (ours)"),
    ("search/", "other haberara"),
    ("whoosh/analysis", "whoosh analysis"),
    ("whoosh/matching", "whoosh matching"),
    ("whoosh/scoring", "whoosh scoring (BM25F)"),
    ("whoosh/sorting", "whoosh facets/sorting"),
    ("whoosh/collectors", "whoosh collector"),
    ("whoosh/codec", "whoosh codec (postings, stored)"),
    ("whoosh/filedb", "whoosh file I/O"),
    ("whoosh/writing", "whoosh writer"),
    ("whoosh/", "whoosh other"),
    ("zlib", "zlib (stored body)"),
    ("Stemmer", "Snowball (PyStemmer)"),
)


def profile(run) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    return pstats.Stats(profiler)


def total_time(stats: pstats.Stats) -> float:
    return sum(row[2] for row in stats.stats.values())


def top_self(stats: pstats.Stats, count: int) -> list[list[object]]:
    total = total_time(stats)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [
        [_name(key), row[1], round(row[2], 3), f"{100 * row[2] / total:.1f}%", round(row[3], 3)]
        for key, row in rows
    ]


def steps(stats: pstats.Stats, wall: float) -> list[list[object]]:
    out = []
    for label, (path, func) in STEPS.items():
        cumulative = sum(
            row[3] for key, row in stats.stats.items() if key[0].endswith(path) and key[2] == func
        )
        calls = sum(
            row[1] for key, row in stats.stats.items() if key[0].endswith(path) and key[2] == func
        )
        if calls:
            out.append([label, calls, round(cumulative, 3), f"{100 * cumulative / wall:.1f}%"])
    return out


def areas(stats: pstats.Stats) -> list[list[object]]:
    total = total_time(stats)
    sums: dict[str, float] = {}
    for key, row in stats.stats.items():
        where = f"{key[0]}:{key[2]}"
        area = next((name for part, name in AREAS if part in where), "python/stdlib/other")
        sums[area] = sums.get(area, 0.0) + row[2]
    ranked = sorted(sums.items(), key=lambda item: item[1], reverse=True)
    return [[area, round(sec, 3), f"{100 * sec / total:.1f}%"] for area, sec in ranked]


def _name(key: tuple) -> str:
    path, line, func = key
    if path == "~":
        return func
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if "site-packages" in path or "search" in parts else parts[-1]
    return f"{short}:{line} {func}"


def report(title: str, stats: pstats.Stats, count: int) -> dict:
    wall = total_time(stats)
    data = {
        "profiled_s": round(wall, 2),
        "top_self": top_self(stats, count),
        "steps": steps(stats, wall),
        "areas": areas(stats),
    }
    print(f"\n## {title} (profiled {wall:.1f} s)\n")
    print(markdown_table(["step (cumulative)", "calls", "s", "% of total"], data["steps"]))
    print()
    print(markdown_table(["area (self time)", "s", "%"], data["areas"]))
    print()
    header = ["function (self time)", "calls", "self s", "%", "cumulative s"]
    print(markdown_table(header, data["top_self"]))
    return data


def profile_search(index: Path, corpus_dir: Path, count: int) -> tuple[pstats.Stats, int]:
    from search.searching.searcher import Searcher

    searcher = Searcher(index)
    queries = query_set(corpus_dir, count // 5, count - 3 * (count // 5), random.Random(SEED + 7))
    for query in query_set(corpus_dir, 2, 4, random.Random(SEED + 8)):
        searcher.search(query, per_page=10)  # warm: open the reader, fill the caches

    def run() -> None:
        for query in queries:
            searcher.search(query, per_page=10)

    return profile(run), len(queries)


@contextlib.contextmanager
def profiled_workers(folder: Path) -> Iterator[None]:
    """Profile the build's worker processes too (a large build forks one per core): each
    dumps its own stats into ``folder``."""
    from search.indexing import workers

    original = workers._work

    def work(*args) -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            original(*args)
        finally:
            profiler.disable()
            profiler.dump_stats(str(folder / f"worker-{os.getpid()}.prof"))

    workers._work = work
    try:
        yield
    finally:
        workers._work = original


def profile_build(articles: Path, files: int) -> tuple[pstats.Stats, pstats.Stats | None, int]:
    """Stats of the reindexing process and, when it forked workers, of those combined."""
    from search.indexing.reindex import reindex

    paths = sorted(articles.rglob("*.txt"))
    chosen = random.Random(SEED).sample(paths, min(files, len(paths)))
    with tempfile.TemporaryDirectory(prefix="bench-hotspots-") as tmp:
        docs, workers = Path(tmp) / "docs", Path(tmp) / "workers"
        docs.mkdir()
        workers.mkdir()
        for path in chosen:
            shutil.copyfile(path, docs / path.name)
        with profiled_workers(workers):
            stats = profile(lambda: reindex(docs, Path(tmp) / "index", full=True))
        dumps = sorted(str(path) for path in workers.glob("*.prof"))
        worker_stats = pstats.Stats(*dumps) if dumps else None
    return stats, worker_stats, len(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="a built index (the full corpus)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--build-docs", type=Path, help="articles folder to sample for a build")
    parser.add_argument("--build-files", type=int, default=2000)
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if args.index:
        stats, count = profile_search(args.index, args.corpus_dir, args.queries)
        stats.dump_stats(str(args.out_dir / "search.prof"))
        results["search"] = report(f"search: {count} queries", stats, args.top)
        results["search"]["queries"] = count
    if args.build_docs:
        stats, worker_stats, count = profile_build(args.build_docs, args.build_files)
        stats.dump_stats(str(args.out_dir / "build.prof"))
        results["build"] = report(f"build: {count} files, reindex process", stats, args.top)
        results["build"]["files"] = count
        if worker_stats is not None:
            worker_stats.dump_stats(str(args.out_dir / "build-workers.prof"))
            title = f"build: {count} files, worker processes combined"
            results["build_workers"] = report(title, worker_stats, args.top)
    if not results:
        parser.error("give --index and/or --build-docs")
    write_json(args.out_dir / "hotspots.json", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
