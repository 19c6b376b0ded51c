"""An index folder that is missing, empty, outdated or damaged: ``haberara search`` exits 3
with a sentence saying what to run (no traceback), ``Searcher`` raises the matching
:class:`~search.errors.HaberaraError`, a running server answers 503 with the same advice,
and ``haberara reindex --full`` rebuilds the index so searching works again."""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from whoosh.index import TOC

from conftest import haberara, serve, write_articles
from search.errors import HaberaraError, IndexCorrupt, IndexMissing, IndexOutdated
from search.searching.searcher import Searcher
from search.storage import store

ARTICLES = {
    "2025/malatya-kayisi.txt": (
        "title: Malatya'da kayısı hasadı başladı\ndate: 2025-06-28\ncategory: tarım\n\n"
        "Kayısı üreticileri hasat için bahçelere indi. Kooperatif, ihracatın artacağını "
        "söyledi.\n"
    ),
    "2025/edirne-kopru.txt": (
        " date 2025-08-03 Edirne'deki tarihi Meriç Köprüsü'nde bakım çalışması bitti. "
        "Köprü yeniden trafiğe açıldı.\n"
    ),
    "2026/hatay-mutfak.txt": (
        "title: Hatay mutfağı festivali\ncategory: kültür\n\nAntakya'daki festivalde "
        "künefe ustaları yarıştı.\n"
    ),
}
IDS = {name.removesuffix(".txt") for name in ARTICLES}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "docs", ARTICLES)


@pytest.fixture
def index(tmp_path: Path, docs: Path) -> Path:
    folder = tmp_path / "index"
    result = haberara("reindex", "--docs", str(docs), "--index", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def generation(index: Path) -> Path:
    current = store.current_generation(index)
    assert current is not None
    return current


def only(folder: Path, pattern: str) -> Path:
    (path,) = folder.glob(pattern)
    return path


def truncate_segment(index: Path) -> None:
    segment = only(generation(index), "*.trm")
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])


def delete_postings(index: Path) -> None:
    only(generation(index), "*.arr").unlink()


def garbage_toc(index: Path) -> None:
    only(generation(index), "_MAIN_*.toc").write_bytes(b"\x00garbage\xff" * 40)


def delete_toc(index: Path) -> None:
    only(generation(index), "_MAIN_*.toc").unlink()


def empty_segment(index: Path) -> None:
    only(generation(index), "*.trm").write_bytes(b"")


def delete_generation(index: Path) -> None:
    shutil.rmtree(generation(index))


def garbage_current(index: Path) -> None:
    (index / store.CURRENT_FILE).write_text("../../etc\n")


def delete_meta(index: Path) -> None:
    (generation(index) / store.META_FILE).unlink()


def flip(path: Path, at: float, count: int = 16) -> None:
    """Flip ``count`` bytes of ``path`` from the fraction ``at`` of its length on."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for offset in range(start, min(len(data), start + count)):
        data[offset] ^= 0xA5
    path.write_bytes(bytes(data))


def halve(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_dictionary(index: Path) -> None:
    flip(only(generation(index), "haberara-zdict-*.bin"), 0.5)


def truncate_dictionary(index: Path) -> None:
    halve(only(generation(index), "haberara-zdict-*.bin"))


def flip_stored_fields(index: Path) -> None:
    flip(only(generation(index), "*._stored.col"), 0.0)


def truncate_stored_fields(index: Path) -> None:
    halve(only(generation(index), "*._stored.col"))


def truncate_arrays(index: Path) -> None:
    halve(only(generation(index), "*.arr"))


def flip_ids(index: Path) -> None:
    flip(only(generation(index), "*.id.col"), 0.3)


#: Damage that left the index opening (and health checks answering) while every
#: search failed: what a search reads is now read when the index is opened.
UNREAD_DAMAGE: dict[str, Callable[[Path], None]] = {
    "stored-text dictionary flipped": flip_dictionary,
    "stored-text dictionary truncated": truncate_dictionary,
    "stored fields flipped": flip_stored_fields,
    "stored fields truncated": truncate_stored_fields,
    "arrays file truncated": truncate_arrays,
    "id column flipped": flip_ids,
}

DAMAGE: dict[str, Callable[[Path], None]] = {
    **UNREAD_DAMAGE,
    "truncated segment": truncate_segment,
    "empty segment": empty_segment,
    "segment's postings file missing": delete_postings,
    "garbage TOC": garbage_toc,
    "missing TOC": delete_toc,
    "generation deleted": delete_generation,
    "CURRENT garbage": garbage_current,
    "haberara.json missing": delete_meta,
}


def search_fails_clearly(index: Path, advice: str) -> str:
    result = haberara("search", "kayısı", "--index", str(index))
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ")
    assert advice in result.stderr
    return result.stderr


def rebuild_and_search(docs: Path, index: Path) -> None:
    result = haberara("reindex", "--full", "--docs", str(docs), "--index", str(index))
    assert result.returncode == 0, result.stderr
    found = haberara("search", "kayısı", "--index", str(index), "--json")
    assert found.returncode == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)["results"]] == ["2025/malatya-kayisi"]
    assert Searcher(index).search("köprü").results[0].id == "2025/edirne-kopru"
    # the swap keeps the replaced generation for readers until the next run removes it
    again = haberara("reindex", "--docs", str(docs), "--index", str(index))
    assert again.returncode == 0, again.stderr
    assert store.generations(index) == [generation(index)]
    ix = store.open_index(index)
    with ix.searcher() as searcher:
        assert {fields["id"] for fields in searcher.all_stored_fields()} == IDS


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_missing_or_empty_index(tmp_path: Path, docs: Path, state: str) -> None:
    index = tmp_path / "index"
    if state == "empty":
        index.mkdir()
    message = search_fails_clearly(
        index, f"run `haberara reindex --docs DIR --index {index}` first"
    )
    assert f"no index in {index}/" in message
    with pytest.raises(IndexMissing):
        Searcher(index)
    rebuild_and_search(docs, index)


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index(docs: Path, index: Path, damage: str) -> None:
    DAMAGE[damage](index)
    message = search_fails_clearly(
        index, f"run `haberara reindex --full --docs DIR --index {index}`"
    )
    assert f"index in {index}/ cannot be read" in message
    with pytest.raises(IndexCorrupt):
        Searcher(index)

    # an ordinary (incremental) reindex cannot repair it, and says what will
    result = haberara("reindex", "--docs", str(docs), "--index", str(index))
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "reindex --full" in result.stderr

    rebuild_and_search(docs, index)


def test_outdated_index(docs: Path, index: Path) -> None:
    meta = generation(index) / store.META_FILE
    meta.write_text(json.dumps({"analysis_version": 0}))
    search_fails_clearly(index, f"run `haberara reindex --full --docs DIR --index {index}`")
    with pytest.raises(IndexOutdated):
        Searcher(index)
    # a plain reindex notices and rebuilds it
    result = haberara("reindex", "--docs", str(docs), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    assert any("rebuilding it now" in w for w in json.loads(result.stdout)["warnings"])
    assert Searcher(index).search("künefe").results[0].id == "2026/hatay-mutfak"


def test_an_index_in_an_older_format_is_outdated_and_rebuilt(docs: Path, index: Path) -> None:
    """An index written before the postings and stored text took their present layout
    (its meta names no format) is refused with what to run, and a plain reindex
    rebuilds it."""
    meta = generation(index) / store.META_FILE
    written = json.loads(meta.read_text())
    del written["format"]
    meta.write_text(json.dumps(written))
    search_fails_clearly(index, f"run `haberara reindex --full --docs DIR --index {index}`")
    with pytest.raises(IndexOutdated, match="index format v1"):
        Searcher(index)
    result = haberara("reindex", "--docs", str(docs), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    assert any("rebuilding it now" in w for w in json.loads(result.stdout)["warnings"])
    assert Searcher(index).search("künefe").results[0].id == "2026/hatay-mutfak"


def test_index_path_is_a_file(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.write_text("not a folder")
    result = haberara("search", "kayısı", "--index", str(index))
    assert result.returncode == 2 and "is a file" in result.stderr  # a usage error
    assert "Traceback" not in result.stderr
    with pytest.raises(IndexMissing):
        Searcher(index)


def test_garbled_segment_bytes_give_results_or_index_corrupt(tmp_path: Path, index: Path):
    """Bytes flipped inside a segment (not truncated: whoosh has no checksums, so the index
    still opens). Each query must give results or IndexCorrupt, never another exception."""
    original = only(generation(index), "*.trm").read_bytes()
    queries = ["kayısı", "köprü", "Meriç Köprüsü", '"tarihi Meriç"', "kün*", "title:hasat"]
    unexpected = []
    for step in range(40):
        copy = tmp_path / f"copy-{step}"
        shutil.copytree(index, copy)
        data = bytearray(original)
        start = len(data) * step // 40
        for offset in range(start, min(len(data), start + 300)):
            data[offset] ^= 0xA5
        only(generation(copy), "*.trm").write_bytes(bytes(data))
        for query in queries:
            try:
                Searcher(copy).search(query)
            except HaberaraError:
                pass
            except Exception as error:  # noqa: BLE001 - any other kind is the failure
                unexpected.append(f"step {step}, {query!r}: {type(error).__name__}: {error}")
        shutil.rmtree(copy)
    assert unexpected == []


@pytest.mark.parametrize("damage", UNREAD_DAMAGE)
def test_health_reads_what_a_search_reads(docs: Path, index: Path, damage: str) -> None:
    if importlib.util.find_spec("web.server") is None:
        pytest.skip("web/server.py is not there yet")
    UNREAD_DAMAGE[damage](index)
    with serve(index, "--docs", str(docs)) as base:
        health = requests.get(f"{base}/healthz", timeout=10)
        search = requests.get(f"{base}/api/search", params={"q": "kayısı"}, timeout=10)
    assert (health.status_code, search.status_code) == (503, 503), (health.text, search.text)
    assert "reindex --full" in health.json()["message"]


def test_server_on_a_damaged_index_answers_503_then_serves_the_rebuild(
    docs: Path, index: Path
) -> None:
    if importlib.util.find_spec("web.server") is None:
        pytest.skip("web/server.py is not there yet")
    truncate_segment(index)
    with serve(index, "--docs", str(docs)) as base:
        response = requests.get(f"{base}/api/search", params={"q": "kayısı"}, timeout=10)
        assert response.status_code == 503
        assert "reindex --full" in response.json()["error"]["message"]
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 503

        rebuilt = haberara("reindex", "--full", "--docs", str(docs), "--index", str(index))
        assert rebuilt.returncode == 0, rebuilt.stderr
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = requests.get(f"{base}/api/search", params={"q": "kayısı"}, timeout=10)
            if response.status_code == 200:
                break
            time.sleep(0.1)
        assert response.status_code == 200, response.text
        assert [hit["id"] for hit in response.json()["results"]] == ["2025/malatya-kayisi"]


def test_an_open_overtaken_by_a_commit_opens_the_new_commit(
    docs: Path, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reindex committing in place removes the commit a reader has just found as the
    latest: the open retries on the new commit instead of calling the index damaged."""
    latest = TOC._latest_generation.__func__
    overtaken: list[int] = []

    def commit_after_finding(cls, storage, indexname: str) -> int:
        found = latest(cls, storage, indexname)
        if not overtaken:  # the first look only: the reindex below looks too
            overtaken.append(found)
            write_articles(docs, {"yeni.txt": "title: Yeni haber\n\nYeni bir haber geldi.\n"})
            result = haberara("reindex", "--docs", str(docs), "--index", str(index))
            assert result.returncode == 0, result.stderr
        return found

    monkeypatch.setattr(TOC, "_latest_generation", classmethod(commit_after_finding))
    opened = store.open_index(index)
    assert overtaken, "the open never looked for the latest commit"
    with opened.searcher() as searcher:
        assert searcher.doc_count() == len(ARTICLES) + 1
