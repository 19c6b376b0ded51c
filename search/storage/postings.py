"""Text postings as plain arrays: a whoosh codec whose text fields skip whoosh's posting blocks.

whoosh's own format keeps each term's postings as pickled, zlib-compressed blocks and its
term table as a pickled record per term; a query expanding to a hundred terms would spend
most of its time unpacking them. This codec is whoosh's default codec with one change:
the text fields and the article id (:data:`~search.storage.schema.ARRAY_FIELDS`) are
written to one array file per segment (:mod:`search.storage.arrays`). A reader maps the
file; a term's document numbers are an array slice of the page cache, and the engine
gathers all of a query's terms of a field in one pass
(:meth:`~search.storage.arrays.FieldArrays.gather`). The other fields, stored values,
columns and the commit protocol are whoosh's, and whoosh's reading API still works over
these fields (``postings``, ``doc_frequency``, ``lexicon``, merging segments) through
:class:`ArrayTermsReader`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np
from whoosh.codec.base import FieldWriter, TermsReader
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3Segment, _lenfield
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound

from search.storage.arrays import (
    ARRAYS_EXT,
    NO_TERMS,
    FieldArrays,
    FieldSections,
    Gathered,
    SegmentArrays,
    SortedPostings,
    write_arrays,
)
from search.storage.schema import ARRAY_FIELDS
from search.storage.storedtext import StoredTextReader, StoredTextWriter, load_dictionary


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
        self._sorted: dict[str, SortedPostings | FieldSections] = {}

    def add_sorted(self, fieldname: str, postings: SortedPostings | FieldSections) -> None:
        """A whole array field's postings at once (a build that collected them itself), or
        the arrays :func:`~search.storage.arrays.field_arrays` made of them."""
        if fieldname not in ARRAY_FIELDS or fieldname in self._sorted:
            raise ValueError(f"field {fieldname!r} is not an array field or came twice")
        self._sorted[fieldname] = postings

    def add_postings(self, schema, lengths, items) -> None:
        """whoosh's sorted ``(field, term, docnum, weight, value)`` postings, written out;
        array fields take a short loop, the others go through whoosh's writer."""
        whoosh_items = []
        field = term = None
        builder: _FieldBuilder | None = None
        lengths = _KnownLengths(lengths) if lengths is not None else None
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


class _KnownLengths:
    """A per-document reader's field lengths, asking once per field whether the segment
    keeps its lengths at all: whoosh's reader looks for the file again at every call, and
    writing the unscored fields (date, year, category, source) asked at each posting."""

    def __init__(self, lengths) -> None:
        self._lengths = lengths
        self._kept: dict[str, bool] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        kept = self._kept.get(fieldname)
        if kept is None:
            kept = self._kept[fieldname] = self._lengths.has_column(_lenfield(fieldname))
        return self._lengths.doc_field_length(docnum, fieldname, default) if kept else default


# Reading


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
        return self.arrays.field(fieldname) or NO_TERMS

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
        return field.doc_frequency(index)

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
