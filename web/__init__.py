"""haberara's web layer: a thin Flask app over :mod:`search` (HTML pages and a JSON API).

Build it with :func:`create_app`; there is no module-level app. The app only reads the
index (through one :class:`~search.searcher.Searcher`), never the article files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from web.index import SearcherSlot

#: Sent with every response: scripts and styles only from this app, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

DEFAULTS: dict[str, Any] = {"INDEX_DIR": "index"}

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``config``; one searcher; the page and API blueprints.

    A missing or unreadable index does not stop the app: pages and API answer 503 with
    the library's message until a reindex makes it readable.
    """
    from web import api, pages

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keys in the documented order
    slot = SearcherSlot(app.config["INDEX_DIR"])
    app.extensions["haberara"] = slot
    problem = slot.problem()
    if problem:
        app.logger.warning("index not usable yet, answering 503 until it is: %s", problem)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_error_handler(HTTPException, _unrouted_error)
    app.after_request(_add_security_headers)
    return app


def _unrouted_error(error: HTTPException):
    """Errors raised before a blueprint is chosen (unknown URL, wrong method)."""
    from web import api, pages

    if api.is_api_path(request.path):
        return api.handle_error(error)
    return pages.handle_error(error)


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
