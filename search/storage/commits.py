"""Writing and committing segments: the one way articles are written into an index.

Every reindex writes through :class:`~search.storage.segmentwriter.ArraySegmentWriter`: a
full build's workers each write segments of their own, and an update writes one segment
of the articles it adds, in a commit that also records the articles it deletes. whoosh's
own posting pool is not used for the text fields, so both paths produce the same arrays.

whoosh's writer commits its own segment in one call; a full build commits segments its
workers wrote, and a merge swaps segments for their merged copy, so both reach the
writer's steps (close its segment, write the TOC, release the lock) one by one. Those are
whoosh internals and stay here; ``before_toc`` lets a caller act just before the TOC is
written (the moment a reader could first see the commit).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from whoosh.index import FileIndex

from search.storage.postings import ArrayCodec
from search.storage.segmentwriter import ArraySegmentWriter

#: Plain segment files, not whoosh's compound file: a reader of a compound file copies each
#: part it opens into memory, where plain files are mapped. Every writer also gets an
#: :class:`~search.storage.postings.ArrayCodec` (text postings as arrays).
WRITER_OPTIONS = {"compound": False}


def index_segments(index: FileIndex) -> list:
    """The segments of the index's latest commit."""
    return index._segments()


def update_options(index: FileIndex) -> dict:
    """Writer options for an update: the stored-text dictionary of the newest segment."""
    segments = index_segments(index)
    codec = segments[-1].codec() if segments else None
    name = getattr(codec, "zdict_name", "")
    return {**WRITER_OPTIONS, "codec": ArrayCodec(zdict_name=name)}


def open_writer(index: FileIndex, options: dict) -> ArraySegmentWriter:
    """A writer holding the index's lock; it adds articles to a new segment of its own."""
    return ArraySegmentWriter(index, **options)


def open_segment_writer(index: FileIndex, options: dict) -> ArraySegmentWriter:
    """A writer of a segment to commit later (a build worker's; the lock is the caller's)."""
    return ArraySegmentWriter(index, _lk=False, **options)


def finish_segment(writer):
    """Close a segment writer that is not to commit: the finished segment, to commit
    later with :func:`commit_segments`."""
    return writer._finalize_segment()


def commit_segments(writer, segments: list, before_toc: Callable[[], None] | None = None) -> None:
    """Commit exactly ``segments`` as the index (the writer's own segment stays empty)."""
    writer._close_segment()
    if before_toc is not None:
        before_toc()
    writer._commit_toc(segments)
    writer._finish()


def commit(writer, before_toc: Callable[[], None] | None = None) -> None:
    """Commit the writer's segment and deletions, calling ``before_toc`` just before the
    TOC is written. whoosh's own merging is off: the reindex's merge policy decides."""
    if before_toc is not None:
        commit_toc = writer._commit_toc

        def commit_after(segments):
            before_toc()
            commit_toc(segments)

        writer._commit_toc = commit_after
    writer.commit(merge=False)


def abandon(writer) -> None:
    """Cancel a failed writer; a second error (the disk is still full) must not hide the
    first, and whoosh's own lock must be released even when ``cancel`` fails half-way."""
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()
