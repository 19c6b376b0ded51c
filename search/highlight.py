"""Snippets and highlighted titles: stored text re-analysed with the index's own chain.

The exact-form chain (:func:`~search.analysis.exact_forms`) gives each word's character
offsets; a word is marked when the query's :class:`~search.querybuild.MatchSpec` accepts
it, so ``toplantıya``, ``Bişkek'teki`` (the whole word, suffix included) and keyboard
matches are all marked. Everything outside ``<mark>`` is HTML-escaped.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from functools import lru_cache
from html import escape

from search.analysis import APOSTROPHES, WORD_PATTERN, ascii_fold, exact_form, turkish_lower
from search.querybuild import MatchSpec

SNIPPET_MIN = 160
SNIPPET_MAX = 300
#: Characters of a body searched for the snippet's passage (cut back to a word boundary).
SNIPPET_SCAN = 6_000
ELLIPSIS = "…"
#: Distinct words whose exact form and fold are kept between queries (about 200 bytes each;
#: the 300 benchmark queries' snippets and titles met 57,000 words; deciding a new word
#: was most of a snippet's time).
WORDS_CACHED = 100_000
#: A sentence's end: ``[.!?…]\s+`` or ``\n+``, written to begin with one character class so
#: the regular expression engine skips to it (the alternation was tried at every
#: position: 4-5x slower over the archive's bodies, the same matches).
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])\s+)")

Span = tuple[int, int]


def match_spans(text: str, spec: MatchSpec) -> list[tuple[int, int, str]]:
    """``(start, end, folded word)`` of every word in ``text`` that the query matches.

    Words are the exact-form chain's (:func:`~search.analysis.exact_forms`). Only words
    starting with a letter some match can start with are looked at (a regular expression
    finds them, :func:`_candidates`); each distinct one is decided once per query
    (``spec.decisions``), for the title and every snippet.
    """
    if not spec:
        return []
    decisions = spec.decisions
    spans = []
    for match in _candidates(spec.initials()).finditer(text):
        word = match.group()
        fold = decisions.get(word)
        if fold is None:
            form, folded = _forms(word)
            fold = decisions[word] = folded if form and spec.matches(form, folded) else ""
        if fold:
            spans.append((match.start(), match.end(), fold))
    return spans


@lru_cache(maxsize=WORDS_CACHED)
def _forms(word: str) -> tuple[str, str]:
    """A word's exact form and its ASCII fold; the same for every query, so kept."""
    form = exact_form(word)
    return form, ascii_fold(form)


@lru_cache(maxsize=4096)
def _initial(letter: str) -> str:
    """A word's first letter as the start of its folded exact form (``İ`` -> ``i``)."""
    return ascii_fold(turkish_lower(letter))[:1]


#: Letters whose first-letter fold is known, grouped by it: ``{"s": "sSşŞ", ...}``.
_KNOWN_LETTERS = string.ascii_letters + string.digits + "çğıöşüâîûÇĞİÖŞÜÂÎÛ"
_LETTERS_BY_INITIAL: dict[str, str] = {}
for _letter in _KNOWN_LETTERS:
    _LETTERS_BY_INITIAL[_initial(_letter)] = (
        _LETTERS_BY_INITIAL.get(_initial(_letter), "") + _letter
    )
#: Letters outside ASCII whose first-letter fold is known.
_KNOWN_OTHER = "".join(letter for letter in _KNOWN_LETTERS if letter > "\x7f")
#: After a word's first character (``\S`` for it): it is a letter or digit, and the
#: tokenizer starts a word there: it does not continue one, directly or after an
#: apostrophe (``Bişkek'teki`` is one word).
_STARTS_WORD = rf"(?<=[^\W_])(?<![^\W_][\s\S])(?<![^\W_][{APOSTROPHES}][\s\S])"
#: The tokenizer's word pattern, its first character taken.
_LETTER_RUN = r"[^\W_]+"
assert WORD_PATTERN.startswith(_LETTER_RUN)
_REST_OF_WORD = r"[^\W_]*" + WORD_PATTERN.removeprefix(_LETTER_RUN)


@lru_cache(maxsize=1024)
def _candidates(initials: frozenset[str]) -> re.Pattern[str]:
    """The tokenizer's words that start with a letter folding to one of ``initials``, or
    with any letter outside ASCII whose fold is not known (accented Latin, Cyrillic ...).

    The first character is one class (every character but the ASCII ones and known
    letters not wanted) so the regular expression engine skips to it without trying the
    word's other conditions at every position; the conditions follow it.
    """
    letters = "".join(_LETTERS_BY_INITIAL.get(initial, "") for initial in sorted(initials))
    unwanted = [chr(code) for code in range(128)] + list(_KNOWN_OTHER)
    first = "[^" + re.escape("".join(c for c in unwanted if c not in letters)) + "]"
    return re.compile(first + _STARTS_WORD + _REST_OF_WORD)


def highlight(text: str, spec: MatchSpec) -> str:
    """The whole of ``text``, escaped, with every match in ``<mark>``."""
    return _render(text, [(s, e) for s, e, _ in match_spans(text, spec)], 0, len(text))


def snippet(body: str, spec: MatchSpec) -> str:
    """The best passage of ``body`` (about 160-300 characters), escaped and marked.

    The passage is the run of sentences with the most distinct matched words in the first
    :data:`SNIPPET_SCAN` characters (the whole body when the words only come later); it is
    cut at word boundaries, with ``…`` where text was left out. Long articles cost a
    search its time when read to the end; their lead is what a reader wants anyway.
    """
    scanned = body[: _cut_end(body, 0, SNIPPET_SCAN)]  # cut before a space where there is one
    spans = match_spans(scanned, spec)
    if not spans and len(scanned) < len(body):  # the words are further down: scan the rest
        offset = len(scanned)
        spans = [(s + offset, e + offset, w) for s, e, w in match_spans(body[offset:], spec)]
        scanned = body
    if not spans:
        start, end = 0, _cut_end(body, 0, SNIPPET_MAX)
        return _render(body, [], start, end)
    sentences = _sentences(scanned)
    start, end = _best_sentence(sentences, spans)
    while end - start < SNIPPET_MIN:
        following = [s for s in sentences if s[0] >= end]
        if not following:
            break
        end = following[0][1]
    if end - start > SNIPPET_MAX:
        first = next((s for s, e, _ in spans if start <= s < end), start)
        start = max(start, _cut_start(body, first - SNIPPET_MAX // 3))
        end = _cut_end(body, start, SNIPPET_MAX)
    return _render(body, [(s, e) for s, e, _ in spans], start, end)


def _sentences(text: str) -> list[Span]:
    """Sentences: text between a full stop, ``!``, ``?`` or ``…`` and the space after it,
    or a line break; the mark stays with its sentence."""
    bounds = [  # (where a sentence ends, where the next may start)
        (found.start() + (text[found.start()] != "\n"), found.end())
        for found in _SENTENCE_END.finditer(text)
    ]
    starts = [0, *[end for _, end in bounds]]
    ends = [*[start for start, _ in bounds], len(text)]
    spans = [(start, end) for start, end in zip(starts, ends, strict=True) if end > start]
    return spans or [(0, len(text))]


def _best_sentence(sentences: list[Span], spans: list[tuple[int, int, str]]) -> Span:
    """The sentence with the most distinct matched words, then the most matches, then
    the earliest."""
    starts = [start for start, _ in sentences]
    inside: dict[int, list[str]] = {}
    for span_start, _, word in spans:
        index = bisect_right(starts, span_start) - 1
        if index >= 0 and span_start < sentences[index][1]:
            inside.setdefault(index, []).append(word)
    if not inside:
        return sentences[0]
    best = max(inside, key=lambda i: (len(set(inside[i])), len(inside[i]), -starts[i]))
    return sentences[best]


def _cut_start(text: str, position: int) -> int:
    """Move ``position`` forward to the start of a word."""
    if position <= 0:
        return 0
    while position < len(text) and not text[position - 1].isspace():
        position += 1
    return position


def _cut_end(text: str, start: int, limit: int) -> int:
    """The end of the last whole word within ``limit`` characters of ``start``."""
    end = start + limit
    if end >= len(text):
        return len(text)
    while end > start and not text[end].isspace():
        end -= 1
    return end if end > start else start + limit


def _render(text: str, spans: list[Span], start: int, end: int) -> str:
    parts = [ELLIPSIS] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start], quote=False))
        parts.append(f"<mark>{escape(text[span_start:span_end], quote=False)}</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end], quote=False))
    if end < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts).replace("\n", " ").strip()
