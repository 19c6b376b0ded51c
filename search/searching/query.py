"""The reader's query language, parsed forgivingly.

- plain words: all must match; ``-word`` excludes (``-9`` is a number); ``a OR b`` either
- ``"quoted phrase"``: exact words in order (a quoted single word: that exact form); a
  phrase no article holds is searched as its words (see :meth:`ParsedQuery.unquoted`)
- ``title:word``, ``title:"a phrase"`` (an untitled article's lead counts as its title,
  see :data:`~search.storage.schema.UNTITLED_LEAD_WORDS`), ``category:spor``; ``word*`` a prefix

Anything malformed (an unbalanced quote or bracket, a lone ``OR``, ``title:`` with nothing
after it, emoji, control characters) is read as plain text, never an error.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from search.text.analysis import (
    APOSTROPHES,
    WORD,
    ascii_fold,
    compose,
    joins_words,
    strip_apostrophe_suffix,
    turkish_lower,
)
from search.text.dictionary import is_dictionary_word

QUOTES = '"\u201c\u201d\u201e'
#: Letters a prefix (``ka*``) needs; a shorter one (``k*``) is searched as the word it is.
MIN_PREFIX_LETTERS = 2
FIELDS = {"title": "title", "başlık": "title", "category": "category", "kategori": "category"}
_SEPARATORS = re.compile(r"[()\[\]{}<>]")
#: A model's name as one word: letters, then a number of two digits or more (``F16``,
#: ``S400'ler``; ``F1`` as ``f 1`` would be checked in most articles, for little).
_MODEL = re.compile(r"([^\W\d_]+)(\d{2,})([" + APOSTROPHES + r"][^\W_]+)?")
#: A letter then a word of at least three letters, typed as one: ``dsmart``, ``kpop``
#: (:meth:`Clause.letter_twin`), ``edevlet`` (:meth:`Clause.twin_clause`).
_LETTER_THEN_WORD = re.compile(r"([^\W\d_])([^\W\d_]{3,})([" + APOSTROPHES + r"][^\W_]+)?")
#: ``e`` then a dictionary word of at least this many letters, typed as one, is searched as
#: written apart too: ``edevlet``, ``eposta``, ``eticaret`` (:meth:`Clause.twin_clause`).
ELECTRONIC_REST = 4


@dataclass(frozen=True)
class Clause:
    """One unit of a query: a word, a prefix, or a phrase, maybe fielded or negated."""

    text: str
    phrase: bool = False
    prefix: bool = False
    negated: bool = False
    field: str | None = None  # None = all text fields; "title"; "category"
    short_prefix: bool = False  # written as a prefix too short to be one (``k*``)
    #: Where a word, or the inside of a phrase's quotes, stands in the cleaned text
    #: (:func:`clean_query`).
    span: tuple[int, int] | None = dataclasses.field(default=None, compare=False)
    #: Written by the search beside the word before it in its group, not typed: the other
    #: way news writes it (:meth:`twin_clause`).
    twin: bool = False

    def correctable(self) -> bool:
        """Whether a spelling suggestion may replace words of this clause: a word's or a
        phrase's (inside its quotes), never a prefix's or a category's. The one rule for
        which words are looked up and which words are found nowhere."""
        return not self.prefix and self.field != "category"

    def twin_clause(self) -> Clause | None:
        """The other way news writes a model or a joined word, searched beside it: ``F-16``
        for ``F16`` (``S400``, ``covid19``), ``F16`` for ``F-16``, ``edevlet`` for
        ``e-devlet`` and ``e-devlet`` for ``edevlet`` (``eposta``, ``eticaret``: ``e`` then
        a dictionary word). None for any other word (``4G``, ``H1N1``, ``4.5G``, ``F1``,
        ``ekonomi``).

        >>> [Clause(text).twin_clause().text for text in ("F16'lar", "F-16", "e-devlet")]
        ["F-16'lar", 'F16', 'edevlet']
        >>> [Clause(text).twin_clause().text for text in ("edevlet", "Eposta'dan")]
        ['e-devlet', "E-posta'dan"]
        >>> [Clause(text).twin_clause() for text in ("4G", "4.5G", "F1", "ekonomi", "ekim")]
        [None, None, None, None, None]
        """
        if self.phrase or self.prefix or self.field == "category":
            return None
        words = list(WORD.finditer(self.text))  # (marks around the word typed left out)
        only = words[0].group() if len(words) == 1 else ""
        model = _MODEL.fullmatch(only)
        if model:
            letters, digits, suffix = model.groups()
            return Clause(f"{letters}-{digits}{suffix or ''}", field=self.field, twin=True)
        first = _LETTER_THEN_WORD.fullmatch(only)
        if first and first[1] in "eE" and _is_long_dictionary_word(first[2]):
            return self._first_letter_apart(first)
        hyphened = len(words) == 2 and self.text[words[0].end() : words[1].start()] == "-"
        if hyphened and self.joined_words():
            return Clause(words[0].group() + words[1].group(), field=self.field, twin=True)
        return None

    def letter_twin(self, is_indexed: Callable[[str], bool]) -> Clause | None:
        """The word with its first letter written apart, as news writes some names
        (``D-Smart`` for ``dsmart``, ``K-pop`` for ``kpop``), when no article holds the word
        as typed and some holds the rest (``is_indexed``, asked of a word's fold); None
        otherwise. Searched beside the word, as :meth:`twin_clause`'s are.

        >>> indexed = {"smart", "pop", "ekonomi", "konomi"}.__contains__
        >>> [Clause(text).letter_twin(indexed).text for text in ("dsmart", "KPOP'un")]
        ['d-smart', "K-POP'un"]
        >>> [Clause(text).letter_twin(indexed) for text in ("ekonomi", "xyzt", "d-smart")]
        [None, None, None]
        >>> print(Clause("dsmart", phrase=True).letter_twin(indexed))
        None
        """
        if self.phrase or self.prefix or self.field == "category":
            return None
        words = WORD.findall(self.text)
        split = _LETTER_THEN_WORD.fullmatch(words[0]) if len(words) == 1 else None
        if split is None:
            return None
        letter, rest, _ = split.groups()
        if is_indexed(ascii_fold(turkish_lower(letter + rest))):
            return None
        if not is_indexed(ascii_fold(turkish_lower(rest))):
            return None
        return self._first_letter_apart(split)

    def _first_letter_apart(self, split: re.Match[str]) -> Clause:
        """The twin of a word :data:`_LETTER_THEN_WORD` matched: its first letter written
        apart with a hyphen, any suffix kept (``e-devlet``, ``D-Smart'ta``)."""
        letter, rest, suffix = split.groups()
        return Clause(f"{letter}-{rest}{suffix or ''}", field=self.field, twin=True)

    def as_phrase(self) -> bool:
        """Whether the clause is searched as a phrase: quoted, or a joined word
        (:meth:`joined_words`)."""
        return self.phrase or bool(self.joined_words())

    def joined_words(self) -> list[str]:
        """The words of a word written as one from several, with a number and a letter
        (``F-16``, ``COVID-19'a``, ``4.5G``) or beginning with a single letter
        (``e-devlet``): it is searched as the phrase of those words, as Lucene's parser
        does with a word its analysis splits. None for any other clause: two names joined
        (``ABD-Rusya``) are written the other way round too, numbers alone (``2-0``,
        ``5-6``, ``8.0``) as well or otherwise, and an ending letter is a suffix
        (``İbn-i``, ``Mekteb-i``), so their words are searched each on its own.

        >>> [Clause(text).joined_words() for text in ("F-16'lar", "e-devlet", "2-0", "İbn-i")]
        [['F', "16'lar"], ['e', 'devlet'], [], []]
        """
        if self.phrase or self.prefix or self.field == "category":
            return []
        words = WORD.findall(self.text)
        return words if joins_words([strip_apostrophe_suffix(word) for word in words]) else []


def _is_long_dictionary_word(word: str) -> bool:
    """Whether ``word`` is a dictionary word of at least :data:`ELECTRONIC_REST` letters."""
    return len(word) >= ELECTRONIC_REST and is_dictionary_word(turkish_lower(word))


@dataclass
class ParsedQuery:
    """A query as groups that must all match; a group matches when any of its clauses does."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)

    @property
    def clauses(self) -> list[Clause]:
        return [clause for group in self.groups for clause in group]

    def unquoted(self, phrases: Iterable[str]) -> ParsedQuery:
        """This query with each of ``phrases``, where it stands alone in its group, read
        as its words, each of which must match (in the phrase's field, if it had one).

        >>> parsed = parse_query('"sabaha kadar" uyumadık').unquoted(["sabaha kadar"])
        >>> [[clause.text for clause in group] for group in parsed.groups]
        [['sabaha'], ['kadar'], ['uyumadık']]
        """
        phrases = set(phrases)
        groups: list[list[Clause]] = []
        for group in self.groups:
            only = group[0]
            if len(group) == 1 and only.phrase and only.text in phrases:
                groups.extend([Clause(word, field=only.field)] for word in only.text.split())
            elif len(group) == 1 and only.text in phrases and only.joined_words():
                groups.extend([Clause(word, field=only.field)] for word in only.joined_words())
            else:
                groups.append(group)
        return ParsedQuery(groups, list(self.excluded))


def clean_query(text: str) -> str:
    """NFC-normalize (:func:`~search.text.analysis.compose`) and turn control and format
    characters into spaces."""
    text = compose(text)
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else char
        for char in text
    )


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text`` into a :class:`ParsedQuery`; never raises.

    >>> [c.text for c in parse_query('toplantı "Güvenlik Konseyi" -Bişkek').clauses]
    ['toplantı', 'Güvenlik Konseyi']
    >>> [c.text for c in parse_query('"yarım kalmış title:').clauses]
    ['yarım', 'kalmış', 'title:']
    >>> parsed = parse_query("+toplantı AND Bişkek NOT Ankara")
    >>> [c.text for c in parsed.clauses], [c.text for c in parsed.excluded]
    (['toplantı', 'Bişkek'], ['Ankara'])
    """
    parsed = ParsedQuery()
    pending_or = False
    for item in _lex(clean_query(text)):
        if item == "OR":
            pending_or = bool(parsed.groups)
            continue
        if item.negated:
            parsed.excluded.append(item)
        elif pending_or:
            parsed.groups[-1].append(item)
        else:
            parsed.groups.append([item])
        pending_or = False
    return parsed


def short_prefixes(text: str) -> list[str]:
    """The prefixes of ``text`` too short to be searched as prefixes (``k*``), as written
    with one ``*``: each was searched as a word, which the reader is told.

    >>> short_prefixes("k* kara* -a* ç")
    ['k*', 'a*']
    """
    return [
        f"{item.text}*" for item in _lex(clean_query(text)) if item != "OR" and item.short_prefix
    ]


def _lex(text: str):
    """Yield clauses and the ``"OR"`` marker from cleaned query text.

    ``AND`` and ``+word`` say what a plain word says already (each must match), ``NOT
    word`` what ``-word`` does: readers of other search engines write them so.
    """
    position, length = 0, len(text)
    text = _SEPARATORS.sub(" ", text)
    negate_next = False
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        following = text[position + 1] if position + 1 < length else " "
        if char == "+" and following.isalpha():
            position += 1
            continue
        negated = char == "-" and not following.isspace() and not following.isdigit()  # -9
        start = position + 1 if negated else position
        negated, negate_next = negated or negate_next, False
        field_name, start = _field_prefix(text, start)
        if start < length and text[start] in QUOTES:
            end = _closing_quote(text, start + 1)
            if end is not None:
                phrase = text[start + 1 : end].strip()
                if phrase:
                    yield Clause(
                        phrase,
                        phrase=True,
                        negated=negated,
                        field=field_name,
                        span=(start + 1, end),
                    )
                position = end + 1
                continue
            start += 1  # unbalanced quote: the rest is plain words
        end = start
        while end < length and not text[end].isspace() and text[end] not in QUOTES:
            end += 1
        word = written = text[start:end]
        position = max(end, start + 1)
        if word in ("OR", "AND", "NOT") and not negated and field_name is None:
            if word == "OR":
                yield "OR"
            negate_next = word == "NOT"
            continue
        prefix = word.endswith("*") and len(word.rstrip("*")) >= MIN_PREFIX_LETTERS
        word = word.strip("*")
        if word:
            short = written.endswith("*") and len(word) < MIN_PREFIX_LETTERS
            yield Clause(
                word,
                prefix=prefix,
                negated=negated,
                field=field_name,
                short_prefix=short,
                span=(start, start + len(written.rstrip("*"))),
            )


def _field_prefix(text: str, start: int) -> tuple[str | None, int]:
    """Read a ``field:`` prefix at ``start`` when it names a known field."""
    colon = text.find(":", start)
    if colon <= start:
        return None, start
    name = text[start:colon]
    if " " in name or name.lower() not in FIELDS:
        return None, start
    after = colon + 1
    if after >= len(text) or text[after].isspace():
        return None, start  # "title:" alone: treat as a word
    return FIELDS[name.lower()], after


def _closing_quote(text: str, start: int) -> int | None:
    for index in range(start, len(text)):
        if text[index] in QUOTES:
            return index
    return None
