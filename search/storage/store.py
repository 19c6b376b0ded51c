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

The generation a swap replaces is kept until the next reindex starts, so a reader that read
``CURRENT`` just before the swap can still open it. Each reindex, once it holds the lock,
removes what a killed or failed run left behind (:func:`remove_leftovers`): generations that
are not current, and whoosh files in the current one that its table of contents does not
name. Nothing else ever writes there, so anything unnamed is garbage.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import mmap
import os
import pickle
import re
import shutil
import threading
import time
import weakref
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex, clean_files

from search.errors import (
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    IndexOutdated,
)
from search.storage import integrity
from search.storage.schema import build_schema
from search.text.analysis import ANALYSIS_VERSION

CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
META_FILE = "haberara.json"
GENERATION_PREFIX = "g"
_GENERATION_NAME = re.compile(GENERATION_PREFIX + r"\d{6}")
OPEN_ATTEMPTS = 5
#: The layout of the files a generation holds (postings, stored text): an index written
#: in another layout is rebuilt, as one of another analysis is. A generation written
#: before the layout was recorded is layout 1.
FORMAT_VERSION = 2


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder ``CURRENT`` names, or None when there is none (or it is garbage)."""
    try:
        name = _read_current(index_dir)
    except (IndexMissing, IndexCorrupt):
        return None
    return index_dir / name


def _read_current(index_dir: Path) -> str:
    """The generation name in ``CURRENT``; :class:`IndexMissing` or :class:`IndexCorrupt`."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        raise IndexMissing(
            f"no index in {index_dir}/: run `haberara reindex --docs DIR --index {index_dir}`"
            " first, DIR being the folder of article files"
        ) from None
    except (OSError, ValueError) as error:
        raise corrupt(index_dir, f"{CURRENT_FILE} cannot be read: {error}") from error
    if not _GENERATION_NAME.fullmatch(name):
        raise corrupt(index_dir, f"{CURRENT_FILE} does not name a generation ({name[:40]!r})")
    return name


def corrupt(index_dir: Path, problem: str) -> IndexCorrupt:
    """The error for an index that cannot be read, with the command that rebuilds it."""
    return IndexCorrupt(
        f"index in {index_dir}/ cannot be read ({problem}): "
        f"run `haberara reindex --full --docs DIR --index {index_dir}` to rebuild it"
    )


def open_index(index_dir: Path) -> FileIndex:
    """Open the current generation for reading; errors say what to run next.

    The index is opened, one reader created and samples of what a search reads are read
    (:func:`search.storage.integrity.check_readable`), so a truncated or garbled segment is
    reported here as :class:`IndexCorrupt` rather than later, mid-search. When a full
    reindex swaps ``CURRENT`` while we open the old generation, or a reindex commits in
    place (removing the files of the commit we were opening), we retry with the new one.
    """
    for attempt in range(OPEN_ATTEMPTS):
        name = _read_current(index_dir)
        commits = commit_files(index_dir / name)
        try:
            return _open_generation(index_dir, index_dir / name)
        except (IndexCorrupt, IndexOutdated):
            if attempt + 1 < OPEN_ATTEMPTS and (
                _read_current(index_dir) != name or commit_files(index_dir / name) != commits
            ):
                continue  # swapped or committed under us: open the new one
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def commit_files(generation: Path) -> list[Path]:
    """The generation's commits (whoosh's TOC files), sorted: a commit adds one and removes
    the one before; none when the folder cannot be read."""
    try:
        return sorted(generation.glob("_MAIN_*.toc"))
    except OSError:
        return []


def _open_generation(index_dir: Path, generation: Path) -> FileIndex:
    if not generation.is_dir():
        raise corrupt(index_dir, f"{CURRENT_FILE} names {generation.name}/, which is missing")
    meta = read_meta(generation)
    version = meta.get("analysis_version")
    if version is None:
        raise corrupt(index_dir, f"{generation.name}/{META_FILE} is missing or unreadable")
    if version != ANALYSIS_VERSION:
        raise IndexOutdated(
            f"index in {index_dir}/ was built with analysis v{version}, this version expects "
            f"v{ANALYSIS_VERSION}: run `haberara reindex --full --docs DIR --index {index_dir}`"
        )
    written = meta.get("format", 1)
    if written != FORMAT_VERSION:
        raise IndexOutdated(
            f"index in {index_dir}/ was written in index format v{written}, this version "
            f"reads v{FORMAT_VERSION}: run `haberara reindex --full --docs DIR --index {index_dir}`"
        )
    try:
        index = MappedFileStorage(str(generation)).open_index()
        reader = index.reader()  # opens every segment: a damaged one fails here
        try:
            integrity.check_readable(reader)  # and so does one a search could not read
        finally:
            reader.close()
    except Exception as error:  # whoosh raises many kinds for damaged files
        raise corrupt(index_dir, f"{type(error).__name__}: {error}") from error
    return index


def check_ids(index: FileIndex) -> None:
    """Raise :class:`IndexCorrupt` unless every article id of ``index`` reads as text."""
    index_dir = Path(index.storage.folder).parent
    try:
        with index.reader() as reader:
            integrity.check_ids(reader)
    except Exception as error:  # whoosh raises many kinds for damaged files
        raise corrupt(index_dir, f"{type(error).__name__}: {error}") from error


class _MappedFile(StructFile):
    """A read-only index file mapped into memory: reads are slices of the page cache."""

    def get(self, position: int, length: int) -> bytes:
        return self.file[position : position + length]

    def read_pickle(self, protocol: int = -1):
        """Unpickle from a slice of the mapping: ``pickle.load`` on the file itself makes
        a read call per opcode, and each posting block starts with a pickle."""
        cursor = self.file
        start = cursor.tell()
        for size in (512, None):
            data = cursor[start : start + size] if size else cursor[start:]
            buffer = BytesIO(data)
            try:
                value = pickle.load(buffer)
            except Exception:
                if size is None:
                    raise
                continue  # longer than the slice: take the rest of the file
            cursor.seek(start + buffer.tell())
            return value


class _Cursor:
    """One reader's position in a file that is mapped once per process.

    Every serving thread opens its own whoosh reader; giving each its own ``mmap`` of the
    same file counted the file's pages in the process's memory once per thread. Readers
    now share one mapping per file (see :func:`_shared_map`), each with its own position.
    """

    def __init__(self, mapped: mmap.mmap) -> None:
        self._map: mmap.mmap | None = mapped
        self._position = 0

    @property
    def mapped(self) -> mmap.mmap:
        if self._map is None:
            raise ValueError("read of a closed index file")
        return self._map

    def __getitem__(self, key):
        return self.mapped[key]

    def __len__(self) -> int:
        return len(self.mapped)

    def read(self, size: int | None = -1) -> bytes:
        mapped = self.mapped
        end = len(mapped) if size is None or size < 0 else min(len(mapped), self._position + size)
        data = mapped[self._position : end]
        self._position = max(end, self._position)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        mapped = self.mapped
        end = mapped.find(b"\n", self._position)
        end = len(mapped) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._position + size)
        return self.read(end - self._position)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self.mapped)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._map = None  # the mapping itself goes when its last reader lets it go

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


_maps: weakref.WeakValueDictionary[tuple, mmap.mmap] = weakref.WeakValueDictionary()
_maps_lock = threading.Lock()


def _shared_map(path: str) -> mmap.mmap | None:
    """The process's one read-only mapping of ``path`` (None for an empty file)."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_size == 0:
            return None
        key = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        with _maps_lock:
            mapped = _maps.get(key)
            if mapped is None:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                _maps[key] = mapped
        return mapped


#: Index files read with plain reads rather than mapped: each segment's stored articles.
UNMAPPED_SUFFIX = "._stored.col"


class MappedFileStorage(FileStorage):
    """whoosh's file storage with files opened for reading through ``mmap``.

    Plain reads cost a seek and a read system call per term look-up (a query's vocabulary
    walk makes hundreds); whoosh's own mapped compound files copy every part into memory.
    Each file is mapped once per process and shared by every reader, through the page
    cache with other processes too.

    The stored articles (:data:`UNMAPPED_SUFFIX`) are the exception: a page of results
    reads ten of them, but a mapping counts every page the kernel maps around each read
    (it maps a read's neighbours too), and after a few hundred searches a worker's memory
    held nearly all of them. They are read with ordinary reads, through the page cache.
    """

    def open_file(self, name: str, **kwargs) -> StructFile:
        if name.endswith(UNMAPPED_SUFFIX):
            return StructFile(open(self._fpath(name), "rb"), name=name, **kwargs)
        mapped = _shared_map(self._fpath(name))
        if mapped is None:
            return StructFile(BytesIO(b""), name=name, **kwargs)
        return _MappedFile(_Cursor(mapped), name=name, **kwargs)


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
        if _GENERATION_NAME.fullmatch(path.name)
    ]
    generation = index_dir / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"
    generation.mkdir()
    try:
        _write_atomically(
            generation / META_FILE,
            json.dumps(
                {
                    "analysis_version": ANALYSIS_VERSION,
                    "format": FORMAT_VERSION,
                    "created": time.time(),
                }
            ),
        )
        return generation, whoosh_index.create_in(str(generation), build_schema())
    except BaseException:
        discard_generation(generation)
        raise


def make_current(index_dir: Path, generation: Path) -> None:
    """Point readers at ``generation``; keep the one it replaces, delete older ones.

    The replaced generation stays until the next reindex (see :func:`remove_leftovers`), so
    a reader that read ``CURRENT`` a moment before the swap still finds its files.
    """
    previous = current_generation(index_dir)
    _write_atomically(index_dir / CURRENT_FILE, generation.name + "\n")
    keep = {generation.name, previous.name if previous else None}
    for path in generations(index_dir):
        if path.name not in keep:
            discard_generation(path)


def discard_generation(generation: Path) -> None:
    """Remove a generation that is not (or no longer) current."""
    shutil.rmtree(generation, ignore_errors=True)


def remove_leftovers(index_dir: Path) -> None:
    """Delete what killed or failed runs left behind. Call only while holding the lock.

    That is: temporary files of ours; every generation but the current one (half-built
    ones, and the one the last swap replaced; none while ``CURRENT`` is missing or damaged);
    and in the current generation, the whoosh files its table of contents does not name
    (segments of a commit that never finished, whoosh's
    ``*.tmp`` pool folders, temporary TOC files).
    """
    for path in index_dir.glob(f".{CURRENT_FILE}.*.tmp"):
        path.unlink(missing_ok=True)
    current = current_generation(index_dir)
    if current is None:  # nothing current (yet, or CURRENT is damaged): the next swap cleans
        return
    for path in generations(index_dir):
        if path.name != current.name:
            discard_generation(path)
    if current.is_dir():
        clean_generation(current)


def clean_generation(generation: Path) -> None:
    """Delete whoosh files in ``generation`` that its latest TOC does not name (lock held)."""
    with contextlib.suppress(OSError):
        for path in generation.iterdir():
            if path.is_dir():  # whoosh's temporary pool storage ("MAIN_xxx.tmp/")
                shutil.rmtree(path, ignore_errors=True)
            elif _is_temporary(path.name):
                path.unlink(missing_ok=True)
    try:
        index = whoosh_index.open_dir(str(generation))
        toc = TOC.read(index.storage, index.indexname)
    except Exception:  # unreadable: leave it for open_index to report
        return
    clean_files(index.storage, index.indexname, toc.generation, toc.segments)


def _is_temporary(name: str) -> bool:
    """A TOC whoosh never renamed into place, or a temporary file of ours."""
    return (name.startswith("_") and ".toc." in name) or (
        name.startswith(".") and name.endswith(".tmp")
    )


def generations(index_dir: Path) -> list[Path]:
    """The generation folders in ``index_dir``, current or not, sorted by number."""
    return sorted(
        path
        for path in index_dir.glob(f"{GENERATION_PREFIX}*")
        if _GENERATION_NAME.fullmatch(path.name) and path.is_dir()
    )


#: Descriptors of the writer locks this process holds (see :func:`_close_inherited_locks`).
_held_locks: set[int] = set()


def _close_inherited_locks() -> None:
    """In a forked child: close the writer locks inherited from the parent. An ``flock``
    belongs to the open file, shared by every process holding a copy of the descriptor, so
    a child that kept its copy would hold the index lock after its parent died."""
    for fd in _held_locks:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def writer_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's one writer lock, waiting at most ``timeout`` seconds for it.

    A process forked while it is held (a build worker) does not inherit it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    _held_locks.add(fd)
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
        _held_locks.discard(fd)
        os.close(fd)  # closing releases the flock


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
