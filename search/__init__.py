"""haberara's library: Turkish analysis, article reading, indexing and searching.

It knows nothing of the web; ``web/`` and ``search/cli.py`` are thin layers over it.
"""

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
from search.indexing.reindex import ReindexReport, reindex
from search.searching.searcher import Searcher, SearchHit, SearchPage

__all__ = [
    "BadParameter",
    "DocsMissing",
    "HaberaraError",
    "IndexCorrupt",
    "IndexLocked",
    "IndexMissing",
    "IndexOutdated",
    "IndexWriteFailed",
    "ReindexReport",
    "SearchHit",
    "SearchPage",
    "Searcher",
    "reindex",
]
