"""The words of one index segment, sorted by their ASCII fold, for keyboard and prefix look-ups.

A reader may type ``biskek`` for ``bişkek``; the index keeps the word as written. Walking
whoosh's term dictionary for every Turkish spelling of a prefix cost a third of a query's
time, so each segment's title and body words are read once into a sorted list of folds
(with the words beside them) and a prefix becomes two binary searches. Segments never
change once written, so a segment's lexicon is built once per process and shared by every
thread (see :mod:`search.shared`); a reindex that adds a segment only reads the new one.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping

from search.text.analysis import ascii_fold
from search.text.morphology import is_inflection, suffix_letters


class SegmentLexicon:
    """One segment's words, sorted by ``(fold, word)``, each with the fields that hold it.

    >>> lexicon = SegmentLexicon({"title": ["bişkek"], "body": ["bişkek", "biskek", "bisiklet"]})
    >>> lexicon.with_folded_prefix("bis")
    [('bisiklet', 2), ('biskek', 2), ('bişkek', 3)]
    >>> lexicon.with_fold("biskek")
    [('biskek', 2), ('bişkek', 3)]

    A word's fields are a bit mask: bit ``i`` is set when field ``i`` (in the order the
    mapping gave them) holds the word. The folds and the words are each kept as one string,
    a line per word, with where each line starts (:class:`Lines`): a string object per
    word cost four to five times the text itself, some 40 MB of a worker for the archive's
    300,000 words.
    """

    def __init__(self, words_by_field: Mapping[str, Iterable[str]]) -> None:
        self.fields = tuple(words_by_field)
        masks: dict[str, int] = {}
        for bit, words in enumerate(words_by_field.values()):
            for word in words:
                masks[word] = masks.get(word, 0) | (1 << bit)
        pairs = sorted((ascii_fold(word), word) for word in masks)
        self.folds = Lines(fold for fold, _ in pairs)
        self._words = Lines(word for _, word in pairs)
        self._masks = array("B", [masks[word] for _, word in pairs])

    def __len__(self) -> int:
        return len(self._words)

    def with_folded_prefix(self, prefix: str) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold starts with ``prefix`` (folded)."""
        start = bisect_left(self.folds, prefix)
        end = bisect_left(self.folds, prefix + "\U0010ffff", start)
        return self._pairs(start, end)

    def inflected(self, prefix: str, needs_vowel: bool) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold is ``prefix`` (folded) then a chain
        of noun suffixes (:func:`~search.text.morphology.is_inflection`), with no letter after
        the prefix that no suffix has (:func:`~search.text.morphology.suffix_letters`); the
        folds are looked at, each with one set look-up, then the words found.

        >>> SegmentLexicon({"body": ["kitabı", "kitaplar", "kitapçı"]}).inflected("kitap", False)
        [('kitaplar', 1)]
        """
        start = bisect_left(self.folds, prefix)
        end = bisect_left(self.folds, prefix + "\U0010ffff", start)
        cut = len(prefix)
        folds = self.folds.between(start, end)
        found = [i for i, fold in enumerate(folds) if is_inflection(fold, cut, needs_vowel)]
        if not found:
            return []
        words = self._words.between(start, end)
        return [
            (words[i], self._masks[start + i])
            for i in found
            if len(words[i]) != len(folds[i]) or suffix_letters(words[i], cut)  # (same places)
        ]

    def has_fold(self, folded: str) -> bool:
        """Whether some word's fold is exactly ``folded``: one binary search.

        >>> SegmentLexicon({"body": ["bişkek"]}).has_fold("biskek")
        True
        """
        start = bisect_left(self.folds, folded)
        return start < len(self.folds) and self.folds[start] == folded

    def with_fold(self, folded: str) -> list[tuple[str, int]]:
        """``(word, fields)`` of the words whose fold is exactly ``folded``."""
        start = bisect_left(self.folds, folded)
        return self._pairs(start, bisect_right(self.folds, folded, start))

    def _pairs(self, start: int, end: int) -> list[tuple[str, int]]:
        if start >= end:
            return []
        return list(zip(self._words.between(start, end), self._masks[start:end], strict=True))


class Lines:
    """Strings without line breaks kept as one string, a line each, and where each line
    starts: a sorted one can be searched with :mod:`bisect`, and a run of them is read
    with one ``split``.

    >>> lines = Lines(["ada", "bal", "can"])
    >>> len(lines), lines[1], lines.between(1, 3), bisect_left(lines, "b"), list(lines)
    (3, 'bal', ['bal', 'can'], 1, ['ada', 'bal', 'can'])
    """

    def __init__(self, strings: Iterable[str]) -> None:
        strings = list(strings)
        self._text = "\n".join(strings) + "\n"
        starts, position = array("I", [0]), 0
        for string in strings:
            position += len(string) + 1
            starts.append(position)
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index: int) -> str:  # 0 <= index < len: what bisect asks for
        starts = self._starts
        return self._text[starts[index] : starts[index + 1] - 1]

    def between(self, start: int, end: int) -> list[str]:
        """Lines ``start`` to ``end`` (not included)."""
        if start >= end:
            return []
        return self._text[self._starts[start] : self._starts[end] - 1].split("\n")

    def __iter__(self) -> Iterator[str]:
        return iter(self.between(0, len(self)))
