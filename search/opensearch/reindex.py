"""Incremental reindex into the cluster, with the embedded index's semantics and report.

The articles folder is read exactly as :func:`search.indexing.reindex.reindex` reads it (the same
checks, warnings and failures); what the cluster holds is compared by content hash, and
the new, changed and removed articles go through the bulk API. A document the cluster
refuses is named as a failed file (the other articles are indexed); a cluster that stops
answering ends the run with :class:`~search.opensearch.cluster.ClusterUnreachable`, and
the next run sends what is still missing.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as os_errors

from search.articles import DEFAULT_MAX_BYTES, Article
from search.errors import DocsMissing
from search.indexing import filerecord
from search.indexing.changes import read_changes
from search.indexing.report import FailedFile, ReindexReport
from search.opensearch import wordcounts
from search.opensearch.cluster import ClusterConfig, cluster_error
from search.opensearch.mapping import (
    DEFAULT_REPLICAS,
    DEFAULT_SHARDS,
    MAPPING_VERSION,
    article_source,
    index_settings,
)
from search.opensearch.vocabulary import read_words

#: Documents per bulk request.
BULK_DOCUMENTS = 500
#: Tries of a bulk chunk the cluster answers "too many requests" (429) to.
BULK_RETRIES = 5

Progress = Callable[[int, int], None]


def reindex(
    docs_dir: Path,
    config: ClusterConfig,
    *,
    full: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    shards: int = DEFAULT_SHARDS,
    replicas: int = DEFAULT_REPLICAS,
    progress: Progress | None = None,
    outside_links: bool = False,
) -> ReindexReport:
    """Index every ``*.txt`` below ``docs_dir`` into the cluster's index (symbolic links
    leading outside it only with ``outside_links``).

    Incremental unless ``full`` (or the index is missing, or was made by another
    :data:`~search.opensearch.mapping.MAPPING_VERSION`): then it is created afresh with
    ``shards`` primary shards, each with ``replicas`` copies on other nodes.
    """
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise DocsMissing(f"articles folder {docs_dir}/ does not exist (set --docs)")
    started = time.monotonic()
    report = ReindexReport()
    client = config.client()
    doing = "the reindex"
    try:
        index = config.index
        fresh, stamp = _prepare_index(client, config, full, shards, replicas, report)
        doing = "reading the indexed articles' hashes"
        known = {} if fresh else _indexed_hashes(client, index)
        doing = "the reindex"
        changes = read_changes(
            docs_dir, known, filerecord.FileRecord(), max_bytes, report, progress, outside_links
        )
        removed = [doc_id for doc_id in known if doc_id not in changes.seen_ids]
        if not (fresh or changes.articles or removed):
            report.seconds = time.monotonic() - started
            return report
        doing = "reading the words the index holds"
        counts = {} if fresh else _counts(client, index, stamp)
        replaced = [article.id for article in changes.articles if article.id in known]
        old = _old_words(client, index, replaced + removed)
        doing = "indexing the articles (bulk)"
        refused = _send(client, index, changes.articles, removed, counts)
        for article in changes.articles:
            if article.id in refused:
                wordcounts.add(counts, [article_source(article)], -1)
                path = str(docs_dir / f"{article.id}.txt")
                report.failed.append(FailedFile(path, refused[article.id]))
            elif article.id in known:
                report.updated += 1
            else:
                report.added += 1
        wordcounts.add(counts, [words for i, words in old.items() if i not in refused], -1)
        report.removed = len(removed) - sum(1 for doc_id in removed if doc_id in refused)
        doing = "making the changes searchable (refresh)"
        if fresh:
            client.indices.put_settings(index=index, body={"index.refresh_interval": None})
        client.indices.refresh(index=index)
        doing = "keeping the words the index holds"
        stamp = time.time_ns()
        wordcounts.save(client, index, stamp, counts)
        _stamp(client, index, stamp)
    except os_errors.OpenSearchException as error:
        raise cluster_error(config, error, doing) from error
    report.seconds = time.monotonic() - started
    return report


def _prepare_index(
    client: OpenSearch,
    config: ClusterConfig,
    full: bool,
    shards: int,
    replicas: int,
    report: ReindexReport,
) -> tuple[bool, object]:
    """Create the index when needed: ``(made afresh, stamp of the index's last change)``."""
    index = config.index
    if client.indices.exists(index=index):
        mapping = client.indices.get_mapping(index=index)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        if not full and meta.get("mapping_version") == MAPPING_VERSION:
            return False, meta.get("stamp")
        if not full:
            report.warnings.append(
                f"the {config.where} was made by another version of haberara; rebuilding it now"
            )
        client.indices.delete(index=index)
    body = index_settings(shards, replicas)
    body["settings"]["refresh_interval"] = "-1"  # until the first build is in
    client.indices.create(index=index, body=body)
    client.cluster.health(index=index, wait_for_status="yellow", request_timeout=60)
    return True, None


def _counts(client: OpenSearch, index: str, stamp: object) -> wordcounts.WordCounts:
    """The word counts kept for the index's last change, or read from its articles."""
    kept = wordcounts.load(client, index, stamp)
    return kept if kept is not None else wordcounts.from_fields(read_words(client, index))


def _old_words(client: OpenSearch, index: str, ids: list[str]) -> dict[str, dict]:
    """The indexed words (``title_words``, ``body_words``) of the articles ``ids``."""
    found: dict[str, dict] = {}
    fields = ["title_words", "body_words"]
    for start in range(0, len(ids), BULK_DOCUMENTS):
        body = {"ids": ids[start : start + BULK_DOCUMENTS]}
        for doc in client.mget(index=index, body=body, _source_includes=fields)["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = doc["_source"]
    return found


def _indexed_hashes(client: OpenSearch, index: str) -> dict[str, str]:
    """``{id: content_hash}`` of every article the index holds."""
    hits = helpers.scan(
        client, index=index, query={"_source": ["content_hash"]}, size=2_000, scroll="2m"
    )
    return {hit["_id"]: hit["_source"]["content_hash"] for hit in hits}


def _send(
    client: OpenSearch,
    index: str,
    articles: list[Article],
    removed: list[str],
    counts: wordcounts.WordCounts,
) -> dict[str, str]:
    """Index ``articles`` (counting their words in) and delete ``removed``; ``{id: reason}``
    of what the cluster refused."""
    refused: dict[str, str] = {}
    results = helpers.streaming_bulk(
        client,
        _actions(index, articles, removed, counts),
        chunk_size=BULK_DOCUMENTS,
        max_retries=BULK_RETRIES,
        initial_backoff=0.5,
        raise_on_error=False,
        raise_on_exception=True,
    )
    for ok, result in results:
        if ok:
            continue
        ((operation, detail),) = result.items()
        if operation == "delete" and detail.get("status") == 404:
            continue  # already gone
        refused[detail.get("_id", "?")] = "the cluster refused it: " + _bulk_reason(detail)
    return refused


def _actions(
    index: str, articles: list[Article], removed: list[str], counts: wordcounts.WordCounts
) -> Iterator[dict]:
    for doc_id in removed:
        yield {"_op_type": "delete", "_index": index, "_id": doc_id}
    for article in articles:
        source = article_source(article)
        wordcounts.add(counts, [source], 1)
        yield {"_op_type": "index", "_index": index, "_id": article.id, **source}


def _bulk_reason(detail: dict) -> str:
    error = detail.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', '')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" ({cause.get('reason', '')})"
        return reason
    return str(error or detail.get("status"))


def _stamp(client: OpenSearch, index: str, stamp: int) -> None:
    """Note in the index's mapping when it last changed (``stamp``): searchers read it to
    know when to read the words again."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    client.indices.put_mapping(
        index=index,
        body={
            "_meta": {
                "mapping_version": MAPPING_VERSION,
                "last_indexed": now,
                "stamp": stamp,
            }
        },
    )
