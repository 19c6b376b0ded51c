"""The build's worker processes: results in order, progress, errors and deaths reported,
workers gone when their parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from search.indexing.workers import WorkerDied, run_shares


def squares(share: list[int], tick) -> tuple[int, list[int]]:
    for _ in share:
        tick()
    return os.getpid(), [number * number for number in share]


def test_each_share_runs_in_its_own_process_and_results_keep_their_order() -> None:
    seen: list[int] = []
    results = run_shares(squares, [[1, 2], [3], [4, 5, 6]], seen.append)
    assert [values for _, values in results] == [[1, 4], [9], [16, 25, 36]]
    pids = {pid for pid, _ in results}
    assert len(pids) == 3 and os.getpid() not in pids
    assert seen and seen[-1] == 6  # every tick counted by the time all answered


def failing(share: list[int], tick) -> None:
    if share == [2]:
        raise OSError(28, "No space left on device")
    time.sleep(30)  # the parent must not wait for this one


def test_an_error_in_a_worker_is_raised_in_the_parent_and_stops_the_others() -> None:
    started = time.monotonic()
    with pytest.raises(OSError, match="No space left"):
        run_shares(failing, [[1], [2]])
    assert time.monotonic() - started < 20


def dying(share: list[int], tick) -> None:
    os._exit(3)


def test_a_worker_that_dies_without_answering_is_an_error() -> None:
    with pytest.raises(WorkerDied, match="exit code 3"):
        run_shares(dying, [[1]])


def _exited_unreaped(pid: int) -> bool:
    """The process has exited and its parent has not yet collected its exit code."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def _until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.01)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_that_answers_and_exits_between_poll_and_exit_check_is_not_dead(
    tmp_path: Path, monkeypatch
) -> None:
    """The parent polls a worker's pipe, finds nothing, and only then sees it has exited:
    the answer came in between, so the worker is not dead. The worker is held back until
    the parent's first poll has found nothing, then answers and exits before that poll
    returns."""
    from multiprocessing.connection import Connection

    go, pid_file = tmp_path / "go", tmp_path / "pid"

    def answers_when_told(share: int, tick) -> int:
        pid_file.write_text(str(os.getpid()))
        _until(go.exists)
        return share * 2

    original_poll = Connection.poll
    polls: list[bool] = []

    def poll_then_let_the_worker_answer_and_exit(self, timeout=0.0):
        answered = original_poll(self, timeout)
        if not polls and not answered:
            _until(pid_file.exists)
            go.touch()
            _until(lambda: _exited_unreaped(int(pid_file.read_text())))
        polls.append(answered)
        return answered

    monkeypatch.setattr(Connection, "poll", poll_then_let_the_worker_answer_and_exit)
    assert run_shares(answers_when_told, [21]) == [42]
    assert polls[0] is False and polls[-1] is True


def test_workers_stop_when_their_parent_is_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from search.indexing.workers import run_shares

        def forever(share, tick):
            with open({str(pids)!r}, "a") as out:
                out.write(f"{{os.getpid()}}\\n")
            while True:
                tick()
                time.sleep(0.05)

        run_shares(forever, [[1], [2]])
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(_lines(pids)) < 2:
        time.sleep(0.05)
    workers = [int(line) for line in _lines(pids)]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive (a zombie, ended but not yet reaped by init, is not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs a process allowed on two cores or more",
)
def test_a_process_allowed_one_core_builds_lists_and_serves_with_one_process() -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from search.cli import default_workers
        from search.indexing.build import _build_procs
        from search.indexing.listing import _stat_procs

        def counts():
            return _build_procs(10**6), _stat_procs(10**6), default_workers()

        print(*counts())
        os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
        print(*counts())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    every_core, one_core = result.stdout.splitlines()
    assert min(int(count) for count in every_core.split()) >= 2
    assert one_core.split() == ["1", "1", "1"]
