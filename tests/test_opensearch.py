"""What only the OpenSearch backend has: a cluster that can be away, refuse a document,
or lose a node. Run on a real 3-node cluster (see ``opensearch_cluster`` in conftest.py)."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from opensearch_cluster import Cluster

from conftest import FIXTURE_ARTICLES, haberara, write_articles
from search.opensearch import wordcounts
from search.opensearch.backend import Backend
from search.opensearch.cluster import ClusterRefused
from search.opensearch.searcher import words_found_nowhere
from search.opensearch.vocabulary import read_words
from search.searching.engine import Engine
from search.searching.query import parse_query
from search.searching.querybuild import compile_query, match_query
from search.searching.vocabulary import Vocabulary
from search.storage.store import open_index

EVERY_WORD = "toplantı OR deprem OR derbi OR ankara OR liman"


def fresh(cluster: Cluster, tmp_path: Path) -> Backend:
    return Backend.choose("opensearch", tmp_path / "index", cluster.url, f"t-{uuid.uuid4().hex}")


def test_an_unreachable_cluster_is_named_with_advice(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    url = "http://127.0.0.1:9"  # nothing listens on the discard port
    for command in (["reindex", "--docs", str(docs)], ["search", "toplantı"]):
        result = haberara(*command, "--backend", "opensearch", "--opensearch-url", url)
        assert result.returncode == 3
        assert f"cannot reach the OpenSearch cluster at {url}" in result.stderr
        assert "--opensearch-url" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_words_no_article_holds_are_found_as_the_embedded_index_finds_them(
    index_dir: Path,
) -> None:
    """(No cluster needed.) A word whose forms the titles and bodies hold, or a phrase of
    such words, is held without asking the cluster; only a group of none is counted, and
    a word it counts nowhere is the one the embedded index finds in no article: its
    suggestion is offered beside the results of the others. A phrase with a misspelt word
    is counted too."""
    query = 'toplantı kırgızistn "güvenlik konseyi" kon* -derbi category:spor'
    asked: list[list] = []

    def count_none(group: list) -> int:
        asked.append(group)
        return 0

    with open_index(index_dir).searcher() as searcher:
        vocabulary = Vocabulary(searcher.reader())
        embedded = match_query(parse_query(query), vocabulary, Engine(searcher))
        compiled = compile_query(parse_query(query), vocabulary)
        every_word = compile_query(parse_query("toplantı kırgızistan derbi"), vocabulary)
        misspelt = compile_query(parse_query('"güvenlik konsyei" OR zzzzyok toplantı'), vocabulary)

        assert words_found_nowhere(compiled, count_none, vocabulary) == {"kırgızistn"}
        assert embedded.words_found_nowhere() == {"kırgızistn"}
        assert asked == [compiled.groups[1]]
        assert words_found_nowhere(compiled, lambda group: 1, vocabulary) == frozenset()
        assert words_found_nowhere(every_word, count_none, vocabulary) == frozenset()
        assert len(asked) == 1
        assert "konsyei" in words_found_nowhere(misspelt, count_none, vocabulary)
        assert asked[1:] == [misspelt.groups[0]]


def test_the_index_has_three_shards_each_with_a_replica(
    opensearch_cluster: Cluster, tmp_path: Path
) -> None:
    backend = fresh(opensearch_cluster, tmp_path)
    backend.reindex(write_articles(tmp_path / "docs", FIXTURE_ARTICLES))
    client = backend.cluster.client()
    settings = client.indices.get_settings(index=backend.cluster.index)
    index = next(iter(settings.values()))["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == ("3", "1")
    health = client.cluster.health(index=backend.cluster.index, wait_for_status="green")
    assert health["active_shards"] == 6


def test_a_document_the_cluster_refuses_is_named_and_sent_next_time(
    opensearch_cluster: Cluster, tmp_path: Path
) -> None:
    backend = fresh(opensearch_cluster, tmp_path)
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    backend.reindex(docs)
    client, index = backend.cluster.client(), backend.cluster.index
    (docs / "yeni.txt").write_text("title: Yeni\n\nAnkara'daki toplantı.\n", encoding="utf-8")
    client.indices.put_settings(index=index, body={"index.blocks.write": True})
    try:
        report = backend.reindex(docs)
    finally:
        client.indices.put_settings(index=index, body={"index.blocks.write": False})
    assert [failed.path for failed in report.failed] == [str(docs / "yeni.txt")]
    assert report.failed[0].reason.startswith("the cluster refused it: cluster_block_exception")
    assert (report.added, report.unchanged) == (0, 5)
    again = backend.reindex(docs)
    assert (again.added, again.unchanged, again.failed) == (1, 5, [])
    assert backend.searcher().search("ankara").total == 1


def test_the_kept_word_counts_follow_every_change(
    opensearch_cluster: Cluster, tmp_path: Path
) -> None:
    backend = fresh(opensearch_cluster, tmp_path)
    client, index = backend.cluster.client(), backend.cluster.index

    def kept_and_read() -> tuple[dict | None, dict]:
        mapping = next(iter(client.indices.get_mapping(index=index).values()))["mappings"]
        kept = wordcounts.load(client, index, mapping["_meta"]["stamp"])
        return kept, wordcounts.from_fields(read_words(client, index))

    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    backend.reindex(docs)
    kept, read = kept_and_read()
    assert kept == read
    assert read["bişkek"] == [1, 1]
    (docs / "yeni.txt").write_text("title: Yeni\n\nAnkara'daki toplantı.\n", encoding="utf-8")
    (docs / "spor/derbi.txt").unlink()
    (docs / "2025/09/biskek-zirvesi.txt").write_text("title: Başka\n\nBaşka bir metin.\n")
    report = backend.reindex(docs)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    kept, read = kept_and_read()
    assert kept == read
    assert "bişkek" not in read
    assert "derbi" not in read
    assert read["ankara"] == [0, 1]


def test_a_refused_request_is_a_clear_error(opensearch_cluster: Cluster, tmp_path: Path) -> None:
    backend = fresh(opensearch_cluster, tmp_path)
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    with pytest.raises(ClusterRefused, match="refused"):
        backend.reindex(docs, shards=2000)  # more shards than a node may hold


def test_searches_keep_their_totals_while_a_node_is_lost(
    opensearch_cluster: Cluster, tmp_path: Path
) -> None:
    backend = fresh(opensearch_cluster, tmp_path)
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    backend.reindex(docs)
    client = backend.cluster.client()
    # every copy placed, of the articles and of their word counts, before a node is lost
    indexes = f"{backend.cluster.index},{backend.cluster.index}{wordcounts.SUFFIX}"
    client.cluster.health(index=indexes, wait_for_status="green", request_timeout=120)
    searcher = backend.searcher(cache_pages=False)
    queries = ["toplantı", "biskek", EVERY_WORD, '"güvenlik konseyi"']
    expected = {query: searcher.search(query).total for query in queries}
    answers: list[tuple[str, int, float]] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            for query in queries:
                try:
                    answers.append((query, searcher.search(query).total, time.monotonic()))
                except Exception as error:  # noqa: BLE001 - every failure is reported below
                    errors.append(error)

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        _wait_for(lambda: len(answers) >= 8)
        opensearch_cluster.kill(0)  # the node the client tries first
        lost_at = time.monotonic()
        _wait_for(lambda: sum(1 for *_, at in answers if at > lost_at + 2) >= 20)
    finally:
        stop.set()
        thread.join(timeout=60)
    try:
        assert errors == []
        assert {(query, total) for query, total, _ in answers} == set(expected.items())
        assert any(at > lost_at + 2 for *_, at in answers)

        (docs / "yeni.txt").write_text("title: Yeni\n\nAnkara'daki toplantı.\n", encoding="utf-8")
        report = backend.reindex(docs)
        assert (report.added, report.unchanged, report.failed) == (1, 5, [])
        assert searcher.search("ankara").total == 1
    finally:
        opensearch_cluster.restart(0)


def _wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
