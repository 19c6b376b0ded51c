"""Connecting to the cluster, and saying plainly what is wrong when it does not answer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from search.errors import HaberaraError, IndexMissing

DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_INDEX = "haberara"
URL_ENV = "HABERARA_OPENSEARCH_URL"
#: Seconds one request may take before it is tried on another node.
REQUEST_TIMEOUT = 30
#: Tries of a request on the other nodes when a node does not answer.
RETRIES = 3


if TYPE_CHECKING:
    from opensearchpy import OpenSearch


class ClusterUnreachable(HaberaraError):
    """No node of the cluster answers."""


class ClusterRefused(HaberaraError):
    """The cluster answered with an error."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where the articles live: the cluster's node URLs and the index name."""

    urls: tuple[str, ...] = (DEFAULT_URL,)
    index: str = DEFAULT_INDEX

    @classmethod
    def from_url(cls, url: str | None = None, index: str = DEFAULT_INDEX) -> ClusterConfig:
        """``url`` is one node's URL or several, comma-separated; by default
        ``$HABERARA_OPENSEARCH_URL``, else :data:`DEFAULT_URL`.

        >>> ClusterConfig.from_url("http://a:9200, http://b:9200").urls
        ('http://a:9200', 'http://b:9200')
        """
        text = url or os.environ.get(URL_ENV) or DEFAULT_URL
        urls = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
        return cls(urls or (DEFAULT_URL,), index)

    @property
    def where(self) -> str:
        """The index and cluster, as messages name them."""
        return f"index {self.index!r} on the OpenSearch cluster at {', '.join(self.urls)}"

    def client(self) -> OpenSearch:
        """A client that sends each request to a node that answers."""
        from opensearchpy import OpenSearch

        return OpenSearch(
            list(self.urls),
            timeout=REQUEST_TIMEOUT,
            max_retries=RETRIES,
            retry_on_timeout=True,
        )


def cluster_error(config: ClusterConfig, error: Exception, doing: str) -> HaberaraError:
    """The library's error for a client failure while ``doing`` something."""
    from opensearchpy import exceptions as os_errors

    if isinstance(error, os_errors.NotFoundError):
        return IndexMissing(
            f"there is no {config.where} yet: run `haberara reindex --backend opensearch`"
        )
    if isinstance(error, os_errors.ConnectionError | os_errors.ConnectionTimeout):
        return ClusterUnreachable(
            f"cannot reach the OpenSearch cluster at {', '.join(config.urls)} while {doing} "
            f"({type(error.info).__name__ if error.info else 'no answer'}): start it, or point "
            f"--opensearch-url / ${URL_ENV} at a node that runs"
        )
    if isinstance(error, os_errors.TransportError):
        return ClusterRefused(
            f"the {config.where} refused {doing}: {error.status_code} {_reason(error)}"
        )
    return ClusterRefused(f"{doing} on the {config.where} failed: {error}")


def _reason(error) -> str:
    info = error.info
    if isinstance(info, dict):
        cause = info.get("error", {})
        if isinstance(cause, dict):
            return f"{cause.get('type', '')}: {cause.get('reason', '')}".strip(": ")
    return str(error.error)
