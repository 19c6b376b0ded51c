"""Names Turkish news shortens to an initial, a dot and the rest: ``G.Saray``, ``F.Bahçe``.

Sports pages and headlines write ``G.Saray'ın`` for ``Galatasaray'ın`` (in the news archive,
300 articles say only ``G.Saray``, as many only ``F.Bahçe``). Split at the dot, such a word
would be ``g`` and ``saray`` (palace): a search for ``Galatasaray`` missed those articles,
one for ``saray`` found them. So a listed abbreviation is one word, and its exact form is
the full name with whatever follows the abbreviation (``G.Saraylılar`` ->
``galatasaraylılar``): it is indexed, searched and marked as the name. Typed without
Turkish letters (``F.Bahce``) it is the same word. An initial and a name that are not
listed (``F.Terim``, a person) stay two words.

A two-word name shortened so (``R.Madrid``, ``G.Kore``: :data:`SHORTENED_NAMES`) is one word
too, kept as written: the query side lets each word of the name find it
(:func:`shortened_with`) and reads it typed as the name's words (:func:`name_words`).
"""

from __future__ import annotations

import re

#: Abbreviation as news writes it -> the name it stands for (one word each). A change here
#: changes what an index holds: bump ``ANALYSIS_VERSION`` (search.text.analysis).
ABBREVIATIONS = {
    "G.Saray": "Galatasaray",
    "F.Bahçe": "Fenerbahçe",
    "G.Birliği": "Gençlerbirliği",
    "G.Antep": "Gaziantep",
    "A.Gücü": "Ankaragücü",
    "B.Şehir": "Başakşehir",
    "K.Maraş": "Kahramanmaraş",
    "Ş.Urfa": "Şanlıurfa",
    "K.Paşa": "Kasımpaşa",
    "M.Gladbach": "Mönchengladbach",
}

#: Two-word names news shortens the same way (``R.Madrid'i``). The abbreviation is one word,
#: kept as written (lower-cased): each word of the name also finds it (``madrid``, ``real``),
#: and a reader who types it searches the name's words (``real madrid``). A change here
#: changes what an index holds: bump ``ANALYSIS_VERSION``.
SHORTENED_NAMES = {
    "R.Madrid": "Real Madrid",
    "A.Madrid": "Atletico Madrid",
    "M.United": "Manchester United",
    "M.City": "Manchester City",
    "B.Dortmund": "Borussia Dortmund",
    "B.Mönchengladbach": "Borussia Mönchengladbach",
    "B.Münih": "Bayern Münih",
    "S.Donetsk": "Şahtar Donetsk",
    "A.Efes": "Anadolu Efes",
    "K.Karabükspor": "Kardemir Karabükspor",
    "Ç.Rizespor": "Çaykur Rizespor",
    "G.Kore": "Güney Kore",
    "K.Kore": "Kuzey Kore",
    "G.Afrika": "Güney Afrika",
    "K.Irak": "Kuzey Irak",
    "S.Arabistan": "Suudi Arabistan",
}

_FOLD = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")


def _lower(text: str) -> str:
    """Turkish lower case, for the table's own words (the analysis module, which has the
    general rule, imports this one)."""
    return text.replace("İ", "i").replace("I", "ı").lower()


def _upper(text: str) -> str:
    """Turkish capitals: ``i`` -> ``İ``, ``ı`` -> ``I``."""
    return text.replace("i", "İ").replace("ı", "I").upper()


#: Folded lower-case abbreviation -> the lower-case name (Turkish rules; as the
#: analysis chain's lower-casing step leaves a word).
_NAMES = {_lower(short).translate(_FOLD): _lower(name) for short, name in ABBREVIATIONS.items()}
#: The same for the two-word names: folded abbreviation -> the name's lower-case words.
_SHORTENED = {
    _lower(short).translate(_FOLD): tuple(_lower(name).split())
    for short, name in SHORTENED_NAMES.items()
}
#: ... and each one's words, folded.
_FOLDED_WORDS = {
    short: {word.translate(_FOLD) for word in words} for short, words in _SHORTENED.items()
}


def spellings(short: str) -> set[str]:
    """How an abbreviation is written: as listed, in capitals, in lower case, each also
    without Turkish letters."""
    written = {short, _upper(short), _lower(short)}
    return written | {spelling.translate(_FOLD) for spelling in written}


_LISTED = (*ABBREVIATIONS, *SHORTENED_NAMES)

#: A regular expression for the start of a word that is a listed abbreviation, in any of
#: its spellings (the same in Python and Java: literals and a look-ahead). A word
#: pattern tries it before a plain run of letters; the look-ahead on an initial and a dot
#: makes it fail at once everywhere else.
PATTERN = "(?=[{initials}]\\.)(?:{spellings})".format(
    initials="".join(sorted({s for short in _LISTED for s in spellings(short[0])})),
    spellings="|".join(
        re.escape(spelling)
        for spelling in sorted(
            {s for short in _LISTED for s in spellings(short)},
            key=lambda spelling: (-len(spelling), spelling),
        )
    ),
)


_FOLDS_TO = {"c": "cç", "g": "gğ", "i": "iı", "o": "oö", "s": "sş", "u": "uü"}


def replacements() -> list[tuple[str, str]]:
    """``(pattern, name)`` per abbreviation: a regular expression for a lower-cased word
    beginning with it, in any spelling :func:`expand` takes, and what replaces that
    beginning (for a search cluster's analysis, which replaces by pattern)."""
    return [("^" + _written(key), name) for key, name in _NAMES.items()]


def abbreviated(form: str) -> list[tuple[str, int]]:
    """How a lower-cased text may write ``form`` with a listed abbreviation for the name it
    begins with (as :func:`expand` reads it back): per abbreviation, a regular expression
    and the number of characters it matches.

    >>> abbreviated("galatasaraylılar"), abbreviated("saray")
    ([('[gğ]\\\\.[sş]aray(?:lılar)', 12)], [])
    """
    return [
        (_written(key) + f"(?:{re.escape(form[len(name) :])})", len(key) + len(form) - len(name))
        for key, name in _NAMES.items()
        if form.startswith(name)
    ]


def _written(key: str) -> str:
    """A regular expression for the lower-cased spellings of a folded abbreviation."""
    return "".join(f"[{_FOLDS_TO[c]}]" if c in _FOLDS_TO else re.escape(c) for c in key)


def expand(form: str) -> str:
    """A lower-cased word (apostrophe suffix cut) with a listed abbreviation at its start
    as the name it stands for; any other word as it is.

    >>> expand("g.saraylılar"), expand("f.bahce"), expand("f.terim")
    ('galatasaraylılar', 'fenerbahçe', 'f.terim')
    """
    short = _listed_start(form, _NAMES)
    return _NAMES[short] + form[len(short) :] if short else form


def _listed_start(form: str, table: dict[str, object]) -> str:
    """The folded abbreviation of ``table`` that a lower-cased word begins with, or ""."""
    if "." in form:
        for short in table:
            if form[: len(short)].translate(_FOLD) == short:
                return short
    return ""


def initials_of(starts: frozenset[str]) -> frozenset[str]:
    """The folded initials of the abbreviations whose names can begin with one of
    ``starts`` (folded word starts of one or two letters): a highlighter looking for
    words with those starts must look at words with these initials too.

    >>> sorted(initials_of(frozenset({"ga", "x"})))
    ['g']
    """
    found = set()
    for short, name in _NAMES.items():
        folded = name.translate(_FOLD)
        if any(start and folded.startswith(start) for start in starts):
            found.add(short[0])
    return frozenset(found)


def name_words(form: str) -> list[str]:
    """The words of the two-word name a lower-cased word (apostrophe suffix cut) begins
    with, whatever follows the abbreviation kept on the last one; none for another word.

    >>> name_words("r.madridli"), name_words("g.kore"), name_words("g.saray")
    (['real', 'madridli'], ['güney', 'kore'], [])
    """
    short = _listed_start(form, _SHORTENED)
    if not short:
        return []
    words = _SHORTENED[short]
    return [*words[:-1], words[-1] + form[len(short) :]]


def shortened_with(folded_word: str) -> list[str]:
    """The folded two-word abbreviations whose name holds ``folded_word`` as one of its
    words: where an article writes one, it writes the word.

    >>> shortened_with("madrid"), shortened_with("guney"), shortened_with("saray")
    (['r.madrid', 'a.madrid'], ['g.kore', 'g.afrika'], [])
    """
    return [short for short, words in _SHORTENED.items() if folded_word in _FOLDED_WORDS[short]]
