"""Reading a segment's field lengths, columns and postings as arrays.

The scorer reads whole columns and postings lists at once; whoosh's public API offers them
one document or one posting at a time, so these reach into its segment readers here, in
the storage layer, and nowhere else.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import FixedBytesColumn
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.util.numeric import byte_to_length

from search.shared import SharedCache
from search.storage.arrays import Gathered
from search.storage.postings import ArrayTermsReader

Postings = tuple[np.ndarray, np.ndarray]  # docnums (int32), unboosted scores (float32)

EMPTY_POSTINGS: Postings = (np.zeros(0, np.int32), np.zeros(0, np.float32))
_EMPTY = EMPTY_POSTINGS


#: Field lengths per segment: a segment never changes, so a commit that adds a small
#: segment (a reindex of a few files) does not read the others' lengths again.
_lengths = SharedCache(128)


def field_lengths(leaf, fieldname: str) -> np.ndarray:
    """Each document's length of the field in one segment."""

    def read() -> np.ndarray:
        count = leaf.doc_count_all()
        codes = _length_codes(leaf, fieldname, count)
        if codes is not None:
            return _LENGTH_OF_CODE[codes]
        length = leaf.doc_field_length
        return np.array([length(docnum, fieldname) or 0 for docnum in range(count)], np.float64)

    key = (getattr(leaf.storage(), "folder", None), leaf.segment().segment_id(), fieldname)
    return _lengths.get(key, read)


#: whoosh keeps a field's length in a document as one byte; the length each byte stands for.
_LENGTH_OF_CODE = np.array([byte_to_length(code) for code in range(256)], np.float64)


def _length_codes(leaf, fieldname: str, count: int) -> np.ndarray | None:
    """The segment's one-byte field-length codes as one array read from whoosh's lengths
    column (a Python call per document took a third of a second per field); None when
    the segment does not keep them that way."""
    perdoc = getattr(leaf, "_perdoc", None)
    read_column = getattr(perdoc, "_cached_reader", None)
    if read_column is None:
        return None
    column = read_column(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, np.uint8)
    if not isinstance(column, FixedBytesColumn.Reader) or column._fixedlen != 1:
        return None
    stored = min(column._count, count)
    codes = np.zeros(count, np.uint8)
    if stored:
        raw = column._dbfile.get(column._basepos, stored)
        codes[:stored] = np.frombuffer(raw, np.uint8)
    return codes


def segment_gather(
    leaf, fieldname: str, encoded: list[bytes], hashes: np.ndarray, offset: int
) -> Gathered:
    """One segment's postings of each term (as bytes), term after term: reader docnums,
    frequencies, and how many each term has.

    Text fields are array fields (:mod:`search.storage.postings`), read in one pass. Any other
    field is read through whoosh's matchers, deleted documents included (the caller drops
    those itself, ``ReaderData.live``).
    """
    terms = getattr(leaf, "_terms", None)
    array_field = isinstance(terms, ArrayTermsReader)
    gathered = terms.gather(fieldname, encoded, hashes) if array_field else None
    if gathered is None:
        postings = [_matcher_postings(terms, leaf, fieldname, btext) for btext in encoded]
        counts = np.array([len(docs) for docs, _ in postings], np.int64)
        docs = np.concatenate([_EMPTY[0], *(docs for docs, _ in postings)])
        frequencies = np.concatenate([_EMPTY[1], *(tf for _, tf in postings)])
        gathered = docs, frequencies, counts
    docs, frequencies, counts = gathered
    return docs.astype(np.int32) + np.int32(offset), frequencies, counts


def _matcher_postings(terms, leaf, fieldname: str, btext: bytes) -> Postings:
    if terms is None or (fieldname, btext) not in terms:
        return _EMPTY
    matcher = terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    docs, weights = [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(docs, np.int32), np.asarray(weights, np.float32)


def text_value(value) -> str:
    """A term or column value as text: whoosh gives bytes where the field keeps them, and
    None where a document has no value ("")."""
    if value is None:
        return ""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def column_values(searcher: WhooshSearcher, fieldname: str) -> list:
    """A sortable field's raw column value (bytes or int; 0 or empty where the document
    has none) for every docnum of the searcher, in docnum order."""
    values: list = []
    for reader, offset in searcher.reader().leaf_readers():
        del values[offset:]
        if reader.has_column(fieldname):
            values.extend(reader.column_reader(fieldname, translate=False))
        else:
            values.extend([None] * reader.doc_count_all())
    return values
