"""Snippets and highlighted titles: stored text re-analysed with the index's own chain.

The exact-form chain (:func:`~search.text.analysis.exact_forms`) gives each word's character
offsets; a word is marked when the query's :class:`~search.searching.querybuild.MatchSpec` accepts
it, so ``toplantıya``, ``Bişkek'teki`` (the whole word, suffix included) and keyboard
matches are all marked. Everything outside ``<mark>`` is HTML-escaped.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from html import escape

from search.searching import budget
from search.searching.querybuild import MatchSpec, stands_for
from search.text.analysis import APOSTROPHES, WORD, ascii_fold, exact_form, turkish_lower

SNIPPET_MIN = 160
SNIPPET_MAX = 300
#: Marks on one article page at most (see :func:`highlight_all`).
MAX_MARKS = 1_000
#: Words looked at between two looks at the request's budget.
BUDGET_EVERY = 4_096
#: Characters of a body searched for the snippet's passage (cut back to a word boundary).
SNIPPET_SCAN = 6_000
ELLIPSIS = "…"
#: Distinct words whose exact form and fold are kept between queries (about 200 bytes each;
#: deciding a new word is most of a snippet's time).
WORDS_CACHED = 50_000
#: A sentence's end: ``[.!?…]\s+`` or ``\n+``, written to begin with one character class so
#: the regular expression engine skips to it rather than trying an alternation at every
#: position.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])\s+)")

Span = tuple[int, int]


def match_spans(text: str, spec: MatchSpec, most: int | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, folded word)`` of every word in ``text`` that the query matches.

    Words are the exact-form chain's (:func:`~search.text.analysis.exact_forms`). Only words
    starting with letters some match can start with are looked at (a regular expression
    finds them, :func:`_candidates`); each distinct one is decided once per query
    (``spec.decisions``), for the title and every snippet. At most ``most`` are
    returned; within a request, none past its budget (:mod:`search.searching.budget`).
    All of a text's are kept for the query (``spec.spans``): proximity ranking
    (:func:`marked_places`) and the snippet look at the same texts.
    """
    if not spec:
        return []
    if most is None:
        kept = spec.spans.get(text)
        if kept is None:
            kept = spec.spans[text] = _match_spans(text, spec, None)
        return kept
    return _match_spans(text, spec, most)


def _match_spans(text: str, spec: MatchSpec, most: int | None) -> list[tuple[int, int, str]]:
    """What :func:`match_spans` gives, worked out."""
    decisions = spec.decisions
    apostrophes = any(apostrophe in text for apostrophe in APOSTROPHES)
    spans = []
    for number, match in enumerate(_candidates(spec.starts()).finditer(" " + text)):
        if number % BUDGET_EVERY == BUDGET_EVERY - 1 and budget.exhausted():
            break
        # a word's start follows a character: the space added above
        start, end = match.start(1) - 1, match.end(1) - 1
        if apostrophes:  # a word goes on after an apostrophe: Bişkek'teki
            if start > 1 and text[start - 1] in APOSTROPHES and text[start - 2].isalnum():
                continue  # a suffix, part of the word before it
            if end < len(text) and text[end] in APOSTROPHES:
                end = WORD.match(text, start).end()
        if start > 1 and text[start - 1] == "." and _abbreviated(text, start - 2) > start:
            continue  # the name of an abbreviation, part of it: G.Saray
        if end == start + 1 and end < len(text) and text[end] == ".":
            end = _abbreviated(text, start) or end  # G.Saray'ın
        word = text[start:end]
        fold = decisions.get(word)
        if fold is None:
            form, folded = _forms(word)
            fold = decisions[word] = folded if form and spec.matches(form, folded) else ""
        if fold:
            spans.append((start, end, fold))
            if len(spans) == most:
                break
    return _phrases_whole(text, spans, spec) if spec.phrases else spans


def _abbreviated(text: str, start: int) -> int:
    """Where the listed abbreviation (``G.Saray'ın``) beginning at ``start`` ends, or 0
    when none begins there."""
    before = text[start - 1] if start else " "
    if before.isalnum() or (before in APOSTROPHES and start > 1 and text[start - 2].isalnum()):
        return 0  # inside a word: ``AG.Saray``, ``x'G.Saray``
    match = WORD.match(text, start)
    return match.end() if match and match.end() > start + 2 else 0


def _phrases_whole(
    text: str, spans: list[tuple[int, int, str]], spec: MatchSpec
) -> list[tuple[int, int, str]]:
    """``spans`` without the words that match only as words of a quoted phrase where the
    phrase does not stand whole (its words one after another, nothing but spaces and
    punctuation between them)."""
    forms = [_forms(text[start:end])[0] for start, end, _ in spans]
    lone = [spec.only_in_phrases(form) for form in forms]
    if not any(lone):
        return spans
    kept = [not alone for alone in lone]
    for phrase in spec.phrases:
        size = len(phrase)
        for first in range(len(spans) - size + 1):
            run = range(first, first + size)
            if all(stands_for(forms[i], word) for i, word in zip(run, phrase, strict=True)) and all(
                not any(char.isalnum() for char in text[spans[i][1] : spans[i + 1][0]])
                for i in run[:-1]
            ):
                for i in run:
                    kept[i] = True
    return [span for span, keep in zip(spans, kept, strict=True) if keep]


@lru_cache(maxsize=WORDS_CACHED)
def _forms(word: str) -> tuple[str, str]:
    """A word's exact form and its ASCII fold; the same for every query, so kept (a form
    equal to the word, or a fold equal to the form, is the same string object: most of
    a snippet's words are lower case, many have no Turkish letter)."""
    form = exact_form(word)
    if form == word:
        form = word
    folded = ascii_fold(form)
    return form, form if folded == form else folded


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
#: Known letters above Latin-1 (``ğ ı İ ş Ş Ğ``): a class holding any of them compiles to
#: a table over 65,536 characters, so patterns name them one by one instead.
_KNOWN_HIGH = "".join(letter for letter in _KNOWN_LETTERS if letter > "\xff")
#: Known letters outside ASCII within Latin-1 (``ç ö ü â î û`` and capitals).
_KNOWN_LATIN1 = "".join(letter for letter in _KNOWN_LETTERS if "\x7f" < letter <= "\xff")
#: Before a word: a character that is not a letter or digit. A pattern begins with it, so
#: the regular expression engine skips to the places a word can start (beginning with the
#: word's first letter, it would stop at every such letter inside words too).
_BEFORE_WORD = r"[\W_]"
#: After a word's first character: it is a letter or digit. (That the word does not follow
#: an apostrophe inside a word, ``Bişkek'teki``, is checked by :func:`match_spans`: a
#: class of apostrophes is slow to compile.)
_IS_WORD = r"(?<=[^\W_])"
#: A second character that is neither ASCII nor a known letter (``é``, Cyrillic ...).
_UNKNOWN_NEXT = rf"(?=[^\x00-\x7f{_KNOWN_LATIN1}])" + "".join(f"(?!{c})" for c in _KNOWN_HIGH)


@lru_cache(maxsize=1024)
def _candidates(starts: frozenset[str]) -> re.Pattern[str]:
    """The tokenizer's words, up to any apostrophe, whose folded form can begin with one
    of ``starts`` (folded, one or two letters): a known letter or digit must fold to the
    start's letter, any other letter (accented Latin, Cyrillic ...) is let through to be
    decided. ``""`` among ``starts`` lets every word through.

    The pattern matches the character before the word (:data:`_BEFORE_WORD`), then the
    word as group 1: match a text with a character put in front of it. The word's first
    character is one class (every character but the ASCII ones and known letters not
    wanted); the conditions, then the second letter when every start with that first
    letter has one, follow it. Each query compiles its own pattern, so none holds a
    class of characters above Latin-1.
    """
    if "" in starts:
        starts = frozenset(_LETTERS_BY_INITIAL)
    seconds: dict[str, set[str]] = {}
    for start in starts:
        if start[:1] in _LETTERS_BY_INITIAL:
            seconds.setdefault(start[0], set()).add(start[1:])
    wanted = _letters(seconds)
    unwanted_ascii = "".join(chr(code) for code in range(128) if chr(code) not in wanted)
    unwanted_latin1 = "".join(letter for letter in _KNOWN_LATIN1 if letter not in wanted)
    first = f"[^{_ranges(unwanted_ascii)}{re.escape(unwanted_latin1)}]"
    first += "".join(f"(?<!{letter})" for letter in _KNOWN_HIGH if letter not in wanted)
    narrowed = {initial: found for initial, found in seconds.items() if "" not in found}
    if not narrowed:
        return re.compile(f"{_BEFORE_WORD}({first}{_IS_WORD}[^\\W_]*)")
    branches = [_not_after(_letters(narrowed)), _UNKNOWN_NEXT]
    for initial, found in sorted(narrowed.items()):
        if seconds_known := _letters(found):  # ("0þ" needs no branch: þ is let through)
            branches.append(_after(_letters(initial)) + _one_of(seconds_known))
    return re.compile(f"{_BEFORE_WORD}({first}{_IS_WORD}(?:{'|'.join(branches)})[^\\W_]*)")


def _letters(initials: Iterable[str]) -> str:
    """Every known letter or digit whose fold begins with one of ``initials``."""
    return "".join(_LETTERS_BY_INITIAL.get(initial, "") for initial in sorted(initials))


def _one_of(letters: str) -> str:
    """A pattern for one of ``letters``: a class of those within Latin-1, the others named
    one by one. (``(?!)``, which never matches, keeps the parser from making them one
    class; a class with letters above Latin-1 is what is slow to compile.)"""
    latin1, high = _split_latin1(letters)
    if not high:
        return f"[{latin1}]"
    return "(?:" + "|".join(([f"[{latin1}]"] if latin1 else []) + high) + "|(?!))"


def _after(letters: str) -> str:
    """A pattern for: the character before is one of ``letters`` (see :func:`_one_of`)."""
    latin1, high = _split_latin1(letters)
    parts = [f"(?<=[{latin1}])"] if latin1 else []
    return "(?:" + "|".join(parts + [f"(?<={letter})" for letter in high]) + ")"


def _not_after(letters: str) -> str:
    """A pattern for: the character before is none of ``letters``."""
    latin1, high = _split_latin1(letters)
    parts = [f"(?<![{latin1}])"] if latin1 else []
    return "".join(parts + [f"(?<!{letter})" for letter in high])


def _split_latin1(letters: str) -> tuple[str, list[str]]:
    """``letters`` within Latin-1, escaped for a class, and each of the others escaped."""
    latin1 = re.escape("".join(letter for letter in letters if letter <= "\xff"))
    return latin1, [re.escape(letter) for letter in letters if letter > "\xff"]


def _ranges(characters: str) -> str:
    """``characters`` for a class of characters, runs written as ranges (shorter to parse)."""
    runs: list[list[int]] = []
    for code in map(ord, characters):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in runs
    )


def highlight(text: str, spec: MatchSpec) -> str:
    """The whole of ``text``, escaped, with every match in ``<mark>``."""
    return _render(text, [(s, e) for s, e, _ in match_spans(text, spec)], 0, len(text))


def highlight_all(texts: list[str], spec: MatchSpec, most: int = MAX_MARKS) -> list[str]:
    """Each of ``texts`` (an article's paragraphs), escaped, with its matches in ``<mark>``
    while there are fewer than ``most`` marks in all and the request's budget lasts
    (:mod:`search.searching.budget`); the rest is plain text. An article of one word
    repeated over megabytes would otherwise make a page of a million marks."""
    rendered = []
    for text in texts:
        marking = most > 0 and (not rendered or not budget.exhausted())
        spans = match_spans(text, spec, most) if marking else []
        most -= len(spans)
        rendered.append(_render(text, [(s, e) for s, e, _ in spans], 0, len(text)))
    return rendered


def snippet(body: str, spec: MatchSpec) -> str:
    """The best passage of ``body`` (about 160-300 characters), escaped and marked.

    The passage is the run of sentences with the most distinct matched words in the first
    :data:`SNIPPET_SCAN` characters (the whole body when the words only come later); it is
    cut at word boundaries, with ``…`` where text was left out. Long articles cost a
    search its time when read to the end; their lead is what a reader wants anyway.
    """
    scanned = snippet_text(body)
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


def snippet_text(body: str) -> str:
    """The start of ``body`` a snippet is looked for in: :data:`SNIPPET_SCAN` characters,
    cut before a space where there is one."""
    return body[: _cut_end(body, 0, SNIPPET_SCAN)]


def marked_places(text: str, spec: MatchSpec, chars: int, first: int = 0) -> list[tuple[int, str]]:
    """The words of ``text``'s first ``chars`` characters that the query matches
    (:func:`match_spans`), as ``(place, exact form)``: a word's place is ``first`` and the
    number of words before it, a word being what stands between spaces (or between a
    hyphen or slash and a space: ``ABD-Rusya`` is two).

    >>> spec = MatchSpec(exact={"dolar", "kuru", "abd", "rusya"})
    >>> marked_places("Dolar kuru, bugün ABD-Rusya", spec, 100, first=3)
    [(3, 'dolar'), (4, 'kuru'), (6, 'abd'), (7, 'rusya')]
    """
    places: list[tuple[int, str]] = []
    place, previous = first, 0
    for start, end, _ in match_spans(text, spec):
        if start >= chars:
            break
        between = _spaces(text[previous:start])
        place += max(between, 1) if places else between
        places.append((place, _forms(text[start:end])[0]))
        previous = start
    return places


def _spaces(text: str) -> int:
    """How many runs of white space ``text`` holds.

    >>> _spaces("Dolar  kuru, "), _spaces("ABD-"), _spaces("")
    (2, 0, 0)
    """
    if not text:
        return 0
    return len(text.split()) - 1 + text[0].isspace() + text[-1].isspace()


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
    if end < len(text):  # "bitti…", not "bitti.…"
        parts[-1] = parts[-1].rstrip().rstrip(".")
        parts.append(ELLIPSIS)
    return "".join(parts).replace("\n", " ").strip()
