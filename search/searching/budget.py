"""How much a request may spend: on work a search can do without (suggestions for
misspelt words, checking quoted phrases against the stored text), and whether it may
start costly work at all while other requests do.

A server gives each request a deadline (:func:`request_budget`), and a way to tell that
its client has gone; the optional work stops at either. Within a process, one request at
a time does such work (:func:`costly_work`): the others skip it at once rather than wait,
so a crowd of costly requests cannot take every core from the plain searches. A costly
request (:func:`heavy_request`: many words, prefixes, phrases, a very long article's page)
runs while no more than one other waits in its process; beyond that it is refused at
once with :class:`~search.errors.Busy`, so costly requests never hold every thread and
plain searches keep theirs. A server of several processes shares one turn among them
all (:func:`share_heavy_turn`), so costly requests cannot take every core either.
Outside a request (the command line) nothing is limited.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator

from search.errors import Busy

#: Seconds a request may spend before its optional work stops.
REQUEST_SECONDS = 0.3
#: Seconds a request waits for the process's one slot for costly work before doing without.
COSTLY_WAIT_SECONDS = 0.01

#: Costly requests running at once in one process, and waiting for their turn.
HEAVY_RUNNING = 1
HEAVY_WAITING = 0
#: Seconds a costly request waits for its turn before it is refused.
HEAVY_WAIT_SECONDS = 2.0

_local = threading.local()
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


def _take_shared_turn() -> bool:
    """Whether this process now holds the shared turn (always, when none is shared)."""
    if _shared_turn is None:
        return True
    try:
        fcntl.lockf(_shared_turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _give_back_shared_turn() -> None:
    if _shared_turn is not None:
        fcntl.lockf(_shared_turn, fcntl.LOCK_UN)


def start_request(seconds: float = REQUEST_SECONDS, gone: Callable[[], bool] | None = None):
    """From now on in this thread, :func:`exhausted` is true once ``seconds`` have passed
    or ``gone()`` says the client has disconnected; until :func:`end_request`."""
    _local.deadline = time.monotonic() + seconds
    _local.gone = gone
    _local.cut = False
    _local.client_gone = False


def end_request() -> None:
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
    try:
        if not _heavy_running.acquire(timeout=HEAVY_WAIT_SECONDS):
            raise Busy(BUSY_MESSAGE)
        try:
            if not _take_shared_turn():  # another process's costly request runs
                raise Busy(BUSY_MESSAGE)
            _local.heavy = True
            try:
                yield
            finally:
                _local.heavy = False
                _give_back_shared_turn()
        finally:
            _heavy_running.release()
    finally:
        _heavy.release()


BUSY_MESSAGE = "the server is busy with other costly searches; try again in a moment"
