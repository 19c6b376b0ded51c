""" "Did you mean": a close, frequent indexed word for a query word that finds little."""

from __future__ import annotations

from typing import TYPE_CHECKING

from search.analysis import analyze, ascii_fold, stopwords
from search.query import parse_query

if TYPE_CHECKING:
    from search.querybuild import Vocabulary

FOLD_FIELD = "body_fold"
EXACT_FIELD = "body"
MIN_WORD_LENGTH = 4
MIN_FREQUENCY = 1
_TURKISH_VARIANTS = {"c": "cç", "g": "gğ", "i": "iı", "o": "oö", "s": "sş", "u": "uü"}


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
    if any(vocabulary.is_indexed(form) for form in vocabulary.forms(folded)):
        return None  # found as written, or through an inflection: not a misspelling
    corrector = vocabulary.corrector(FOLD_FIELD)
    for candidate in corrector.suggest(folded, limit=5, maxdist=2, prefix=1):
        if candidate != folded and vocabulary.frequency(FOLD_FIELD, candidate) >= MIN_FREQUENCY:
            return _surface_form(candidate, vocabulary) or candidate
    return None


def _surface_form(folded: str, vocabulary: Vocabulary) -> str | None:
    """The most frequent exact-field spelling whose ASCII fold is ``folded``."""
    prefixes = [""]
    for char in folded:
        prefixes = [
            prefix + variant
            for prefix in prefixes
            for variant in _TURKISH_VARIANTS.get(char, char)
            if vocabulary.has_prefix(EXACT_FIELD, prefix + variant)
        ][:8]
        if not prefixes:
            return None
    indexed = [p for p in prefixes if vocabulary.has(EXACT_FIELD, p)]
    return max(indexed, key=lambda p: vocabulary.frequency(EXACT_FIELD, p), default=None)
