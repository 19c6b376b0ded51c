"""How many cores this process may use: what the build, the file listing and the server
size their worker processes by."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The CPUs this process may run on (a container or ``taskset`` may allow fewer than the
    machine has), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
