""" "Did you mean": a close, frequent indexed word for a query word that finds little, or
that no article holds."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, TypeVar

from search.searching import budget
from search.searching.query import clean_query, parse_query
from search.shared import SharedCache
from search.text.analysis import analyze, ascii_fold, question_words, stopwords
from search.text.dictionary import is_name, is_word_or_inflection
from search.text.morphology import is_suffix_chain

if TYPE_CHECKING:
    from search.searching.vocabulary import Vocabulary

MIN_WORD_LENGTH = 4
#: Words of one query looked up in the word list (each lookup walks it, so a query of
#: many misspelt words costs that many walks); the later ones are left as written.
MAX_SUGGESTED_WORDS = 4
#: A search finding fewer articles than this is given a suggestion.
SUGGEST_BELOW = 3
#: A correction is the likeliest near word: the log of how often the articles use it, less
#: this much per unit of :func:`edit_distance`. A word one unit farther must be used about
#: e³ ≈ 20 times as often to win (``istnabul`` is ``istanbul``, a swap, not the corpus's one
#: ``istabul``, a letter dropped), one a whole letter farther about 400 times (``gres`` is
#: ``güreş``, not ``göre``); words farther than the nearest by more than
#: :data:`NEAR_ENOUGH` units are not weighed.
COST_WEIGHT = 3.0
NEAR_ENOUGH = 2
#: A word at most this many articles use, in at most this many forms, may be a typo they
#: share (``galatasray``): a near word far more used is suggested beside its results.
RARE_WORD_USES = 2
RARE_WORD_FORMS = 3
RARE_WORD_RATIO = 10
#: A suggestion's results are shown at once (``corrected``) only when each word it changes
#: costs at most this many units of :func:`edit_distance` per letter typed: two letters
#: dropped from a long word (``kırgıstan``, ``galatasry``) or one from a short one
#: (``gres``) are a reader's slips; two letters too many in a rare name (``Ögelman``)
#: turning it into a common word (``olman``) are not, and only the suggestion is shown.
SURE_COST_PER_LETTER = 0.5
#: What a space left out between two words costs, in units of :func:`edit_distance`: as a
#: letter left out does (``merkezbankası`` is ``merkez bankası``).
SPACE_COST = 2
#: Letters each of two words typed without the space between has at least (``akparti``).
MIN_SPLIT_PART = 2
#: Words at most that one typed word is read as, run together (``merkezbankasıfaizi``).
MAX_SPLIT_WORDS = 3
#: Letters each of three words typed without the spaces between has at least.
MIN_PART_OF_THREE = 3
#: Of two words typed without the space between, one the dictionary does not list (nor
#: as a name) must be this much used: ``ak`` of ``akparti`` is, ``öğel`` and ``man`` of
#: ``Ögelman`` are not (a rare name is no two words run together). This many articles at
#: least, and this share of them: the same bar at any size of the archive.
SPLIT_UNLISTED_USES = 50
SPLIT_UNLISTED_SHARE = 0.001
#: Query words whose correction a process keeps between queries: it depends only on the
#: reader, and walking the word list for it was a tenth of a long question's time.
CORRECTIONS_KEPT = 20_000

Ranked = TypeVar("Ranked")


def answer_or_correct(
    text: str,
    rank: Callable[[str], Ranked],
    total: Callable[[Ranked], int],
    suggestion_for: Callable[[str, Collection[str] | None], str | None],
    found_nowhere: Callable[[Ranked], Collection[str]],
    as_typed: bool = False,
) -> tuple[Ranked, str | None, str | None]:
    """``(ranked, suggestion, corrected)`` for ``text``, on either backend: ``rank(text)``
    with its suggestion (``suggestion_for(text, None)``: every word looked at) when it
    finds fewer than :data:`SUGGEST_BELOW` articles; when it finds none and the
    suggestion finds some, the suggestion's ranking instead, with ``corrected`` naming it
    (unless the reader asked for the words ``as_typed``).

    >>> found = {"kırgızistan": ["a"]}
    >>> answer_or_correct("kırgızstan", lambda t: found.get(t, []), len,
    ...                   lambda t, only: "kırgızistan", lambda ranked: ())
    (['a'], None, 'kırgızistan')
    >>> answer_or_correct("kırgızstan", lambda t: found.get(t, []), len,
    ...                   lambda t, only: "kırgızistan", lambda ranked: (), as_typed=True)
    ([], 'kırgızistan', None)

    A search finding more has a suggestion only when some of its words are in no article
    at all (``found_nowhere(ranked)``), and only those words are looked up: the reader of
    ``erdogn "ak parti"`` is shown what ``"ak parti"`` found, and asked whether they meant
    ``erdoğan``.

    >>> def suggestion_for(text, only):
    ...     return text.replace("erdogn", "erdoğan") if only == {"erdogn"} else None
    >>> answer_or_correct('erdogn "ak parti"', lambda t: ["a", "b", "c"], len,
    ...                   suggestion_for, lambda ranked: {"erdogn"})
    (['a', 'b', 'c'], 'erdoğan "ak parti"', None)
    >>> answer_or_correct("ak parti", lambda t: ["a", "b", "c"], len,
    ...                   suggestion_for, lambda ranked: set())
    (['a', 'b', 'c'], None, None)
    """
    ranked = rank(text)
    if total(ranked) < SUGGEST_BELOW:
        suggestion = suggestion_for(text, None)
    else:
        words = found_nowhere(ranked)
        suggestion = suggestion_for(text, words) if words else None
    if total(ranked) == 0 and suggestion and not as_typed and is_sure(text, suggestion):
        better = rank(suggestion)
        if total(better):
            return better, None, suggestion
    return ranked, suggestion, None


def is_sure(text: str, suggestion: str) -> bool:
    """Whether every word ``suggestion`` changes in ``text`` is near enough to be read as a
    slip (:data:`SURE_COST_PER_LETTER`); two words typed without the space between are
    one (``merkezbankası``). Three are not (``merkezbankasıfaizi``): more cuts find more
    wrong words (``aşıpaşazade``, a name no article holds, as ``aşı pas azade``), so
    they are only suggested.

    >>> is_sure("kırgıstan", "kırgızistan"), is_sure("Ögelman", "olman")
    (True, False)
    >>> is_sure("deprm 2023", "deprem 2023"), is_sure("gres", "güreş")
    (True, True)
    >>> is_sure("merkezbankasi faiz", "merkez bankası faiz"), is_sure("ak", "ak parti")
    (True, False)
    >>> is_sure("merkezbankasıfaizi", "merkez bankası faizi")
    False
    """
    typed = _words(text)
    suggested = _words(suggestion)
    place = 0
    for word in typed:
        folded = ascii_fold(word)
        pair = suggested[place : place + 2]
        if len(pair) == 2 and ascii_fold("".join(pair)) == folded:
            place += 2  # the space left out
            continue
        if place == len(suggested):
            return False
        better = ascii_fold(suggested[place])
        if edit_distance(folded, better) > SURE_COST_PER_LETTER * len(folded):
            return False
        place += 1
    return place == len(suggested)


def _words(text: str) -> list[str]:
    """The words of ``text`` as :func:`suggest` reads them, one by one."""
    words = []
    for clause in parse_query(text).clauses:
        if clause.phrase or clause.prefix or clause.field:
            words.append(clause.text)
        else:
            words += analyze(clause.text, stop=False)
    return words


def suggest(text: str, vocabulary: Vocabulary, only: Collection[str] | None = None) -> str | None:
    """The query with misspelt words replaced, or None when nothing better is indexed.

    Only the words searched are looked at (neither prefixes, categories nor excluded
    words), and of those only the ones in ``only`` when it is given (as
    :func:`~search.text.analysis.analyze` gives them); each is replaced where it stands,
    inside a phrase's quotes too: the rest of the query (``-derbi``, ``OR``,
    ``category:spor``, quotes) stays as the reader wrote it. At most
    :data:`MAX_SUGGESTED_WORDS` words are looked up, and none after the first once the
    request's budget is spent (:mod:`search.searching.budget`).

    Words are compared folded (so ``toplanti`` is no misspelling of ``toplantı``); the
    replacement is written the way the articles most often write it (``kırgızistan``).
    A word with a digit (a year, a score, a model: ``S400``, ``F16``) is kept as typed:
    the indexed words near it are other codes (``s40``, a car), not what was meant.
    """
    cleaned = clean_query(text)
    pieces: list[str] = []
    last = 0
    lookups = MAX_SUGGESTED_WORDS

    def corrected(word: str) -> str:
        nonlocal lookups
        if only is not None and word not in only:
            return word  # the search found it: kept as typed
        if any(char.isdigit() for char in word):
            return _number_apart(word, vocabulary) or word  # a code, but for a number run on
        better = None
        if lookups == MAX_SUGGESTED_WORDS or (lookups and not budget.exhausted()):
            better, walked = _better_word(word, vocabulary)
            lookups -= walked
        return better or word

    for clause in parse_query(cleaned).clauses:
        if not clause.correctable() or not clause.span:
            continue
        start, end = clause.span
        if clause.phrase:
            replacement = _phrase_corrected(cleaned[start:end], corrected)
        else:
            words = analyze(clause.text, stop=False)
            replaced = [corrected(word) for word in words]
            replacement = " ".join(replaced) if replaced != words else None
        if replacement is not None:
            pieces += [cleaned[last:start], replacement]
            last = end
    return "".join([*pieces, cleaned[last:]]) if pieces else None


def _phrase_corrected(inside: str, corrected: Callable[[str], str]) -> str | None:
    """The text between a phrase's quotes with each misspelt word corrected where it
    stands, or None when none is: the phrase stays exact, so a word's suffix after an
    apostrophe, and what stands between the words, stay as typed.

    >>> better = {"kırgıstan": "kırgızistan"}
    >>> _phrase_corrected("Kırgıstan'daki  seçim", lambda word: better.get(word, word))
    "kırgızistan'daki  seçim"
    >>> _phrase_corrected("seçim sonucu", lambda word: word) is None
    True
    """
    pieces = re.split(r"(\s+)", inside)
    changed = False
    for number, piece in enumerate(pieces):
        written = _LEADING_WORD.match(piece)
        words = analyze(piece, stop=False) if written else []
        if len(words) == 1 and (better := corrected(words[0])) != words[0]:
            pieces[number] = better + piece[written.end() :]
            changed = True
    return "".join(pieces) if changed else None


#: The word a piece of a phrase starts with, up to an apostrophe or a punctuation mark.
_LEADING_WORD = re.compile(r"\w+")
#: A number and a word of four letters or more, typed without the space between.
_NUMBER_AND_WORD = re.compile(r"(\d+)([^\W\d_]{4,})|([^\W\d_]{4,})(\d+)")


def _number_apart(word: str, vocabulary: Vocabulary) -> str | None:
    """A number and a word typed without the space between, apart (``yüzde50``:
    ``yüzde 50``, ``2023seçimleri``: ``2023 seçimleri``), when the word is one the dictionary
    lists (or an inflection of one) and some article holds each; None for any other word
    with a digit, a code among them (``XR900``, ``H1N1``)."""
    match = _NUMBER_AND_WORD.fullmatch(word)
    if match is None:
        return None
    number, letters = (match[1], match[2]) if match[1] else (match[4], match[3])
    folded = ascii_fold(letters)
    if not (is_word_or_inflection(letters, folded) and vocabulary.is_indexed(folded)):
        return None
    if not vocabulary.is_indexed(number):
        return None
    return f"{number} {letters}" if match[1] else f"{letters} {number}"


def _uses_if_rare(folded: str, vocabulary: Vocabulary) -> int | None:
    """How many articles use the word (0: none), when that is at most
    :data:`RARE_WORD_USES`; None for a word in common use."""
    forms = vocabulary.forms(folded)
    if len(forms) > RARE_WORD_FORMS:
        return None
    uses = sum(vocabulary.body_frequency(form) for form in forms)
    return uses if uses <= RARE_WORD_USES else None


_kept_corrections = SharedCache(CORRECTIONS_KEPT)


def _better_word(word: str, vocabulary: Vocabulary) -> tuple[str | None, bool]:
    """The likeliest indexed word ``word`` misspells, or None; and whether working it out
    walks the word list (what the request's lookups are counted in). Worked out once per
    reader (:data:`CORRECTIONS_KEPT`); a kept one counts as a walk all the same, so that
    which words of a query are corrected does not depend on what the process has kept."""
    return _kept_corrections.get(
        (vocabulary.stamp, word), lambda: _likeliest_word(word, vocabulary)
    )


def _likeliest_word(word: str, vocabulary: Vocabulary) -> tuple[str | None, bool]:
    """What :func:`_better_word` gives, worked out."""
    folded = ascii_fold(word)
    if len(folded) < MIN_WORD_LENGTH or word in stopwords() or folded in question_words():
        return None, False  # (a question word is left out of the search, not misspelt)
    uses = _uses_if_rare(folded, vocabulary)
    if uses is None:
        return None, False  # found as written, or through a spelling or inflection, and used
    if uses and is_word_or_inflection(word, folded):
        return None, False  # a rare form of a word, not a typo (``derbiyi``)
    candidates = vocabulary.near_words(folded, distance=2)
    distances = {candidate: edit_distance(folded, candidate) for candidate in candidates}
    nearest = min(distances.values(), default=0)
    weighed = [  # (how likely, spelling, its uses): the articles' spelling of each near word
        (math.log1p(used) - COST_WEIGHT * distance, spelling, used)
        for candidate, distance in distances.items()
        if distance <= nearest + NEAR_ENOUGH
        for spelling in vocabulary.words(candidate)
        if spelling not in stopwords()  # (used everywhere, and never what a reader was after)
        for used in (vocabulary.body_frequency(spelling),)
    ]
    likely, spelling, used = max(weighed, default=(-math.inf, None, 0))
    split = _split(word, vocabulary)
    if split is not None and split[0] > likely:
        likely, spelling, used = split
    if uses and spelling and used < RARE_WORD_RATIO * uses:
        return None, True  # a rare word, but its neighbour is not much more used
    return spelling, True


def _split(word: str, vocabulary: Vocabulary) -> tuple[float, str, int] | None:
    """Two or three indexed words ``word`` may be, typed without the spaces between
    (``merkezbankası``, ``merkezbankasıfaizi``), as :func:`_better_word` weighs a near
    word: how likely (each space left out costs :data:`SPACE_COST`), the words as the
    articles most often write them, and how many articles use the rarest of them; None
    when no cut leaves indexed words that may stand alone."""
    best = None
    common = max(SPLIT_UNLISTED_USES, SPLIT_UNLISTED_SHARE * vocabulary.documents)
    for cuts in _cuts(ascii_fold(word), vocabulary.is_indexed, MAX_SPLIT_WORDS):
        ends = [*cuts, len(word)]
        pieces = [word[start:end] for start, end in zip([0, *cuts], ends, strict=True)]
        parts = [_commonest_spelling(piece, vocabulary) for piece in pieces]
        used = min(uses for uses, _ in parts)
        if not all(
            _may_stand_alone(spelling, uses, len(parts), common) for uses, spelling in parts
        ):
            continue
        likely = math.log1p(used) - COST_WEIGHT * SPACE_COST * len(cuts)
        if best is None or likely > best[0]:
            best = (likely, " ".join(spelling for _, spelling in parts), used)
    return best


def _cuts(folded: str, is_indexed: Callable[[str], bool], words: int) -> Iterator[list[int]]:
    """Where to cut ``folded`` into two to ``words`` indexed words of at least
    :data:`MIN_SPLIT_PART` letters each (a look each, before the articles' spellings are
    counted).

    >>> list(_cuts("akparti", {"ak", "parti", "akp", "arti"}.__contains__, 2))
    [[2], [3]]
    >>> list(_cuts("abcdef", {"ab", "cd", "ef", "cdef"}.__contains__, 3))
    [[2], [2, 4]]
    """
    for cut in range(MIN_SPLIT_PART, len(folded) - MIN_SPLIT_PART + 1):
        if not is_indexed(folded[:cut]):
            continue
        if is_indexed(folded[cut:]):
            yield [cut]
        if words > 2:
            for rest in _cuts(folded[cut:], is_indexed, words - 1):
                yield [cut, *(cut + later for later in rest)]


def _may_stand_alone(
    word: str, uses: int, words: int = 2, common: float = SPLIT_UNLISTED_USES
) -> bool:
    """Whether ``word``, used by ``uses`` articles, may be one of ``words`` words typed
    without the spaces between: a listed word or name some article uses, or of two words,
    another word in common use (used by ``common`` articles: :data:`SPLIT_UNLISTED_USES`,
    or :data:`SPLIT_UNLISTED_SHARE` of a larger archive's). Of three, each is a listed
    word (or its inflection) or name of :data:`MIN_PART_OF_THREE` letters or more, and no
    suffixes alone (``ini``, ``deki``): the more cuts, the more ways a misspelt word
    falls into short common pieces (``yapımı çizim ini``).

    >>> _may_stand_alone("ak", 5000), _may_stand_alone("ak", 5000, 3)
    (True, False)
    >>> _may_stand_alone("land", 60), _may_stand_alone("land", 60, common=217.6)
    (True, False)
    >>> _may_stand_alone("faizi", 3, 3), _may_stand_alone("faizi", 0, 3)
    (True, False)
    >>> _may_stand_alone("deki", 5000, 2), _may_stand_alone("deki", 5000, 3)
    (True, False)
    """
    if words > 2 and (len(word) < MIN_PART_OF_THREE or is_suffix_chain(ascii_fold(word))):
        return False
    if uses >= common and words == 2:
        return True
    return uses > 0 and (is_word_or_inflection(word) or is_name(word))


def _commonest_spelling(word: str, vocabulary: Vocabulary) -> tuple[int, str]:
    """How many articles use the indexed spelling of ``word`` the most used, and that
    spelling; ``(0, word)`` when none is indexed."""
    return max(
        (
            (vocabulary.body_frequency(spelling), spelling)
            for spelling in vocabulary.words(ascii_fold(word))
        ),
        default=(0, word),
    )


def edit_distance(one: str, other: str) -> int:
    """What turning ``one`` into ``other`` costs: 2 for each letter inserted or deleted, 3
    for each letter changed or swapped with its neighbour; every one-edit word costs less
    than any two-edit one. A reader drops or doubles a letter more often than types a
    wrong one: ``kırgıstan`` is nearer ``kırgızistan`` (two letters dropped) than
    ``kürdistan`` (two changed), and ``güreşş`` nearer ``güreş`` than ``gürses``. The
    correction weighs this against how often the articles use each word
    (:data:`COST_WEIGHT`). (whoosh has a plain one in ``whoosh.support``, which only
    ``search.storage`` may import.)

    >>> edit_distance("guress", "gures"), edit_distance("guress", "gunes")
    (2, 5)
    >>> edit_distance("kirgistan", "kirgizistan"), edit_distance("kirgistan", "kurdistan")
    (4, 6)
    >>> edit_distance("ab", "ba"), edit_distance("", "abc"), edit_distance("kitap", "kitap")
    (3, 6, 0)
    """
    previous, current = None, list(range(0, 2 * len(other) + 1, 2))
    for i, letter in enumerate(one, 1):
        before, previous, current = previous, current, [2 * i] + [0] * len(other)
        for j, other_letter in enumerate(other, 1):
            cost = 0 if letter == other_letter else 3
            current[j] = min(previous[j] + 2, current[j - 1] + 2, previous[j - 1] + cost)
            if i > 1 and j > 1 and letter == other[j - 2] and one[i - 2] == other_letter:
                current[j] = min(current[j], before[j - 2] + 3)
    return current[-1]
