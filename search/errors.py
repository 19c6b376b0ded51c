"""Errors the library raises; each message tells a person what to do next."""

from __future__ import annotations


class HaberaraError(Exception):
    """Base class: ``str(error)`` is a sentence a person can act on."""


class IndexMissing(HaberaraError):
    """There is no index yet at the given folder."""


class IndexOutdated(HaberaraError):
    """The index was built by another analysis version; a full reindex fixes it."""


class IndexCorrupt(HaberaraError):
    """The index files cannot be read; a full reindex rebuilds them."""


class IndexLocked(HaberaraError):
    """Another reindex holds the writer lock."""


class IndexWriteFailed(HaberaraError):
    """Writing the index failed (disk full, read-only, permissions); the last index stands."""


class DocsMissing(HaberaraError):
    """The articles folder does not exist or is not a folder."""


class BadParameter(HaberaraError):
    """A search parameter is out of range; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class Busy(HaberaraError):
    """The process is already answering as many costly requests as it takes; retry soon."""
