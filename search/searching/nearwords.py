"""Indexed words within a few edits of a misspelling, found with a few array passes.

A spelling suggestion weighs every indexed word (folded) that starts with the typed word's
letter and is within two letters inserted, deleted or changed of it (Levenshtein
distance). Walking a sorted word list with a Levenshtein automaton in Python took 10 to 25
ms per word, longer than the rest of the search. Here the words are kept in buckets of one
first letter and one length, each an array of the rest of its words' code points, and the
distance to every word of the buckets within reach is worked out at once, a column of
letters at a time, with Myers' bit-parallel algorithm (Hyyrö's form for the distance
between whole words), for the words whose sets of letters leave it possible: a word
holding three letters the misspelling lacks, or lacking three it holds, is more than two
edits away (one 64-bit set per word, compared in one pass). A word longer than 65 letters
is compared letter by letter.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: The longest rest of a word (after its first letter) the bit-parallel pass takes: the
#: bits of one 64-bit integer.
BITS = 64


class NearWords:
    """Words, looked up by their distance to a word with the same first letter.

    >>> near = NearWords(["deprem", "depremi", "deyim", "derde", "deprem", "kader"])
    >>> near.within("deprm")
    ['deprem', 'depremi', 'deyim']
    >>> near.within("deprem", 1)
    ['depremi']
    """

    def __init__(self, words: Iterable[str]) -> None:
        by_shape: dict[tuple[str, int], set[str]] = {}
        for word in words:
            if word:
                by_shape.setdefault((word[0], len(word)), set()).add(word)
        self._buckets = {shape: _Bucket(sorted(same)) for shape, same in by_shape.items()}

    def within(self, word: str, distance: int = 2) -> list[str]:
        """The words, other than ``word``, that start with its first letter and are at
        most ``distance`` edits from it, sorted."""
        if not word:
            return []
        rest = word[1:]
        found: list[str] = []
        for length in range(max(1, len(word) - distance), len(word) + distance + 1):
            bucket = self._buckets.get((word[0], length))
            if bucket is not None:
                found += bucket.within(rest, distance)
        return sorted(found_word for found_word in found if found_word != word)


class _Bucket:
    """Words of one first letter and one length: the rest of each word's letters as a row
    of code points (16 bits each when they fit, else 32)."""

    def __init__(self, words: list[str]) -> None:
        self.first = words[0][0]
        self.width = len(words[0]) - 1
        codes = np.array([ord(letter) for word in words for letter in word[1:]], np.uint32)
        small = not len(codes) or int(codes.max()) < 0xD800  # (no surrogates in UTF-16)
        self._encoding = "utf-16-le" if small else "utf-32-le"
        self.codes = codes.astype(np.uint16 if small else np.uint32).reshape(len(words), self.width)
        self.letter_sets = np.bitwise_or.reduce(_letter_bits(self.codes), axis=1)

    def words(self, rows: np.ndarray) -> list[str]:
        """The words of these rows."""
        if not self.width:
            return [self.first] * len(rows)
        text = self.codes[rows].tobytes().decode(self._encoding)
        width = self.width
        return [self.first + text[i : i + width] for i in range(0, len(text), width)]

    def within(self, rest: str, distance: int) -> list[str]:
        """The words whose rest is at most ``distance`` edits from ``rest``."""
        if not rest or not self.width:
            near = abs(len(rest) - self.width) <= distance
            return self.words(np.arange(len(self.codes))) if near else []
        if len(rest) > BITS:
            rows = [
                row
                for row, word in enumerate(self.words(np.arange(len(self.codes))))
                if levenshtein(rest, word[1:]) <= distance
            ]
            return self.words(np.array(rows, np.intp))
        pattern = np.bitwise_or.reduce(_letter_bits(np.array([ord(c) for c in rest])))
        sets = self.letter_sets
        rows = np.flatnonzero(
            (np.bitwise_count(sets & ~pattern) <= distance)
            & (np.bitwise_count(pattern & ~sets) <= distance)
        )
        distances = bit_parallel_distances(rest, self.codes[rows])
        return self.words(rows[distances <= distance])


def _letter_bits(codes: np.ndarray) -> np.ndarray:
    """Each code point as one bit of 64: a to z, 0 to 9 and the Turkish letters their own,
    the others sharing the rest. A row's distinct letters the pattern's bits lack are
    letters it does not hold, so they too bound the distance."""
    return np.left_shift(np.uint64(1), _BIT_OF[np.minimum(codes, len(_BIT_OF) - 1)])


def _bit_table() -> np.ndarray:
    table = np.arange(0x10000, dtype=np.uint64) % 22 + 42
    for bit, letter in enumerate("abcdefghijklmnopqrstuvwxyz0123456789çğıöşü"):
        table[ord(letter)] = bit
    return table


_BIT_OF = _bit_table()


def bit_parallel_distances(pattern: str, codes: np.ndarray) -> np.ndarray:
    """The Levenshtein distance from ``pattern`` (1 to 64 letters) to each row of ``codes``
    (code points), all rows at once.

    >>> codes = np.array([[ord(c) for c in word] for word in ["kitap", "kitab", "katip"]])
    >>> bit_parallel_distances("kitap", codes).tolist()
    [0, 1, 2]
    """
    length = len(pattern)
    letters = np.array(sorted(set(map(ord, pattern))), np.uint32)
    masks = np.zeros(len(letters), np.uint64)
    for position, letter in enumerate(pattern):
        masks[np.searchsorted(letters, ord(letter))] |= np.uint64(1 << position)
    at = np.minimum(np.searchsorted(letters, codes), len(letters) - 1)
    matches = np.where(letters[at] == codes, masks[at], np.uint64(0))

    everything = np.uint64((1 << length) - 1)
    top, one = np.uint64(1 << (length - 1)), np.uint64(1)
    plus = np.full(len(codes), everything)  # vertical differences +1 (the first column)
    minus = np.zeros(len(codes), np.uint64)
    score = np.full(len(codes), length, np.int64)
    for column in range(codes.shape[1]):
        equal = matches[:, column]
        diagonal = (((equal & plus) + plus) ^ plus) | equal | minus
        horizontal_plus = minus | ~(diagonal | plus)
        horizontal_minus = diagonal & plus
        score += (horizontal_plus & top) != 0
        score -= (horizontal_minus & top) != 0
        horizontal_plus = (horizontal_plus << one) | one  # the first row counts up
        horizontal_minus = horizontal_minus << one
        plus = (horizontal_minus | ~(diagonal | horizontal_plus)) & everything
        minus = diagonal & horizontal_plus & everything
    return score


def levenshtein(one: str, other: str) -> int:
    """Letters inserted, deleted or changed to turn ``one`` into ``other``.

    >>> levenshtein("kitap", "katip"), levenshtein("", "ab"), levenshtein("ab", "ab")
    (2, 2, 0)
    """
    current = list(range(len(other) + 1))
    for i, letter in enumerate(one, 1):
        previous, current = current, [i] + [0] * len(other)
        for j, other_letter in enumerate(other, 1):
            change = previous[j - 1] + (letter != other_letter)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, change)
    return current[-1]
