"""The index schema: the one place that names the fields and attaches the analyzers.

Title and body are indexed in their exact surface form (apostrophe suffix cut, Turkish
lower-case, stop words kept). No word positions are kept: decoding them slowed every query,
so quoted phrases are checked against the stored text instead (see
:mod:`search.searching.engine`); a word written as one from several (``F-16``) is also
indexed joined (``title_joined``, ``body_joined``), so it is looked up instead. Keyboard
queries (``biskek``) and inflections (``toplantıya`` for ``toplantı``) are resolved at query
time against this vocabulary (see :mod:`search.searching.querybuild`) rather than by indexing folded
copies, which keeps the index small and the build fast. Title and body together are also
indexed as Snowball Turkish stems (``stem``), the fallback for a word no indexed form of
which is found (a verb typed in another tense, say).

The body is stored (compressed, see :mod:`search.storage.storedtext`) so snippets come from the
index alone.
"""

from __future__ import annotations

import datetime
from collections import Counter

from whoosh.columns import FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema
from whoosh.system import pack_uint

from search.articles import Article
from search.text.analysis import (
    ascii_fold,
    index_terms,
    joined_forms,
    turkish_analyzer,
    turkish_lower,
)

TEXT_FIELDS = ("title", "body")
#: Every field a search scores: the exact forms, the stems, category and source words.
SCORED_FIELDS = (*TEXT_FIELDS, "stem", "meta")
#: The fields whose texts, joined by a blank line, make the ``stem`` field's text.
STEM_SOURCES = TEXT_FIELDS
#: Each text field's words written as one with a hyphen or a dot (``F-16`` as ``f16``,
#: :func:`~search.text.analysis.joined_forms`): a query's word written so is found in them,
#: not by reading the articles' text as a phrase's words are. Not scored.
JOINED_FIELDS = {name: f"{name}_joined" for name in TEXT_FIELDS}
#: Fields whose postings are kept as arrays (:mod:`search.storage.postings`): the scored
#: fields, the joined words and the article id.
ARRAY_FIELDS = frozenset({"id", *SCORED_FIELDS, *JOINED_FIELDS.values()})
HASH_BYTES = 20  # a SHA-1 digest, kept as bytes (half the size of its hex form)
#: An article without a title is ranked with its lead, the body's first this many words,
#: as its title text (the title shown stays its first sentence): a news lead says what
#: its headline would.
UNTITLED_LEAD_WORDS = 80


class TurkishText(TEXT):
    """A text field analysed by :func:`~search.text.analysis.turkish_analyzer`.

    At index time the terms come from :func:`~search.text.analysis.index_terms`, the same
    chain without whoosh's per-token objects (analysis was most of the build's time);
    queries and whoosh's own calls use the analyzer.
    """

    def __init__(self, *, stop: bool = True, stem: bool = False, stored: bool = False) -> None:
        super().__init__(
            analyzer=turkish_analyzer(stop=stop, stem=stem), stored=stored, phrase=False
        )
        self.stop = stop
        self.stem = stem

    def index(self, value, **kwargs):
        """``(term bytes, frequency, weight, encoded frequency)`` per distinct term."""
        if kwargs or not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, frequency in Counter(index_terms(value, stop=self.stop, stem=self.stem)).items():
            yield term.encode("utf-8"), frequency, frequency * boost, pack_uint(frequency)


class JoinedWords(TEXT):
    """Words written as one with a hyphen or a dot, one term each
    (:func:`~search.text.analysis.joined_forms`); only looked up, never scored."""

    def __init__(self) -> None:
        super().__init__(phrase=False)

    def index(self, value, **kwargs):
        """``(term bytes, frequency, weight, encoded frequency)`` per distinct term."""
        for term, frequency in Counter(joined_forms(value)).items():
            yield term.encode("utf-8"), frequency, float(frequency), pack_uint(frequency)


def build_schema() -> Schema:
    """A fresh schema; analyzers come from :func:`search.text.analysis.turkish_analyzer`."""
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        content_hash=COLUMN(FixedBytesColumn(HASH_BYTES)),  # read by reindex, never searched
        title=TurkishText(stop=False, stored=True),
        body=TurkishText(stop=False, stored=True),
        stem=TurkishText(stem=True),
        meta=TurkishText(stop=False),
        **{name: JoinedWords() for name in JOINED_FIELDS.values()},
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
        "content_hash": bytes.fromhex(article.content_hash),
        "title": ranked_title(article),
        "body": article.body,
        "stem": "\n\n".join(getattr(article, name) for name in STEM_SOURCES),
        "title_derived": article.title_derived,
    }
    document.update(
        {joined: document[name] for name, joined in JOINED_FIELDS.items() if document[name]}
    )
    if article.title_derived:
        document["_stored_title"] = article.title  # whoosh stores this value instead
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


def ranked_title(article: Article) -> str:
    """The text an article's title is indexed with: its title, or when it had none, its
    lead (:data:`UNTITLED_LEAD_WORDS`)."""
    if not article.title_derived:
        return article.title
    return _lead(article.body)


def stored_ranked_title(fields: dict) -> str:
    """:func:`ranked_title` of a stored document (whoosh stores the shown title)."""
    if not fields.get("title_derived"):
        return fields.get("title", "")
    return _lead(stored_body(fields))


def _lead(body: str) -> str:
    return " ".join(body.split()[:UNTITLED_LEAD_WORDS])


def indexed_hash(value: bytes) -> str:
    """An article's content hash as the index's column holds it, in hex (as files give it)."""
    return bytes(value).hex()


def stored_body(fields: dict) -> str:
    """The article body from a stored document."""
    return fields.get("body", "")


def stored_fields(document: dict) -> dict:
    """What whoosh stores of a document made by :func:`article_document` (a field's
    ``_stored_<name>`` value in place of the indexed one, as whoosh does)."""
    schema = _SCHEMA
    return {
        name: document.get(f"_stored_{name}", value)
        for name, value in document.items()
        if not name.startswith("_") and schema[name].stored
    }


_SCHEMA = build_schema()
