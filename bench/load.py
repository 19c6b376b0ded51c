"""Load under reindexing: concurrent searches over HTTP while reindexes change the index.

Issue 4's load test. On a private copy of an articles folder (and of its index, when one
is given), it starts ``haberara serve --no-reindex`` on 127.0.0.1, then for ``--seconds``:

- ``--clients`` threads send ``GET /api/search`` in a closed loop (keep-alive), with the
  eval sets' queries (``<corpus>/*/queries.tsv``; every 4th sorted by date, every 5th
  asking page 2). Anything but a 200 with a JSON ``results`` list, or an exception, is an
  error.
- one thread repeats a cycle: add ``--add`` new article files, change ``--change``
  existing ones, remove ``--remove``, run ``python -m search reindex`` and wait until the
  server finds one of the new articles (and no longer serves a removed one).

Then it lets the last reindex finish, checks that the served document count is the number
of files on disk, stops the server and writes JSON to ``bench/results/``. It stops by
itself: at ``--seconds`` or ``--max-requests``, whichever comes first. Exit status 1 when
any request failed, a reindex failed or the final count is off. Loopback only.

    .venv/bin/python bench/load.py --docs /tmp/news-full --index /tmp/full-idx2 --seconds 90
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from common import (
    DEFAULT_CORPUS_DIR,
    PROJECT_DIR,
    RESULTS_DIR,
    checkout,
    linked_copy,
    machine,
    percentile,
    read_tsv,
    server_memory,
    stop_process,
    write_json,
)

HOST = "127.0.0.1"  # never anything else: this is a loopback test
CHURN_DIR = "load-churn"
SEED = 20251127
#: The longest query the API takes; longer eval questions would be expected 400s.
MAX_QUERY = 500


# --- setup ---------------------------------------------------------------------------------


def copy_docs(source: Path, target: Path) -> int:
    """A private copy of the articles (hard links where possible; changes replace files,
    so the source is never written)."""

    linked_copy(source, target)
    return count_articles(target)


def count_articles(docs: Path) -> int:
    return sum(1 for _ in docs.rglob("*.txt"))


def haberara(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """The real command line, as the newsroom's cron runs it."""
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def reindex(docs: Path, index: Path, timeout: float = 1800) -> tuple[dict, float, int]:
    """``(report, seconds, exit status)`` of one ``haberara reindex --json``."""
    started = time.monotonic()
    run = haberara("reindex", "--docs", str(docs), "--index", str(index), "--json", timeout=timeout)
    seconds = time.monotonic() - started
    try:
        report = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        report = {"error": (run.stderr or run.stdout)[-500:]}
    return report, seconds, run.returncode


def read_queries(corpus_dir: Path) -> list[str]:
    """Every eval-set query the API accepts, in a seeded order."""
    queries = [
        row[1]
        for path in sorted(corpus_dir.glob("*/queries.tsv"))
        for row in read_tsv(path)
        if len(row) > 1 and row[1].strip() and len(row[1]) <= MAX_QUERY
    ]
    random.Random(SEED).shuffle(queries)
    return queries


class Server:
    """``haberara serve --no-reindex`` on a loopback port."""

    def __init__(self, index: Path, port: int, threads: int, log: Path) -> None:
        self.base = f"http://{HOST}:{port}"
        command = [sys.executable, "-m", "search", "serve", "--no-reindex"]
        command += ["--index", str(index), "--host", HOST, "--port", str(port)]
        command += ["--threads", str(threads)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {log}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready within 120 s; see {log}")

    def documents(self) -> int:
        return requests.get(f"{self.base}/healthz", timeout=10).json()["documents"]

    def stop(self) -> None:
        stop_process(self.process)


# --- the searching clients -----------------------------------------------------------------


@dataclass
class Tally:
    """Latencies of successful requests and every failure, shared by the client threads."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.latencies_ms) + self.errors


def search_params(query: str, number: int) -> dict[str, str]:
    params = {"q": query}
    if number % 4 == 3:
        params["sort"] = "date"
    if number % 5 == 4:
        params["page"] = "2"
    return params


def client(base: str, queries: list[str], offset: int, tally: Tally, stop: threading.Event,
           max_requests: int) -> None:  # fmt: skip
    """Search in a closed loop until ``stop`` or until ``max_requests`` were sent in all."""
    number = offset
    with requests.Session() as session:
        while not stop.is_set() and tally.count() < max_requests:
            params = search_params(queries[number % len(queries)], number)
            number += 1
            started = time.perf_counter()
            try:
                response = session.get(f"{base}/api/search", params=params, timeout=60)
                ok = response.status_code == 200 and isinstance(response.json()["results"], list)
                problem = "" if ok else f"{response.status_code} {response.text[:200]}"
            except (requests.RequestException, ValueError, KeyError) as error:
                problem = f"{type(error).__name__}: {error}"
            elapsed_ms = (time.perf_counter() - started) * 1000
            with tally.lock:
                if problem:
                    tally.errors += 1
                    if len(tally.error_samples) < 20:
                        tally.error_samples.append(f"{params}: {problem}")
                else:
                    tally.latencies_ms.append(elapsed_ms)


# --- the reindexing loop -------------------------------------------------------------------


@dataclass
class Churn:
    """Changes to the articles folder, one cycle at a time, each followed by a reindex."""

    docs: Path
    index: Path
    server: Server
    add: int
    change: int
    remove: int
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    cycles: list[dict] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)

    def run(self, stop: threading.Event) -> None:
        originals = sorted(p for p in self.docs.rglob("*.txt") if CHURN_DIR not in p.parts)
        while not stop.is_set():
            self.cycles.append(self.cycle(len(self.cycles), originals))

    def cycle(self, number: int, originals: list[Path]) -> dict:
        marker = "yukbench" + "".join(chr(ord("a") + int(d)) for d in f"{number:05d}")
        folder = self.docs / CHURN_DIR
        folder.mkdir(exist_ok=True)
        new_ids = []
        for k in range(self.add):
            name = f"c{number:05d}-{k}"
            source = self.rng.choice(originals).read_text(encoding="utf-8", errors="replace")
            title = f"title: Yük testi {marker} haberi {k}\n\n"
            _replace(folder / f"{name}.txt", title + _body(source) + f"\n\n{marker} geçti.\n")
            new_ids.append(f"{CHURN_DIR}/{name}")
        changed_ids = []
        for path in self.rng.sample(originals, self.change):
            text = path.read_text(encoding="utf-8", errors="replace")
            _replace(path, text.rstrip("\n") + f"\n\nGüncelleme {marker}.\n")
            changed_ids.append(path.relative_to(self.docs).with_suffix("").as_posix())
        removed_ids = []
        for k in range(self.remove):
            if k == 0 and self.added_ids:  # the oldest file an earlier cycle added
                gone = self.added_ids.pop(0)
            else:
                path = originals.pop(self.rng.randrange(len(originals)))
                gone = path.relative_to(self.docs).with_suffix("").as_posix()
            (self.docs / f"{gone}.txt").unlink()
            removed_ids.append(gone)
        self.added_ids += new_ids
        report, seconds, status = reindex(self.docs, self.index)
        visible = self.seconds_until_served(marker, {*new_ids, *changed_ids}, removed_ids[0])
        return {
            "cycle": number,
            "ok": status == 0 or (status == 1 and "error" not in report),  # 1: files rejected
            "exit_status": status,
            "seconds": round(seconds, 1),
            "report": {k: v for k, v in report.items() if k != "warnings"},
            "served_after_s": visible,
        }

    def seconds_until_served(self, marker: str, changed: set[str], gone_id: str) -> float | None:
        """Until a search for ``marker`` finds the added and changed articles and a removed
        one is a 404 (None after 30 s)."""
        started = time.monotonic()
        base = self.server.base
        params = {"q": marker, "per_page": "100"}
        while time.monotonic() - started < 30:
            try:
                found = requests.get(f"{base}/api/search", params=params, timeout=30)
                ids = {hit["id"] for hit in found.json()["results"]}
                gone = requests.get(f"{base}/api/articles/{gone_id}", timeout=30).status_code
                if changed <= ids and gone == 404:
                    return round(time.monotonic() - started, 2)
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.1)
        return None


def _body(article: str) -> str:
    """The text after an article's header (or all of it)."""
    return article.split("\n\n", 1)[-1].strip()[:4000]


def _replace(path: Path, text: str) -> None:
    """Write by rename: a reader (or a hard-linked source) never sees half a file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --- the run --------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> tuple[Path, Path, dict]:
    """The private docs and index folders, in line with each other."""
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    docs, index = args.work / "docs", args.work / "index"
    started = time.monotonic()
    files = copy_docs(args.docs, docs)
    if args.index:
        shutil.copytree(args.index, index, ignore=shutil.ignore_patterns("write.lock"))
    print(f"copied {files} articles in {time.monotonic() - started:.0f} s; syncing the index")
    report, seconds, status = reindex(docs, index)
    if status not in (0, 1):
        raise SystemExit(f"initial reindex failed ({status}): {report}")
    sync = {k: v for k, v in report.items() if k != "warnings"}
    sync["wall_seconds"] = round(seconds, 1)
    sync["failed"] = len(report.get("failed", []))
    print(f"index in line with the files: {sync}")
    return docs, index, sync


def run(args: argparse.Namespace) -> dict:
    docs, index, sync = prepare(args)
    queries = read_queries(args.corpus_dir)
    port = args.port or _free_port()
    server = Server(index, port, args.threads, args.work / "server.log")
    tally, stop = Tally(), threading.Event()
    churn = Churn(docs, index, server, args.add, args.change, args.remove)
    try:
        clients = [
            threading.Thread(
                target=client,
                args=(server.base, queries, i * 997, tally, stop, args.max_requests),
            )
            for i in range(args.clients)
        ]
        churner = threading.Thread(target=churn.run if args.churn else stop.wait, args=(stop,))
        started = time.monotonic()
        for thread in [*clients, churner]:
            thread.start()
        while time.monotonic() - started < args.seconds and tally.count() < args.max_requests:
            time.sleep(0.5)
        stop.set()
        elapsed = time.monotonic() - started
        for thread in clients:
            thread.join()
        memory = server_memory(server.process.pid)
        rss_mb, peak_mb = memory["rss_mb"], memory["peak_rss_mb_max_process"]
        churner.join()  # the reindex in flight finishes; no new one starts
        final = final_check(server, docs, churn.cycles)
    finally:
        stop.set()
        server.stop()
    return summarize(args, tally, churn, elapsed, sync, final, rss_mb, peak_mb, len(queries))


def final_check(server: Server, docs: Path, cycles: list[dict]) -> dict:
    """After the last reindex: does the server count exactly the files on disk?"""
    failed = len(cycles[-1]["report"].get("failed", [])) if cycles else 0
    expected = count_articles(docs) - failed
    served = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        served = server.documents()
        if served == expected:
            break
        time.sleep(0.2)
    return {"files_on_disk": expected + failed, "rejected": failed, "served": served,
            "ok": served == expected}  # fmt: skip


def summarize(args, tally: Tally, churn: Churn, elapsed: float, sync: dict, final: dict,
              rss_mb: float, peak_mb: float, query_count: int) -> dict:  # fmt: skip
    times = sorted(tally.latencies_ms)
    reindex_seconds = [c["seconds"] for c in churn.cycles]
    served_after = [c["served_after_s"] for c in churn.cycles]
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "checkout": checkout(),
        "settings": {
            "clients": args.clients, "server_threads": args.threads, "seconds": args.seconds,
            "max_requests": args.max_requests, "add": args.add, "change": args.change,
            "remove": args.remove, "churn": args.churn, "queries": query_count,
        },
        "initial_sync": sync,
        "requests": len(times),
        "errors": tally.errors,
        "error_samples": tally.error_samples,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(len(times) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {
            "p50": _pct(times, 50), "p90": _pct(times, 90), "p99": _pct(times, 99),
            "max": round(times[-1], 1) if times else None,
        },
        "reindexes": len(churn.cycles),
        "reindex_failures": sum(1 for c in churn.cycles if not c["ok"]),
        "reindex_seconds": reindex_seconds,
        "change_served_after_s": served_after,
        "changes_not_served": sum(1 for s in served_after if s is None),
        "final": final,
        "server_rss_mb": round(rss_mb, 1),
        "server_peak_rss_mb": round(peak_mb, 1),
        "cycles": churn.cycles,
    }  # fmt: skip


def _pct(values: list[float], pct: float) -> float | None:
    return round(percentile(values, pct), 1) if values else None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def passed(result: dict) -> bool:
    return (
        result["errors"] == 0
        and result["reindex_failures"] == 0
        and result["changes_not_served"] == 0
        and (result["reindexes"] > 0 or not result["settings"]["churn"])
        and result["final"]["ok"]
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, required=True, help="articles folder (not written)")
    parser.add_argument("--index", type=Path, help="an index of --docs to copy (else built)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/haberara-load"))
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="server threads (serve's default)")
    parser.add_argument("--add", type=_positive, default=3, help="files added per reindex")
    parser.add_argument("--change", type=int, default=2, help="files changed per reindex")
    parser.add_argument("--remove", type=_positive, default=2, help="files removed per reindex")
    parser.add_argument(
        "--churn",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="change files and reindex while searching (--no-churn: searches alone, a baseline)",
    )
    parser.add_argument("--port", type=int, default=0, help="loopback port (0: a free one)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "load.json")
    args = parser.parse_args(argv)

    result = run(args)
    write_json(args.out, result)
    latency = result["latency_ms"]
    print(
        f"{result['requests']} requests in {result['seconds']} s "
        f"({result['requests_per_s']}/s, {args.clients} clients), errors {result['errors']}; "
        f"p50 {latency['p50']} ms, p99 {latency['p99']} ms, max {latency['max']} ms; "
        f"{result['reindexes']} reindexes ({result['reindex_failures']} failed, "
        f"{min(result['reindex_seconds'], default=0)}-{max(result['reindex_seconds'], default=0)}"
        f" s each); served {result['final']['served']} of {result['final']['files_on_disk']} "
        f"files at the end; server RSS {result['server_rss_mb']} MB "
        f"(peak {result['server_peak_rss_mb']}); written to {args.out}"
    )
    for sample in result["error_samples"]:
        print(f"error: {sample}", file=sys.stderr)
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main())
