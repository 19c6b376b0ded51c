"""The real ``haberara serve`` process over HTTP: searching, and reindexing while it serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, free_port, haberara, serve, wait_for_port, write_articles

NEW_ID = "2025/11/semerkant-forumu"
NEW_ARTICLE = {
    "2025/11/semerkant-forumu.txt": (
        "title: Semerkant'ta kültür forumu açıldı\ndate: 2025-11-20\ncategory: kültür\n\n"
        "Semerkant'taki forumda Türk dünyasının ortak alfabesi konuşuldu.\n"
    )
}


def api_search(base: str, q: str, **params) -> dict:
    response = requests.get(f"{base}/api/search", params={"q": q, **params}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def found_ids(base: str, q: str) -> set[str]:
    return {h["id"] for h in api_search(base, q)["results"]}


def seconds_until_every_thread_sees(base: str, q: str, article_id: str, present: bool) -> float:
    """Seconds until ``q`` finds (or no longer finds) ``article_id`` on every server thread.

    Each server thread refreshes its own searcher (within REFRESH_SECONDS), so one answer
    is not enough: 20 answers in a row, more than the server's 8 threads, must agree.
    """
    started = time.monotonic()
    streak = 0
    while streak < 20:
        if time.monotonic() - started > 5:
            pytest.fail(f"{article_id} still {'missing' if present else 'found'} after 5 s")
        streak = streak + 1 if (article_id in found_ids(base, q)) == present else 0
    return time.monotonic() - started


def test_search_over_http(live_server):
    body = api_search(live_server, "toplantı")
    assert body["total"] == 3
    biskek = next(h for h in body["results"] if h["id"] == "2025/09/biskek-zirvesi")
    assert "<mark>toplantıya</mark>" in biskek["title_html"]  # its first sentence
    assert api_search(live_server, "biskek")["results"][0]["title_html"].count("<mark>") >= 1


def test_turkish_letters_sent_as_typed_in_the_address_are_read(live_server):
    """curl and many scripts send ``?q=kırgızistan`` as UTF-8 bytes, not percent-encoded."""
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        request = "GET /api/search?q=kırgızistan HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        connection.sendall(request.encode() + b"\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    found = json.loads(body)
    assert found["query"] == "kırgızistan" and found["total"] >= 1
    assert found == api_search(live_server, "kırgızistan") | {"took_ms": found["took_ms"]}


def test_page_static_files_and_headers_over_http(live_server):
    page = requests.get(live_server + "/", params={"q": "toplantı"}, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<mark>toplantıya</mark>" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    for asset, kind in (("style.css", "text/css"), ("app.js", "text/javascript")):
        response = requests.get(f"{live_server}/static/{asset}", timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_over_http(live_server):
    bad = requests.get(live_server + "/api/search", params={"q": "x", "page": "0"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "page"
    missing = requests.get(live_server + "/api/articles/yok/../../etc/passwd", timeout=10)
    assert missing.status_code == 404
    raw = requests.get(live_server + "/api/articles/a%2F..%2F..%2Fetc%2Fpasswd", timeout=10)
    assert raw.status_code == 404


def test_reindex_while_serving_is_visible_without_restart(live_server, articles_dir, index_dir):
    assert api_search(live_server, "semerkant")["total"] == 0
    before = requests.get(live_server + "/healthz", timeout=10).json()["documents"]

    failures: list[str] = []
    stop = threading.Event()

    def keep_searching() -> None:
        """Searches running while the reindex commits must keep answering."""
        with requests.Session() as session:
            while not stop.is_set():
                response = session.get(
                    live_server + "/api/search", params={"q": "toplantı"}, timeout=10
                )
                if response.status_code != 200 or response.json()["total"] < 3:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        write_articles(articles_dir, NEW_ARTICLE)
        result = haberara("reindex", "--docs", str(articles_dir), "--index", str(index_dir))
        assert result.returncode == 0, result.stderr
        added = seconds_until_every_thread_sees(live_server, "semerkant", NEW_ID, present=True)

        (articles_dir / "2025/11/semerkant-forumu.txt").unlink()
        full = haberara("reindex", "--full", "--docs", str(articles_dir), "--index", str(index_dir))
        assert full.returncode == 0, full.stderr
        removed = seconds_until_every_thread_sees(live_server, "semerkant", NEW_ID, present=False)
    finally:
        stop.set()
        searcher.join(timeout=10)
    assert added < 2.0 and removed < 2.0, (added, removed)
    assert failures == []
    # every thread refreshes within REFRESH_SECONDS; the one answering may not have yet
    deadline = time.monotonic() + 2.0
    documents = None
    while documents != before and time.monotonic() < deadline:
        documents = requests.get(live_server + "/healthz", timeout=10).json()["documents"]
    assert documents == before


def test_serve_on_a_port_in_use_says_so_and_never_that_it_serves(index_dir: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = haberara(
            "serve", "--no-reindex", "--index", str(index_dir), "--port", str(port), timeout=60
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "serving" not in result.stderr + result.stdout


def test_serve_without_the_result_cache_answers_every_search(index_dir: Path) -> None:
    with serve(index_dir, "--no-result-cache") as base:
        first, again = (api_search(base, "toplantı") for _ in range(2))
    assert first["total"] >= 3
    assert again["results"] == first["results"]


def test_serve_without_an_index_answers_503_then_serves_it(tmp_path, articles_dir):
    """``serve --no-reindex`` before the first reindex: a clear 503, then results."""
    index_dir = tmp_path / "later-index"
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "search", "serve", "--no-reindex",
            "--index", str(index_dir), "--port", str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, process)
        response = requests.get(base + "/api/search", params={"q": "toplantı"}, timeout=10)
        assert response.status_code == 503
        assert "haberara reindex" in response.json()["error"]["message"]
        assert requests.get(base + "/healthz", timeout=10).status_code == 503
        result = haberara("reindex", "--docs", str(articles_dir), "--index", str(index_dir))
        assert result.returncode == 0, result.stderr
        assert api_search(base, "toplantı")["total"] == 3
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert b"answering 503" in output


def test_articles_folder_is_never_read_by_the_server(live_server, articles_dir: Path):
    """The page and API come from the index alone: deleting the files changes nothing."""
    for path in list(articles_dir.rglob("*.txt")):
        path.unlink()
    assert api_search(live_server, "toplantı")["total"] == 3
    article = requests.get(live_server + "/api/articles/2025/09/biskek-zirvesi", timeout=10)
    assert article.status_code == 200


def _children(pid: int) -> set[int]:
    """Live child processes of ``pid`` (from /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.add(int(stat.parent.name))
    return children


def _wait_for(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} within {timeout} s")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_workers(index_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--no-reindex", "--index", str(index_dir),
         "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}"


def _running_workers(process: subprocess.Popen, count: int) -> set[int]:
    """The supervisor's worker pids, once ``count`` of them run."""
    return _wait_for(
        lambda: len(_children(process.pid)) == count and _children(process.pid),
        f"{count} workers running",
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork")
def test_worker_processes_share_the_port_and_a_dead_one_is_replaced(index_dir: Path) -> None:
    process, base = _start_workers(index_dir, 2)
    try:
        workers = _running_workers(process, 2)
        assert all(api_search(base, "toplantı")["total"] == 3 for _ in range(10))
        victim = min(workers)
        os.kill(victim, 9)
        _wait_for(
            lambda: victim not in _children(process.pid) and len(_children(process.pid)) == 2,
            "the killed worker replaced",
        )
        assert all(api_search(base, "biskek")["total"] >= 1 for _ in range(10))
        workers = _children(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "workers stopped with it", 5)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork")
def test_workers_exit_when_the_supervisor_is_killed(index_dir: Path) -> None:
    process, base = _start_workers(index_dir, 2)
    try:
        workers = _running_workers(process, 2)
        assert api_search(base, "toplantı")["total"] == 3
    finally:
        process.kill()
        process.wait(timeout=10)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "orphaned workers exited", 10)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)


def test_a_worker_reads_the_index_and_freezes_it_out_of_full_collections(
    index_dir: Path,
) -> None:
    """Before answering, a worker warms its searcher up and leaves the long-lived objects
    it read out of the garbage collector's full passes."""
    import gc

    from web import create_app
    from web.server import prepare_worker

    app = create_app({"INDEX_DIR": index_dir})
    slot = app.extensions["haberara"]
    gc.unfreeze()
    try:
        prepare_worker(app)
        assert gc.get_freeze_count() > 0
        assert slot.get()._current().engine.data._norms  # the field lengths were read
    finally:
        gc.unfreeze()
