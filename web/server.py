"""Run the app on the production WSGI server (waitress; see ``web/SERVER.md`` for why).

The limits below are waitress's own, enforced before the app sees a request; the app adds
its own in :mod:`web.limits`. ``web/SERVER.md`` lists them all.
"""

from __future__ import annotations

from flask import Flask

#: Requests larger than this are refused (413); the app only answers GETs with short queries.
MAX_REQUEST_BODY = 64 * 1024
#: Request line plus all headers; larger gets waitress's 431 and the connection is closed.
MAX_REQUEST_HEADER_SIZE = 32 * 1024
#: Seconds an idle or stalled connection is kept open (waitress's default is 120).
CHANNEL_TIMEOUT = 30
#: Open connections at most; more wait in the listen backlog (waitress's default).
CONNECTION_LIMIT = 100


def run(app: Flask, *, host: str = "127.0.0.1", port: int = 5000, threads: int = 8) -> None:
    """Serve ``app`` until interrupted; blocks. Loopback only unless ``host`` says otherwise."""
    import waitress

    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="haberara",
        max_request_body_size=MAX_REQUEST_BODY,
        max_request_header_size=MAX_REQUEST_HEADER_SIZE,
        channel_timeout=CHANNEL_TIMEOUT,
        connection_limit=CONNECTION_LIMIT,
    )
