"""Search parameters read from a query string, shared by the API and the page.

Only the names in :data:`SEARCH_PARAMETERS` are read; any other parameter is ignored.
Values the library would reject are left to it, so each rule lives in one place.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from search.errors import BadParameter
from search.searcher import parse_date

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
SEARCH_PARAMETERS = ("q", "page", "per_page", "sort", "from", "to", "category")
DEFAULT_PER_PAGE = 10


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

    def search_kwargs(self) -> dict:
        """Keyword arguments for :meth:`search.searcher.Searcher.search` (after the text)."""
        return {
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "categories": list(self.categories),
        }


def read_search_request(args: MultiDict[str, str]) -> SearchRequest:
    """Parse the query string; a malformed number or date raises :class:`BadParameter`."""
    return SearchRequest(
        q=args.get("q", ""),
        page=read_int(args, "page", 1),
        per_page=read_int(args, "per_page", DEFAULT_PER_PAGE),
        sort=args.get("sort") or "relevance",
        date_from=parse_date(args.get("from", "").strip(), "from"),
        date_to=parse_date(args.get("to", "").strip(), "to"),
        categories=tuple(c for c in args.getlist("category") if c.strip()),
    )


def read_int(args: MultiDict[str, str], name: str, default: int) -> int:
    """An integer parameter, ``default`` when absent or empty."""
    value = args.get(name, "").strip()
    if not value:
        return default
    if not _INTEGER.fullmatch(value):
        message = f"{name} must be a whole number (at most 18 digits), got {value[:20]!r}"
        raise BadParameter(name, message)
    return int(value)
