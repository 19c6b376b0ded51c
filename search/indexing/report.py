"""What a reindex did and which files it rejected, and how a file is named in the report."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FailedFile:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class ReindexReport:
    """What a reindex did; ``failed`` files were skipped, everything else is committed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Paths named to a run that do not exist and had nothing indexed from them (a typo,
    #: or a file that came and went before the run).
    not_found: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """The closing line: ``added A, updated U, removed R, unchanged N, failed F in T s``."""
        return (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, failed {len(self.failed)} in {self.seconds:.2f} s"
        )

    def to_dict(self) -> dict:
        """The ``--json`` object."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


def fail(report: ReindexReport, path: str | Path, reason: str) -> None:
    report.failed.append(FailedFile(display(path), reason))


def display(path: str | Path) -> str:
    """The path as text that can always be printed on one line: undecodable name bytes and
    control characters (a newline in a file name) shown as ``\\xNN``."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
