"""Which segments a reindex merges, so an archive reindexed all day keeps few segments."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from whoosh.index import FileIndex

from search.indexing.pause import test_pause
from search.indexing.report import ReindexReport
from search.storage import commits, store
from search.storage.segmentmerge import MERGED_ARTICLES, merge_build_segments

#: A reindex that adds articles copies the segments holding fewer articles than this into
#: one (:func:`merge_segments`). Each reindex writes a segment and a search reads
#: every segment apart, so many small segments slow every search; whoosh's own policy
#: would wait for several and then re-add their articles one by one.
SMALL_SEGMENT_ARTICLES = 5_000


#: Larger segments are merged by tiers (each ten times the one below, from
#: SMALL_SEGMENT_ARTICLES): when this many of one tier pile up, they become one, so an
#: archive that grows by reindexes alone keeps a few segments per tier.
TIER_MERGE_SEGMENTS = 4


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


def merge_segments(index: FileIndex, report: ReindexReport) -> None:
    """Copy the segments :func:`segments_to_merge` picks into one, in a commit of its own:
    so an archive reindexed all day keeps few segments. The segments are copied as
    arrays and bytes, without the articles deleted or replaced since they were written
    (see :func:`~search.storage.segmentmerge.merge_build_segments`); only those with the newest
    segment's stored-text dictionary (every segment of one generation has it). The
    articles were committed already: a merge that cannot be written (a full disk) is
    reported and leaves the segments as they were."""
    options = commits.update_options(index)
    segments = commits.index_segments(index)
    mergeable = [
        segment
        for segment in segments
        if getattr(segment.codec(), "zdict_name", "") == options["codec"].zdict_name
    ]
    chosen = segments_to_merge([segment.doc_count_all() for segment in mergeable])
    merging = [mergeable[i] for i in chosen]
    if len(merging) < 2:
        return
    writer = commits.open_writer(index, options)
    try:
        merged = merge_build_segments(index, merging, options)
        kept = [segment for segment in segments if segment not in merging]
        commits.commit_segments(writer, kept + merged, partial(test_pause, "merging"))
    except BaseException as error:
        commits.abandon(writer)
        store.clean_generation(Path(index.storage.folder))
        if not isinstance(error, OSError):
            raise
        report.warnings.append(
            f"{len(merging)} of the index's segments were not merged into one "
            f"({(error.strerror or str(error)).lower()}): every article is indexed and "
            "searchable; searches read the segments apart until a later reindex merges them"
        )
