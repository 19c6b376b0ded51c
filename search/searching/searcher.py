"""Ranked search over the index: the one entry point the CLI and the web app share."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh import query as wq

from search.articles import web_url
from search.errors import BadParameter, HaberaraError
from search.searching import budget
from search.searching.complete import (
    COMPLETIONS,
    Completion,
    CompletionTable,
    LatestTable,
    read_titles,
)
from search.searching.engine import Engine, Matches, among_best
from search.searching.highlight import highlight, highlight_all, snippet
from search.searching.query import parse_query, short_prefixes
from search.searching.querybuild import (
    MatchedQuery,
    MatchSpec,
    compile_query,
    match_query,
)
from search.searching.related import RELATED, distinctive_terms, rank_related
from search.searching.rerank import (
    WINDOW,
    Freshness,
    group_forms,
    ranked_marks,
    second_stage,
)
from search.searching.results import (
    FacetCount,
    HighlightedArticle,
    RelatedArticle,
    SearchHit,
    SearchPage,
    StoredArticle,
)
from search.searching.suggest import answer_or_correct, suggest
from search.searching.vocabulary import Vocabulary
from search.shared import SharedCache
from search.storage import store
from search.storage.integrity import check_readable
from search.storage.reading import column_values, text_value
from search.storage.schema import (
    SCORED_FIELDS,
    category_key,
    stored_body,
)
from search.text.dictionary import dictionary_words, name_words
from search.text.morphology import suffix_chains

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
SORTS = ("relevance", "date")
REFRESH_SECONDS = 0.5
FACETS = ("category", "year")
#: A category's name is the commonest way this many of its articles, spread over the index,
#: write it (30 categories of 3,000 articles: 50 ms, once per reader).
NAME_SAMPLE = 64
RELATED_FIELD = "stem"


def mark_article(
    found: StoredArticle, query: str, spec_of: Callable[[str], MatchSpec]
) -> HighlightedArticle:
    """``found`` with the words of ``query`` marked in its title and paragraphs (escaped
    HTML; ``spec_of`` gives what a query marks). A query too long to search marks nothing,
    and a very long article is marked by one request at a time."""
    too_long = len(query) > MAX_QUERY_LENGTH
    spec = spec_of(query) if query.strip() and not too_long else MatchSpec()
    costly = len(found.body) > LONG_ARTICLE_CHARS
    shown = _page_body(found.body)
    with budget.heavy_request() if costly else contextlib.nullcontext():
        return HighlightedArticle(
            article=found,
            title_html=highlight(found.title, spec),
            paragraphs_html=highlight_all(shown.split("\n\n"), spec),
            left_out_chars=len(found.body) - len(shown),
        )


def _page_body(body: str) -> str:
    """What a page shows of ``body``: all of it, or its first :data:`PAGE_BODY_CHARS`
    cut before a space where there is one."""
    if len(body) <= PAGE_BODY_CHARS:
        return body
    cut = body.rfind(" ", PAGE_BODY_CHARS // 2, PAGE_BODY_CHARS)
    return body[: cut if cut > 0 else PAGE_BODY_CHARS]


def parse_date(value: str | None, parameter: str) -> datetime.date | None:
    """``YYYY-MM-DD`` or empty; anything else is a :class:`BadParameter`."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        if ISO_DATE.fullmatch(value):
            message = f"{parameter} is no day of the calendar, got {value!r}"
        else:
            message = f"{parameter} must be a date written YYYY-MM-DD, got {value!r}"
        raise BadParameter(parameter, message) from None


#: How the API writes a date (``datetime.date.fromisoformat`` takes more shapes).
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Asked(NamedTuple):
    """One search's parameters, checked (the key of its kept page, with the reader's)."""

    text: str
    page: int
    per_page: int
    sort: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    categories: tuple[str, ...]
    as_typed: bool


class _Ranked(NamedTuple):
    """One text's matches ranked: what was searched, its matches and the page's hits."""

    text: str
    found: MatchedQuery
    docnums: np.ndarray
    total: int
    hits: list[SearchHit]


#: Reads of one request, each on the commit current when it starts (see :func:`_reading`).
READ_ATTEMPTS = 5


def _reading(method):
    """Turn any failure while reading the index (a damaged segment) into IndexCorrupt.

    A reader whose commit a reindex has replaced may fail for want of files the reindex
    removed (a reindex deletes the segments it merged at once, and a reader opens a segment's
    stored fields when it first needs them): such a failure is retried on the current
    commit instead, again while reindexes keep replacing it, :data:`READ_ATTEMPTS` times
    in all.
    """

    @functools.wraps(method)
    def wrapper(self: Searcher, *args, **kwargs):
        try:
            for attempt in range(1, READ_ATTEMPTS + 1):
                try:
                    return method(self, *args, **kwargs)
                except HaberaraError:
                    raise
                except Exception:
                    if attempt == READ_ATTEMPTS or not self._superseded():
                        raise
                    self._local.state = None  # a newer commit: read that one
            raise AssertionError("unreachable")
        except HaberaraError:
            raise
        except Exception as error:
            log.exception("reading the index in %s failed", self.index_dir)
            self._local.state = None  # reopen on the next request
            raise store.corrupt(self.index_dir, f"{type(error).__name__}: {error}") from error

    return wrapper


class Searcher:
    """Searches one index folder; sees a new commit within :data:`REFRESH_SECONDS`.

    Thread-safe: each thread keeps its own whoosh searcher, reopened when the index changes.
    """

    def __init__(
        self,
        index_dir: Path,
        *,
        cache_pages: bool = True,
        freshness: Freshness | None = Freshness(),  # noqa: B008 - frozen, shared safely
        proximity: bool = True,
    ) -> None:
        """``freshness``: the recency prior of relevance ranking (see
        :class:`~search.searching.rerank.Freshness`), None for none; ``proximity``: whether the
        best candidates are rescored by how closely they hold the query's words."""
        self.index_dir = Path(index_dir)
        self.cache_pages = cache_pages
        self.freshness = freshness
        self.proximity = proximity
        self._local = threading.local()
        self._completions = LatestTable()  # the newest reader's, shared by every thread
        store.open_index(self.index_dir).close()  # fail now, with a clear message

    @_reading
    def search(
        self,
        text: str,
        *,
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        sort: str = "relevance",
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
        categories: tuple[str, ...] | list[str] = (),
        as_typed: bool = False,
    ) -> SearchPage:
        """Rank articles for ``text``; invalid parameters raise :class:`BadParameter`.

        When ``text`` finds nothing and its spelling suggestion finds articles, the page
        holds the suggestion's results and ``corrected`` names it; ``as_typed`` searches
        the words as typed all the same.

        A page is kept (:data:`PAGES_CACHED_CHARS`) for the commit it was ranked on, so the
        same search asked again answers at once until a reindex changes the index; the
        threads of a process share the kept pages, and one of them ranks a page that
        several ask for at the same time while the others wait for it."""
        _check_parameters(text, page, per_page, sort, date_from, date_to)
        started = time.perf_counter()
        state = self._current()
        categories = tuple(sorted(categories))
        asked = _Asked(text, page, per_page, sort, date_from, date_to, categories, as_typed)

        def ranked_page() -> SearchPage:
            if not _is_heavy(text):
                return self._ranked_page(state, asked)
            with budget.heavy_request():
                return self._ranked_page(state, asked)

        if not self.cache_pages:
            return ranked_page()
        key = (state.engine.key, self.freshness, self.proximity, asked)
        kept = _pages.get(key, ranked_page)
        if budget.was_cut():  # ranked without its optional work: rank it again next time
            _pages.forget(key)
        return dataclasses.replace(
            kept,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            results=list(kept.results),
            phrases_not_found=list(kept.phrases_not_found),
            short_prefixes=list(kept.short_prefixes),
            facets={name: list(counts) for name, counts in kept.facets.items()},
        )

    def _ranked_page(self, state: _ReaderState, asked: _Asked) -> SearchPage:
        """One page for ``asked``; when its words find nothing and the suggestion finds
        articles, the suggestion's page, ``corrected`` saying so (unless the reader asked
        for the words as typed, ``as_typed``). A page of results has a suggestion too when
        a word of it is in no article (:meth:`MatchedQuery.words_found_nowhere`)."""
        started = time.perf_counter()
        ranked, suggestion, corrected = answer_or_correct(
            asked.text,
            lambda text: self._ranked(state, asked, text),
            lambda ranked: ranked.total,
            lambda text, only: suggestion_when_allowed(text, state.vocabulary, only),
            lambda ranked: ranked.found.words_found_nowhere(),
            asked.as_typed,
        )
        return SearchPage(
            query=asked.text,
            total=ranked.total,
            page=asked.page,
            per_page=asked.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            results=ranked.hits,
            suggestion=suggestion,
            facets={name: state.facet(name, ranked.docnums) for name in FACETS},
            relaxed=ranked.found.relaxed,
            phrases_not_found=ranked.found.phrases_not_found,
            corrected=corrected,
            short_prefixes=short_prefixes(asked.text),
            total_at_least=ranked.found.matches.uncounted,
        )

    def _ranked(self, state: _ReaderState, asked: _Asked, text: str) -> _Ranked:
        """``text`` matched, filtered and ranked as ``asked``, with the page's hits."""
        found = match_query(parse_query(text), state.vocabulary, state.engine)
        matches = found.matches
        allowed = state.allowed(asked.date_from, asked.date_to, asked.categories)
        if allowed is not None:
            matches.keep(allowed)
        docnums = matches.docnums()
        limit = asked.page * asked.per_page
        proximity = group_forms(found.compiled.groups) if self.proximity else None
        stored: dict[int, dict] = {}
        complete = None
        if asked.sort == "date" and len(found.groups) > 1:  # newest first, full matches first
            complete = np.logical_and.reduce([group.hit for group in found.groups])
        ranked = state.rank(
            matches,
            docnums,
            asked.sort,
            limit,
            self.freshness,
            proximity,
            stored,
            complete,
            found.compiled.spec,
        )
        hits = [
            _hit(state.searcher, docnum, score, found, stored.get(docnum))
            for docnum, score in ranked[(asked.page - 1) * asked.per_page :]
        ]
        return _Ranked(text, found, docnums, len(docnums), hits)

    @staticmethod
    def read_word_lists() -> None:
        """Read the word lists every search may consult (once per process): the suffix
        chains, and the dictionary's words, names and common words."""
        suffix_chains()
        dictionary_words()  # (the names and common words are read with them)
        name_words()

    @_reading
    def warm_up(self) -> None:
        """Read now what the first searches would otherwise wait for: the segments' word
        lists, field lengths, dates, ids and facet columns (a few seconds on a large
        archive), the words spelling suggestions weigh, the suffix chains and the
        dictionary's word lists, shared by the threads that serve afterwards; and the
        completion table, from every title (7 s at 217,600 articles). Built on a thread of
        its own beside the first searches, the table's passing words were left scattered
        among what the searches keep, and a worker held over 100 MB more for good. This thread
        keeps no reader of its own."""
        self.read_word_lists()
        state = self._current()
        for fieldname in SCORED_FIELDS:
            state.engine.data.norms(fieldname)
        state.read_columns()
        state.vocabulary.segment_near_words()
        self._completions.get(state.engine.key, self._completion_table)
        self._local.state = None

    def article(self, article_id: str) -> StoredArticle | None:
        """The stored article with this id, or None. A very long article is read by one
        costly request at a time (:func:`~search.searching.budget.heavy_request`)."""
        with self._turn_for(article_id):
            return self._stored_article(article_id)

    @_reading
    def _stored_article(self, article_id: str) -> StoredArticle | None:
        fields = self._current().searcher.document(id=article_id)
        if fields is None:
            return None
        return StoredArticle(
            id=fields["id"],
            title=fields.get("title", ""),
            title_derived=bool(fields.get("title_derived")),
            date=_iso(fields.get("date")),
            category=fields.get("category_name"),
            source=fields.get("source"),
            url=web_url(fields.get("url")),
            body=stored_body(fields),
        )

    def highlighted_article(self, article_id: str, query: str = "") -> HighlightedArticle | None:
        """The stored article with the words of ``query`` marked in its title and
        paragraphs (escaped HTML), or None. A query too long to search marks nothing."""
        with self._turn_for(article_id):
            found = self.article(article_id)
            return None if found is None else mark_article(found, query, self.highlight_spec)

    def _turn_for(self, article_id: str) -> contextlib.AbstractContextManager:
        """A costly request's turn when the article is very long, known from its length in
        words before its text is read (a 5 MB article takes tens of MB to read and mark);
        otherwise nothing."""
        if self._article_words(article_id) > LONG_ARTICLE_WORDS:
            return budget.heavy_request()
        return contextlib.nullcontext()

    @_reading
    def _article_words(self, article_id: str) -> int:
        """The article's body length in words as the index keeps it (to about a tenth),
        0 when there is no such article."""
        searcher = self._current().searcher
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return 0
        return searcher.reader().doc_field_length(docnum, "body", 0)

    @_reading
    def complete(self, text: str, limit: int = COMPLETIONS) -> list[Completion]:
        """Frequent title words and phrases starting with ``text`` (any case, Turkish
        letters or not: ``kirg`` -> ``Kırgızistan``), most frequent first; see
        :mod:`search.searching.complete`. The table is built from the titles (seconds on a
        large archive) by :meth:`warm_up`, or else by the first call. After a reindex the
        previous table answers while a thread builds the new one."""
        key = self._current().engine.key
        return self._completions.get(key, self._completion_table).complete(text, limit)

    def _completion_table(self) -> CompletionTable:
        """A completion table of the current commit, read through a reader of its own (it
        may be built on a thread of its own, beside this one's searches)."""
        searcher = store.open_index(self.index_dir).searcher()
        try:
            return CompletionTable.from_titles(read_titles(searcher.reader()))
        finally:
            searcher.close()

    @_reading
    def related(self, article_id: str, limit: int = RELATED) -> list[RelatedArticle]:
        """Up to ``limit`` articles most like this one, from its most distinctive words,
        newer first among near-equal scores (see :mod:`search.searching.related`); empty for an
        unknown id. An article with the same title (a copy) is not given. Of a very long
        article, the first :data:`RELATED_BODY_CHARS` of its body are read."""
        state = self._current()
        docnum = state.searcher.document_number(id=article_id)
        if docnum is None:
            return []
        with self._turn_for(article_id):
            fields = state.searcher.stored_fields(docnum)
        reader, title = state.engine.reader, fields.get("title", "")
        terms = distinctive_terms(
            title,
            stored_body(fields)[:RELATED_BODY_CHARS],
            state.engine.data.documents,
            lambda term: reader.doc_frequency(RELATED_FIELD, term),
        )
        scores = np.zeros(state.engine.size)
        wanted = [(RELATED_FIELD, term) for term, _ in terms]
        postings = state.engine.data.postings_many(reader, wanted)
        for (docs, values), (_, weight) in zip(postings, terms, strict=True):
            scores[docs] += values * weight
        ranked = rank_related(scores, state.dates(), state.id_order(), [docnum], limit * 3)
        found: list[RelatedArticle] = []
        for other in ranked:
            stored = state.searcher.stored_fields(other)
            if stored.get("title", "") == title:
                continue
            found.append(
                RelatedArticle(
                    id=stored["id"],
                    title=stored.get("title", ""),
                    date=_iso(stored.get("date")),
                    category=stored.get("category_name"),
                    source=stored.get("source"),
                )
            )
        return found[:limit]

    @_reading
    def highlight_spec(self, text: str) -> MatchSpec:
        """What a query marks, for highlighting a whole article: as on its results page,
        where a quoted phrase no article holds was searched as its words."""
        state, parsed = self._current(), parse_query(text)
        if any(clause.as_phrase() for clause in parsed.clauses):
            return match_query(parsed, state.vocabulary, state.engine).compiled.spec
        return compile_query(parsed, state.vocabulary).spec

    @_reading
    def category_names(self) -> dict[str, str]:
        """Every category's name as its articles write it (the commonest form), by the key
        it is filtered by: ``{"dis haberler": "Dış Haberler"}``."""
        column = self._current().facet_column("category")
        return {
            value: name for value, name in zip(column.values, column.names, strict=True) if value
        }

    @_reading
    def stats(self) -> dict:
        """``{"documents", "last_indexed"}`` of the index being served, once samples of
        what a search reads were read (:func:`~search.storage.integrity.check_readable`): a health
        check that answers is one a search would pass too."""
        state = self._current()
        searcher = state.searcher
        check_readable(searcher.reader())
        state.read_columns()  # read whole by every search (kept once read)
        return {"documents": searcher.doc_count(), "last_indexed": self._last_indexed()}

    def _last_indexed(self) -> str | None:
        generation = store.current_generation(self.index_dir)
        tocs = store.commit_files(generation) if generation else []
        if not tocs:
            return None
        stamp = max(path.stat().st_mtime for path in tocs)
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC).isoformat(timespec="seconds")

    def _superseded(self) -> bool:
        """Whether this thread's reader is of a commit or generation no longer current."""
        state: _ReaderState | None = getattr(self._local, "state", None)
        if state is None:
            return False
        try:
            current = store.current_generation(self.index_dir) == state.generation
            return not (current and state.searcher.up_to_date())
        except Exception:  # noqa: BLE001 - unreadable now: not a reason to retry
            return False

    def _current(self) -> _ReaderState:
        """This thread's reader state, reopened when a reindex committed or swapped."""
        local = self._local
        state: _ReaderState | None = getattr(local, "state", None)
        now = time.monotonic()
        if state is not None and now < local.checked + REFRESH_SECONDS:
            return state
        local.checked = now
        generation = store.current_generation(self.index_dir)
        if state is not None and generation == state.generation:
            if state.searcher.up_to_date():
                return state
            fresh = state.searcher.refresh()
        else:
            if state is not None:
                state.searcher.close()
            fresh = store.open_index(self.index_dir).searcher()
        local.state = _ReaderState(generation, fresh)
        return local.state


class _ReaderState:
    """Everything derived from one open index generation and commit."""

    def __init__(self, generation: Path | None, searcher) -> None:
        self.generation = generation
        self.searcher = searcher
        self.vocabulary = Vocabulary(searcher.reader(), generation)
        self.engine = Engine(searcher, generation)
        self._filters: dict[tuple, np.ndarray] = {}

    def read_columns(self) -> None:
        """Read the columns every search reads whole (kept, shared by the threads)."""
        self.dates()
        self.id_order()
        for name in FACETS:
            self.facet_column(name)

    def dates(self) -> np.ndarray:
        """Each document's date column value (0 where it has none), as a float: whoosh's
        unsigned 64-bit ticks lose only microseconds, and articles are dated by the day.

        whoosh fills the date of an article without one with the column's default, the
        largest value: read as a date, it put undated articles first among the newest.
        """
        missing = self.searcher.schema["date"].column_type.default_value()

        def read() -> np.ndarray:
            values = column_values(self.searcher, "date")
            return np.array(
                [float(value) if value and value != missing else 0.0 for value in values],
                np.float64,
            )

        return _columns.get((self.engine.key, "date"), read)

    def allowed(
        self,
        date_from: datetime.date | None,
        date_to: datetime.date | None,
        categories: tuple[str, ...] | list[str],
    ) -> np.ndarray | None:
        """Which documents pass the date and category filters; None when there are none."""
        query = _filter(date_from, date_to, categories)
        if query is None:
            return None
        key = (date_from, date_to, tuple(sorted(categories)))
        if key not in self._filters:
            if len(self._filters) > 256:
                self._filters.clear()
            mask = np.zeros(self.engine.size, bool)
            mask[np.fromiter(self.searcher.docs_for_query(query), np.int64)] = True
            self._filters[key] = mask
        return self._filters[key]

    def id_order(self) -> np.ndarray:
        """Each document's place among the article ids in sorted order: equal scores are
        ordered by article id, the same whichever segment or docnum a build gave them."""

        def read() -> np.ndarray:
            ids = [text_value(value) for value in column_values(self.searcher, "id")]
            order = np.empty(len(ids), np.int64)
            order[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
            return order

        return _columns.get((self.engine.key, "id"), read)

    def rank(
        self,
        matches: Matches,
        docnums: np.ndarray,
        sort: str,
        limit: int,
        freshness: Freshness | None = None,
        proximity: list[frozenset[str]] | None = None,
        stored: dict[int, dict] | None = None,
        complete: np.ndarray | None = None,
        spec: MatchSpec | None = None,
    ) -> list[tuple[int, float]]:
        """The best ``limit`` of ``docnums`` (the matched docnums, ascending) with their
        scores, by score or newest first; ties go to the higher score, then the article id.
        By relevance, the first stage keeps its best :data:`~search.searching.rerank.WINDOW`
        and the second stage (:mod:`search.searching.rerank`) rescores those, finding the
        ``proximity`` word groups with ``spec``. By date, the documents ``complete`` marks
        (those holding every word) come before the others."""
        proximity = proximity if proximity and len(proximity) > 1 and spec else None
        if sort == "date" or (freshness is None and proximity is None):
            return self._top(matches, docnums, sort, limit, complete)
        first = self._top(matches, docnums, sort, max(limit, WINDOW))
        head = np.array([docnum for docnum, _ in first[:WINDOW]], np.int64)
        scores = np.array([score for _, score in first[:WINDOW]], np.float64)
        stored = {} if stored is None else stored
        scores = second_stage(
            scores,
            self.dates()[head],
            self.newest(),
            freshness,
            proximity,
            lambda i: self._ranked_marks(int(head[i]), stored, spec),
        )
        order = np.lexsort((self.id_order()[head], -scores))
        rescored = list(zip(head[order].tolist(), scores[order].tolist(), strict=True))
        return [*rescored, *first[WINDOW:]][:limit]

    def _ranked_marks(
        self, docnum: int, stored: dict[int, dict], spec: MatchSpec
    ) -> list[tuple[int, str]]:
        """The query's words in an article's title and lead (see
        :func:`~search.searching.rerank.ranked_marks`); its stored fields are kept in
        ``stored`` for its hit."""
        fields = stored[docnum] = self.searcher.stored_fields(docnum)
        return ranked_marks(*_shown(fields), spec)

    def _top(
        self,
        matches: Matches,
        docnums: np.ndarray,
        sort: str,
        limit: int,
        complete: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The first stage: the best ``limit`` by score (or date) with their scores, ties
        by article id.

        By score, every match's summed score comes from one pass over the query's
        postings (a search reads them all anyway for its exact count and facets; skipping
        the matches that cannot reach the page, MaxScore, cost more than that pass at one
        and five times the news archive); a partial match's share of the query is worked
        out only where the sum can reach the page (:meth:`Matches.best`)."""
        if not len(docnums):
            return []
        if sort == "date":
            primary = self.dates()[docnums]
            if complete is not None:  # after the newest date: before every other match
                primary = np.where(complete[docnums], primary + self.newest() + 1.0, primary)
            kept = among_best(primary, limit)
            docnums, primary = docnums[kept], primary[kept]
            scores = matches.scores_of(docnums)
        else:
            docnums, scores = matches.best(docnums, limit)
            primary = scores
        order = np.lexsort((self.id_order()[docnums], -scores, -primary))[:limit]
        return list(zip(docnums[order].tolist(), scores[order].tolist(), strict=True))

    def newest(self) -> float:
        """The newest article date of the reader (ticks; 0 when none is dated)."""
        return _columns.get((self.engine.key, "newest"), lambda: float(self.dates().max(initial=0)))

    def facet(self, name: str, docnums: np.ndarray) -> list[FacetCount]:
        """Counts of each value of the ``name`` column among ``docnums``."""
        column = self.facet_column(name)
        counts = np.bincount(column.codes[docnums], minlength=len(column.values))
        facets = [
            FacetCount(value, int(count), written)
            for value, written, count in zip(
                column.values, column.names, counts.tolist(), strict=True
            )
            if count and value
        ]
        if name == "year":
            return sorted(facets, key=lambda f: f.value, reverse=True)
        return sorted(facets, key=lambda f: (-f.count, f.value))

    def facet_column(self, name: str) -> FacetColumn:
        """The ``name`` column as small integer codes per document, each code's value and
        its name as the articles write it (read once per reader, shared by the threads)."""

        def read() -> FacetColumn:
            codes, values = _codes(column_values(self.searcher, name))
            if name != "category":
                return FacetColumn(codes, values, values)
            return FacetColumn(codes, values, _written_names(self.searcher, codes, values))

        return _columns.get((self.engine.key, name), read)


class FacetColumn(NamedTuple):
    """A facet's column: each document's code, each code's value and written name."""

    codes: np.ndarray
    values: list[str]
    names: list[str]


def _written_names(searcher, codes: np.ndarray, keys: list[str]) -> list[str]:
    """Each category's commonest written form among up to :data:`NAME_SAMPLE` of its
    articles (the stored ``category_name``); a category key is filtered and counted
    folded (``dis haberler``), but shown as written (``Dış Haberler``)."""
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    names = []
    for code, key in enumerate(keys):
        docnums = order[bounds[code] : bounds[code + 1]]
        if not key or not len(docnums):
            names.append(key)
            continue
        picked = np.linspace(0, len(docnums) - 1, min(len(docnums), NAME_SAMPLE)).astype(int)
        forms = [searcher.stored_fields(int(docnums[i])).get("category_name") for i in picked]
        names.append(commonest(forms) or key)
    return names


def commonest(forms: list[str | None]) -> str | None:
    """The form given most often (the first of those tied), None when there is none.

    >>> commonest(["İÇ HABERLER", "İç Haberler", "İç Haberler", None])
    'İç Haberler'
    """
    counts = Counter(form for form in forms if form)
    return max(counts, key=counts.__getitem__) if counts else None


#: Column values per open reader (dates, ids, facet codes), shared by every thread: those
#: of the two readers in use (a reindex every few seconds left 16 of them, mostly stale).
_columns = SharedCache(8)
#: Result pages kept per process, by the characters of their text (about 4 MB in all).
PAGES_CACHED_CHARS = 2_000_000


def _page_chars(page: SearchPage) -> int:
    return 200 + sum(len(hit.snippet) + len(hit.title_html) + 200 for hit in page.results)


#: Result pages by (open reader, what was asked), shared by every thread.
_pages = SharedCache(PAGES_CACHED_CHARS, weight=_page_chars)


#: An article longer than this makes a costly page (see
#: :func:`search.searching.budget.heavy_request`).
LONG_ARTICLE_CHARS = 200_000
#: The same in words, which the index keeps for each article (news prose: ~8 characters a word).
LONG_ARTICLE_WORDS = 25_000
#: An article's page shows at most this much of its body (a long feature is ~30,000
#: characters; the API gives the whole text).
PAGE_BODY_CHARS = 200_000
#: Related articles are found from the words of this much of an article's body (what it
#: is about is in its first pages; 3 of the archive's 43,520 articles are longer).
RELATED_BODY_CHARS = 30_000
#: A query with more words than this, or more prefixes or quoted phrases, is costly (see
#: the same): a question or a pasted headline is not, 60 words or 69 prefixes are.
LIGHT_QUERY_WORDS = 24
LIGHT_QUERY_PATTERNS = 2


def _is_heavy(text: str) -> bool:
    """Whether a search costs more than a plain one: very many words, prefixes or phrases."""
    clauses = parse_query(text).clauses
    patterns = sum(1 for clause in clauses if clause.prefix or clause.phrase)
    return len(clauses) > LIGHT_QUERY_WORDS or patterns > LIGHT_QUERY_PATTERNS


def suggestion_when_allowed(
    text: str, vocabulary: Vocabulary, only: Collection[str] | None = None
) -> str | None:
    """:func:`~search.searching.suggest.suggest`, when this request may do costly work now
    (either backend: the words are looked up in this process)."""
    with budget.costly_work() as allowed:
        return suggest(text, vocabulary, only) if allowed else None


def _codes(values: list) -> tuple[np.ndarray, list[str]]:
    """A column as small integer codes, and the text label of each code."""
    index: dict[str, int] = {}
    codes = np.array(
        [index.setdefault(text_value(value), len(index)) for value in values], np.int32
    )
    return codes, list(index)


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


def _hit(
    searcher, docnum: int, score: float, found: MatchedQuery, fields: dict | None = None
) -> SearchHit:
    spec = found.compiled.spec
    fields = fields or searcher.stored_fields(docnum)
    title, body = _shown(fields)
    return SearchHit(
        id=fields["id"],
        title=title,
        title_html=highlight(title, spec),
        title_derived=bool(fields.get("title_derived")),
        date=_iso(fields.get("date")),
        category=fields.get("category_name"),
        source=fields.get("source"),
        url=web_url(fields.get("url")),
        score=round(score, 4),
        snippet=snippet(body, spec),
        missing=found.missing(docnum),
    )


def _shown(fields: dict) -> tuple[str, str]:
    """An article's stored title, and the body its snippet is taken from."""
    title = fields.get("title", "")
    return title, shown_body(stored_body(fields), title, bool(fields.get("title_derived")))


def shown_body(body: str, title: str, title_derived: bool) -> str:
    """The body a snippet is taken from: without the first sentence when the title was
    taken from it (:func:`after_title`)."""
    return after_title(body, title) if title_derived else body


def after_title(body: str, title: str) -> str:
    """The body without the first sentence its title was taken from, so a snippet does
    not say it twice; the whole body when nothing follows it.

    >>> after_title("Sel oldu. Köprü yıkıldı.", "Sel oldu")
    'Köprü yıkıldı.'
    """
    lead = title.removesuffix("…")
    if not lead or not body.startswith(lead):
        return body
    rest = body[len(lead) :].lstrip(" .!?…\n")
    return rest if rest else body


def _iso(value) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime.datetime) else None
