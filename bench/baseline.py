"""The Snowball-only baseline: what Elasticsearch's / Lucene's ``turkish`` analyzer does,
rebuilt on whoosh so it runs beside haberara in the same process and on the same docs.

Analysis (each text field), in Lucene's ``TurkishAnalyzer`` order:

1. tokenizer: runs of letters/digits, an apostrophe inside a word kept (as the Unicode
   standard tokenizer keeps ``Bişkek'teki`` whole);
2. apostrophe filter: everything from the first apostrophe on is dropped (``Bişkek``);
3. Turkish lower case (``I`` -> ``ı``, ``İ`` -> ``i``);
4. Turkish stop words (Lucene's ``tr/stopwords.txt`` list, below);
5. Snowball Turkish stemmer (PyStemmer).

Index: ``title`` and ``body`` fields with this analyzer, no positions; ranking whoosh's
BM25F (k1 1.2, b 0.75), the two fields weighted equally.

Queries, two modes (both reported; ``and-or`` is the one the ratio uses, because it has
haberara's query semantics, so the ratio isolates the analysis):

- ``and-or``: every analysed query term must occur in title or body; when no doc has all
  of them, any term (OR) — the same fallback haberara's reader queries use;
- ``or``: any term, ranked by BM25 — Elasticsearch's ``match``/``multi_match`` default.

Defined here, not imported from ``search/``, so changes to haberara never move the baseline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer, Token
from whoosh.fields import ID, TEXT, Schema

APOSTROPHES = "'\u2019\u2018\u02bc"
WORD_PATTERN = r"[^\W_]+(?:[" + APOSTROPHES + r"][^\W_]+)*"
_APOSTROPHE = re.compile("[" + APOSTROPHES + "]")
MODES = ("and-or", "or")

#: Lucene 8 ``org/apache/lucene/analysis/tr/stopwords.txt`` (the ``turkish`` analyzer's list).
LUCENE_TURKISH_STOPWORDS = frozenset(
    """acaba altmış altı ama ancak arada aslında ayrıca bana bazı belki ben benden beni benim
    beri beş bile bin bir birçok biri birkaç birkez birşey birşeyi biz bize bizden bizi bizim
    böyle böylece bu buna bunda bundan bunlar bunları bunların bunu bunun burada çok çünkü da
    daha dahi de defa değil diğer diye doksan dokuz dolayı dolayısıyla dört edecek eden ederek
    edilecek ediliyor edilmesi ediyor eğer elli en etmesi etti ettiği ettiğini gibi göre halen
    hangi hatta hem henüz hep hepsi her herhangi herkesin hiç hiçbir için iki ile ilgili ise
    işte itibaren itibariyle kadar karşın katrilyon kendi kendilerine kendini kendisi
    kendisine kendisini kez ki kim kimden kime kimi kimse kırk milyar milyon mu mü mı nasıl ne
    neden nedenle nerde nerede nereye niye niçin o olan olarak oldu olduğu olduğunu
    olduklarını olmadı olmadığı olmak olması olmayan olmaz olsa olsun olup olur olursa oluyor
    on ona ondan onlar onlardan onları onların onu onun otuz oysa öyle pek rağmen sadece sanki
    sekiz seksen sen senden seni senin siz sizden sizi sizin şey şeyden şeyi şeyler şöyle şu
    şuna şunda şundan şunları şunu tarafından trilyon tüm üç üzere var vardı ve veya ya yani
    yapacak yapılan yapılması yapıyor yapmak yaptı yaptığı yaptığını yaptıkları yedi yerine
    yetmiş yine yirmi yoksa yüz zaten""".split()
)


def turkish_lower(text: str) -> str:
    return text.replace("I\u0307", "i").replace("İ", "i").replace("I", "ı").lower()


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("turkish")


@lru_cache(maxsize=500_000)
def snowball(word: str) -> str:
    return _stemmer().stemWord(word)


class ApostropheStrip(Filter):
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = _APOSTROPHE.split(token.text, 1)[0]
            if token.text:
                yield token


class TurkishLower(Filter):
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = turkish_lower(token.text)
            yield token


class LuceneTurkishStop(Filter):
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.text not in LUCENE_TURKISH_STOPWORDS:
                yield token


class SnowballTurkish(Filter):
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = snowball(token.text)
            yield token


def analyzer() -> CompositeAnalyzer:
    return (
        RegexTokenizer(WORD_PATTERN)
        | ApostropheStrip()
        | TurkishLower()
        | LuceneTurkishStop()
        | SnowballTurkish()
    )


def analyze(text: str) -> list[str]:
    return [token.text for token in _shared_analyzer()(text)]


@cache
def _shared_analyzer() -> CompositeAnalyzer:
    return analyzer()


def schema() -> Schema:
    chain = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=chain, phrase=False),
        body=TEXT(analyzer=chain, phrase=False),
    )


def build_index(docs: Iterable, index_dir: Path) -> int:
    """Index ``docs`` (``.id``, ``.title``, ``.body``) into a new whoosh index."""
    index_dir.mkdir(parents=True, exist_ok=True)
    index = whoosh_index.create_in(str(index_dir), schema())
    writer = index.writer(limitmb=256)
    count = 0
    for doc in docs:
        writer.add_document(id=doc.id, title=doc.title, body=doc.body)
        count += 1
    writer.commit()
    return count


class BaselineSearcher:
    """Top-10 doc ids for a query, in one of :data:`MODES`."""

    def __init__(self, index_dir: Path) -> None:
        self._searcher = whoosh_index.open_dir(str(index_dir)).searcher(weighting=scoring.BM25F())

    def search(self, text: str, mode: str, limit: int = 10) -> list[str]:
        terms = list(dict.fromkeys(analyze(text)))
        if not terms:
            return []
        per_term = [wq.Or([wq.Term("title", t), wq.Term("body", t)]) for t in terms]
        any_term = wq.Or(per_term)
        if mode == "and-or" and len(per_term) > 1:
            results = self._searcher.search(wq.And(per_term), limit=limit)
            if not results.is_empty():
                return [hit["id"] for hit in results]
        results = self._searcher.search(any_term, limit=limit)
        return [hit["id"] for hit in results]

    def close(self) -> None:
        self._searcher.close()
