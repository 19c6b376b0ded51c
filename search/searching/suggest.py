""" "Did you mean": a close, frequent indexed word for a query word that finds little."""

from __future__ import annotations

from typing import TYPE_CHECKING

from search.searching.query import parse_query
from search.text.analysis import analyze, ascii_fold, stopwords

if TYPE_CHECKING:
    from search.searching.querybuild import Vocabulary

MIN_WORD_LENGTH = 4


def suggest(text: str, vocabulary: Vocabulary) -> str | None:
    """The query with misspelt words replaced, or None when nothing better is indexed.

    Words are compared folded (so ``toplanti`` is no misspelling of ``toplantı``); the
    replacement is written the way the articles most often write it (``kırgızistan``).
    """
    changed = False
    words = []
    for clause in parse_query(text).clauses:
        if clause.phrase or clause.prefix or clause.field:
            words.append(clause.text)
            continue
        for word in analyze(clause.text, stop=False):
            better = _better_word(word, vocabulary)
            changed |= better is not None
            words.append(better or word)
    return " ".join(words) if changed else None


def _better_word(word: str, vocabulary: Vocabulary) -> str | None:
    folded = ascii_fold(word)
    if len(folded) < MIN_WORD_LENGTH or word in stopwords():
        return None
    if vocabulary.forms(folded):
        return None  # found as written, or through a spelling or inflection
    candidates = vocabulary.folded_corrector().suggest(folded, limit=5, maxdist=2, prefix=1)
    spellings = [word for c in candidates for word in vocabulary.words(c)]
    return max(spellings, key=vocabulary.body_frequency, default=None)
