"""Bring the index in line with the articles folder: add new files, re-read changed ones
(compared by content hash), remove deleted ones, and report every file it had to reject.

Failure model: every write goes either into a new generation that becomes current by one
rename (full rebuild) or into a whoosh commit whose TOC is renamed into place (incremental),
so a run that dies or fails at any point leaves the last committed index. An ``OSError``
while writing (disk full, read-only disk) becomes :class:`~search.errors.IndexWriteFailed`
and whatever the run had written is removed; what a SIGKILLed run left is removed by the
next run (:func:`search.storage.store.remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import errno
import time
from collections.abc import Sequence
from pathlib import Path

from whoosh.index import FileIndex

from search.articles import (
    DEFAULT_MAX_BYTES,
    Article,
)
from search.errors import (
    DocsMissing,
    IndexCorrupt,
    IndexMissing,
    IndexOutdated,
    IndexWriteFailed,
)
from search.indexing import filerecord
from search.indexing.build import rebuild
from search.indexing.changes import (
    Changes,
    file_record,
    indexed_hashes,
    read_changes,
    record_is_behind,
    save_record,
)
from search.indexing.mergepolicy import merge_segments
from search.indexing.named import NamedChanges, inside, named_changes
from search.indexing.pause import committing_pause, test_pause
from search.indexing.report import Progress, ReindexReport
from search.indexing.workers import WorkerDied
from search.storage import commits, store
from search.storage.schema import article_document
from search.text.analysis import index_term, turkish_stem

DEFAULT_LOCK_TIMEOUT = 30.0
#: Articles the file record's chain of changes may hold before a run over the whole folder
#: writes the whole record again (loading applies every change of the chain).
CHAINED_ARTICLES = 5_000


def reindex(
    docs_dir: Path,
    index_dir: Path,
    *,
    full: bool = False,
    paths: Sequence[Path] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    progress: Progress | None = None,
    outside_links: bool = False,
) -> ReindexReport:
    """Index every ``*.txt`` below ``docs_dir`` into ``index_dir``.

    Incremental unless ``full`` (or there is no usable index yet, or it was built by an
    older analysis). With ``paths`` (files or folders inside ``docs_dir``), an incremental
    run looks at those alone: their new and changed files are indexed, and the articles
    indexed from them whose files are gone are removed; its cost does not grow with the
    archive (:mod:`search.indexing.named`). Holds the writer lock for the whole run; raises
    :class:`~search.errors.IndexLocked` when another run keeps it past ``lock_timeout``.
    Symbolic links leading outside ``docs_dir`` are reported and not followed unless
    ``outside_links``.
    """
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise DocsMissing(f"articles folder {docs_dir}/ does not exist (set --docs)")
    _check_apart(docs_dir, index_dir)
    targets = [inside(docs_dir, Path(path)) for path in paths]
    started = time.monotonic()
    report = ReindexReport()
    try:
        with store.writer_lock(index_dir, lock_timeout):
            store.remove_leftovers(index_dir)
            index = None if full else _open_for_update(index_dir, report)
            if index is None:
                rebuild(docs_dir, index_dir, max_bytes, report, progress, outside_links)
            elif targets:
                named = named_changes(index, docs_dir, targets, max_bytes, report)
                _update_named(index, named, report)
            else:
                record = file_record(index)
                known = indexed_hashes(index, record)
                changes = read_changes(
                    docs_dir, known, record, max_bytes, report, progress, outside_links
                )
                _update(index, changes, known, record, report)
    except OSError as error:
        raise _write_failed(index_dir, error) from error
    except WorkerDied as error:
        raise IndexWriteFailed(
            f"reindex of {index_dir}/ failed: {error} (killed, perhaps for lack of memory); "
            "the index as it was before this run is unchanged and still searchable; "
            "run `haberara reindex` again"
        ) from error
    finally:
        index_term.cache_clear()  # a serving process should not keep the build's words
        turkish_stem.cache_clear()
    report.seconds = time.monotonic() - started
    return report


def _write_failed(index_dir: Path, error: OSError) -> IndexWriteFailed:
    """A clear message for an I/O error while writing the index."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        problem = "the disk is full"
        advice = "free some space and run `haberara reindex` again"
    else:
        problem = f"cannot write it ({(error.strerror or str(error)).lower()})"
        advice = "fix that and run `haberara reindex` again"
    return IndexWriteFailed(
        f"reindex of {index_dir}/ failed: {problem}; the index as it was before this run is "
        f"unchanged and still searchable; {advice}"
    )


def _check_apart(docs_dir: Path, index_dir: Path) -> None:
    """Refuse an index folder that is the articles folder or holds it, and an articles
    folder that is an index (``--docs`` and ``--index`` swapped): the index's files would
    be written among the articles. (An index kept in a folder of its own inside the
    articles folder is left out of the listing.)"""
    docs, index = docs_dir.resolve(), index_dir.resolve()
    if docs == index or index in docs.parents:
        raise DocsMissing(
            f"the index folder {index_dir}/ is or holds the articles folder {docs_dir}/:"
            " keep the index in a folder of its own (set --index)"
        )
    if (docs / store.CURRENT_FILE).is_file():
        raise DocsMissing(
            f"{docs_dir}/ holds an index, not articles: were --docs and --index swapped?"
        )


def _open_for_update(index_dir: Path, report: ReindexReport) -> FileIndex | None:
    """The current index, or None when a full build is needed (none yet, or outdated);
    :class:`IndexCorrupt` when it is damaged (its ids are read whole: an update trusts
    them)."""
    try:
        index = store.open_index(index_dir)
        store.check_ids(index)
        return index
    except IndexMissing:
        return None
    except IndexOutdated as error:
        report.warnings.append(f"{error}; rebuilding it now")
        return None
    except IndexCorrupt:
        raise


def _update(
    index: FileIndex,
    changes: Changes,
    known: dict[str, str],
    record: filerecord.FileRecord,
    report: ReindexReport,
) -> None:
    """Apply adds, updates and removals to the current generation in one commit."""
    seen = changes.seen_ids
    removed = [doc_id for doc_id in known if doc_id not in seen]
    if removed:
        indexed = {doc_id: known[doc_id] for doc_id in known if doc_id in seen}
    else:
        indexed = dict(known)  # every indexed article was seen
    indexed.update((article.id, article.content_hash) for article in changes.articles)
    if not changes.articles and not removed:
        latest = index.latest_generation()
        behind = record.commit != latest or record_is_behind(record, changes)
        if behind and not _chain_record(index, changes, indexed, record, latest):
            save_record(index, changes, indexed)
        return
    after = index.latest_generation()
    _commit_changes(index, removed, changes.articles, known, report)
    if not _chain_record(index, changes, indexed, record, after):
        save_record(index, changes, indexed)


def _chain_record(
    index: FileIndex,
    changes: Changes,
    indexed: dict[str, str],
    record: filerecord.FileRecord,
    after: int,
) -> bool:
    """Record the run as a change to the record of commit ``after`` when it differs from
    it in a few articles (:data:`CHAINED_ARTICLES` along the chain), rather than write a
    record of every file; False when the whole record is to be written (also when it is
    an earlier release's: the first run writes it in the current format)."""
    if record.commit != after or record.legacy:
        return False
    hashes, removed = filerecord.differences(record, indexed, changes.files, changes.trusted)
    if record.chained + len(hashes) + len(removed) > CHAINED_ARTICLES:
        return False
    generation, commit = Path(index.storage.folder), index.latest_generation()
    try:
        return filerecord.save_change(
            generation, after, commit, hashes, changes.files, removed, changes.started
        )
    except OSError:
        return False


def _update_named(index: FileIndex, named: NamedChanges, report: ReindexReport) -> None:
    """Apply a run over named paths in one commit, and append its change to the file
    record (:func:`~search.indexing.filerecord.save_change`) rather than rewrite it."""
    changes, removed = named.changes, named.removed
    if not changes.articles and not removed:
        return
    after = index.latest_generation()
    _commit_changes(index, removed, changes.articles, named.known, report)
    hashes = {article.id: article.content_hash for article in changes.articles}
    with contextlib.suppress(OSError):
        generation, commit = Path(index.storage.folder), index.latest_generation()
        filerecord.save_change(
            generation, after, commit, hashes, changes.files, removed, changes.started
        )


def _commit_changes(
    index: FileIndex,
    removed: list[str],
    articles: list[Article],
    known: dict[str, str],
    report: ReindexReport,
) -> None:
    """Remove ``removed`` and add or replace ``articles`` in one commit, then merge as the
    merge policy says; a failed commit leaves nothing it wrote behind."""
    writer = commits.open_writer(index, commits.update_options(index))
    try:
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
        _add_all(writer, articles, known, report)
        commits.commit(writer, committing_pause())
    except BaseException:
        commits.abandon(writer)
        store.clean_generation(Path(index.storage.folder))  # free what the commit wrote
        raise
    report.removed = len(removed)
    merge_segments(index, report)


def _add_all(writer, articles: list[Article], known: dict[str, str], report: ReindexReport) -> None:
    for number, article in enumerate(articles):
        if article.id in known:
            writer.delete_by_term("id", article.id)
            report.updated += 1
        else:
            report.added += 1
        writer.add_document(**article_document(article))
        if number == 0:
            test_pause("writing")
