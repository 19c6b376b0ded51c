"""The index schema: the one place that names the fields and attaches the analyzers.

Every text is indexed three ways with the chain from :mod:`search.analysis`:

- ``title`` / ``body``: the exact surface form (no stop words removed, positions kept), for
  exact matches, quoted phrases and highlighting;
- ``*_fold``: ASCII-folded, stop words removed, for keyboard queries and inflection
  expansion (see :mod:`search.morphology`);
- ``*_stem``: Snowball Turkish stems, stop words removed, for recall on verb forms.

The body is stored zlib-compressed (``body_z``) so snippets come from the index alone.
"""

from __future__ import annotations

import datetime
import zlib

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from search.analysis import ascii_fold, turkish_analyzer, turkish_lower
from search.articles import Article

TEXT_FIELDS = ("title", "body")
FOLD_SUFFIX = "_fold"
STEM_SUFFIX = "_stem"


def build_schema() -> Schema:
    """A fresh schema; analyzers come from :func:`search.analysis.turkish_analyzer`."""
    exact = turkish_analyzer(stop=False)
    fold = turkish_analyzer(fold=True)
    stem = turkish_analyzer(stem=True)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        content_hash=ID(sortable=True),
        title=TEXT(analyzer=exact, stored=True, phrase=True),
        title_fold=TEXT(analyzer=fold, phrase=False),
        title_stem=TEXT(analyzer=stem, phrase=False),
        body=TEXT(analyzer=exact, phrase=True),
        body_fold=TEXT(analyzer=fold, phrase=False),
        body_stem=TEXT(analyzer=stem, phrase=False),
        meta_fold=TEXT(analyzer=fold, phrase=False),
        body_z=STORED,
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        category=ID(stored=True, sortable=True),
        source=ID(stored=True),
        url=STORED,
        title_derived=STORED,
    )


def category_key(category: str) -> str:
    """The form a category is filtered and counted by: ``Kültür-Sanat`` -> ``kultur-sanat``."""
    return ascii_fold(turkish_lower(category.strip()))


def article_document(article: Article) -> dict:
    """The fields whoosh indexes for one article."""
    document: dict = {
        "id": article.id,
        "content_hash": article.content_hash,
        "title": article.title,
        "title_fold": article.title,
        "title_stem": article.title,
        "body": article.body,
        "body_fold": article.body,
        "body_stem": article.body,
        "body_z": zlib.compress(article.body.encode("utf-8"), 6),
        "title_derived": article.title_derived,
    }
    meta = " ".join(part for part in (article.category, article.source) if part)
    if meta:
        document["meta_fold"] = meta
    if article.date:
        document["date"] = datetime.datetime.combine(article.date, datetime.time())
        document["year"] = str(article.date.year)
    if article.category:
        document["category"] = category_key(article.category)
    if article.source:
        document["source"] = article.source
    if article.url:
        document["url"] = article.url
    return document


def stored_body(fields: dict) -> str:
    """The article body from a stored document."""
    return zlib.decompress(fields["body_z"]).decode("utf-8")
