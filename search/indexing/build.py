"""A full build: every article into a new generation, read and written by one worker process
per core, the workers' segments merged, the generation made current in one rename."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from whoosh.index import FileIndex

from search.articles import (
    Article,
    ArticleError,
    article_from_bytes,
    read_file_bytes,
)
from search.cores import usable_cores
from search.indexing import filerecord
from search.indexing.changes import Changes, Reading, read_all, save_record, scan, unique_ids
from search.indexing.pause import test_pause
from search.indexing.report import Progress, ReindexReport
from search.indexing.workers import run_shares, start_shares
from search.storage import commits, store
from search.storage.commits import WRITER_OPTIONS
from search.storage.postings import ArrayCodec
from search.storage.schema import article_document, stored_fields
from search.storage.segmentmerge import merge_build_segments
from search.storage.storedtext import sample_dictionary, save_dictionary

PARALLEL_BUILD_FROM = 2_000  # articles; below this, starting workers costs more than it saves


MAX_BUILD_PROCS = 4


#: Articles per segment a full build writes: a worker holds one segment's postings in
#: memory, so this bounds a build worker's memory.
SEGMENT_ARTICLES = 25_000


#: Articles whose stored fields the compression dictionary is trained on (a larger
#: dictionary needs more: see :data:`~search.storage.storedtext.DICTIONARY_BYTES`).
DICTIONARY_SAMPLES = 1024


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
    return min(usable_cores(), MAX_BUILD_PROCS)


def _samples(paths: list[str], docs_dir: Path, max_bytes: int) -> list[Article]:
    """Up to :data:`DICTIONARY_SAMPLES` articles read from files spread over ``paths``
    (read again when their turn comes; a file that fails here is reported then)."""
    step = max(1, len(paths) // DICTIONARY_SAMPLES)
    samples = []
    for path in paths[::step][:DICTIONARY_SAMPLES]:
        with contextlib.suppress(ArticleError):
            samples.append(article_from_bytes(read_file_bytes(path, max_bytes), "sample"))
    return samples


def rebuild(
    docs_dir: Path,
    index_dir: Path,
    max_bytes: int,
    report: ReindexReport,
    progress: Progress | None,
    outside_links: bool = False,
) -> None:
    """Write every article into a new generation as it is read (a large archive is never
    held in memory at once; on several cores each worker process reads and writes its
    share of the files), merge the segments written into one (up to
    :data:`~search.storage.segmentmerge.COPIED_ARTICLES` articles each: a search reads every
    segment apart), then make the generation current in one rename."""
    changes = Changes()
    found = scan(docs_dir, {}, changes, report, outside_links=outside_links)
    paths = unique_ids(found, docs_dir, report)
    generation, index = store.new_generation(index_dir)
    try:
        writer = commits.open_writer(index, WRITER_OPTIONS)  # holds the lock, commits
        try:
            options = _build_options(index, _samples(paths, docs_dir, max_bytes))
            procs = _build_procs(len(paths))
            built = _build_shares(_Share(index, options, docs_dir, max_bytes), paths, progress)
            indexed: dict[str, str] = {}
            for part in built:
                _merge_part(part, report, changes, indexed)
            segments = [segment for part in built for segment in part.segments]
            commits.commit_segments(
                writer,
                merge_build_segments(index, segments, options, (procs, start_shares)),
                partial(test_pause, "committing"),
            )
            save_record(index, changes, indexed)
        except BaseException:
            commits.abandon(writer)
            raise
        test_pause("swapping")
        store.make_current(index_dir, generation)
    except BaseException:
        if store.current_generation(index_dir) != generation:
            store.discard_generation(generation)
        raise


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
    reading = Reading(share.docs_dir, {}, filerecord.FileRecord(), share.max_bytes, built.report)

    def step(done: int, total: int) -> None:
        tick()
        if progress:
            progress(done, total)

    writer = None
    for article in read_all(paths, reading, step):
        if writer is not None and writer.doc_count() >= SEGMENT_ARTICLES:
            built.segments.append(commits.finish_segment(writer))
            writer = None
        if writer is None:
            writer = commits.open_segment_writer(share.index, share.options)
        writer.add_document(**article_document(article))
        built.indexed[article.id] = article.content_hash
        built.report.added += 1
        if built.report.added == 1:
            test_pause("writing")
    if writer is not None:
        built.segments.append(commits.finish_segment(writer))
    built.files = reading.changes.files
    test_pause("handing")
    return built


def _merge_part(
    part: _Built, report: ReindexReport, changes: Changes, indexed: dict[str, str]
) -> None:
    """Add what one worker did to the run's report, file record and indexed articles."""
    report.added += part.report.added
    report.failed.extend(part.report.failed)
    report.warnings.extend(part.report.warnings)
    changes.files.update(part.files)
    indexed.update(part.indexed)
