"""Plain searches while abusive clients send the costliest requests we know (issue 21).

Starts ``haberara serve --no-reindex`` on 127.0.0.1 over ``--index`` (an index you built;
it is only read), waits until its workers have built their completion tables (work a
worker does once, after it starts), then:

1. for ``--baseline-seconds``, one client sends plain searches alone;
2. for ``--seconds``, ``--abusers`` clients (20 by default) send costly requests in a closed
   loop while the plain client goes on: 60 misspelt words (suggestions), three quoted
   phrases of common words (stored-text checks), 69 prefixes, a 500-character query of
   common words, and the article page of ``--big-article`` with its word highlighted.

Plain searches are one or two words taken from the news-headlines eval set, each asked
once (a kept result page would answer at once), ``--pause`` seconds apart (as readers
search; a closed loop would run out of queries within seconds). Every second the server's worker
processes are sampled. Prints and writes (``bench/results/abuse-*.json``) the plain
searches' p50/p95/max alone and under abuse, what the abusive requests got, and each
worker's peak RSS. It stops by itself; loopback only.

    .venv/bin/python bench/abuse.py --index /tmp/reliability-full-index \\
        --big-article zz-buyuk/tek-kelime --seconds 60
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests
from common import (
    DEFAULT_CORPUS_DIR,
    PROJECT_DIR,
    RESULTS_DIR,
    checkout,
    machine,
    percentile,
    process_memory_mb,
    process_tree,
    read_tsv,
    stop_process,
    write_json,
)

HOST = "127.0.0.1"  # never anything else: this is a loopback test
SEED = 21
COMMON = "belediye başkanı toplantı ekonomi türkiye ankara istanbul hükümet seçim meclis "
LETTERS = "abcçdefgğhıijklmnoöprsştuüvyz"


def costly_queries(rng: random.Random) -> list[str]:
    """The costliest searches found: each stays within the API's 500 characters."""
    misspelt = " ".join(
        "".join(rng.choice(LETTERS) for _ in range(rng.randint(6, 8))) for _ in range(60)
    )
    return [
        misspelt[:500],
        '"belediye başkanı" "türkiye cumhuriyeti" "merkez bankası"',
        " ".join(f"{letter}*" for letter in "abcdefghijklmnoprstuvyz" * 3)[:500],
        (COMMON * 8)[:500],
    ]


def plain_queries(corpus: Path) -> list[str]:
    """One- and two-word searches from the headlines eval set, each once, shuffled."""
    seen: dict[str, None] = {}
    for row in read_tsv(corpus / "news-headlines" / "queries.tsv"):
        words = [w.strip("'\"‘’“”,.:;!?()") for w in row[1].split()]
        words = [w for w in words if len(w) > 2]
        for size in (1, 2):
            if len(words) >= size:
                seen.setdefault(" ".join(words[:size]).lower())
    queries = list(seen)
    random.Random(SEED).shuffle(queries)
    return queries


class Server:
    """``haberara serve --no-reindex`` on a loopback port."""

    def __init__(self, index: Path, port: int, log: Path) -> None:
        self.base = f"http://{HOST}:{port}"
        command = [sys.executable, "-m", "search", "serve", "--no-reindex", "--index", str(index)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--host", HOST, "--port", str(port)],
                cwd=PROJECT_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 300
        answered = 0  # completions from ten answers in a row: every worker has built its table
        while time.monotonic() < deadline and answered < 10:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {log}")
            try:
                suggest = requests.get(f"{self.base}/api/suggest", params={"q": "ka"}, timeout=5)
                completed = suggest.status_code == 200 and suggest.json().get("completions")
                answered = answered + 1 if completed else 0
            except requests.RequestException:
                answered = 0
            time.sleep(0.1 if answered else 0.5)
        if answered >= 10:
            return
        stop_process(self.process)
        raise RuntimeError(f"server not ready within 300 s; see {log}")

    def workers(self) -> list[int]:
        return process_tree(self.process.pid)[1:] or [self.process.pid]


def plain_client(base: str, queries: list[str], stop: threading.Event, pause: float) -> list[float]:
    """Plain searches, ``pause`` seconds apart, until ``stop``; each one's milliseconds."""
    timings = []
    with requests.Session() as session:
        while not stop.wait(pause) and queries:
            started = time.perf_counter()
            response = session.get(f"{base}/api/search", params={"q": queries.pop()}, timeout=60)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"plain search got {response.status_code}: {response.text}")
    return timings


def abuser(base: str, number: int, big: str, stop: threading.Event, tally: Counter) -> None:
    """Closed loop of costly requests (fresh misspellings each round: nothing kept helps)."""
    rng = random.Random(SEED + number)
    with requests.Session() as session:
        while not stop.is_set():
            for query in costly_queries(rng):
                _count(tally, "search", session, f"{base}/api/search", {"q": query})
            _count(tally, "big page", session, f"{base}/articles/{big}", {"q": "belediye"})


def _count(tally: Counter, kind: str, session, url: str, params: dict) -> None:
    started = time.perf_counter()
    try:
        status = session.get(url, params=params, timeout=60).status_code
    except requests.RequestException as error:
        status = type(error).__name__
    tally[(kind, status)] += 1
    tally[(kind, "ms")] += round((time.perf_counter() - started) * 1000)


def sample_memory(server: Server, stop: threading.Event, peaks: dict[int, float]) -> None:
    while not stop.wait(1.0):
        for pid in server.workers():
            peaks[pid] = max(peaks.get(pid, 0.0), process_memory_mb(pid)["peak"])


def summary(timings: list[float]) -> dict:
    return {
        "count": len(timings),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }


def run(args: argparse.Namespace) -> dict:
    queries = plain_queries(args.corpus)
    log = RESULTS_DIR / "abuse-server.log"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    server = Server(args.index, args.port, log)
    try:
        requests.get(f"{server.base}/articles/{args.big_article}", timeout=60).raise_for_status()
        stop = threading.Event()
        timer = threading.Timer(args.baseline_seconds, stop.set)
        timer.start()
        # each query is asked once: half alone, half under abuse (with the default pause,
        # a quiet machine takes about a minute for a half)
        half = len(queries) // 2
        queries, alone_queries = queries[:half], queries[half:]
        alone = plain_client(server.base, alone_queries, stop, args.pause)
        peaks: dict[int, float] = {}
        stop = threading.Event()
        tally: Counter = Counter()
        threads = [threading.Thread(target=sample_memory, args=(server, stop, peaks))]
        threads += [
            threading.Thread(target=abuser, args=(server.base, n, args.big_article, stop, tally))
            for n in range(args.abusers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(2.0)  # let every abuser get going before measuring
        threading.Timer(args.seconds, stop.set).start()
        crowded = plain_client(server.base, queries, stop, args.pause)
        stop.set()
        for thread in threads:
            thread.join(120)
        for pid in server.workers():
            peaks[pid] = max(peaks.get(pid, 0.0), process_memory_mb(pid)["peak"])
    finally:
        stop_process(server.process)
    return {
        "machine": machine(),
        "checkout": checkout(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "plain_alone": summary(alone),
        "plain_under_abuse": summary(crowded),
        "abusive_requests": {f"{kind} {status}": count for (kind, status), count in tally.items()},
        "worker_peak_rss_mb": {str(pid): peak for pid, peak in sorted(peaks.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index to serve (read only)")
    parser.add_argument("--big-article", required=True, help="id of the largest article")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--abusers", type=int, default=20, choices=range(1, 41))
    parser.add_argument("--seconds", type=float, default=60.0, help="abuse phase, at most 600")
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=5091)
    parser.add_argument(
        "--pause", type=float, default=0.05, help="seconds between two plain searches"
    )
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 600.0)
    result = run(args)
    path = RESULTS_DIR / f"abuse-{time.strftime('%Y%m%d-%H%M%S')}.json"
    write_json(path, result)
    print(f"plain searches alone:       {result['plain_alone']}")
    print(f"plain searches under abuse: {result['plain_under_abuse']}")
    print(f"abusive requests:           {result['abusive_requests']}")
    print(f"worker peak RSS (MB):       {result['worker_peak_rss_mb']}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
