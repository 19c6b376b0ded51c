"""Whether a stored text holds a quoted phrase: its words in a row, as the exact-form chain
reads them (:func:`~search.text.analysis.exact_forms`).

Reading a whole body through the chain word by word is what a phrase search spent its
time on (``"ve bu"``: about a second over the 3,000 articles holding both words). Here a
regular expression over the Turkish-lower-cased text first finds the places the phrase
could stand: each word's form at the start of a word, an apostrophe suffix allowed, then
something that is not a word before the next. It finds every place the chain would (the
chain's words are such runs, lower-cased alike), and some the chain reads otherwise (the
``ye`` of ``TDT'ye``), so each place is then read by the chain, from the space before it
to the space after it: words never hold a space, so the chain reads that stretch as it
reads the whole text.

A form beginning with a name a listed abbreviation stands for is also looked for as each
abbreviation of it (``G.Saray`` is ``galatasaray``). Where the lower-cased text could
differ from the chain's words otherwise, the whole text is read by the chain instead: a
Greek sigma (lower-cased by its neighbours), a combining dot above (joined to an ``I``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.text import abbreviations
from search.text.analysis import (
    APOSTROPHES,
    COMBINING_DOT_ABOVE,
    MODIFIER_APOSTROPHE,
    exact_forms,
    turkish_lower,
)

Forms = tuple[tuple[str, ...], ...]

_WORD_CHAR = r"[^\W_]"
#: An apostrophe and the suffix after it (``'teki``): still the same word.
_SUFFIX = "(?:[" + APOSTROPHES + "]" + _WORD_CHAR + "+)*"
#: Between two words: anything but a word's letters; a word that begins with ``ʼ`` has no
#: form, so the chain passes over it too.
_BETWEEN = r"(?:[\W_]|" + MODIFIER_APOSTROPHE + _WORD_CHAR + "*)+"
_SPACE = re.compile(r"\s")


def holds_phrase(text: str, forms: Forms) -> bool:
    """Whether ``text`` has in a row a word of each of ``forms`` (per word of a phrase,
    the exact forms standing for it), as :func:`holds_phrase_word_by_word` decides."""
    places = _places(forms)
    if places is None or COMBINING_DOT_ABOVE in text:
        return holds_phrase_word_by_word(text, forms)
    lowered = turkish_lower(text)  # as long as text: İ and I are one letter each
    found = places.search(lowered)
    while found:
        start, end = found.span()
        if holds_phrase_word_by_word(text[_after_space(text, start) : _space_at(text, end)], forms):
            return True
        found = places.search(lowered, start + 1)
    return False


def holds_phrase_word_by_word(text: str, forms: Forms) -> bool:
    """Whether the exact-form chain's words of ``text`` hold a word of each of ``forms``
    in a row."""
    tokens = [form for _, _, form in exact_forms(text)]
    width = len(forms)
    return any(
        all(token in held for token, held in zip(tokens[start : start + width], forms, strict=True))
        for start, token in enumerate(tokens[: len(tokens) - width + 1])
        if token in forms[0]
    )


@lru_cache(maxsize=256)
def _places(forms: Forms) -> re.Pattern | None:
    """The expression finding where ``forms`` could stand in a row in a lower-cased text;
    ``None`` when a form holds a Greek sigma (lower-cased by its neighbours)."""
    if any({"σ", "ς"} & set(form) for held in forms for form in held):
        return None
    first = "|".join(
        pattern + "(?<!" + _WORD_CHAR + "[\\s\\S]{" + str(width) + "})"  # a word's start
        for form in forms[0]
        for pattern, width in _written(form)
    )
    words = [first] + [
        "|".join(pattern for form in held for pattern, _ in _written(form)) for held in forms[1:]
    ]
    in_a_row = (_SUFFIX + _BETWEEN).join("(?:" + word + ")" for word in words) + _SUFFIX
    return re.compile(in_a_row + "(?!" + _WORD_CHAR + ")")


def _written(form: str) -> list[tuple[str, int]]:
    """How a lower-cased text may write ``form``: an expression and the characters it
    matches, for the form itself and for each abbreviation of the name it begins with
    (``G.Saraylılar`` is ``galatasaraylılar``). Where no letter stands before the match is
    looked at once it is found: an expression beginning with letters is searched for far
    faster than one beginning with a look behind."""
    return [(re.escape(form), len(form)), *abbreviations.abbreviated(form)]


def _after_space(text: str, end: int) -> int:
    """Where the stretch of words ending before ``end`` begins: after a space, or at 0."""
    return max(text.rfind(" ", 0, end), text.rfind("\n", 0, end)) + 1


def _space_at(text: str, start: int) -> int:
    """Where a space at or after ``start`` stands, or the text's end."""
    found = _SPACE.search(text, start)
    return found.start() if found else len(text)
