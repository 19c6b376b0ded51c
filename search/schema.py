"""The index schema: the one place that names the fields and attaches the analyzers.

Title and body are indexed in their exact surface form (apostrophe suffix cut, Turkish
lower-case, stop words kept). No word positions are kept: decoding them slowed every query,
so quoted phrases are checked against the stored text instead (see :mod:`search.engine`). Keyboard
queries (``biskek``) and inflections (``toplantıya`` for ``toplantı``) are resolved at query
time against this vocabulary (see :mod:`search.querybuild`) rather than by indexing folded
copies, which keeps the index small and the build fast. Title and body together are also
indexed as Snowball Turkish stems (``stem``), the fallback for a word no indexed form of
which is found (a verb typed in another tense, say).

The body is stored zlib-compressed (``body_z``) so snippets come from the index alone.
"""

from __future__ import annotations

import datetime
import zlib

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from search.analysis import ascii_fold, turkish_analyzer, turkish_lower
from search.articles import Article

TEXT_FIELDS = ("title", "body")


def build_schema() -> Schema:
    """A fresh schema; analyzers come from :func:`search.analysis.turkish_analyzer`."""
    exact = turkish_analyzer(stop=False)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        content_hash=ID(sortable=True),
        title=TEXT(analyzer=exact, stored=True, phrase=False),
        body=TEXT(analyzer=exact, phrase=False),
        stem=TEXT(analyzer=turkish_analyzer(stem=True), phrase=False),
        meta=TEXT(analyzer=exact, phrase=False),
        body_z=STORED,
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        category=ID(sortable=True),
        category_name=STORED,
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
        "body": article.body,
        "stem": f"{article.title}\n\n{article.body}",
        "body_z": zlib.compress(article.body.encode("utf-8"), 6),
        "title_derived": article.title_derived,
    }
    meta = " ".join(part for part in (article.category, article.source) if part)
    if meta:
        document["meta"] = meta
    if article.date:
        document["date"] = datetime.datetime.combine(article.date, datetime.time())
        document["year"] = str(article.date.year)
    if article.category:
        document["category"] = category_key(article.category)
        document["category_name"] = article.category.strip()
    if article.source:
        document["source"] = article.source
    if article.url:
        document["url"] = article.url
    return document


def stored_body(fields: dict) -> str:
    """The article body from a stored document."""
    return zlib.decompress(fields["body_z"]).decode("utf-8")
