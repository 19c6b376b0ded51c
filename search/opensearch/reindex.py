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
from search.opensearch.cluster import ClusterConfig, cluster_error
from search.opensearch.mapping import (
    DEFAULT_REPLICAS,
    DEFAULT_SHARDS,
    MAPPING_VERSION,
    article_source,
    index_settings,
)

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
) -> ReindexReport:
    """Index every ``*.txt`` below ``docs_dir`` into the cluster's index.

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
        fresh = _prepare_index(client, config, full, shards, replicas, report)
        doing = "reading the indexed articles' hashes"
        known = {} if fresh else _indexed_hashes(client, config.index)
        doing = "the reindex"
        changes = read_changes(
            docs_dir, known, filerecord.FileRecord(), max_bytes, report, progress
        )
        removed = [doc_id for doc_id in known if doc_id not in changes.seen_ids]
        doing = "indexing the articles (bulk)"
        refused = _send(client, config.index, changes.articles, removed)
        for article in changes.articles:
            if article.id in refused:
                path = str(docs_dir / f"{article.id}.txt")
                report.failed.append(FailedFile(path, refused[article.id]))
            elif article.id in known:
                report.updated += 1
            else:
                report.added += 1
        report.removed = len(removed) - sum(1 for doc_id in removed if doc_id in refused)
        if fresh or changes.articles or removed:
            doing = "making the changes searchable (refresh)"
            client.indices.refresh(index=config.index)
            _stamp(client, config.index)
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
) -> bool:
    """Create the index when needed; True when it was created (and so is empty)."""
    index = config.index
    if client.indices.exists(index=index):
        mapping = client.indices.get_mapping(index=index)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        if not full and meta.get("mapping_version") == MAPPING_VERSION:
            return False
        if not full:
            report.warnings.append(
                f"the {config.where} was made by another version of haberara; rebuilding it now"
            )
        client.indices.delete(index=index)
    client.indices.create(index=index, body=index_settings(shards, replicas))
    client.cluster.health(index=index, wait_for_status="yellow", request_timeout=60)
    return True


def _indexed_hashes(client: OpenSearch, index: str) -> dict[str, str]:
    """``{id: content_hash}`` of every article the index holds."""
    hits = helpers.scan(
        client, index=index, query={"_source": ["content_hash"]}, size=2_000, scroll="2m"
    )
    return {hit["_id"]: hit["_source"]["content_hash"] for hit in hits}


def _send(
    client: OpenSearch, index: str, articles: list[Article], removed: list[str]
) -> dict[str, str]:
    """Index ``articles`` and delete ``removed``; ``{id: reason}`` of what the cluster refused."""
    refused: dict[str, str] = {}
    results = helpers.streaming_bulk(
        client,
        _actions(index, articles, removed),
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


def _actions(index: str, articles: list[Article], removed: list[str]) -> Iterator[dict]:
    for doc_id in removed:
        yield {"_op_type": "delete", "_index": index, "_id": doc_id}
    for article in articles:
        yield {"_op_type": "index", "_index": index, "_id": article.id, **article_source(article)}


def _bulk_reason(detail: dict) -> str:
    error = detail.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', '')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" ({cause.get('reason', '')})"
        return reason
    return str(error or detail.get("status"))


def _stamp(client: OpenSearch, index: str) -> None:
    """Note in the index's mapping when it last changed: searchers read it to know when
    to read the vocabulary again."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    client.indices.put_mapping(
        index=index,
        body={
            "_meta": {
                "mapping_version": MAPPING_VERSION,
                "last_indexed": now,
                "stamp": time.time_ns(),
            }
        },
    )
