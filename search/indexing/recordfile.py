"""The whole file record on disk (:mod:`search.indexing.filerecord` says what it holds).

It is a few numpy arrays (``haberara-files.npz``, deflated): the ids and the hashes each as
one text, and the signatures as one table, so a reindex of a large archive loads it in a few
array reads rather than parsing an object per file. An index written by an earlier
release holds the gzip JSON record (``haberara-files.json.gz``) instead: it is still
read, and the next whole record written replaces it, so no user has to rebuild.
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECORD_FILE = "haberara-files.npz"
LEGACY_RECORD_FILE = "haberara-files.json.gz"
#: A signature row of a file the run did not read (a record written before change times
#: were kept, a file that could not be read): it vouches for nothing.
NO_SIGNATURE = -1
#: Joins the ids, and the hashes: no file name, hence no article id, can hold it.
SEPARATOR = "\0"
_INT64 = 2**63
#: What reading a damaged or foreign record file can raise.
DAMAGED = (
    OSError, ValueError, KeyError, TypeError, IndexError, EOFError, OverflowError,
    zipfile.BadZipFile,
)  # fmt: skip


@dataclass
class Whole:
    """A whole record: per article, its id, its content hash and its file's signature
    (size, mtime_ns, inode, ctime_ns; :data:`NO_SIGNATURE` throughout when none)."""

    commit: int
    taken: float
    ids: list[str]
    hashes: list[str]
    signatures: np.ndarray  # (articles, 4) int64
    legacy: bool = False


def no_signatures(count: int) -> np.ndarray:
    return np.full((count, 4), NO_SIGNATURE, dtype=np.int64)


def signature_table(signatures: Sequence[Sequence[int] | None]) -> np.ndarray:
    """The table of ``signatures``, a :func:`signature_row` each; a row of
    ``NO_SIGNATURE`` for None (a file not read with its hash)."""
    table = no_signatures(len(signatures))
    for row, signature in enumerate(signatures):
        if signature is not None:
            table[row] = signature_row(signature)
    return table


def signature_row(signature: Sequence[int]) -> tuple[int, int, int, int]:
    """A signature as a row of the int64 table: an inode past it (some file systems
    number them so) wraps around (:func:`signature_of_row` undoes it); a file with a time
    past it gets no signature, and is read each time."""
    size, mtime, inode, ctime = (int(value) for value in signature)
    if inode >= _INT64:
        inode -= 2 * _INT64
    if not all(-_INT64 <= value < _INT64 for value in (size, mtime, inode, ctime)):
        return (NO_SIGNATURE,) * 4
    return (size, mtime, inode, ctime)


def signature_of_row(row: Sequence[int]) -> tuple[int, int, int, int] | None:
    """The signature a table row holds, None for ``NO_SIGNATURE``."""
    size, mtime, inode, ctime = (int(value) for value in row)
    if size == NO_SIGNATURE:
        return None
    return (size, mtime, inode + 2 * _INT64 if inode < 0 else inode, ctime)


def read(generation: Path) -> list[Whole]:
    """The whole records ``generation`` holds, the current format first; a missing or
    damaged one is left out."""
    found = []
    for reader, name in ((_read_arrays, RECORD_FILE), (_read_legacy, LEGACY_RECORD_FILE)):
        try:
            found.append(reader(generation / name))
        except DAMAGED:
            continue
    return found


def write(generation: Path, whole: Whole) -> None:
    """Write ``whole`` in the current format, in place of any record there was."""
    ids = SEPARATOR.join(whole.ids).encode("utf-8")
    hashes = SEPARATOR.join(whole.hashes).encode("utf-8")
    path = generation / RECORD_FILE
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:  # deflated: an index no larger than with gzip JSON
        np.savez_compressed(
            handle,
            commit=np.array([whole.commit], dtype=np.int64),
            taken=np.array([whole.taken], dtype=np.float64),
            ids=np.frombuffer(ids, dtype=np.uint8),
            hashes=np.frombuffer(hashes, dtype=np.uint8),
            signatures=np.ascontiguousarray(whole.signatures, dtype=np.int64),
        )
    os.replace(temporary, path)
    (generation / LEGACY_RECORD_FILE).unlink(missing_ok=True)


def commit_of(generation: Path) -> int:
    """The commit the whole record names (the current format's, else the legacy one's),
    without reading its articles."""
    try:
        with np.load(generation / RECORD_FILE, allow_pickle=False) as arrays:
            return int(arrays["commit"][0])
    except FileNotFoundError:
        pass
    with gzip.open(generation / LEGACY_RECORD_FILE) as handle:
        return _legacy_commit(handle.read(64))


def _read_arrays(path: Path) -> Whole:
    with np.load(path, allow_pickle=False) as arrays:
        commit, taken = int(arrays["commit"][0]), float(arrays["taken"][0])
        ids, hashes = _texts(arrays["ids"]), _texts(arrays["hashes"])
        signatures = arrays["signatures"]
    if signatures.dtype != np.int64 or signatures.shape != (len(ids), 4) or len(hashes) != len(ids):
        raise ValueError("the file record's arrays disagree")
    return Whole(commit, taken, ids, hashes, signatures)


def _texts(blob: np.ndarray) -> list[str]:
    return blob.tobytes().decode("utf-8").split(SEPARATOR) if len(blob) else []


def _read_legacy(path: Path) -> Whole:
    """A gzip JSON record: ``{"commit", "taken", "articles": {id: [hash, *signature]}}``,
    the signature only for a file read with that hash (size, mtime, inode: no change
    time in the oldest, which vouches for nothing)."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    articles = data["articles"]
    signatures = signature_table(
        [entry[1:] if len(entry) == 5 else None for entry in articles.values()]
    )
    hashes = [entry[0] for entry in articles.values()]
    commit, taken = int(data["commit"]), float(data["taken"])
    return Whole(commit, taken, list(articles), hashes, signatures, legacy=True)


def _legacy_commit(start: bytes) -> int:
    """The commit a legacy record names, from its first bytes (``{"commit": N, ...``)."""
    head = start.decode("utf-8", "replace")
    prefix = '{"commit": '
    if not head.startswith(prefix):
        raise ValueError("not a file record")
    return int(head[len(prefix) :].split(",", 1)[0])
