"""Related articles: more like this one, found from its most distinctive words.

An article's words are taken as the stem field indexes them (stop words dropped), its
title's counted twice, and weighed ``tf * idf``; the :data:`TERMS` heaviest that some
other article holds make a query whose BM25F scores are summed per article. Scores within
:data:`EQUAL_SHARE` of each other count as equal, and among equals the newer article comes
first: a reader of a story wants its latest follow-up before an old one as close.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search.analysis import index_terms

#: Related articles given for one article.
RELATED = 5
#: Distinctive words of the article searched for, at most; as Lucene's MoreLikeThis, a
#: word counts when the article has it twice (a title word counts twice) and at least
#: :data:`MIN_ARTICLES` articles hold it (a misspelling or a passing name finds noise).
TERMS = 25
MIN_TIMES = 2
MIN_ARTICLES = 5
#: Scores within this share of the best one are in the same band, ordered newest first.
EQUAL_SHARE = 0.1


@dataclass(frozen=True)
class RelatedArticle:
    """An article like another one: what a link to it shows."""

    id: str
    title: str
    date: str | None
    category: str | None
    source: str | None


def distinctive_terms(
    title: str, body: str, documents: int, frequency: Callable[[str], int], limit: int = TERMS
) -> list[tuple[str, float]]:
    """The ``limit`` stem-field terms of an article with the highest ``tf * idf``, each with
    that weight over the highest; ``frequency(term)`` is how many articles hold it.

    >>> held = {"depre": 40, "tatbikat": 6, "okul": 900}
    >>> text = "Okulda deprem. Okulun tatbikatı. Yalnız"
    >>> found = distinctive_terms("Deprem tatbikatı", text, 1000, lambda t: held.get(t, 1))
    >>> [(term, round(weight, 2)) for term, weight in found]
    [('tatbikat', 1.0), ('depre', 0.64), ('okul', 0.1)]
    """
    counts = Counter(index_terms(title, stem=True) * 2 + index_terms(body, stem=True))
    weighed = []
    for term, tf in counts.items():
        if tf < MIN_TIMES or term.isdigit():
            continue
        held = frequency(term) or 0
        if held >= MIN_ARTICLES:
            weighed.append((tf * math.log(1 + documents / held), term))
    weighed.sort(key=lambda pair: (-pair[0], pair[1]))
    best = weighed[0][0] if weighed else 1.0
    return [(term, weight / best) for weight, term in weighed[:limit]]


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
