"""Top-k pruning is exact: the page MaxScore ranks (search.searching.topk) is the one scoring every
match gives, with the same ids, order and scores, on random queries over a real index of
a few hundred articles written from Turkish sentences with common and rare words."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_articles
from search.indexing.reindex import reindex
from search.searching import topk
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
RESULTS = [1, 3, 10, 25]


def _article(rng: random.Random) -> str:
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    words = rng.choices(WORDS, weights, k=rng.randint(5, 40))
    title = " ".join(rng.choices(WORDS, weights, k=rng.randint(2, 5)))
    body = " ".join(word + rng.choice(SUFFIXES) for word in words)
    return f"title: {title}\n\n{body.capitalize()}. Haber sürüyor.\n"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    folder = tmp_path_factory.mktemp("topk")
    rng = random.Random(20261204)
    articles = {f"haber/{number:04d}.txt": _article(rng) for number in range(ARTICLES)}
    docs = write_articles(folder / "docs", articles)
    reindex(docs, folder / "index", full=True)
    # the first stage alone: the second (recency, proximity) rescores what it ranks
    return Searcher(folder / "index", cache_pages=False, freshness=None, proximity=False)


def _ranked(state, docnums: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    order = np.lexsort((state.id_order()[docnums], -scores))[:k]
    return list(zip(docnums[order].tolist(), scores[order].tolist(), strict=True))


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=queries, k=st.sampled_from(RESULTS))
def test_pruned_page_is_the_exhaustive_page(searcher: Searcher, text: str, k: int) -> None:
    state = searcher._current()
    matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    everything = _ranked(state, hits, matches.scores[hits], k)
    original = topk.SCORE_ALL_UP_TO
    topk.SCORE_ALL_UP_TO = 0  # prune however few the matches are
    try:
        candidates, scores = topk.best_candidates(matches, hits, k)
    finally:
        topk.SCORE_ALL_UP_TO = original
    pruned = _ranked(state, candidates, scores, k)
    assert [doc for doc, _ in pruned] == [doc for doc, _ in everything]
    assert np.allclose([s for _, s in pruned], [s for _, s in everything], rtol=0, atol=1e-6)


def test_pruning_leaves_most_matches_unscored(searcher: Searcher, monkeypatch) -> None:
    """A common word with a rare one: only the matches holding the rare word can reach
    the top 3, so fewer than half of the matches are scored."""
    monkeypatch.setattr(topk, "SCORE_ALL_UP_TO", 0)
    state = searcher._current()
    matches = match_query(parse_query("bakan OR otoyol"), state.vocabulary, state.engine).matches
    hits = matches.docnums()
    candidates, _ = topk.best_candidates(matches, hits, 3)
    assert len(hits) > 100
    assert len(candidates) < len(hits) / 2


def test_searcher_pages_match_exhaustive_ranking(searcher: Searcher, monkeypatch) -> None:
    """The page and total the searcher returns are those of scoring every match."""
    monkeypatch.setattr(topk, "SCORE_ALL_UP_TO", 0)
    for text in ["bakan toplantı", "deprem OR sel", "liman ihracat proje", "gol -derbi"]:
        page = searcher.search(text, per_page=10)
        state = searcher._current()
        matches = match_query(parse_query(text), state.vocabulary, state.engine).matches
        hits = matches.docnums()
        expected = _ranked(state, hits, matches.scores[hits], 10)
        assert page.total == len(hits)
        assert [hit.score for hit in page.results] == [round(s, 4) for _, s in expected]
        ids = [state.searcher.stored_fields(doc)["id"] for doc, _ in expected]
        assert [hit.id for hit in page.results] == ids
