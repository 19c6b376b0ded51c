"""The second ranking stage: the first stage's best candidates rescored for a news reader.

The first stage (:mod:`search.engine`) is a plain top-k by BM25F over the whole archive.
Its best :data:`WINDOW` candidates are then rescored here with what BM25F cannot see:

- **freshness**: in a news archive, of two similarly relevant articles the recent one is
  wanted. A dated article's score is multiplied by ``1 + weight * 2 ** (-age /
  half_life)``, its age counted in days back from the newest article of the archive (so
  an archive read years later ranks as it did then). The newest article gains ``weight``
  (a tenth by default), one a half-life older half that, an old one almost nothing; an
  article without a date is left as it is. Gentle on purpose: it orders near-equals, it
  does not lift a weak match over a strong one.

- **proximity**: for a query of several words, an article where they stand together
  (next to each other in the query's order; the other way round counts half) is wanted
  before one where they are scattered. The index keeps no word positions, so the best
  :data:`PROXIMITY_WINDOW` candidates' stored titles and bodies are read and each pair of
  consecutive query words is looked for; the share of pairs found raises the score by up
  to :data:`PROXIMITY_WEIGHT`.

Candidates outside the window keep their first-stage order after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.text.analysis import WORD, exact_form

#: How many of the first stage's best candidates the second stage rescores.
WINDOW = 100
#: How many of the best candidates are read for proximity (reading an article costs).
PROXIMITY_WINDOW = 20
#: The most a candidate's score is raised when every pair of query words stands together.
PROXIMITY_WEIGHT = 1.0
#: Two query words at most this many words apart stand together (next to each other).
NEAR = 1
#: whoosh keeps a date as microseconds since ``datetime.min``.
TICKS_PER_DAY = 86_400 * 1_000_000


@dataclass(frozen=True)
class Freshness:
    """The recency prior: the newest article's score is raised by ``weight``, an article
    ``half_life_days`` older by half that. ``weight`` 0 turns it off."""

    half_life_days: float = 365.0
    weight: float = 0.1

    def factors(self, dates: np.ndarray, newest: float) -> np.ndarray:
        """Each score's multiplier for ``dates`` (ticks; 0 for an undated article).

        >>> days = np.array([100.0, 90.0, 0.0]) * TICKS_PER_DAY
        >>> Freshness(half_life_days=10).factors(days, days[0])
        array([1.1 , 1.05, 1.  ])
        """
        if not self.weight or self.half_life_days <= 0:
            return np.ones(len(dates))
        age_days = np.maximum(newest - dates, 0.0) / TICKS_PER_DAY
        boost = self.weight * np.exp2(-age_days / self.half_life_days)
        return np.where(dates > 0, 1.0 + boost, 1.0)


def rescore(
    candidates: np.ndarray,
    scores: np.ndarray,
    dates: np.ndarray,
    newest: float,
    freshness: Freshness,
) -> np.ndarray:
    """The second-stage scores of ``candidates`` (docnums) from their first-stage
    ``scores`` (indexed by docnum, like ``dates``)."""
    return scores[candidates] * freshness.factors(dates[candidates], newest)


def proximity_factors(texts: Sequence[str], groups: Sequence[frozenset[str]]) -> np.ndarray:
    """Each text's score multiplier: ``1 + PROXIMITY_WEIGHT * share`` of the consecutive
    pairs of query word ``groups`` (each the exact forms that match it) standing together
    in the text; a pair found in the other order counts half.

    >>> groups = [frozenset({"dolar"}), frozenset({"kuru", "kurunu"})]
    >>> texts = ["Dolar kuru arttı.", "Kurunu dolar ile ödedi.", "Dolar düştü, kuru gıda"]
    >>> proximity_factors(texts, groups)
    array([2. , 1.5, 1. ])
    """
    factors = np.ones(len(texts))
    if len(groups) < 2:
        return factors
    group_of: dict[str, list[int]] = {}
    for index, forms in enumerate(groups):
        for form in forms:
            group_of.setdefault(form, []).append(index)
    forms_of: dict[str, str] = {}
    for row, text in enumerate(texts):
        places: list[list[int]] = [[] for _ in groups]
        for position, word in enumerate(WORD.findall(text)):
            form = forms_of.get(word)
            if form is None:
                form = forms_of[word] = exact_form(word)
            for index in group_of.get(form, ()):
                places[index].append(position)
        found = sum(_together(places[i], places[i + 1]) for i in range(len(groups) - 1))
        factors[row] += PROXIMITY_WEIGHT * found / (len(groups) - 1)
    return factors


def _together(first: list[int], second: list[int]) -> float:
    """1 when a word of ``second`` follows one of ``first`` within :data:`NEAR` words,
    0.5 when it precedes it as closely, else 0."""
    if not first or not second:
        return 0.0
    later = set(second)
    if any(place + gap in later for place in first for gap in range(1, NEAR + 1)):
        return 1.0
    if any(place - gap in later for place in first for gap in range(1, NEAR + 1)):
        return 0.5
    return 0.0
