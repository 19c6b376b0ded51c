"""What the last reindex saw of each article file, so unchanged files need not be read again.

A reindex compares each file with the index by the sha1 of its bytes; reading and hashing
every file of a large archive would be most of an incremental run. After each commit the
indexer writes the record beside the whoosh files (:mod:`search.indexing.recordfile`: an
index written by an earlier release holds it as ``haberara-files.json.gz``, still read):
for every indexed article its content hash and,
when the run read the file, the file's size, modification time (ns), inode and change
time (ns). The next run trusts a file whose four are all unchanged, like ``git status``
does, without opening it. The change time is the kernel's own: every write sets it and no
program can set it back, so an edit that restores the modification time (``touch -r``, a
copy keeping times) is still seen; a ``chmod`` or a new hard link also sets it, and such a
file is read again and found unchanged by its hash.

The record names the whoosh commit (TOC generation) it describes; a record of any other
commit (a run killed between its commit and the record) is ignored and every file is read.
A file modified less than :data:`RACY_SECONDS` before the run that recorded it is read
again next time, since a second write within the file system's time resolution could
leave its times unchanged (judged by the modification time, as git does: a folder of
articles copied with hard links just before a run keeps its files' old modification
times but not their change times, and need not be read twice); a run that reads it
again after that window records it as found, so the runs after that trust it. A record
written before change times were kept has none: its files are read once more.
``reindex --full`` ignores the record.

A reindex of named files or folders (``reindex PATH...``) looks at those alone, so it does
not rewrite the whole record: it adds what it saw as a change to ``haberara-files.changes.json``
(:func:`save_change`), naming the commit it follows and the one it made, and when it
looked (its files' racy window is judged by that time). Loading applies the chain of
changes that leads from the record's commit to the one asked for. A run over the whole
folder that changed a few articles records them as a change too (:func:`differences`), so
adding one file to a large archive does not rewrite a record of every file; once the chain
holds many entries, such a run writes the whole record again and starts a new chain
(as does the first run that finds the record of an earlier release).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from pathlib import Path

import numpy as np

from search.indexing import recordfile
from search.indexing.recordfile import Whole, signature_of_row, signature_table

RECORD_FILE = recordfile.RECORD_FILE
LEGACY_RECORD_FILE = recordfile.LEGACY_RECORD_FILE
CHANGES_FILE = "haberara-files.changes.json"
RACY_SECONDS = 2.0

Signature = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


@dataclass
class FileRecord:
    """Content hash per indexed article id, and the signature of the file it was read
    from, as arrays row by row (a large archive is compared with it in a few array
    operations: :meth:`trusted`)."""

    commit: int = -1
    taken: float = 0.0
    ids: list[str] = field(default_factory=list)
    hash_list: list[str] = field(default_factory=list)
    #: (articles, 4) int64; a row of ``NO_SIGNATURE`` for a file not read with its hash
    signature_rows: np.ndarray = field(default_factory=lambda: recordfile.no_signatures(0))
    #: when the run that recorded an article as a change looked (else :attr:`taken`)
    taken_of: dict[str, float] = field(default_factory=dict)
    #: articles recorded as changes since the whole record was written
    chained: int = 0
    #: read from an earlier release's record: the next run writes it whole
    legacy: bool = False

    @cached_property
    def rows(self) -> dict[str, int]:
        return dict(zip(self.ids, range(len(self.ids)), strict=True))

    @cached_property
    def hashes(self) -> dict[str, str]:
        return dict(zip(self.ids, self.hash_list, strict=True))

    def signature_of(self, doc_id: str) -> Signature | None:
        row = self.rows.get(doc_id)
        return None if row is None else signature_of_row(self.signature_rows[row].tolist())

    def unchanged_hash(self, doc_id: str, info: os.stat_result) -> str | None:
        """The recorded hash when the file is, by its signature, the one recorded."""
        recorded = self.signature_of(doc_id)
        if recorded is None or recorded != signature(info):
            return None
        if self.racy(doc_id, info.st_mtime_ns):
            return None  # written just before the last run looked: its time may not tell
        return self.hashes.get(doc_id)

    def racy(self, doc_id: str, mtime_ns: int) -> bool:
        """Whether a file modified at ``mtime_ns`` was written too close to the time its
        article was recorded for its times to tell a later write."""
        return not settled(mtime_ns, self.taken_of.get(doc_id, self.taken))

    def trusted(
        self, ids: list[str], signatures: np.ndarray, known: dict[str, str], max_bytes: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which of the files ``ids`` (whose :func:`signature` rows are ``signatures``,
        ``NO_SIGNATURE`` where stat failed) :meth:`unchanged_hash` vouches for, with a
        recorded hash equal to the indexed one (``known``) and a size within
        ``max_bytes``: a mask over ``ids``, and each file's row in the record."""
        rows_of = self.rows
        rows = np.array([rows_of.get(doc_id, -1) for doc_id in ids], dtype=np.intp)
        if not len(self.ids):
            return np.zeros(len(ids), dtype=bool), rows
        at = np.maximum(rows, 0)
        recorded = self.signature_rows[at]
        sizes = signatures[:, 0]
        mask = (rows >= 0) & (sizes >= 0) & (sizes <= max_bytes)
        mask &= (recorded == signatures).all(axis=1)
        mask &= signatures[:, 1] < self._racy_from()[at]
        if not (len(known) == len(self.ids) and known == self.hashes):
            hashes, vouched = self.hash_list, np.flatnonzero(mask)
            same = [known.get(ids[i]) == hashes[rows[i]] for i in vouched.tolist()]
            mask[vouched[np.logical_not(same)]] = False
        return mask, rows

    def _racy_from(self) -> np.ndarray:
        """Per row, the modification time (ns) from which its file is racy."""
        limits = np.full(len(self.ids), _racy_from(self.taken), dtype=np.int64)
        rows = self.rows
        for doc_id, taken in self.taken_of.items():
            limits[rows[doc_id]] = _racy_from(taken)
        return limits


def settled(mtime_ns: int, taken: float) -> bool:
    """Whether a file modified at ``mtime_ns`` is outside the racy window of a run at
    ``taken``: recorded by that run, its times tell a later write."""
    return mtime_ns < _racy_from(taken)


def _racy_from(taken: float) -> int:
    """The first modification time (ns) within the racy window of a run at ``taken``."""
    window = min(max((taken - RACY_SECONDS) * 1e9, -(2.0**62)), 2.0**62)
    return math.ceil(window)


def load(generation: Path, commit: int) -> FileRecord:
    """The record of ``commit`` in ``generation``; an empty one when absent, damaged or stale."""
    for whole in recordfile.read(generation):
        try:
            record = FileRecord(
                whole.commit, whole.taken, whole.ids, whole.hashes, whole.signatures,
                legacy=whole.legacy,
            )  # fmt: skip
            _apply_chain(record, _changes(generation, record.commit))
        except recordfile.DAMAGED:
            return FileRecord()
        if record.commit == commit:
            return record
    return FileRecord()


def _apply_chain(record: FileRecord, changes: list[dict]) -> None:
    """Bring the whole ``record`` to the last of the ``changes`` that follow it."""
    latest: dict[str, tuple[str, list[int] | None] | None] = {}  # None: removed
    for change in changes:
        if change["after"] != record.commit:
            continue
        taken = change.get("taken")
        for doc_id in change["removed"]:
            latest[doc_id] = None
            record.taken_of.pop(doc_id, None)
        for doc_id, entry in change["articles"].items():
            latest[doc_id] = (entry[0], [int(value) for value in entry[1:]])
            if taken is None:
                record.taken_of.pop(doc_id, None)
            else:
                record.taken_of[doc_id] = float(taken)
        record.commit = change["commit"]
        record.chained += len(change["articles"]) + len(change["removed"])
    if not latest:
        return
    rows = record.rows
    if not any(entry is None and doc_id in rows for doc_id, entry in latest.items()):
        # an article added and removed along the chain was never in the rows: nothing to do
        _update_rows(record, {doc_id: e for doc_id, e in latest.items() if e is not None})
        return
    keep = np.ones(len(record.ids), dtype=bool)
    for doc_id in latest:
        row = rows.get(doc_id)
        if row is not None:
            keep[row] = False
    added = [(doc_id, entry) for doc_id, entry in latest.items() if entry is not None]
    signatures = signature_table([entry[1] if len(entry[1]) == 4 else None for _, entry in added])
    kept = keep.tolist()
    record.ids = [*compress(record.ids, kept), *(doc_id for doc_id, _ in added)]
    record.hash_list = [*compress(record.hash_list, kept), *(entry[0] for _, entry in added)]
    record.signature_rows = np.concatenate([record.signature_rows[keep], signatures])
    for name in ("rows", "hashes"):
        record.__dict__.pop(name, None)


def _update_rows(record: FileRecord, latest: dict[str, tuple[str, list[int]]]) -> None:
    """Apply changes that remove no recorded article: each recorded one's row is
    overwritten where it is, the new ones appended (the rows of the others stay, so the
    table of rows need not be made again: at 5× that took as long as applying the rest)."""
    rows = record.rows
    new = [doc_id for doc_id in latest if doc_id not in rows]
    changed = [doc_id for doc_id in latest if doc_id in rows]
    entries = [latest[doc_id] for doc_id in changed + new]
    signatures = signature_table([entry[1] if len(entry[1]) == 4 else None for entry in entries])
    at = [rows[doc_id] for doc_id in changed]
    for row, entry in zip(at, entries, strict=False):
        record.hash_list[row] = entry[0]
    record.signature_rows[at] = signatures[: len(at)]
    rows.update(zip(new, range(len(record.ids), len(record.ids) + len(new)), strict=True))
    record.ids.extend(new)
    record.hash_list.extend(entry[0] for entry in entries[len(at) :])
    record.signature_rows = np.concatenate([record.signature_rows, signatures[len(at) :]])
    record.__dict__.pop("hashes", None)


def _changes(generation: Path, base: int) -> list[dict]:
    """The changes recorded after the whole record of commit ``base``, in order."""
    try:
        data = json.loads((generation / CHANGES_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return data["changes"] if data["base"] == base else []


def _entries(hashes: dict[str, str], seen: dict[str, tuple[str, Signature]]) -> dict:
    articles = {}
    for doc_id, content_hash in hashes.items():
        read = _read_signature(seen, doc_id, content_hash)
        articles[doc_id] = [content_hash] if read is None else [content_hash, *read]
    return articles


def _read_signature(
    seen: dict[str, tuple[str, Signature]], doc_id: str, content_hash: str
) -> Signature | None:
    """The signature of the file this run read for ``doc_id`` with ``content_hash``: what
    the record keeps for the article (None when it was not read, or read otherwise)."""
    read = seen.get(doc_id)
    return read[1] if read and read[0] == content_hash else None


@dataclass
class Trusted:
    """The rows of a record whose files a run found unchanged without reading them: their
    hash and signature are the record's."""

    record: FileRecord = field(default_factory=FileRecord)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))

    @cached_property
    def ids(self) -> set[str]:
        ids = self.record.ids
        return {ids[row] for row in self.rows.tolist()}


def differences(
    record: FileRecord,
    hashes: dict[str, str],
    seen: dict[str, tuple[str, Signature]],
    trusted: Trusted | None = None,
) -> tuple[dict[str, str], list[str]]:
    """What the whole record of ``hashes``, ``seen`` and ``trusted`` (as :func:`save`
    would write it) holds that ``record`` does not: the articles whose entry differs, or
    whose file was within its racy window (this run read it again, and records when it
    looked), and the ids ``record`` holds that ``hashes`` does not. A trusted row is as
    recorded."""
    same = trusted.ids if trusted is not None else set()
    changed = {}
    for doc_id in [doc_id for doc_id in hashes if doc_id not in same]:
        content_hash = hashes[doc_id]
        wanted = _read_signature(seen, doc_id, content_hash)
        if (
            record.hashes.get(doc_id) != content_hash
            or record.signature_of(doc_id) != wanted
            or (wanted is not None and record.racy(doc_id, wanted[1]))
        ):
            changed[doc_id] = content_hash
    return changed, [doc_id for doc_id in record.ids if doc_id not in hashes]


def save(
    generation: Path,
    commit: int,
    taken: float,
    hashes: dict[str, str],
    seen: dict[str, tuple[str, Signature]],
    trusted: Trusted | None = None,
) -> None:
    """Write the record of ``commit``: ``hashes`` (id -> hash, every indexed article) with
    the signature ``seen`` gives for the files read with that same hash, or the one the
    record gives for the ``trusted`` files (not read, hash as recorded)."""
    trusted = trusted or Trusted()
    record, rows = trusted.record, trusted.rows.tolist()
    ids = [record.ids[row] for row in rows]
    hash_list = [record.hash_list[row] for row in rows]
    same = trusted.ids
    rest = [doc_id for doc_id in hashes if doc_id not in same]
    signatures = signature_table([_read_signature(seen, doc_id, hashes[doc_id]) for doc_id in rest])
    whole = Whole(
        commit, taken, ids + rest, hash_list + [hashes[doc_id] for doc_id in rest],
        np.concatenate([record.signature_rows[trusted.rows], signatures]),
    )  # fmt: skip
    recordfile.write(generation, whole)
    (generation / CHANGES_FILE).unlink(missing_ok=True)


def save_change(
    generation: Path,
    after: int,
    commit: int,
    hashes: dict[str, str],
    seen: dict[str, tuple[str, Signature]],
    removed: list[str],
    taken: float | None = None,
) -> bool:
    """Record a change to the record of commit ``after``: the articles ``hashes`` gives
    (id -> hash; signatures from ``seen`` as in :func:`save`) and the ``removed`` ids, now
    as of ``commit``, read by a run that started looking at ``taken``. A change that
    follows no recorded commit is not kept (the next run over the whole folder reads every
    file and writes the whole record): False then."""
    path = generation / CHANGES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    if data is None or not data["changes"]:
        try:
            base = recordfile.commit_of(generation)
        except recordfile.DAMAGED:
            return False
        data = {"base": base, "changes": []}
    last = data["changes"][-1]["commit"] if data["changes"] else data["base"]
    if last != after:
        return False
    articles = _entries(hashes, seen)
    change = {"after": after, "commit": commit, "articles": articles, "removed": removed}
    if taken is not None:
        change["taken"] = taken
    data["changes"].append(change)
    _replace(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return True


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def now() -> float:
    """The time a run starts looking at files (recorded as ``taken``)."""
    return time.time()
