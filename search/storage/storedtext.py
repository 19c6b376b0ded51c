"""Stored fields compressed with a dictionary trained on sample articles.

whoosh stores each article's stored fields as a pickle compressed on its own: an
article of a couple of kilobytes shares nothing with the articles beside it, and a
compressor starts each one knowing nothing of Turkish news. Each value is compressed
with zstd and a dictionary trained at a full build on sample stored fields of the archive
being indexed (:func:`sample_dictionary`), so common words, field names and phrasing cost
a short reference: stored fields take about 15% less room than with ``deflate`` and a
32 KB preset dictionary, in less time. The dictionary is written beside the segments
under a name made from its hash (:func:`save_dictionary`), and the codec of every segment
written with it names it, so each segment reads back on its own. Each article stays
compressed on its own, so showing one result or checking a phrase in one article
decompresses that article alone.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Iterable

import zstandard
from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import PickleColumn, VarBytesColumn

#: The dictionary's size: three times zstd's usual one, about 150 articles' worth of text.
#: On the news archive it let level 5 compress as small as level 9 did with a third of it,
#: in 40% of the time (and 220 KB more dictionary is nothing beside 30 MB of text).
DICTIONARY_BYTES = 330 * 1024
#: zstd's level: with the dictionary above, level 9's ratio on short texts at 2.5 times its
#: speed (compressing the stored text was a tenth of a build's time at level 9).
LEVEL = 5
STORED = "_stored"
DICTIONARY_PREFIX = "haberara-zdict-"


def sample_dictionary(samples: Iterable[dict]) -> bytes:
    """A dictionary trained on sample stored-field dicts; too few samples to train on
    give one made of the samples' text as it is (empty without samples)."""
    pickles = [pickle.dumps(sample, 2) for sample in samples]
    if not pickles:
        return b""
    try:
        return zstandard.train_dictionary(DICTIONARY_BYTES, pickles).as_bytes()
    except zstandard.ZstdError:  # zstd needs many samples to train on
        return b"".join(pickles)[-DICTIONARY_BYTES:]


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


def _compression_dictionary(zdict: bytes) -> zstandard.ZstdCompressionDict | None:
    """zstd's form of ``zdict``: a trained dictionary, or plain sample text."""
    return zstandard.ZstdCompressionDict(zdict) if zdict else None


#: Stored values a build compresses one after another, kept until then.
COMPRESSED_TOGETHER = 256


class DictionaryBytesColumn(VarBytesColumn):
    """whoosh's variable-length bytes column, each value compressed by zstd with ``zdict``."""

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
            self._compressor = zstandard.ZstdCompressor(
                level=LEVEL,
                dict_data=_compression_dictionary(zdict),
                write_checksum=False,
                write_dict_id=False,
            )
            self._pending: list[tuple[int, bytes]] = []

        def add(self, docnum, v) -> None:
            """Keep the value; compress it with the next :data:`COMPRESSED_TOGETHER` (one
            value at a time among a build's other work, each took three times as long)."""
            self._pending.append((docnum, v))
            if len(self._pending) >= COMPRESSED_TOGETHER:
                self._write_pending()

        def _write_pending(self) -> None:
            pending, self._pending = self._pending, []
            compressed = list(map(self._compressor.compress, [value for _, value in pending]))
            for (docnum, _), value in zip(pending, compressed, strict=True):
                VarBytesColumn.Writer.add(self, docnum, value)

        def fill(self, docnum) -> None:
            """Write the values kept back first: a merge calls this before the bytes it
            copies."""
            if self._pending:
                self._write_pending()
            super().fill(docnum)

        def finish(self, doccount) -> None:
            self._write_pending()  # before whoosh's finish takes its lengths array
            super().finish(doccount)

    class Reader(VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount, zdict: bytes) -> None:
            super().__init__(dbfile, basepos, length, doccount)
            self._dictionary = _compression_dictionary(zdict)
            self._local = threading.local()  # a decompressor serves one thread at a time

        def __getitem__(self, docnum):
            value = super().__getitem__(docnum)
            return self._decompress(value) if value else value

        def __iter__(self):
            for value in super().__iter__():
                yield self._decompress(value) if value else value

        def _decompress(self, value: bytes) -> bytes:
            decompressor = getattr(self._local, "decompressor", None)
            if decompressor is None:
                decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary)
                self._local.decompressor = decompressor
            return decompressor.decompress(value)


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
