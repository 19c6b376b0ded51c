"""The array file of a segment (``.arr``): its layout, its writing and its mapped reading.

Per field: the terms, sorted, as one UTF-8 blob with their end offsets; a hash table over
them (sorted 32-bit hashes and the term each belongs to); every term's document numbers
and frequencies (``post_ends`` says where each term's run ends). A frequency is kept in
four bits, two to a byte: exact up to 8, then on a rising scale up to 128
(:data:`FREQUENCY_STEPS`); BM25 barely tells 12 from 16 apart.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from whoosh.reading import TermInfo

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


class SortedPostings(NamedTuple):
    """One field's postings in a segment, ready to write: ``terms`` sorted (UTF-8), each
    term's postings ending at ``post_ends[i]`` in ``docs`` (ascending) and ``freqs``."""

    terms: list[bytes]
    post_ends: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray


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


def _empty_field() -> FieldArrays:
    empty = {name: (0, "<u4", 0) for name in ("term_ends", "by_hash", "docs")}
    empty.update(blob=(0, "|u1", 0), hashes=(0, "<u4", 0), post_ends=(0, "<u4", 0))
    empty["freqs"] = (0, "|u1", 0)
    return FieldArrays(b"", empty)


NO_TERMS = _empty_field()


_NO_POSTINGS: Postings = (np.zeros(0, np.uint32), np.zeros(0, np.uint8))
