"""haberara's compiled query (:mod:`search.searching.querybuild`) as OpenSearch query DSL.

A group (the reader's word, phrase or ``OR`` alternatives) is a ``bool`` of its clauses,
any of which matches, named ``g<i>`` so each hit tells which groups it holds. A word's
weighted terms are ``term`` queries (their scores add up, as in :mod:`search.searching.engine`); a
phrase is a ``match_phrase`` in each exact-form field.
"""

from __future__ import annotations

import datetime

from search.searching import engine
from search.searching.querybuild import CompiledQuery
from search.storage.schema import JOINED_FIELDS, category_key

MATCH_NONE: dict = {"match_none": {}}


def group_name(number: int) -> str:
    return f"g{number}"


def clause_query(clause: engine.Clause) -> dict:
    """One compiled clause as a query."""
    if isinstance(clause, engine.TermsClause):
        terms = [
            {"term": {field: {"value": term, "boost": boost}}}
            for field, term, boost in clause.terms
        ]
        return _any(terms)
    if isinstance(clause, engine.PhraseClause):
        return _any([_phrase_query(clause, field, boost) for field, boost in clause.fields])
    query = clause.query  # a whoosh term: a category
    return {"term": {query.fieldname: query.text}}


def _phrase_query(clause: engine.PhraseClause, field: str, boost: float) -> dict:
    """The phrase in ``field``: a ``match_phrase``, or, when a word stands for several
    spellings, the intervals of one of them each, in order and side by side; of a word
    written as one (``F-16``), only where the field's joined words hold it, as the embedded
    index finds it."""
    query = _phrase_in(clause, field, boost)
    if not clause.joined:
        return query
    written = {"terms": {JOINED_FIELDS[field]: list(clause.joined)}}
    return {"bool": {"must": [query], "filter": [written]}}


def _phrase_in(clause: engine.PhraseClause, field: str, boost: float) -> dict:
    forms = clause.forms()
    if all(len(held) == 1 for held in forms):
        return {"match_phrase": {field: {"query": " ".join(clause.words), "boost": boost}}}
    rules = [
        {"any_of": {"intervals": [{"match": {"query": form}} for form in held]}} for held in forms
    ]
    intervals = {
        "intervals": {field: {"all_of": {"ordered": True, "max_gaps": 0, "intervals": rules}}}
    }
    return {"bool": {"must": [intervals], "boost": boost}}


def _any(queries: list[dict]) -> dict:
    if not queries:
        return MATCH_NONE
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def group_queries(compiled: CompiledQuery) -> list[dict]:
    """Each group as a named query."""
    named = []
    for number, group in enumerate(compiled.groups):
        named.append(
            {
                "bool": {
                    "should": [clause_query(clause) for clause in group],
                    "minimum_should_match": 1,
                    "_name": group_name(number),
                }
            }
        )
    return named


def matching(compiled: CompiledQuery, filters: list[dict], minimum: int | None = None) -> dict:
    """Articles holding every group (``minimum`` None) or at least ``minimum`` of them,
    none of the excluded clauses, and passing ``filters`` and the required groups (the
    query's ``category:`` words)."""
    groups = group_queries(compiled)
    required = [_any([clause_query(clause) for clause in group]) for group in compiled.required]
    query: dict = {
        "filter": [*filters, *required],
        "must_not": [clause_query(c) for c in compiled.excluded],
    }
    if not groups:
        query["must"] = [{"match_all": {}}]
    elif minimum is None:
        query["must"] = groups
    else:
        query["should"] = groups
        query["minimum_should_match"] = minimum
    return {"bool": query}


def filter_queries(
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    categories: tuple[str, ...] | list[str],
) -> list[dict]:
    """The date and category filters."""
    filters: list[dict] = []
    if date_from or date_to:
        bounds = {}
        if date_from:
            bounds["gte"] = date_from.isoformat()
        if date_to:
            bounds["lte"] = date_to.isoformat()
        filters.append({"range": {"date": bounds}})
    keys = [category_key(c) for c in categories if c and c.strip()]
    if keys:
        filters.append({"terms": {"category": keys}})
    return filters
