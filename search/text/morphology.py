"""Turkish inflection: which indexed words are forms of the word a reader typed.

Snowball Turkish alone is inconsistent (``toplantı`` -> ``topla`` but ``toplantıya`` ->
``toplantı``), so a dictionary-form query would miss the inflected forms. Instead, a query
word is expanded against the index's own vocabulary: every indexed word that is the query
word plus a valid chain of noun suffixes (plural, possessive, case, ``-ki``, copula) is a
form of it. The grammar works on ASCII-folded text, so it serves words typed with or
without Turkish letters alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

VOWELS = frozenset("aeiou")

# Folded suffix slots, in order, each optional; A = a/e, I = ı/i/u/ü (folded to i/u). An
# alternative is letters, ``[..]`` classes and ``?`` (the letter or class before it optional).
_SLOTS = (
    ("l[ae]r",),  # plural
    ("[iu]?m[iu]z", "[iu]?n[iu]z", "[iu]?m", "[iu]?n", "s?[iu]", "l[ae]r[iu]"),  # possessive
    (  # case, -ki
        "[ny]?[iu]", "[ny]?[ae]", "n?[iu]n", "n?[dt][ae]n", "n?[dt][ae]", "y?l[ae]", "n?c[ae]",
        "n?[dt][ae]ki", "n?[iu]nki", "ki",
    ),
    ("[dt][iu]r", "y?d[iu]", "y?m[iu]s", "y?s[ae]", "y?k[ae]n"),  # copula
)  # fmt: skip
SUFFIX_CHAIN = re.compile("".join(f"(?:{'|'.join(slot)})?" for slot in _SLOTS))
#: Each alternative's optional first letters (a joining consonant or vowel), "" for none.
_OPTIONAL_FIRST = {
    (number, alternative): (match.group(1).strip("[]") if match else "")
    for number, slot in enumerate(_SLOTS)
    for alternative in slot
    for match in [re.match(r"(\[[a-z]+\]|[a-z])\?", alternative)]
}


def _expand(alternative: str) -> list[str]:
    """Every string an alternative of :data:`_SLOTS` stands for.

    >>> _expand("n?[dt]a")
    ['da', 'ta', 'nda', 'nta']
    """
    units = re.findall(r"(\[[a-z]+\]|[a-z])(\??)", alternative)
    strings = [""]
    for unit, optional in units:
        letters = list(unit.strip("[]"))
        grown = [text + letter for text in strings for letter in letters]
        strings = strings + grown if optional else grown
    return strings


#: The possessives of the third person (``-(s)ı``, ``-ları``): a case suffix after one
#: joins with n (``kitabına``, ``kitabında``), the instrumental with y (``kitabıyla``).
_THIRD_PERSON = frozenset({(1, "s?[iu]"), (1, "l[ae]r[iu]")})


@cache
def suffix_chains() -> frozenset[str]:
    """Every suffix chain :data:`SUFFIX_CHAIN` matches whose suffixes are joined to each
    other as Turkish joins them (:func:`_joins`): ``larına``, not ``lara`` read as
    ``-ları`` + ``-a``. Set membership is much quicker than the pattern, which backtracks
    through its optional slots."""
    chains: set[tuple[str, tuple[int, str] | None]] = {("", None)}
    for number, slot in enumerate(_SLOTS):
        endings = [
            (buffer, body, (number, alternative))
            for alternative in slot
            for buffer, body in _buffered(alternative)
        ]
        chains |= {
            (chain + buffer + body, kind)
            for chain, last in chains
            for buffer, body, kind in endings
            if not chain or _joins(chain, last, buffer, body, kind)
        }
    return frozenset(chain for chain, _ in chains)


def _buffered(alternative: str) -> list[tuple[str, str]]:
    """``(joining letter, the rest)`` of every string an alternative of :data:`_SLOTS`
    stands for; the joining letter is its optional first letter, or "" (absent, or none).

    >>> _buffered("n?[dt]a")
    [('', 'da'), ('', 'ta'), ('n', 'da'), ('n', 'ta')]
    """
    first = re.match(r"(\[[a-z]+\]|[a-z])\?", alternative)
    if not first:
        return [("", body) for body in _expand(alternative)]
    bodies = _expand(alternative[first.end() :])
    letters = ["", *first.group(1).strip("[]")]
    return [(letter, body) for letter in letters for body in bodies]


def _joins(
    chain: str, last: tuple[int, str] | None, buffer: str, body: str, kind: tuple[int, str]
) -> bool:
    """Whether a suffix (its optional joining letter ``buffer`` and the rest, ``body``) of
    the slot and alternative ``kind`` follows ``chain``, whose last suffix was ``last``:
    after a consonant, no joining consonant and the joining vowel (``-lerimiz``,
    ``-lerde``); after a vowel, a joining consonant and no joining vowel (``-sına``,
    ``-daydı``), n for a case after a third person's possessive (y for the instrumental),
    and never two vowels in a row.

    >>> [is_suffix_chain(s) for s in ("larina", "lara", "ida", "iyle", "lerya", "daydi")]
    [True, True, False, True, False, True]
    """
    optional = _OPTIONAL_FIRST[kind]
    after_vowel = chain[-1] in VOWELS
    if optional[:1] in VOWELS:  # (a joining vowel: -ım, -ımız)
        return bool(buffer) != after_vowel
    if not after_vowel:
        return not buffer
    if optional:
        if last in _THIRD_PERSON and kind[0] == 2:
            return buffer == ("y" if kind[1] == "y?l[ae]" else "n")
        return bool(buffer) and buffer != "s"
    if last in _THIRD_PERSON and kind[0] == 2:
        return False  # (-ki follows a genitive or a locative, not a possessive)
    return body[:1] not in VOWELS


#: Final consonants that soften before a vowel-initial suffix (kitap -> kitabı), folded.
_SOFTENING = {"p": "b", "t": "d", "k": "g", "c": "c"}
_HARDENING = {soft: hard for hard, soft in _SOFTENING.items() if soft != hard}
#: ... after a vowel or one of these consonants (``kalbi``, ``rengi``, ``yurdu``); after
#: another they stay (``aşkı``, ``riski``), as they do in an abbreviation (``AKP'nin``).
_SOFTENS_AFTER = VOWELS | frozenset("nrl")

#: Words that lose their last vowel before a vowel-initial suffix (şehir -> şehri), folded.
_VOWEL_DROPPING = frozenset(
    "sehir isim resim agiz burun ogul akil fikir hukum zihin keyif sekil sabir vakit "
    "beyin omur nehir karin alin boyun gogus omuz kayip nesil".split()
)

MIN_BASE_LENGTH = 2
#: The shortest dictionary form an inflected query word is traced back to: three letters,
#: as many everyday nouns have (``yılda`` -> ``yıl`` -> ``yılı``, ``dilde`` -> ``dil``).
MIN_LEMMA_LENGTH = 3
#: A dictionary form shorter than this is tried only when no longer one is found (``isimle``
#: is ``isim`` + ``-le``, not ``isi`` + ``-mle``), and never with its last consonant
#: softened: a word of one syllable seldom softens (``aldı`` is no form of ``alt``).
SHORT_LEMMA_LENGTH = 4
MAX_EXPANSIONS = 64


def is_suffix_chain(suffix: str) -> bool:
    """True when ``suffix`` (folded) is a chain of Turkish noun suffixes, or empty.

    >>> [is_suffix_chain(s) for s in ("", "ya", "nin", "larinda", "ci", "et")]
    [True, True, True, True, False, False]
    """
    return suffix in suffix_chains()


def stem_variants(base: str) -> list[tuple[str, bool]]:
    """The prefixes an inflected form of ``base`` starts with, and whether the suffix after
    that prefix must start with a vowel (``kitap`` -> ``kitab`` + vowel).

    >>> stem_variants("kitap")
    [('kitap', False), ('kitab', True)]
    >>> stem_variants("sehir")
    [('sehir', False), ('sehr', True)]
    >>> stem_variants("kalp"), stem_variants("akp")
    ([('kalp', False), ('kalb', True)], [('akp', False)])
    """
    variants = [(base, False)]
    last = base[-1:]
    soft = _SOFTENING.get(last)
    if soft and soft != last and len(base) > 2 and base[-2] in _SOFTENS_AFTER:
        variants.append((base[:-1] + soft, True))
    if base in _VOWEL_DROPPING:
        variants.append((base[:-2] + base[-1], True))
    return variants


def is_inflection(fold: str, cut: int, needs_vowel: bool = False) -> bool:
    """Whether what follows the first ``cut`` letters of ``fold`` (a folded word) is a
    suffix chain, starting with a vowel when ``needs_vowel``, its d and t as the letters
    before them want (:func:`assimilated`), joined as an article joins it (:func:`joined`).

    >>> is_inflection("kitabi", 5, needs_vowel=True), is_inflection("toplamak", 5)
    (True, False)
    >>> is_inflection("kitapta", 5), is_inflection("kitapda", 5), is_inflection("kirgiztan", 6)
    (True, False, False)
    """
    if needs_vowel and fold[cut : cut + 1] not in VOWELS:
        return False
    return fold[cut:] in suffix_chains() and assimilated(fold, cut) and joined(fold, cut)


#: Folded letters a suffix's d follows as t (``kitapta``, ``Kırgızistan'dan`` but
#: ``sokakta``): f, h, k, p, s (s and ş), t. ç folds to c, as the voiced c does: after c
#: either is taken.
_VOICELESS = frozenset("fhkpst")


def assimilated(fold: str, cut: int) -> bool:
    """Whether the suffixes after the first ``cut`` letters of ``fold`` (a folded word) fit
    the letters before them: each d or t is the one the letter before it takes (t after a
    voiceless consonant, d after any other letter; every d and t of the suffix chains
    alternates so), and a base ending in a vowel takes no suffix beginning with one (it
    takes ``-ye``, ``-yi``, ``-si``, ``-nin``: ``fenerbahcee`` is no form of
    ``fenerbahce``).

    >>> assimilated("evde", 2), assimilated("evte", 2), assimilated("sokakta", 5)
    (True, False, True)
    >>> assimilated("agactan", 5), assimilated("agacdan", 5), assimilated("kitaplarda", 5)
    (True, True, True)
    >>> assimilated("fenerbahcee", 10), assimilated("fenerbahceye", 10)
    (False, True)
    """
    if 0 < cut < len(fold) and fold[cut - 1] in VOWELS and fold[cut] in VOWELS:
        return False
    for place in range(max(cut, 1), len(fold)):
        letter, before = fold[place], fold[place - 1]
        if letter in "dt" and before != "c" and (letter == "t") != (before in _VOICELESS):
            return False
    return True


def suffix_letters(word: str, cut: int) -> bool:
    """Whether the letters of ``word`` (as the articles write it) after its first ``cut``
    can be a suffix chain's. The folded letters are checked already; of what they stand
    for, no suffix has a ğ, and only the copula ``-(y)mış`` a ş, as the word's last letter:
    ``batışı`` is no ``batı`` + ``-sı``, ``evdeymiş`` is ``ev`` + ``-de`` + ``-ymiş``.

    >>> suffix_letters("batısı", 4), suffix_letters("batışı", 4), suffix_letters("ağaç", 2)
    (True, False, True)
    >>> suffix_letters("evdeymiş", 2), suffix_letters("evdeyşi", 2), suffix_letters("ağa", 1)
    (True, False, False)
    """
    rest = word[cut:]
    if "ğ" in rest:
        return False
    place = rest.find("ş")
    return place < 0 or (place == len(rest) - 1 and rest[place - 2 : place - 1] == "m")


def joined(fold: str, cut: int) -> bool:
    """Whether the suffixes after the first ``cut`` letters of ``fold`` (a folded word)
    are joined to them as the articles join them: the ``y`` and ``n`` that join a suffix
    to a vowel (``-ya``, ``-yla``, ``-nın``, ``-nda``) do not follow a vowel and a
    consonant, so ``vanya`` is no form of ``van`` (its dative is ``vana``), nor ``beyne``
    (brain) of ``bey``. A base ending in two consonants keeps them: most are abbreviations
    read letter by letter (``ABD'nin``, ``TBMM'ye``, written without the apostrophe too).
    Asked of the indexed words a query word expands to, not of the query word itself: a
    reader's ``Başbakanydı`` is still read as ``başbakan`` (:func:`lemma_candidates`).

    >>> joined("vanya", 3), joined("vana", 3), joined("kolaya", 5), joined("kaleye", 4)
    (False, True, True, True)
    >>> joined("beyne", 3), joined("beyin", 3), joined("abdnin", 3), joined("tbmmye", 4)
    (False, True, True, True)
    """
    if not 0 < cut < len(fold) or fold[cut] not in "yn" or fold[cut - 1] in VOWELS:
        return True
    return cut < 2 or fold[cut - 2] not in VOWELS


def inflections(base: str, inflected: Callable[[str, bool], Iterable[str]]) -> list[str]:
    """Indexed words that are ``base`` (folded) plus a valid suffix chain.

    ``inflected(prefix, needs_vowel)`` lists, sorted, the indexed words whose ASCII fold
    is the (folded) ``prefix`` then a suffix chain (:func:`is_inflection`); they are
    returned as indexed, Turkish letters and all, at most :data:`MAX_EXPANSIONS`.

    >>> from search.text.analysis import ascii_fold
    >>> vocab = ["toplam", "toplanmak", "toplantı", "toplantının", "toplantıya"]
    >>> def inflected(prefix, needs_vowel):
    ...     return [t for t in vocab if ascii_fold(t).startswith(prefix)
    ...             and is_inflection(ascii_fold(t), len(prefix), needs_vowel)]
    >>> inflections("toplanti", inflected)
    ['toplantı', 'toplantının', 'toplantıya']
    """
    if len(base) < MIN_BASE_LENGTH:
        return []
    found: list[str] = []
    for prefix, needs_vowel in stem_variants(base):
        for term in inflected(prefix, needs_vowel):
            found.append(term)
            if len(found) >= MAX_EXPANSIONS:
                return found
    return found


def lemma_candidates(word: str, is_indexed: Callable[[str], bool]) -> list[str]:
    """Dictionary forms an inflected query word (folded) may come from, longest first.

    A split counts only when what is left is itself an indexed word, so ``toplantiya``
    gives ``toplanti`` but never a fragment like ``toplant``.

    >>> lemma_candidates("kitabi", lambda w: w in {"kitap"})
    ['kitap']
    >>> lemma_candidates("toplantiya", lambda w: w in {"toplanti", "toplantiya"})
    ['toplanti']
    >>> lemma_candidates("yilda", lambda w: w in {"yil", "yilda"})
    ['yil']
    """
    candidates: list[str] = []
    for cut in range(len(word) - 1, MIN_LEMMA_LENGTH - 1, -1):
        if cut < SHORT_LEMMA_LENGTH and candidates:
            break
        stem, suffix = word[:cut], word[cut:]
        if not is_suffix_chain(suffix) or not assimilated(word, cut):
            continue
        options = [stem]
        if (
            suffix[0] in VOWELS
            and stem[-1] in _HARDENING
            and cut >= SHORT_LEMMA_LENGTH
            and stem[-2] in _SOFTENS_AFTER
        ):
            options.append(stem[:-1] + _HARDENING[stem[-1]])
        for option in options:
            if option not in candidates and is_indexed(option):
                candidates.append(option)
    return candidates
