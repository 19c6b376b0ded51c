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

A reindex of named files or folders (``reindex PATH...``) looks at those alone, so it does
not rewrite the whole record: it adds what it saw as a change to ``haberara-files.changes.json``
(:func:`save_change`), naming the commit it follows and the one it made, and when it
looked (its files' racy window is judged by that time). Loading applies the chain of
changes that leads from the record's commit to the one asked for. A run over the whole
folder that changed a few articles records them as a change too (:func:`differences`), so
adding one file to a large archive does not rewrite a record of every file; once the chain
holds many entries, such a run writes the whole record again and starts a new chain.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

RECORD_FILE = "haberara-files.json.gz"
CHANGES_FILE = "haberara-files.changes.json"
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
    #: when the run that recorded an article as a change looked (else :attr:`taken`)
    taken_of: dict[str, float] = field(default_factory=dict)
    #: articles recorded as changes since the whole record was written
    chained: int = 0

    def unchanged_hash(self, doc_id: str, info: os.stat_result) -> str | None:
        """The recorded hash when the file is, by its signature, the one recorded."""
        recorded = self.signatures.get(doc_id)
        if recorded is None or recorded != signature(info):
            return None
        if self.racy(doc_id, info.st_mtime_ns):
            return None  # written just before the last run looked: its time may not tell
        return self.hashes.get(doc_id)

    def racy(self, doc_id: str, mtime_ns: int) -> bool:
        """Whether a file modified at ``mtime_ns`` was written too close to the time its
        article was recorded for its times to tell a later write."""
        return mtime_ns >= (self.taken_of.get(doc_id, self.taken) - RACY_SECONDS) * 1e9


def load(generation: Path, commit: int) -> FileRecord:
    """The record of ``commit`` in ``generation``; an empty one when absent, damaged or stale."""
    try:
        data = json.loads(gzip.decompress((generation / RECORD_FILE).read_bytes()))
        record = FileRecord(data["commit"], float(data["taken"]))
        record.hashes, record.signatures = _whole(data["articles"])
        for change in _changes(generation, record.commit):
            if change["after"] == record.commit:
                _apply(record, change["articles"], change["removed"], change.get("taken"))
                record.commit = change["commit"]
                record.chained += len(change["articles"]) + len(change["removed"])
        return record if record.commit == commit else FileRecord()
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError):
        return FileRecord()


def _whole(articles: dict) -> tuple[dict[str, str], dict[str, Signature]]:
    """The hashes and signatures of a whole record's articles, in two dictionary builds
    (entry by entry cost about 0.15 s more of a 0.75 s load at 217,600 files)."""
    hashes = {doc_id: entry[0] for doc_id, entry in articles.items()}
    signatures = {doc_id: tuple(entry[1:]) for doc_id, entry in articles.items() if len(entry) == 5}
    return hashes, signatures


def _apply(
    record: FileRecord, articles: dict, removed: list[str], taken: float | None = None
) -> None:
    for doc_id in removed:
        record.hashes.pop(doc_id, None)
        record.signatures.pop(doc_id, None)
        record.taken_of.pop(doc_id, None)
    for doc_id, entry in articles.items():
        record.hashes[doc_id] = entry[0]
        record.signatures.pop(doc_id, None)
        if taken is None:
            record.taken_of.pop(doc_id, None)
        else:
            record.taken_of[doc_id] = float(taken)
        if len(entry) == 5:
            size, mtime, inode, ctime = map(int, entry[1:])
            record.signatures[doc_id] = (size, mtime, inode, ctime)


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
        read = seen.get(doc_id)
        articles[doc_id] = (
            [content_hash, *read[1]] if read and read[0] == content_hash else [content_hash]
        )
    return articles


def differences(
    record: FileRecord, hashes: dict[str, str], seen: dict[str, tuple[str, Signature]]
) -> tuple[dict[str, str], list[str]]:
    """What the whole record of ``hashes`` and ``seen`` (as :func:`save` would write it)
    holds that ``record`` does not: the articles whose entry differs, or whose file was
    within its racy window (this run read it again, and records when it looked), and
    the ids ``record`` holds that ``hashes`` does not."""
    changed = {}
    for doc_id, content_hash in hashes.items():
        read = seen.get(doc_id)
        wanted = read[1] if read and read[0] == content_hash else None
        if (
            record.hashes.get(doc_id) != content_hash
            or record.signatures.get(doc_id) != wanted
            or (wanted is not None and record.racy(doc_id, wanted[1]))
        ):
            changed[doc_id] = content_hash
    return changed, [doc_id for doc_id in record.hashes if doc_id not in hashes]


def save(
    generation: Path,
    commit: int,
    taken: float,
    hashes: dict[str, str],
    seen: dict[str, tuple[str, Signature]],
) -> None:
    """Write the record of ``commit``: ``hashes`` (id -> hash, every indexed article) with
    the signature ``seen`` gives for the files read (or trusted) with that same hash."""
    data = {"commit": commit, "taken": taken, "articles": _entries(hashes, seen)}
    text = json.dumps(data, ensure_ascii=False).encode("utf-8")
    # the quickest level: the record is rewritten on every reindex, its size matters less
    _replace(generation / RECORD_FILE, gzip.compress(text, compresslevel=1, mtime=0))
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
            with gzip.open(generation / RECORD_FILE) as handle:
                base = _record_commit(handle.read(64))
        except (OSError, EOFError, ValueError):
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


def _record_commit(start: bytes) -> int:
    """The commit a whole record names, from its first bytes (``{"commit": N, ...``)."""
    head = start.decode("utf-8", "replace")
    prefix = '{"commit": '
    if not head.startswith(prefix):
        raise ValueError("not a file record")
    return int(head[len(prefix) :].split(",", 1)[0])


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def now() -> float:
    """The time a run starts looking at files (recorded as ``taken``)."""
    return time.time()
