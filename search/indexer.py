"""Bring the index in line with the articles folder: add new files, re-read changed ones
(compared by content hash), remove deleted ones, and report every file it had to reject."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh.index import FileIndex

from search import store
from search.articles import (
    DEFAULT_MAX_BYTES,
    Article,
    ArticleError,
    article_id,
    list_article_files,
    read_article,
)
from search.errors import DocsMissing, IndexCorrupt, IndexMissing, IndexOutdated
from search.schema import article_document

Progress = Callable[[int, int], None]
DEFAULT_LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class FailedFile:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class ReindexReport:
    """What a reindex did; ``failed`` files were skipped, everything else is committed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """The closing line: ``added A, updated U, removed R, unchanged N, failed F in T s``."""
        return (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, failed {len(self.failed)} in {self.seconds:.2f} s"
        )

    def to_dict(self) -> dict:
        """The ``--json`` object."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


def reindex(
    docs_dir: Path,
    index_dir: Path,
    *,
    full: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    progress: Progress | None = None,
) -> ReindexReport:
    """Index every ``*.txt`` below ``docs_dir`` into ``index_dir``.

    Incremental unless ``full`` (or there is no usable index yet, or it was built by an
    older analysis). Holds the writer lock for the whole run; raises
    :class:`~search.errors.IndexLocked` when another run keeps it past ``lock_timeout``.
    """
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise DocsMissing(f"articles folder {docs_dir}/ does not exist (set --docs)")
    started = time.monotonic()
    report = ReindexReport()
    with store.writer_lock(index_dir, lock_timeout):
        index = None if full else _open_for_update(index_dir, report)
        known = _indexed_hashes(index) if index is not None else {}
        changes = _read_changes(docs_dir, known, max_bytes, report, progress)
        if index is None:
            _rebuild(index_dir, changes, report)
        else:
            _update(index, changes, known, report)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Changes:
    articles: list[Article] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)


def _open_for_update(index_dir: Path, report: ReindexReport) -> FileIndex | None:
    """The current index, or None when a full build is needed (none yet, or outdated)."""
    try:
        return store.open_index(index_dir)
    except IndexMissing:
        return None
    except IndexOutdated as error:
        report.warnings.append(f"{error}; rebuilding it now")
        return None
    except IndexCorrupt:
        raise


def _indexed_hashes(index: FileIndex) -> dict[str, str]:
    """``{id: content_hash}`` of every indexed article, read from the sortable columns."""
    with index.reader() as reader:
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        return {_text(ids[docnum]): _text(hashes[docnum]) for docnum in reader.all_doc_ids()}


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _read_changes(
    docs_dir: Path,
    known: dict[str, str],
    max_bytes: int,
    report: ReindexReport,
    progress: Progress | None,
) -> _Changes:
    changes = _Changes()
    paths = list_article_files(docs_dir)
    for done, path in enumerate(paths, start=1):
        doc_id = article_id(path, docs_dir)
        changes.seen_ids.add(doc_id)
        if doc_id in known and _content_hash(path, max_bytes) == known[doc_id]:
            report.unchanged += 1
        else:
            try:
                article = read_article(path, docs_dir, max_bytes=max_bytes)
            except ArticleError as error:
                reason = str(error)
                if doc_id in known:
                    reason += " (the version indexed before stays searchable)"
                report.failed.append(FailedFile(_display(path), reason))
            else:
                changes.articles.append(article)
                report.warnings.extend(f"{_display(path)}: {w}" for w in article.warnings)
        if progress:
            progress(done, len(paths))
    return changes


def _content_hash(path: Path, max_bytes: int) -> str | None:
    """sha1 of the file, or None when it cannot be read or is too large (read it properly)."""
    try:
        if os.stat(path).st_size > max_bytes:
            return None
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _display(path: Path) -> str:
    return str(path)


def _rebuild(index_dir: Path, changes: _Changes, report: ReindexReport) -> None:
    """Write every article into a new generation, then make it current in one rename."""
    generation, index = store.new_generation(index_dir)
    try:
        writer = index.writer()
        try:
            for article in changes.articles:
                writer.add_document(**article_document(article))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
    except BaseException:
        store.discard_generation(generation)
        raise
    store.make_current(index_dir, generation)
    report.added = len(changes.articles)


def _update(
    index: FileIndex, changes: _Changes, known: dict[str, str], report: ReindexReport
) -> None:
    """Apply adds, updates and removals to the current generation in one commit."""
    removed = [doc_id for doc_id in known if doc_id not in changes.seen_ids]
    if not changes.articles and not removed:
        return
    writer = index.writer()
    try:
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
        for article in changes.articles:
            if article.id in known:
                writer.delete_by_term("id", article.id)
                report.updated += 1
            else:
                report.added += 1
            writer.add_document(**article_document(article))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    report.removed = len(removed)
