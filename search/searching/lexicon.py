"""The words of one index segment, sorted by their ASCII fold, for keyboard and prefix look-ups.

A reader may type ``biskek`` for ``bişkek``; the index keeps the word as written. Walking
whoosh's term dictionary for every Turkish spelling of a prefix cost a third of a query's
time, so each segment's title and body words are read once into a sorted list of folds
(with the words beside them) and a prefix becomes two binary searches. Segments never
change once written, so a segment's lexicon is built once per process and shared by every
thread (see :mod:`search.shared`); a reindex that adds a segment only reads the new one.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping

from search.text.analysis import ascii_fold
from search.text.morphology import VOWELS, suffix_chains


class SegmentLexicon:
    """One segment's words, sorted by ``(fold, word)``, each with the fields that hold it.

    >>> lexicon = SegmentLexicon({"title": ["bişkek"], "body": ["bişkek", "biskek", "bisiklet"]})
    >>> lexicon.with_folded_prefix("bis")
    [('bisiklet', 2), ('biskek', 2), ('bişkek', 3)]
    >>> lexicon.with_fold("biskek")
    [('biskek', 2), ('bişkek', 3)]

    A word's fields are a bit mask: bit ``i`` is set when field ``i`` (in the order the
    mapping gave them) holds the word. The words, folds and masks are kept in three
    parallel lists, the strings shared with every other segment's lexicon (``sys.intern``):
    an archive's segments mostly hold the same words, and per-word tuples cost more memory
    than the words themselves.
    """

    def __init__(self, words_by_field: Mapping[str, Iterable[str]]) -> None:
        self.fields = tuple(words_by_field)
        masks: dict[str, int] = {}
        for bit, words in enumerate(words_by_field.values()):
            for word in words:
                masks[word] = masks.get(word, 0) | (1 << bit)
        pairs = sorted((_fold(word), word) for word in map(sys.intern, masks))
        self.folds = [fold for fold, _ in pairs]
        self._words = [word for _, word in pairs]
        self._masks = array("B", [masks[word] for word in self._words])

    def __len__(self) -> int:
        return len(self._words)

    def with_folded_prefix(self, prefix: str) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold starts with ``prefix`` (folded)."""
        start = bisect_left(self.folds, prefix)
        end = bisect_left(self.folds, prefix + "\U0010ffff", start)
        return self._pairs(start, end)

    def inflected(self, prefix: str, needs_vowel: bool) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold is ``prefix`` (folded) then a chain
        of noun suffixes (:func:`~search.text.morphology.is_inflection`); only the folds are
        looked at, each with one set look-up.

        >>> SegmentLexicon({"body": ["kitabı", "kitaplar", "kitapçı"]}).inflected("kitap", False)
        [('kitaplar', 1)]
        """
        start = bisect_left(self.folds, prefix)
        end = bisect_left(self.folds, prefix + "\U0010ffff", start)
        cut, folds, chains = len(prefix), self.folds, suffix_chains()
        found = [i for i in range(start, end) if folds[i][cut:] in chains]
        if needs_vowel:
            found = [i for i in found if folds[i][cut : cut + 1] in VOWELS]
        return [(self._words[i], self._masks[i]) for i in found]

    def with_fold(self, folded: str) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold is exactly ``folded``."""
        start = bisect_left(self.folds, folded)
        end = start
        while end < len(self.folds) and self.folds[end] == folded:
            end += 1
        return self._pairs(start, end)

    def _pairs(self, start: int, end: int) -> list[tuple[str, int]]:
        return list(zip(self._words[start:end], self._masks[start:end], strict=True))


def _fold(word: str) -> str:
    folded = ascii_fold(word)
    return word if folded == word else sys.intern(folded)  # one string when nothing changed
