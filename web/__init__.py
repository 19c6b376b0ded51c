"""haberara's web layer: a thin Flask app over :mod:`search` (HTML pages and a JSON API).

Build it with :func:`create_app`; there is no module-level app. The app only reads the
index (through one :class:`~search.searching.searcher.Searcher`), never the article files.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from search import budget
from web.present import NEWSROOM_ZONE, time_zone
from web.querystring import TurkishRequest
from web.slot import SearcherSlot

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


def utc_now() -> datetime.datetime:
    """The moment now, in UTC (the app's ``CLOCK`` unless a test sets another)."""
    return datetime.datetime.now(datetime.UTC)


#: ``RESULT_CACHE``: keep recent result pages until the index changes (see
#: :meth:`search.searching.searcher.Searcher.search`); off answers every search afresh.
#: ``TIME_ZONE``: the newsroom's, whose day the page's quick date ranges end on (see
#: :func:`web.present.time_zone`); ``CLOCK``: what tells the moment now.
DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": "index",
    "RESULT_CACHE": True,
    "TIME_ZONE": NEWSROOM_ZONE,
    "CLOCK": utc_now,
}

log = logging.getLogger(__name__)

#: ``<``, ``>`` and ``&`` can only occur inside JSON strings; escaped, no JSON body can be
#: read as HTML, even by a client that sniffs or pastes it into a page.
_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, UTF-8 and in the documented key order, with ``<>&`` as ``\\u`` escapes.

    Parsed, the values are unchanged (``"\\u003cmark\\u003e"`` is ``"<mark>"``).
    """

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        for character, escape in _HTML_SAFE.items():  # a few replaces beat str.translate here
            text = text.replace(character, escape)
        return text


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``config``; one searcher; the page and API blueprints.

    A missing or unreadable index does not stop the app: pages and API answer 503 (the API
    with the library's message) until a reindex makes it readable.
    """
    from web import api, pages
    from web.limits import check_request_size

    app = Flask(__name__)
    app.request_class = TurkishRequest
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    app.json = HtmlSafeJSONProvider(app)
    time_zone(app.config["TIME_ZONE"])  # an unknown zone fails now, not on every search
    # "//" in a path is answered as written (an id cannot start with "/": 404), not
    # redirected to a URL built from the request's Host header.
    app.url_map.merge_slashes = False
    slot = SearcherSlot(
        app.config["INDEX_DIR"],
        cache_pages=bool(app.config["RESULT_CACHE"]),
        opener=_other_backend(app.config),
    )
    app.extensions["haberara"] = slot
    problem = slot.problem()
    if problem:
        app.logger.warning("index not usable yet, answering 503 until it is: %s", problem)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_error_handler(HTTPException, _unrouted_error)
    app.before_request(check_request_size)
    app.before_request(_start_budget)
    app.teardown_request(_end_budget)
    app.after_request(_add_security_headers)
    return app


def _other_backend(config: Mapping[str, Any]):
    """What opens the searcher when ``BACKEND`` names a backend other than the embedded
    index (``OPENSEARCH_URL`` and ``OPENSEARCH_INDEX`` say where), else None."""
    if config.get("BACKEND", "embedded") == "embedded":
        return None
    from search import Backend

    backend = Backend.choose(
        config["BACKEND"],
        config["INDEX_DIR"],
        config.get("OPENSEARCH_URL"),
        config.get("OPENSEARCH_INDEX"),
    )
    return lambda: backend.searcher(cache_pages=bool(config.get("RESULT_CACHE", True)))


def _unrouted_error(error: HTTPException):
    """Errors raised before a blueprint is chosen (unknown URL, wrong method)."""
    from web import api, pages

    if api.is_api_path(request.path):
        return api.handle_error(error)
    return pages.handle_error(error)


def _start_budget() -> None:
    """Give the request its time budget for optional work (:mod:`search.searching.budget`),
    cut short when waitress sees that its client has gone."""
    budget.start_request(gone=request.environ.get("waitress.client_disconnected"))


def _end_budget(_error: BaseException | None) -> None:
    if budget.client_gone():
        log.warning(
            "%s %s: the client went away; its optional work was stopped",
            request.method,
            request.full_path.rstrip("?"),
        )
    budget.end_request()


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
