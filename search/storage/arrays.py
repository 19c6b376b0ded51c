"""The array file of a segment (``.arr``): its layout, its writing and its mapped reading.

Per field: the terms, sorted, as one UTF-8 blob with their end offsets; a hash table over
them (sorted 32-bit hashes and the term each belongs to); every term's postings, one
variable-length number each (``post_ends`` says where each term's bytes end). A posting's
number is its gap from the term's previous document (the first: its document number)
times 16 plus its frequency's four-bit code: exact up to 8, then on a rising scale up to
128 (:data:`FREQUENCY_STEPS`); BM25 barely tells 12 from 16 apart. The number is written
seven bits a byte, lowest first, the high bit set on every byte but its last, so a common
word's posting (a gap below 8) takes one byte and a rare word's two or three; fixed
16-bit document numbers and separate frequencies took half as much room again. Decoding
is a few array steps over all of a query's terms at once (:func:`decode_postings`).
"""

from __future__ import annotations

import pickle
import struct
import sys
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from whoosh.reading import TermInfo

#: Fields whose postings are written as arrays; every other field is whoosh's as usual. The
#: article id is one too: whoosh's term table spent 90 bytes on each.
ARRAYS_EXT = ".arr"


MAGIC = b"HBARR002"


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


def write_arrays(handle, fields: dict[str, SortedPostings | FieldSections]) -> None:
    """Write every field's arrays (or the arrays :func:`field_arrays` made of them) and the
    directory that finds them."""
    position = 0
    directory: dict[str, dict[str, tuple[int, str, int]]] = {}

    def section(values: np.ndarray) -> tuple[int, str, int]:
        nonlocal position
        padding = -position % _ALIGN
        handle.write(b"\0" * padding)
        position += padding
        data = np.ascontiguousarray(values)
        handle.write(data.tobytes())
        placed = (position, sys.intern(data.dtype.str), len(data))
        position += data.nbytes
        return placed

    handle.write(MAGIC)
    position = len(MAGIC)
    for fieldname, postings in sorted(fields.items()):
        directory[sys.intern(fieldname)] = _field_sections(postings, section)
    # (its strings interned: the same directory pickles to the same bytes wherever its
    # arrays were made)
    footer = pickle.dumps({"fields": directory}, protocol=4)
    handle.write(footer)
    handle.write(_FOOTER.pack(position))


#: One field's arrays as written, in the order they are written (:func:`field_arrays`).
FieldSections = dict[str, np.ndarray]


def field_arrays(postings: SortedPostings) -> FieldSections:
    """One field's arrays as the file holds them: the terms' blob and ends, the hash table,
    the encoded postings and where each term's end (the work of writing a field, which a
    merge may do in another process and hand over)."""
    terms = postings.terms
    blob = b"".join(terms)
    encoded, byte_ends = encode_postings(postings.post_ends, postings.docs, postings.freqs)
    if max(len(blob), len(encoded)) >= 1 << 32:
        raise ValueError("a segment field too large for 32-bit offsets; index in parts")
    term_ends = np.cumsum([len(term) for term in terms], dtype=np.uint64).astype(np.uint32)
    hashes = term_hashes(terms)
    by_hash = np.argsort(hashes, kind="stable").astype(np.uint32)
    return {
        "blob": np.frombuffer(blob, np.uint8),
        "term_ends": term_ends,
        "hashes": hashes[by_hash],
        "by_hash": by_hash,
        "post_ends": byte_ends.astype(np.uint32),
        "postings": encoded,
    }


def _field_sections(postings: SortedPostings | FieldSections, section) -> dict:
    arrays = postings if isinstance(postings, dict) else field_arrays(postings)
    return {sys.intern(name): section(values) for name, values in arrays.items()}


def frequency_codes(freqs: np.ndarray) -> np.ndarray:
    """Each frequency's four-bit code: the largest :data:`FREQUENCY_STEPS` not above it."""
    rounded = np.clip(np.rint(freqs), 1, _LARGEST_STEP).astype(np.int64)
    return _CODE_OF_FREQUENCY[rounded]


_LARGEST_STEP = int(FREQUENCY_STEPS[-1])
_CODE_OF_FREQUENCY = np.searchsorted(FREQUENCY_STEPS, np.arange(_LARGEST_STEP + 1), "right") - 1


#: Below this document number a posting's number fits 32 bits (gap × 16 + frequency code).
_NARROW_DOCS = 1 << 27
_CODES = _CODE_OF_FREQUENCY.astype(np.uint8)


def encode_postings(
    post_ends: np.ndarray, docs: np.ndarray, freqs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The postings of terms ending at ``post_ends`` (each term's ``docs`` ascending) as
    variable-length numbers, and where each term's bytes end.

    Each number's seven-bit groups are laid out as a table of a row per number, a column
    per byte place, and the bytes it needs taken row after row; 32-bit numbers when the
    documents allow (every segment but one of over 134 million articles)."""
    docs = np.asarray(docs)
    if len(docs) and int(docs.max()) >= _NARROW_DOCS:
        return _encode_wide(post_ends, docs, freqs)
    ends = np.asarray(post_ends, np.int64)
    counts = np.diff(ends, prepend=0)
    docs = docs.astype(np.uint32, copy=False)
    gaps = np.empty(len(docs), np.uint32)
    gaps[:1] = docs[:1]
    np.subtract(docs[1:], docs[:-1], out=gaps[1:])
    firsts = (ends - counts)[counts > 0]
    gaps[firsts] = docs[firsts]
    codes = _CODES[np.clip(np.rint(freqs), 1, _LARGEST_STEP).astype(np.uint8)]
    values = (gaps << 4) | codes
    width = 1
    while len(values) and int(values.max()) >= 1 << (7 * width):
        width += 1
    groups = np.empty((len(values), width), np.uint8)
    needed = np.empty((len(values), width), bool)
    needed[:, 0] = True
    for place in range(width):
        group = (values >> (7 * place)) & 0x7F
        if place + 1 < width:
            more = values >= 1 << (7 * (place + 1))
            needed[:, place + 1] = more
            group |= more.astype(np.uint32) << 7
        groups[:, place] = group
    sizes = needed.sum(axis=1, dtype=np.int64)
    byte_ends = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)])[ends]
    return groups[needed], byte_ends


def _encode_wide(
    post_ends: np.ndarray, docs: np.ndarray, freqs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`encode_postings` of any document numbers, in 64-bit numbers."""
    ends = np.asarray(post_ends, np.int64)
    counts = np.diff(ends, prepend=0)
    docs = np.asarray(docs, np.int64)
    gaps = np.diff(docs, prepend=0)
    firsts = (ends - counts)[counts > 0]
    gaps[firsts] = docs[firsts]
    values = (gaps << 4) | frequency_codes(freqs)
    sizes = np.ones(len(values), np.int64)
    wide = np.flatnonzero(values >= 1 << 7)  # the numbers that need another byte
    for bits in range(14, 64, 7):
        if not len(wide):
            break
        sizes[wide] += 1
        wide = wide[values[wide] >= 1 << bits]
    byte_starts = np.cumsum(sizes) - sizes
    encoded = np.empty(int(sizes.sum()), np.uint8)
    encoded[byte_starts] = (values & 0x7F) | ((sizes > 1) << 7)
    rest = np.flatnonzero(sizes > 1)
    place = 1
    while len(rest):
        more = (sizes[rest] > place + 1) << 7
        encoded[byte_starts[rest] + place] = ((values[rest] >> (7 * place)) & 0x7F) | more
        place += 1
        rest = rest[sizes[rest] > place]
    byte_ends = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)])[ends]
    return encoded, byte_ends


def decode_postings(encoded: np.ndarray, byte_counts: np.ndarray) -> Gathered:
    """The postings in ``encoded``, the bytes of terms one after another, ``byte_counts``
    bytes each: document numbers, frequencies, and how many postings each term has.

    In 32-bit numbers when every number takes at most four bytes (a gap below 2**24, so
    every segment of fewer than 16 million articles): a few passes over the bytes, and
    one running sum gives the document numbers, each term's first gap set back by the
    term before's last document."""
    byte_counts = np.asarray(byte_counts, np.int64)
    if not len(encoded):
        return np.zeros(0, np.int32), FREQUENCY_STEPS[:0], np.zeros(len(byte_counts), np.int64)
    last = encoded < 0x80  # a number's last byte
    last[-1] = True  # (so that a damaged file's bytes still decode to as many numbers)
    if last.all():  # every number one byte: the usual case for common words
        codes = encoded & 15
        gaps = (encoded >> 4).astype(np.int32)
        counts = byte_counts
    else:
        lasts = np.flatnonzero(last)
        starts = np.empty(len(lasts), np.int64)
        starts[0] = 0
        np.add(lasts[:-1], 1, out=starts[1:])
        if int((lasts - starts).max()) >= _NARROW_BYTES:
            return _decode_wide(encoded, lasts, starts, byte_counts)
        low = encoded[starts]
        codes = low & 15
        gaps = (low & 0x7F).astype(np.int32) >> 4
        rest = np.flatnonzero(lasts > starts)
        place = 1
        while len(rest):
            following = (encoded[starts[rest] + place] & 0x7F).astype(np.int32)
            gaps[rest] |= following << (7 * place - 4)
            place += 1
            rest = rest[lasts[rest] >= starts[rest] + place]
        counts = _numbers_per_term(lasts, byte_counts)
    firsts = (np.cumsum(counts) - counts)[counts > 0]
    if len(firsts) > 1:  # a term's first gap is its first document: less the last one's
        gaps[firsts[1:]] -= np.add.reduceat(gaps, firsts)[:-1]
    return np.cumsum(gaps, dtype=np.int32), FREQUENCY_STEPS[codes], counts


#: Bytes of the longest number :func:`decode_postings` reads in 32 bits, less one.
_NARROW_BYTES = 4


def _numbers_per_term(lasts: np.ndarray, byte_counts: np.ndarray) -> np.ndarray:
    """How many numbers end in each term's bytes (``lasts``: where every number ends)."""
    ends_at = np.cumsum(byte_counts)
    return np.searchsorted(lasts, ends_at) - np.searchsorted(lasts, ends_at - byte_counts)


def _decode_wide(
    encoded: np.ndarray, lasts: np.ndarray, starts: np.ndarray, byte_counts: np.ndarray
) -> Gathered:
    """:func:`decode_postings` in 64-bit numbers, for a segment whose gaps need them."""
    values = (encoded[starts] & 0x7F).astype(np.int64)
    rest = np.flatnonzero(lasts > starts)
    place = 1
    while len(rest):
        following = encoded[starts[rest] + place] & 0x7F
        values[rest] |= following.astype(np.int64) << (7 * place)
        place += 1
        rest = rest[lasts[rest] >= starts[rest] + place]
    counts = _numbers_per_term(lasts, byte_counts)
    running = np.cumsum(values >> 4)
    before = np.concatenate([np.zeros(1, np.int64), running])[np.cumsum(counts) - counts]
    docs = running - np.repeat(before, counts)
    return docs, FREQUENCY_STEPS[values & 15], counts


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
        self.post_ends = view("post_ends")  # where each term's bytes end in ``encoded``
        self.encoded = view("postings")

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
        sizes = ends - starts
        read = np.flatnonzero(sizes)
        encoded = self.encoded
        extents = zip(starts[read].tolist(), ends[read].tolist(), strict=True)
        pieces = [encoded[a:b] for a, b in extents]
        joined = pieces[0] if len(pieces) == 1 else np.concatenate([encoded[:0], *pieces])
        return decode_postings(joined, sizes)

    def extent(self, index: int) -> tuple[int, int]:
        """Where the term's bytes start and end in :attr:`encoded`."""
        start = int(self.post_ends[index - 1]) if index else 0
        return start, int(self.post_ends[index])

    def doc_frequency(self, index: int) -> int:
        """How many documents hold the term (its numbers' last bytes)."""
        start, end = self.extent(index)
        return int(np.count_nonzero(self.encoded[start:end] < 0x80))

    def postings(self, index: int) -> Postings:
        """The term's document numbers (ascending) and frequencies."""
        start, end = self.extent(index)
        docs, freqs, _ = decode_postings(self.encoded[start:end], np.array([end - start]))
        return docs, freqs

    def size(self) -> int:
        """The bytes of the field's encoded postings (a measure of the work of merging it)."""
        return int(self.post_ends[-1]) if len(self.post_ends) else 0

    def all_postings(self) -> Gathered:
        """Every term's postings, term after term (:meth:`gather` of every term)."""
        sizes = np.diff(self.post_ends.astype(np.int64), prepend=0)
        return decode_postings(self.encoded[: int(sizes.sum())], sizes)

    def term_list(self) -> list[bytes]:
        """Every term, in sorted order."""
        blob = self.blob.tobytes()
        ends = self.term_ends.tolist()
        starts = [0, *ends][: len(ends)]  # (a segment where the field holds no term: none)
        return [blob[start:end] for start, end in zip(starts, ends, strict=True)]

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
    empty = {name: (0, "<u4", 0) for name in ("term_ends", "by_hash", "hashes", "post_ends")}
    empty.update(blob=(0, "|u1", 0), postings=(0, "|u1", 0))
    return FieldArrays(b"", empty)


NO_TERMS = _empty_field()


_NO_POSTINGS: Postings = (np.zeros(0, np.int64), np.zeros(0, np.uint8))
