"""Ranked search over the cluster, with :class:`search.searching.searcher.Searcher`'s interface.

The query is parsed and expanded by haberara (:func:`~search.searching.querybuild.compile_query`
against the cluster's words), matched and scored by the cluster, and marked by
:mod:`search.searching.highlight`; counts per category and year are aggregations over the same
matches. The relaxed fallback, missing words and phrases searched as words behave as
with the embedded index (see :meth:`~search.searching.querybuild.CompiledQuery.match`).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from opensearchpy import exceptions as os_errors
from opensearchpy import helpers

from search.errors import HaberaraError
from search.opensearch import querydsl, wordcounts
from search.opensearch.cluster import ClusterConfig, ClusterRefused, cluster_error
from search.opensearch.mapping import MAX_RESULT_WINDOW
from search.opensearch.vocabulary import ClusterVocabulary, read_words
from search.searching import engine
from search.searching.complete import COMPLETIONS, Completion, CompletionTable
from search.searching.engine import COORD_LONG, COORD_SHORT, LONG_QUERY_GROUPS
from search.searching.highlight import highlight, snippet
from search.searching.query import parse_query, short_prefixes
from search.searching.querybuild import (
    FILL_UP_BELOW,
    CompiledQuery,
    MatchSpec,
    compile_query,
)
from search.searching.related import RELATED
from search.searching.rerank import (
    WINDOW,
    Freshness,
    group_forms,
    ranked_marks,
    second_stage,
    ticks,
)
from search.searching.results import (
    FacetCount,
    HighlightedArticle,
    RelatedArticle,
    SearchHit,
    SearchPage,
    StoredArticle,
)
from search.searching.searcher import (
    FACETS,
    NAME_SAMPLE,
    REFRESH_SECONDS,
    Searcher,
    _check_parameters,
    commonest,
    mark_article,
    shown_body,
    suggestion_when_allowed,
)
from search.searching.suggest import answer_or_correct
from search.searching.vocabulary import Vocabulary
from search.storage.schema import TEXT_FIELDS
from search.text.analysis import ascii_fold

log = logging.getLogger(__name__)

#: Term statistics are gathered from every shard before scoring: a shard's own counts
#: rank differently from the whole index's, most of all while the index is small.
SEARCH_TYPE = "dfs_query_then_fetch"
#: Pauses (seconds) before a read a shard failed to answer is tried again.
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0)
#: Words of an article's stems a related-articles query weighs, and the characters of its
#: body they are taken from (a lead says what an article is about).
RELATED_TERMS = 25
RELATED_TEXT_CHARS = 4_000
#: Distinct values counted per facet.
FACET_VALUES = 1_000
_SOURCE = [
    "id", "shown_title", "title_derived", "date", "category_name", "source", "url", "body",
]  # fmt: skip


class _Searched(NamedTuple):
    """A page for one text, and the query the text compiled to."""

    page: SearchPage
    compiled: CompiledQuery


@dataclass
class _State:
    """What one index stamp gives: its words and when it was made."""

    stamp: tuple
    last_indexed: str | None
    vocabulary: ClusterVocabulary
    newest: float  # the newest article's date, in ticks (0 when none is dated)
    category_names: dict[str, str]  # by key, as the articles write them


class ClusterSearcher:
    """Searches the cluster's index; sees a reindex within :data:`REFRESH_SECONDS`.

    Thread-safe: the threads share one client (it keeps a pool of connections) and one
    vocabulary, read again when a reindex stamps the index.
    """

    def __init__(
        self,
        config: ClusterConfig,
        *,
        cache_pages: bool = True,
        freshness: Freshness | None = Freshness(),  # noqa: B008 - frozen, shared safely
        proximity: bool = True,
    ) -> None:
        """``freshness`` and ``proximity``: the second ranking stage, as
        :class:`~search.searching.searcher.Searcher` takes them."""
        self.config = config
        self.cache_pages = cache_pages  # the cluster keeps its own request cache
        self.freshness = freshness
        self.proximity = proximity
        self.client = config.client()
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._checked = 0.0
        self._completions: dict[tuple, CompletionTable] = {}
        self._current()  # fail now, with a clear message

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
        as_typed: bool = False,
    ) -> SearchPage:
        """Rank articles for ``text``; invalid parameters raise
        :class:`~search.errors.BadParameter`. When the words find nothing and their
        suggestion finds articles, the suggestion's page is given, ``corrected`` saying so
        (unless ``as_typed``), as the embedded index does."""
        _check_parameters(text, page, per_page, sort, date_from, date_to)
        started = time.perf_counter()
        asked = {"page": page, "per_page": per_page, "sort": sort}
        asked.update(date_from=date_from, date_to=date_to, categories=categories)
        found, suggestion, corrected = answer_or_correct(
            text,
            lambda words: self._search_words(words, **asked),
            lambda found: found.page.total,
            lambda words, only: suggestion_when_allowed(words, self._current().vocabulary, only),
            lambda found: self._words_found_nowhere(found.compiled),
            as_typed,
        )
        return dataclasses.replace(
            found.page,
            query=text,
            suggestion=suggestion,
            corrected=corrected,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _search_words(
        self,
        text: str,
        *,
        page: int,
        per_page: int,
        sort: str,
        date_from: datetime.date | None,
        date_to: datetime.date | None,
        categories: tuple[str, ...] | list[str],
    ) -> _Searched:
        """One page for the words of ``text`` as typed, and the query they compiled to."""
        started = time.perf_counter()
        state = self._current()
        try:
            compiled, not_found = self._compile(text, state)
            minimum, relaxed = self._minimum(compiled)
            filters = querydsl.filter_queries(date_from, date_to, categories)
            rescored = sort == "relevance"
            if rescored:  # the best of a window, rescored below, then this page of them
                window = max(WINDOW, page * per_page)
                answer = self._search(self._request(compiled, filters, minimum, 1, window, sort))
            elif minimum is not None:
                answer = self._full_matches_first(compiled, filters, minimum, page, per_page)
            else:
                answer = self._search(
                    self._request(compiled, filters, minimum, page, per_page, sort)
                )
            if rescored:
                found = answer["hits"]["hits"]
                if minimum is not None:
                    found = self._rescore(compiled, found, state)
                found = self._second_stage(compiled, found, state)
                answer["hits"]["hits"] = found[(page - 1) * per_page : page * per_page]
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "a search") from error
        total = answer["hits"]["total"]["value"]
        if compiled.groups or compiled.excluded or compiled.required:
            hits = [_hit(found, compiled) for found in answer["hits"]["hits"]]
            aggregations = answer["aggregations"]
            facets = {name: _facet(name, aggregations[name], state) for name in FACETS}
        else:
            total, hits, facets = 0, [], {name: [] for name in FACETS}
        searched = SearchPage(
            query=text,
            total=total,
            page=page,
            per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            results=hits,
            suggestion=None,
            facets=facets,
            relaxed=relaxed,
            phrases_not_found=not_found,
            short_prefixes=short_prefixes(text),
        )
        return _Searched(searched, compiled)

    def _search(self, body: dict) -> dict:
        """The cluster's answer to a search ``body``."""
        return self._read(
            self.client.search,
            index=self.config.index,
            body=body,
            search_type=SEARCH_TYPE,
            # a shard that cannot answer (its node lost, no copy left) is an error, never
            # a page that silently lacks its articles
            allow_partial_search_results=False,
        )

    def _full_matches_first(
        self, compiled: CompiledQuery, filters: list[dict], minimum: int, page: int, per_page: int
    ) -> dict:
        """A page by date of a query some of whose groups an article may lack, as the
        embedded index sorts it: the articles holding every group first, newest first, then
        the others, newest first. Its total and facets are the whole query's; its hits the
        page's share of each part, the full matches asked for first."""
        whole = self._request(compiled, filters, minimum, page, per_page, "date")
        full = self._request(compiled, filters, None, page, per_page, "date")
        answer = self._search({**full, "aggs": {}})
        hits, held = answer["hits"]["hits"], answer["hits"]["total"]["value"]
        start = (page - 1) * per_page
        if len(hits) < per_page and start + per_page <= MAX_RESULT_WINDOW:
            partial = {
                **whole,
                "query": {"bool": {"must": [whole["query"]], "must_not": [full["query"]]}},
                "from": max(0, start - held),
                "size": per_page - len(hits),
                "aggs": {},
            }
            hits = hits + self._search(partial)["hits"]["hits"]
        counted = self._search({**whole, "size": 0, "from": 0})
        counted["hits"]["hits"] = hits
        return counted

    def _words_found_nowhere(self, compiled: CompiledQuery) -> frozenset[str]:
        """The typed words of ``compiled`` no article holds in any form, as the embedded
        index finds them (:meth:`~search.searching.querybuild.MatchedQuery.words_found_nowhere`)."""
        try:
            return words_found_nowhere(compiled, self._count_any, self._current().vocabulary)
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "a search") from error

    def _rescore(self, compiled: CompiledQuery, hits: list[dict], state: _State) -> list[dict]:
        """``hits`` of a query some of whose groups an article may lack, scored as the
        embedded index scores them (:meth:`~search.searching.engine.Engine.match_any`):
        times a power of the share of the query each holds, each group weighted by how
        rare it is, best first (ties by article id)."""
        bodies: list[dict] = []
        for group in compiled.groups:
            query = {"bool": {"should": [querydsl.clause_query(c) for c in group]}}
            bodies += [{"index": self.config.index}, {"size": 0, "query": query}]
        answers = self._read(self.client.msearch, body=bodies)["responses"]
        documents = max(state.vocabulary.documents, 1)
        weights = []
        for answer in answers:
            if "error" in answer:
                raise ClusterRefused(f"the {self.config.where} refused a count: {answer['error']}")
            holding = max(answer["hits"]["total"]["value"], 1)
            weights.append(math.log(1 + documents / holding))
        whole = sum(weights) or 1.0
        coord = COORD_LONG if len(compiled.groups) >= LONG_QUERY_GROUPS else COORD_SHORT
        for hit in hits:
            held = set(hit.get("matched_queries", ()))
            share = sum(
                weight
                for number, weight in enumerate(weights)
                if querydsl.group_name(number) in held
            )
            hit["_score"] = float(hit.get("_score") or 0.0) * (share / whole) ** coord
        return sorted(hits, key=lambda hit: (-hit["_score"], hit["_source"]["id"]))

    def _second_stage(self, compiled: CompiledQuery, hits: list[dict], state: _State) -> list[dict]:
        """``hits`` (best first) with the best :data:`~search.searching.rerank.WINDOW`
        rescored by :func:`~search.searching.rerank.second_stage`, as the embedded index
        ranks them; the rest keep their order after them."""
        groups = group_forms(compiled.groups) if self.proximity else None
        if not compiled.groups:  # nothing scored (``-word`` alone): the embedded index's order
            return hits
        if self.freshness is None and (groups is None or len(groups) < 2):
            return hits
        head = hits[:WINDOW]
        sources = [hit["_source"] for hit in head]
        dates = [source.get("date") for source in sources]
        scores = second_stage(
            np.array([float(hit.get("_score") or 0.0) for hit in head], np.float64),
            np.array([ticks(_day(date)) for date in dates], np.float64),
            state.newest,
            self.freshness,
            groups,
            lambda i: ranked_marks(*_shown(sources[i]), compiled.spec),
        )
        for hit, score in zip(head, scores.tolist(), strict=True):
            hit["_score"] = score
        head = sorted(head, key=lambda hit: (-hit["_score"], hit["_source"]["id"]))
        return [*head, *hits[WINDOW:]]

    def _compile(self, text: str, state: _State) -> tuple[CompiledQuery, list[str]]:
        """The compiled query, and the quoted phrases no article holds (searched as words)."""
        parsed = parse_query(text)
        compiled = _capped(compile_query(parsed, state.vocabulary), state.vocabulary)
        phrases = [
            (phrase, group)
            for phrase, group in zip(compiled.phrases, compiled.groups, strict=True)
            if phrase is not None
        ]
        if not phrases:
            return compiled, []
        not_found = [phrase for phrase, group in phrases if not self._count_any(group)]
        if not_found:
            compiled = _capped(
                compile_query(parsed.unquoted(not_found), state.vocabulary), state.vocabulary
            )
        return compiled, not_found

    def _count_any(self, group: list[engine.Clause]) -> int:
        query = {"bool": {"should": [querydsl.clause_query(c) for c in group]}}
        return self._read(self.client.count, index=self.config.index, body={"query": query})[
            "count"
        ]

    def _minimum(self, compiled: CompiledQuery) -> tuple[int | None, bool]:
        """``(minimum groups, relaxed)``: every group (None), all but one for a long query
        that enough articles hold in full, any one when fewer than a page hold all."""
        groups = len(compiled.groups)
        if groups <= 1:
            return None, False
        full = self._count(querydsl.matching(compiled, []))
        if full >= FILL_UP_BELOW:
            return (groups - 1 if groups >= engine.LONG_QUERY_GROUPS else None), False
        partial = self._count(querydsl.matching(compiled, [], minimum=1))
        return 1, partial > full

    def _count(self, query: dict) -> int:
        return self._read(self.client.count, index=self.config.index, body={"query": query})[
            "count"
        ]

    def _request(
        self,
        compiled: CompiledQuery,
        filters: list[dict],
        minimum: int | None,
        page: int,
        per_page: int,
        sort: str,
    ) -> dict:
        order: list = [{"_score": "desc"}, {"id": "asc"}]
        if sort == "date":
            order.insert(0, {"date": {"order": "desc", "missing": "_last"}})
        start = (page - 1) * per_page
        return {
            "query": querydsl.matching(compiled, filters, minimum),
            "from": min(start, MAX_RESULT_WINDOW),
            "size": per_page if start + per_page <= MAX_RESULT_WINDOW else 0,
            "sort": order,
            "track_scores": True,
            "track_total_hits": True,
            "_source": _SOURCE,
            "aggs": {name: {"terms": {"field": name, "size": FACET_VALUES}} for name in FACETS},
        }

    def _read(self, call, **arguments) -> dict:
        """``call(**arguments)``, tried again after a pause when a shard failed to answer:
        a node lost during the request takes its shard copies with it, and the next try
        reads the copies on the other nodes."""
        for pause in RETRY_PAUSES:
            try:
                return call(**arguments)
            except os_errors.TransportError as error:
                if error.status_code not in (500, 503):
                    raise
                log.warning("retrying a read the cluster failed: %s", error)
                time.sleep(pause)
        return call(**arguments)

    def warm_up(self) -> None:
        """Read now what the first searches would otherwise wait for, as the embedded
        searcher does: the cluster's words, bucketed for spelling suggestions, and the
        dictionary's word lists."""
        Searcher.read_word_lists()
        self._current().vocabulary.segment_near_words()

    def article(self, article_id: str) -> StoredArticle | None:
        """The stored article with this id, or None."""
        try:
            found = self.client.get(
                index=self.config.index, id=article_id, _source_includes=_SOURCE
            )
        except os_errors.NotFoundError as error:
            if _index_missing(error):
                raise cluster_error(self.config, error, "reading an article") from error
            return None
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "reading an article") from error
        source = found["_source"]
        return StoredArticle(
            id=source["id"],
            title=source.get("shown_title", ""),
            title_derived=bool(source.get("title_derived")),
            date=source.get("date"),
            category=source.get("category_name"),
            source=source.get("source"),
            url=source.get("url"),
            body=source.get("body", ""),
        )

    def highlighted_article(self, article_id: str, query: str = "") -> HighlightedArticle | None:
        """The stored article with the words of ``query`` marked in its title and
        paragraphs (escaped HTML), or None. A query too long to search marks nothing."""
        found = self.article(article_id)
        return None if found is None else mark_article(found, query, self.highlight_spec)

    def related(self, article_id: str, limit: int = RELATED) -> list[RelatedArticle]:
        """Up to ``limit`` articles most like this one: the cluster's more-like-this over
        the stems of its title and body, newer first among equal scores; empty for an
        unknown id. An article with the same title (a copy) is not given."""
        found = self.article(article_id)
        if found is None:
            return []
        body = {
            "query": {
                "bool": {
                    "must": {
                        "more_like_this": {
                            "fields": ["stem"],
                            "like": f"{found.title}\n\n{found.body[:RELATED_TEXT_CHARS]}",
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": RELATED_TERMS,
                        }
                    },
                    "must_not": {"ids": {"values": [article_id]}},
                }
            },
            "size": limit * 3,
            "sort": [{"_score": "desc"}, {"date": {"order": "desc", "missing": "_last"}}],
            "track_scores": True,
            "_source": ["id", "shown_title", "date", "category_name", "source"],
        }
        try:
            answer = self._read(self.client.search, index=self.config.index, body=body)
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "finding related articles") from error
        related: list[RelatedArticle] = []
        for hit in answer["hits"]["hits"]:
            source = hit["_source"]
            if source.get("shown_title", "") == found.title:
                continue
            related.append(
                RelatedArticle(
                    id=source["id"],
                    title=source.get("shown_title", ""),
                    date=source.get("date"),
                    category=source.get("category_name"),
                    source=source.get("source"),
                )
            )
        return related[:limit]

    def complete(self, text: str, limit: int = COMPLETIONS) -> list[Completion]:
        """Frequent title words and phrases starting with ``text``, as the embedded index
        gives them (:mod:`search.searching.complete`), from a table of the index's titles
        read once per reindex."""
        state = self._current()
        with self._lock:
            table = self._completions.get(state.stamp)
        if table is None:
            table = CompletionTable.from_titles(self._titles())
            with self._lock:
                self._completions = {state.stamp: table}
        return table.complete(text, limit)

    def _titles(self) -> list[str]:
        """Every article's title, scrolled through in pages."""
        try:
            return [
                hit["_source"].get("shown_title", "")
                for hit in helpers.scan(
                    self.client,
                    index=self.config.index,
                    query={"query": {"match_all": {}}},
                    _source=["shown_title"],
                )
            ]
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "reading the titles") from error

    def highlight_spec(self, text: str) -> MatchSpec:
        """What a query marks, for highlighting a whole article (as on its results page)."""
        compiled, _ = self._compile(text, self._current())
        return compiled.spec

    def category_names(self) -> dict[str, str]:
        """Every category's name as its articles write it (the commonest form), by key."""
        return dict(self._current().category_names)

    def stats(self) -> dict:
        """``{"documents", "last_indexed"}`` of the index being served."""
        state = self._current()
        try:
            count = self.client.count(index=self.config.index)["count"]
        except os_errors.OpenSearchException as error:
            raise cluster_error(self.config, error, "counting the articles") from error
        return {"documents": count, "last_indexed": state.last_indexed}

    def _current(self) -> _State:
        """The words of the index's latest stamp, looked at every :data:`REFRESH_SECONDS`."""
        with self._lock:
            now = time.monotonic()
            state = self._state
            if state is not None and now < self._checked + REFRESH_SECONDS:
                return state
            try:
                state = self._read_state(state)
            except HaberaraError:
                raise
            except os_errors.OpenSearchException as error:
                raise cluster_error(self.config, error, "reading the index") from error
            self._state, self._checked = state, now
            return state

    def _read_state(self, state: _State | None) -> _State:
        index = self.config.index
        mapping = self.client.indices.get_mapping(index=index)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        stamp = ("opensearch", self.config.urls, index, meta.get("stamp"))
        if state is not None and state.stamp == stamp:
            return state
        documents = self.client.count(index=index)["count"]
        counts = wordcounts.load(self.client, index, meta.get("stamp"))
        words = (
            wordcounts.by_field(counts) if counts is not None else read_words(self.client, index)
        )
        vocabulary = ClusterVocabulary(self.client, index, stamp, documents, words)
        newest = self._newest()
        return _State(stamp, meta.get("last_indexed"), vocabulary, newest, self._category_names())

    def _category_names(self) -> dict[str, str]:
        """Each category's commonest written form among up to :data:`NAME_SAMPLE` of its
        articles, by key (read once per index stamp)."""
        sample = {"top_hits": {"size": NAME_SAMPLE, "_source": ["category_name"]}}
        terms = {"field": "category", "size": FACET_VALUES}
        body = {"size": 0, "aggs": {"category": {"terms": terms, "aggs": {"written": sample}}}}
        answer = self.client.search(index=self.config.index, body=body)["aggregations"]
        names = {}
        for bucket in answer["category"]["buckets"]:
            forms = [
                hit["_source"].get("category_name") for hit in bucket["written"]["hits"]["hits"]
            ]
            names[bucket["key"]] = commonest(forms) or bucket["key"]
        return names

    def _newest(self) -> float:
        """The newest article date of the index, in ticks (0 when none is dated)."""
        body = {"size": 0, "aggs": {"newest": {"max": {"field": "date"}}}}
        newest = self.client.search(index=self.config.index, body=body)["aggregations"]["newest"]
        return ticks(_day(newest.get("value_as_string") if newest.get("value") else None))


def words_found_nowhere(
    compiled: CompiledQuery,
    count_any: Callable[[list[engine.Clause]], int],
    vocabulary: Vocabulary | None = None,
) -> frozenset[str]:
    """The typed words of ``compiled``'s groups that no article holds: a group one of whose
    forms the index's titles or bodies hold (its terms name no other), or a phrase each of
    whose words ``vocabulary`` holds (none of them is misspelt), is held, without asking;
    the cluster counts the others (``count_any(group)``), since their Snowball stem or the
    category and source words may still match. A query whose every word is indexed asks
    nothing."""

    def held(number: int) -> bool:
        group = compiled.groups[number]
        indexed = any(
            fieldname in TEXT_FIELDS
            for clause in group
            if isinstance(clause, engine.TermsClause)
            for fieldname, _, _ in clause.terms
        )
        spelt = vocabulary is not None and all(
            vocabulary.words(ascii_fold(word)) for word in compiled.words[number]
        )
        return indexed or spelt or count_any(group) > 0

    return compiled.words_found_nowhere(held)


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _index_missing(error: os_errors.NotFoundError) -> bool:
    info = error.info if isinstance(error.info, dict) else {}
    cause = info.get("error")
    return isinstance(cause, dict) and cause.get("type") == "index_not_found_exception"


def _hit(found: dict, compiled: CompiledQuery) -> SearchHit:
    source = found["_source"]
    spec = compiled.spec
    title, body = _shown(source)
    held = set(found.get("matched_queries", ()))
    missing = [
        label
        for number, label in enumerate(compiled.labels)
        if querydsl.group_name(number) not in held
    ]
    return SearchHit(
        id=source["id"],
        title=title,
        title_html=highlight(title, spec),
        title_derived=bool(source.get("title_derived")),
        date=source.get("date"),
        category=source.get("category_name"),
        source=source.get("source"),
        url=source.get("url"),
        score=round(float(found.get("_score") or 0.0), 4),
        snippet=snippet(body, spec),
        missing=missing,
    )


def _shown(source: dict) -> tuple[str, str]:
    """An article's title, and the body its snippet is taken from (see
    :func:`~search.searching.searcher.shown_body`)."""
    title = source.get("shown_title", "")
    return title, shown_body(source.get("body", ""), title, bool(source.get("title_derived")))


def _facet(name: str, aggregation: dict, state: _State) -> list[FacetCount]:
    names = state.category_names if name == "category" else {}
    facets = [
        FacetCount(str(b["key"]), int(b["doc_count"]), names.get(str(b["key"]), str(b["key"])))
        for b in aggregation["buckets"]
    ]
    if name == "year":
        return sorted(facets, key=lambda f: f.value, reverse=True)
    return sorted(facets, key=lambda f: (-f.count, f.value))


def _capped(compiled: CompiledQuery, vocabulary: ClusterVocabulary) -> CompiledQuery:
    """``compiled`` with each word's forms weighing no more than the word, as the embedded
    engine weighs them (:func:`~search.searching.engine.capped_boosts`)."""

    def capped(clause: engine.Clause) -> engine.Clause:
        if not isinstance(clause, engine.TermsClause) or not clause.word:
            return clause

        def frequency(number: int) -> int:
            fieldname, text, _ = clause.terms[number]
            return vocabulary.frequency(fieldname, text)

        boosts = engine.capped_boosts(clause, frequency, vocabulary.documents)
        terms = zip(clause.terms, boosts, strict=True)
        return engine.TermsClause(tuple((f, t, b) for (f, t, _), b in terms), clause.word)

    groups = [[capped(clause) for clause in group] for group in compiled.groups]
    return dataclasses.replace(compiled, groups=groups)
