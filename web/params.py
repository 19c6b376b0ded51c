"""Search parameters read from a query string, shared by the API and the page.

Only the names in :data:`SEARCH_PARAMETERS` are read; any other parameter is ignored. An
empty value is the same as leaving the parameter out (a form sends its empty fields).
Values the library would reject are left to it, so each rule lives in one place; the
OpenAPI description (:mod:`web.openapi`) states the same rules.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from search import (
    COMPLETIONS,
    DEFAULT_PER_PAGE,
    ISO_DATE,
    MAX_QUERY_LENGTH,
    BadParameter,
    parse_date,
)

_INTEGER = re.compile(r"-?[0-9]{1,18}")
#: The largest ``page`` (18 digits), so the API never does arithmetic on huge numbers.
MAX_INTEGER = 10**18 - 1
SEARCH_PARAMETERS = ("q", "page", "per_page", "sort", "from", "to", "category", "as_typed")
SUGGEST_PARAMETERS = ("q", "limit", "format")
#: ``/api/suggest`` answers in its own shape or, for a browser's search box, OpenSearch's.
SUGGEST_FORMATS = ("json", "opensearch")
MAX_COMPLETIONS = 20


@dataclass(frozen=True)
class SearchRequest:
    """One search as the reader asked for it."""

    q: str
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    categories: tuple[str, ...] = ()
    as_typed: bool = False

    def search_kwargs(self) -> dict:
        """Keyword arguments for :meth:`search.Searcher.search` (after the text)."""
        return {
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "categories": list(self.categories),
            "as_typed": self.as_typed,
        }


def read_search_request(args: MultiDict[str, str]) -> SearchRequest:
    """Parse the query string; a malformed number or date, or a parameter other than
    ``category`` given more than once, raises :class:`BadParameter`."""
    for name in SEARCH_PARAMETERS:
        if name != "category" and len(args.getlist(name)) > 1:
            message = f"{name} was given {len(args.getlist(name))} times; give it once"
            raise BadParameter(name, message)
    return SearchRequest(
        q=args.get("q", ""),
        page=read_int(args, "page", 1),
        per_page=read_int(args, "per_page", DEFAULT_PER_PAGE),
        sort=args.get("sort") or "relevance",
        date_from=read_date(args, "from"),
        date_to=read_date(args, "to"),
        categories=tuple(c for c in args.getlist("category") if c.strip()),
        as_typed=read_flag(args, "as_typed"),
    )


def read_int(args: MultiDict[str, str], name: str, default: int) -> int:
    """An integer parameter written in digits, ``default`` when absent or empty."""
    value = args.get(name, "")
    if not value:
        return default
    if not _INTEGER.fullmatch(value):
        message = f"{name} must be a whole number (at most 18 digits), got {value[:20]!r}"
        raise BadParameter(name, message)
    return int(value)


def read_flag(args: MultiDict[str, str], name: str) -> bool:
    """A yes/no parameter: ``1`` or ``true`` is yes; absent, empty, ``0`` or ``false`` no."""
    value = args.get(name, "")
    if value not in ("", "0", "1", "true", "false"):
        raise BadParameter(name, f"{name} must be 1 or 0 (true or false), got {value[:20]!r}")
    return value in ("1", "true")


def read_date(args: MultiDict[str, str], name: str) -> datetime.date | None:
    """A ``YYYY-MM-DD`` parameter, None when absent or empty (as a form's empty field sends).

    Only that form: :func:`datetime.date.fromisoformat` also takes ``20250912`` and
    ``2025-W37-5``, which the API does not document.
    """
    value = args.get(name, "")
    if value and not ISO_DATE.fullmatch(value):
        message = f"{name} must be a date written YYYY-MM-DD, got {value[:40]!r}"
        raise BadParameter(name, message)
    return parse_date(value, name)


def read_suggest_request(args: MultiDict[str, str]) -> tuple[str, int, str]:
    """``q`` (may be empty: no completions), ``limit`` and ``format`` of ``/api/suggest``."""
    for name in SUGGEST_PARAMETERS:
        if len(args.getlist(name)) > 1:
            raise BadParameter(
                name, f"{name} was given {len(args.getlist(name))} times; give it once"
            )
    q = args.get("q", "")
    if len(q) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"q is {len(q)} characters; at most {MAX_QUERY_LENGTH}")
    limit = read_int(args, "limit", COMPLETIONS)
    if not 1 <= limit <= MAX_COMPLETIONS:
        raise BadParameter("limit", f"limit must be between 1 and {MAX_COMPLETIONS}")
    answer = args.get("format") or "json"
    if answer not in SUGGEST_FORMATS:
        raise BadParameter("format", f"format must be one of {', '.join(SUGGEST_FORMATS)}")
    return q, limit, answer
