"""Incremental reindex and the ``haberara`` command, run as a real process."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURE_ARTICLES, haberara, write_articles
from search.errors import IndexWriteFailed
from search.indexing import build, changes, filerecord
from search.indexing import reindex as reindex_module
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.storage import store
from search.storage.store import open_index
from search.text.analysis import index_term, turkish_stem

NEW_ARTICLE = "title: Yeni haber\n\nAnkara'daki toplantıya gazeteciler katıldı.\n"


def indexed_ids(index_dir: Path) -> set[str]:
    searcher = Searcher(index_dir)
    page = searcher.search("toplantı OR deprem OR derbi OR ankara OR liman", per_page=100)
    return {hit.id for hit in page.results}


def test_counts_added_updated_removed_unchanged(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    index = tmp_path / "index"
    first = reindex(docs, index)
    assert (first.added, first.updated, first.removed, first.unchanged) == (5, 0, 0, 0)

    again = reindex(docs, index)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)

    (docs / "yeni.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (docs / "spor/derbi.txt").unlink()
    izmir = docs / "2025/10/izmir-liman.txt"
    izmir.write_text(izmir.read_text(encoding="utf-8") + "\nEk paragraf.\n", encoding="utf-8")
    changed = reindex(docs, index)
    assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (1, 1, 1, 3)
    assert "yeni" in indexed_ids(index)
    assert "spor/derbi" not in indexed_ids(index)


def test_a_reindex_leaves_no_build_words_in_the_process(tmp_path: Path) -> None:
    """``serve`` reindexes, then forks its workers: they must not inherit the build's
    word caches (tens of megabytes on a large archive)."""
    turkish_stem("toplantıya")
    report = reindex(write_articles(tmp_path / "docs", FIXTURE_ARTICLES), tmp_path / "index")
    assert report.added == len(FIXTURE_ARTICLES)
    assert index_term.cache_info().currsize == 0
    assert turkish_stem.cache_info().currsize == 0


def test_a_full_build_writes_each_article_before_reading_the_next_files(
    tmp_path: Path, monkeypatch
) -> None:
    """A large archive is never held in memory at once: the build hands each article to
    the index writer as it is read."""
    articles = {f"haber-{n:02}.txt": f"title: Haber {n}\n\nLimanda {n}. gemi.\n" for n in range(30)}
    docs = write_articles(tmp_path / "docs", articles)
    events: list[tuple[str, object]] = []
    document = build.article_document

    def noted(article):
        if article.id != "sample":  # the compression dictionary's samples
            events.append(("written", article.id))
        return document(article)

    monkeypatch.setattr(build, "article_document", noted)
    report = reindex(
        docs, tmp_path / "index", progress=lambda done, _: events.append(("read", done))
    )
    assert report.added == 30
    first_written = events.index(("written", "haber-00"))
    assert events[:first_written] == [("read", 1)]
    assert [e for e in events if e[0] == "written"] == [
        ("written", f"haber-{n:02}") for n in range(30)
    ]


def test_change_is_detected_by_content_not_mtime(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    index = tmp_path / "index"
    reindex(docs, index)
    derbi = docs / "spor/derbi.txt"
    stat = derbi.stat()
    derbi.write_text(derbi.read_text(encoding="utf-8").replace("golsüz", "gollü"), "utf-8")
    os.utime(derbi, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, new content
    touched = docs / "ekonomi/secim.txt"
    os.utime(touched, (time.time() + 60, time.time() + 60))  # new mtime, same content
    report = reindex(docs, index)
    assert (report.updated, report.unchanged) == (1, 4)
    assert Searcher(index).search("gollü").total == 1


def _age(docs: Path, seconds: float) -> None:
    """Date every article file ``seconds`` back, as files that sat in an archive."""
    stamp = time.time() - seconds
    for path in docs.rglob("*.txt"):
        os.utime(path, (stamp, stamp))


def _rewrite_keeping_size_time_inode(path: Path, old: str, new: str) -> None:
    """Change the file's words in place, keeping its size, modification time and inode
    (only the change time, which no program can set back, moves)."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    with open(path, "r+b") as handle:
        data = handle.read().replace(old.encode(), new.encode())
        handle.seek(0)
        handle.write(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_ino == info.st_ino


def _edit_record(generation: Path, **edits: object) -> None:
    """Rewrite arrays of the whole file record of ``generation`` (``commit``, ``taken``)."""
    path = generation / filerecord.RECORD_FILE
    with np.load(path) as arrays:
        data = {**dict(arrays), **edits}
    with open(path, "wb") as handle:
        np.savez(handle, **data)


def _record_value(generation: Path, name: str) -> float:
    with np.load(generation / filerecord.RECORD_FILE) as arrays:
        return arrays[name][0].item()


def write_legacy_record(index: Path, fields: int = 5) -> Path:
    """Put in place of the index's file record the gzip JSON one an earlier release wrote
    (its chain of changes applied), each read file's signature cut to ``fields - 1``
    values (4: the oldest, without change times); its path."""
    generation = store.current_generation(index)
    record = filerecord.load(generation, open_index(index).latest_generation())
    assert record.ids
    articles = {
        doc_id: [record.hashes[doc_id], *(record.signature_of(doc_id) or ())][:fields]
        for doc_id in record.ids
    }
    data = {"commit": record.commit, "taken": record.taken, "articles": articles}
    path = generation / filerecord.LEGACY_RECORD_FILE
    path.write_bytes(gzip.compress(json.dumps(data).encode("utf-8")))
    (generation / filerecord.RECORD_FILE).unlink()
    (generation / filerecord.CHANGES_FILE).unlink(missing_ok=True)
    return path


def _spy_on_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files a reindex opens from now on (the real reads still happen)."""
    opened: list[str] = []
    real_read = changes.read_file_bytes

    def read(path, max_bytes):
        opened.append(Path(path).name)
        return real_read(path, max_bytes)

    monkeypatch.setattr(changes, "read_file_bytes", read)
    return opened


def test_unchanged_files_are_trusted_without_being_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run opens no file whose size, times and inode are as recorded."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    assert (index / "g000001" / filerecord.RECORD_FILE).is_file()
    opened = _spy_on_reads(monkeypatch)
    report = reindex(docs, index)
    assert (report.unchanged, opened) == (5, [])
    os.chmod(docs / "ekonomi/secim.txt", 0o600)  # its change time moves, its words do not
    report = reindex(docs, index)
    assert (report.updated, report.unchanged, opened) == (0, 5, ["secim.txt"])


def test_an_edit_keeping_size_time_and_inode_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that restores the file's modification time (``touch -r``, a copy keeping
    times) and its size still moves its change time: the next run reads it."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    opened = _spy_on_reads(monkeypatch)
    _rewrite_keeping_size_time_inode(docs / "spor/derbi.txt", "golsüz", "gollüz")
    report = reindex(docs, index)
    assert (report.updated, report.unchanged, opened) == (1, 4, ["derbi.txt"])
    assert Searcher(index).search("gollüz").total == 1


def test_a_record_without_change_times_has_its_files_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record written before change times were kept (size, time and inode only) vouches
    for no file: each is read once, found unchanged, and trusted after that."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    write_legacy_record(index, fields=4)
    opened = _spy_on_reads(monkeypatch)
    assert reindex(docs, index).unchanged == 5
    assert len(opened) == 5
    assert reindex(docs, index).unchanged == 5
    assert len(opened) == 5


def test_files_written_just_before_a_run_are_read_again(tmp_path: Path) -> None:
    """A file modified within RACY_SECONDS of the run that recorded it may change again
    without its time changing, so the next run reads it."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    index = tmp_path / "index"
    reindex(docs, index)
    _rewrite_keeping_size_time_inode(docs / "spor/derbi.txt", "golsüz", "gollüz")
    report = reindex(docs, index)
    assert (report.updated, report.unchanged) == (1, 4)
    assert Searcher(index).search("gollüz").total == 1


def test_files_read_again_for_their_racy_window_are_trusted_after_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files written just before the run that recorded them are read again by the next
    run, which finds nothing changed; that run records them as it saw them, so the runs
    after it leave them unopened instead of reading them again each time."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)  # written just now
    index = tmp_path / "index"
    first = time.time()
    monkeypatch.setattr(filerecord, "now", lambda: first)
    reindex(docs, index)
    record = index / "g000001" / filerecord.RECORD_FILE
    written = record.read_bytes()
    monkeypatch.setattr(filerecord, "now", lambda: first + 0.5)
    assert reindex(docs, index).unchanged == 5  # still within their window: not recorded
    assert record.read_bytes() == written
    monkeypatch.setattr(filerecord, "now", lambda: first + 60)  # settled a minute later
    opened = _spy_on_reads(monkeypatch)
    assert reindex(docs, index).unchanged == 5
    assert len(opened) == 5
    assert reindex(docs, index).unchanged == 5
    assert len(opened) == 5


def test_files_settled_since_a_change_recorded_them_are_added_to_its_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file added just before a run is recorded within its racy window; the next run
    over the whole folder reads it again and, finding nothing else to do, records it as
    one more change rather than writing the whole record (which takes a second on a
    large archive, after every added file)."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    record = index / "g000001" / filerecord.RECORD_FILE
    written = record.read_bytes()
    first = time.time()
    monkeypatch.setattr(filerecord, "now", lambda: first)
    write_articles(docs, {"2026/yeni.txt": NEW_ARTICLES["2026/yeni.txt"]})
    assert reindex(docs, index).added == 1
    monkeypatch.setattr(filerecord, "now", lambda: first + 60)
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (6, ["yeni.txt"])
    assert record.read_bytes() == written
    assert (reindex(docs, index).unchanged, opened) == (6, ["yeni.txt"])


def test_an_edit_recorded_as_a_change_is_trusted_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article edited and reindexed by its path is recorded as a change to the whole
    record: the next runs over the whole folder take its new hash and signature from it
    (so the edit undone is seen as one)."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    edited = docs / "spor/derbi.txt"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original.replace("golsüz", "gollüz"), "utf-8")
    os.utime(edited, (time.time() - 600, time.time() - 600))
    assert reindex(docs, index, paths=[edited]).updated == 1
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (5, [])
    assert Searcher(index).search("gollüz").total == 1
    edited.write_text(original, "utf-8")
    os.utime(edited, (time.time() - 300, time.time() - 300))
    assert (reindex(docs, index).updated, opened) == (1, ["derbi.txt"])
    assert "golsüz" in Searcher(index).article("spor/derbi").body


def test_an_article_added_then_removed_by_path_leaves_the_record_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two changes along the record's chain, one adding an article and one removing it:
    the next run over the whole folder still trusts every other file's record."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    write_articles(docs, {"2026/yeni.txt": NEW_ARTICLES["2026/yeni.txt"]})
    assert reindex(docs, index, paths=[docs / "2026/yeni.txt"]).added == 1
    (docs / "2026/yeni.txt").unlink()
    assert reindex(docs, index, paths=[docs / "2026/yeni.txt"]).removed == 1
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (5, [])


def test_a_damaged_or_stale_file_record_is_not_trusted(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    generation = index / "g000001"
    commit = _record_value(generation, "commit")  # as if the run was killed between its
    _edit_record(generation, commit=np.array([commit - 1]))  # commit and its record
    _rewrite_keeping_size_time_inode(docs / "spor/derbi.txt", "golsüz", "gollüz")
    assert reindex(docs, index).updated == 1
    (generation / filerecord.RECORD_FILE).write_bytes(b"PK\x03\x04 damaged")
    _rewrite_keeping_size_time_inode(docs / "spor/derbi.txt", "gollüz", "golsüy")
    assert reindex(docs, index).updated == 1
    assert Searcher(index).search("golsüy").total == 1


NEW_ARTICLES = {
    "2026/yeni.txt": "title: Yeni haber\n\nAnkara'daki toplantıya gazeteciler katıldı.\n",
    "2026/baska.txt": "title: Başka haber\n\nAnkara'da yağmur bekleniyor.\n",
}


def _add_aged(docs: Path, name: str) -> None:
    write_articles(docs, {name: NEW_ARTICLES[name]})
    stamp = time.time() - 60
    os.utime(docs / name, (stamp, stamp))


def _indexed_aged(tmp_path: Path) -> tuple[Path, Path, Path, bytes]:
    """The fixture articles, an hour old, indexed: their folder, the index, its generation
    and the bytes of its whole file record."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 3600)
    index = tmp_path / "index"
    reindex(docs, index)
    generation = store.current_generation(index)
    return docs, index, generation, (generation / filerecord.RECORD_FILE).read_bytes()


def test_a_run_over_the_folder_that_adds_a_file_appends_to_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a file records it as a change: the record of every file is not written
    again, and the next runs still open no file they have seen, nor one removed."""
    docs, index, generation, whole = _indexed_aged(tmp_path)
    _add_aged(docs, "2026/yeni.txt")
    assert reindex(docs, index).added == 1
    assert (generation / filerecord.RECORD_FILE).read_bytes() == whole
    assert (generation / filerecord.CHANGES_FILE).is_file()
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (6, [])
    (docs / "spor/derbi.txt").unlink()
    assert reindex(docs, index).removed == 1
    record = filerecord.load(generation, open_index(index).latest_generation())
    assert set(record.hashes) == set(indexed_ids(index)) and len(record.hashes) == 5
    assert (reindex(docs, index).unchanged, opened) == (5, [])
    assert (generation / filerecord.RECORD_FILE).read_bytes() == whole


def test_a_long_chain_of_changes_is_written_as_a_whole_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reindex_module, "CHAINED_ARTICLES", 1)
    docs, index, generation, whole = _indexed_aged(tmp_path)
    _add_aged(docs, "2026/yeni.txt")
    reindex(docs, index)
    assert (generation / filerecord.RECORD_FILE).read_bytes() == whole  # one: a change
    _add_aged(docs, "2026/baska.txt")
    reindex(docs, index)
    assert (generation / filerecord.RECORD_FILE).read_bytes() != whole
    assert not (generation / filerecord.CHANGES_FILE).exists()
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (7, [])


def test_a_file_recorded_by_a_change_is_judged_racy_by_that_run_s_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written a minute ago and recorded by a change is trusted next time, though
    the whole record was written (``taken``) an hour before it; one written just before
    the run that recorded it is read again."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    _age(docs, 7200)
    index = tmp_path / "index"
    reindex(docs, index)
    generation = store.current_generation(index)
    taken = _record_value(generation, "taken")  # the whole record was written an hour ago
    _edit_record(generation, taken=np.array([taken - 3600]))
    _add_aged(docs, "2026/yeni.txt")
    write_articles(docs, {"2026/baska.txt": NEW_ARTICLES["2026/baska.txt"]})  # just now
    assert reindex(docs, index).added == 2
    opened = _spy_on_reads(monkeypatch)
    assert (reindex(docs, index).unchanged, opened) == (7, ["baska.txt"])


def test_full_rebuild_reindexes_everything(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    index = tmp_path / "index"
    reindex(docs, index)
    report = reindex(docs, index, full=True)
    assert (report.added, report.unchanged) == (5, 0)
    assert len(indexed_ids(index)) == 5


def test_rejected_file_is_named_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", {**FIXTURE_ARTICLES, "bos.txt": "  \n"})
    (docs / "ikili.txt").write_bytes(b"title: x\n\n\x00\x01\x02")
    result = haberara("reindex", "--docs", str(docs), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert f"error: {docs / 'bos.txt'}: empty file" in result.stderr
    assert f"error: {docs / 'ikili.txt'}: binary file" in result.stderr
    assert "added 5, updated 0, removed 0, unchanged 0, failed 2 in" in result.stdout
    assert len(indexed_ids(tmp_path / "index")) == 5


def test_json_report(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", {**FIXTURE_ARTICLES, "bos.txt": ""})
    result = haberara("reindex", "--json", "--docs", str(docs), "--index", str(tmp_path / "i"))
    report = json.loads(result.stdout)
    assert set(report) == {"added", "updated", "removed", "unchanged", "failed", "warnings",
                           "not_found", "seconds"}  # fmt: skip
    assert report["added"] == 5
    assert report["failed"] == [{"path": str(docs / "bos.txt"), "reason": "empty file"}]
    assert any("title derived" in warning for warning in report["warnings"])


def test_missing_docs_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = haberara("reindex", "--docs", str(tmp_path / "yok"), "--index", str(tmp_path / "i"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_environment_sets_the_folders(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    env = {"HABERARA_DOCS": str(docs), "HABERARA_INDEX": str(tmp_path / "index")}
    assert haberara("reindex", env=env).returncode == 0
    result = haberara("search", "--json", "toplantı", env=env)
    assert result.returncode == 0
    assert json.loads(result.stdout)["total"] == 3


def test_search_command_names_a_phrase_searched_as_its_words(index_dir: Path) -> None:
    result = haberara("search", '"konseyi güvenlik"', "--index", str(index_dir))
    assert result.returncode == 0
    assert "no article has the phrase 'konseyi güvenlik'; its words were searched" in (
        result.stdout
    )
    exact = haberara("search", '"güvenlik konseyi"', "--index", str(index_dir))
    assert "no article has the phrase" not in exact.stdout


def test_search_command_names_a_one_letter_prefix(index_dir: Path) -> None:
    result = haberara("search", "toplantı b*", "--index", str(index_dir))
    assert result.returncode == 0
    expected = "'b*': a prefix needs two letters or more; 'b' was searched as a word"
    assert expected in result.stdout
    assert "a prefix needs" not in haberara("search", "bi*", "--index", str(index_dir)).stdout


def test_search_command_names_the_words_an_article_lacks(index_dir: Path) -> None:
    result = haberara("search", "liman zzzzyok", "--index", str(index_dir))
    assert result.returncode == 0
    assert "   missing: zzzzyok" in result.stdout
    assert "(fewer than 10 articles have every word; articles with some of them added)" in (
        result.stdout
    )
    assert "missing:" not in haberara("search", "liman", "--index", str(index_dir)).stdout


def test_search_command_takes_a_query_that_starts_with_an_exclusion(index_dir: Path) -> None:
    """``-derbi`` is the query language's exclusion, not an option of the command."""
    result = haberara("search", "-derbi toplantı", "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert "results for '-derbi toplantı'" in result.stdout
    assert "spor/derbi" not in result.stdout and "2025/10/izmir-liman" in result.stdout


def test_search_command_prints_ranked_results(index_dir: Path) -> None:
    result = haberara("search", "biskek", "--index", str(index_dir))
    assert result.returncode == 0
    assert "1 result for 'biskek'" in result.stdout
    assert "Bişkek'teki" in result.stdout
    as_json = json.loads(haberara("search", "biskek", "--json", "--index", str(index_dir)).stdout)
    assert as_json["query"] == "biskek"
    assert "<mark>Bişkek'teki</mark>" in as_json["results"][0]["title_html"]
    assert as_json["results"][0]["id"] == "2025/09/biskek-zirvesi"
    assert set(as_json["results"][0]) == {"id", "title", "title_html", "title_derived", "date",
                                          "category", "source", "url", "score",
                                          "snippet", "missing"}  # fmt: skip


def test_search_without_index_exits_with_advice(tmp_path: Path) -> None:
    result = haberara("search", "toplantı", "--index", str(tmp_path / "yok"))
    assert result.returncode == 3
    assert "haberara reindex" in result.stderr
    assert "Traceback" not in result.stderr


def test_bundled_sample_articles_index_cleanly(tmp_path: Path) -> None:
    from conftest import ROOT

    report = reindex(ROOT / "articles", tmp_path / "index")
    assert report.failed == []
    assert report.added >= 12


def test_a_build_worker_that_dies_leaves_the_last_index_serving(
    tmp_path: Path, monkeypatch
) -> None:
    """A worker killed mid-build (out of memory, say) fails the run with a clear message;
    the index built before stays current and searchable, and no new generation is left."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    reindex(docs, tmp_path / "index")
    before = store.current_generation(tmp_path / "index")
    monkeypatch.setattr(build, "PARALLEL_BUILD_FROM", 1)
    monkeypatch.setattr(build, "usable_cores", lambda: 2)
    monkeypatch.setattr(build, "_build_part", lambda *args: os._exit(9))
    with pytest.raises(IndexWriteFailed, match="worker process ended unexpectedly.*unchanged"):
        reindex(docs, tmp_path / "index", full=True)
    assert store.current_generation(tmp_path / "index") == before
    assert [path for path in (tmp_path / "index").iterdir() if path.is_dir()] == [before]
    assert Searcher(tmp_path / "index").search("biskek").results[0].id == "2025/09/biskek-zirvesi"


def test_parallel_full_build_indexes_everything(tmp_path: Path, monkeypatch) -> None:
    """Large archives are built by a worker process per core, each reading every n-th
    file into segments of its own, which are then merged; force it on a small one."""
    import search.storage.segmentmerge as segmentmerge

    monkeypatch.setattr(build, "PARALLEL_BUILD_FROM", 1)
    monkeypatch.setattr(build, "SEGMENT_ARTICLES", 40)
    monkeypatch.setattr(segmentmerge, "COPIED_ARTICLES", 100)
    monkeypatch.setattr(build, "usable_cores", lambda: 4)
    more = {
        f"kisa/haber-{number}.txt": f"Kısa haber {number}: meclis toplandı.\n"
        for number in range(300)
    }
    broken = {"kisa/bos.txt": "", "kisa/haber-7.TXT": "Aynı kimlik.\n"}
    docs = write_articles(tmp_path / "docs", {**FIXTURE_ARTICLES, **more, **broken})
    seen: list[tuple[int, int]] = []
    report = reindex(docs, tmp_path / "index", full=True, progress=lambda *done: seen.append(done))
    assert report.added == 305
    failed = {Path(failure.path).name for failure in report.failed}
    assert failed == {"bos.txt", "haber-7.txt"}  # of two names with one id, the later
    assert seen[-1] == (306, 306)  # every file but the repeated id, read in the workers
    segments = open_index(tmp_path / "index")._segments()
    assert len(segments) >= 305 // 100  # merged up to 100 articles; one build dictionary
    assert all(segment.doc_count() <= 100 for segment in segments)
    assert max(segment.doc_count() for segment in segments) > 40
    assert len({segment.codec().zdict_name for segment in segments}) == 1
    assert changes.file_record(open_index(tmp_path / "index")).hashes.keys() == {
        name.removesuffix(".txt") for name in {**FIXTURE_ARTICLES, **more}
    }
    with open_index(tmp_path / "index").searcher() as searcher:
        stored_ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert sorted(stored_ids) == sorted(
        name.removesuffix(".txt") for name in {**FIXTURE_ARTICLES, **more}
    )
    assert Searcher(tmp_path / "index").search("biskek").results[0].id == "2025/09/biskek-zirvesi"
