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
    context = multiprocessing.get_context("fork")
    ticks = context.RawArray("q", len(shares))
    parent = os.getpid()
    processes, connections = [], []
    answered = False
    try:
        for number, share in enumerate(shares):
            receiving, sending = context.Pipe(duplex=False)
            readers = [*connections, receiving]  # the ends the worker inherits and must close
            process = context.Process(
                target=_work,
                args=(task, share, ticks, number, sending, parent, readers),
                daemon=True,
            )
            process.start()
            sending.close()
            processes.append(process)
            connections.append(receiving)
        results = _collect(processes, connections, ticks, progress)
        answered = True
        return results
    finally:
        for process in processes:
            if answered:  # each has answered: let it exit by itself
                process.join(EXIT_SECONDS)
            if process.is_alive():
                process.kill()
            process.join()
        for connection in connections:
            connection.close()


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
