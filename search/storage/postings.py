"""Text postings as plain arrays: a whoosh codec whose text fields skip whoosh's posting blocks.

whoosh's own format keeps each term's postings as pickled, zlib-compressed blocks and its
term table as a pickled record per term. A query expanding to a hundred terms spent most of
its time unpacking them, the build most of its time writing them, and they made up three
quarters of the index. This codec is whoosh's default codec with one change: the text
fields and the article id (:data:`~search.storage.schema.ARRAY_FIELDS`) are written to one
file per segment (``.arr``) of plain arrays, per field:

- the terms, sorted, as one UTF-8 blob with their end offsets;
- a hash table over them (sorted 32-bit hashes and the term each belongs to);
- every term's document numbers and frequencies (``post_ends`` says where each term's
  run ends).

A reader maps the file; a term's document numbers are an array slice of the page cache,
its frequencies unpacked from their four-bit codes, and the engine gathers all of a
query's terms of a field in one pass (:meth:`FieldArrays.gather`). The other fields,
stored values, columns and the commit protocol are whoosh's, and whoosh's reading API
still works over these fields (``postings``, ``doc_frequency``, ``lexicon``, merging
segments) through :class:`ArrayTermsReader`.

A frequency is kept in four bits, two to a byte: exact up to 8, then on a rising scale up
to 128 (:data:`FREQUENCY_STEPS`); BM25 barely tells 12 from 16 apart, and the frequencies
were an eighth of the index.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from whoosh.codec.base import FieldWriter, TermsReader
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3Segment
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo, TermNotFound

from search.storage.schema import ARRAY_FIELDS
from search.storage.storedtext import StoredTextReader, StoredTextWriter, load_dictionary

#: Fields whose postings are written as arrays; every other field is whoosh's as usual. The
#: article id is one too: whoosh's term table spent 90 bytes on each.
ARRAYS_EXT = ".arr"
MAGIC = b"HBARR001"
#: The frequency each four-bit code stands for (a frequency is kept as the largest step
#: not above it; code 0 is unused, every posting has a frequency of at least 1).
FREQUENCY_STEPS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24, 32, 64, 128], np.uint8)
Postings = tuple[np.ndarray, np.ndarray]  # document numbers, frequencies
Gathered = tuple[np.ndarray, np.ndarray, np.ndarray]  # docs, frequencies, count per term
_ALIGN = 8
_FOOTER = struct.Struct("<Q")  # offset of the pickled directory


def term_hash(term: bytes) -> int:
    """A stable 32-bit hash of a term (the same in every process and version); terms
    sharing one are told apart by their bytes."""
    return zlib.crc32(term)


def term_hashes(terms: list[bytes]) -> np.ndarray:
    """:func:`term_hash` of each of ``terms``."""
    return np.fromiter(map(term_hash, terms), np.uint32, len(terms))


class ArrayCodec(W3Codec):
    """whoosh's default codec, with the text fields' postings written as arrays, and
    each article's stored fields compressed with a dictionary of sample articles, saved
    in the index folder under ``zdict_name`` (see :mod:`search.storage.storedtext`).

    A segment keeps its codec in the index's table of contents: the codec keeps only the
    dictionary's name there, never its bytes.
    """

    def __init__(self, zdict: bytes = b"", zdict_name: str = "") -> None:
        super().__init__()
        self.zdict = zdict
        self.zdict_name = zdict_name

    def __getstate__(self) -> dict:
        return {**self.__dict__, "zdict": b""}

    def dictionary(self, storage) -> bytes:
        """The stored-fields dictionary (read from the index folder when not in hand)."""
        if not self.zdict and self.zdict_name:
            self.zdict = load_dictionary(storage, self.zdict_name)
        return self.zdict

    def field_writer(self, storage, segment) -> ArrayFieldWriter:
        return ArrayFieldWriter(self, storage, segment)

    def per_document_writer(self, storage, segment) -> StoredTextWriter:
        return StoredTextWriter(self, storage, segment)

    def per_document_reader(self, storage, segment) -> StoredTextReader:
        return StoredTextReader(storage, segment, self.dictionary(storage))

    def terms_reader(self, storage, segment) -> ArrayTermsReader:
        """whoosh's terms reader and the segment's arrays. Every segment this codec writes
        has its arrays file: one that is gone (a reindex merged the segment away while a
        reader was opening it) fails the opening, as any other missing file does, rather
        than reading as a segment without text."""
        whoosh_terms = super().terms_reader(storage, segment)
        arrays = SegmentArrays(_file_buffer(storage, segment.make_filename(ARRAYS_EXT)))
        return ArrayTermsReader(whoosh_terms, arrays)

    def new_segment(self, storage, indexname) -> W3Segment:
        return W3Segment(self, indexname)


def _file_buffer(storage, name: str):
    """The file's bytes: the process's shared mapping when the storage maps files."""
    handle = storage.open_file(name)
    mapped = getattr(getattr(handle, "file", None), "mapped", None)
    if mapped is not None:
        return mapped
    try:
        return handle.read()
    finally:
        handle.close()


# Writing


class SortedPostings(NamedTuple):
    """One field's postings in a segment, ready to write: ``terms`` sorted (UTF-8), each
    term's postings ending at ``post_ends[i]`` in ``docs`` (ascending) and ``freqs``."""

    terms: list[bytes]
    post_ends: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray


class _FieldBuilder:
    """One field's postings as they arrive, sorted by term then document."""

    def __init__(self) -> None:
        self.terms: list[bytes] = []
        self.post_ends = array("L")
        self.docs = array("I")
        self.freqs = array("f")

    def start_term(self, term: bytes) -> None:
        if self.terms:
            self.post_ends.append(len(self.docs))
        self.terms.append(term)

    def sorted_postings(self) -> SortedPostings:
        if self.terms and len(self.post_ends) < len(self.terms):
            self.post_ends.append(len(self.docs))
        return SortedPostings(
            self.terms,
            np.asarray(self.post_ends, np.uint32),
            np.frombuffer(self.docs, np.uint32),
            np.frombuffer(self.freqs, np.float32),
        )


class ArrayFieldWriter(W3FieldWriter):
    """Writes the array fields to the segment's array file, the rest as whoosh does."""

    def __init__(self, codec, storage, segment) -> None:
        super().__init__(codec, storage, segment)
        self._builders: dict[str, _FieldBuilder] = {}
        self._builder: _FieldBuilder | None = None
        self._sorted: dict[str, SortedPostings] = {}

    def add_sorted(self, fieldname: str, postings: SortedPostings) -> None:
        """A whole array field's postings at once (a build that collected them itself)."""
        if fieldname not in ARRAY_FIELDS or fieldname in self._sorted:
            raise ValueError(f"field {fieldname!r} is not an array field or came twice")
        self._sorted[fieldname] = postings

    def add_postings(self, schema, lengths, items) -> None:
        """whoosh's sorted ``(field, term, docnum, weight, value)`` postings, written out;
        array fields take a short loop, the others go through whoosh's writer."""
        whoosh_items = []
        field = term = None
        builder: _FieldBuilder | None = None
        for item in items:
            fieldname, btext, docnum, weight, _ = item
            if fieldname != field:
                field, term = fieldname, None
                builder = self._start_array_field(fieldname)
                if builder is not None and whoosh_items:
                    FieldWriter.add_postings(self, schema, lengths, whoosh_items)
                    whoosh_items = []
            if builder is None:
                whoosh_items.append(item)
                continue
            if docnum < 0:
                continue  # whoosh's spelling marker; no postings
            if btext != term:
                builder.start_term(btext)
                term = btext
            builder.docs.append(docnum)
            builder.freqs.append(weight)
        if whoosh_items:
            FieldWriter.add_postings(self, schema, lengths, whoosh_items)

    def _start_array_field(self, fieldname: str) -> _FieldBuilder | None:
        if fieldname not in ARRAY_FIELDS:
            return None
        if fieldname in self._builders or fieldname in self._sorted:
            raise ValueError(f"postings of field {fieldname!r} arrived out of order")
        builder = self._builders[fieldname] = _FieldBuilder()
        return builder

    # whoosh's term-at-a-time interface, for callers that do not use add_postings

    def start_field(self, fieldname, fieldobj) -> None:
        self._builder = self._start_array_field(fieldname)
        if self._builder is None:
            super().start_field(fieldname, fieldobj)

    def start_term(self, btext) -> None:
        if self._builder is None:
            super().start_term(btext)
        else:
            self._builder.start_term(btext)

    def add(self, docnum, weight, vbytes, length) -> None:
        if self._builder is None:
            super().add(docnum, weight, vbytes, length)
        else:
            self._builder.docs.append(docnum)
            self._builder.freqs.append(weight)

    def finish_term(self) -> None:
        if self._builder is None:
            super().finish_term()

    def finish_field(self) -> None:
        if self._builder is None:
            super().finish_field()
        self._builder = None

    def close(self) -> None:
        super().close()
        handle = self._segment.create_file(self._storage, ARRAYS_EXT)
        try:
            fields = {name: builder.sorted_postings() for name, builder in self._builders.items()}
            write_arrays(handle, {**fields, **self._sorted})
        finally:
            handle.close()


def write_arrays(handle, fields: dict[str, SortedPostings]) -> None:
    """Write every field's arrays and the directory that finds them."""
    position = 0
    directory: dict[str, dict[str, tuple[int, str, int]]] = {}

    def section(values: np.ndarray) -> tuple[int, str, int]:
        nonlocal position
        padding = -position % _ALIGN
        handle.write(b"\0" * padding)
        position += padding
        data = np.ascontiguousarray(values)
        handle.write(data.tobytes())
        placed = (position, data.dtype.str, len(data))
        position += data.nbytes
        return placed

    handle.write(MAGIC)
    position = len(MAGIC)
    for fieldname, postings in sorted(fields.items()):
        directory[fieldname] = _field_sections(postings, section)
    footer = pickle.dumps({"fields": directory}, protocol=4)
    handle.write(footer)
    handle.write(_FOOTER.pack(position))


def _field_sections(postings: SortedPostings, section) -> dict:
    terms = postings.terms
    blob = b"".join(terms)
    if max(len(blob), len(postings.docs)) >= 1 << 32:
        raise ValueError("a segment field too large for 32-bit offsets; index in parts")
    term_ends = np.cumsum([len(term) for term in terms], dtype=np.uint64).astype(np.uint32)
    hashes = term_hashes(terms)
    by_hash = np.argsort(hashes, kind="stable").astype(np.uint32)
    docs = postings.docs
    docs_type = np.uint16 if not len(docs) or docs.max() < 1 << 16 else np.uint32
    freqs = np.rint(postings.freqs)
    return {
        "blob": section(np.frombuffer(blob, np.uint8)),
        "term_ends": section(term_ends),
        "hashes": section(hashes[by_hash]),
        "by_hash": section(by_hash),
        "post_ends": section(np.asarray(postings.post_ends, np.uint32)),
        "docs": section(docs.astype(docs_type)),
        "freqs": section(pack_frequencies(freqs)),
    }


def pack_frequencies(freqs: np.ndarray) -> np.ndarray:
    """Each frequency's four-bit code (:data:`FREQUENCY_STEPS`), two to a byte: posting
    ``i`` in the low half of byte ``i // 2`` when ``i`` is even, else in the high half."""
    codes = np.searchsorted(FREQUENCY_STEPS, np.clip(freqs, 1, None), side="right") - 1
    codes = codes.astype(np.uint8)
    if len(codes) % 2:
        codes = np.append(codes, np.uint8(0))
    return codes[0::2] | (codes[1::2] << 4)


def frequencies_at(packed: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The frequencies of the postings at ``positions`` from :func:`pack_frequencies`."""
    codes = (packed[positions >> 1] >> ((positions & 1) << 2).astype(np.uint8)) & 15
    return FREQUENCY_STEPS[codes]


# Reading


class FieldArrays:
    """One field's arrays in one segment (views of the mapped file)."""

    def __init__(self, buffer, sections: dict[str, tuple[int, str, int]]) -> None:
        def view(name: str) -> np.ndarray:
            offset, dtype, count = sections[name]
            return np.frombuffer(buffer, np.dtype(dtype), count, offset)

        self.blob = view("blob")
        self.term_ends = view("term_ends")
        self.hashes = view("hashes")
        self.by_hash = view("by_hash")
        self.post_ends = view("post_ends")
        self.docs = view("docs")
        self.freqs = view("freqs")

    def __len__(self) -> int:
        return len(self.term_ends)

    def term(self, index: int) -> bytes:
        start = int(self.term_ends[index - 1]) if index else 0
        return self.blob[start : int(self.term_ends[index])].tobytes()

    def find(self, term: bytes) -> int:
        """The term's index, or -1 when the field does not hold it."""
        wanted = np.uint32(term_hash(term))
        hashes = self.hashes
        slot = int(np.searchsorted(hashes, wanted))
        while slot < len(hashes) and hashes[slot] == wanted:
            index = int(self.by_hash[slot])
            if self.term(index) == term:
                return index
            slot += 1
        return -1

    def find_many(self, terms: list[bytes], hashes: np.ndarray | None = None) -> np.ndarray:
        """:meth:`find` for many terms at once: one binary search over the hashes, and the
        found terms' bytes compared in one array step; only a term whose hash another
        term shares is looked up on its own. ``hashes`` are the terms' :func:`term_hash`
        when the caller has them (one batch is looked up in every segment)."""
        found = np.full(len(terms), -1, np.int64)
        if not len(self.hashes) or not terms:
            return found
        if hashes is None:
            hashes = term_hashes(terms)
        slots = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        same = np.flatnonzero(self.hashes[slots] == hashes)
        if not len(same):
            return found
        candidates = self.by_hash[slots[same]].astype(np.int64)
        wanted = [terms[position] for position in same.tolist()]
        equal = self._equal_terms(candidates, wanted)
        found[same[equal]] = candidates[equal]
        for position in same[~equal].tolist():  # another term with the same hash
            found[position] = self.find(terms[position])
        return found

    def _equal_terms(self, indexes: np.ndarray, terms: list[bytes]) -> np.ndarray:
        """Whether the term at each of ``indexes`` is the matching one of ``terms``."""
        ends = self.term_ends[indexes].astype(np.int64)
        starts = np.where(indexes > 0, self.term_ends[np.maximum(indexes - 1, 0)], 0)
        lengths = ends - starts
        wanted_lengths = np.fromiter(map(len, terms), np.int64, len(terms))
        equal = (lengths == wanted_lengths) & (lengths > 0)
        if not equal.any():
            return equal
        sized = np.flatnonzero(equal)
        wanted = np.frombuffer(b"".join(terms[i] for i in sized.tolist()), np.uint8)
        counts = lengths[sized]
        shift = starts[sized] - (np.cumsum(counts) - counts)
        stored = self.blob[np.arange(len(wanted), dtype=np.int64) + np.repeat(shift, counts)]
        differing = np.add.reduceat((stored != wanted).astype(np.int64), np.cumsum(counts) - counts)
        equal[sized] = differing == 0
        return equal

    def gather(self, terms: list[bytes], hashes: np.ndarray | None = None) -> Gathered:
        """Every posting of ``terms`` in one pass: document numbers and frequencies, term
        after term, and how many each term has (0 for a term the field lacks)."""
        found = self.find_many(terms, hashes)
        if not len(self.post_ends) or not len(found):
            return _NO_POSTINGS[0], _NO_POSTINGS[1], np.zeros(len(terms), np.int64)
        held = found >= 0
        ends = np.where(held, self.post_ends[np.maximum(found, 0)], 0).astype(np.int64)
        starts = np.where(found > 0, self.post_ends[np.maximum(found - 1, 0)], 0).astype(np.int64)
        counts = ends - starts
        shift = starts - (np.cumsum(counts) - counts)  # a posting's place minus its output place
        positions = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(shift, counts)
        return self.docs[positions], frequencies_at(self.freqs, positions), counts

    def extent(self, index: int) -> tuple[int, int]:
        start = int(self.post_ends[index - 1]) if index else 0
        return start, int(self.post_ends[index])

    def postings(self, index: int) -> Postings:
        """The term's document numbers (ascending, a view) and frequencies."""
        start, end = self.extent(index)
        positions = np.arange(start, end, dtype=np.int64)
        return self.docs[start:end], frequencies_at(self.freqs, positions)

    def terms(self, start: int = 0) -> Iterator[bytes]:
        """The terms from index ``start`` on, in sorted order."""
        blob = self.blob.tobytes()
        ends = self.term_ends.tolist()
        previous = ends[start - 1] if start else 0
        for end in ends[start:]:
            yield blob[previous:end]
            previous = end

    def first_at_or_after(self, term: bytes) -> int:
        """The index of the first term not sorting before ``term``."""
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.term(middle) < term:
                low = middle + 1
            else:
                high = middle
        return low

    def term_info(self, index: int) -> TermInfo:
        docs, freqs = self.postings(index)
        return TermInfo(
            weight=float(freqs.sum(dtype=np.int64)),
            df=len(docs),
            minlength=0,
            maxlength=0,
            maxweight=float(freqs.max()) if len(freqs) else 0.0,
            minid=int(docs[0]) if len(docs) else None,
            maxid=int(docs[-1]) if len(docs) else 0,
        )


class SegmentArrays:
    """A segment's array file: one :class:`FieldArrays` per text field."""

    def __init__(self, buffer) -> None:
        if bytes(buffer[: len(MAGIC)]) != MAGIC or len(buffer) < len(MAGIC) + _FOOTER.size:
            raise ValueError("not a haberara postings file (bad header)")
        (directory_at,) = _FOOTER.unpack_from(buffer, len(buffer) - _FOOTER.size)
        directory = pickle.loads(bytes(buffer[directory_at : len(buffer) - _FOOTER.size]))
        self.fields = {
            fieldname: FieldArrays(buffer, sections)
            for fieldname, sections in directory["fields"].items()
        }

    def field(self, fieldname: str) -> FieldArrays | None:
        return self.fields.get(fieldname)


class MissingTerm(TermNotFound, KeyError):
    """A term the field lacks (whoosh's readers catch ``KeyError`` in some places,
    ``TermNotFound`` in others)."""


class ArrayTermsReader(TermsReader):
    """whoosh's terms reader, answering for the array fields from :class:`SegmentArrays`."""

    def __init__(self, whoosh_terms, arrays: SegmentArrays) -> None:
        self.whoosh_terms = whoosh_terms
        self.arrays = arrays

    def _field(self, fieldname: str) -> FieldArrays | None:
        if fieldname not in ARRAY_FIELDS:
            return None
        return self.arrays.field(fieldname) or _NO_TERMS

    def _index(self, fieldname: str, tbytes: bytes) -> tuple[FieldArrays, int]:
        field = self._field(fieldname)
        index = field.find(tbytes) if field is not None else -1
        if index < 0:
            raise MissingTerm(f"No term {fieldname}:{tbytes!r}")
        return field, index

    def gather(
        self, fieldname: str, terms: list[bytes], hashes: np.ndarray | None = None
    ) -> Gathered | None:
        """:meth:`FieldArrays.gather` of the field; None when it is not an array field."""
        field = self._field(fieldname)
        return None if field is None else field.gather(terms, hashes)

    def __contains__(self, term) -> bool:
        fieldname, tbytes = term
        field = self._field(fieldname)
        if field is None:
            return term in self.whoosh_terms
        return field.find(tbytes) >= 0

    def indexed_field_names(self):
        names = set(self.whoosh_terms.indexed_field_names())
        names.update(name for name, field in self.arrays.fields.items() if len(field))
        return sorted(names)

    def _field_terms(self, fieldname: str, prefix: bytes = b"") -> Iterator[bytes]:
        field = self._field(fieldname)
        if field is not None:
            return field.terms(field.first_at_or_after(prefix))
        return (
            btext
            for name, btext in _while_field(
                fieldname, self.whoosh_terms.terms_from(fieldname, prefix)
            )
        )

    def terms(self):
        for fieldname in self.indexed_field_names():
            for btext in self._field_terms(fieldname):
                yield fieldname, btext

    def terms_from(self, fieldname, prefix):
        for name in self.indexed_field_names():
            if name < fieldname:
                continue
            start = prefix if name == fieldname else b""
            for btext in self._field_terms(name, start):
                yield name, btext

    def items(self):
        for fieldname, btext in self.terms():
            yield (fieldname, btext), self.term_info(fieldname, btext)

    def items_from(self, fieldname, prefix):
        for name, btext in self.terms_from(fieldname, prefix):
            yield (name, btext), self.term_info(name, btext)

    def term_info(self, fieldname, tbytes):
        if self._field(fieldname) is None:
            return self.whoosh_terms.term_info(fieldname, tbytes)
        field, index = self._index(fieldname, tbytes)
        return field.term_info(index)

    def frequency(self, fieldname, tbytes):
        if self._field(fieldname) is None:
            return self.whoosh_terms.frequency(fieldname, tbytes)
        field, index = self._index(fieldname, tbytes)
        return float(field.postings(index)[1].sum(dtype=np.int64))

    def doc_frequency(self, fieldname, tbytes):
        if self._field(fieldname) is None:
            return self.whoosh_terms.doc_frequency(fieldname, tbytes)
        field, index = self._index(fieldname, tbytes)
        start, end = field.extent(index)
        return end - start

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        if self._field(fieldname) is None:
            return self.whoosh_terms.matcher(fieldname, tbytes, format_, scorer=scorer)
        field, index = self._index(fieldname, tbytes)
        docs, freqs = field.postings(index)
        return ListMatcher(
            docs.tolist(),
            freqs.astype(np.float64).tolist(),
            values=[b""] * len(docs),  # no per-posting values; whoosh's merge wants bytes
            format=format_,
            scorer=scorer,
            term=(fieldname, tbytes),
            terminfo=field.term_info(index),
        )

    def cursor(self, fieldname, fieldobj):
        field = self._field(fieldname)
        if field is None:
            return self.whoosh_terms.cursor(fieldname, fieldobj)
        return ArrayFieldCursor(field, fieldobj)

    def close(self) -> None:
        self.whoosh_terms.close()


def _while_field(fieldname: str, terms) -> Iterator[tuple[str, bytes]]:
    for name, btext in terms:
        if name != fieldname:
            return
        yield name, btext


class ArrayFieldCursor:
    """whoosh's term cursor over one array field (used by whoosh's automaton queries)."""

    def __init__(self, field: FieldArrays, fieldobj) -> None:
        self._field = field
        self._fieldobj = fieldobj
        self._index = 0

    def first(self):
        self._index = 0
        return self.text()

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._index = self._field.first_at_or_after(term)
        return self.text()

    def next(self):
        self._index += 1
        return self.text()

    def is_valid(self) -> bool:
        return self._index < len(self._field)

    def text(self):
        if not self.is_valid():
            return None
        return self._fieldobj.from_bytes(self._field.term(self._index))

    def term_info(self):
        return self._field.term_info(self._index) if self.is_valid() else None


def _empty_field() -> FieldArrays:
    empty = {name: (0, "<u4", 0) for name in ("term_ends", "by_hash", "docs")}
    empty.update(blob=(0, "|u1", 0), hashes=(0, "<u4", 0), post_ends=(0, "<u4", 0))
    empty["freqs"] = (0, "|u1", 0)
    return FieldArrays(b"", empty)


_NO_TERMS = _empty_field()
_NO_POSTINGS: Postings = (np.zeros(0, np.uint32), np.zeros(0, np.uint8))
