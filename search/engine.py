"""BM25F scoring straight from whoosh's postings, with Python sets and dicts doing the joins.

whoosh evaluates ``AND`` of ``OR`` groups with a tree of pure-Python matchers that step
through postings one document at a time; with a Turkish word expanding to a dozen indexed
forms, that took 0.6 s per query on 43,000 articles. Here each term's postings are read a
block at a time into a ``{docnum: score}`` dict, a word's forms are summed, and the words
are intersected as sets, all in C-backed built-ins. A term's decoded postings are kept (up
to :data:`CACHE_POSTINGS`) for the life of the reader, so frequent words are read once.

Scores are BM25F: per field ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``,
times the field's and the form's boost, summed over fields and forms.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Query
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher as WhooshSearcher

from search.analysis import analyze
from search.schema import stored_body

K1 = 1.2
B = 0.75
#: Decoded postings kept per reader (8 bytes each), so frequent words are read once.
CACHE_POSTINGS = 4_000_000
#: Documents checked against the stored text for one quoted phrase, best first.
PHRASE_CHECKS = 2_000
#: Exponent on the share of query words a partial match holds (chosen on the eval sets).
COORD = 2.0

Scores = dict[int, float]
WeightedTerm = tuple[str, str, float]  # field, term, boost


@dataclass(frozen=True)
class TermsClause:
    """Any of these terms; a document's score is the sum over the terms it holds."""

    terms: tuple[WeightedTerm, ...]


@dataclass(frozen=True)
class QueryClause:
    """A whoosh query evaluated by whoosh itself (phrases, category terms)."""

    query: Query


@dataclass(frozen=True)
class PhraseClause:
    """These exact words, consecutive and in order, in any of the fields.

    The index keeps no word positions (decoding them made every query slower), so a
    phrase is found as the documents holding all its words, then checked against the
    stored text, best-scored first, at most :data:`PHRASE_CHECKS` documents.
    """

    words: tuple[str, ...]
    fields: tuple[tuple[str, float], ...]  # field, boost


Clause = TermsClause | QueryClause | PhraseClause


class _Leaf:
    """One index segment: its reader, docnum offset, deletions and field lengths."""

    def __init__(self, reader, offset: int) -> None:
        self.reader = reader
        self.offset = offset
        self.deleted = (
            frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d))
            if reader.has_deletions()
            else None
        )
        self._norms: dict[str, list[float]] = {}

    def norms(self, fieldname: str, average: float) -> list[float]:
        """``k1 * (1 - b + b * dl / avgdl)`` for every document of the segment."""
        if fieldname not in self._norms:
            length = self.reader.doc_field_length
            self._norms[fieldname] = [
                K1 * (1 - B + B * (length(docnum, fieldname) or 0) / average)
                for docnum in range(self.reader.doc_count_all())
            ]
        return self._norms[fieldname]


class Engine:
    """Scores clauses over one whoosh searcher (one index generation); not thread-safe."""

    def __init__(self, searcher: WhooshSearcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.documents = max(searcher.doc_count(), 1)
        self._leaves = [_Leaf(leaf, offset) for leaf, offset in self.reader.leaf_readers()]
        self._averages: dict[str, float] = {}
        self._cache: OrderedDict[tuple[str, str], tuple[array, array]] = OrderedDict()
        self._cached_postings = 0

    def clause_scores(self, clause: Clause) -> Scores:
        """``{docnum: score}`` of every live document the clause matches."""
        if isinstance(clause, QueryClause):
            results = self.searcher.search(clause.query, limit=None)
            return {docnum: score or 0.0 for docnum, score in results.items()}
        if isinstance(clause, PhraseClause):
            return self._phrase_scores(clause)
        scores: Scores = {}
        for fieldname, text, boost in clause.terms:
            self._add_term(scores, fieldname, text, boost)
        return scores

    def group_scores(self, groups: list[list[Clause]]) -> list[Scores]:
        """Each group's ``{docnum: score}`` (a group: any of its clauses)."""
        return [self._group_scores(group) for group in groups]

    def match(self, group_scores: list[Scores], excluded: list[Clause]) -> Scores:
        """Documents matching every group, scores summed, minus excluded."""
        ordered = sorted(group_scores, key=len)
        result: Scores = dict(ordered[0]) if ordered else {}
        for scores in ordered[1:]:
            result = {doc: score + scores[doc] for doc, score in result.items() if doc in scores}
            if not result:
                break
        return self._without(result, excluded)

    def match_any(self, group_scores: list[Scores], excluded: list[Clause]) -> Scores:
        """Documents matching at least one group: scores summed over the groups they match,
        times the square of the share of groups matched (so more of the words ranks higher;
        squared, a two-word match beats one very strong word, as the morphology set needs)."""
        result: Scores = {}
        matched: dict[int, int] = {}
        for scores in group_scores:
            for doc, score in scores.items():
                result[doc] = result.get(doc, 0.0) + score
                matched[doc] = matched.get(doc, 0) + 1
        share = 1 / len(group_scores) if group_scores else 1.0
        result = {doc: score * (matched[doc] * share) ** COORD for doc, score in result.items()}
        return self._without(result, excluded)

    def everything(self, excluded: list[Clause]) -> Scores:
        """Every live document, score 0 (for a query of exclusions only)."""
        return self._without(dict.fromkeys(self.reader.all_doc_ids(), 0.0), excluded)

    def _group_scores(self, group: list[Clause]) -> Scores:
        if len(group) == 1:
            return self.clause_scores(group[0])
        result: Scores = {}
        for clause in group:
            for doc, score in self.clause_scores(clause).items():
                result[doc] = result.get(doc, 0.0) + score
        return result

    def _without(self, scores: Scores, excluded: list[Clause]) -> Scores:
        for clause in excluded:
            for doc in self.clause_scores(clause):
                scores.pop(doc, None)
        return scores

    def _phrase_scores(self, clause: PhraseClause) -> Scores:
        result: Scores = {}
        for fieldname, boost in clause.fields:
            per_word = [
                self.clause_scores(TermsClause(((fieldname, word, boost),)))
                for word in clause.words
            ]
            per_word.sort(key=len)
            candidates = {
                doc: sum(scores[doc] for scores in per_word)
                for doc in per_word[0]
                if all(doc in scores for scores in per_word[1:])
            }
            best = heapq.nlargest(PHRASE_CHECKS, candidates.items(), key=lambda item: item[1])
            for doc, score in best:
                if _holds_phrase(self._stored_text(doc, fieldname), clause.words):
                    result[doc] = result.get(doc, 0.0) + score
        return result

    def _stored_text(self, docnum: int, fieldname: str) -> str:
        fields = self.searcher.stored_fields(docnum)
        return stored_body(fields) if fieldname == "body" else fields.get(fieldname, "")

    def _average_length(self, fieldname: str) -> float:
        if fieldname not in self._averages:
            total = self.reader.field_length(fieldname) or 0
            self._averages[fieldname] = max(total / self.documents, 1.0)
        return self._averages[fieldname]

    def _add_term(self, scores: Scores, fieldname: str, text: str, boost: float) -> None:
        docnums, base_scores = self._term_scores(fieldname, text)
        get = scores.get
        for docnum, score in zip(docnums, base_scores, strict=True):
            scores[docnum] = get(docnum, 0.0) + boost * score

    def _term_scores(self, fieldname: str, text: str) -> tuple[array, array]:
        """The term's live docnums and unboosted BM25F scores, cached per reader."""
        key = (fieldname, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        docnums, base_scores = array("i"), array("f")
        frequency = self.reader.doc_frequency(fieldname, text)
        if frequency:
            idf = math.log(1 + (self.documents - frequency + 0.5) / (frequency + 0.5))
            factor = idf * (K1 + 1)
            average = self._average_length(fieldname)
            for leaf in self._leaves:
                try:
                    matcher = leaf.reader.postings(fieldname, text)
                except TermNotFound:
                    continue
                norms = leaf.norms(fieldname, average)
                offset, deleted = leaf.offset, leaf.deleted
                for ids, weights in _posting_blocks(matcher):
                    for docnum, tf in zip(ids, weights, strict=True):
                        if deleted is None or docnum not in deleted:
                            docnums.append(docnum + offset)
                            base_scores.append(factor * tf / (tf + norms[docnum]))
        self._remember(key, (docnums, base_scores))
        return docnums, base_scores

    def _remember(self, key: tuple[str, str], value: tuple[array, array]) -> None:
        self._cache[key] = value
        self._cached_postings += len(value[0])
        while self._cached_postings > CACHE_POSTINGS and len(self._cache) > 1:
            _, (docnums, _) = self._cache.popitem(last=False)
            self._cached_postings -= len(docnums)


def _holds_phrase(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text``, analysed like the exact-form fields, has ``words`` in a row."""
    tokens = analyze(text, stop=False)
    width = len(words)
    first = words[0]
    return any(
        tokens[start : start + width] == list(words)
        for start, token in enumerate(tokens)
        if token == first
    )


def _posting_blocks(matcher) -> Iterator[tuple[Iterable[int], Iterable[float]]]:
    """A term's postings as ``(ids, weights)`` blocks, read a whole block at a time."""
    if isinstance(matcher, FilterMatcher):  # deletions: the caller skips them itself
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while not matcher._atend:
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():  # short postings kept inline in the term dictionary
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


def column_values(searcher: WhooshSearcher, fieldname: str) -> list:
    """A sortable field's raw column value (bytes or int; 0 or empty where the document
    has none) for every docnum of the searcher, in docnum order."""
    values: list = []
    for reader, offset in searcher.reader().leaf_readers():
        del values[offset:]
        if reader.has_column(fieldname):
            values.extend(reader.column_reader(fieldname, translate=False))
        else:
            values.extend([None] * reader.doc_count_all())
    return values
