"""One segment from the segments a full build's workers wrote, or from small ones reindexes wrote.

Each build worker writes its share of the archive into its own segment, and each reindex
that adds articles writes one more. A search then looks every term up in each segment and
reads each segment's postings apart: on the archive, two segments made matching a fifth
slower than one. So the full build ends by copying its segments into one, and a reindex
copies the small segments into one (:func:`merge_build_segments`), without decoding what
it need not: the array fields' postings are merged as arrays (no posting passes through
whoosh's pool), stored fields are copied as the compressed bytes they are (the segments
share one dictionary), and each length and value column as one block of bytes. Only the
few short fields whoosh itself indexes (date, year, category, source) go through whoosh's
pool, as in any segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import accumulate, chain, pairwise
from typing import Any, NamedTuple, Protocol

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, _lenfield
from whoosh.columns import FixedBytesColumn, TranslatingColumnReader, VarBytesColumn
from whoosh.reading import SegmentReader

from search.storage.arrays import (
    FieldArrays,
    FieldSections,
    SortedPostings,
    decode_postings,
    field_arrays,
)
from search.storage.schema import ARRAY_FIELDS
from search.storage.segmentwriter import ArraySegmentWriter
from search.storage.storedtext import STORED

#: A merged segment holds at most this many articles when a segment it merges has deleted
#: articles: their postings are decoded and merged in memory, which this bounds.
MERGED_ARTICLES = 100_000

#: A merged segment holds at most this many articles when no segment it merges has deleted
#: articles (a full build's): their postings' bytes are copied a piece at a time
#: (:func:`concatenated_arrays`), and memory holds one merged field's bytes and a few
#: numbers per term. A search reads each segment apart: at five times the news archive,
#: one segment instead of three took a fifth off the slowest searches.
COPIED_ARTICLES = 500_000


#: Bytes of encoded postings (about two thirds of a posting each) a merge must write before
#: its fields are merged in other processes: below this, starting them costs more than it
#: saves.
PARALLEL_MERGE_BYTES = 4_000_000


class Started(Protocol):
    """Shares of work started in other processes."""

    def results(self) -> list: ...

    def stop(self) -> None: ...


#: ``(task, shares) -> started``: ``task(share, tick)`` started for each share in its own
#: process, its results asked for later (:func:`search.indexing.workers.start_shares`).
Parallel = Callable[[Callable[[Any, Callable[[], None]], Any], list], Started]


def merge_build_segments(
    index, segments: list, options: dict, parallel: tuple[int, Parallel] | None = None
) -> list:
    """``segments`` (written with ``options``' stored-text dictionary, by one full build or
    by reindexes) copied into as few segments as :data:`MERGED_ARTICLES` allows
    (:data:`COPIED_ARTICLES` when none has deleted documents), in the same order, without
    their deleted documents; a segment left alone is returned as it is. With ``parallel``
    (a number of processes and a way to start shares of work in them), a large merge's
    array fields are merged in that many processes, while this one copies the documents
    (stored fields, lengths, columns and the short fields' postings)."""
    most = MERGED_ARTICLES if any(s.has_deletions() for s in segments) else COPIED_ARTICLES
    groups: list[list] = []
    for segment in segments:
        if groups and sum(s.doc_count_all() for s in groups[-1]) + segment.doc_count_all() <= (
            most
        ):
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return [
        group[0] if len(group) == 1 else _merged(index, group, options, parallel)
        for group in groups
    ]


def _merged(index, segments: list, options: dict, parallel: tuple[int, Parallel] | None):
    writer = MergingSegmentWriter(index, _lk=False, parallel=parallel, **options)
    readers = [SegmentReader(index.storage, index.schema, segment) for segment in segments]
    try:
        for reader in readers:
            writer.add_arrays(reader)
        writer.start_merging_arrays()
        for reader in readers:
            writer.add_documents(reader)
        return writer._finalize_segment()
    finally:
        writer.stop_merging_arrays()
        for reader in readers:
            reader.close()


class MergingSegmentWriter(ArraySegmentWriter):
    """An :class:`ArraySegmentWriter` that appends whole segments written with the same
    stored-text dictionary: first each one's array fields (:meth:`add_arrays`), then each
    one's documents (:meth:`add_documents`), in the same order."""

    def __init__(self, ix, parallel: tuple[int, Parallel] | None = None, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = ShortFieldPostings()
        self._parts: dict[str, list[Part]] = {}
        self._parallel = parallel
        self._array_documents = 0
        self._merging: Started | None = None

    def add_arrays(self, reader: SegmentReader) -> None:
        """Take ``reader``'s array fields' postings to merge, its documents numbered on
        after the segments' taken before, without its deleted ones."""
        live, renumbered = _renumbering(reader)
        arrays = getattr(reader._terms, "arrays", None)
        for fieldname, field in arrays.fields.items() if arrays else ():
            self._parts.setdefault(fieldname, []).append(
                Part(field, self._array_documents, renumbered)
            )
        self._array_documents += reader.doc_count_all() if live is None else int(live.sum())

    def add_documents(self, reader: SegmentReader) -> None:
        """Append every live document of ``reader``'s segment (stored fields, lengths,
        columns, the short fields' postings); deleted ones are left out and the others
        numbered on without gaps."""
        base = self.docnum
        live, renumbered = _renumbering(reader)
        self._copy_per_document(reader, live)
        for fieldname in reader.indexed_field_names():
            if fieldname not in ARRAY_FIELDS and fieldname in self.schema:
                self._pool_postings(reader, fieldname, base, renumbered)
        self._added = True

    def start_merging_arrays(self) -> None:
        """Start merging a large merge's array fields in other processes, when the writer
        was given ``parallel``: the fields shared out among them, the largest first to the
        least loaded (one field is one process's work). Otherwise they are merged in this
        process when the segment is written."""
        shares = self._shares()
        if shares and self._parallel:
            parts, copied = self._parts, self._without_deletions()
            self._merging = self._parallel[1](
                lambda names, _tick: merged_fields(parts, names, copied), shares
            )

    def stop_merging_arrays(self) -> None:
        """Stop the processes merging the array fields, if they are still at it."""
        if self._merging is not None:
            self._merging.stop()
            self._merging = None

    def _copy_per_document(self, reader: SegmentReader, live: np.ndarray | None) -> None:
        """Stored fields (compressed bytes as they are), field lengths and columns: each
        column's values appended as one block of bytes (value by value, through whoosh's
        per-document calls, took most of a build's merge), or value by value, as bytes,
        for the ``live`` documents of a segment with deletions."""
        schema, perdoc, source = self.schema, self.perdocwriter, reader._perdoc
        base = self.docnum
        kept = None if live is None else np.flatnonzero(live)
        deleted = [] if live is None else np.flatnonzero(~live).tolist()
        count = reader.doc_count_all() if kept is None else len(kept)
        copies = [(STORED, STORED_COLUMN, source._cached_reader(STORED, source._stored_column))]
        for name in schema.scorable_names():
            length_column = source._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            copies.append((_lenfield(name), LENGTHS_COLUMN, length_column))
            perdoc._fieldlengths[name] += reader.field_length(name) - sum(
                reader.doc_field_length(docnum, name) or 0 for docnum in deleted
            )  # (a document's length is kept in one byte: exact for short fields only)
        for name in schema.names():
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                copies.append((name, column_type, column))
        for name, column_type, column in copies:
            if column is None:
                continue
            if not perdoc._has_column(name):
                perdoc._create_column(name, column_type)
            writer, values = _innermost(perdoc._get_column(name)), _innermost(column)
            appended = (
                _append_column(writer, values, base)
                if kept is None
                else _append_values(writer, values, base, kept)
            )
            if not appended:
                raise TypeError(f"column {name!r} ({column_type!r}) cannot be merged as bytes")
        perdoc._doccount = self.docnum = base + count

    def _pool_postings(
        self, reader: SegmentReader, fieldname: str, base: int, renumbered: np.ndarray | None
    ) -> None:
        add = self.pool.add
        for btext in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, btext)  # deleted documents left out
            while matcher.is_active():
                docnum = matcher.id() if renumbered is None else int(renumbered[matcher.id()])
                add((fieldname, btext, docnum + base, matcher.weight(), matcher.value()))
                matcher.next()

    def _flush_segment(self) -> None:
        for name, arrays in sorted(self._merged_fields().items()):
            self.fieldwriter.add_sorted(name, arrays)
        self._parts.clear()
        super()._flush_segment()

    def _without_deletions(self) -> bool:
        """Whether no segment merged has deleted documents (a full build's never has):
        their term bytes can then be copied (:func:`concatenated_arrays`)."""
        return all(part.renumbered is None for held in self._parts.values() for part in held)

    def _merged_fields(self) -> dict[str, FieldSections]:
        """Each array field's merged postings as the file holds them: from the processes
        :meth:`start_merging_arrays` started, or merged here."""
        if self._merging is None:
            return merged_fields(self._parts, list(self._parts), self._without_deletions())
        merged: dict[str, FieldSections] = {}
        for fields in self._merging.results():
            merged.update(fields)
        self._merging = None
        return merged

    def _shares(self) -> list[list[str]]:
        """The array fields shared out among the ``parallel`` processes, the largest first
        to the least loaded; none for a small merge, or without them."""
        parts = self._parts
        size = {name: sum(part.arrays.size() for part in held) for name, held in parts.items()}
        procs = self._parallel[0] if self._parallel else 1
        if procs < 2 or len(parts) < 2 or sum(size.values()) < PARALLEL_MERGE_BYTES:
            return []
        shares: list[list[str]] = [[] for _ in range(min(procs, len(parts)))]
        loads = [0] * len(shares)
        for name in sorted(parts, key=size.__getitem__, reverse=True):
            least = loads.index(min(loads))
            shares[least].append(name)
            loads[least] += size[name]
        return shares


def merged_fields(
    parts: dict[str, list[Part]], names: list[str], copied: bool
) -> dict[str, FieldSections]:
    """The ``names`` array fields merged: their bytes copied (``copied``: no segment has
    deletions) or decoded and merged."""
    if copied:
        return {name: concatenated_arrays(parts[name]) for name in names}
    return {name: field_arrays(merged_postings(parts[name])) for name in names}


class ShortFieldPostings:
    """The short fields' postings of the segments merged, in place of whoosh's posting
    pool (which weighs each posting as it comes, to spill sorted runs to disk): a list,
    sorted once as the segment is written. The segments' postings come sorted but for
    their terms, so the sort joins a few runs.

    >>> postings = ShortFieldPostings()
    >>> postings.add(("year", b"2025", 7, 1.0, None)); postings.add(("year", b"2024", 9, 1.0, None))
    >>> [item[:3] for item in postings.iter_postings()]
    [('year', b'2024', 9), ('year', b'2025', 7)]
    """

    def __init__(self) -> None:
        self.items: list[tuple] = []
        self.add = self.items.append

    def iter_postings(self) -> Iterator[tuple]:
        """The postings sorted by field, term and document."""
        self.items.sort(key=_posting_order)
        return iter(self.items)

    def cleanup(self) -> None:
        self.items.clear()


def _posting_order(item: tuple) -> tuple:
    return item[:3]


class Part(NamedTuple):
    """One segment's postings of a field, as merged: its arrays, the merged segment's
    number of its first document and, when it has deletions, each of its documents' number
    after them (-1 for a deleted one)."""

    arrays: FieldArrays
    base: int
    renumbered: np.ndarray | None = None


def _renumbering(reader: SegmentReader) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Whether each of the segment's documents is live, and each one's number once the
    deleted ones are left out (-1 for a deleted one); both None when none is deleted."""
    live = _live_documents(reader)
    return live, None if live is None else np.where(live, np.cumsum(live) - 1, -1)


def _live_documents(reader: SegmentReader) -> np.ndarray | None:
    """Whether each of the segment's documents is live; None when none is deleted."""
    if not reader.has_deletions():
        return None
    live = np.ones(reader.doc_count_all(), bool)
    live[list(reader._perdoc.deleted_docs())] = False
    return live


def _innermost(column):
    """The bytes column under wrapping columns (pickling, decompressing)."""
    while hasattr(column, "_child"):
        column = column._child
    return column


def _append_column(writer, reader, base: int) -> bool:
    """Append ``reader``'s values to ``writer`` (which holds ``base`` documents) as the
    bytes they are: a variable-length column's data and lengths, a fixed-width column's
    values. False for any other kind of column."""
    if isinstance(writer, VarBytesColumn.Writer) and isinstance(reader, VarBytesColumn.Reader):
        lengths = list(reader._lengths)
        size = sum(lengths)
        writer.fill(base)
        writer._dbfile.write(reader._dbfile.get(reader._basepos, size) if size else b"")
        offsets = accumulate(lengths[:-1], initial=writer._offset_base)
        writer._lengths.extend(lengths)
        writer._offsets.extend(offsets)
        writer._offset_base += size
        writer._count = base + len(lengths)
        return True
    fixed = FixedBytesColumn
    if isinstance(writer, fixed.Writer) and isinstance(reader, fixed.Reader):
        if writer._fixedlen != reader._fixedlen or writer._defaultbytes != reader._defaultbytes:
            return False
        if reader._count:
            writer.fill(base)
            writer._dbfile.write(
                reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
            )
            writer._count = base + reader._count
        return True
    return False


def _append_values(writer, reader, base: int, kept: np.ndarray) -> bool:
    """Append ``reader``'s values of the ``kept`` documents to ``writer`` (which holds
    ``base`` documents), value by value as the bytes they are (a stored-fields value stays
    compressed). False for a kind of column :func:`_append_column` cannot copy either."""
    if isinstance(writer, VarBytesColumn.Writer) and isinstance(reader, VarBytesColumn.Reader):
        for number, docnum in enumerate(kept.tolist()):
            value = VarBytesColumn.Reader.__getitem__(reader, docnum)
            if value:
                VarBytesColumn.Writer.add(writer, base + number, value)
        return True
    fixed = FixedBytesColumn
    if isinstance(writer, fixed.Writer) and isinstance(reader, fixed.Reader):
        if writer._fixedlen != reader._fixedlen or writer._defaultbytes != reader._defaultbytes:
            return False
        for number, docnum in enumerate(kept.tolist()):  # as Writer.add, from the bytes
            value = fixed.Reader.__getitem__(reader, docnum)
            if value != writer._defaultbytes:
                writer.fill(base + number)
                writer._dbfile.write(value)
                writer._count = base + number + 1
        return True
    return False


def merged_postings(parts: list[Part]) -> SortedPostings:
    """One field's postings from segments in document order: each term's documents from
    the first segment holding it, then the next, ascending. A deleted document's postings
    are left out, and a term only deleted documents held with them."""
    term_lists = [part.arrays.term_list() for part in parts]
    # (each list is sorted: sorting them joined merges runs, then each term is kept once)
    terms = list(dict.fromkeys(sorted(chain.from_iterable(term_lists))))
    number = dict(zip(terms, range(len(terms)), strict=True))
    ranks = [np.fromiter(map(number.__getitem__, held), np.int64, len(held)) for held in term_lists]
    kept = [_kept_postings(part) for part in parts]
    totals = np.zeros(len(terms), np.int64)
    for part_ranks, (_, _, part_counts) in zip(ranks, kept, strict=True):
        totals[part_ranks] += part_counts  # a term is held once per segment
    post_ends = np.cumsum(totals)
    free = post_ends - totals  # where each term's next posting goes
    docs = np.empty(int(post_ends[-1]) if len(terms) else 0, np.uint32)
    freqs = np.empty(len(docs), np.float32)
    for part_ranks, (part_docs, part_freqs, part_counts) in zip(ranks, kept, strict=True):
        own_starts = np.cumsum(part_counts) - part_counts
        places = np.arange(len(part_docs), dtype=np.int64)
        target = places + np.repeat(free[part_ranks] - own_starts, part_counts)
        docs[target] = part_docs
        freqs[target] = part_freqs
        free[part_ranks] += part_counts
    if len(terms) and not totals.all():  # terms held only by deleted documents
        held = totals > 0
        terms = [term for term, kept in zip(terms, held.tolist(), strict=True) if kept]
        post_ends = post_ends[held]
    return SortedPostings(terms, post_ends.astype(np.uint32), docs, freqs)


def _kept_postings(part: Part) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The part's postings of live documents, term after term: merged document numbers,
    frequencies, and how many each term keeps."""
    docs, freqs, counts = part.arrays.all_postings()
    if part.renumbered is None:
        return docs.astype(np.uint32) + np.uint32(part.base), freqs, counts
    renumbered = part.renumbered[docs]
    live = renumbered >= 0
    term_of = np.repeat(np.arange(len(counts)), counts)
    kept_counts = np.bincount(term_of[live], minlength=len(counts))
    return renumbered[live].astype(np.uint32) + np.uint32(part.base), freqs[live], kept_counts


def concatenated_arrays(parts: list[Part]) -> FieldSections:
    """One field's arrays from segments without deletions, in document order, as
    :func:`~search.storage.arrays.field_arrays` of :func:`merged_postings` would make them,
    without decoding and encoding every posting: a term's bytes from each segment are
    copied one after another, and only each copy's first number (a gap from the term's
    last document in an earlier segment, or a document number) is written anew. A full
    build's merge spent most of its time decoding and encoding postings it left as
    they were.

    Besides the merged bytes, memory holds a few numbers per term and segment: the
    segments' bytes are read in pieces of at most :data:`MERGE_PIECE_BYTES` (decoded, or
    copied a byte at a time), so the whole archive merges into one segment in bounded
    memory."""
    term_lists = [part.arrays.term_list() for part in parts]
    terms = list(dict.fromkeys(sorted(chain.from_iterable(term_lists))))
    number = dict(zip(terms, range(len(terms)), strict=True))
    last_doc = np.zeros(len(terms), np.int64)  # each term's last document so far
    held = np.zeros(len(terms), bool)
    hashes = np.zeros(len(terms), np.uint32)
    copies = []  # per segment: its terms' ranks, rest-of-bytes starts and sizes, new firsts
    for place, (held_terms, part) in enumerate(zip(term_lists, parts, strict=True)):
        ranks = np.fromiter(map(number.__getitem__, held_terms), np.int64, len(held_terms))
        arrays = part.arrays
        hashes[ranks[arrays.by_hash]] = arrays.hashes
        ends = arrays.post_ends.astype(np.int64)
        sizes = np.diff(ends, prepend=0)
        starts = ends - sizes
        firsts, first_sizes = _first_numbers(arrays.encoded, starts)
        first_docs = (firsts >> 4) + part.base
        gaps = np.where(held[ranks], first_docs - last_doc[ranks], first_docs)
        if place + 1 < len(parts):  # a later segment starts from each term's last document
            last_doc[ranks] = _last_documents(arrays.encoded, sizes) + part.base
            held[ranks] = True
        copies.append(
            (ranks, starts + first_sizes, sizes - first_sizes, (gaps << 4) | (firsts & 15))
        )
    order = np.argsort(np.concatenate([copy[0] for copy in copies]), kind="stable")
    ranks, rest_sizes, new_firsts = (
        np.concatenate([copy[column] for copy in copies])[order] for column in (0, 2, 3)
    )
    first_bytes, first_sizes = _encode_numbers(new_firsts)
    out_ends = np.cumsum(first_sizes + rest_sizes)
    out_starts = out_ends - first_sizes - rest_sizes
    encoded = np.empty(int(out_ends[-1]) if len(out_ends) else 0, np.uint8)
    encoded[np.repeat(out_starts, first_sizes) + _within(first_sizes)] = first_bytes
    rest_at = np.empty(len(order), np.int64)  # where each segment's copy of a term goes
    rest_at[order] = out_starts + first_sizes
    done = 0
    for (held_ranks, rest_starts, own_sizes, _), part in zip(copies, parts, strict=True):
        at = rest_at[done : done + len(held_ranks)]
        _copy_runs(encoded, at, part.arrays.encoded, rest_starts, own_sizes)
        done += len(held_ranks)
    term_ends = np.zeros(len(terms), np.int64)
    term_ends[ranks] = out_ends  # (a term's last copy ends it: ranks ascend, then segments)
    by_hash = np.argsort(hashes, kind="stable").astype(np.uint32)
    return {
        "blob": np.frombuffer(b"".join(terms), np.uint8),
        "term_ends": np.cumsum([len(term) for term in terms], dtype=np.uint64).astype(np.uint32),
        "hashes": hashes[by_hash],
        "by_hash": by_hash,
        "post_ends": term_ends.astype(np.uint32),
        "postings": encoded,
    }


#: Runs of at least this many bytes are copied one by one, the others in one array step.
LONG_RUN = 256

#: Bytes of a segment's postings decoded, or copied a byte at a time, in one array step of
#: a merge (each byte takes a few 64-bit numbers while it is worked on).
MERGE_PIECE_BYTES = 1 << 20


def _pieces(sizes: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive items of ``sizes`` bytes, each of at most
    :data:`MERGE_PIECE_BYTES` bytes unless one item alone is larger."""
    ends = np.cumsum(sizes)
    bounds = [0]
    while bounds[-1] < len(sizes):
        start = bounds[-1]
        before = int(ends[start - 1]) if start else 0
        end = int(np.searchsorted(ends, before + MERGE_PIECE_BYTES, side="right"))
        bounds.append(max(end, start + 1))
    return list(pairwise(bounds))


def _last_documents(encoded: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each term's last document: the terms' bytes (``sizes`` each, one after another from
    the start of ``encoded``) decoded a piece at a time."""
    lasts = np.empty(len(sizes), np.int64)
    byte_ends = np.cumsum(sizes)
    for first, end in _pieces(sizes):
        start = int(byte_ends[first - 1]) if first else 0
        docs, _, counts = decode_postings(
            encoded[start : int(byte_ends[end - 1])], sizes[first:end]
        )
        lasts[first:end] = docs[np.cumsum(counts) - 1]
    return lasts


def _copy_runs(
    target: np.ndarray, at: np.ndarray, source: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> None:
    """Copy ``source[starts[i]:starts[i] + sizes[i]]`` to ``target[at[i]:]`` for each i: the
    few long runs (most of the bytes) as slices, the many short ones gathered a piece at a
    time."""
    long_runs = sizes >= LONG_RUN
    for to, start, size in zip(
        at[long_runs].tolist(), starts[long_runs].tolist(), sizes[long_runs].tolist(), strict=True
    ):
        target[to : to + size] = source[start : start + size]
    short = ~long_runs
    at, starts, sizes = at[short], starts[short], sizes[short]
    for first, end in _pieces(sizes):
        piece = slice(first, end)
        within = _within(sizes[piece])
        target[np.repeat(at[piece], sizes[piece]) + within] = source[
            np.repeat(starts[piece], sizes[piece]) + within
        ]


def _within(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ... size-1 for each of ``sizes``, one after another."""
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _first_numbers(encoded: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first variable-length number at each of ``starts`` and how many bytes it takes
    (only the bytes of those numbers are read)."""
    values = np.zeros(len(starts), np.int64)
    sizes = np.zeros(len(starts), np.int64)
    reading = np.arange(len(starts))
    place = 0
    while len(reading):
        group = encoded[starts[reading] + place].astype(np.int64)
        values[reading] |= (group & 0x7F) << (7 * place)
        place += 1
        ended = group < 0x80
        sizes[reading[ended]] = place
        reading = reading[~ended]
    return values, sizes


def _encode_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as variable-length numbers (seven bits a byte, lowest first, the high
    bit set on all but the last), one after another, and each one's size."""
    sizes = np.ones(len(values), np.int64)
    for bits in range(7, 64, 7):
        sizes += values >= (1 << bits)
    places = _within(sizes)
    owner = np.repeat(np.arange(len(values)), sizes)
    groups = (values[owner] >> (7 * places)) & 0x7F
    more = places + 1 < sizes[owner]
    return (groups | (more << 7)).astype(np.uint8), sizes
