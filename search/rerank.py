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

Candidates outside the window keep their first-stage order after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: How many of the first stage's best candidates the second stage rescores.
WINDOW = 100
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
