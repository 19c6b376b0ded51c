"""Test-only pause points of a reindex, so a test can kill or disturb it at an exact moment."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

#: Test-only (tests/test_faults.py, tests/test_kill.py): the points of :func:`test_pause`.
PAUSE_ENV = "HABERARA_TEST_PAUSE_AT"


PAUSE_MARKER_ENV = "HABERARA_TEST_PAUSE_MARKER"


PAUSE_LIMIT_SECONDS = 60.0


def test_pause(point: str) -> None:
    """TEST-ONLY hook; does nothing unless ``HABERARA_TEST_PAUSE_AT`` names ``point``.

    Then it creates the file named by ``HABERARA_TEST_PAUSE_MARKER`` and waits until the test
    deletes it (at most a minute), so a test can SIGKILL the run at exactly this point, or
    change files and let it go on. Points: ``reading`` (after the first file was read),
    ``writing`` (after the first document went to the writer), ``committing`` (new segment
    files written, TOC not yet), ``merging`` (an update committed, the small segments
    copied into one, its TOC not yet), ``swapping`` (full rebuild committed, CURRENT not
    yet), ``handing`` (a build worker's segments written, its result not yet handed back).
    """
    if os.environ.get(PAUSE_ENV) != point:
        return
    marker = Path(os.environ[PAUSE_MARKER_ENV])
    marker.write_text(f"{os.getpid()} {point}\n")
    deadline = time.monotonic() + PAUSE_LIMIT_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def committing_pause() -> Callable[[], None] | None:
    """The test-only ``committing`` pause, when it is asked for."""
    if os.environ.get(PAUSE_ENV) == "committing":
        return partial(test_pause, "committing")
    return None
