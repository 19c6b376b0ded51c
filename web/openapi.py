"""The OpenAPI 3.1 description of the JSON API, served at ``GET /api/openapi.json``.

A static dict: the numbers in it come from the constants the code checks against, and
``tests/test_openapi.py`` compares the parameter names and response keys with the code and
runs schemathesis against the live server with it.
"""

from __future__ import annotations

from typing import Any

from search import MAX_PER_PAGE, MAX_QUERY_LENGTH, RELAXED_BELOW, SORTS
from web.limits import MAX_HEADERS, MAX_PARAMETERS, MAX_QUERY_STRING_BYTES
from web.params import (
    COMPLETIONS,
    DEFAULT_PER_PAGE,
    MAX_COMPLETIONS,
    MAX_INTEGER,
    SUGGEST_FORMATS,
)

JSON = "application/json"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these keys (all required but ``optional``)."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


#: A character that is not blank by Python's ``str.isspace`` (the library's rule for an empty
#: query); ECMA's ``\S`` differs (``\x1c``-``\x1f``, ``\x85``, ``\ufeff``).
NOT_BLANK = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_EMPTY = {"const": "", "description": "Empty: the same as leaving the parameter out."}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter that may also be sent empty (a form's empty field)."""
    return {"anyOf": [schema, _EMPTY]}


#: Answers any operation can give: limits (see web/limits.py) and an unusable index.
_COMMON_ERRORS = {
    "414": _response("QueryStringTooLong"),
    "431": _response("TooManyHeaders"),
    "503": _response("IndexUnavailable"),
}

SEARCH_PARAMETERS_SPEC: list[dict[str, Any]] = [
    {
        "name": "q",
        "in": "query",
        "required": True,
        "description": (
            'The words to search for, in the query language of the README (`"phrase"`, '
            "`OR`, `-word`, `prefix*`, `title:word`). Must not be blank."
        ),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_QUERY_LENGTH,
            "pattern": NOT_BLANK,
        },
    },
    {
        "name": "page",
        "in": "query",
        "description": "Result page, from 1 (the default). A page after the last is empty.",
        "schema": _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}),
    },
    {
        "name": "per_page",
        "in": "query",
        "description": f"Results per page (default {DEFAULT_PER_PAGE}).",
        "schema": _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    },
    {
        "name": "sort",
        "in": "query",
        "description": "`relevance` (best first, the default) or `date` (newest first).",
        "schema": _or_empty({"type": "string", "enum": list(SORTS)}),
    },
    {
        "name": "from",
        "in": "query",
        "description": "Only articles dated on or after this day. Must not be after `to`.",
        "schema": _or_empty(_DATE),
    },
    {
        "name": "to",
        "in": "query",
        "description": "Only articles dated on or before this day.",
        "schema": _or_empty(_DATE),
    },
    {
        "name": "category",
        "in": "query",
        "description": "Only these categories (repeat the parameter for several); any case.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": _STRING},
    },
    {
        "name": "as_typed",
        "in": "query",
        "description": (
            "`1` (or `true`) searches `q` as typed even when it finds nothing; by default "
            "a `q` that finds nothing is answered with its spelling suggestion's results, "
            "when those are some, and `corrected` says so."
        ),
        "schema": _or_empty({"type": "string", "enum": ["0", "1", "true", "false"]}),
    },
]

SUGGEST_PARAMETERS_SPEC: list[dict[str, Any]] = [
    {
        "name": "q",
        "in": "query",
        "description": (
            "What the reader has typed so far, in any case, with or without Turkish letters "
            "(`kirg` finds `Kırgızistan`). Empty or blank: no completions."
        ),
        "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    },
    {
        "name": "limit",
        "in": "query",
        "description": f"Completions at most (default {COMPLETIONS}).",
        "schema": _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_COMPLETIONS}),
    },
    {
        "name": "format",
        "in": "query",
        "description": "`json` (the default) or `opensearch`: `[q, [completion, …]]`, the "
        "shape a browser's search box reads (see `/opensearch.xml`).",
        "schema": _or_empty({"type": "string", "enum": list(SUGGEST_FORMATS)}),
    },
]

_RELATED = _object(
    {
        "id": _STRING,
        "title": _STRING,
        "date": _nullable(_DATE),
        "category": _nullable(_STRING),
        "source": _nullable(_STRING),
    }
)

_FACET = _object(
    {
        "value": {
            **_STRING,
            "description": "What the filter takes: a category's key (`dis haberler`, the "
            "form it is counted by; the `category` parameter takes it or any way of "
            "writing the category), or a year.",
        },
        "count": {"type": "integer", "minimum": 1},
        "name": {
            **_STRING,
            "description": "How to show it: a category as its articles write it (the "
            "commonest form, `Dış Haberler`) or by its configured name (`kultur-sanat` as "
            "`Kültür-Sanat`), as the search page shows it; a year as it is.",
        },
    }
)

SCHEMAS: dict[str, Any] = {
    "SearchPage": _object(
        {
            "query": {**_STRING, "description": "`q` as given."},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "took_ms": {"type": "number", "minimum": 0},
            "results": {"type": "array", "items": _ref("SearchHit")},
            "suggestion": {
                **_nullable(_STRING),
                "description": "A corrected query (plain text), when few articles matched "
                "or a word of `q` is in no article (the results stay those of `q`).",
            },
            "facets": _object(
                {
                    "category": {"type": "array", "items": _FACET},
                    "year": {"type": "array", "items": _FACET},
                }
            ),
            "relaxed": {
                "const": True,
                "description": "Present, and true, only when fewer than "
                f"{RELAXED_BELOW} articles had every word and articles with only some of "
                "them were added (each result's "
                "`missing` names the words it lacks).",
            },
            "phrases_not_found": {
                "type": "array",
                "items": _STRING,
                "minItems": 1,
                "description": "Present only when a quoted phrase of `q` is in no article "
                "as written: its words were searched instead (a phrase some article holds "
                "stays exact).",
            },
            "corrected": {
                **_STRING,
                "description": "Present only when `q` found nothing and its spelling "
                "suggestion found articles: the words searched instead, whose results "
                "these are (`query` stays `q`). `as_typed=1` searches `q` as typed.",
            },
            "short_prefixes": {
                "type": "array",
                "items": _STRING,
                "minItems": 1,
                "description": "Present only when `q` has a prefix of one letter (`k*`): "
                "a prefix needs two letters or more, so each was searched as the word it is.",
            },
            "total_at_least": {
                "const": True,
                "description": "Present, and true, only when `total` counts the articles "
                "found before a quoted phrase's checks against the stored text stopped (at "
                "2,000 articles holding its words, or when the request's time for optional "
                "work ran out): more articles may hold it.",
            },
            "next_url": {
                **_nullable(_STRING),
                "description": "The next page of this search (a path and query string on "
                "this server), or null on the last page.",
            },
        },
        optional=("relaxed", "phrases_not_found", "corrected", "short_prefixes", "total_at_least"),
    ),
    "SearchHit": _object(
        {
            "id": _STRING,
            "title": {**_STRING, "description": "Plain text."},
            "title_html": {**_STRING, "description": "Escaped HTML with `<mark>` on matches."},
            "title_derived": {
                "type": "boolean",
                "description": "The file had no title; this one is its first sentence.",
            },
            "date": _nullable(_DATE),
            "category": _nullable(_STRING),
            "source": _nullable(_STRING),
            "url": _nullable(_STRING),
            "score": {"type": "number"},
            "snippet": {**_STRING, "description": "Escaped HTML with `<mark>` on matches."},
            "missing": {
                "type": "array",
                "items": _STRING,
                "description": "The words of `q` (or `a OR b` alternatives, quoted phrases) "
                "this article lacks: a query of three words or more also finds articles "
                "lacking one of them, ranked lower; when fewer than "
                f"{RELAXED_BELOW} articles hold every word (`relaxed`), those holding some. "
                "Empty for an article holding them all.",
            },
        }
    ),
    "Article": _object(
        {
            "id": _STRING,
            "title": _STRING,
            "title_derived": {
                "type": "boolean",
                "description": "The file had no title; this one is its first sentence.",
            },
            "date": _nullable(_DATE),
            "category": _nullable(_STRING),
            "source": _nullable(_STRING),
            "url": _nullable(_STRING),
            "body": {**_STRING, "description": "Plain text; paragraphs separated by a blank line."},
            "related": {
                "type": "array",
                "items": _RELATED,
                "maxItems": 5,
                "description": "Up to 5 articles most like this one (from its most "
                "distinctive words), the newer first among near-equal ones.",
            },
        }
    ),
    "Completions": _object(
        {
            "query": {**_STRING, "description": "`q` as given."},
            "completions": {
                "type": "array",
                "maxItems": MAX_COMPLETIONS,
                "items": _object(
                    {
                        "text": {**_STRING, "description": "As titles most often write it."},
                        "titles": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "How many titles hold it.",
                        },
                    }
                ),
                "description": "Title words and phrases starting with `q`, most frequent first.",
            },
        }
    ),
    "OpenSearchSuggestions": {
        "type": "array",
        "prefixItems": [_STRING, {"type": "array", "items": _STRING}],
        "minItems": 2,
        "maxItems": 2,
    },
    "Health": _object(
        {
            "status": {"const": "ok"},
            "documents": {"type": "integer", "minimum": 0},
            "last_indexed": _nullable({"type": "string", "format": "date-time"}),
        }
    ),
    "Unavailable": _object(
        {
            "status": {"const": "unavailable"},
            "documents": {"type": "null"},
            "last_indexed": {"type": "null"},
            "message": {**_STRING, "description": "Why, and what to run."},
        }
    ),
    "Error": _object(
        {
            "error": _object(
                {
                    "code": {
                        **_STRING,
                        "description": "`bad_parameter`, `not_found`, `index_unavailable`, "
                        "`method_not_allowed`, `request_uri_too_long`, `bad_request`, "
                        "`request_header_fields_too_large`, …",
                    },
                    "message": {**_STRING, "description": "English, for developers."},
                    "parameter": {
                        **_nullable(_STRING),
                        "description": "The parameter to change, when one is to blame.",
                    },
                }
            )
        }
    ),
}

RESPONSES: dict[str, Any] = {
    "BadParameter": _json(
        _ref("Error"),
        "A parameter is malformed or out of range (`bad_parameter`, naming it), or there are "
        f"more than {MAX_PARAMETERS} query parameters (`bad_request`).",
    ),
    "NotFound": _json(_ref("Error"), "No article has this id (`not_found`)."),
    "QueryStringTooLong": _json(
        _ref("Error"), f"The query string is longer than {MAX_QUERY_STRING_BYTES} bytes."
    ),
    "TooManyHeaders": _json(
        _ref("Error"),
        f"More than {MAX_HEADERS} request headers. (A header block over 32 KB is refused "
        "by the server itself with a plain-text 431.)",
    ),
    "IndexUnavailable": _json(
        _ref("Error"), "The index is missing or unreadable (`index_unavailable`)."
    ),
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "haberara",
        "version": "1",
        "description": (
            "Full-text search over Turkish news articles. Every error is "
            '`{"error": {"code", "message", "parameter"}}`; unknown query parameters are '
            "ignored. Served on 127.0.0.1 unless `haberara serve --host` says otherwise."
        ),
    },
    "paths": {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Ranked articles for a query, with facets over all matches.",
                "parameters": SEARCH_PARAMETERS_SPEC,
                "responses": {
                    "200": _json(_ref("SearchPage"), "A page of results."),
                    "400": _response("BadParameter"),
                    **_COMMON_ERRORS,
                },
            }
        },
        "/api/suggest": {
            "get": {
                "operationId": "suggest",
                "summary": "Completions of a half-typed query: frequent title words and phrases.",
                "parameters": SUGGEST_PARAMETERS_SPEC,
                "responses": {
                    "200": _json(
                        {"oneOf": [_ref("Completions"), _ref("OpenSearchSuggestions")]},
                        "Completions, in the shape `format` asked for.",
                    ),
                    "400": _response("BadParameter"),
                    **_COMMON_ERRORS,
                },
            }
        },
        "/api/articles/{id}": {
            "get": {
                "operationId": "article",
                "summary": "One stored article.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": (
                            "The article's id: its path below the articles folder without "
                            "`.txt`, slashes written as they are (`2025/09/biskek-zirvesi`)."
                        ),
                        "schema": _STRING,
                    }
                ],
                "responses": {
                    "200": _json(_ref("Article"), "The article."),
                    "400": _response("BadParameter"),
                    "404": _response("NotFound"),
                    **_COMMON_ERRORS,
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Whether the index is served, its size and when it was last written.",
                "responses": {
                    "200": _json(_ref("Health"), "The index is served."),
                    "400": _response("BadParameter"),
                    "414": _response("QueryStringTooLong"),
                    "431": _response("TooManyHeaders"),
                    "503": _json(_ref("Unavailable"), "The index is missing or unreadable."),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description.",
                "responses": {
                    "200": _json({"type": "object"}, "OpenAPI 3.1."),
                    "400": _response("BadParameter"),
                    "414": _response("QueryStringTooLong"),
                    "431": _response("TooManyHeaders"),
                },
            }
        },
    },
    "components": {"schemas": SCHEMAS, "responses": RESPONSES},
}
