"""Faults during a reindex, with real processes and a real on-disk index.

A reindex is SIGKILLed at exact points (the indexer's test-only ``HABERARA_TEST_PAUSE_AT``
hook stops it there), two reindexes race for the lock, a killed run leaves its lock file
behind, and the disk fills up mid-rebuild. After each: a separate ``haberara search``
process and a running ``haberara serve`` answer with the last committed index (compared by
ids), the next reindex exits 0, and the index then holds exactly the files on disk.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from whoosh import index as whoosh_index
from whoosh.index import TOC

from conftest import ROOT, haberara, serve, write_articles
from search.storage import store

#: Every article says "belediye", so one query lists every id in the index.
WORD = "belediye"
BASE = {
    "2025/ankara-su.txt": (
        "title: Ankara'da su kesintisi sona erdi\ndate: 2025-03-02\ncategory: yerel\n\n"
        "Belediye ekipleri Çankaya'daki arızayı gece boyunca onardı. Su kesintisi sabah "
        "saatlerinde sona erdi.\n"
    ),
    "2025/izmir-otobus.txt": (
        "title: İzmir'e elektrikli otobüs geliyor\ndate: 2025-04-11\n\n"
        "Büyükşehir belediye meclisi elektrikli otobüs alımını oy birliğiyle onayladı.\n"
    ),
    "2025/bursa-park.txt": (
        " date 2025-06-07 Bursa'da yeni millet bahçesi açıldı. Belediye başkanı bahçenin "
        "ağaçlarını çocuklarla birlikte dikti.\n"
    ),
    "spor/eskisehir-maraton.txt": (
        " date 2025-05-19 Belediye maratonu Eskişehir'de yapıldı. Koşucular Porsuk "
        "Çayı'nın kıyısında yarıştı.\n"
    ),
    "kultur/sivas-festival.txt": (
        "title: Sivas'ta halk oyunları festivali\ncategory: kültür\n\n"
        "Belediye bu yıl festivale on iki ülkeden ekip davet etti. İlk gün kapalı salonda "
        "gösteriler yapıldı.\n"
    ),
}
NEW = {
    "2026/trabzon-liman.txt": (
        "title: Trabzon Limanı'nda yeni rıhtım\ndate: 2026-01-15\n\n"
        "Rıhtım inşaatı için belediye ile liman işletmesi anlaştı.\n"
    ),
    "2026/kars-kar.txt": (
        " date 2026-01-20 Kars'ta kar kalınlığı bir metreyi aştı. Belediye iş makineleri "
        "köy yollarını açtı.\n"
    ),
    "2026/mardin-tas.txt": (
        "title: Mardin'de taş evler restore ediliyor\n\nEski çarşıdaki taş evleri belediye "
        "onarıyor; ustalar Midyat'tan geldi.\n"
    ),
}
#: The changed version of ``2025/ankara-su.txt``: "doğalgaz" replaces "arızayı".
CHANGED = {
    "2025/ankara-su.txt": (
        "title: Ankara'da doğalgaz çalışması\ndate: 2025-03-09\ncategory: yerel\n\n"
        "Belediye ekipleri Çankaya'daki doğalgaz hattını yeniledi.\n"
    )
}
REMOVED = "kultur/sivas-festival.txt"
PAUSE_POINTS = ("reading", "writing", "committing", "swapping")


def ids_of(articles: dict[str, str]) -> set[str]:
    return {name.removesuffix(".txt") for name in articles}


def ids_on_disk(docs: Path) -> set[str]:
    return {path.relative_to(docs).as_posix().removesuffix(".txt") for path in docs.rglob("*.txt")}


def cli_search(index: Path, query: str = WORD) -> set[str]:
    """Ids found by a separate ``haberara search`` process."""
    result = haberara("search", query, "--index", str(index), "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {hit["id"] for hit in json.loads(result.stdout)["results"]}


def reindex_cli(docs: Path, index: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return haberara("reindex", "--docs", str(docs), "--index", str(index), *args, **kwargs)


def segment_files(generation: Path) -> tuple[set[str], set[str]]:
    """(segment ids named by the generation's TOC, segment ids of the files present)."""
    ix = whoosh_index.open_dir(str(generation))
    named = {segment.segment_id() for segment in TOC.read(ix.storage, ix.indexname).segments}
    pattern = TOC._segment_pattern(ix.indexname)
    present = {m.group(1) for p in generation.iterdir() if (m := pattern.match(p.name))}
    return named, present


class Paused:
    """A ``haberara reindex`` process stopped at one of the indexer's test-only pause points."""

    def __init__(self, docs: Path, index: Path, point: str, marker: Path, *args: str) -> None:
        self.marker = marker
        marker.unlink(missing_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HABERARA_TEST_PAUSE_AT": point,
            "HABERARA_TEST_PAUSE_MARKER": str(marker),
        }
        command = [sys.executable, "-m", "search", "reindex", "--docs", str(docs)]
        self.process = subprocess.Popen(
            [*command, "--index", str(index), "--json", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not marker.exists():
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                pytest.fail(f"reindex ended before pausing at {point}: {out}\n{err}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"reindex did not reach {point} within 60 s")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: no cleanup code in the reindex runs."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.communicate(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def resume(self) -> tuple[int, str, str]:
        self.marker.unlink()
        out, err = self.process.communicate(timeout=120)
        return self.process.returncode, out, err


@pytest.fixture
def paused_runs() -> Iterator[list[Paused]]:
    """Every paused reindex a test starts; any still running at the end is killed."""
    runs: list[Paused] = []
    yield runs
    for run in runs:
        if run.process.poll() is None:
            run.process.kill()
            run.process.communicate(timeout=30)


@contextlib.contextmanager
def serving(docs: Path, index: Path) -> Iterator[str]:
    """``haberara serve --no-reindex`` on a free loopback port; yields its base URL."""
    if importlib.util.find_spec("web.server") is None:
        pytest.skip("web/server.py is not there yet: the serve part cannot run")
    with serve(index, "--docs", str(docs), "--host", "127.0.0.1") as base:
        yield base


def api_ids(base: str, query: str = WORD) -> set[str]:
    response = requests.get(f"{base}/api/search", params={"q": query, "per_page": 100}, timeout=10)
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["results"]}


def wait_for_ids(base: str, expected: set[str], timeout: float = 15.0) -> set[str]:
    """The server's ids once they equal ``expected`` (it re-reads the index on its own)."""
    deadline = time.monotonic() + timeout
    while (found := api_ids(base)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A docs folder with ``BASE`` and its committed index, built by the real CLI."""
    docs = write_articles(tmp_path / "docs", BASE)
    index = tmp_path / "index"
    result = reindex_cli(docs, index)
    assert result.returncode == 0, result.stderr
    assert cli_search(index) == ids_of(BASE)
    return docs, index


def change_docs(docs: Path) -> None:
    """Add three articles, change one, remove one."""
    write_articles(docs, {**NEW, **CHANGED})
    (docs / REMOVED).unlink()


# --- SIGKILL at each point ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "full"),
    [
        ("reading", False),
        ("reading", True),
        ("writing", False),
        ("writing", True),
        ("committing", False),
        ("committing", True),
        ("swapping", True),
    ],
)
def test_reindex_killed_at_a_point_leaves_the_last_commit(
    folders, tmp_path: Path, paused_runs: list[Paused], point: str, full: bool
) -> None:
    docs, index = folders
    committed = ids_of(BASE)
    before = store.current_generation(index)
    with serving(docs, index) as base:
        assert api_ids(base) == committed
        change_docs(docs)
        run = Paused(docs, index, point, tmp_path / "paused", *(["--full"] if full else []))
        paused_runs.append(run)

        if point == "committing" and not full:  # the new segment is on disk, its TOC not yet
            named, present = segment_files(before)
            assert present - named, "the paused commit should have written a segment"
        if point == "committing" and full:  # the new generation has a segment, no TOC yet
            building = max(store.generations(index))
            named, present = segment_files(building)
            assert building != before and present and not named
        if point == "swapping":  # the new generation is committed but not current
            assert len(store.generations(index)) == 2
        run.kill()

        # the last committed index, unchanged: same generation, same ids, old content
        assert store.current_generation(index) == before
        assert cli_search(index) == committed
        assert cli_search(index, "arızayı") == {"2025/ankara-su"}
        assert cli_search(index, "doğalgaz") == set()
        assert api_ids(base) == committed

        # the next run completes and the index holds exactly the files on disk
        result = reindex_cli(docs, index, "--json", "--wait", "5")
        assert result.returncode == 0, result.stderr
        expected = ids_on_disk(docs)
        assert expected == (committed | ids_of(NEW)) - ids_of({REMOVED: ""})
        assert cli_search(index) == expected
        assert cli_search(index, "doğalgaz") == {"2025/ankara-su"}
        assert cli_search(index, "arızayı") == set()
        assert wait_for_ids(base, expected) == expected
    # nothing the killed run wrote is left: one generation, only the segments its TOC names
    current = store.current_generation(index)
    assert store.generations(index) == [current]
    named, present = segment_files(current)
    assert present == named
    assert not [p for p in current.iterdir() if p.is_dir()]


def test_reindex_killed_during_a_merge(folders, tmp_path: Path, paused_runs) -> None:
    """A reindex that adds an article commits it in a segment of its own, then copies the
    small segments into one; killed after the copy is written, before its TOC, it leaves
    the committed articles, the new one included, searchable, and the next run cleans up."""
    docs, index = folders
    generation = store.current_generation(index)
    named_before, _ = segment_files(generation)
    assert len(named_before) == 1
    write_articles(docs, {"2026/ek-son.txt": "Belediye son duyuruyu Giresun'dan yaptı.\n"})

    # the same run, to the end on a copy, does merge
    copy = tmp_path / "copy"
    shutil.copytree(index, copy)
    assert reindex_cli(docs, copy).returncode == 0
    merged, _ = segment_files(store.current_generation(copy))
    assert len(merged) == 1 and merged != named_before

    run = Paused(docs, index, "merging", tmp_path / "paused")
    paused_runs.append(run)
    named, present = segment_files(generation)
    assert len(named) == 2 and named_before < named  # the article's own segment committed
    assert present - named  # the merged segment written, its TOC not yet
    run.kill()
    assert cli_search(index) == ids_on_disk(docs)
    result = reindex_cli(docs, index)
    assert result.returncode == 0, result.stderr
    assert cli_search(index) == ids_on_disk(docs)
    named, present = segment_files(store.current_generation(index))
    assert named == present


# --- the lock ------------------------------------------------------------------------------


def test_second_reindex_waits_then_gives_up_clearly(folders, tmp_path: Path, paused_runs):
    docs, index = folders
    change_docs(docs)
    first = Paused(docs, index, "reading", tmp_path / "paused")
    paused_runs.append(first)

    started = time.monotonic()
    second = reindex_cli(docs, index, "--wait", "1")
    waited = time.monotonic() - started
    assert second.returncode == 3
    assert "another reindex" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert waited >= 1.0  # it did wait (a lower bound, not a speed claim)
    assert cli_search(index) == ids_of(BASE)  # the index is whole meanwhile

    code, out, err = first.resume()
    assert code == 0, err
    assert json.loads(out)["added"] == len(NEW)
    assert cli_search(index) == ids_on_disk(docs)


def test_second_reindex_runs_once_the_first_finishes(folders, tmp_path: Path, paused_runs):
    docs, index = folders
    change_docs(docs)
    first = Paused(docs, index, "reading", tmp_path / "paused")
    paused_runs.append(first)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    second = subprocess.Popen(
        [sys.executable, "-m", "search", "reindex", "--docs", str(docs), "--index", str(index),
         "--json", "--wait", "60"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        assert second.poll() is None  # waiting for the lock
        code, _, err = first.resume()
        assert code == 0, err
        out, err = second.communicate(timeout=120)
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate(timeout=30)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert report["unchanged"] == len(ids_on_disk(docs))  # one after the other, not together
    assert report["added"] == report["updated"] == report["removed"] == 0
    assert cli_search(index) == ids_on_disk(docs)


def test_stale_lock_of_a_killed_reindex_does_not_block(folders, tmp_path: Path, paused_runs):
    docs, index = folders
    change_docs(docs)
    run = Paused(docs, index, "reading", tmp_path / "paused")
    paused_runs.append(run)
    pid = run.process.pid
    run.kill()
    lock = index / store.LOCK_FILE
    assert lock.read_text().strip() == str(pid)  # the killed run's lock file is still there

    result = reindex_cli(docs, index, "--wait", "0")
    assert result.returncode == 0, result.stderr
    assert cli_search(index) == ids_on_disk(docs)


# --- disk full -----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, mounted for this test and unmounted after it."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root: cannot simulate a full disk")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def bulky_articles(count: int = 12, words: int = 30_000, seed: int = 7) -> dict[str, str]:
    """Long articles of made-up words: about 1.5 MB of index, several times the small disk."""
    rng = random.Random(seed)
    letters = "abcçdefgğhıijklmnoöprsştuüvyz"
    vocabulary = [
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 11))) for _ in range(2000)
    ]
    return {
        f"arsiv/cilt-{number:03d}.txt": f"Belediye arşivi {number}. "
        + " ".join(rng.choice(vocabulary) for _ in range(words))
        + ".\n"
        for number in range(count)
    }


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_disk_full_during_reindex(tmp_path: Path, small_disk: Path, full: bool) -> None:
    docs = write_articles(tmp_path / "docs", BASE)
    index = small_disk / "index"
    result = reindex_cli(docs, index)
    assert result.returncode == 0, result.stderr
    committed = ids_of(BASE)
    generation = store.current_generation(index)
    free_before = free_bytes(small_disk)

    bulky = bulky_articles()
    write_articles(docs, bulky)
    with serving(docs, index) as base:
        result = reindex_cli(docs, index, *(["--full"] if full else []))
        assert result.returncode == 3, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "disk is full" in result.stderr and "still searchable" in result.stderr

        # the previous index still serves, and nothing half-written is left behind
        assert store.current_generation(index) == generation
        assert store.generations(index) == [generation]
        named, present = segment_files(generation)
        assert named == present
        assert free_bytes(small_disk) >= free_before - 64 * 1024
        assert cli_search(index) == committed
        assert api_ids(base) == committed

        # with room again (the disk grown in place), the next run works
        grown = subprocess.run(
            ["mount", "-o", "remount,size=64m", str(small_disk)], capture_output=True, timeout=30
        )
        assert grown.returncode == 0, grown.stderr
        result = reindex_cli(docs, index, "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["added"] == len(bulky)
        assert cli_search(index) == ids_on_disk(docs)
        assert wait_for_ids(base, ids_on_disk(docs)) == ids_on_disk(docs)


def test_disk_full_then_space_freed(tmp_path: Path, small_disk: Path) -> None:
    """Another program fills the disk; the reindex fails clearly until space is freed."""
    docs = write_articles(tmp_path / "docs", BASE)
    index = small_disk / "index"
    assert reindex_cli(docs, index).returncode == 0
    filler = small_disk / "filler.bin"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        while True:  # until ENOSPC
            handle.write(b"\0" * 65536)
            handle.flush()
    write_articles(docs, NEW)
    result = reindex_cli(docs, index)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr
    assert cli_search(index) == ids_of(BASE)

    filler.unlink()
    result = reindex_cli(docs, index)
    assert result.returncode == 0, result.stderr
    assert cli_search(index) == ids_on_disk(docs) == ids_of(BASE) | ids_of(NEW)


# --- readers during swaps --------------------------------------------------------------------


def test_readers_see_whole_indexes_while_rebuilds_swap(tmp_path: Path) -> None:
    """Searches run non-stop in this process while another process alternates the folder
    between two sets of articles and rebuilds (``--full``, a generation swap each time) or
    updates in place: every search answers, and always with one whole set, never a mix."""
    from search.searching.searcher import Searcher

    docs = write_articles(tmp_path / "docs", BASE)
    index = tmp_path / "index"
    assert reindex_cli(docs, index).returncode == 0
    first, second = ids_of(BASE), ids_of(NEW)
    searcher = Searcher(index)
    seen: list[frozenset[str]] = []
    errors: list[str] = []
    stop = threading.Event()

    def search_forever() -> None:
        while not stop.is_set():
            try:
                page = searcher.search(WORD, per_page=100)
                seen.append(frozenset(hit.id for hit in page.results))
            except Exception as error:  # noqa: BLE001 - any exception is the failure
                errors.append(f"{type(error).__name__}: {error}")

    readers = [threading.Thread(target=search_forever) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for run in range(12):
            shutil.rmtree(docs)
            write_articles(docs, NEW if run % 2 == 0 else BASE)
            result = reindex_cli(docs, index, *(["--full"] if run % 3 else []))
            assert result.returncode == 0, result.stderr
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert errors == []
    assert len(seen) > 12
    assert set(seen) <= {frozenset(first), frozenset(second)}
    assert set(seen) == {frozenset(first), frozenset(second)}  # both states were served
