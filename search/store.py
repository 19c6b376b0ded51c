"""The on-disk index folder: generations, the current pointer, and the writer lock.

Layout of an index folder::

    index/CURRENT       name of the generation readers use (e.g. "g000003")
    index/g000003/      a whoosh index and haberara.json (analysis version, build time)
    index/write.lock    held (flock) by the one reindex running

Incremental reindexes commit into the current generation (whoosh writes its table of
contents to a temporary file and renames it, so a killed commit leaves the last one). A
full rebuild writes a new generation and swaps ``CURRENT`` by rename, so readers see either
the old index or the new one, never half of it. Locks are ``flock`` locks: the kernel drops
them when a killed process dies, so a stale lock never blocks the next run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from search.analysis import ANALYSIS_VERSION
from search.errors import IndexCorrupt, IndexLocked, IndexMissing, IndexOutdated
from search.schema import build_schema

CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
META_FILE = "haberara.json"
GENERATION_PREFIX = "g"


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder ``CURRENT`` names, or None when there is none yet."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return index_dir / name if name else None


def open_index(index_dir: Path) -> FileIndex:
    """Open the current generation for reading; errors say what to run next."""
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexMissing(
            f"no index in {index_dir}/: run `haberara reindex --index {index_dir}` first"
        )
    meta = read_meta(generation)
    version = meta.get("analysis_version")
    if version != ANALYSIS_VERSION:
        raise IndexOutdated(
            f"index in {index_dir}/ was built with analysis v{version}, this version expects "
            f"v{ANALYSIS_VERSION}: run `haberara reindex --full --index {index_dir}`"
        )
    try:
        return whoosh_index.open_dir(str(generation))
    except Exception as error:  # whoosh raises many kinds for damaged files
        raise IndexCorrupt(
            f"index in {index_dir}/ cannot be read ({type(error).__name__}: {error}): "
            f"run `haberara reindex --full --index {index_dir}` to rebuild it"
        ) from error


def read_meta(generation: Path) -> dict:
    """The generation's ``haberara.json``; an empty dict when absent or unreadable."""
    try:
        return json.loads((generation / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def new_generation(index_dir: Path) -> tuple[Path, FileIndex]:
    """Create an empty generation folder beside the current one (not yet current)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [
        int(path.name[1:])
        for path in index_dir.glob(f"{GENERATION_PREFIX}*")
        if path.name[1:].isdigit()
    ]
    generation = index_dir / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"
    generation.mkdir()
    _write_atomically(
        generation / META_FILE,
        json.dumps({"analysis_version": ANALYSIS_VERSION, "created": time.time()}),
    )
    return generation, whoosh_index.create_in(str(generation), build_schema())


def make_current(index_dir: Path, generation: Path) -> None:
    """Point readers at ``generation`` and delete the generations before it."""
    _write_atomically(index_dir / CURRENT_FILE, generation.name + "\n")
    for path in index_dir.glob(f"{GENERATION_PREFIX}*"):
        if path.is_dir() and path.name != generation.name:
            shutil.rmtree(path, ignore_errors=True)


def discard_generation(generation: Path) -> None:
    """Remove a generation that never became current (a failed full rebuild)."""
    shutil.rmtree(generation, ignore_errors=True)


@contextlib.contextmanager
def writer_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's one writer lock, waiting at most ``timeout`` seconds for it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another reindex is writing {index_dir}/ (waited {timeout:g} s); "
                        "try again when it has finished, or raise --wait"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
