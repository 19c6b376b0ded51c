"""The article ids and file signatures of every listed file, in bulk.

A reindex over the whole folder looks at every file to find the few that changed; on a
large archive, per-file Python work is most of its time. The ids are made from one joined
text and the signatures gathered into one table, so the file record compares them in a
few array operations (:meth:`~search.indexing.filerecord.FileRecord.trusted`).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np

from search.articles import article_id
from search.cores import usable_cores
from search.indexing.recordfile import NO_SIGNATURE, signature_row
from search.indexing.workers import run_shares

#: Cannot be part of a listed file's path: joins them into one text.
_JOIN = "\n"

#: Files from which their ``stat`` calls are shared among one process per core: a
#: ``stat`` is mostly the kernel's time (a few µs each), which one process cannot overlap.
PARALLEL_STAT_FROM = 40_000
MAX_STAT_PROCS = 8


def article_ids(paths: list[str], docs_dir: Path) -> list[str]:
    """:func:`~search.articles.article_id` of each of ``paths`` (``*.txt`` files as the
    scan lists them, below ``docs_dir``)."""
    root = os.fspath(docs_dir).rstrip(os.sep) + os.sep
    joined = _JOIN.join(paths)
    plain = (
        root != os.sep
        and joined.count(_JOIN) == len(paths) - 1  # no path holds the joint
        and (_JOIN + joined).count(_JOIN + root) == len(paths)  # each starts with root
    )
    if not plain or not paths:
        return [article_id(path, docs_dir) for path in paths]
    start = len(root)
    text = _JOIN.join([path[start:-4] for path in paths])  # the scan lists only *.txt
    if os.sep != "/":
        text = text.replace(os.sep, "/")
    if not text.isascii():  # NFC stops at each joint: it composes with nothing
        text = unicodedata.normalize("NFC", text)
    return text.split(_JOIN)


def signatures(paths: list[str]) -> np.ndarray:
    """Each file's size, mtime_ns, inode and ctime_ns (following symbolic links), as one
    int64 table; a row of ``NO_SIGNATURE`` for a file that cannot be stat'ed (reading it
    says why). A long list is shared among one forked process per core."""
    procs = _stat_procs(len(paths))
    if procs == 1:
        return _signatures(paths)
    bounds = [len(paths) * number // procs for number in range(procs + 1)]
    shares = [(bounds[number], bounds[number + 1]) for number in range(procs)]
    tables = run_shares(lambda share, _tick: _signatures(paths[share[0] : share[1]]), shares)
    return np.concatenate(tables)


def _stat_procs(count: int) -> int:
    if count < PARALLEL_STAT_FROM:
        return 1
    return min(usable_cores(), MAX_STAT_PROCS)


def _signatures(paths: list[str]) -> np.ndarray:
    """:func:`signatures` in this process."""
    rows = []
    stat = os.stat
    for path in paths:
        try:
            info = stat(path)
        except (OSError, ValueError):
            rows.append((NO_SIGNATURE,) * 4)
            continue
        rows.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    table = np.empty((len(rows), 4), dtype=np.int64)
    try:
        table[:] = rows
    except OverflowError:  # an inode or a time past int64
        table[:] = [signature_row(row) for row in rows]
    return table
