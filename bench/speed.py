"""Speed benchmark on a folder of article files (the full news corpus, materialized):

1. full index build with ``search.indexing.reindex.reindex(docs, index, full=True)``: docs/s, peak
   RSS of this process (and of any worker processes it waited for), index size on disk;
2. incremental ``reindex`` after adding 1 and then 100 new files (copies of seeded-random
   articles under new names), and the time until a live ``Searcher`` returns the new
   article (a searcher opened before the add, as a server holds one);
3. in-process latency p50/p95/p99 of ``Searcher.search(q, per_page=10)`` (top 10 with
   snippets and facets) over a fixed query set: seeded samples of the eval queries plus
   3-5-word title prefixes of seeded-random articles, after a separate warm-up set, on a
   searcher prepared as a ``serve`` worker prepares its own (``prepare_worker``); then the
   same over quoted phrases: two or three words in a row of seeded-random titles
   (``--phrases``, each checked against the stored text of the articles holding its words);
4. over HTTP: ``python -m search serve --no-reindex`` on 127.0.0.1 as a subprocess;
   ``GET /api/search?q=…`` latency with one client, requests/s with 8 client threads
   (bounded by time and count), the server's RSS (its process tree). The 8 clients go
   round the query set, so after its first round a server answers from its kept result
   pages; the same runs are then made against a server started with
   ``--no-result-cache``, which ranks every request afresh.

    /work/shared/tools/materialize-corpus /work/shared/corpus/news.jsonl.gz /tmp/news-full
    .venv/bin/python bench/speed.py /tmp/news-full --work /tmp/haberara-speed

``--backend opensearch --opensearch-url URL[,URL…]`` measures an OpenSearch cluster instead
(``scripts/opensearch-cluster start`` starts a local one), as ``bench/backend_speed.py``
does: the full build through the bulk API (docs/s), 100 files added (reindex s, searchable
s), and the in-process latency of the same queries; no HTTP step.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    DEFAULT_CORPUS_DIR,
    PROJECT_DIR,
    RESULTS_DIR,
    checkout,
    folder_size_mb,
    linked_copy,
    machine,
    markdown_table,
    peak_rss_mb,
    percentile,
    read_jsonl_gz,
    read_tsv,
    server_memory,
    stop_process,
    use_project,
    write_json,
)

use_project()

SEED = 20251127
EVAL_SETS = ("xquad-tr", "tquad", "news-headlines")
ADDED_DIR = "bench-added"
#: Issue 5: (goal, Lucene 8.8 anchor, naive whoosh anchor) per figure.
ANCHORS = {
    "build_docs_per_s": ("≥ 950", 957, 110),
    "index_mb": ("≤ 100", 74, 188),
    "p50_ms": ("≤ 10", 15.9, 127),
    "p95_ms": ("≤ 20", 34.5, 599),
    "p99_ms": ("≤ 50", 40.3, 1285),
}


# --- query set ----------------------------------------------------------------------------


def query_set(corpus_dir: Path, per_set: int, titles: int, rng: random.Random) -> list[str]:
    """Seeded eval queries (``per_set`` of each set) and ``titles`` 3-5-word title prefixes."""
    queries: list[str] = []
    for name in EVAL_SETS:
        rows = read_tsv(corpus_dir / name / "queries.tsv")
        queries += [row[1] for row in rng.sample(rows, min(per_set, len(rows)))]
    records = [r["title"] for r in read_jsonl_gz(corpus_dir / "news.jsonl.gz") if r["title"]]
    for title in rng.sample(records, titles):
        words = title.split()
        queries.append(" ".join(words[: rng.randint(3, 5)]))
    return queries


def phrase_set(corpus_dir: Path, count: int, rng: random.Random) -> list[str]:
    """``count`` quoted phrases: two or three words in a row of seeded-random titles."""
    titles = [r["title"] for r in read_jsonl_gz(corpus_dir / "news.jsonl.gz") if r["title"]]
    phrases: list[str] = []
    while len(phrases) < count:
        words = [word.strip(PUNCTUATION) for word in rng.choice(titles).split()]
        width = rng.randint(2, 3)
        if len(words) < width:
            continue
        start = rng.randrange(len(words) - width + 1)
        if all(words[start : start + width]):
            phrases.append('"' + " ".join(words[start : start + width]) + '"')
    return phrases


#: Marks stripped off a title's words before they make a phrase.
PUNCTUATION = "\"'“”‘’.,;:!?()[]…-–—"


# --- build and incremental ----------------------------------------------------------------


def copy_docs(source: Path, target: Path) -> int:
    """A private copy of the articles folder (hard links when possible) the bench may grow."""
    if target.exists():
        shutil.rmtree(target)

    linked_copy(source, target)
    return sum(1 for _ in target.rglob("*.txt"))


def full_build(docs: Path, index: Path) -> dict:
    from search.indexing.reindex import reindex

    if index.exists():
        shutil.rmtree(index)
    started = time.perf_counter()
    report = reindex(docs, index, full=True)
    seconds = time.perf_counter() - started
    return {
        "docs": report.added,
        "failed": len(report.failed),
        "seconds": round(seconds, 1),
        "docs_per_s": round(report.added / seconds, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_children_mb": round(peak_rss_mb(resource.RUSAGE_CHILDREN), 1),
        "index_mb": round(folder_size_mb(index), 1),
    }


def add_files(docs: Path, count: int, start: int, rng: random.Random) -> list[str]:
    """Copy ``count`` random articles to ``bench-added/add-NNNN.txt``; return the new ids."""
    sources = sorted(p for p in docs.rglob("*.txt") if ADDED_DIR not in p.parts)
    folder = docs / ADDED_DIR
    folder.mkdir(exist_ok=True)
    ids = []
    for number in range(start, start + count):
        name = f"add-{number:04d}"
        shutil.copyfile(rng.choice(sources), folder / f"{name}.txt")
        ids.append(f"{ADDED_DIR}/{name}")
    return ids


def incremental(docs: Path, index: Path, searcher, count: int, start: int, rng) -> dict:
    """Add ``count`` files, reindex, and wait until ``searcher`` returns the last one."""
    from search.indexing.reindex import reindex

    ids = add_files(docs, count, start, rng)
    started = time.perf_counter()
    report = reindex(docs, index)
    reindexed = time.perf_counter() - started
    return {
        "files": count,
        "added": report.added,
        "reindex_s": round(reindexed, 2),
        "searchable_s": seconds_until_found(searcher, ids[-1], started),
    }


def seconds_until_found(searcher, doc_id: str, started: float, most: float = 60) -> float | None:
    """Seconds from ``started`` (``perf_counter``) until ``searcher`` returns the article
    ``doc_id``, to 0.01 s; None when it has not within ``most`` seconds."""
    while searcher.article(doc_id) is None and time.perf_counter() < started + most:
        time.sleep(0.02)
    visible = time.perf_counter() - started
    return round(visible, 2) if visible < most else None


# --- latency ------------------------------------------------------------------------------


def background_done() -> None:
    """Wait for what a searcher does on threads of its own after it opens an index (the
    completion table, read from every title): searches measured meanwhile share the
    interpreter with it and wait up to a second, a cost of starting, not of searching."""
    for thread in threading.enumerate():
        if thread.daemon and thread is not threading.current_thread():
            thread.join(timeout=120)


def latencies(run: Callable[[str], object], queries: list[str], rounds: int = 1) -> list[float]:
    """Each query's time in ms: on a noisy machine, the least of ``rounds`` passes over
    the whole list (a query's runs minutes apart, not one after another)."""
    times = [float("inf")] * len(queries)
    for _ in range(rounds):
        for number, query in enumerate(queries):
            started = time.perf_counter()
            run(query)
            times[number] = min(times[number], (time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict:
    if not times:
        return {}
    return {
        "n": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "mean_ms": round(sum(times) / len(times), 1),
        "max_ms": round(max(times), 1),
    }


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def get(self, connection: http.client.HTTPConnection, query: str) -> int:
        path = "/api/search?" + urllib.parse.urlencode({"q": query})
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index: Path, log: Path, options: list[str]) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "search", "serve", "--no-reindex", "--index", str(index)]
    command += options
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited {process.returncode}: {_tail(log)}")
        try:
            connection = server.connect()
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"server not ready in 60 s: {_tail(log)}")


def stop_server(server: Server) -> None:
    stop_process(server.process)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-600:]


def server_rss(server: Server) -> dict:
    return server_memory(server.process.pid)


@dataclass
class LoadResult:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def load(server: Server, queries: list[str], clients: int, seconds: float, limit: int) -> dict:
    """``clients`` threads, each with a keep-alive connection, until time or count is up."""
    result = LoadResult()
    started = time.perf_counter()
    deadline = started + seconds

    def client(offset: int) -> None:
        connection = server.connect()
        position = offset
        while time.perf_counter() < deadline:
            with result.lock:
                if len(result.times) + result.errors >= limit:
                    return
            query = queries[position % len(queries)]
            position += 1
            begun = time.perf_counter()
            try:
                ok = server.get(connection, query) == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = server.connect()
            with result.lock:
                if ok:
                    result.times.append((time.perf_counter() - begun) * 1000)
                else:
                    result.errors += 1

    step = max(1, len(queries) // clients)
    threads = [threading.Thread(target=client, args=(i * step,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(result.times),
        "errors": result.errors,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(len(result.times) / elapsed, 1),
        **summary(result.times),
    }


def worker_searcher(index: Path):
    """The searcher of a ``serve`` worker, prepared as the worker prepares it before it
    answers anyone (:func:`web.server.prepare_worker`: the index's word lists and the
    like read, then kept out of the garbage collector's full passes)."""
    from web import create_app
    from web.server import prepare_worker

    app = create_app({"INDEX_DIR": index})
    prepare_worker(app)
    return app.extensions["haberara"].get()


def http_bench(index: Path, queries: list[str], warmup: list[str], args, work: Path) -> dict:
    results = http_run(index, queries, warmup, args, work, cached=True)
    if "error" not in results:
        results["uncached"] = http_run(index, queries, warmup, args, work, cached=False)
    return results


def http_run(
    index: Path, queries: list[str], warmup: list[str], args, work: Path, *, cached: bool
) -> dict:
    options = [] if cached else ["--no-result-cache"]
    try:
        server = start_server(index, work / "server.log", options)
    except RuntimeError as error:
        return {"error": str(error)}
    try:
        connection = server.connect()
        statuses = [server.get(connection, q) for q in warmup]
        single_times = latencies(lambda q: server.get(connection, q), queries)
        single = summary(single_times)
        concurrent = load(server, queries, 8, args.http_seconds, args.http_requests)
        return {
            "warmup_statuses": sorted(set(statuses)),
            "single": single,
            "concurrency_8": concurrent,
            "server": server_rss(server),
        }
    finally:
        stop_server(server)


# --- report -------------------------------------------------------------------------------


def table(results: dict) -> str:
    build = results.get("build", {})
    inproc = results.get("in_process", {})
    http = results.get("http", {})
    single, loaded = http.get("single", {}), http.get("concurrency_8", {})
    rows = [
        _row("full build docs/s", build.get("docs_per_s"), "build_docs_per_s"),
        ["full build time s", build.get("seconds"), "", "", ""],
        ["build peak RSS MB", build.get("peak_rss_mb"), "", "", ""],
        _row("index size MB", build.get("index_mb"), "index_mb"),
    ]
    for step in results.get("incremental", []):
        rows.append([f"add {step['files']} file(s): reindex s", step["reindex_s"], "", "", ""])
        rows.append(
            [f"add {step['files']} file(s): searchable s", step["searchable_s"], "≤ 2", "", ""]
        )
    for pct in ("p50", "p95", "p99"):
        rows.append(_row(f"in-process {pct} ms", inproc.get(f"{pct}_ms"), f"{pct}_ms"))
    phrases = results.get("in_process_phrases", {})
    for pct in ("p50", "p95", "p99"):
        rows.append([f"in-process quoted phrases {pct} ms", phrases.get(f"{pct}_ms"), "", "", ""])
    for pct in ("p50", "p95", "p99"):
        rows.append([f"HTTP 1 client {pct} ms", single.get(f"{pct}_ms"), "", "", ""])
    rows.append(["HTTP c=8 requests/s", loaded.get("requests_per_s"), "≥ 150", "", ""])
    rows.append(["HTTP c=8 p50 / p95 ms", _pair(loaded), "", "", ""])
    server = http.get("server", {})
    rows.append(["peak RSS per worker MB", server.get("peak_rss_mb_max_process"), "≤ 300", "", ""])
    rows.append(["  of it now: own heap / index pages MB", _split(server), "", "", ""])
    uncached = http.get("uncached", {})
    afresh, afresh_server = uncached.get("concurrency_8", {}), uncached.get("server", {})
    rows.append(["no result cache: HTTP 1 client p50 ms", _p50(uncached), "", "", ""])
    rows.append(["no result cache: HTTP c=8 requests/s", afresh.get("requests_per_s"), "", "", ""])
    rows.append(["no result cache: HTTP c=8 p50 / p95 ms", _pair(afresh), "", "", ""])
    rows.append(
        ["no result cache: peak RSS per worker MB", afresh_server.get("peak_rss_mb_max_process")]
        + ["", "", ""]
    )
    rows.append(["server processes (workers)", _workers(server), "", "", ""])
    header = ["figure", "haberara", "goal", "Lucene 8.8", "naive whoosh"]
    return markdown_table(header, ([_num(value) for value in row] for row in rows))


def _p50(http: dict) -> object:
    return http.get("single", {}).get("p50_ms")


def _num(value: object) -> object:
    """Figures with one decimal (``0.57`` s keeps two), ``-`` for a missing one."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"
    return value


def _row(name: str, value: object, key: str) -> list[object]:
    goal, lucene, naive = ANCHORS[key]
    return [name, value, goal, lucene, naive]


def _split(server: dict) -> str:
    if not server:
        return "-"
    return f"{server.get('worker_anon_mb')} / {server.get('worker_file_mb')}"


def _workers(server: dict) -> str:
    return f"{server.get('processes')} ({server.get('workers')})" if server else "-"


def _pair(loaded: dict) -> str:
    return f"{loaded.get('p50_ms')} / {loaded.get('p95_ms')}" if loaded else "-"


def cluster_speed(args: argparse.Namespace) -> int:
    """The cluster's build, incremental reindex and in-process latency
    (:func:`backend_speed.measure`), on the same queries as the embedded run."""
    import backend_speed

    from search.opensearch.backend import Backend

    queries = query_set(args.corpus_dir, args.per_set, args.titles, random.Random(SEED))
    warmup = query_set(args.corpus_dir, 5, 10, random.Random(SEED + 1))
    results: dict = {"machine": machine(), "checkout": checkout(), "queries": len(queries)}
    results["load_average_start"] = os.getloadavg()
    docs = args.work / "docs"
    print(f"copied {copy_docs(args.articles_dir, docs)} files", flush=True)
    backend = Backend.choose("opensearch", args.work / "index", args.opensearch_url,
                             backend_speed.INDEX)  # fmt: skip
    results["opensearch"] = backend_speed.measure(backend, docs, queries, warmup)
    results["load_average_end"] = os.getloadavg()
    out = args.out or RESULTS_DIR / "speed-opensearch.json"
    write_json(out, results)
    print("\n" + backend_speed.table({"opensearch": results["opensearch"]}))
    print(f"\nload average {results['load_average_start']} -> {results['load_average_end']}")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles_dir", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/haberara-speed"))
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--out", type=Path, help="default bench/results/speed[-opensearch].json")
    parser.add_argument("--per-set", type=int, default=50, help="eval queries per set")
    parser.add_argument("--titles", type=int, default=150, help="title-prefix queries")
    parser.add_argument("--phrases", type=int, default=100, help="quoted-phrase queries")
    parser.add_argument("--http-seconds", type=float, default=30)
    parser.add_argument("--http-requests", type=int, default=3000)
    parser.add_argument("--skip-build", action="store_true", help="reuse WORK/index as is")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=1, help="in-process: each query's least time of N passes"
    )
    parser.add_argument("--backend", choices=("embedded", "opensearch"), default="embedded")
    parser.add_argument("--opensearch-url", help="the cluster's node URLs, comma-separated")
    args = parser.parse_args(argv)
    if args.backend == "opensearch":
        if not args.opensearch_url:
            parser.error("--backend opensearch needs --opensearch-url")
        return cluster_speed(args)
    args.out = args.out or RESULTS_DIR / "speed.json"
    from search.searching.searcher import Searcher

    rng = random.Random(SEED)
    queries = query_set(args.corpus_dir, args.per_set, args.titles, rng)
    warmup = query_set(args.corpus_dir, 5, 10, random.Random(SEED + 1))
    args.work.mkdir(parents=True, exist_ok=True)
    docs, index = args.work / "docs", args.work / "index"
    results: dict = {"machine": machine(), "checkout": checkout(), "queries": len(queries)}
    results["load_average_start"] = os.getloadavg()
    if not args.skip_build:
        print(f"copying {args.articles_dir} …", flush=True)
        results["files"] = copy_docs(args.articles_dir, docs)
        print(f"full build of {results['files']} files …", flush=True)
        results["build"] = full_build(docs, index)
        print(f"  {results['build']}", flush=True)
        searcher = Searcher(index)
        latencies(lambda q: searcher.search(q, per_page=10), warmup[:3])
        results["incremental"] = [
            incremental(docs, index, searcher, 1, 1, rng),
            incremental(docs, index, searcher, 100, 2, rng),
        ]
        print(f"  {results['incremental']}", flush=True)
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
    if args.phrases:
        phrases = phrase_set(args.corpus_dir, args.phrases, random.Random(SEED + 2))
        print(f"in-process latency over {len(phrases)} quoted phrases …", flush=True)
        results["in_process_phrases"] = summary(
            latencies(lambda q: searcher.search(q, per_page=10), phrases, args.rounds)
        )
        print(f"  {results['in_process_phrases']}", flush=True)
    if not args.skip_http:
        print("HTTP …", flush=True)
        results["http"] = http_bench(index, queries, warmup, args, args.work)
        print(f"  {results['http']}", flush=True)
    results["load_average_end"] = os.getloadavg()
    write_json(args.out, results)
    print("\n" + table(results))
    print(f"\nmachine: {results['machine']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
