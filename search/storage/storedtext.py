"""Stored fields compressed with a dictionary of sample articles.

whoosh stores each article's stored fields as a pickle compressed on its own: an
article of a couple of kilobytes shares nothing with the articles beside it, and
``deflate`` starts each one knowing nothing of Turkish news. With a preset dictionary
(``zlib``'s ``zdict``: up to 32 KB of sample stored fields from the archive being
indexed) the common words, field names and phrasing cost a back-reference; stored
fields take about 40% less room. The dictionary is chosen at a full build
(:func:`sample_dictionary`), written beside the segments under a name made from its
hash (:func:`save_dictionary`), and the codec of every segment written with it names
it, so each segment reads back on its own.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import zlib
from collections.abc import Iterable

from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import PickleColumn, VarBytesColumn

#: zlib's limit on a preset dictionary.
DICTIONARY_BYTES = 32 * 1024
LEVEL = 6
STORED = "_stored"
DICTIONARY_PREFIX = "haberara-zdict-"


def sample_dictionary(samples: Iterable[dict]) -> bytes:
    """A preset dictionary from sample stored-field dicts (the last 32 KB of their
    pickles: zlib reaches back at most that far)."""
    return b"".join(pickle.dumps(sample, 2) for sample in samples)[-DICTIONARY_BYTES:]


def save_dictionary(storage, zdict: bytes) -> str:
    """Write ``zdict`` into the index folder (once); the file name it is found by."""
    name = f"{DICTIONARY_PREFIX}{hashlib.sha1(zdict).hexdigest()[:16]}.bin"
    if not storage.file_exists(name):
        handle = storage.create_file(name)
        try:
            handle.write(zdict)
        finally:
            handle.close()
    return name


def load_dictionary(storage, name: str) -> bytes:
    """The dictionary saved under ``name`` (read once per process and folder)."""
    if not name:
        return b""
    key = (getattr(storage, "folder", id(storage)), name)
    with _loaded_lock:
        zdict = _loaded.get(key)
        if zdict is None:
            handle = storage.open_file(name)
            try:
                zdict = bytes(handle.read())
            finally:
                handle.close()
            _check_dictionary(name, zdict)
            _loaded[key] = zdict
    return zdict


def _check_dictionary(name: str, zdict: bytes) -> None:
    """Raise ``ValueError`` when ``zdict`` is not what :func:`save_dictionary` wrote under
    ``name`` (a truncated or altered file): every stored field is read through it."""
    expected = name.removeprefix(DICTIONARY_PREFIX).removesuffix(".bin")
    if hashlib.sha1(zdict).hexdigest()[: len(expected)] != expected:
        raise ValueError(f"stored-text dictionary {name} is damaged (its hash does not match)")


_loaded: dict[tuple, bytes] = {}
_loaded_lock = threading.Lock()


class DictionaryBytesColumn(VarBytesColumn):
    """whoosh's variable-length bytes column, each value deflated with ``zdict``."""

    def __init__(self, zdict: bytes) -> None:
        super().__init__()
        self.zdict = zdict

    def writer(self, dbfile):
        return self.Writer(dbfile, self.zdict)

    def reader(self, dbfile, basepos, length, doccount):
        return self.Reader(dbfile, basepos, length, doccount, self.zdict)

    class Writer(VarBytesColumn.Writer):
        def __init__(self, dbfile, zdict: bytes) -> None:
            super().__init__(dbfile)
            if zdict:  # primed once; a copy per value skips loading the dictionary again
                self._primed = zlib.compressobj(
                    LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, zdict
                )
            else:
                self._primed = zlib.compressobj(LEVEL)

        def add(self, docnum, v) -> None:
            compressor = self._primed.copy()
            super().add(docnum, compressor.compress(v) + compressor.flush())

    class Reader(VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount, zdict: bytes) -> None:
            super().__init__(dbfile, basepos, length, doccount)
            self._zdict = zdict

        def __getitem__(self, docnum):
            value = super().__getitem__(docnum)
            return self._decompress(value) if value else value

        def __iter__(self):
            for value in super().__iter__():
                yield self._decompress(value) if value else value

        def _decompress(self, value: bytes) -> bytes:
            if self._zdict:
                decompressor = zlib.decompressobj(15, self._zdict)
                return decompressor.decompress(value) + decompressor.flush()
            return zlib.decompress(value)


def stored_column(zdict: bytes) -> PickleColumn:
    return PickleColumn(DictionaryBytesColumn(zdict))


class StoredTextWriter(W3PerDocWriter):
    """whoosh's per-document writer, its stored fields in a :class:`DictionaryBytesColumn`."""

    def _create_column(self, fieldname, column) -> None:
        if fieldname == STORED:
            column = stored_column(self._codec.dictionary(self._storage))
        super()._create_column(fieldname, column)


class StoredTextReader(W3PerDocReader):
    """whoosh's per-document reader for segments written by :class:`StoredTextWriter`."""

    def __init__(self, storage, segment, zdict: bytes) -> None:
        super().__init__(storage, segment)
        self._stored_column = stored_column(zdict)

    def stored_fields(self, docnum) -> dict:
        return self._cached_reader(STORED, self._stored_column)[docnum] or {}
