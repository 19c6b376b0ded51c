"""Run one task over several shares of work, each in its own forked process (a full
build's writing, its merge, and stat'ing a large archive's files).

A share's task gets a ``tick`` to call after each item (the parent adds the ticks up for
its progress line) and returns a picklable result. The first error in any worker stops
the others and is raised in the parent; so is a worker that dies without answering.

A worker never outlives its parent: on Linux the kernel kills it when the parent dies
(``PR_SET_PDEATHSIG``), elsewhere it stops at its next tick. It holds no end of a pipe
but the one it writes, so handing back a result to a parent that has gone fails at once
instead of blocking (the worker itself was the last reader of its own pipe). The index
lock a worker inherits is closed as it starts (:func:`search.store.writer_lock`), so
even a worker that lingered could not keep a later reindex out.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

Share = TypeVar("Share")
Tick = Callable[[], None]
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
EXIT_SECONDS = 10.0  # for a worker that has answered to exit before it is killed


class WorkerDied(RuntimeError):
    """A worker process ended without sending its result (killed, out of memory)."""


def run_shares(
    task: Callable[[Share, Tick], Any],
    shares: Sequence[Share],
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """``[task(share, tick) for share in shares]``, each share in a forked process."""
    return start_shares(task, shares).results(progress)


def start_shares(task: Callable[[Share, Tick], Any], shares: Sequence[Share]) -> Running:
    """Start ``task(share, tick)`` for each share in a forked process, and return at once:
    the caller goes on with work of its own, then asks for the :meth:`Running.results`
    or stops them (:meth:`Running.stop`)."""
    context = multiprocessing.get_context("fork")
    running = Running(context.RawArray("q", len(shares)))
    parent = os.getpid()
    try:
        for number, share in enumerate(shares):
            receiving, sending = context.Pipe(duplex=False)
            readers = [*running.connections, receiving]  # the ends the worker must close
            process = context.Process(
                target=_work,
                args=(task, share, running.ticks, number, sending, parent, readers),
                daemon=True,
            )
            process.start()
            sending.close()
            running.processes.append(process)
            running.connections.append(receiving)
    except BaseException:
        running.stop()
        raise
    return running


class Running:
    """Shares at work in forked processes (:func:`start_shares`)."""

    def __init__(self, ticks) -> None:
        self.ticks = ticks
        self.processes: list = []
        self.connections: list[Connection] = []

    def results(self, progress: Callable[[int], None] | None = None) -> list[Any]:
        """Each share's result, in order, once every process has answered; the first
        error in any of them is raised here, and the others are stopped."""
        answered = False
        try:
            results = _collect(self.processes, self.connections, self.ticks, progress)
            answered = True
            return results
        finally:
            self._end(answered)

    def stop(self) -> None:
        """Kill the processes still at work (the caller gave up on their results)."""
        self._end(answered=False)

    def _end(self, answered: bool) -> None:
        for process in self.processes:
            if answered:  # each has answered: let it exit by itself
                process.join(EXIT_SECONDS)
            if process.is_alive():
                process.kill()
            process.join()
        for connection in self.connections:
            connection.close()
        self.processes, self.connections = [], []


def _collect(processes, connections: list[Connection], ticks, progress) -> list[Any]:
    results: list[Any] = [None] * len(processes)
    waiting = set(range(len(processes)))
    while waiting:
        handles = [connections[n] for n in waiting] + [processes[n].sentinel for n in waiting]
        wait(handles, timeout=POLL_SECONDS)
        for number in sorted(waiting):
            exited = processes[number].exitcode is not None  # before polling: a worker
            if connections[number].poll():  # may answer and exit between the two
                status, value = _receive(connections[number], processes[number])
                if status == "error":
                    raise value
                results[number] = value
                waiting.discard(number)
            elif exited:
                raise _died(processes[number])
        if progress:
            progress(sum(ticks))
    return results


def _receive(connection: Connection, process) -> tuple[str, Any]:
    try:
        return connection.recv()
    except EOFError:
        process.join()
        raise _died(process) from None


def _died(process) -> WorkerDied:
    return WorkerDied(f"a worker process ended unexpectedly (exit code {process.exitcode})")


def _work(
    task, share, ticks, number: int, connection: Connection, parent: int, readers: list
) -> None:
    _die_with_parent(parent)
    for reader in readers:
        reader.close()

    def tick() -> None:
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone; what was written is removed by the next run
        ticks[number] += 1

    try:
        message = ("ok", task(share, tick))
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
        message = ("error", error)
    try:
        _send(connection, message)
    except OSError:
        os._exit(1)  # nobody reads: the parent has gone
    connection.close()


def _send(connection: Connection, message: tuple[str, Any]) -> None:
    try:
        connection.send(message)
    except OSError:
        raise
    except Exception as error:  # noqa: BLE001 - an unpicklable result or error
        connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), then check that the
    parent did not die before that was asked."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the parent-pid checks at each tick remain
    if os.getppid() != parent:
        os._exit(1)
