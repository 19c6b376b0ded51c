"""The JSON API: ``/api/search``, ``/api/suggest``, ``/api/articles/<id>``, ``/healthz``
and ``/api/openapi.json`` (its description, :mod:`web.openapi`).

Success bodies come from the library's serializers; every error is
``{"error": {"code", "message", "parameter"}}``, built by :func:`error_response` and sent
by the blueprint's one handler, :func:`handle_error`.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from search import BadParameter, Busy, HaberaraError
from web.articles import ArticleNotFound, find_article
from web.categories import category_label
from web.params import read_search_request, read_suggest_request
from web.slot import searcher

bp = Blueprint("api", __name__)

API_PREFIXES = ("/api/", "/healthz")


@bp.get("/api/search")
def search() -> Response:
    """Ranked results for ``q`` (see the README for every parameter)."""
    wanted = read_search_request(request.args)
    found = searcher().search(wanted.q, **wanted.search_kwargs())
    body = found.to_dict()
    body["facets"]["category"] = [
        {**entry, "name": category_label(entry["value"], entry["name"])}
        for entry in body["facets"]["category"]
    ]
    return jsonify({**body, "next_url": next_url(found.page, found.per_page, found.total)})


def next_url(page: int, per_page: int, total: int) -> str | None:
    """This search's next page (a path with its query string), or None on the last."""
    if page * per_page >= total:
        return None
    args = request.args.to_dict(flat=False)
    return url_for("api.search", **{**args, "page": page + 1})


@bp.get("/api/suggest")
def suggest() -> Response:
    """Completions of the half-typed ``q``: frequent title words and phrases."""
    q, limit, answer = read_suggest_request(request.args)
    completions = searcher().complete(q, limit)
    if answer == "opensearch":  # what a browser's search box reads: [typed, [completions]]
        return jsonify([q, [completion.text for completion in completions]])
    return jsonify({"query": q, "completions": [dataclasses.asdict(c) for c in completions]})


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    """The whole stored article and its related articles; 404 for an unknown id."""
    found = find_article(article_id)
    related = [dataclasses.asdict(other) for other in searcher().related(found.id)]
    return jsonify({**dataclasses.asdict(found), "related": related})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API (:data:`web.openapi.OPENAPI`)."""
    from web.openapi import OPENAPI

    return jsonify(OPENAPI)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """``{"status", "documents", "last_indexed"}``; 503 while the index is unusable."""
    try:
        stats = searcher().stats()
    except HaberaraError as error:
        body = {"status": "unavailable", "documents": None, "last_indexed": None}
        return jsonify({**body, "message": str(error)}), 503
    return jsonify({"status": "ok", **stats}), 200


def is_api_path(path: str) -> bool:
    """Whether errors for ``path`` are answered in JSON."""
    return path.startswith(API_PREFIXES)


def error_response(
    status: int, code: str, message: str, parameter: str | None = None
) -> tuple[Response, int]:
    """The one JSON error shape."""
    return jsonify({"error": {"code": code, "message": message, "parameter": parameter}}), status


@bp.errorhandler(Exception)
def handle_error(error: Exception) -> tuple[Response, int]:
    """Map any error to the JSON error shape: 400, 404, 405, 503, or a logged 500."""
    if isinstance(error, BadParameter):
        return error_response(400, "bad_parameter", str(error), error.parameter)
    if isinstance(error, ArticleNotFound):
        return error_response(404, "not_found", str(error), "id")
    if isinstance(error, Busy):
        response, status = error_response(503, "busy", str(error))
        response.headers["Retry-After"] = "1"
        return response, status
    if isinstance(error, HaberaraError):
        return error_response(503, "index_unavailable", str(error))
    if isinstance(error, HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        response, status = error_response(error.code or 500, code, error.description or error.name)
        for name, value in error.get_headers():  # e.g. ``Allow`` on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status
    current_app.logger.exception("unexpected error in %s", request.path)
    return error_response(500, "internal_error", "unexpected server error; see the server log")
