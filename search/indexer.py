"""Bring the index in line with the articles folder: add new files, re-read changed ones
(compared by content hash), remove deleted ones, and report every file it had to reject.

Failure model: every write goes either into a new generation that becomes current by one
rename (full rebuild) or into a whoosh commit whose TOC is renamed into place (incremental),
so a run that dies or fails at any point leaves the last committed index. An ``OSError``
while writing (disk full, read-only disk) becomes :class:`~search.errors.IndexWriteFailed`
and whatever the run had written is removed; what a SIGKILLed run left is removed by the
next run (:func:`search.store.remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from whoosh.index import FileIndex

from search import filerecord, store
from search.analysis import index_term, turkish_stem
from search.articles import (
    DEFAULT_MAX_BYTES,
    Article,
    ArticleError,
    article_from_bytes,
    article_id,
    read_file_bytes,
    scan_article_files,
)
from search.errors import (
    DocsMissing,
    IndexCorrupt,
    IndexMissing,
    IndexOutdated,
    IndexWriteFailed,
)
from search.postings import ArrayCodec
from search.schema import article_document, indexed_hash, stored_fields
from search.segmentmerge import MERGED_ARTICLES, merge_build_segments
from search.segmentwriter import ArraySegmentWriter
from search.storedtext import sample_dictionary, save_dictionary
from search.workers import WorkerDied, run_shares

Progress = Callable[[int, int], None]
DEFAULT_LOCK_TIMEOUT = 30.0
PARALLEL_BUILD_FROM = 2_000  # articles; below this, starting workers costs more than it saves
MAX_BUILD_PROCS = 4
#: Articles per segment a full build writes: a worker holds one segment's postings in
#: memory (each of two workers writing 21,800 news articles peaked at 430-450 MiB RSS,
#: its word tables and the forked main process included).
SEGMENT_ARTICLES = 25_000
DICTIONARY_SAMPLES = 64  # articles whose stored fields make the compression dictionary
#: Plain segment files, not whoosh's compound file: a reader of a compound file copies each
#: part it opens into memory (240 MB per reader on the 43,520-article archive). Every
#: writer also gets an :class:`~search.postings.ArrayCodec` (text postings as arrays).
WRITER_OPTIONS = {"compound": False}
#: A reindex that adds articles copies the segments holding fewer articles than this into
#: one (:func:`_merge_segments`). Each reindex writes a segment and a search reads
#: every segment apart: eight segments (an archive and seven reindexes of 40 files) made
#: searches about a quarter slower than one. whoosh's own policy waits for five small
#: segments and then re-adds their articles one by one (2 s for 250 articles).
SMALL_SEGMENT_ARTICLES = 5_000
#: Larger segments are merged by tiers (each ten times the one below, from
#: SMALL_SEGMENT_ARTICLES): when this many of one tier pile up, they become one, so an
#: archive that grows by reindexes alone keeps a few segments per tier.
TIER_MERGE_SEGMENTS = 4
KEPT = " (the version indexed before stays searchable)"
KEPT_BELOW = " (the articles indexed below it before stay searchable)"

#: Test-only (tests/test_faults.py, tests/test_kill.py): the points of :func:`_test_pause`.
PAUSE_ENV = "HABERARA_TEST_PAUSE_AT"
PAUSE_MARKER_ENV = "HABERARA_TEST_PAUSE_MARKER"
PAUSE_LIMIT_SECONDS = 60.0


def _test_pause(point: str) -> None:
    """TEST-ONLY hook; does nothing unless ``HABERARA_TEST_PAUSE_AT`` names ``point``.

    Then it creates the file named by ``HABERARA_TEST_PAUSE_MARKER`` and waits until the test
    deletes it (at most a minute), so a test can SIGKILL the run at exactly this point, or
    change files and let it go on. Points: ``reading`` (after the first file was read),
    ``writing`` (after the first document went to the writer), ``committing`` (new segment
    files written, TOC not yet), ``merging`` (an update committed, the small segments
    copied into one, its TOC not yet), ``swapping`` (full rebuild committed, CURRENT not
    yet), ``handing`` (a build worker's segments written, its result not yet handed back).
    """
    if os.environ.get(PAUSE_ENV) != point:
        return
    marker = Path(os.environ[PAUSE_MARKER_ENV])
    marker.write_text(f"{os.getpid()} {point}\n")
    deadline = time.monotonic() + PAUSE_LIMIT_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


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
    outside_links: bool = False,
) -> ReindexReport:
    """Index every ``*.txt`` below ``docs_dir`` into ``index_dir``.

    Incremental unless ``full`` (or there is no usable index yet, or it was built by an
    older analysis). Holds the writer lock for the whole run; raises
    :class:`~search.errors.IndexLocked` when another run keeps it past ``lock_timeout``.
    Symbolic links leading outside ``docs_dir`` are reported and not followed unless
    ``outside_links``.
    """
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise DocsMissing(f"articles folder {docs_dir}/ does not exist (set --docs)")
    started = time.monotonic()
    report = ReindexReport()
    scan = partial(_scan, outside_links=outside_links)
    try:
        with store.writer_lock(index_dir, lock_timeout):
            store.remove_leftovers(index_dir)
            index = None if full else _open_for_update(index_dir, report)
            if index is None:
                _rebuild(docs_dir, index_dir, max_bytes, report, progress, scan)
            else:
                record = _record(index)
                known = _indexed_hashes(index, record)
                reading = _Reading(docs_dir, known, record, max_bytes, report)
                changes = _read_changes(reading, progress, scan)
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


@dataclass
class _Changes:
    articles: list[Article] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    #: id -> (hash, signature) of each file read or trusted this run
    files: dict[str, tuple[str, filerecord.Signature]] = field(default_factory=dict)
    started: float = field(default_factory=filerecord.now)


@dataclass
class _Reading:
    """What reading the articles folder needs and where it reports."""

    docs_dir: Path
    known: dict[str, str]  # id -> content hash of every indexed article
    record: filerecord.FileRecord
    max_bytes: int
    report: ReindexReport
    changes: _Changes = field(default_factory=_Changes)


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


def _record(index: FileIndex) -> filerecord.FileRecord:
    """What the run that made the index's latest commit saw of the files."""
    return filerecord.load(Path(index.storage.folder), index.latest_generation())


def _indexed_hashes(index: FileIndex, record: filerecord.FileRecord) -> dict[str, str]:
    """``{id: content_hash}`` of every indexed article: from the file record of this very
    commit when it covers every document, else from the sortable columns."""
    with index.reader() as reader:
        if record.hashes and len(record.hashes) == reader.doc_count():
            return dict(record.hashes)
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        return {_text(ids[docnum]): indexed_hash(hashes[docnum]) for docnum in reader.all_doc_ids()}


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


#: :func:`_scan` with the run's link rule.
Scan = Callable[[Path, dict[str, str], _Changes, ReindexReport], list[str]]


def _read_changes(reading: _Reading, progress: Progress | None, scan: Scan) -> _Changes:
    paths = scan(reading.docs_dir, reading.known, reading.changes, reading.report)
    reading.changes.articles.extend(_read_all(paths, reading, progress))
    return reading.changes


def _scan(
    docs_dir: Path,
    known: dict[str, str],
    changes: _Changes,
    report: ReindexReport,
    *,
    outside_links: bool = False,
) -> list[str]:
    """The article files below ``docs_dir``; what cannot be listed or read is reported
    (and what was indexed below it before is kept, except through a link no longer
    followed)."""
    paths, skipped = scan_article_files(docs_dir, outside_links=outside_links)
    for entry in skipped:
        if entry.refused:
            _fail(report, entry.path, entry.reason)
            continue
        if entry.is_folder:  # keep what was indexed below a folder we cannot list now
            relative = entry.path.relative_to(docs_dir).as_posix()
            prefix = "" if relative == "." else relative + "/"
            kept = {doc_id for doc_id in known if doc_id.startswith(prefix)}
            changes.seen_ids |= kept
            _fail(report, entry.path, entry.reason + (KEPT_BELOW if kept else ""))
            continue
        doc_id = article_id(entry.path, docs_dir)
        changes.seen_ids.add(doc_id)
        _fail(report, entry.path, entry.reason + (KEPT if doc_id in known else ""))
    return paths


def _read_all(paths: list[str], reading: _Reading, progress: Progress | None) -> Iterator[Article]:
    """The new and changed articles among ``paths``, one at a time, as they are read."""
    for done, path in enumerate(paths, start=1):
        article = _read_one(path, reading)
        if done == 1:
            _test_pause("reading")
        if progress:
            progress(done, len(paths))
        if article is not None:
            yield article


def _read_one(path: str, reading: _Reading) -> Article | None:
    """Read one file once: unchanged (same sha1, or the same file by its recorded size,
    times and inode), a new or changed article (returned), or a failure."""
    known, report, changes = reading.known, reading.report, reading.changes
    docs_dir, record, max_bytes = reading.docs_dir, reading.record, reading.max_bytes
    doc_id = article_id(path, docs_dir)
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        _fail(report, path, "file name is not valid UTF-8 (a legacy encoding?): rename the file")
        return None
    if doc_id in changes.seen_ids:  # `a.txt` and `a.TXT`, or one name composed, one not
        _fail(report, path, f"another file has the same article id {doc_id!r}: rename one")
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
            _fail(report, path, "file disappeared while reindexing (deleted or renamed)")
            return None
        changes.seen_ids.add(doc_id)
        _fail(report, path, str(error) + (KEPT if doc_id in known else ""))
        return None
    changes.seen_ids.add(doc_id)
    report.warnings.extend(f"{_display(path)}: {w}" for w in article.warnings)
    return article


def _fail(report: ReindexReport, path: str | Path, reason: str) -> None:
    report.failed.append(FailedFile(_display(path), reason))


def _display(path: str | Path) -> str:
    """The path as text that can always be printed on one line: undecodable name bytes and
    control characters (a newline in a file name) shown as ``\\xNN``."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _build_options(index: FileIndex, samples: list[Article]) -> dict:
    """Segment writer options for a full build: stored fields compressed with a
    dictionary made from ``samples``."""
    zdict = sample_dictionary(stored_fields(article_document(a)) for a in samples)
    codec = ArrayCodec(zdict=zdict, zdict_name=save_dictionary(index.storage, zdict))
    return {**WRITER_OPTIONS, "codec": codec}


def _build_procs(count: int) -> int:
    """Worker processes for a full build of ``count`` articles: one per core for a large
    archive, none (in this process) for a small one."""
    if count < PARALLEL_BUILD_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_BUILD_PROCS))


def _samples(paths: list[str], docs_dir: Path, max_bytes: int) -> list[Article]:
    """Up to :data:`DICTIONARY_SAMPLES` articles read from files spread over ``paths``
    (read again when their turn comes; a file that fails here is reported then)."""
    step = max(1, len(paths) // DICTIONARY_SAMPLES)
    samples = []
    for path in paths[::step][:DICTIONARY_SAMPLES]:
        with contextlib.suppress(ArticleError):
            samples.append(article_from_bytes(read_file_bytes(path, max_bytes), "sample"))
    return samples


def _update_options(index: FileIndex) -> dict:
    """whoosh writer options for an update: the dictionary of the newest segment."""
    segments = index._segments()
    codec = segments[-1].codec() if segments else None
    name = getattr(codec, "zdict_name", "")
    return {**WRITER_OPTIONS, "codec": ArrayCodec(zdict_name=name)}


def _rebuild(
    docs_dir: Path,
    index_dir: Path,
    max_bytes: int,
    report: ReindexReport,
    progress: Progress | None,
    scan: Scan,
) -> None:
    """Write every article into a new generation as it is read (a large archive is never
    held in memory at once; on several cores each worker process reads and writes its
    share of the files), merge the segments written into one (up to
    :data:`~search.segmentmerge.MERGED_ARTICLES` articles each: a search reads every
    segment apart), then make the generation current in one rename."""
    changes = _Changes()
    paths = _unique_ids(scan(docs_dir, {}, changes, report), docs_dir, report)
    generation, index = store.new_generation(index_dir)
    try:
        writer = index.writer(**WRITER_OPTIONS)  # holds the lock, commits the segments
        try:
            options = _build_options(index, _samples(paths, docs_dir, max_bytes))
            built = _build_shares(_Share(index, options, docs_dir, max_bytes), paths, progress)
            indexed: dict[str, str] = {}
            for part in built:
                _merge_part(part, report, changes, indexed)
            segments = [segment for part in built for segment in part.segments]
            _commit_segments(writer, merge_build_segments(index, segments, options))
            _save_record(index, changes, indexed)
        except BaseException:
            _abandon(writer)
            raise
        _test_pause("swapping")
        store.make_current(index_dir, generation)
    except BaseException:
        if store.current_generation(index_dir) != generation:
            store.discard_generation(generation)
        raise


def _unique_ids(paths: list[str], docs_dir: Path, report: ReindexReport) -> list[str]:
    """``paths`` without the later of two files that map to one article id (``a.txt`` and
    ``a.TXT``, one name composed and one not), which are reported."""
    seen: set[str] = set()
    unique = []
    for path in paths:
        doc_id = article_id(path, docs_dir)
        if doc_id in seen:
            _fail(report, path, f"another file has the same article id {doc_id!r}: rename one")
            continue
        seen.add(doc_id)
        unique.append(path)
    return unique


@dataclass
class _Share:
    """What a build worker needs: the new index, the writer options and where to read."""

    index: FileIndex
    options: dict
    docs_dir: Path
    max_bytes: int


@dataclass
class _Built:
    """What a build worker wrote and saw of its share of the files."""

    segments: list = field(default_factory=list)
    indexed: dict[str, str] = field(default_factory=dict)  # id -> content hash
    report: ReindexReport = field(default_factory=ReindexReport)
    files: dict[str, tuple[str, filerecord.Signature]] = field(default_factory=dict)


def _build_shares(share: _Share, paths: list[str], progress: Progress | None) -> list[_Built]:
    """Every file of ``paths`` read and written into segments: by one worker process per
    core, each taking every n-th file, or here when the archive is small."""
    procs = _build_procs(len(paths))
    if procs == 1:
        return [_build_part(share, paths, lambda: None, progress)]

    def counted(done: int) -> None:
        if progress:
            progress(done, len(paths))

    task = partial(_build_part, share)
    return run_shares(task, [paths[number::procs] for number in range(procs)], counted)


def _build_part(
    share: _Share, paths: list[str], tick: Callable[[], None], progress: Progress | None = None
) -> _Built:
    """Read ``paths`` and write their articles into new segments of at most
    :data:`SEGMENT_ARTICLES` articles each (a worker's memory stays bounded)."""
    built = _Built()
    reading = _Reading(share.docs_dir, {}, filerecord.FileRecord(), share.max_bytes, built.report)

    def step(done: int, total: int) -> None:
        tick()
        if progress:
            progress(done, total)

    writer = None
    for article in _read_all(paths, reading, step):
        if writer is not None and writer.doc_count() >= SEGMENT_ARTICLES:
            built.segments.append(writer._finalize_segment())
            writer = None
        if writer is None:
            writer = ArraySegmentWriter(share.index, _lk=False, **share.options)
        writer.add_document(**article_document(article))
        built.indexed[article.id] = article.content_hash
        built.report.added += 1
        if built.report.added == 1:
            _test_pause("writing")
    if writer is not None:
        built.segments.append(writer._finalize_segment())
    built.files = reading.changes.files
    _test_pause("handing")
    return built


def _merge_part(
    part: _Built, report: ReindexReport, changes: _Changes, indexed: dict[str, str]
) -> None:
    """Add what one worker did to the run's report, file record and indexed articles."""
    report.added += part.report.added
    report.failed.extend(part.report.failed)
    report.warnings.extend(part.report.warnings)
    changes.files.update(part.files)
    indexed.update(part.indexed)


def _commit_segments(writer, segments: list) -> None:
    """Commit ``segments`` (written by build workers) as the index; the test-only
    ``committing`` pause sits just before the TOC."""
    writer._close_segment()  # the lock holder's own segment stays empty
    _test_pause("committing")
    writer._commit_toc(segments)
    writer._finish()


def _update(
    index: FileIndex,
    changes: _Changes,
    known: dict[str, str],
    record: filerecord.FileRecord,
    report: ReindexReport,
) -> None:
    """Apply adds, updates and removals to the current generation in one commit."""
    removed = [doc_id for doc_id in known if doc_id not in changes.seen_ids]
    indexed = {doc_id: known[doc_id] for doc_id in known if doc_id in changes.seen_ids}
    indexed.update((article.id, article.content_hash) for article in changes.articles)
    if not changes.articles and not removed:
        if record.commit != index.latest_generation() or _record_is_behind(record, changes):
            _save_record(index, changes, indexed)
        return
    writer = index.writer(**_update_options(index))
    try:
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
        _add_all(writer, changes.articles, known, report)
        _commit(writer)
    except BaseException:
        _abandon(writer)
        store.clean_generation(Path(index.storage.folder))  # free what the commit wrote
        raise
    report.removed = len(removed)
    _merge_segments(index, report)
    _save_record(index, changes, indexed)


def segments_to_merge(sizes: list[int]) -> list[int]:
    """Which of the segments holding ``sizes`` articles a reindex merges (their positions):
    the small ones (fewer than :data:`SMALL_SEGMENT_ARTICLES`) when there are two or more,
    and every tier above (from ten times as many articles to a hundred times ...) that
    holds :data:`TIER_MERGE_SEGMENTS` segments, below :data:`MERGED_ARTICLES`.

    >>> segments_to_merge([43_520, 120, 30])
    [1, 2]
    >>> segments_to_merge([43_520, 5_100, 5_060, 5_020, 40])
    [0, 1, 2, 3]
    """
    chosen: list[int] = []
    low, high = 0, SMALL_SEGMENT_ARTICLES
    while high > 0 and low < MERGED_ARTICLES:  # (none merged when no segment is small)
        tier = [i for i, size in enumerate(sizes) if low <= size < min(high, MERGED_ARTICLES)]
        if len(tier) >= (2 if low == 0 else TIER_MERGE_SEGMENTS):
            chosen += tier
        low, high = high, high * 10
    return sorted(chosen)


def _merge_segments(index: FileIndex, report: ReindexReport) -> None:
    """Copy the segments :func:`segments_to_merge` picks into one, in a commit of its own:
    so an archive reindexed all day keeps few segments. The segments are copied as
    arrays and bytes, without the articles deleted or replaced since they were written
    (see :func:`~search.segmentmerge.merge_build_segments`); only those with the newest
    segment's stored-text dictionary (every segment of one generation has it). The
    articles were committed already: a merge that cannot be written (a full disk) is
    reported and leaves the segments as they were."""
    options = _update_options(index)
    segments = index._segments()
    mergeable = [
        segment
        for segment in segments
        if getattr(segment.codec(), "zdict_name", "") == options["codec"].zdict_name
    ]
    chosen = segments_to_merge([segment.doc_count_all() for segment in mergeable])
    merging = [mergeable[i] for i in chosen]
    if len(merging) < 2:
        return
    writer = index.writer(**options)
    try:
        merged = merge_build_segments(index, merging, options)
        writer._close_segment()
        _test_pause("merging")
        writer._commit_toc([segment for segment in segments if segment not in merging] + merged)
        writer._finish()
    except BaseException as error:
        _abandon(writer)
        store.clean_generation(Path(index.storage.folder))
        if not isinstance(error, OSError):
            raise
        report.warnings.append(
            f"{len(merging)} of the index's segments were not merged into one "
            f"({(error.strerror or str(error)).lower()}): every article is indexed and "
            "searchable; searches read the segments apart until a later reindex merges them"
        )


def _record_is_behind(record: filerecord.FileRecord, changes: _Changes) -> bool:
    """Whether this run read files the record could not vouch for (new signatures)."""
    return any(record.signatures.get(doc_id) != sig for doc_id, (_, sig) in changes.files.items())


def _save_record(index: FileIndex, changes: _Changes, indexed: dict[str, str]) -> None:
    """Record what this run saw for the commit it made; the record only saves time, so
    failing to write it (a full disk) fails nothing."""
    generation = Path(index.storage.folder)
    with contextlib.suppress(OSError):
        commit = index.latest_generation()
        filerecord.save(generation, commit, changes.started, indexed, changes.files)


def _add_all(writer, articles: list[Article], known: dict[str, str], report: ReindexReport) -> None:
    for number, article in enumerate(articles):
        if article.id in known:
            writer.delete_by_term("id", article.id)
            report.updated += 1
        else:
            report.added += 1
        writer.add_document(**article_document(article))
        if number == 0:
            _test_pause("writing")


def _commit(writer) -> None:
    """``writer.commit()``; the test-only ``committing`` pause sits just before the TOC."""
    if os.environ.get(PAUSE_ENV) == "committing":
        commit_toc = writer._commit_toc

        def paused(segments):
            _test_pause("committing")
            commit_toc(segments)

        writer._commit_toc = paused
    writer.commit()


def _abandon(writer) -> None:
    """Cancel a failed writer; a second error (the disk is still full) must not hide the
    first, and whoosh's own lock must be released even when ``cancel`` fails half-way."""
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()
