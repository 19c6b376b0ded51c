"""Looking up one stored article by id, for the article page and the API."""

from __future__ import annotations

import unicodedata

from search import HighlightedArticle, StoredArticle
from web.slot import searcher


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


def normal_id(article_id: str) -> str:
    """Ids are NFC (see :func:`search.articles.article_id`): a URL written with decomposed
    letters (``s`` and a combining cedilla, as some systems type ``ş``) names the same one."""
    return unicodedata.normalize("NFC", article_id)


def find_article(article_id: str) -> StoredArticle:
    """The stored article; raises :class:`ArticleNotFound` for unknown or malformed ids."""
    article_id = normal_id(article_id)
    found = searcher().article(article_id) if is_plausible_id(article_id) else None
    if found is None:
        raise ArticleNotFound(article_id)
    return found


def find_highlighted_article(article_id: str, query: str) -> HighlightedArticle:
    """The article with the words of ``query`` marked; raises :class:`ArticleNotFound`."""
    article_id = normal_id(article_id)
    found = (
        searcher().highlighted_article(article_id, query) if is_plausible_id(article_id) else None
    )
    if found is None:
        raise ArticleNotFound(article_id)
    return found
