"""The app's one :class:`~search.searching.searcher.Searcher`, opened when the index is usable."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from search import HaberaraError, Searcher


class SearcherSlot:
    """Holds the searcher for one index folder, opening it on first successful use.

    While the index is missing or unreadable, :meth:`get` raises the library's error (the
    views answer 503) and tries again on the next request, so an index built after the
    server started is served without a restart. Once open, the searcher itself follows
    reindexes and reports an index that disappears.
    """

    def __init__(
        self,
        index_dir: str | Path,
        *,
        cache_pages: bool = True,
        opener: Callable[[], Searcher] | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.cache_pages = cache_pages
        #: Opens another backend's searcher (see :mod:`search.opensearch.backend`).
        self.opener = opener
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    def get(self) -> Searcher:
        """The searcher; raises :class:`~search.errors.HaberaraError` if the index is unusable."""
        searcher = self._searcher
        if searcher is None:
            with self._lock:
                if self._searcher is None:
                    if self.opener is not None:
                        self._searcher = self.opener()
                    else:
                        self._searcher = Searcher(self.index_dir, cache_pages=self.cache_pages)
                searcher = self._searcher
        return searcher

    def warm_up(self) -> bool:
        """Open the searcher and read what the first searches need (see
        :meth:`~search.searching.searcher.Searcher.warm_up`); False when the index is not usable
        yet (requests then answer 503 as usual)."""
        try:
            self.get().warm_up()
        except HaberaraError:
            return False
        return True

    def problem(self) -> str | None:
        """Why the index cannot be served now, or None when it can."""
        try:
            self.get()
        except HaberaraError as error:
            return str(error)
        return None


def searcher() -> Searcher:
    """The current app's searcher (raises when the index is unusable)."""
    return current_app.extensions["haberara"].get()
