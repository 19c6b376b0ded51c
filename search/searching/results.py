"""What a search returns: result pages, hits, facet counts, stored and related articles, as plain
dataclasses the command line prints and the API serialises."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchHit:
    """One ranked article with its highlighted title and snippet (HTML, escaped)."""

    id: str
    title: str
    title_html: str
    title_derived: bool  # the file had no title; this is its first sentence
    date: str | None
    category: str | None
    source: str | None
    url: str | None
    score: float
    snippet: str
    #: The reader's words (or ``a OR b`` alternatives, phrases) this article lacks: a query
    #: of three words or more also finds articles lacking one, and a query fewer than 10
    #: articles answer in full finds those holding some (``relaxed``).
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FacetCount:
    """How many results hold one value of a facet: ``value`` is what the search's filter
    takes (a category's key, ``dis haberler``), ``name`` how the articles write it (the
    commonest form among them, ``Dış Haberler``; a year as it is)."""

    value: str
    count: int
    name: str = ""


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
    #: Quoted phrases no article holds; their words were searched instead.
    phrases_not_found: list[str] = field(default_factory=list)
    #: The words searched instead of ``query``, which found nothing (a misspelling).
    corrected: str | None = None
    #: Prefixes of one letter (``k*``), searched as the words they are.
    short_prefixes: list[str] = field(default_factory=list)
    #: Whether ``total`` counts only the articles found before a quoted phrase's checks
    #: stopped (:data:`~search.searching.engine.PHRASE_CHECKS`, or the request's budget):
    #: more may hold it.
    total_at_least: bool = False

    def to_dict(self) -> dict:
        """The JSON shape the API and ``haberara search --json`` both print."""
        data = _fields(self)
        data["results"] = [_fields(hit) for hit in self.results]
        data["facets"] = {
            name: [_fields(count) for count in counts] for name, counts in self.facets.items()
        }
        if not self.relaxed:
            del data["relaxed"]
        if not self.phrases_not_found:
            del data["phrases_not_found"]
        if self.corrected is None:
            del data["corrected"]
        if not self.short_prefixes:
            del data["short_prefixes"]
        if not self.total_at_least:
            del data["total_at_least"]
        return data


def _fields(instance) -> dict:
    """A dataclass's fields as a dict, one level deep (``dataclasses.asdict`` copies
    recursively: 8x as long for a page of ten results, a third of a millisecond)."""
    return {item.name: getattr(instance, item.name) for item in dataclasses.fields(instance)}


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


@dataclass(frozen=True)
class HighlightedArticle:
    """A stored article with a query's words marked, for the article page."""

    article: StoredArticle
    title_html: str
    paragraphs_html: list[str]
    #: Characters of the body left out at its end: a page shows the first
    #: :data:`~search.searching.searcher.PAGE_BODY_CHARS` of a very long article.
    left_out_chars: int = 0


@dataclass(frozen=True)
class RelatedArticle:
    """An article like another one: what a link to it shows."""

    id: str
    title: str
    date: str | None
    category: str | None
    source: str | None
