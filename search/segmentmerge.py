"""One segment from the segments a full build's workers wrote.

Each build worker writes its share of the archive into its own segment. A search then
looks every term up in each segment and reads each segment's postings apart: on the
archive, two segments made matching a fifth slower than one. So the full build ends by
copying its segments into one (:func:`merge_build_segments`), without decoding what it
need not: the array fields' postings are merged as arrays (no posting passes through
whoosh's pool), stored fields are copied as the compressed bytes they are (every segment
of a build shares one dictionary), and lengths and columns value by value. Only the few
short fields whoosh itself indexes (date, year, category, source) go through whoosh's
pool, as in any segment.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import TranslatingColumnReader, VarBytesColumn
from whoosh.reading import SegmentReader

from search.postings import ARRAY_FIELDS, FieldArrays, SortedPostings, frequencies_at
from search.segmentwriter import ArraySegmentWriter
from search.storedtext import STORED

#: A merged segment holds at most this many articles: merging keeps every posting of the
#: segments it merges in memory at once (about 150 MB for the 43,520-article archive).
MERGED_ARTICLES = 100_000


def merge_build_segments(index, segments: list, options: dict) -> list:
    """``segments`` (written by one full build with ``options``, none with deletions)
    copied into as few segments as :data:`MERGED_ARTICLES` allows, in the same order;
    a segment left alone is returned as it is."""
    groups: list[list] = []
    for segment in segments:
        if groups and sum(s.doc_count_all() for s in groups[-1]) + segment.doc_count_all() <= (
            MERGED_ARTICLES
        ):
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return [group[0] if len(group) == 1 else _merged(index, group, options) for group in groups]


def _merged(index, segments: list, options: dict):
    writer = MergingSegmentWriter(index, _lk=False, **options)
    readers = [SegmentReader(index.storage, index.schema, segment) for segment in segments]
    try:
        for reader in readers:
            writer.add_segment(reader)
        return writer._finalize_segment()
    finally:
        for reader in readers:
            reader.close()


class MergingSegmentWriter(ArraySegmentWriter):
    """An :class:`ArraySegmentWriter` that appends whole segments of the same build."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._parts: dict[str, list[tuple[FieldArrays, int]]] = {}

    def add_segment(self, reader: SegmentReader) -> None:
        """Append every document of ``reader``'s segment (which has no deletions)."""
        if reader.has_deletions():
            raise ValueError("only segments without deletions are merged")
        base = self.docnum
        self._copy_per_document(reader)
        arrays = getattr(reader._terms, "arrays", None)
        for fieldname, field in arrays.fields.items() if arrays else ():
            self._parts.setdefault(fieldname, []).append((field, base))
        for fieldname in reader.indexed_field_names():
            if fieldname not in ARRAY_FIELDS and fieldname in self.schema:
                self._pool_postings(reader, fieldname, base)
        self._added = True

    def _copy_per_document(self, reader: SegmentReader) -> None:
        """Stored fields (compressed bytes as they are), field lengths and columns."""
        schema, perdoc, source = self.schema, self.perdocwriter, reader._perdoc
        count = reader.doc_count_all()
        stored = _raw(source._cached_reader(STORED, source._stored_column))
        stored_writer = perdoc._get_column(STORED)._child
        lengths = {}
        for name in schema.scorable_names():
            lengths[_lenfield(name)] = source._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            perdoc._fieldlengths[name] += reader.field_length(name)
        columns = {}
        for name in schema.names():
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                columns[name] = (column_type, column)
        for docnum in range(count):
            perdoc.start_doc(self.docnum)
            value = stored(docnum)
            if value:
                VarBytesColumn.Writer.add(stored_writer, self.docnum, value)
            for name, column in lengths.items():
                code = column[docnum] if column is not None else 0
                if code:
                    perdoc.add_column_value(name, LENGTHS_COLUMN, code)
            for name, (column_type, column) in columns.items():
                perdoc.add_column_value(name, column_type, column[docnum])
            perdoc.finish_doc()
            self.docnum += 1

    def _pool_postings(self, reader: SegmentReader, fieldname: str, base: int) -> None:
        add = self.pool.add
        for btext in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, btext)
            while matcher.is_active():
                add((fieldname, btext, matcher.id() + base, matcher.weight(), matcher.value()))
                matcher.next()

    def _flush_segment(self) -> None:
        for name, parts in sorted(self._parts.items()):
            self.fieldwriter.add_sorted(name, merged_postings(parts))
        self._parts.clear()
        super()._flush_segment()


def _raw(column):
    """The bytes column under a pickling (and decompressing) column reader."""
    while hasattr(column, "_child"):
        column = column._child
    return lambda docnum: VarBytesColumn.Reader.__getitem__(column, docnum)


def merged_postings(parts: list[tuple[FieldArrays, int]]) -> SortedPostings:
    """One field's postings from segments in document order (``(arrays, first docnum)``):
    each term's documents from the first segment holding it, then the next, ascending."""
    term_lists = [list(arrays.terms()) for arrays, _ in parts]
    terms = sorted(set().union(*term_lists))
    number = {term: rank for rank, term in enumerate(terms)}
    ranks = [np.fromiter(map(number.__getitem__, held), np.int64, len(held)) for held in term_lists]
    counts = [np.diff(arrays.post_ends.astype(np.int64), prepend=0) for arrays, _ in parts]
    totals = np.zeros(len(terms), np.int64)
    for part_ranks, part_counts in zip(ranks, counts, strict=True):
        totals[part_ranks] += part_counts  # a term is held once per segment
    post_ends = np.cumsum(totals)
    free = post_ends - totals  # where each term's next posting goes
    docs = np.empty(int(post_ends[-1]) if len(terms) else 0, np.uint32)
    freqs = np.empty(len(docs), np.float32)
    for (arrays, base), part_ranks, part_counts in zip(parts, ranks, counts, strict=True):
        own_starts = np.cumsum(part_counts) - part_counts
        size = int(part_counts.sum())
        places = np.arange(size, dtype=np.int64)
        target = places + np.repeat(free[part_ranks] - own_starts, part_counts)
        docs[target] = arrays.docs[:size].astype(np.uint32) + np.uint32(base)
        freqs[target] = frequencies_at(arrays.freqs, places)
        free[part_ranks] += part_counts
    return SortedPostings(terms, post_ends.astype(np.uint32), docs, freqs)
