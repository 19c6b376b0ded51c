"""Looking up one stored article by id, for the article page and the API."""

from __future__ import annotations

import unicodedata

from search.searcher import StoredArticle
from web.index import searcher


class ArticleNotFound(LookupError):
    """No article has this id (or the id could never name one)."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article with id {article_id[:200]!r}")
        self.article_id = article_id


def is_plausible_id(article_id: str) -> bool:
    """Ids are relative ``a/b/c`` paths: no ``..``, no leading ``/``, no NUL or backslash."""
    if not article_id or article_id.startswith("/") or len(article_id) > 1000:
        return False
    if "\x00" in article_id or "\\" in article_id:
        return False
    return all(part not in ("", ".", "..") for part in article_id.split("/"))


def find_article(article_id: str) -> StoredArticle:
    """The stored article; raises :class:`ArticleNotFound` for unknown or malformed ids.

    Ids are NFC (see :func:`search.articles.article_id`); a URL written with decomposed
    letters (``s`` and a combining cedilla, as some systems type ``ş``) names the same one.
    """
    article_id = unicodedata.normalize("NFC", article_id)
    if not is_plausible_id(article_id):
        raise ArticleNotFound(article_id)
    found = searcher().article(article_id)
    if found is None:
        raise ArticleNotFound(article_id)
    return found
