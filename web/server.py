"""Run the app on the production WSGI server (waitress; see ``web/SERVER.md`` for why).

The limits below are waitress's own, enforced before the app sees a request; the app adds
its own in :mod:`web.limits`. ``web/SERVER.md`` lists them all.

Searching is CPU-bound Python, and one process runs one thread's Python at a time, so
``workers`` > 1 forks that many waitress processes that share one listening socket (the
kernel hands each connection to one of them). Each worker opens the index itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

from flask import Flask

from search import budget

#: Requests larger than this are refused (413); the app only answers GETs with short queries.
MAX_REQUEST_BODY = 64 * 1024
#: Request line plus all headers; larger gets waitress's 431 and the connection is closed.
MAX_REQUEST_HEADER_SIZE = 32 * 1024
#: Seconds an idle or stalled connection is kept open (waitress's default is 120), and
#: how often waitress looks for such connections (its default is 30): connections
#: opened and left silent must not keep the others out for long.
CHANNEL_TIMEOUT = 10
CLEANUP_INTERVAL = 2
#: Open connections at most per worker; more wait in the listen backlog. An idle
#: connection holds no thread, only a file descriptor and a few KB.
CONNECTION_LIMIT = 1000
#: Requests read ahead on a connection while one is answered: with any, waitress sees a
#: client that has gone, and the request stops its optional work (:mod:`search.searching.budget`).
REQUEST_LOOKAHEAD = 1
#: Connections waiting to be accepted.
BACKLOG = 1024
#: glibc heaps per process (``mallopt(M_ARENA_MAX)``); see ``_tune_malloc``.
MALLOC_ARENAS = 2
M_ARENA_MAX = -8
#: Blocks of this size or more are mapped on their own and unmapped when freed (see
#: ``_tune_malloc``).
MALLOC_MMAP_THRESHOLD = 1024 * 1024
M_MMAP_THRESHOLD = -3
#: Free memory a heap keeps at its top rather than handing it back (see ``_tune_malloc``).
MALLOC_TRIM_THRESHOLD = 16 * 1024 * 1024
M_TRIM_THRESHOLD = -1


def run(
    create_app: Callable[[], Flask],
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    threads: int = 4,
    workers: int = 1,
    listening: Callable[[], None] | None = None,
) -> None:
    """Serve the app ``create_app()`` builds until interrupted; blocks. Loopback only unless
    ``host`` says otherwise. ``listening`` is called once the port is taken (an address
    in use or a host that is not this machine's raises ``OSError`` before it)."""
    _tune_malloc()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=BACKLOG)
    if listening:
        listening()
    if workers <= 1 or not hasattr(os, "fork"):
        _serve(create_app(), listener, threads)
        return
    budget.share_heavy_turn()  # one costly request at a time among all the workers
    _supervise(create_app, listener, threads, workers)


def _tune_malloc() -> None:
    """Ask glibc for :data:`MALLOC_ARENAS` heaps rather than one per thread (up to eight
    per core): each waitress thread's freed memory otherwise stays in its own heap, and a
    worker's resident memory grows by it. And map blocks of a megabyte or more on their
    own (:data:`MALLOC_MMAP_THRESHOLD`): glibc otherwise raises that threshold to the
    largest block freed, and the megabytes of a long article's page, read and freed by
    several threads, stay in the heaps. And keep up to :data:`MALLOC_TRIM_THRESHOLD` free
    at a heap's top: with the mapping threshold set, glibc hands back all but 128 KB, so
    each search took the memory of its arrays from the system again, page by page, and
    searches at five times the news archive took twice as long. What the operator set
    (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``) wins;
    elsewhere than glibc this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    settings = {
        "MALLOC_ARENA_MAX": (M_ARENA_MAX, MALLOC_ARENAS),
        "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD),
        "MALLOC_TRIM_THRESHOLD_": (M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD),
    }
    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt
        for variable, (option, value) in settings.items():
            if variable not in os.environ:
                mallopt(option, value)


def prepare_worker(app: Flask) -> None:
    """Before a worker answers anyone: read what the first searches would wait for (the
    word lists and more), then leave those objects out of the garbage collector's full
    passes (``gc.freeze``): they live as long as the index, and traversing them made a
    full collection take 63-72 ms in the middle of a search instead of 8-25."""
    slot = app.extensions.get("haberara")
    if slot is not None:
        slot.warm_up()
    gc.freeze()


def _serve(app: Flask, listener: socket.socket, threads: int) -> None:
    """Warm the app's searcher up, then answer requests on ``listener`` with waitress."""
    from waitress.server import create_server

    prepare_worker(app)
    server = create_server(
        app,
        sockets=[listener],
        threads=threads,
        ident="haberara",
        max_request_body_size=MAX_REQUEST_BODY,
        max_request_header_size=MAX_REQUEST_HEADER_SIZE,
        channel_timeout=CHANNEL_TIMEOUT,
        cleanup_interval=CLEANUP_INTERVAL,
        connection_limit=CONNECTION_LIMIT,
        channel_request_lookahead=REQUEST_LOOKAHEAD,
    )
    server.channel_class = _secure_channel_class()
    logging.basicConfig()  # as waitress.serve does: warnings and errors reach stderr
    server.print_listen("Serving on http://{}:{}")
    server.run()


def _secure_channel_class() -> type:
    """waitress's connection class, its own error answers (400 for a malformed request,
    413, 431, a 500 after the app failed mid-answer) sent with the app's security headers:
    they never pass through the app; and an address with Turkish letters as typed read as
    though they were percent-encoded (:func:`percent_encoded_request_line`)."""
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.task import ErrorTask

    from web import SECURITY_HEADERS

    class SecureErrorTask(ErrorTask):
        def execute(self) -> None:
            self.response_headers.extend(SECURITY_HEADERS.items())
            super().execute()

    class LenientParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(percent_encoded_request_line(header_plus))

    class SecureChannel(HTTPChannel):
        error_task_class = SecureErrorTask
        parser_class = LenientParser

    return SecureChannel


def percent_encoded_request_line(header: bytes) -> bytes:
    r"""A request's header with each byte past ASCII in its first line percent-encoded.

    A browser encodes ``/api/search?q=kırgızistan`` before sending it; ``curl`` and many
    scripts send the letters as typed, as UTF-8 bytes, which waitress refused with "400
    Bad URI". Encoded, the address means what its writer meant.

    >>> percent_encoded_request_line(b"GET /?q=k\xc4\xb1r HTTP/1.1\r\nHost: \xc4\xb1\r\n")
    b'GET /?q=k%C4%B1r HTTP/1.1\r\nHost: \xc4\xb1\r\n'
    """
    end = header.find(b"\n")
    line, rest = (header, b"") if end < 0 else (header[:end], header[end:])
    if line.isascii():
        return header
    return _NOT_ASCII.sub(lambda byte: b"%%%02X" % byte.group()[0], line) + rest


_NOT_ASCII = re.compile(rb"[\x80-\xff]")


def _supervise(
    create_app: Callable[[], Flask], listener: socket.socket, threads: int, workers: int
) -> None:
    """Fork the workers, replace any that dies, and stop them all on SIGTERM or SIGINT."""
    children: set[int] = set()
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        children.add(_fork_worker(create_app, listener, threads))
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        children.discard(pid)
        if not stopping:
            print(f"haberara: worker {pid} exited ({status}); starting another", file=sys.stderr)
            time.sleep(0.5)  # a worker that cannot start must not spin the machine
            children.add(_fork_worker(create_app, listener, threads))


def _fork_worker(create_app: Callable[[], Flask], listener: socket.socket, threads: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _exit_with_parent(os.getppid())
        _serve(create_app(), listener, threads)
    except BaseException as error:  # noqa: BLE001 - a worker reports and exits, never returns
        print(f"haberara: worker {os.getpid()} stopped: {error}", file=sys.stderr)
        code = 1
    finally:
        os._exit(code)


def _exit_with_parent(parent: int) -> None:
    """End this worker when the supervising process is gone (killed without cleaning up)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="haberara-parent-watch", daemon=True).start()


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
