"""The index settings, mapping and documents: :mod:`search.text.analysis` rebuilt from
OpenSearch's own analysis (the ``analysis-common`` plugin's filters).

- ``haberara_exact``: the words as the pattern of :data:`~search.text.analysis.WORD_PATTERN`
  finds them, ``apostrophe`` (``Bişkek'teki`` -> ``Bişkek``), Turkish ``lowercase``
  (``I`` -> ``ı``, ``İ`` -> ``i``), a listed abbreviation as its name (``G.Saray`` ->
  ``galatasaray``, ``pattern_replace``); stop words kept. The ``title``, ``body`` and ``meta``
  fields.
- ``haberara_folded``: the same, then ``asciifolding`` (``bişkek`` -> ``biskek``): the
  ``.folded`` sub-fields.
- ``haberara_stem``: the exact chain, Turkish stop words, ``snowball`` Turkish: the
  ``stem`` field (title and body copied into it).

Each article also carries its title's and body's words written as one with a hyphen or a
dot (``title_joined``, ``body_joined``: ``F-16`` as ``f16``,
:func:`~search.text.analysis.joined_forms`), the index's own joined words, and its
title's and body's distinct exact forms as keywords
(``title_words``, ``body_words``): the searcher reads the cluster's vocabulary from them
with one aggregation, right after every reindex and deletion (see
:mod:`search.opensearch.vocabulary`).
"""

from __future__ import annotations

from search.articles import Article
from search.storage.schema import JOINED_FIELDS, category_key, ranked_title
from search.text import abbreviations
from search.text.analysis import (
    APOSTROPHES,
    WORD_PATTERN,
    exact_forms,
    joined_forms,
    stopwords,
)

#: Bump when the settings, mapping or documents change: a reindex then rebuilds the index.
MAPPING_VERSION = 4
DEFAULT_SHARDS = 3
DEFAULT_REPLICAS = 1
#: Deepest result a page may reach (OpenSearch's default is 10,000).
MAX_RESULT_WINDOW = 100_000

#: Longer words are left out of the index: Lucene refuses a document holding a term of
#: more than 32,766 bytes.
LONGEST_WORD = 2_000
#: Listed abbreviations as their names (``g.saray`` -> ``galatasaray``), as the analysis does.
_ABBREVIATIONS = {
    f"abbreviation_{number}": {"type": "pattern_replace", "pattern": pattern, "replacement": name}
    for number, (pattern, name) in enumerate(abbreviations.replacements())
}
_EXACT_FILTERS = ["apostrophe", "turkish_lowercase", *_ABBREVIATIONS, "not_too_long"]


def index_settings(shards: int = DEFAULT_SHARDS, replicas: int = DEFAULT_REPLICAS) -> dict:
    """The body of the create-index request."""
    # Lucene's apostrophe filter cuts at ' and ’; the other apostrophes become '.
    other_apostrophes = [f"{char}=>'" for char in APOSTROPHES if char not in "'\u2019"]
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "max_result_window": MAX_RESULT_WINDOW,
            # a lost node's shards are copied again at once, not after a minute
            "unassigned.node_left.delayed_timeout": "0s",
            "analysis": {
                "char_filter": {"apostrophes": {"type": "mapping", "mappings": other_apostrophes}},
                "tokenizer": {
                    "words": {
                        "type": "pattern",
                        "pattern": WORD_PATTERN,
                        "flags": "UNICODE_CHARACTER_CLASS",
                        "group": 0,
                    }
                },
                "filter": {
                    "turkish_lowercase": {"type": "lowercase", "language": "turkish"},
                    "not_too_long": {"type": "length", "max": LONGEST_WORD},
                    "turkish_stop": {"type": "stop", "stopwords": sorted(stopwords())},
                    "turkish_snowball": {"type": "snowball", "language": "Turkish"},
                    **_ABBREVIATIONS,
                },
                "analyzer": {
                    "haberara_exact": _analyzer(_EXACT_FILTERS),
                    "haberara_folded": _analyzer([*_EXACT_FILTERS, "asciifolding"]),
                    "haberara_stem": _analyzer(
                        [*_EXACT_FILTERS, "turkish_stop", "turkish_snowball"]
                    ),
                },
            },
        },
        "mappings": _mappings(),
    }


def _analyzer(filters: list[str]) -> dict:
    return {
        "type": "custom",
        "char_filter": ["apostrophes"],
        "tokenizer": "words",
        "filter": filters,
    }


def _text(copy_to_stem: bool) -> dict:
    field: dict = {
        "type": "text",
        "analyzer": "haberara_exact",
        "fields": {"folded": {"type": "text", "analyzer": "haberara_folded"}},
    }
    if copy_to_stem:
        field["copy_to"] = "stem"
    return field


def _mappings() -> dict:
    stored = {"type": "keyword", "index": False, "doc_values": False}
    # read by aggregation only
    words = {"type": "keyword", "index": False, "ignore_above": LONGEST_WORD}
    return {
        "dynamic": "strict",
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            "id": {"type": "keyword"},
            "content_hash": stored,
            "title": _text(copy_to_stem=True),
            "body": _text(copy_to_stem=True),
            "stem": {"type": "text", "analyzer": "haberara_stem"},
            "meta": {"type": "text", "analyzer": "haberara_exact"},
            "shown_title": stored,
            "title_derived": {"type": "boolean", "index": False},
            "date": {"type": "date", "format": "strict_date"},
            "year": {"type": "keyword"},
            "category": {"type": "keyword"},
            "category_name": stored,
            "source": {"type": "keyword"},
            "url": stored,
            "title_words": words,
            "body_words": words,
            **{joined: {"type": "keyword"} for joined in JOINED_FIELDS.values()},
        },
    }


def article_source(article: Article) -> dict:
    """The document an article is indexed as (its ``_id`` is the article id)."""
    title = ranked_title(article)
    source: dict = {
        "id": article.id,
        "content_hash": article.content_hash,
        "title": title,
        "body": article.body,
        "shown_title": article.title,
        "title_derived": article.title_derived,
        "title_words": _distinct_forms(title),
        "body_words": _distinct_forms(article.body),
        JOINED_FIELDS["title"]: sorted(set(joined_forms(title))),
        JOINED_FIELDS["body"]: sorted(set(joined_forms(article.body))),
    }
    meta = " ".join(part for part in (article.category, article.source) if part)
    if meta:
        source["meta"] = meta
    if article.date:
        source["date"] = article.date.isoformat()
        source["year"] = str(article.date.year)
    if article.category:
        source["category"] = category_key(article.category)
        source["category_name"] = article.category.strip()
    if article.source:
        source["source"] = article.source
    if article.url:
        source["url"] = article.url
    return source


def _distinct_forms(text: str) -> list[str]:
    """The distinct exact forms of ``text``'s words, sorted.

    >>> _distinct_forms("Bişkek'teki toplantı, BİŞKEK")
    ['bişkek', 'toplantı']
    """
    return sorted({form for _, _, form in exact_forms(text)})
