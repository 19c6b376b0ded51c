"""The best k matches of a query without scoring every match: MaxScore over the query's terms.

A query's score is a sum over its terms (each term's postings, a
:class:`~search.searching.engine.Part`), scaled down for a partial match. Each term adds
at most its upper bound (its best posting's score), so a document holding only terms whose
bounds sum below the k-th best score found so far cannot reach the top k. The search:

1. scores a few seed documents (the best of the terms with the highest bounds) to get a
   threshold: the k-th best of their scores, which the final k-th best is at least;
2. sorts the terms by bound; the longest run of lowest bounds summing below the threshold
   are the *non-essential* terms: a document holding only those scores below it;
3. scores exactly only the matches holding an *essential* term, and adds the non-essential
   terms' postings for those alone.

Every match scoring at least the threshold holds an essential term, so the documents
scored include the top k and all that tie with the k-th: the page is the one scoring every
match would give, with the same scores to the bit
(:meth:`~search.searching.engine.Matches.scores_of`). The counts of a page come from the
matches' hit mask, never from the scores.
"""

from __future__ import annotations

import numpy as np

from search.searching.engine import FlatParts, Matches

#: Matches at most this many are scored all at once: pruning would save less than it costs.
SCORE_ALL_UP_TO = 2_000
#: Seed documents scored for the threshold: this many times k, from the highest-bound terms.
SEEDS_PER_RESULT = 2
#: Terms whose best documents seed the threshold.
SEED_TERMS = 8
#: Bounds are compared with this much to spare, so rounding never prunes a document that
#: scores exactly the threshold.
MARGIN = 1e-9


def best_candidates(matches: Matches, hits: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Matched documents (ascending) and their exact scores, among them every one of
    ``hits`` (the matched docnums, ascending) scoring at least the k-th best."""
    if len(hits) <= max(SCORE_ALL_UP_TO, k):
        return hits, matches.scores_of(hits)
    flat = matches.flat()
    bounds = flat.upper_bounds()
    seeds = _seeds(matches, flat, bounds, k)
    if len(seeds) < k:
        return hits, matches.scores_of(hits, flat)
    seed_scores = matches.scores_of(seeds, flat)
    threshold = np.partition(seed_scores, len(seeds) - k)[len(seeds) - k]
    order = np.argsort(bounds, kind="stable")
    below = np.cumsum(bounds[order]) * (1 + MARGIN) < threshold
    if not below.any():
        return hits, matches.scores_of(hits, flat)
    essential = np.ones(len(bounds), bool)
    essential[order[below]] = False
    counts = np.diff(np.append(flat.starts, len(flat.docs)))
    marked = np.zeros(len(matches.hit), bool)
    marked[flat.docs[np.repeat(essential, counts)]] = True
    marked &= matches.hit
    candidates = np.flatnonzero(marked)
    return candidates, matches.scores_of(candidates, flat)


def _seeds(matches: Matches, flat: FlatParts, bounds: np.ndarray, k: int) -> np.ndarray:
    """Matched documents that score well: the best ones of the terms with the highest
    bounds, by each term's own score."""
    wanted = SEEDS_PER_RESULT * k
    found: list[np.ndarray] = []
    for number in np.argsort(-bounds, kind="stable")[:SEED_TERMS].tolist():
        docnums, scores = flat.part(number)
        held = np.flatnonzero(matches.hit[docnums])
        if len(held) > wanted:
            held = held[np.argpartition(-scores[held], wanted)[:wanted]]
        found.append(docnums[held])
        if sum(map(len, found)) >= wanted:
            break
    return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
