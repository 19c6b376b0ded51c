"""Which index haberara reads and writes: the embedded one in a folder (the default), or
an index on an OpenSearch cluster. The CLI and the web app ask this for the reindex and
the searcher, so both backends answer the same commands, API and page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.articles import DEFAULT_MAX_BYTES
from search.indexing.reindex import DEFAULT_LOCK_TIMEOUT, ReindexReport
from search.opensearch.cluster import ClusterConfig
from search.opensearch.mapping import DEFAULT_REPLICAS, DEFAULT_SHARDS

EMBEDDED = "embedded"
OPENSEARCH = "opensearch"
BACKENDS = (EMBEDDED, OPENSEARCH)
BACKEND_ENV = "HABERARA_BACKEND"


@dataclass(frozen=True)
class Backend:
    """The embedded index in ``index_dir``, or the ``cluster``'s index."""

    name: str = EMBEDDED
    index_dir: Path = Path("index")
    cluster: ClusterConfig = field(default_factory=ClusterConfig)

    @classmethod
    def choose(
        cls, name: str | None, index_dir: Path, url: str | None = None, index: str | None = None
    ) -> Backend:
        """The backend called ``name`` (default embedded); ``url`` and ``index`` name the
        cluster's nodes and index (see :meth:`ClusterConfig.from_url`)."""
        cluster = ClusterConfig.from_url(url, **({"index": index} if index else {}))
        return cls(name or EMBEDDED, Path(index_dir), cluster)

    @property
    def where(self) -> str:
        """The index, as messages name it."""
        return self.cluster.where if self.name == OPENSEARCH else f"{self.index_dir}/"

    def reindex(
        self,
        docs_dir: Path,
        *,
        full: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        shards: int = DEFAULT_SHARDS,
        replicas: int = DEFAULT_REPLICAS,
        progress: Any = None,
        outside_links: bool = False,
    ) -> ReindexReport:
        """Index the articles folder (``shards`` and ``replicas`` shape a new cluster index;
        ``lock_timeout`` is the embedded index's writer lock)."""
        if self.name == OPENSEARCH:
            from search.opensearch.reindex import reindex

            return reindex(
                docs_dir, self.cluster, full=full, max_bytes=max_bytes,
                shards=shards, replicas=replicas, progress=progress,
                outside_links=outside_links,
            )  # fmt: skip
        from search.indexing.reindex import reindex

        return reindex(
            docs_dir, self.index_dir, full=full, max_bytes=max_bytes,
            lock_timeout=lock_timeout, progress=progress, outside_links=outside_links,
        )  # fmt: skip

    def searcher(self, *, cache_pages: bool = True):
        """A searcher over this backend's index (raises the library's error when unusable)."""
        if self.name == OPENSEARCH:
            from search.opensearch.searcher import ClusterSearcher

            return ClusterSearcher(self.cluster, cache_pages=cache_pages)
        from search.searching.searcher import Searcher

        return Searcher(self.index_dir, cache_pages=cache_pages)

    def app_config(self) -> dict:
        """The web app's settings that choose this backend."""
        return {
            "INDEX_DIR": str(self.index_dir),
            "BACKEND": self.name,
            "OPENSEARCH_URL": ",".join(self.cluster.urls),
            "OPENSEARCH_INDEX": self.cluster.index,
        }
