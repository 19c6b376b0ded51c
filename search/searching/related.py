"""Related articles: more like this one, found from its most distinctive words.

An article's words are taken as the stem field indexes them (stop words dropped), its
title's counted twice, and weighed ``tf * idf``; the :data:`TERMS` heaviest (see there)
make a query whose BM25F scores, each term's weighed by its share of the heaviest, are
summed per article. Scores are then put in bands a tenth of the best score wide
(:data:`EQUAL_SHARE`), and within a band the newer article comes first: a reader of a
story wants its latest follow-up before an old one about as close.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from search.text.analysis import index_terms

#: Related articles given for one article.
RELATED = 5
#: Distinctive words of the article searched for, at most. As in Lucene's MoreLikeThis,
#: words the article has at least twice (a title word counts twice) come first, words
#: it has once only fill up a short article's list; and a word is left out unless
#: :data:`MIN_ARTICLES` articles hold it (a misspelling or a passing name finds noise),
#: or on a small archive, one article in :data:`MIN_SHARE` (two at least).
TERMS = 25
MIN_TIMES = 2
MIN_ARTICLES = 5
MIN_SHARE = 1000
#: The width of a band of equal scores, as a share of the best score.
EQUAL_SHARE = 0.1


def distinctive_terms(
    title: str, body: str, documents: int, frequency: Callable[[str], int], limit: int = TERMS
) -> list[tuple[str, float]]:
    """The ``limit`` stem-field terms of an article with the highest ``tf * idf``, each with
    that weight over the highest; ``frequency(term)`` is how many articles hold it.

    >>> held = {"depre": 40, "tatbikat": 6, "okul": 900, "yalnız": 80}
    >>> text = "Okulda deprem. Okulun tatbikatı. Yalnız"
    >>> found = distinctive_terms("Deprem tatbikatı", text, 1000, lambda t: held.get(t, 1))
    >>> [(term, round(weight, 2)) for term, weight in found]
    [('tatbikat', 1.0), ('depre', 0.64), ('okul', 0.1), ('yalnız', 0.17)]
    """
    counts = Counter(index_terms(title, stem=True) * 2 + index_terms(body, stem=True))
    least = max(2, min(MIN_ARTICLES, documents // MIN_SHARE))
    weighed = []
    for term, tf in counts.items():
        if term.isdigit():
            continue
        held = frequency(term) or 0
        if held >= least:
            weighed.append((tf >= MIN_TIMES, tf * math.log(1 + documents / held), term))
    weighed.sort(key=lambda item: (not item[0], -item[1], item[2]))
    chosen = weighed[:limit]
    best = max((weight for _, weight, _ in chosen), default=1.0)
    return [(term, weight / best) for _, weight, term in chosen]


def rank_related(
    scores: np.ndarray, dates: np.ndarray, order: np.ndarray, excluded: list[int], limit: int
) -> list[int]:
    """The best ``limit`` docnums by score band (:data:`EQUAL_SHARE`), newest first within
    a band, then by ``order`` (article id); ``excluded`` docnums never."""
    scores = scores.copy()
    scores[excluded] = 0.0
    candidates = np.flatnonzero(scores > 0)
    if not len(candidates):
        return []
    best = float(scores[candidates].max())
    band = np.floor((best - scores[candidates]) / (best * EQUAL_SHARE))
    chosen = np.lexsort((order[candidates], -dates[candidates], band))[:limit]
    return candidates[chosen].tolist()
