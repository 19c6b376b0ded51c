"""``haberara watch``: the index kept in step as article files are written, moved or
deleted, on a real folder watched through the kernel and a real on-disk index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from conftest import (
    FIXTURE_ARTICLES,
    ROOT,
    free_port,
    haberara,
    serve,
    wait_for_port,
    write_articles,
)
from search.cli import cli
from search.indexing import watch as watching
from search.indexing.reindex import reindex
from search.indexing.report import ReindexReport
from search.searching.searcher import Searcher
from search.storage import store

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify: Linux")

NEW_ARTICLE = "title: Semerkant gezisi\n\nSemerkant'ta tarihi medreseler ziyaretçilerle doldu.\n"
OTHER_ARTICLE = "title: Buhara pazarı\n\nBuhara'da kurulan pazar kalabalıktı.\n"


def _eventually(condition: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


def _found(index: Path, query: str) -> set[str]:
    return {hit.id for hit in Searcher(index).search(query, as_typed=True).results}


class Watching:
    """A running :func:`~search.indexing.watch.watch` and the reports of its runs."""

    def __init__(self, docs: Path, index: Path, **options) -> None:
        self.reports: list[ReindexReport] = []
        self.stop = threading.Event()
        arguments = (docs, index, self.reports.append, self.stop)
        self.thread = threading.Thread(target=watching.watch, args=arguments, kwargs=options)
        self.thread.start()

    def caught_up(self) -> None:
        _eventually(lambda: self.reports, "the first run over the whole folder")

    def __enter__(self) -> Watching:
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "docs", FIXTURE_ARTICLES)


@pytest.fixture
def watched(docs: Path, tmp_path: Path) -> Iterator[Watching]:
    with Watching(docs, tmp_path / "index") as running:
        running.caught_up()
        yield running


def test_a_file_written_moved_in_or_deleted_is_searchable_or_gone_at_once(
    docs: Path, tmp_path: Path, watched: Watching
) -> None:
    index = tmp_path / "index"
    assert watched.reports[0].added == len(FIXTURE_ARTICLES)
    write_articles(docs, {"2026/12/semerkant.txt": NEW_ARTICLE})
    _eventually(lambda: _found(index, "semerkant") == {"2026/12/semerkant"}, "a written file")
    _eventually(lambda: any(report.added for report in watched.reports[1:]), "its report")
    runs = watched.reports[1:]  # each looked at the new file alone, not at the others
    assert all(report.added + report.updated + report.unchanged <= 1 for report in runs)
    hidden = docs / "2026" / ".buhara.txt.tmp"  # written aside, then renamed: an atomic write
    hidden.write_text(OTHER_ARTICLE, encoding="utf-8")
    os.replace(hidden, docs / "2026/buhara.txt")
    _eventually(lambda: _found(index, "buhara") == {"2026/buhara"}, "a file moved in")
    (docs / "2026/12/semerkant.txt").unlink()
    _eventually(lambda: not _found(index, "semerkant"), "a deleted file gone")


def test_a_file_still_being_written_is_read_once_it_is_closed(
    docs: Path, tmp_path: Path, watched: Watching
) -> None:
    index = tmp_path / "index"
    with (docs / "semerkant.txt").open("w", encoding="utf-8") as handle:
        handle.write("title: Semerkant gezisi\n\n")
        handle.flush()
        time.sleep(1.0)  # well past the quiet time: the file is created, not yet closed
        assert len(watched.reports) == 1 and not _found(index, "semerkant")
        handle.write(NEW_ARTICLE.split("\n\n", 1)[1])
    _eventually(lambda: _found(index, "semerkant") == {"semerkant"}, "the closed file")
    assert [report.failed for report in watched.reports if report.failed] == []


def test_a_new_folder_is_watched_and_a_removed_one_takes_its_articles(
    docs: Path, tmp_path: Path, watched: Watching
) -> None:
    index = tmp_path / "index"
    write_articles(docs, {"2027/01/semerkant.txt": NEW_ARTICLE})
    _eventually(lambda: _found(index, "semerkant") == {"2027/01/semerkant"}, "a new folder")
    write_articles(docs, {"2027/01/buhara.txt": OTHER_ARTICLE})  # into the folder now watched
    _eventually(lambda: _found(index, "buhara") == {"2027/01/buhara"}, "a file in it")
    shutil.rmtree(docs / "2027")
    _eventually(lambda: not _found(index, "semerkant buhara"), "a removed folder's articles")
    with store.open_index(index).reader() as reader:
        assert reader.doc_count() == len(FIXTURE_ARTICLES)
    assert [report.failed for report in watched.reports if report.failed] == []


def test_a_folder_moved_out_takes_its_articles_and_is_no_longer_watched(
    docs: Path, tmp_path: Path, watched: Watching
) -> None:
    index = tmp_path / "index"
    write_articles(docs, {"2027/semerkant.txt": NEW_ARTICLE})
    _eventually(lambda: _found(index, "semerkant"), "a new folder's file")
    (docs / "2027").rename(tmp_path / "disarida")
    _eventually(lambda: not _found(index, "semerkant"), "the moved folder's article gone")
    time.sleep(0.5)
    runs = len(watched.reports)
    write_articles(tmp_path / "disarida", {"buhara.txt": OTHER_ARTICLE})
    time.sleep(1.0)
    assert len(watched.reports) == runs


def test_an_index_kept_inside_the_articles_folder_starts_no_runs(docs: Path) -> None:
    with Watching(docs, docs / "index") as running:
        running.caught_up()
        write_articles(docs, {"2026/semerkant.txt": NEW_ARTICLE})
        _eventually(lambda: _found(docs / "index", "semerkant"), "a written file")
        time.sleep(1.0)  # its commit wrote into the index folder: no run follows from it
        runs = len(running.reports)
        time.sleep(1.0)
        assert len(running.reports) == runs <= 3


def test_events_the_kernel_dropped_lead_to_a_run_over_the_whole_folder(
    docs: Path, tmp_path: Path
) -> None:
    """While a run waits for the index, more changes come than the kernel queues
    (``fs.inotify.max_queued_events``): the next run looks at every file."""
    index = tmp_path / "index"
    queued = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if queued > 100_000:
        pytest.skip(f"the kernel queues {queued} events: too many files to write to overflow it")
    with Watching(docs, index, lock_timeout=30) as running:
        running.caught_up()
        with store.writer_lock(index, 1.0):  # another reindex holds the index
            write_articles(docs, {"2026/semerkant.txt": NEW_ARTICLE})
            time.sleep(0.5)  # the watch's run is waiting for the lock
            for number in range(queued // 2 + 100):  # two events each: created, closed
                (docs / "2025" / f"{number:05d}.txt").write_text(OTHER_ARTICLE, encoding="utf-8")
        _eventually(
            lambda: any(report.unchanged >= len(FIXTURE_ARTICLES) for report in running.reports),
            "a run over the whole folder",
            seconds=60,
        )
    with store.open_index(index).reader() as reader:
        assert reader.doc_count() == len(FIXTURE_ARTICLES) + 1 + queued // 2 + 100


def test_a_broken_file_is_reported_and_the_others_indexed(
    docs: Path, tmp_path: Path, watched: Watching
) -> None:
    write_articles(docs, {"2026/bos.txt": b"", "2026/semerkant.txt": NEW_ARTICLE})
    _eventually(lambda: _found(tmp_path / "index", "semerkant"), "the good file")

    def failed() -> set[tuple[str, str]]:
        return {(Path(f.path).name, f.reason) for r in watched.reports for f in r.failed}

    _eventually(failed, "the broken file's report")
    assert failed() == {("bos.txt", "empty file")}


def test_a_run_that_cannot_get_the_index_is_tried_again(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    monkeypatch.setattr(watching, "RETRY_SECONDS", 0.3)
    with Watching(docs, index, lock_timeout=0.1) as running:
        running.caught_up()
        with store.writer_lock(index, 1.0):  # another reindex holds the index
            write_articles(docs, {"2026/semerkant.txt": NEW_ARTICLE})
            time.sleep(1.0)
            assert not _found(index, "semerkant") and len(running.reports) == 1
        _eventually(lambda: _found(index, "semerkant"), "the run tried again")


def test_the_serve_command_watches_the_folder_with_watch(docs: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    reindex(docs, index)
    with serve(index, "--watch", "--docs", str(docs), "--workers", "1") as base:

        def found() -> bool:
            answer = requests.get(f"{base}/api/search", params={"q": "semerkant"}, timeout=10)
            return answer.json()["total"] == 1

        write_articles(docs, {"2026/semerkant.txt": NEW_ARTICLE})
        _eventually(found, "an article written while serving")
    _eventually(lambda: not _watch_processes(docs), "the watch ending with the server")


def test_the_watch_ends_when_the_server_is_killed(docs: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    reindex(docs, index)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--watch", "--no-reindex", "--docs", str(docs),
         "--index", str(index), "--port", str(port), "--workers", "1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        _eventually(lambda: _watch_processes(docs), "the watch started")
    finally:
        server.kill()  # no chance to stop the watch itself
        server.wait(timeout=10)
    _eventually(lambda: not _watch_processes(docs), "the watch ending without its server")


def _watch_processes(docs: Path) -> list[int]:
    """The running ``haberara watch`` processes over ``docs``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        if "watch" in argv and str(docs) in argv:
            found.append(int(entry.name))
    return found


def test_watching_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = haberara("watch", "--docs", str(tmp_path / "yok"), "--index", str(tmp_path / "i"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and not _watch_processes(tmp_path / "yok")


def test_watch_is_for_the_embedded_index(docs: Path, tmp_path: Path) -> None:
    result = haberara(
        "watch", "--docs", str(docs), "--index", str(tmp_path / "i"),
        env={"HABERARA_BACKEND": "opensearch"},
    )  # fmt: skip
    assert result.returncode == 2 and "embedded index" in result.stderr
    assert not (tmp_path / "i").exists()


def test_a_folder_that_cannot_be_watched_is_a_usage_error(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the kernel cannot watch folders (not Linux), ``watch`` exits 2 and says to
    reindex by hand; it writes nothing."""
    monkeypatch.setattr(sys, "platform", "darwin")
    result = CliRunner().invoke(cli, ["watch", "--docs", str(docs), "--index", str(tmp_path / "i")])
    assert result.exit_code == 2 and "needs Linux" in result.output
    assert not (tmp_path / "i").exists()
