"""The second ranking stage: the first stage's best candidates rescored for a news reader.

The first stage (:mod:`search.searching.engine`) is a plain top-k by BM25F over the whole archive.
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
  :data:`PROXIMITY_WINDOW` candidates' stored titles and the start of their bodies are
  read, the query's words found in them as the snippets will mark them (and once: the
  snippets find them looked up), and each pair of consecutive query words is looked
  for; the share of pairs found
  raises the score by up to :data:`PROXIMITY_WEIGHT`. The most of the query's words
  found within :data:`SPAN` consecutive words of that text raises it again, by up to
  :data:`SPAN_WEIGHT`: a question or a pasted headline rarely keeps its article's word
  order, but the words it shares with the article stand in one sentence of it.

Candidates outside the window keep their first-stage order after it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from search.searching.engine import PhraseClause, TermsClause
from search.searching.highlight import marked_places, snippet_text
from search.searching.querybuild import MatchSpec
from search.storage.schema import TEXT_FIELDS
from search.text import abbreviations

#: How many of the first stage's best candidates the second stage rescores.
WINDOW = 100
#: How many of the best candidates are read for proximity: a page's worth, whose stored
#: fields its hits need anyway (reading twenty made a search a third slower, for the same
#: ranking on the headline benchmark).
PROXIMITY_WINDOW = 10
#: How much of a candidate's body is looked at for proximity, from its start: a news story
#: says what it is about first. 3,000 characters ranked questions and headlines a little
#: better than 1,500 on the relevance benchmark.
PROXIMITY_CHARS = 3_000
#: The most a candidate's score is raised when every pair of query words stands together.
PROXIMITY_WEIGHT = 1.0
#: Two query words at most this many words apart stand together (next to each other).
NEAR = 1
#: Words of a candidate's text counted as one passage, about a sentence: the most query
#: words standing within so many consecutive words raise its score (10 and 15 ranked a
#: little worse on the relevance benchmark).
SPAN = 12
#: The most a candidate's score is raised (again) when every query word stands in one span.
SPAN_WEIGHT = 0.5
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


def proximity_factors(
    marked: Sequence[Sequence[tuple[int, str]]], groups: Sequence[frozenset[str]]
) -> np.ndarray:
    """Each text's score multiplier, from the query's words found in it (``marked``: each
    text's ``(place, exact form)``, see :func:`ranked_marks`): ``1 + PROXIMITY_WEIGHT *
    share`` of the consecutive pairs of query word ``groups`` (each the exact forms that
    match it) standing together; a pair found in the other order counts half. Times ``1 +
    SPAN_WEIGHT * (k - 1) / (groups - 1)``, ``k`` the most groups found within
    :data:`SPAN` consecutive words (see :func:`_most_in_span`).

    >>> groups = [frozenset({"dolar"}), frozenset({"kuru", "kurunu"})]
    >>> marked = [[(0, "dolar"), (1, "kuru")], [(0, "kurunu"), (1, "dolar")],
    ...           [(0, "dolar"), (3, "kuru")]]
    >>> proximity_factors(marked, groups)
    array([3.  , 2.25, 1.5 ])
    >>> proximity_factors([[(0, "dolar"), (14, "kuru")]], groups)
    array([1.])
    """
    factors = np.ones(len(marked))
    if len(groups) < 2:
        return factors
    group_of: dict[str, list[int]] = {}
    for index, forms in enumerate(groups):
        for form in forms:
            group_of.setdefault(form, []).append(index)
    for row, words in enumerate(marked):
        places: list[list[int]] = [[] for _ in groups]
        for place, form in words:
            # a shortened two-word name (r.madrid) as its words, one after the other
            for offset, word in enumerate(_as_named(form)):
                for index in group_of.get(word, ()):
                    places[index].append(place + offset)
        found = sum(_together(places[i], places[i + 1]) for i in range(len(groups) - 1))
        factors[row] += PROXIMITY_WEIGHT * found / (len(groups) - 1)
        most = _most_in_span(places)
        if most > 1:
            factors[row] *= 1.0 + SPAN_WEIGHT * (most - 1) / (len(groups) - 1)
    return factors


def _as_named(form: str) -> list[str]:
    """An exact form as the words it stands for: a shortened two-word name as its two
    words (``r.madrid`` -> ``real madrid``; a listed abbreviation is its name already).

    >>> _as_named("r.madrid"), _as_named("ankara")
    (['real', 'madrid'], ['ankara'])
    """
    if "." not in form:
        return [form]
    return abbreviations.name_words(form) or [form]


def _most_in_span(places: list[list[int]]) -> int:
    """The most groups found within :data:`SPAN` consecutive words, ``places`` each
    group's word positions (ascending).

    >>> _most_in_span([[0, 40], [41], [3, 60]])
    2
    >>> _most_in_span([[0], [30], [33, 39], [41]])
    3
    """
    hits = sorted((place, group) for group, found in enumerate(places) for place in found)
    held: dict[int, int] = {}  # group -> its words in the span
    most = start = 0
    for place, group in hits:
        held[group] = held.get(group, 0) + 1
        while hits[start][0] <= place - SPAN:  # the span ends at place
            first = hits[start][1]
            held[first] -= 1
            if not held[first]:
                del held[first]
            start += 1
        most = max(most, len(held))
    return most


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


def second_stage(
    scores: np.ndarray,
    dates: np.ndarray,
    newest: float,
    freshness: Freshness | None,
    groups: Sequence[frozenset[str]] | None,
    marks_of: Callable[[int], Sequence[tuple[int, str]]],
) -> np.ndarray:
    """The second stage's scores of the first stage's best candidates (``scores``, best
    first, at most :data:`WINDOW`): times their freshness (``dates`` in ticks, ``newest``
    the archive's newest) and, for the first :data:`PROXIMITY_WINDOW`, how closely the
    query's words found in candidate ``i``, ``marks_of(i)`` (see :func:`ranked_marks`),
    hold the query word ``groups``. Both the embedded index and a cluster rank with it.

    >>> second_stage(np.array([2.0, 1.0]), np.zeros(2), 0.0, None,
    ...              [frozenset({"dolar"}), frozenset({"kuru"})],
    ...              [[(0, "dolar")], [(0, "dolar"), (1, "kuru")]].__getitem__)
    array([2., 3.])
    """
    scores = np.array(scores, np.float64)
    if freshness is not None:
        scores *= freshness.factors(dates, newest)
    if groups is not None and len(groups) > 1:
        near = min(len(scores), PROXIMITY_WINDOW)
        scores[:near] *= proximity_factors([marks_of(i) for i in range(near)], groups)
    return scores


def ranked_marks(title: str, body: str, spec: MatchSpec) -> list[tuple[int, str]]:
    """What proximity looks at of an article: the query's words in its title and in the
    first :data:`PROXIMITY_CHARS` characters of the body its snippet is taken from
    (:func:`~search.searching.highlight.snippet_text`), with their places, the body's
    words after the title's (:func:`~search.searching.highlight.marked_places`). The
    snippet and the highlighted title then find these words looked up already.

    >>> spec = MatchSpec(exact={"dolar", "kuru"})
    >>> ranked_marks("Dolar yükseldi", "Kuru gıda ve dolar kuru", spec)
    [(0, 'dolar'), (2, 'kuru'), (5, 'dolar'), (6, 'kuru')]
    """
    title_marks = marked_places(title, spec, len(title))
    lead = marked_places(snippet_text(body), spec, PROXIMITY_CHARS, first=len(title.split()))
    return title_marks + lead


def group_forms(groups: Sequence[Sequence]) -> list[frozenset[str]]:
    """Each compiled query word group's exact title and body forms (a phrase: its first
    word), for :func:`proximity_factors`."""
    forms_of = []
    for group in groups:
        forms: set[str] = set()
        for clause in group:
            if isinstance(clause, TermsClause):
                forms.update(text for field, text, _ in clause.terms if field in TEXT_FIELDS)
            elif isinstance(clause, PhraseClause):
                forms.add(clause.words[0])
        forms_of.append(frozenset(forms))
    return forms_of


def ticks(day: datetime.date | None) -> float:
    """A date as whoosh keeps it (microseconds since ``datetime.min``); 0 for none.

    >>> ticks(datetime.date(1, 1, 2)) / TICKS_PER_DAY
    1.0
    """
    if day is None:
        return 0.0
    moment = datetime.datetime.combine(day, datetime.time.min)
    return (moment - datetime.datetime.min) / datetime.timedelta(microseconds=1)
