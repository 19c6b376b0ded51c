"""The file record: an earlier release's record still read, and the comparison of a whole
folder with it (all files at once) finding what reading them one by one finds."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from test_reindex import (
    NEW_ARTICLES,
    _add_aged,
    _age,
    _rewrite_keeping_size_time_inode,
    _spy_on_reads,
    write_legacy_record,
)

from conftest import FIXTURE_ARTICLES, write_articles
from search.articles import article_id, scan_article_files
from search.indexing import changes, filerecord, listing
from search.indexing.recordfile import NO_SIGNATURE
from search.indexing.reindex import reindex
from search.indexing.workers import run_shares
from search.searching.searcher import Searcher
from search.storage import store


def _indexed(root: Path) -> tuple[Path, Path]:
    docs = write_articles(root / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = root / "index"
    reindex(docs, index)
    return docs, index


def test_an_earlier_release_s_record_is_trusted_then_written_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index whose record is the gzip JSON of an earlier release needs no rebuild: its
    files are trusted, and the first run writes the record in the current format."""
    docs, index = _indexed(tmp_path)
    legacy = write_legacy_record(index)
    generation = legacy.parent
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (5, [])
    assert not legacy.exists() and (generation / filerecord.RECORD_FILE).is_file()
    assert (reindex(docs, index).unchanged, opened) == (5, [])


def test_a_change_recorded_on_an_earlier_release_s_record_is_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A named run appends its change to the earlier release's record; the next run over
    the whole folder trusts both, and a whole-folder run that adds a file writes the
    record anew."""
    docs, index = _indexed(tmp_path)
    legacy = write_legacy_record(index)
    _add_aged(docs, "2026/yeni.txt")
    assert reindex(docs, index, paths=[docs / "2026/yeni.txt"]).added == 1
    assert legacy.exists() and (legacy.parent / filerecord.CHANGES_FILE).is_file()
    opened = _spy_on_reads(monkeypatch)
    _add_aged(docs, "2026/baska.txt")
    assert (reindex(docs, index).added, opened) == (1, ["baska.txt"])
    assert not legacy.exists()
    assert (reindex(docs, index).unchanged, opened) == (7, ["baska.txt"])


def _changed_folder(root: Path) -> tuple[Path, Path]:
    """An indexed folder, then: a file added, one edited in place (same size, times and
    inode: only its change time moves), one chmod'ed, one deleted, one renamed, one that
    was written just before the last run (racy), and a second file for an id."""
    docs, index = _indexed(root)
    write_articles(docs, {"2026/baska.txt": NEW_ARTICLES["2026/baska.txt"]})
    reindex(docs, index)  # records it within its racy window
    _add_aged(docs, "2026/yeni.txt")
    _rewrite_keeping_size_time_inode(docs / "spor/derbi.txt", "golsüz", "gollüz")
    os.chmod(docs / "saglik/deprem-tatbikati.txt", 0o600)
    (docs / "2025/09/biskek-zirvesi.txt").unlink()
    os.rename(docs / "2025/10/izmir-liman.txt", docs / "2025/10/izmir.txt")
    (docs / "ekonomi/secim.TXT").write_bytes((docs / "ekonomi/secim.txt").read_bytes())
    return docs, index


def _outcome(docs: Path, index: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    opened = _spy_on_reads(monkeypatch)
    report = reindex(docs, index)
    failed = sorted((Path(f.path).name, f.reason) for f in report.failed)
    counts = (report.added, report.updated, report.removed, report.unchanged)
    record = filerecord.load(
        store.current_generation(index), store.open_index(index).latest_generation()
    )
    return (
        counts,
        sorted(opened),
        failed,
        sorted(record.ids),
        Searcher(index).search("gollüz").total,
    )


def test_the_whole_folder_compared_at_once_finds_what_one_by_one_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_once = _outcome(*_changed_folder(tmp_path / "at-once"), monkeypatch)
    with monkeypatch.context() as one_by_one:
        one_by_one.setattr(changes, "trust_unchanged", lambda paths, reading: paths)
        each = _outcome(*_changed_folder(tmp_path / "one-by-one"), one_by_one)
    with monkeypatch.context() as forked:
        forked.setattr(listing, "_stat_procs", lambda count: 3)
        shared = _outcome(*_changed_folder(tmp_path / "shared"), forked)
    assert at_once == each == shared
    counts, opened, failed, ids, found = at_once
    assert counts == (2, 1, 2, 3)  # secim.TXT is read first: as secim, unchanged
    assert opened == sorted(
        ["yeni.txt", "derbi.txt", "deprem-tatbikati.txt", "izmir.txt", "baska.txt", "secim.TXT"]
    )
    assert [name for name, _ in failed] == ["secim.txt"]
    assert "same article id" in failed[0][1]
    assert found == 1 and "2025/09/biskek-zirvesi" not in ids and "2025/10/izmir" in ids


def test_the_listed_files_ids_are_made_as_one_file_s_id_is(tmp_path: Path) -> None:
    """Ids made from one joined text: composed (NFC) as each file's own, whatever the
    case of ``.txt``, below the folder however it was named."""
    decomposed = "s\u0327ehir"  # ``şehir`` as macOS writes a name
    docs = write_articles(
        tmp_path / "docs",
        {f"2025/{decomposed}.txt": "a", "2025/Kıs.TXT": "b", "yeni.txt": "c", "ç/ğ/ü.txt": "d"},
    )
    for folder in (docs, Path(f"{docs}/"), tmp_path / "docs" / "." / ".." / "docs"):
        paths, _ = scan_article_files(folder)
        ids = listing.article_ids(paths, folder)
        assert ids == [article_id(path, folder) for path in paths]
        assert "2025/şehir" in ids and "ç/ğ/ü" in ids and "2025/Kıs" in ids
    assert listing.article_ids([], docs) == []


def test_files_stat_ed_in_several_processes_have_one_process_s_signatures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = write_articles(tmp_path / "docs", {f"{n:02}.txt": "x" * n for n in range(1, 8)})
    paths = sorted(os.fspath(path) for path in docs.iterdir()) + [os.fspath(docs / "yok.txt")]
    alone = listing.signatures(paths)
    workers = []

    def counted_shares(task, shares, progress=None):
        workers.append(len(shares))
        return run_shares(task, shares, progress)

    monkeypatch.setattr(listing, "run_shares", counted_shares)
    monkeypatch.setattr(listing, "_stat_procs", lambda count: 3)
    shared = listing.signatures(paths)
    assert workers == [3] and shared.shape == (8, 4)
    assert shared.tolist() == alone.tolist()
    assert shared[:, 0].tolist() == [1, 2, 3, 4, 5, 6, 7, NO_SIGNATURE]


def test_the_record_is_written_deflated(tmp_path: Path) -> None:
    """Every array of the record is deflated: stored as they are, the ids and hashes took
    twice the room of the earlier gzip JSON, and the index outgrew its size goal."""
    _, index = _indexed(tmp_path)
    record = store.current_generation(index) / filerecord.RECORD_FILE
    with zipfile.ZipFile(record) as archive:
        members = archive.infolist()
    assert {member.filename for member in members} >= {"ids.npy", "hashes.npy"}
    assert all(member.compress_type == zipfile.ZIP_DEFLATED for member in members)
