"""Ranked search over the index: the one entry point the CLI and the web app share."""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh import scoring, sorting

from search import store
from search.errors import BadParameter
from search.highlight import highlight, snippet
from search.query import parse_query
from search.querybuild import MatchSpec, Vocabulary, compile_query
from search.schema import category_key, stored_body
from search.suggest import suggest

MAX_QUERY_LENGTH = 500
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
REFRESH_SECONDS = 0.5
SUGGEST_BELOW = 3


@dataclass(frozen=True)
class SearchHit:
    """One ranked article with its highlighted title and snippet (HTML, escaped)."""

    id: str
    title: str
    title_html: str
    date: str | None
    category: str | None
    source: str | None
    url: str | None
    score: float
    snippet: str


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchPage:
    """A page of results, with counts per category and year for the whole result set."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    results: list[SearchHit]
    suggestion: str | None
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    relaxed: bool = False

    def to_dict(self) -> dict:
        """The JSON shape the API and ``haberara search --json`` both print."""
        data = asdict(self)
        if not self.relaxed:
            del data["relaxed"]
        return data


@dataclass(frozen=True)
class StoredArticle:
    """An indexed article as stored, for the article page and API."""

    id: str
    title: str
    title_derived: bool
    date: str | None
    category: str | None
    source: str | None
    url: str | None
    body: str


def parse_date(value: str | None, parameter: str) -> datetime.date | None:
    """``YYYY-MM-DD`` or empty; anything else is a :class:`BadParameter`."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            parameter, f"{parameter} must be a date written YYYY-MM-DD, got {value!r}"
        ) from None


class Searcher:
    """Searches one index folder; sees a new commit within :data:`REFRESH_SECONDS`.

    Thread-safe: each thread keeps its own whoosh searcher, reopened when the index changes.
    """

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        store.open_index(self.index_dir).close()  # fail now, with a clear message

    def search(
        self,
        text: str,
        *,
        page: int = 1,
        per_page: int = 10,
        sort: str = "relevance",
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
        categories: tuple[str, ...] | list[str] = (),
    ) -> SearchPage:
        """Rank articles for ``text``; invalid parameters raise :class:`BadParameter`."""
        _check_parameters(text, page, per_page, sort, date_from, date_to)
        started = time.perf_counter()
        searcher, vocabulary = self._current()
        compiled = compile_query(parse_query(text), vocabulary)
        options = {
            "limit": page * per_page,
            "filter": _filter(date_from, date_to, categories),
            "groupedby": {
                "category": sorting.FieldFacet("category"),
                "year": sorting.FieldFacet("year"),
            },
            "maptype": sorting.Count,
        }
        if sort == "date":
            options.update(sortedby="date", reverse=True)
        results = searcher.search(compiled.strict, **options)
        relaxed = False
        if results.is_empty() and compiled.relaxed is not None:
            results = searcher.search(compiled.relaxed, **options)
            relaxed = True
        start = (page - 1) * per_page
        ranks = range(start, min(start + per_page, results.scored_length()))
        hits = [_hit(results[rank], compiled.spec) for rank in ranks]
        total = len(results)
        suggestion = None
        if total < SUGGEST_BELOW:
            suggestion = suggest(text, vocabulary)
        return SearchPage(
            query=text,
            total=total,
            page=page,
            per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            results=hits,
            suggestion=suggestion,
            facets={name: _facet(results, name) for name in ("category", "year")},
            relaxed=relaxed,
        )

    def article(self, article_id: str, highlight_query: str = "") -> StoredArticle | None:
        """The stored article with this id, or None."""
        searcher, _ = self._current()
        fields = searcher.document(id=article_id)
        if fields is None:
            return None
        return StoredArticle(
            id=fields["id"],
            title=fields.get("title", ""),
            title_derived=bool(fields.get("title_derived")),
            date=_iso(fields.get("date")),
            category=fields.get("category"),
            source=fields.get("source"),
            url=fields.get("url"),
            body=stored_body(fields),
        )

    def highlight_spec(self, text: str) -> MatchSpec:
        """What a query marks, for highlighting a whole article."""
        _, vocabulary = self._current()
        return compile_query(parse_query(text), vocabulary).spec

    def stats(self) -> dict:
        """``{"documents", "last_indexed"}`` of the index being served."""
        searcher, _ = self._current()
        return {"documents": searcher.doc_count(), "last_indexed": self._last_indexed()}

    def _last_indexed(self) -> str | None:
        generation = store.current_generation(self.index_dir)
        tocs = sorted(generation.glob("_MAIN_*.toc")) if generation else []
        if not tocs:
            return None
        stamp = max(path.stat().st_mtime for path in tocs)
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC).isoformat(timespec="seconds")

    def _current(self):
        """This thread's searcher, reopened when a reindex committed or swapped generations."""
        local = self._local
        now = time.monotonic()
        if getattr(local, "searcher", None) is not None and now < local.checked + REFRESH_SECONDS:
            return local.searcher, local.vocabulary
        local.checked = now
        generation = store.current_generation(self.index_dir)
        if getattr(local, "searcher", None) is not None and generation == local.generation:
            if local.searcher.up_to_date():
                return local.searcher, local.vocabulary
            fresh = local.searcher.refresh()
        else:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            index = store.open_index(self.index_dir)
            fresh = index.searcher(weighting=scoring.BM25F())
            local.generation = generation
        local.searcher = fresh
        local.vocabulary = Vocabulary(fresh.reader())
        return local.searcher, local.vocabulary


def _check_parameters(
    text: str,
    page: int,
    per_page: int,
    sort: str,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> None:
    if not text or not text.strip():
        raise BadParameter("q", "q is required: the words to search for")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"q is {len(text)} characters; at most {MAX_QUERY_LENGTH}")
    if page < 1:
        raise BadParameter("page", "page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadParameter("per_page", f"per_page must be between 1 and {MAX_PER_PAGE}")
    if sort not in SORTS:
        raise BadParameter("sort", f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("from", "from must not be after to")


def _filter(
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    categories: tuple[str, ...] | list[str],
) -> wq.Query | None:
    parts: list[wq.Query] = []
    if date_from or date_to:
        start = datetime.datetime.combine(date_from, datetime.time.min) if date_from else None
        end = datetime.datetime.combine(date_to, datetime.time.max) if date_to else None
        parts.append(wq.DateRange("date", start, end))
    keys = [category_key(c) for c in categories if c and c.strip()]
    if keys:
        parts.append(wq.Or([wq.Term("category", key) for key in keys]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _hit(hit, spec: MatchSpec) -> SearchHit:
    fields = hit.fields()
    title = fields.get("title", "")
    return SearchHit(
        id=fields["id"],
        title=title,
        title_html=highlight(title, spec),
        date=_iso(fields.get("date")),
        category=fields.get("category"),
        source=fields.get("source"),
        url=fields.get("url"),
        score=round(float(hit.score or 0.0), 4),
        snippet=snippet(stored_body(fields), spec),
    )


def _facet(results, name: str) -> list[FacetCount]:
    try:
        groups = results.groups(name)
    except KeyError:
        return []
    counts = [FacetCount(str(value), count) for value, count in groups.items() if value]
    key = (lambda f: f.value) if name == "year" else (lambda f: (-f.count, f.value))
    return sorted(counts, key=key, reverse=name == "year")


def _iso(value) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime.datetime) else None
