"""Completions for a half-typed query: the archive's frequent title words and phrases.

A reader typing ``kirg`` or ``istanb`` wants ``Kırgızistan`` or ``İstanbul``: titles name
what the news is about, in the spelling and capitals the newsroom uses. Every title is cut
into words (apostrophe suffix dropped: ``Bişkek'teki`` is ``Bişkek``) and runs of two and
three words; each is counted once per title and kept under its key, its ASCII fold in
Turkish lower case, so ``kirg``, ``KIRG`` and ``kırg`` all reach it. Completing is then two
binary searches on the sorted keys and a pick of the most frequent in between.

A word is shown the way titles most often write it inside a title (the first word of a
title is capitalised whatever it is, and a title in capitals says nothing of a word's own
case), so ``deprem`` stays lower case and ``TBMM`` stays in capitals.
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from search.searching.lexicon import Lines
from search.text.analysis import WORD, ascii_fold, stopwords, strip_apostrophe_suffix, turkish_lower

log = logging.getLogger(__name__)

#: Completions given for one prefix.
COMPLETIONS = 8
#: A phrase is offered once this many titles hold it; a word (not a stop word) once it is
#: in any title.
PHRASE_TITLES = 3
#: ... and once it is in this share of the titles its first word is in (``Erdoğan çok``
#: is in a few, a few of thousands).
PHRASE_SHARE = 0.02
PHRASE_WORDS = (2, 3)
#: A form seen as a title's first word (capitalised as a sentence start), or in a title
#: in capitals, counts one part in this many of a form seen inside a title.
FIRST_WORD_PARTS = 10
#: Characters of a prefix looked at; a longer text is no half-typed word.
MAX_PREFIX = 100
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Completion:
    """A completion and how many titles hold it."""

    text: str
    titles: int


class CompletionTable:
    """Title words and phrases sorted by key, with their title counts and shown forms.

    >>> table = CompletionTable.from_titles(["Kırgızistan'da seçim", "Kırgızistan Bişkek'te"])
    >>> table.complete("kirg")
    [Completion(text='Kırgızistan', titles=2)]
    """

    def __init__(self, entries: dict[str, tuple[int, str]]) -> None:
        # hundreds of thousands of short strings as one string each (as that many small
        # objects, scattered among the ones the build let go, they would keep that memory
        # from being given back)
        keys = sorted(entries)
        self._keys = Lines(keys)
        self._counts = np.array([entries[key][0] for key in keys], np.int32)
        self._texts = Lines([entries[key][1] for key in keys])

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_titles(cls, titles: Iterable[str]) -> CompletionTable:
        """The table of these titles (each title's words and phrases counted once).

        Two passes over the distinct titles, each weighed by how many articles carry it:
        the first counts every word and phrase, the second finds how the ones kept are
        written (a form for each of the hundreds of thousands of phrases held by one
        title only would cost more memory than the table)."""
        distinct = Counter(titles)
        reader = _TitleReader()
        counts: Counter[str] = Counter()
        for title, articles in distinct.items():
            for key in {key for key, _, _ in reader.grams(title)}:
                counts[key] += articles
        stops = _folded_stopwords()  # "kadar" or "ve" completes nothing a reader wants
        kept = {
            key
            for key, count in counts.items()
            if key not in stops
            and (
                " " not in key
                or count >= max(PHRASE_TITLES, PHRASE_SHARE * counts[key.split(" ", 1)[0]])
            )
        }
        weights: Counter[tuple[str, str]] = Counter()  # (key, shown text): one table
        for title, articles in distinct.items():
            capitals = 1 if title.isupper() else FIRST_WORD_PARTS
            for key, text, first in reader.grams(title):
                if key in kept:
                    weights[key, text] += articles * capitals * (1 if first else FIRST_WORD_PARTS)
        shown: dict[str, tuple[int, str]] = {}  # the heaviest, the first seen of equals
        for (key, text), weight in weights.items():
            if key not in shown or weight > shown[key][0]:
                shown[key] = (weight, text)
        return cls({key: (counts[key], text) for key, (_, text) in shown.items()})

    def complete(self, text: str, limit: int = COMPLETIONS) -> list[Completion]:
        """The most frequent words and phrases starting with ``text`` (any case, Turkish
        letters or not); when no phrase continues a text of several words, its last word
        is completed after the others as typed."""
        typed = _SPACES.sub(" ", text[:MAX_PREFIX]).lstrip()
        key = completion_key(typed)
        if not key.strip():
            return []
        found = self._starting_with(key, limit)
        *head, last = typed.split(" ")
        if found or not head or not last:
            return found
        words = self._starting_with(completion_key(last), limit * 2)
        return [
            Completion(" ".join([*head, item.text]), item.titles)
            for item in words
            if " " not in item.text
        ][:limit]

    def _starting_with(self, key: str, limit: int) -> list[Completion]:
        start = bisect_left(self._keys, key)
        end = bisect_left(self._keys, key + "\U0010ffff", start)
        if end - start > limit:
            # the most frequent; equal counts in key order, so the answer is stable
            counts = self._counts[start:end]
            order = np.lexsort((np.arange(len(counts)), -counts))[:limit]
            chosen = (start + int(i) for i in order)
        else:
            chosen = iter(sorted(range(start, end), key=lambda i: -int(self._counts[i])))
        return [Completion(self._texts[i], int(self._counts[i])) for i in chosen]


class LatestTable:
    """The completion table of the newest reader asked for, shared by every thread.

    A reader of a newer commit gets the table there is while a thread of its own builds
    the new one: completions a few seconds behind a reindex are harmless, a search box
    that stalls for seconds is not (nor a server whose threads all wait for a table).
    The first table is built by the first caller, who waits for it (a serving worker
    builds it before it answers anyone: see
    :meth:`~search.searching.searcher.Searcher.warm_up`).
    """

    def __init__(self) -> None:
        self._current: tuple[Hashable, CompletionTable] | None = None
        self._first = threading.Lock()  # held while the first table is built
        self._flag = threading.Lock()
        self._building = False

    def get(self, key: Hashable, build: Callable[[], CompletionTable]) -> CompletionTable:
        """The table for ``key``, or the latest one while ``build`` makes that."""
        if self._current is None:
            with self._first:
                if self._current is None:
                    self._current = (key, build())
        built_for, table = self._current
        if built_for != key:
            self._rebuild_later(key, build)
        return table

    def _rebuild_later(self, key: Hashable, build: Callable[[], CompletionTable]) -> None:
        with self._flag:
            if self._building:
                return
            self._building = True
        threading.Thread(target=self._rebuild, args=(key, build), daemon=True).start()

    def _rebuild(self, key: Hashable, build: Callable[[], CompletionTable]) -> None:
        try:
            self._current = (key, build())
        except Exception:  # noqa: BLE001 - the old table serves; the next reader tries again
            log.exception("building the completion table failed")
        finally:
            with self._flag:
                self._building = False


def read_titles(reader) -> Iterator[str]:
    """Every live article's shown title, from a whoosh reader's stored fields, one at a
    time (a table keeps each distinct title once)."""
    return (fields.get("title", "") for fields in reader.all_stored_fields())


def completion_key(text: str) -> str:
    """What a completion is found by: Turkish lower case, ASCII-folded, one space between
    words. ``İstanbul`` and ``ISTANBUL`` give ``istanbul``."""
    return ascii_fold(turkish_lower(_SPACES.sub(" ", text)))


class _Word(NamedTuple):
    key: str
    form: str  # apostrophe suffix cut
    suffixed: bool  # a phrase runs on past no apostrophe suffix
    weak: bool  # a stop word or a number: a phrase neither starts nor ends with one


class _TitleReader:
    """Cuts titles into words and phrases; each distinct word is looked at once."""

    def __init__(self) -> None:
        self._words: dict[str, _Word] = {}
        self._stops = _folded_stopwords()

    def grams(self, title: str) -> list[tuple[str, str, bool]]:
        """``(key, shown text, starts the title)`` of each word and phrase of ``title``.

        A phrase neither starts nor ends with a stop word or a number, and runs across no
        punctuation and no apostrophe suffix (``Bişkek'teki toplantı`` is no phrase)."""
        words: list[_Word] = []
        joined: list[bool] = []  # word i and word i + 1 make a phrase
        previous_end = -1
        for match in WORD.finditer(title):
            raw = match.group()
            word = self._words.get(raw) or self._words.setdefault(raw, self._word(raw))
            if words:
                gap = title[previous_end : match.start()]
                joined.append(not words[-1].suffixed and gap.isspace())
            words.append(word)
            previous_end = match.end()
        joined.append(False)
        found = []
        for position, word in enumerate(words):
            if not word.key:
                continue
            first = position == 0
            found.append((word.key, word.form, first))
            if word.weak:
                continue
            keys, texts = [word.key], [word.form]
            for end in range(position + 1, position + max(PHRASE_WORDS)):
                if end >= len(words) or not joined[end - 1] or not words[end].key:
                    break
                keys.append(words[end].key)
                texts.append(words[end].form)
                if len(keys) in PHRASE_WORDS and not words[end].weak:
                    found.append((" ".join(keys), " ".join(texts), first))
        return found

    def _word(self, raw: str) -> _Word:
        form = strip_apostrophe_suffix(raw)
        key = completion_key(form)
        return _Word(key, form, form != raw, key in self._stops or key.isdigit())


@cache
def _folded_stopwords() -> frozenset[str]:
    return frozenset(map(ascii_fold, stopwords()))
