"""The words the cluster holds, for haberara's query side (keyboard spellings,
inflections, prefixes, suggestions).

Each article carries its title's and body's distinct exact forms as keywords; one
composite aggregation pages through them with the number of articles holding each, and
they become one :class:`~search.searching.lexicon.SegmentLexicon`, read again when a reindex
stamps the index (see :mod:`search.opensearch.reindex`). Whether a Snowball stem is
rare enough to match is asked of the cluster, once per stem and index stamp.
"""

from __future__ import annotations

from opensearchpy import OpenSearch

from search.searching.lexicon import SegmentLexicon
from search.searching.vocabulary import RARE_SHARE, Vocabulary
from search.shared import SharedCache
from search.storage.schema import TEXT_FIELDS

#: Words per page of the vocabulary aggregation.
PAGE_WORDS = 10_000


class ClusterVocabulary(Vocabulary):
    """:class:`~search.searching.vocabulary.Vocabulary` over the words of one index stamp."""

    def __init__(
        self,
        client: OpenSearch,
        index: str,
        stamp: tuple,
        documents: int,
        words: dict[str, dict[str, int]],
    ) -> None:
        self._client = client
        self._index = index
        self._counts = {name: words[name] for name in TEXT_FIELDS}
        self._lexicons = [SegmentLexicon(self._counts)]
        self._lexicon_keys = [stamp]
        self._masks = {}
        self._segments = stamp
        self._documents = max(documents, 1)

    def is_rare(self, fieldname: str, word: str, share: float = RARE_SHARE) -> bool:
        """Whether at most ``share`` (by default :data:`~search.searching.vocabulary.RARE_SHARE`)
        of the articles hold the Snowball stem of ``word`` (``fieldname`` is ``stem``), as
        the cluster stems it."""
        return self.frequency(fieldname, word) <= share * self._documents

    def frequency(self, fieldname: str, word: str) -> int:
        """How many articles hold ``word`` in the field: a title or body word from the
        words read, any other (a Snowball stem) asked of the cluster once per stamp."""
        if fieldname in self._counts:
            return self._counts[fieldname].get(word, 0)

        def count() -> int:
            query = {"term": {fieldname: word}}
            answer = self._client.count(index=self._index, body={"query": query})
            return int(answer["count"])

        return _frequencies.get((self._segments, fieldname, word), count)

    def body_frequency(self, word: str) -> int:
        """How many articles hold ``word`` (exact form) in their body."""
        return self.frequency("body", word)


#: Articles per stem, by (index stamp, field, stem), shared by every thread.
_frequencies = SharedCache(20_000)


def read_words(client: OpenSearch, index: str) -> dict[str, dict[str, int]]:
    """``{field: {word: articles holding it}}`` for the title and body."""
    return {name: _field_words(client, index, f"{name}_words") for name in TEXT_FIELDS}


def _field_words(client: OpenSearch, index: str, fieldname: str) -> dict[str, int]:
    words: dict[str, int] = {}
    after = None
    while True:
        composite: dict = {"size": PAGE_WORDS, "sources": [{"w": {"terms": {"field": fieldname}}}]}
        if after:
            composite["after"] = after
        body = {"size": 0, "aggs": {"words": {"composite": composite}}}
        answer = client.search(index=index, body=body, request_timeout=120)["aggregations"]
        buckets = answer["words"]["buckets"]
        words.update((bucket["key"]["w"], bucket["doc_count"]) for bucket in buckets)
        after = answer["words"].get("after_key")
        if not buckets or after is None:
            return words
