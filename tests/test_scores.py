"""A match's score is the same bits however it is asked for: alone, among a few (looked up
in each word's postings) or among many (summed over every posting at once); on random
queries over a real index of a few hundred articles written from Turkish sentences with
common and rare words."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_articles
from search.indexing.reindex import reindex
from search.searching import engine
from search.searching.engine import PRUNE_ABOVE
from search.searching.query import parse_query
from search.searching.querybuild import match_query
from search.searching.searcher import Searcher

#: Words by how often an article uses them: the first few in most articles, the last rarely.
WORDS = [
    "bakan", "toplantı", "açıklama", "belediye", "meclis", "bütçe", "ekonomi", "seçim",
    "deprem", "tatbikat", "okul", "öğrenci", "liman", "proje", "ihracat", "derbi", "gol",
    "teknik", "direktör", "güvenlik", "konsey", "sekreter", "Bişkek", "Kırgızistan", "İzmir",
    "Iğdır", "Isparta", "uydu", "fırlatma", "hastane", "doktor", "aşı", "yağmur", "sel",
    "orman", "yangın", "itfaiye", "köprü", "tünel", "otoyol",
]  # fmt: skip
SUFFIXES = ["", "", "", "ler", "de", "nin", "ye", "den", "leri", "ın"]
ARTICLES = 400


def _article(rng: random.Random) -> str:
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    words = rng.choices(WORDS, weights, k=rng.randint(5, 40))
    title = " ".join(rng.choices(WORDS, weights, k=rng.randint(2, 5)))
    body = " ".join(word + rng.choice(SUFFIXES) for word in words)
    return f"title: {title}\n\n{body.capitalize()}. Haber sürüyor.\n"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    folder = tmp_path_factory.mktemp("scores")
    rng = random.Random(20261204)
    articles = {f"haber/{number:04d}.txt": _article(rng) for number in range(ARTICLES)}
    docs = write_articles(folder / "docs", articles)
    reindex(docs, folder / "index", full=True)
    # the first stage alone: the second (recency, proximity) rescores what it ranks
    return Searcher(folder / "index", cache_pages=False, freshness=None, proximity=False)


queries = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.builds(lambda w, s: w + s, st.sampled_from(WORDS), st.sampled_from(SUFFIXES)),
        st.builds(lambda w: "-" + w, st.sampled_from(WORDS)),
        st.builds(lambda a, b: f"{a} OR {b}", st.sampled_from(WORDS), st.sampled_from(WORDS)),
        st.builds(lambda a, b: f'"{a} {b}"', st.sampled_from(WORDS), st.sampled_from(WORDS)),
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=queries, seed=st.integers(0, 2**32 - 1))
def test_a_score_does_not_depend_on_what_is_scored_with_it(
    searcher: Searcher, text: str, seed: int
) -> None:
    state = searcher._current()
    matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    everything = matches.scores_of(hits)
    rng = np.random.default_rng(seed)
    for size in (1, 3, len(hits) // 2):
        chosen = np.sort(rng.choice(len(hits), min(size, len(hits)), replace=False))
        assert matches.scores_of(hits[chosen]).tolist() == everything[chosen].tolist()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=queries, seed=st.integers(0, 2**32 - 1))
def test_looked_up_and_summed_at_once_scores_are_the_same_bits(
    searcher: Searcher, text: str, seed: int
) -> None:
    """Scores looked up part by part and scores summed over every posting at once (the
    way :func:`~search.searching.engine.Matches.scores_of` takes for many documents, and
    for every one on an index this small) agree to the bit, a quoted phrase's checked
    matches among the parts or not."""
    state = searcher._current()
    matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    chosen = np.sort(np.random.default_rng(seed).permutation(hits)[: max(1, len(hits) // 3)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "PART_POSTINGS", -(10**12))  # look each document up, part by part
        looked_up = matches.scores_of(chosen)
        patch.setattr(engine, "PART_POSTINGS", 10**12)  # sum every posting at once
        summed = matches.scores_of(chosen)
    assert looked_up.tobytes() == summed.tobytes()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=queries, limit=st.sampled_from([1, 3, 10, 25]))
def test_the_best_matches_are_those_of_scoring_every_match(
    searcher: Searcher, text: str, limit: int
) -> None:
    """The best ``limit`` found by working out a partial match's share only where its sum
    can reach them: the same documents (ties with the last included) and the same bits
    as scoring every match."""
    state = searcher._current()
    matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    everything = matches.scores_of(hits)
    if len(hits) > limit:
        bar = np.sort(everything)[len(hits) - limit]
        expected = np.flatnonzero(everything >= bar)
    else:
        expected = np.arange(len(hits))
    docnums, scores = matches.best(hits, limit)
    assert docnums.tolist() == hits[expected].tolist()
    assert scores.tolist() == everything[expected].tolist()


def test_partial_matches_of_a_long_query_are_pruned_exactly(searcher: Searcher) -> None:
    """A long query most articles match in part takes the pruned path, and finds what
    scoring every match finds."""
    state = searcher._current()
    text = "bakan toplantı açıklama belediye meclis tünel otoyol"
    matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    assert matches.share is not None and len(hits) > PRUNE_ABOVE * 10
    everything = matches.scores_of(hits)
    best = np.sort(everything)[::-1][:10]
    docnums, scores = matches.best(hits, 10)
    assert sorted(scores.tolist(), reverse=True)[:10] == best.tolist()
    assert set(docnums.tolist()) == set(hits[everything >= best[-1]].tolist())


def test_searcher_pages_are_the_best_scores(searcher: Searcher) -> None:
    """The page and total the searcher returns: the best scores of every match, ties by
    article id."""
    for text in ["bakan toplantı", "deprem OR sel", "liman ihracat proje", "gol -derbi"]:
        page = searcher.search(text, per_page=10)
        state = searcher._current()
        matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
        hits = matches.docnums()
        scores = matches.scores_of(hits)
        ids = [state.searcher.stored_fields(doc)["id"] for doc in hits.tolist()]
        expected = sorted(zip(scores.tolist(), ids, strict=True), key=lambda p: (-p[0], p[1]))
        assert page.total == len(hits)
        assert [hit.score for hit in page.results] == [round(s, 4) for s, _ in expected[:10]]
        assert [hit.id for hit in page.results] == [i for _, i in expected[:10]]
