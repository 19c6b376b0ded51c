"""Turkish text analysis: the one definition shared by indexing, querying and highlighting.

Each step is a small whoosh filter; :func:`turkish_analyzer` composes them in this order:

1. ``TurkishTokenizer`` - runs of letters and digits; an apostrophe inside a word stays in it
2. ``ApostropheFilter`` - ``Bişkek'teki`` -> ``Bişkek`` (the suffix after a proper name goes)
3. ``TurkishLowerFilter`` - ``I`` -> ``ı``, ``İ`` -> ``i``, then the rest lower-cased
4. ``AbbreviationFilter`` - ``g.saray`` -> ``galatasaray`` (:mod:`search.text.abbreviations`)
5. ``TurkishStopFilter`` - drops function words (``ve``, ``ile``, ``bir`` ...); optional
6. ``TurkishStemFilter`` - Snowball Turkish stem; optional

Filters change ``token.text`` only, so character offsets always cover the whole word as it
stands in the article (a highlight covers all of ``Bişkek'teki``). Text is NFC-normalized
before it reaches the analyzer (the article reader and the query parser both do it).

Analyzers are pickled into the index with its schema, so filters hold no live stemmer and
no lambdas; when a step changes, bump :data:`ANALYSIS_VERSION` and reindex.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer, Token

from search.text import abbreviations

#: Bump whenever a step below, the schema, the postings format or the module of a pickled
#: schema class changes what an index holds or where its schema is read from.
ANALYSIS_VERSION = 14

DOTLESS_I = "\u0131"  # ı
DOTTED_CAPITAL_I = "\u0130"  # İ
COMBINING_DOT_ABOVE = "\u0307"
MODIFIER_APOSTROPHE = "\u02bc"  # ʼ
#: ... and the look-alikes a keyboard or a pasted text puts in their place: ´ (acute
#: accent), ` (grave accent), ′ (prime).
APOSTROPHES = "'\u2019\u2018" + MODIFIER_APOSTROPHE + "\u00b4`\u2032"  # ' ’ ‘ ʼ ´ ` ′

#: Letters and digits (no underscore), with apostrophe-joined parts kept in one token; a
#: listed abbreviation (``G.Saray``, :mod:`search.text.abbreviations`) is one word, dot and all.
WORD_PATTERN = (
    r"(?:" + abbreviations.PATTERN + r"[^\W_]*|[^\W_]+)(?:[" + APOSTROPHES + r"][^\W_]+)*"
)

_FOLD_TABLE = str.maketrans("çğıöşüâîûÇĞİÖŞÜÂÎÛ", "cgiosuaiuCGIOSUAIU")


def compose(text: str) -> str:
    """NFC, and ``i`` + a combining dot above as ``i``: other languages' rules lower-case
    ``İ`` so (``i̇stanbul``), and the lone dot would split the word in two.

    >>> compose("i\u0307stanbul") == "istanbul", compose("s\u0327ehir") == "şehir"
    (True, True)
    """
    text = unicodedata.normalize("NFC", text)
    if COMBINING_DOT_ABOVE in text:
        text = text.replace("i" + COMBINING_DOT_ABOVE, "i")
    return text


def turkish_lower(text: str) -> str:
    """Lower-case by Turkish rules: ``I`` -> ``ı``, ``İ`` -> ``i`` (``str.lower`` gets both wrong).

    >>> turkish_lower("KIRGIZİSTAN Iğdır")
    'kırgızistan ığdır'
    """
    text = text.replace("I" + COMBINING_DOT_ABOVE, "i").replace(DOTTED_CAPITAL_I, "i")
    return text.replace("I", DOTLESS_I).lower()


def ascii_fold(text: str) -> str:
    """Fold Turkish letters (and other accents) to ASCII, as a reader types without them.

    >>> ascii_fold("bişkek kırgızistan ağaç")
    'biskek kirgizistan agac'
    """
    text = text.translate(_FOLD_TABLE)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_apostrophe_suffix(word: str) -> str:
    """Cut a word at its first apostrophe: ``TDT'nin`` -> ``TDT``, ``40’tan`` -> ``40``."""
    return _APOSTROPHE.split(word, maxsplit=1)[0]


_APOSTROPHE = re.compile("[" + APOSTROPHES + "]")


@cache
def stopwords() -> frozenset[str]:
    """Turkish function words, from ``stopwords.txt`` beside this module (loaded once)."""
    text = (Path(__file__).parent / "stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(turkish_lower(word) for word in words if word)


@cache
def question_words() -> frozenset[str]:
    """Turkish question words beyond the stop words (``hangi``, ``nedir``, ``kaç``), ASCII
    folded, from ``questionwords.txt`` beside this module. Queries drop them; the index
    keeps them (they are not part of the analysis chain)."""
    text = (Path(__file__).parent / "questionwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(ascii_fold(turkish_lower(word)) for word in words if word)


@lru_cache(maxsize=30_000)
def turkish_stem(word: str) -> str:
    """Snowball Turkish stem of a lower-cased word (``toplantıya`` -> ``toplantı``); the
    stems of 30,000 words are kept (a serving process stems each new word of a snippet
    when a query matches stems; the build keeps its own, :class:`FormNumbers`)."""
    return _stemmer().stemWord(word)


def stem_start(stem: str) -> str:
    """What a word with Snowball stem ``stem`` starts with: the stem but its last two
    letters. Snowball cuts suffixes, then may change the stem's last letter (``kitab`` ->
    ``kitap``) or add one (``kasabadakine`` -> ``kasabane``); this held for all 307,040
    words of the news archive and is property-tested. Only snippet marks rely on it."""
    return stem[:-2]


#: Snowball's last step hardens a stem's final b, c, d, ğ into p, ç, t, k (kitab -> kitap).
_HARDENED_FROM = {"p": "b", "ç": "c", "t": "d", "k": "ğ"}


def stem_first_letters(stem: str) -> str:
    """The letters a word with Snowball stem ``stem`` can begin with: the stem's first; for
    a one-letter stem also the letter Snowball hardened into it (``bunu`` -> ``p``,
    ``dini`` -> ``t``). Held for every word of the news archive and property-tested; only
    snippet marks rely on it."""
    if len(stem) != 1:
        return stem[:1]
    return stem + _HARDENED_FROM.get(stem, "")


@cache
def _stemmer():
    import snowballstemmer  # uses PyStemmer's C implementation when installed

    stemmer = snowballstemmer.stemmer("turkish")
    if hasattr(stemmer, "maxCacheSize"):
        # PyStemmer keeps each stem it gives, at a cost: every caller here keeps its own
        # (turkish_stem's cache, the build's per-form terms), and with PyStemmer's a
        # build's stemming took 2.4 times as long.
        stemmer.maxCacheSize = 0
    return stemmer


class TurkishTokenizer(RegexTokenizer):
    """Words of letters and digits; ``Bişkek'teki`` and ``40'tan`` stay one token each.

    >>> [t.text for t in TurkishTokenizer()("Bişkek'teki toplantı, 40’tan fazla!")]
    ["Bişkek'teki", 'toplantı', '40’tan', 'fazla']
    """

    def __init__(self) -> None:
        super().__init__(expression=WORD_PATTERN)

    def __repr__(self) -> str:
        return "TurkishTokenizer()"


class ApostropheFilter(Filter):
    """Drop the suffix after an apostrophe, so the name before it is what is indexed.

    In Turkish the apostrophe separates a case suffix from a proper name (``TDT'nin``),
    so the part before it is the word a reader searches for.

    >>> [t.text for t in (TurkishTokenizer() | ApostropheFilter())("TDT'nin Bişkek’teki")]
    ['TDT', 'Bişkek']
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = strip_apostrophe_suffix(token.text)
            if token.text:
                yield token

    def __repr__(self) -> str:
        return "ApostropheFilter()"


class TurkishLowerFilter(Filter):
    """Lower-case with :func:`turkish_lower`, so ``KIRGIZİSTAN`` and ``kırgızistan`` are one word.

    >>> [t.text for t in (TurkishTokenizer() | TurkishLowerFilter())("IĞDIR İzmir")]
    ['ığdır', 'izmir']
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = turkish_lower(token.text)
            yield token

    def __repr__(self) -> str:
        return "TurkishLowerFilter()"


class AbbreviationFilter(Filter):
    """A listed abbreviation as the name it stands for, so ``G.Saray'ın`` is indexed,
    searched and marked as ``Galatasaray`` (:mod:`search.text.abbreviations`).

    >>> [t.text for t in (TurkishTokenizer() | TurkishLowerFilter() | AbbreviationFilter())(
    ...     "G.Saraylılar ve F.Terim")]
    ['galatasaraylılar', 've', 'f', 'terim']
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = abbreviations.expand(token.text)
            yield token

    def __repr__(self) -> str:
        return "AbbreviationFilter()"


class TurkishStopFilter(Filter):
    """Drop Turkish function words; positions keep their gaps, so phrases stay exact.

    >>> [t.text for t in (TurkishTokenizer() | TurkishStopFilter())("ve toplantı ile")]
    ['toplantı']
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        stops = stopwords()
        for token in tokens:
            if token.text in stops:
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            token.stopped = False
            yield token

    def __repr__(self) -> str:
        return "TurkishStopFilter()"


class TurkishStemFilter(Filter):
    """Reduce a lower-cased word to its Snowball Turkish stem (``toplantıya`` -> ``toplantı``).

    >>> [t.text for t in (TurkishTokenizer() | TurkishStemFilter())("seçimlerde")]
    ['seçim']
    """

    is_morph = True

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = turkish_stem(token.text)
            yield token

    def __repr__(self) -> str:
        return "TurkishStemFilter()"


def turkish_analyzer(*, stop: bool = True, stem: bool = False) -> CompositeAnalyzer:
    """The Turkish chain, in the order the module docstring lists.

    ``stop=False`` gives the exact surface form (phrases and highlighting use it);
    ``stem=True`` the Snowball field. Keyboard spellings (``biskek``) are matched at query
    time through :func:`ascii_fold` of the indexed words, not by a field of their own.

    >>> [t.text for t in turkish_analyzer()("KIRGIZİSTAN'ın ve Bişkek'teki")]
    ['kırgızistan', 'bişkek']
    """
    chain = TurkishTokenizer() | ApostropheFilter() | TurkishLowerFilter() | AbbreviationFilter()
    if stop:
        chain = chain | TurkishStopFilter()
    if stem:
        chain = chain | TurkishStemFilter()
    return chain


WORD = re.compile(WORD_PATTERN)


def exact_form(word: str) -> str:
    """A tokenizer word's exact form: apostrophe suffix cut, Turkish lower case, a listed
    abbreviation as its name (steps 2-4).

    >>> exact_form("KIRGIZİSTAN’ın"), exact_form("G.Saray'ın")
    ('kırgızistan', 'galatasaray')
    """
    if word.isalnum() and MODIFIER_APOSTROPHE not in word:  # (ʼ is a letter to isalnum)
        return turkish_lower(word)
    return abbreviations.expand(turkish_lower(strip_apostrophe_suffix(word)))


def exact_forms(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, form)`` of each word of ``text`` in the exact-form chain (steps 1-4).

    The same tokens and texts as ``turkish_analyzer(stop=False)`` with ``chars=True``,
    without building whoosh tokens: snippets and phrase checks run this over whole bodies.

    >>> list(exact_forms("Bişkek'teki TOPLANTI"))
    [(0, 11, 'bişkek'), (12, 20, 'toplantı')]
    """
    forms: dict[str, str] = {}  # a word recurs: normalise it once
    for match in WORD.finditer(text):
        word = match.group()
        form = forms.get(word)
        if form is None:
            form = forms[word] = exact_form(word)
        if form:
            yield match.start(), match.end(), form


def joins_words(parts: list[str]) -> bool:
    """Whether words written as one (``parts``, apostrophe suffixes cut) are a word a reader
    searches as written: with a number and a letter (``F-16``, ``COVID-19``, ``4.5G``) or
    beginning with a single letter (``e-devlet``). Not two names (``ABD-Rusya``: written the
    other way round too), numbers alone (``2-0``, ``1.200``) or an ending letter that is a
    suffix (``İbn-i``).

    >>> [joins_words(p) for p in (["F", "16"], ["e", "devlet"], ["ABD", "Rusya"], ["2", "0"])]
    [True, True, False, False]
    """
    if len(parts) < 2:
        return False
    joined = "".join(parts)
    letter_first = len(parts[0]) == 1 and parts[0].isalpha()
    return letter_first or (
        any(char.isdigit() for char in joined) and any(char.isalpha() for char in joined)
    )


def joined_forms(text: str) -> list[str]:
    """The words of ``text`` written as one with a hyphen or a dot (:func:`joins_words`),
    each as its words' exact forms run together: ``F-16'nın`` and ``F.16`` -> ``f16``,
    ``e-Devlet`` -> ``edevlet``. Indexed beside the words (``title_joined`` and
    ``body_joined``), they find such a word without reading the articles' text; a query's
    word written so is looked up the same way.

    >>> joined_forms("F-16'nın yanında e-Devlet, ABD-Rusya ve 2-0; F-16/F-35")
    ['f16', 'edevlet', 'f16', 'f35']
    """
    forms = []
    taken = 0
    joiners = [found.start() for pattern in _JOINERS for found in pattern.finditer(text)]
    for at in sorted(joiners):
        if at < taken or not at or not text[at - 1].isalnum():
            continue  # inside a piece already read, or no word before the joiner
        start = at
        while start and not text[start - 1].isspace():
            start -= 1
        taken = _UNSPACED.match(text, at).end()
        piece = text[start:taken]
        if not _LETTER.search(piece):
            continue  # numbers alone: 1.200, 2-0
        for words in _joined_runs(piece):
            if joins_words([strip_apostrophe_suffix(word) for word in words]):
                forms.append("".join(exact_form(word) for word in words))
    return forms


def joined_form(text: str) -> str | None:
    """The joined form (:func:`joined_forms`) of ``text`` when its words are all one word
    written as one, else None (``F-16`` -> ``f16``; ``F-16/F-35``, ``F 16`` -> None)."""
    runs = _joined_runs(text)
    if len(runs) != 1 or len(runs[0]) != len(WORD.findall(text)):
        return None
    forms = joined_forms(text)
    return forms[0] if len(forms) == 1 else None


def _joined_runs(piece: str) -> list[list[str]]:
    """The runs of two or more words of ``piece`` with one hyphen or dot between each."""
    runs: list[list[str]] = []
    run: list[str] = []
    end = 0
    for match in WORD.finditer(piece):
        if not (run and piece[end : match.start()] in JOINERS):
            if len(run) > 1:
                runs.append(run)
            run = []
        run.append(match.group())
        end = match.end()
    if len(run) > 1:
        runs.append(run)
    return runs


JOINERS = ("-", ".")
#: A hyphen, and a dot, with a letter or a digit after it (the one before is checked
#: apart): a pattern beginning with one character is scanned for several times faster
#: than one beginning with a class of two.
_JOINERS = tuple(re.compile(re.escape(joiner) + r"(?=[^\W_])") for joiner in JOINERS)
_UNSPACED = re.compile(r"\S*")
_LETTER = re.compile(r"[^\W\d_]")


def index_terms(text: str, *, stop: bool = True, stem: bool = False) -> list[str]:
    """The token texts :func:`turkish_analyzer` gives ``text`` at index time (stop words
    dropped), without building whoosh tokens: the build analyses every article with it.

    >>> index_terms("Toplantıya ve Bişkek'teki toplantılara", stem=True)
    ['toplantı', 'bişkek', 'toplantı']
    """
    terms = [index_term(word, stop, stem) for word in WORD.findall(text)]
    return [term for term in terms if term]


@lru_cache(maxsize=100_000)
def index_term(word: str, stop: bool, stem: bool) -> str:
    """One tokenizer word's index term ("" when the chain drops it); words recur across
    articles, so the answers are kept (the indexer clears them when it is done)."""
    return _term_of_form(exact_form(word), stop, stem)


class FormNumbers(dict):
    """The build's numbering of words, one segment's worth: each tokenizer word maps to the
    number of its exact form (steps 1-4), given on first sight, so a text's words become
    numbers with one dictionary look-up each (:meth:`numbers`); each chain's term of a form
    is worked out once per form (:meth:`chain`).

    >>> numbers = FormNumbers()
    >>> list(numbers.numbers("Toplantıya ve TOPLANTIYA")), numbers.forms
    ([0, 1, 0], ['toplantıya', 've'])
    >>> chain = numbers.chain(stop=True, stem=True)
    >>> chain.terms, list(chain.kept)  # "ve" is a stop word: dropped
    (['toplantı'], [1, 0])
    """

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[str] = []  # form number -> exact form
        self._number_of_form: dict[str, int] = {}
        self._chains: dict[tuple[bool, bool], ChainTerms] = {}
        self._of_piece = _PieceNumbers(self)

    def __missing__(self, word: str) -> int:
        form = exact_form(word)
        number = self._number_of_form.get(form)
        if number is None:
            number = self._number_of_form[form] = len(self.forms)
            self.forms.append(form)
        self[word] = number
        return number

    def numbers(self, text: str) -> array:
        """The form number of each word of ``text``, in order; the numbers of two texts
        joined by a blank line are the two arrays joined.

        A word never holds a space, so the text is cut at spaces first and each piece
        (``Bişkek'te``, ``dün,``) looked up whole: pieces recur as words do, and cutting at
        spaces takes a third of the time of finding words."""
        return array(
            "I", itertools.chain.from_iterable(map(self._of_piece.__getitem__, text.split()))
        )

    def chain(self, *, stop: bool, stem: bool) -> ChainTerms:
        """The chain's terms of every form numbered so far."""
        chain = self._chains.get((stop, stem))
        if chain is None:
            chain = self._chains[stop, stem] = ChainTerms(stop, stem)
        chain.learn(self.forms)
        return chain


class _PieceNumbers(dict):
    """A space-free piece of text -> the form numbers of its words (most pieces: one)."""

    def __init__(self, words: FormNumbers) -> None:
        super().__init__()
        self._words = words

    def __missing__(self, piece: str) -> tuple[int, ...]:
        core = piece.strip(_EDGE_MARKS)  # "(Ankara," -> "Ankara": most pieces are one word
        if core.isalnum():
            numbers = self[piece] = (self._words[core],)
        else:
            numbers = self[piece] = tuple(map(self._words.__getitem__, WORD.findall(core)))
        return numbers


#: Marks that never belong to a word, so a piece with them at its edges holds the words
#: it holds without them (an apostrophe belongs to a word only between two parts of it;
#: ``ʼ`` is a letter to the tokenizer, so it stays).
_EDGE_MARKS = '.,;:!?"()[]{}<>«»“”„…-–—/*+=%&#@|~^`$' + "'\u2019\u2018\u00b4\u2032"


class ChainTerms:
    """One chain's terms of the forms of a :class:`FormNumbers`: ``of_form[n]`` is the number
    of form n's term in ``terms``, ``kept[n]`` 0 when the chain drops form n (a stop word's
    term is "", as in :func:`index_terms`)."""

    DROPPED = 0xFFFFFFFF

    def __init__(self, stop: bool, stem: bool) -> None:
        self.stop = stop
        self.stem = stem
        self.terms: list[str] = []
        self.of_form = array("I")
        self.kept = bytearray()
        self.drops = False  # whether any form is dropped
        self._number: dict[str, int] = {}

    def learn(self, forms: list[str]) -> None:
        """The terms of the forms not seen yet."""
        new = forms[len(self.of_form) :]
        if not (self.stop or self.stem or "" in new):  # each form its own term
            first = len(self.terms)
            self.terms.extend(new)
            self.of_form.extend(range(first, first + len(new)))
            self.kept.extend(bytes([1]) * len(new))
            return
        for term in _terms_of_forms(new, self.stop, self.stem) if new else ():
            if not term:
                self.of_form.append(self.DROPPED)
                self.kept.append(0)
                self.drops = True
                continue
            number = self._number.get(term)
            if number is None:
                number = self._number[term] = len(self.terms)
                self.terms.append(term)
            self.of_form.append(number)
            self.kept.append(1)

    def length(self, numbers: array) -> int:
        """How many of the forms ``numbers`` the chain keeps (a text's length in it)."""
        if not self.drops or not numbers:
            return len(numbers)
        kept = np.frombuffer(self.kept, np.uint8)  # (a view: let go before kept grows)
        try:
            return int(np.count_nonzero(kept[np.frombuffer(numbers, np.uint32)]))
        finally:
            del kept


def _terms_of_forms(forms: list[str], stop: bool, stem: bool) -> list[str]:
    """:func:`_term_of_form` of each of ``forms``, the stems asked for in one call."""
    stops = stopwords() if stop else frozenset()
    terms = [form if form and form not in stops else "" for form in forms]
    if stem:
        kept = [term for term in terms if term]
        stems = iter(_stemmer().stemWords(kept))
        terms = [next(stems) if term else "" for term in terms]
    return terms


def _term_of_form(form: str, stop: bool, stem: bool) -> str:
    """A word's index term from its exact form (steps 5-6; "" when dropped). Its callers
    keep the answers themselves, so the stem is not kept again in :func:`turkish_stem`."""
    if not form or (stop and form in stopwords()):
        return ""
    return turkish_stem.__wrapped__(form) if stem else form


def analyze(text: str, *, stop: bool = True, stem: bool = False) -> list[str]:
    """Token texts of ``text`` through :func:`turkish_analyzer` (for queries and tests)."""
    analyzer = cached_analyzer(stop, stem)
    return [token.text for token in analyzer(compose(text))]


@cache
def cached_analyzer(stop: bool, stem: bool) -> CompositeAnalyzer:
    """One shared instance of each analyzer variant."""
    return turkish_analyzer(stop=stop, stem=stem)
