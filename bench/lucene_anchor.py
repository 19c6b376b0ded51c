"""Lucene 8.8 beside haberara, on this machine: the issue's speed anchor measured again.

Issue 5's Lucene figures were measured on another machine; this runs Lucene 8.8.1
(Debian's ``liblucene8-java``, the ``turkish`` analyzer Elasticsearch uses) on the same
article files and the same 300 queries as ``speed.py`` (same seeds), so both can be run
in the same hour and compared as they stand:

1. every article file is read with haberara's own parser (``search.articles``), so both
   engines index the same id, title (derived where missing) and body; the parsing is not
   part of Lucene's build time;
2. Lucene builds its index in one thread (``IndexWriter`` defaults, ``TurkishAnalyzer`` on
   title and body, both stored): docs/s, peak RSS, index size;
3. the JVM is warmed with ``--rounds`` passes over ``speed.py``'s warm-up queries, then each
   of the 300 queries is timed once, single thread: top 10 with one highlighted body
   passage (``UnifiedHighlighter``) and the stored id and title; p50/p95/p99. Twice: each
   term in title or body as ``or`` (Elasticsearch's ``match`` default) and as ``and``.

Needs a JDK and ``apt-get install liblucene8-java``.

    .venv/bin/python bench/lucene_anchor.py /tmp/news-full --work /tmp/haberara-lucene
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import (
    DEFAULT_CORPUS_DIR,
    RESULTS_DIR,
    checkout,
    folder_size_mb,
    machine,
    markdown_table,
    process_memory_mb,
    write_json,
)
from speed import SEED, query_set, summary

JARS_DIR = Path("/usr/share/java")
JARS = (
    "lucene-core",
    "lucene-analyzers-common",
    "lucene-highlighter",
    "lucene-queries",
    "lucene-memory",
)
SOURCE = Path(__file__).with_name("LuceneAnchor.java")
MODES = ("or", "and")


def classpath() -> str:
    """Debian's Lucene jars, or a message saying how to install them."""
    found = []
    for name in JARS:
        matches = sorted(JARS_DIR.glob(f"{name}-[0-9]*.jar"))
        if not matches:
            sys.exit(f"error: {JARS_DIR}/{name}-*.jar not found: apt-get install liblucene8-java")
        found.append(str(matches[-1]))
    return ":".join(found)


def compile_anchor(work: Path, jars: str) -> str:
    """Compile LuceneAnchor.java into WORK/classes; the classpath to run it with."""
    if shutil.which("javac") is None:
        sys.exit("error: javac not found: apt-get install default-jdk-headless")
    classes = work / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-cp", jars, "-d", str(classes), str(SOURCE)], check=True)
    return f"{classes}:{jars}"


def export_articles(docs: Path, tsv: Path) -> dict:
    """One ``id<TAB>title<TAB>body`` line per readable article (body newlines as U+2029)."""
    from search.articles import ArticleError, list_article_files, read_article

    written = failed = 0
    with tsv.open("w", encoding="utf-8") as out:
        for path in list_article_files(docs):
            try:
                article = read_article(path, docs)
            except ArticleError:
                failed += 1
                continue
            fields = (article.id, article.title, article.body.replace("\n", "\u2029"))
            out.write("\t".join(" ".join(f.split("\t")) for f in fields) + "\n")
            written += 1
    return {"docs": written, "failed": failed}


def run_java(command: list[str]) -> tuple[str, float, float]:
    """Run a JVM; its stdout, wall seconds and peak RSS (VmHWM, polled while it runs)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = [0.0]

    def poll() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], process_memory_mb(process.pid)["peak"])
            time.sleep(0.1)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    output, _ = process.communicate()
    watcher.join()
    if process.returncode:
        sys.exit(f"error: {command[:4]} … exited {process.returncode}")
    return output, time.perf_counter() - started, peak[0]


def build(java: list[str], tsv: Path, index: Path) -> dict:
    if index.exists():
        shutil.rmtree(index)
    output, wall, peak = run_java([*java, "build", str(tsv), str(index)])
    report = json.loads(output)
    return {
        **report,
        "docs_per_s": round(report["docs"] / report["seconds"], 1),
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak, 1),
        "index_mb": round(folder_size_mb(index), 1),
    }


def search(java: list[str], index: Path, work: Path, rounds: int, mode: str) -> dict:
    out = work / f"times-{mode}.json"
    command = [*java, "search", str(index), str(work / "queries.txt"), str(work / "warmup.txt")]
    _, _, peak = run_java([*command, str(rounds), mode, str(out)])
    rows = json.loads(out.read_text(encoding="utf-8"))
    if any(row["hits"] < 0 for row in rows):
        sys.exit(f"error: a {mode} search returned fewer passages than hits")
    return {
        **summary([row["ms"] for row in rows]),
        "no_hits": sum(1 for row in rows if row["hits"] == 0),
        "peak_rss_mb": round(peak, 1),
    }


def table(results: dict) -> str:
    built, found = results["build"], results["search"]
    rows = [
        ["build docs/s (one thread)", built.get("docs_per_s", "-")],
        ["build s (JVM wall)", f"{built.get('seconds', '-')} ({built.get('wall_s', '-')})"],
        ["build peak RSS MB", built.get("peak_rss_mb", "-")],
        ["index size MB", built.get("index_mb", "-")],
        ["index segments", built.get("segments", "-")],
    ]
    for mode in MODES:
        each = found[mode]
        spread = f"{each['p50_ms']} / {each['p95_ms']} / {each['p99_ms']}"
        rows.append([f"{mode}: p50 / p95 / p99 ms", spread])
        rows.append([f"{mode}: mean ms", each["mean_ms"]])
        rows.append([f"{mode}: queries without hits", each["no_hits"]])
        rows.append([f"{mode}: peak RSS MB", each["peak_rss_mb"]])
    return markdown_table(["Lucene 8.8.1 (TurkishAnalyzer)", "here"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles_dir", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/haberara-lucene"))
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "lucene.json")
    parser.add_argument("--per-set", type=int, default=50, help="eval queries per set")
    parser.add_argument("--titles", type=int, default=150, help="title-prefix queries")
    parser.add_argument("--rounds", type=int, default=20, help="JIT warm-up passes")
    parser.add_argument("--heap", default="1g", help="the JVM's -Xmx")
    parser.add_argument("--skip-build", action="store_true", help="reuse WORK/index as is")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    jars = compile_anchor(args.work, classpath())
    java = ["java", f"-Xmx{args.heap}", "-cp", jars, "LuceneAnchor"]
    queries = query_set(args.corpus_dir, args.per_set, args.titles, random.Random(SEED))
    warmup = query_set(args.corpus_dir, 5, 10, random.Random(SEED + 1))
    for name, lines in (("queries.txt", queries), ("warmup.txt", warmup)):
        text = "".join(" ".join(line.split()) + "\n" for line in lines)
        (args.work / name).write_text(text, encoding="utf-8")
    index = args.work / "index"
    results: dict = {"machine": machine(), "checkout": checkout(), "queries": len(queries)}
    results["build"] = {}
    if not args.skip_build:
        tsv = args.work / "articles.tsv"
        print(f"reading {args.articles_dir} …", flush=True)
        results["export"] = export_articles(args.articles_dir, tsv)
        print(f"  {results['export']}\nLucene build …", flush=True)
        results["build"] = build(java, tsv, index)
        print(f"  {results['build']}", flush=True)
    results["search"] = {}
    for mode in MODES:
        print(f"Lucene search, {mode} …", flush=True)
        results["search"][mode] = search(java, index, args.work, args.rounds, mode)
        print(f"  {results['search'][mode]}", flush=True)
    write_json(args.out, results)
    print("\n" + table(results))
    print(f"\nmachine: {results['machine']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
