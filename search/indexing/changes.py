"""Which article files are new, changed or gone since the last reindex, and the file record
that lets unchanged files go unread."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

import numpy as np
from whoosh.index import FileIndex

from search.articles import (
    Article,
    ArticleError,
    article_from_bytes,
    article_id,
    read_file_bytes,
    scan_article_files,
)
from search.indexing import filerecord, listing
from search.indexing.pause import test_pause
from search.indexing.report import Progress, ReindexReport, display, fail
from search.storage.reading import text_value
from search.storage.schema import indexed_hash

KEPT = " (the version indexed before stays searchable)"


KEPT_BELOW = " (the articles indexed below it before stay searchable)"


@dataclass
class Changes:
    articles: list[Article] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    #: id -> (hash, signature) of each file read (or trusted one by one) this run
    files: dict[str, tuple[str, filerecord.Signature]] = field(default_factory=dict)
    #: the files the record vouched for all at once, unread
    trusted: filerecord.Trusted = field(default_factory=filerecord.Trusted)
    started: float = field(default_factory=lambda: filerecord.now())


@dataclass
class Reading:
    """What reading the articles folder needs and where it reports."""

    docs_dir: Path
    known: dict[str, str]  # id -> content hash of every indexed article
    record: filerecord.FileRecord
    max_bytes: int
    report: ReindexReport
    changes: Changes = field(default_factory=Changes)


def file_record(index: FileIndex) -> filerecord.FileRecord:
    """What the run that made the index's latest commit saw of the files."""
    return filerecord.load(Path(index.storage.folder), index.latest_generation())


def indexed_hashes(index: FileIndex, record: filerecord.FileRecord) -> dict[str, str]:
    """``{id: content_hash}`` of every indexed article: from the file record of this very
    commit when it covers every document, else from the sortable columns."""
    with index.reader() as reader:
        if record.hashes and len(record.hashes) == reader.doc_count():
            return dict(record.hashes)
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        return {
            text_value(ids[docnum]): indexed_hash(hashes[docnum]) for docnum in reader.all_doc_ids()
        }


def read_changes(
    docs_dir: Path,
    known: dict[str, str],
    record: filerecord.FileRecord,
    max_bytes: int,
    report: ReindexReport,
    progress: Progress | None,
    outside_links: bool = False,
) -> Changes:
    reading = Reading(docs_dir, known, record, max_bytes, report)
    paths = scan(docs_dir, known, reading.changes, report, outside_links=outside_links)
    rest = trust_unchanged(paths, reading)
    trusted = len(paths) - len(rest)
    if progress and trusted:
        progress(trusted, len(paths))
    counted = (lambda done, _: progress(trusted + done, len(paths))) if progress else None
    reading.changes.articles.extend(read_all(rest, reading, counted))
    return reading.changes


def trust_unchanged(paths: list[str], reading: Reading) -> list[str]:
    """Count as unchanged, unread, the files the record vouches for (as :func:`read_one`
    would, all at once); the other ``paths``, in order, are to be read one by one."""
    changes, record = reading.changes, reading.record
    if not paths or not record.ids:
        return paths
    ids = listing.article_ids(paths, reading.docs_dir)
    signatures = listing.signatures(paths)
    mask, rows = record.trusted(ids, signatures, reading.known, reading.max_bytes)
    clashing = _clashing(ids, changes.seen_ids)
    if clashing:  # one file of an id is read, its others reported, as read_one does
        mask &= np.array([doc_id not in clashing for doc_id in ids], dtype=bool)
    changes.trusted = filerecord.Trusted(record, rows[mask])
    changes.seen_ids.update(compress(ids, mask.tolist()))
    reading.report.unchanged += int(mask.sum())
    return list(compress(paths, np.logical_not(mask).tolist()))


def _clashing(ids: list[str], seen: set[str]) -> set[str]:
    """The ids of more than one listed file, or of one the scan reported."""
    unique = set(ids)
    if len(unique) == len(ids) and unique.isdisjoint(seen):
        return set()
    counted: set[str] = set()
    clashing = unique & seen
    for doc_id in ids:
        if doc_id in counted:
            clashing.add(doc_id)
        counted.add(doc_id)
    return clashing


def scan(
    docs_dir: Path,
    known: dict[str, str],
    changes: Changes,
    report: ReindexReport,
    *,
    outside_links: bool = False,
) -> list[str]:
    """The article files below ``docs_dir``; what cannot be listed or read is reported
    (and what was indexed below it before is kept, except through a symbolic link that
    is not followed: see :func:`~search.articles.scan_article_files`)."""
    paths, skipped = scan_article_files(docs_dir, outside_links=outside_links)
    for entry in skipped:
        if entry.refused:
            fail(report, entry.path, entry.reason)
            continue
        if entry.is_folder:  # keep what was indexed below a folder we cannot list now
            relative = entry.path.relative_to(docs_dir).as_posix()
            prefix = "" if relative == "." else relative + "/"
            kept = {doc_id for doc_id in known if doc_id.startswith(prefix)}
            changes.seen_ids |= kept
            fail(report, entry.path, entry.reason + (KEPT_BELOW if kept else ""))
            continue
        doc_id = article_id(entry.path, docs_dir)
        changes.seen_ids.add(doc_id)
        fail(report, entry.path, entry.reason + (KEPT if doc_id in known else ""))
    return paths


def read_all(paths: list[str], reading: Reading, progress: Progress | None) -> Iterator[Article]:
    """The new and changed articles among ``paths``, one at a time, as they are read."""
    for done, path in enumerate(paths, start=1):
        article = read_one(path, reading)
        if done == 1:
            test_pause("reading")
        if progress:
            progress(done, len(paths))
        if article is not None:
            yield article


def read_one(path: str, reading: Reading) -> Article | None:
    """Read one file once: unchanged (same sha1, or the same file by its recorded size,
    times and inode), a new or changed article (returned), or a failure."""
    known, report, changes = reading.known, reading.report, reading.changes
    docs_dir, record, max_bytes = reading.docs_dir, reading.record, reading.max_bytes
    doc_id = article_id(path, docs_dir)
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        fail(report, path, "file name is not valid UTF-8 (a legacy encoding?): rename the file")
        return None
    if doc_id in changes.seen_ids:  # `a.txt` and `a.TXT`, or one name composed, one not
        fail(report, path, f"another file has the same article id {doc_id!r}: rename one")
        return None
    try:
        info = os.stat(path)
    except OSError:
        info = None  # reading it below says why
    if info is not None and info.st_size <= max_bytes:
        recorded = record.unchanged_hash(doc_id, info)
        if recorded is not None and known.get(doc_id) == recorded:
            changes.seen_ids.add(doc_id)
            changes.files[doc_id] = (recorded, filerecord.signature(info))
            report.unchanged += 1
            return None
    try:
        raw = read_file_bytes(path, max_bytes)
        content_hash = hashlib.sha1(raw).hexdigest()
        if info is not None:
            changes.files[doc_id] = (content_hash, filerecord.signature(info))
        if known.get(doc_id) == content_hash:
            changes.seen_ids.add(doc_id)
            report.unchanged += 1
            return None
        article = article_from_bytes(raw, doc_id)
    except ArticleError as error:
        if not os.path.lexists(path):  # deleted or renamed since the folder was listed
            fail(report, path, "file disappeared while reindexing (deleted or renamed)")
            return None
        changes.seen_ids.add(doc_id)
        fail(report, path, str(error) + (KEPT if doc_id in known else ""))
        return None
    changes.seen_ids.add(doc_id)
    report.warnings.extend(f"{display(path)}: {w}" for w in article.warnings)
    return article


def unique_ids(paths: list[str], docs_dir: Path, report: ReindexReport) -> list[str]:
    """``paths`` without the later of two files that map to one article id (``a.txt`` and
    ``a.TXT``, one name composed and one not), which are reported."""
    seen: set[str] = set()
    unique = []
    for path in paths:
        doc_id = article_id(path, docs_dir)
        if doc_id in seen:
            fail(report, path, f"another file has the same article id {doc_id!r}: rename one")
            continue
        seen.add(doc_id)
        unique.append(path)
    return unique


def record_is_behind(record: filerecord.FileRecord, changes: Changes) -> bool:
    """Whether this run read files the record could not vouch for: new signatures, or
    files recorded within their racy window that have settled since (recorded again, the
    next runs trust them instead of reading them each time); or the record is an earlier
    release's (written again in the current format)."""
    return record.legacy or any(
        record.signature_of(doc_id) != sig
        or (record.racy(doc_id, sig[1]) and filerecord.settled(sig[1], changes.started))
        for doc_id, (_, sig) in changes.files.items()
    )


def save_record(index: FileIndex, changes: Changes, indexed: dict[str, str]) -> None:
    """Record what this run saw for the commit it made; the record only saves time, so
    failing to write it (a full disk) fails nothing."""
    generation = Path(index.storage.folder)
    with contextlib.suppress(OSError):
        commit = index.latest_generation()
        filerecord.save(
            generation, commit, changes.started, indexed, changes.files, changes.trusted
        )
