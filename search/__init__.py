"""haberara's library: Turkish analysis, article reading, indexing and searching.

It knows nothing of the web; ``web/`` and ``search/cli.py`` are thin layers over it.
"""

from search.complete import Completion
from search.errors import (
    BadParameter,
    DocsMissing,
    HaberaraError,
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    IndexOutdated,
    IndexWriteFailed,
)
from search.indexer import ReindexReport, reindex
from search.related import RelatedArticle
from search.searcher import Searcher, SearchHit, SearchPage

__all__ = [
    "BadParameter",
    "Completion",
    "DocsMissing",
    "HaberaraError",
    "IndexCorrupt",
    "IndexLocked",
    "IndexMissing",
    "IndexOutdated",
    "IndexWriteFailed",
    "ReindexReport",
    "RelatedArticle",
    "SearchHit",
    "SearchPage",
    "Searcher",
    "reindex",
]
