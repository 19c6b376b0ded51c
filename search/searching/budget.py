"""How much a request may spend: on work a search can do without (suggestions for
misspelt words, checking quoted phrases against the stored text), and whether it may
start costly work at all while other requests do.

A server gives each request a deadline (:func:`request_budget`), and a way to tell that
its client has gone; the optional work stops at either. Within a process, one request at
a time does such work (:func:`costly_work`): the others skip it at once rather than wait,
so a crowd of costly requests cannot take every core from the plain searches. A costly
request (:func:`heavy_request`: many words, prefixes, phrases, a very long article's page)
runs in its turn: one at a time, among all the processes of a server that shares its turn
(:func:`share_heavy_turn`), so costly requests never take more than one core. Others wait
for the turn, sleeping, up to :data:`HEAVY_WAIT_SECONDS` and no more than
:data:`HEAVY_WAITING` in a process; beyond that they are refused with
:class:`~search.errors.Busy`. A server gives plain searches threads beyond those, so they
never wait behind costly ones; and since a refused client asks again at once, keeping it
waiting costs less than refusing it. While it runs, a costly request steps aside for the
plain ones of its process (:func:`step_aside`).
Outside a request (the command line) nothing is limited.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from search.errors import Busy

#: Seconds a request may spend before its optional work stops.
REQUEST_SECONDS = 0.3
#: Seconds a request waits for the process's one slot for costly work before doing without.
COSTLY_WAIT_SECONDS = 0.01

#: Costly requests running at once in one process, and waiting for their turn: a
#: server's threads beyond these are left to plain searches.
HEAVY_RUNNING = 1
HEAVY_WAITING = 12
#: Seconds a costly request waits for its turn before it is refused; how often a waiting
#: one looks whether its client has gone, and whether another process gave the turn back.
HEAVY_WAIT_SECONDS = 2.0
HEAVY_WAIT_STEP_SECONDS = 0.05
SHARED_TURN_POLL_SECONDS = 0.005

_local = threading.local()
T = TypeVar("T")
_costly = threading.Lock()
_heavy = threading.BoundedSemaphore(HEAVY_RUNNING + HEAVY_WAITING)
_heavy_running = threading.BoundedSemaphore(HEAVY_RUNNING)
#: The file whose lock is the costly requests' turn among processes (None: this process only).
_shared_turn = None


def share_heavy_turn() -> None:
    """From now on, this process and those forked after this call (a server's workers)
    run one costly request at a time among them all, not one each.

    The turn is a POSIX record lock on a temporary file they all hold open: the kernel
    releases it when its holder dies, so a killed worker never keeps it."""
    global _shared_turn
    if _shared_turn is None:
        _shared_turn = tempfile.TemporaryFile(prefix="haberara-turn-")  # noqa: SIM115 - kept open


def _take_shared_turn(deadline: float) -> bool:
    """Whether this process got the shared turn by ``deadline`` (at once when none is
    shared), while its client stays."""
    if _shared_turn is None:
        return True
    while True:
        try:
            fcntl.lockf(_shared_turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() >= deadline or _gone():
                return False
            time.sleep(SHARED_TURN_POLL_SECONDS)


def _take_process_turn(deadline: float) -> bool:
    """Whether this thread got its process's turn by ``deadline``, while its client stays."""
    while True:
        step = min(HEAVY_WAIT_STEP_SECONDS, deadline - time.monotonic())
        if _heavy_running.acquire(timeout=max(step, 0)):
            return True
        if time.monotonic() >= deadline or _gone():
            return False


def _gone() -> bool:
    gone = getattr(_local, "gone", None)
    return bool(gone and gone())


def _give_back_shared_turn() -> None:
    if _shared_turn is not None:
        fcntl.lockf(_shared_turn, fcntl.LOCK_UN)


#: Requests of this process being answered that are not costly ones (see :func:`step_aside`).
_plain = 0
_plain_lock = threading.Lock()
#: How long a costly request steps aside at most, at one time, while plain ones run.
STEP_ASIDE_SECONDS = 0.02
STEP_ASIDE_SLEEP_SECONDS = 0.001


def _count_plain(change: int) -> None:
    global _plain
    with _plain_lock:
        _plain += change


def step_aside() -> None:
    """In a costly request, let the plain requests of this process run first: sleep (the
    interpreter is theirs meanwhile) while any runs, up to :data:`STEP_ASIDE_SECONDS`.
    Threads of one process run Python one at a time, and a plain search sharing its
    process with a costly one otherwise took twice its time. Elsewhere it does nothing."""
    if not getattr(_local, "heavy", False):
        return
    until = time.monotonic() + STEP_ASIDE_SECONDS
    while _plain > 0 and time.monotonic() < until:
        time.sleep(STEP_ASIDE_SLEEP_SECONDS)


def stepped_aside(work: Callable[..., T], *args) -> T:
    """``work(*args)`` after :func:`step_aside`: one step of a costly request's work."""
    step_aside()
    return work(*args)


def start_request(seconds: float = REQUEST_SECONDS, gone: Callable[[], bool] | None = None):
    """From now on in this thread, :func:`exhausted` is true once ``seconds`` have passed
    or ``gone()`` says the client has disconnected; until :func:`end_request`."""
    if getattr(_local, "deadline", None) is None:
        _count_plain(+1)
    _local.seconds = seconds
    _local.deadline = time.monotonic() + seconds
    _local.gone = gone
    _local.cut = False
    _local.client_gone = False


def end_request() -> None:
    if getattr(_local, "deadline", None) is not None:
        _count_plain(-1)
    _local.deadline = None
    _local.gone = None
    _local.cut = False
    _local.client_gone = False


@contextlib.contextmanager
def request_budget(
    seconds: float = REQUEST_SECONDS, gone: Callable[[], bool] | None = None
) -> Iterator[None]:
    """:func:`start_request` for the duration of the block."""
    start_request(seconds, gone)
    try:
        yield
    finally:
        end_request()


def note_cut() -> None:
    """Record that this request's answer lacks optional work (it must not be kept)."""
    _local.cut = True


def was_cut() -> bool:
    """Whether :func:`note_cut` was called since this request started."""
    return bool(getattr(_local, "cut", False))


def client_gone() -> bool:
    """Whether this request's optional work stopped because its client had gone."""
    return bool(getattr(_local, "client_gone", False))


def limited() -> bool:
    """Whether this thread is answering a request with a budget."""
    return getattr(_local, "deadline", None) is not None


def exhausted() -> bool:
    """Whether this request should stop optional work (always False outside a request)."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return False
    step_aside()
    gone = _local.gone
    if gone and gone():
        _local.client_gone = True
        return True
    return time.monotonic() >= deadline


@contextlib.contextmanager
def costly_work() -> Iterator[bool]:
    """Yield whether this request may do its costly optional work now: outside a request
    always; within one, when the process's one slot for it is free (waiting at most
    :data:`COSTLY_WAIT_SECONDS`) and the budget is not spent."""
    if not limited():
        yield True
        return
    if exhausted() or not _costly.acquire(timeout=COSTLY_WAIT_SECONDS):
        note_cut()
        yield False
        return
    try:
        yield True
    finally:
        _costly.release()


@contextlib.contextmanager
def heavy_request() -> Iterator[None]:
    """Run the block as a costly request (see the module's docstring); raise
    :class:`~search.errors.Busy` when too many already run or wait. Outside a request,
    or inside one already admitted, it just runs."""
    if not limited() or getattr(_local, "heavy", False):
        yield
        return
    if not _heavy.acquire(blocking=False):
        raise Busy(BUSY_MESSAGE)
    _count_plain(-1)
    try:
        deadline = time.monotonic() + HEAVY_WAIT_SECONDS
        if not _take_process_turn(deadline):
            raise Busy(BUSY_MESSAGE)
        try:
            if not _take_shared_turn(deadline):  # another process's costly request ran on
                raise Busy(BUSY_MESSAGE)
            # the time spent waiting was not spent working: the budget starts now
            _local.deadline = time.monotonic() + _local.seconds
            _local.heavy = True
            try:
                yield
            finally:
                _local.heavy = False
                _give_back_shared_turn()
        finally:
            _heavy_running.release()
    finally:
        _count_plain(+1)
        _heavy.release()


BUSY_MESSAGE = "the server is busy with other costly searches; try again in a moment"
