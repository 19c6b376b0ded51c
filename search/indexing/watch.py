"""Keep the index in step with the articles folder as files arrive (``haberara watch``).

The kernel tells of every file written, moved, or deleted in a watched folder (Linux
``inotify``), so the files just added are reindexed by name (:mod:`search.indexing.named`),
at a cost that does not grow with the archive, instead of every file being looked at again.
Changes are gathered until the folder has been quiet for :data:`QUIET_SECONDS` (a copy
of many files becomes one run), or for at most :data:`MOST_SECONDS`.

Before watching, one run over the whole folder catches up with what changed while nothing
watched. When the kernel drops events (its queue overflowed), the next run is over the
whole folder again. A run that fails (another reindex holding the lock past its wait, a
full disk) is logged and its paths are tried again after :data:`RETRY_SECONDS`.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import select
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from search.errors import DocsMissing, HaberaraError
from search.indexing.reindex import reindex
from search.indexing.report import ReindexReport

QUIET_SECONDS = 0.1
MOST_SECONDS = 2.0
RETRY_SECONDS = 5.0
#: How often a watch with nothing to do looks whether it was asked to stop.
IDLE_SECONDS = 0.5

# from <sys/inotify.h>
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_ISDIR = 0x40000000
WATCHED = IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name

log = logging.getLogger(__name__)


class WatchFailed(HaberaraError):
    """The folder cannot be watched (not Linux, or the kernel's limit of watches)."""


class FolderEvents:
    """The article files and folders written, moved or deleted below a folder, as the
    kernel reports them; every folder below it is watched, new ones as they appear."""

    def __init__(self, root: Path, ignored: Path | None = None) -> None:
        if not sys.platform.startswith("linux"):
            raise WatchFailed("watching a folder needs Linux (inotify); run `haberara reindex`")
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise WatchFailed(f"cannot watch {root}/: {os.strerror(ctypes.get_errno())}")
        self._folders: dict[int, Path] = {}
        self._ignored = Path(os.path.abspath(ignored)) if ignored else None
        self.overflowed = False
        try:
            self.add_tree(root)
        except WatchFailed:
            self.close()  # (the kernel's limit of watches reached)
            raise

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> FolderEvents:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def add_tree(self, folder: Path) -> None:
        """Watch ``folder`` and every folder below it (hidden ones left out, as the scan
        leaves them; links not followed)."""
        if self._is_ignored(folder):
            return
        self._add(folder)
        for parent, names, _ in os.walk(folder):
            names[:] = [
                name
                for name in names
                if not name.startswith(".") and not self._is_ignored(Path(parent) / name)
            ]
            for name in names:
                self._add(Path(parent) / name)

    def _is_ignored(self, path: Path) -> bool:
        """Whether ``path`` is the index folder, or below it (an index kept inside the
        articles folder: its own writes must not start runs)."""
        ignored = self._ignored
        return ignored is not None and (
            (absolute := Path(os.path.abspath(path))) == ignored or ignored in absolute.parents
        )

    def _forget(self, folder: Path) -> None:
        """Stop watching ``folder`` and the folders below it (moved out of sight)."""
        for wd, path in list(self._folders.items()):
            if path == folder or folder in path.parents:
                self._libc.inotify_rm_watch(self._fd, wd)
                del self._folders[wd]

    def _add(self, folder: Path) -> None:
        mask = WATCHED | IN_ONLYDIR | IN_DONT_FOLLOW
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), mask)
        if wd >= 0:
            self._folders[wd] = folder
            return
        code = ctypes.get_errno()
        if code in (errno.ENOENT, errno.ENOTDIR):
            return  # gone, or a link, since it was listed
        if code == errno.ENOSPC:
            raise WatchFailed(
                f"cannot watch {folder}/: the system's limit of watched folders is reached "
                "(raise fs.inotify.max_user_watches, or run `haberara reindex` after adding files)"
            )
        raise WatchFailed(f"cannot watch {folder}/: {os.strerror(code)}")

    def wait(self, seconds: float) -> list[Path]:
        """The changed article files and folders reported within ``seconds`` (none when
        nothing happened); new folders are watched from now on."""
        ready, _, _ = select.select([self._fd], [], [], max(seconds, 0))
        if not ready:
            return []
        changed = []
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                break
            changed.extend(self._changes(data))
        return changed

    def _changes(self, data: bytes) -> Iterator[Path]:
        offset = 0
        while offset < len(data):
            wd, mask, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
            offset += _EVENT.size + length
            if mask & IN_Q_OVERFLOW:
                self.overflowed = True
                continue
            folder = self._folders.get(wd)
            if mask & IN_IGNORED:
                self._folders.pop(wd, None)
                continue
            if folder is None or not name or name.startswith(b"."):
                continue
            path = folder / os.fsdecode(name)
            if self._is_ignored(path):
                continue
            if mask & IN_ISDIR:
                if mask & (IN_CREATE | IN_MOVED_TO):
                    self.add_tree(path)
                elif mask & IN_MOVED_FROM:
                    self._forget(path)
                yield path
            elif path.name.lower().endswith(".txt") and not (mask & IN_CREATE and _written(path)):
                yield path


def _written(path: Path) -> bool:
    """Whether a file just created is being written (its end is reported when it is
    closed) rather than a link made to a file (nothing else is reported of it)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False  # gone already: reported when it went
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1


def watch(
    docs_dir: Path,
    index_dir: Path,
    on_run: Callable[[ReindexReport], None],
    stop: threading.Event | None = None,
    *,
    catch_up: bool = True,
    **options,
) -> None:
    """Reindex the files of ``docs_dir`` as they are written, moved or deleted, until
    ``stop`` is set; ``on_run`` gets each run's report. ``options`` go to every
    :func:`~search.indexing.reindex.reindex` (``max_bytes``, ``lock_timeout``)."""
    stop = stop or threading.Event()
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise DocsMissing(f"articles folder {docs_dir}/ does not exist (set --docs)")
    with FolderEvents(docs_dir, ignored=Path(index_dir)) as events:
        whole, pending = catch_up, set[Path]()
        first = retry_at = 0.0
        while not stop.is_set():
            now = time.monotonic()
            due = (whole or pending) and now >= retry_at
            overdue = due and now - first >= MOST_SECONDS  # run now, even if files keep coming
            changed = events.wait(0 if overdue else QUIET_SECONDS if due else IDLE_SECONDS)
            if changed or events.overflowed:
                first = first if (whole or pending) else now
                pending.update(changed)
                whole = whole or events.overflowed
                events.overflowed = False
                if not overdue:
                    continue
            if not due:
                continue
            try:
                paths = [] if whole else outermost(pending)
                on_run(reindex(docs_dir, index_dir, paths=paths, **options))
                whole, pending = False, set()
            except HaberaraError as error:
                log.error("haberara watch: %s; trying again in %.0f s", error, RETRY_SECONDS)
                retry_at = time.monotonic() + RETRY_SECONDS


def outermost(paths: set[Path]) -> list[Path]:
    """``paths`` without those below another of them (a new folder's files are read with
    it), sorted.

    >>> outermost({Path("a/b.txt"), Path("a"), Path("c.txt")})
    [PosixPath('a'), PosixPath('c.txt')]
    """
    kept: list[Path] = []
    for path in sorted(paths):
        if not (kept and kept[-1] in path.parents):
            kept.append(path)
    return kept
