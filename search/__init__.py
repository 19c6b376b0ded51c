"""haberara's library: Turkish analysis, article reading, indexing and searching.

It knows nothing of the web; ``web/`` and ``search/cli.py`` are thin layers over it.
"""

from search.errors import (
    BadParameter,
    Busy,
    DocsMissing,
    HaberaraError,
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    IndexOutdated,
    IndexWriteFailed,
)
from search.indexing.reindex import ReindexReport, reindex
from search.opensearch.backend import BACKENDS, Backend
from search.searching import budget
from search.searching.categories import CATEGORY_NAMES, category_name
from search.searching.complete import COMPLETIONS, Completion
from search.searching.querybuild import FILL_UP_BELOW as RELAXED_BELOW
from search.searching.results import (
    FacetCount,
    HighlightedArticle,
    RelatedArticle,
    SearchHit,
    SearchPage,
    StoredArticle,
)
from search.searching.searcher import (
    DEFAULT_PER_PAGE,
    ISO_DATE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
    Searcher,
    parse_date,
)
from search.storage.schema import category_key

__all__ = [
    "COMPLETIONS",
    "BACKENDS",
    "Backend",
    "RELAXED_BELOW",
    "DEFAULT_PER_PAGE",
    "ISO_DATE",
    "MAX_PER_PAGE",
    "MAX_QUERY_LENGTH",
    "SORTS",
    "FacetCount",
    "HighlightedArticle",
    "StoredArticle",
    "category_key",
    "CATEGORY_NAMES",
    "category_name",
    "parse_date",
    "BadParameter",
    "Busy",
    "budget",
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
