"""Read samples of what a search reads, so a damaged index is found when it is opened and
by every health check, rather than by the searches that follow.

whoosh's files carry no checksums, and opening an index reads only their headers: with a
damaged stored-text dictionary, stored-fields column or arrays file the index would
open and answer health checks while every search fails. A search reads, in each segment, the
postings in the arrays file and the stored fields of its hits (through the dictionary);
:func:`check_readable` reads a few of each. The dictionary is checked whole (its name is
made from its hash). A damaged byte inside one article's stored fields is found only
when that article is read: that search then fails with the same advice.
"""

from __future__ import annotations

import numpy as np

from search.storage.arrays import FieldArrays
from search.storage.postings import ArrayTermsReader

#: The columns a search reads whole: ids order ties, dates sort, the others are facets.
SEARCHED_COLUMNS = ("id", "date", "year", "category")


class IndexDamaged(ValueError):
    """What :func:`check_readable` found wrong, in a few words."""


def check_readable(reader) -> None:
    """Read, in every segment of ``reader``, the stored fields and searched columns of
    its first, middle and last article and the ends of each text field's arrays; raise
    :class:`IndexDamaged` (or whatever the damaged file makes the reading raise) when
    they do not hold up."""
    for leaf, _offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        samples = [docnum for docnum in sorted({0, count // 2, count - 1}) if docnum >= 0]
        for docnum in samples:
            if not isinstance(leaf.stored_fields(docnum).get("id"), str):
                raise IndexDamaged(f"stored fields of document {docnum} are not readable")
        for name in SEARCHED_COLUMNS:
            if leaf.has_column(name):
                column = leaf.column_reader(name, translate=False)
                for docnum in samples:
                    _check_value(name, column[docnum])
        terms = getattr(leaf, "_terms", None)
        if isinstance(terms, ArrayTermsReader):
            for fieldname, field in terms.arrays.fields.items():
                _check_arrays(fieldname, field, count)


def check_ids(reader) -> None:
    """Read every article id as a search does (whole, as text): a reindex trusts them."""
    for leaf, _offset in reader.leaf_readers():
        if leaf.has_column("id"):
            column = leaf.column_reader("id", translate=False)
            if not all_text(column):
                for value in column:
                    _check_value("id", value)


def all_text(column) -> bool:
    """Whether every value of a whoosh variable-length bytes column is UTF-8, told from its
    data whole (a reindex reads every id of a large archive): the data decodes, and each
    value starts a character. False when that cannot be told (another kind of column,
    values not stored one after the other, data cut short): check them one by one."""
    lengths, offsets = getattr(column, "_lengths", None), getattr(column, "_offsets", None)
    dbfile, base = getattr(column, "_dbfile", None), getattr(column, "_basepos", None)
    if lengths is None or offsets is None or dbfile is None or base is None:
        return False
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    if len(offsets) != len(lengths):
        return False
    if not len(lengths):
        return True
    ends = offsets + lengths
    if offsets[0] != 0 or (offsets[1:] != ends[:-1]).any():
        return False
    data = dbfile.get(base, int(ends[-1]))
    if len(data) != ends[-1]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    starts = np.frombuffer(data, dtype=np.uint8)[offsets[lengths > 0]]
    return not np.any((starts & 0xC0) == 0x80)  # a continuation byte: a split character


def _check_value(name: str, value) -> None:
    """A column value as a search reads it: text columns hold UTF-8."""
    if isinstance(value, bytes):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise IndexDamaged(f"the {name} column holds bytes that are not text") from None


def _check_arrays(fieldname: str, field: FieldArrays, count: int) -> None:
    """The field's tables agree in length, and its first and last postings name
    documents of the segment."""
    terms = len(field.term_ends)
    if not (len(field.post_ends) == len(field.hashes) == len(field.by_hash) == terms):
        raise IndexDamaged(f"the {fieldname} arrays disagree on how many words they hold")
    if not terms:
        return
    ends = (int(field.term_ends[-1]), int(field.post_ends[-1]))
    if ends != (len(field.blob), len(field.encoded)):
        raise IndexDamaged(f"the {fieldname} arrays do not end where their data ends")
    for index in (0, terms - 1):
        docs, _ = field.postings(index)
        if len(docs) and not (int(docs.min()) >= 0 and int(docs.max()) < count):
            raise IndexDamaged(f"the {fieldname} postings name documents the segment lacks")
