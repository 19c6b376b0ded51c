"""Run the app on the production WSGI server (waitress; see ``web/SERVER.md`` for why)."""

from __future__ import annotations

from flask import Flask

#: Requests larger than this are refused; the app only answers GETs with short queries.
MAX_REQUEST_BODY = 64 * 1024


def run(app: Flask, *, host: str = "127.0.0.1", port: int = 5000, threads: int = 8) -> None:
    """Serve ``app`` until interrupted; blocks."""
    import waitress

    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="haberara",
        max_request_body_size=MAX_REQUEST_BODY,
    )
