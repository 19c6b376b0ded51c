"""``reindex PATH...``: an incremental run over named files and folders alone."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURE_ARTICLES, haberara, write_articles
from search.indexing import changes, filerecord
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.storage.store import current_generation, open_index

NEW_ARTICLE = "title: Yeni haber\n\nAnkara'daki toplantıya gazeteciler katıldı.\n"
OTHER_ARTICLE = "title: Başka haber\n\nAnkara'da yağmur bekleniyor.\n"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    stamp = time.time() - 3600  # files that sat in the archive
    for path in docs.rglob("*.txt"):
        os.utime(path, (stamp, stamp))
    reindex(docs, tmp_path / "index")
    return docs


def _ids(index: Path) -> set[str]:
    with open_index(index).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_only_the_named_folder_is_looked_at(tmp_path: Path, docs: Path) -> None:
    index = tmp_path / "index"
    write_articles(docs, {"2026/12/yeni.txt": NEW_ARTICLE, "spor/baska.txt": OTHER_ARTICLE})
    report = reindex(docs, index, paths=[docs / "2026"])
    assert (report.added, report.removed) == (1, 0)
    assert "2026/12/yeni" in _ids(index)
    assert "spor/baska" not in _ids(index)  # not named: not looked at
    page = Searcher(index).search("ankara toplantı")
    assert page.results[0].id == "2026/12/yeni"


def test_files_gone_from_a_named_folder_or_named_are_removed(tmp_path: Path, docs: Path) -> None:
    index = tmp_path / "index"
    (docs / "spor/derbi.txt").unlink()
    (docs / "ekonomi/secim.txt").unlink()
    report = reindex(docs, index, paths=[docs / "spor", docs / "ekonomi/secim.txt"])
    assert report.removed == 2
    assert {"spor/derbi", "ekonomi/secim"}.isdisjoint(_ids(index))
    assert len(_ids(index)) == len(FIXTURE_ARTICLES) - 2


def test_a_named_folder_that_is_gone_takes_its_articles_with_it(tmp_path: Path, docs: Path) -> None:
    index = tmp_path / "index"
    write_articles(docs, {"2026/12/yeni.txt": NEW_ARTICLE})
    reindex(docs, index, paths=[docs / "2026"])
    shutil.rmtree(docs / "2026")
    shutil.rmtree(docs / "spor")
    report = reindex(docs, index, paths=[docs / "2026/12", docs / "spor"])
    assert (report.removed, report.failed, report.not_found) == (2, [], [])
    assert {"2026/12/yeni", "spor/derbi"}.isdisjoint(_ids(index))
    assert len(_ids(index)) == len(FIXTURE_ARTICLES) - 1


def test_a_changed_named_file_is_updated_and_an_unchanged_one_kept(
    tmp_path: Path, docs: Path
) -> None:
    index = tmp_path / "index"
    izmir = docs / "2025/10/izmir-liman.txt"
    izmir.write_text(izmir.read_text(encoding="utf-8") + "\nEk paragraf.\n", encoding="utf-8")
    report = reindex(docs, index, paths=[izmir, docs / "spor/derbi.txt"])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert len(_ids(index)) == len(FIXTURE_ARTICLES)


def test_the_next_run_over_every_file_trusts_the_record(
    tmp_path: Path, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The named run appends its change to the file record, so the next run over the
    whole folder opens no file it has seen, the new one included."""
    index = tmp_path / "index"
    new = write_articles(docs, {"2026/yeni.txt": NEW_ARTICLE}) / "2026/yeni.txt"
    stamp = time.time() - 60
    os.utime(new, (stamp, stamp))
    reindex(docs, index, paths=[new])
    generation = current_generation(index)
    record = filerecord.load(generation, open_index(index).latest_generation())
    assert set(record.hashes) == _ids(index)
    opened: list[str] = []
    real_read = changes.read_file_bytes
    monkeypatch.setattr(
        changes, "read_file_bytes", lambda path, most: opened.append(path) or real_read(path, most)
    )
    report = reindex(docs, index)
    assert (report.unchanged, opened) == (len(FIXTURE_ARTICLES) + 1, [])


def test_a_path_outside_the_articles_folder_is_a_usage_error(tmp_path: Path, docs: Path) -> None:
    outside = write_articles(tmp_path / "elsewhere", {"a.txt": NEW_ARTICLE})
    result = haberara(
        "reindex", "--docs", str(docs), "--index", str(tmp_path / "index"), str(outside)
    )
    assert result.returncode == 2
    assert "not inside the articles folder" in result.stderr


def test_a_named_path_that_does_not_exist_and_held_nothing_is_named(
    tmp_path: Path, docs: Path
) -> None:
    index = tmp_path / "index"
    reindex(docs, index)
    typos = [docs / "spor/derbı.txt", docs / "spor-haberleri"]
    report = reindex(docs, index, paths=[*typos, docs / "spor"])
    assert report.not_found == [str(path) for path in typos]
    assert (report.removed, report.failed) == (0, [])
    assert len(_ids(index)) == len(FIXTURE_ARTICLES)


def test_the_command_says_a_named_path_does_not_exist(tmp_path: Path, docs: Path) -> None:
    index = tmp_path / "index"
    reindex(docs, index)
    typo = docs / "spor/derbı.txt"
    result = haberara("reindex", "--docs", str(docs), "--index", str(index), str(typo))
    assert result.returncode == 1
    assert f"error: {typo}: no such file or folder, and nothing indexed from it" in (result.stderr)


def test_swapped_or_shared_folders_are_refused_and_nothing_is_written(
    tmp_path: Path, docs: Path
) -> None:
    """``--docs INDEX --index ARTICLES`` would write the index's files among the articles."""
    index = tmp_path / "index"
    reindex(docs, index)
    articles_before = sorted(path.name for path in docs.rglob("*"))
    swapped = haberara("reindex", "--docs", str(index), "--index", str(docs), "--full")
    assert swapped.returncode == 2
    assert f"{index}/ holds an index, not articles: were --docs and --index swapped?" in (
        swapped.stderr
    )
    shared = haberara("reindex", "--docs", str(docs), "--index", str(docs))
    assert shared.returncode == 2
    assert f"the index folder {docs}/ is or holds the articles folder {docs}/" in shared.stderr
    assert sorted(path.name for path in docs.rglob("*")) == articles_before
    assert len(_ids(index)) == len(FIXTURE_ARTICLES)


def test_the_command_takes_paths(tmp_path: Path, docs: Path) -> None:
    write_articles(docs, {"2026/yeni.txt": NEW_ARTICLE, "spor/baska.txt": OTHER_ARTICLE})
    result = haberara(
        "reindex", "--docs", str(docs), "--index", str(tmp_path / "index"), str(docs / "2026")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 1, updated 0, removed 0, unchanged 0, failed 0")
