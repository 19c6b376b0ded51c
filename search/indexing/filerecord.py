"""What the last reindex saw of each article file, so unchanged files need not be read again.

A reindex compares each file with the index by the sha1 of its bytes; reading and hashing
every file of a large archive would be most of an incremental run. After each commit the
indexer writes ``haberara-files.json.gz`` beside the whoosh files: for every indexed
article its content hash and,
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
times but not their change times, and need not be read twice). A record written before
change times were kept has none: its files are read once more. ``reindex --full`` ignores
the record.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

RECORD_FILE = "haberara-files.json.gz"
RACY_SECONDS = 2.0

Signature = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


@dataclass
class FileRecord:
    """Content hash per indexed article id, and the signature of the file it was read from."""

    commit: int = -1
    taken: float = 0.0
    hashes: dict[str, str] = field(default_factory=dict)
    signatures: dict[str, Signature] = field(default_factory=dict)

    def unchanged_hash(self, doc_id: str, info: os.stat_result) -> str | None:
        """The recorded hash when the file is, by its signature, the one recorded."""
        recorded = self.signatures.get(doc_id)
        if recorded is None or recorded != signature(info):
            return None
        if info.st_mtime_ns >= (self.taken - RACY_SECONDS) * 1e9:
            return None  # written just before the last run looked: its time may not tell
        return self.hashes.get(doc_id)


def load(generation: Path, commit: int) -> FileRecord:
    """The record of ``commit`` in ``generation``; an empty one when absent, damaged or stale."""
    try:
        data = json.loads(gzip.decompress((generation / RECORD_FILE).read_bytes()))
        if data["commit"] != commit:
            return FileRecord()
        record = FileRecord(commit, float(data["taken"]))
        for doc_id, entry in data["articles"].items():
            record.hashes[doc_id] = entry[0]
            if len(entry) == 5:
                size, mtime, inode, ctime = map(int, entry[1:])
                record.signatures[doc_id] = (size, mtime, inode, ctime)
        return record
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError):
        return FileRecord()


def save(
    generation: Path,
    commit: int,
    taken: float,
    hashes: dict[str, str],
    seen: dict[str, tuple[str, Signature]],
) -> None:
    """Write the record of ``commit``: ``hashes`` (id -> hash, every indexed article) with
    the signature ``seen`` gives for the files read (or trusted) with that same hash."""
    articles = {}
    for doc_id, content_hash in hashes.items():
        read = seen.get(doc_id)
        articles[doc_id] = (
            [content_hash, *read[1]] if read and read[0] == content_hash else [content_hash]
        )
    data = {"commit": commit, "taken": taken, "articles": articles}
    temporary = generation / f".{RECORD_FILE}.{os.getpid()}.tmp"
    text = json.dumps(data, ensure_ascii=False).encode("utf-8")
    # the quickest level: the record is rewritten on every reindex, its size matters less
    temporary.write_bytes(gzip.compress(text, compresslevel=1, mtime=0))
    os.replace(temporary, generation / RECORD_FILE)


def now() -> float:
    """The time a run starts looking at files (recorded as ``taken``)."""
    return time.time()
