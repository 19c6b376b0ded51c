"""A full rebuild SIGKILLed at moments spread over its run, and at the moment its build
workers hand back their results: none of its processes outlives it, no lock is left
behind, and the next reindex works.

Every process of one run is found by a marker in its environment (forked build workers
inherit it), so a worker that outlives its killed parent is seen wherever it was reparented.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, write_articles
from search.indexing.build import PARALLEL_BUILD_FROM

RUN_MARKER = "HABERARA_TEST_RUN"
KILL_MOMENTS = 12
#: A killed run's processes must be gone within this many seconds.
GONE_WITHIN = 2.0

CITIES = ("Ankara", "İzmir", "Bursa", "Trabzon", "Kars", "Mardin", "Sivas", "Van", "Muş")
NOUNS = ("belediye", "meclis", "liman", "okul", "hastane", "köprü", "park", "otobüs", "tren")
VERBS = ("onayladı", "açıldı", "yenilendi", "tartışıldı", "tamamlandı", "ertelendi")


def many_articles(count: int, seed: int = 11) -> dict[str, str]:
    """``count`` short articles made of Turkish sentences, enough for a parallel build."""
    rng = random.Random(seed)
    articles = {}
    for number in range(count):
        sentences = [
            f"{rng.choice(CITIES)}'da {rng.choice(NOUNS)} {rng.choice(NOUNS)}ni "
            f"{rng.randint(1, 900)}. kez {rng.choice(VERBS)}."
            for _ in range(rng.randint(2, 5))
        ]
        articles[f"arsiv/{number // 500:02d}/haber-{number:05d}.txt"] = (
            f"title: {rng.choice(CITIES)} haberi {number}\ndate: 2025-{number % 12 + 1:02d}-01\n\n"
            + " ".join(sentences)
            + "\n"
        )
    return articles


def reindex_process(
    docs: Path, index: Path, marker: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``haberara reindex`` whose processes carry ``marker`` in their environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "search", "reindex", "--docs", str(docs), "--index", str(index),
         *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), RUN_MARKER: marker, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def processes_of_run(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``marker``."""
    needle = f"{RUN_MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and needle in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


def gone_within(marker: str, seconds: float) -> list[int]:
    """The processes of the run ``marker`` still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := processes_of_run(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    """Enough articles for a parallel build, and their index."""
    docs = write_articles(tmp_path / "docs", many_articles(PARALLEL_BUILD_FROM + 200))
    index = tmp_path / "index"
    first = reindex_process(docs, index, uuid.uuid4().hex)
    assert first.wait(timeout=120) == 0, first.stderr.read()
    first.stderr.close()
    return docs, index


def test_workers_handing_back_results_die_with_their_killed_parent(archive, tmp_path: Path):
    docs, index = archive
    marker, paused = uuid.uuid4().hex, tmp_path / "paused"
    pause = {"HABERARA_TEST_PAUSE_AT": "handing", "HABERARA_TEST_PAUSE_MARKER": str(paused)}
    run = reindex_process(docs, index, marker, "--full", env=pause)
    deadline = time.monotonic() + 60
    while not paused.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert paused.exists(), "the build workers did not reach the point of handing back"
    assert len(processes_of_run(marker)) >= 3  # the parent and its workers
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    run.stderr.close()
    paused.unlink()  # a worker still alive now goes on to hand back its result
    left = gone_within(marker, GONE_WITHIN)
    kill_all(left)
    assert not left, "build workers outlived their killed parent"
    after = reindex_process(docs, index, uuid.uuid4().hex, "--wait", "0")
    assert after.wait(timeout=120) == 0, after.stderr.read()
    after.stderr.close()


def test_full_reindex_killed_at_any_moment_leaves_no_process_and_no_lock(archive):
    docs, index = archive
    started = time.monotonic()
    whole = reindex_process(docs, index, uuid.uuid4().hex, "--full")
    assert whole.wait(timeout=120) == 0, whole.stderr.read()
    lasted = time.monotonic() - started

    survivors = []
    for moment in range(KILL_MOMENTS):
        marker = uuid.uuid4().hex
        run = reindex_process(docs, index, marker, "--full")
        time.sleep(lasted * (moment + 0.5) / KILL_MOMENTS)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        run.stderr.close()
        left = gone_within(marker, GONE_WITHIN)
        if left:
            survivors.append((moment, left))
            kill_all(left)  # free the lock, so the remaining moments are still tried
            continue
        after = reindex_process(docs, index, uuid.uuid4().hex, "--wait", "0")
        assert after.wait(timeout=120) == 0, (moment, after.stderr.read())
        after.stderr.close()
    assert not survivors, f"processes of killed runs still alive after {GONE_WITHIN} s"
