"""The names categories are shown by, on the page and in the API's facets: a configured
name (:data:`~search.searching.categories.CATEGORY_NAMES` and the app's
``CATEGORY_NAMES`` setting), else
the commonest way the index's articles write the category, the same on every page of
results whichever articles it holds."""

from __future__ import annotations

from flask import current_app, g

from search import CATEGORY_NAMES, category_name
from web.slot import searcher


def category_names() -> dict[str, str]:
    """Category names by key: :data:`~search.searching.categories.CATEGORY_NAMES` and the app's
    ``CATEGORY_NAMES`` setting (which wins)."""
    return {**CATEGORY_NAMES, **current_app.config.get("CATEGORY_NAMES", {})}


def category_labels() -> dict[str, str]:
    """The name each category is shown by, by key: a configured name, else the commonest
    way its articles write it (:meth:`search.Searcher.category_names`), capitalised the
    Turkish way; worked out once per request, whatever page of results is shown."""
    if "category_labels" not in g:
        names = category_names()
        written = searcher().category_names()
        found = {key: category_name(key, name, names) for key, name in written.items()}
        g.category_labels = {**names, **found}
    return g.category_labels


def category_label(key: str, written: str | None = None) -> str:
    """A category's name by its key (``written``, how the caller saw it written, names
    one the index does not hold)."""
    return category_labels().get(key) or category_name(key, written, category_names())
