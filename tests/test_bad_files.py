"""Bad files in the articles folder never stop a reindex: each is reported with its path and
a reason in the report's ``failed`` (exit 1), and every good file is still indexed.

Covers files that change, grow or vanish between listing and reading (made deterministic by
the indexer's test-only pause hook), a file rewritten while reindexes run, unreadable files
and folders (as a non-root user), symlink loops, broken links, named pipes, Turkish names
with spaces, names that are not UTF-8, 10,000 files in one folder, and a 5 MB + 1 byte file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, haberara, write_articles
from search.articles import DEFAULT_MAX_BYTES
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.storage import store
from search.storage.schema import indexed_hash

GOOD = {
    "2025/van-golu.txt": (
        "title: Van Gölü'nde inci kefali göçü başladı\ndate: 2025-04-20\n\n"
        "İnci kefalleri Erciş'teki derelere ulaştı; balıkçılar av yasağına uyuyor.\n"
    ),
    "2025/rize-cay.txt": (
        " date 2025-05-12 Rize'de yaş çay alımı başladı. Üreticiler kooperatif önünde "
        "sıraya girdi.\n"
    ),
    "Doğu Anadolu/Ağrı Dağı'nda kar.txt": (
        "title: Ağrı Dağı'nda mevsimin ilk karı\n\nDoğubayazıt'tan görülen zirve beyaza büründü.\n"
    ),
    "Şişli'de yangın.txt": (
        "title: Şişli'de iş hanında yangın\n\nİtfaiye ekipleri Şişli'deki yangını kısa "
        "sürede söndürdü; yaralanan olmadı.\n"
    ),
}


def run_json(docs: Path, index: Path, *args: str, **kwargs) -> tuple[int, dict, str]:
    """``haberara reindex --json`` in its own process: (exit code, report, stderr)."""
    result = haberara(
        "reindex", "--docs", str(docs), "--index", str(index), "--json", *args, **kwargs
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def failed_by_name(report: dict, docs: Path) -> dict[str, str]:
    """``{path relative to docs: reason}`` of the report's failed files."""
    prefix = str(docs) + os.sep
    return {entry["path"].removeprefix(prefix): entry["reason"] for entry in report["failed"]}


def indexed_hashes(index: Path) -> dict[str, str]:
    """``{id: content sha1}`` straight from the index."""
    ix = store.open_index(index)
    with ix.reader() as reader:
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        return {_text(ids[docnum]): indexed_hash(hashes[docnum]) for docnum in reader.all_doc_ids()}


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def disk_hashes(docs: Path) -> dict[str, str]:
    return {
        path.relative_to(docs).as_posix().removesuffix(".txt"): hashlib.sha1(
            path.read_bytes()
        ).hexdigest()
        for path in docs.rglob("*.txt")
        if path.is_file()
    }


def cli_search(index: Path, query: str) -> set[str]:
    result = haberara("search", query, "--index", str(index), "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    return {hit["id"] for hit in json.loads(result.stdout)["results"]}


# --- odd entries in the folder -------------------------------------------------------------


def test_odd_entries_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", GOOD)
    os.mkfifo(docs / "boru.txt")  # a named pipe: reading it would block forever
    (docs / "kirik.txt").symlink_to(tmp_path / "yok.txt")  # broken link
    (docs / "dongu.txt").symlink_to(docs / "dongu.txt")  # a link to itself
    (docs / "2025" / "geri").symlink_to(docs, target_is_directory=True)  # a folder loop
    write_articles(docs, {"bos.txt": "", "ikili.txt": b"\x00\x01\x02PNG\x00"})
    (docs / "büyük.txt").write_bytes(b"a" * (DEFAULT_MAX_BYTES + 1))
    latin = os.fsdecode(b"Kad\xfdk\xf6y.txt")  # "Kadıköy" in cp1254: not a UTF-8 name
    (docs / latin).write_text("Kadıköy'de pazar kuruldu.\n", encoding="utf-8")

    code, report, stderr = run_json(docs, tmp_path / "index", timeout=120)

    assert code == 1
    failed = failed_by_name(report, docs)
    assert failed.keys() == {
        "boru.txt", "kirik.txt", "dongu.txt", "bos.txt", "ikili.txt", "büyük.txt",
        "Kad\\xfdk\\xf6y.txt",
    }  # fmt: skip
    assert "named pipe" in failed["boru.txt"]
    assert "broken symbolic link" in failed["kirik.txt"]
    assert "link loop" in failed["dongu.txt"]
    assert failed["bos.txt"] == "empty file"
    assert "binary" in failed["ikili.txt"]
    assert f"{DEFAULT_MAX_BYTES + 1:,} bytes" in failed["büyük.txt"]
    assert "--max-bytes" in failed["büyük.txt"]
    assert "not valid UTF-8" in failed["Kad\\xfdk\\xf6y.txt"]
    for name, reason in failed.items():
        assert f"error: {docs}/{name}: {reason}" in stderr

    good_ids = {name.removesuffix(".txt") for name in GOOD}
    assert report["added"] == len(good_ids)
    assert set(indexed_hashes(tmp_path / "index")) == good_ids  # no loop duplicates either
    assert cli_search(tmp_path / "index", "Şişli") == {"Şişli'de yangın"}
    assert cli_search(tmp_path / "index", "sisli") == {"Şişli'de yangın"}
    assert cli_search(tmp_path / "index", "Ağrı") == {"Doğu Anadolu/Ağrı Dağı'nda kar"}


def test_a_name_in_decomposed_unicode_gets_the_composed_id(tmp_path: Path) -> None:
    decomposed = "Bis\u0327kek'te zirve.txt"  # ş as s + combining cedilla, as macOS names files
    docs = write_articles(tmp_path / "docs", {decomposed: GOOD["Şişli'de yangın.txt"]})
    code, report, _ = run_json(docs, tmp_path / "index")
    assert code == 0 and report["added"] == 1
    assert cli_search(tmp_path / "index", "Şişli") == {"Bişkek'te zirve"}
    assert Searcher(tmp_path / "index").article("Bişkek'te zirve") is not None


def test_two_files_with_one_article_id_index_the_first_and_name_the_second(
    tmp_path: Path,
) -> None:
    text = GOOD["2025/van-golu.txt"]
    docs = write_articles(
        tmp_path / "docs",
        {"haber.txt": text, "haber.TXT": text, "Şişli.txt": text, "S\u0327is\u0327li.txt": text},
    )
    code, report, _ = run_json(docs, tmp_path / "index")
    assert code == 1 and report["added"] == 2
    failed = failed_by_name(report, docs)
    assert set(failed) == {"haber.txt", "Şişli.txt"}  # sorted by name: the later ones
    assert all("same article id" in reason for reason in failed.values())
    assert cli_search(tmp_path / "index", "inci kefali") == {"haber", "Şişli"}


def test_a_newline_in_a_file_name_stays_on_its_error_line(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", {"kötü\nerror: sahte.txt": "", **GOOD})
    result = haberara("reindex", "--docs", str(docs), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {docs}/kötü\\x0aerror: sahte.txt: the file name holds")


def test_size_limit_boundary(tmp_path: Path) -> None:
    exact = "Belediye Kayseri'de su kesintisi yaptı. ".encode() * 24
    exact += b"." * (1000 - len(exact))  # exactly the limit
    docs = write_articles(tmp_path / "docs", {"tam.txt": exact, "fazla.txt": exact + b"."})
    code, report, _ = run_json(docs, tmp_path / "index", "--max-bytes", "1000")
    assert code == 1 and report["added"] == 1
    assert failed_by_name(report, docs) == {
        "fazla.txt": "file is 1,001 bytes, over the 1,000-byte limit (set max_bytes / --max-bytes)"
    }


# --- files that change, grow or vanish during the run ---------------------------------------


class PausedReading:
    """A reindex stopped after reading its first file (sorted order): ``a-ilk.txt``."""

    def __init__(self, docs: Path, index: Path, marker: Path, *args: str) -> None:
        self.marker = marker
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HABERARA_TEST_PAUSE_AT": "reading",
            "HABERARA_TEST_PAUSE_MARKER": str(marker),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "search", "reindex", "--docs", str(docs), "--index",
             str(index), "--json", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not marker.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                out, err = self.process.communicate(timeout=30)
                pytest.fail(f"reindex did not pause while reading: {out}\n{err}")
            time.sleep(0.02)

    def resume(self) -> tuple[int, dict, str]:
        self.marker.unlink()
        try:
            out, err = self.process.communicate(timeout=60)  # a hang here is the bug
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.communicate(timeout=30)
        assert "Traceback" not in err, err
        return self.process.returncode, json.loads(out), err


FIRST = {"a-ilk.txt": "Belediye ilk duyuruyu Kütahya'dan yaptı.\n"}


def test_files_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    docs = write_articles(
        tmp_path / "docs",
        {**FIRST, "m-eski.txt": "Belediye Manisa'da eski çarşıyı onardı.\n"},
    )
    index = tmp_path / "index"
    assert run_json(docs, index)[0] == 0
    write_articles(docs, {"n-yeni.txt": "Belediye Niğde'de yeni park açtı.\n"})

    paused = PausedReading(docs, index, tmp_path / "paused")
    (docs / "m-eski.txt").unlink()  # indexed before, gone now
    (docs / "n-yeni.txt").unlink()  # listed as new, gone before it was read
    code, report, _ = paused.resume()

    assert code == 1
    failed = failed_by_name(report, docs)
    assert failed == {
        "m-eski.txt": "file disappeared while reindexing (deleted or renamed)",
        "n-yeni.txt": "file disappeared while reindexing (deleted or renamed)",
    }
    assert indexed_hashes(index) == disk_hashes(docs)  # the deleted article is gone


def test_files_changed_between_listing_and_reading(tmp_path: Path) -> None:
    docs = write_articles(
        tmp_path / "docs",
        {
            **FIRST,
            "k-degisen.txt": "Belediye Konya'da tramvay hattını uzattı.\n",
            "s-buyuyen.txt": "Belediye Samsun'da sahil yolunu açtı.\n",
        },
    )
    index = tmp_path / "index"
    assert run_json(docs, index)[0] == 0

    paused = PausedReading(docs, index, tmp_path / "paused", "--max-bytes", "2000")
    write_articles(docs, {"k-degisen.txt": "Belediye Konya'da bisiklet yolu yaptı.\n"})
    write_articles(docs, {"s-buyuyen.txt": "Samsun " * 400})  # grew past the limit
    code, report, _ = paused.resume()

    assert code == 1
    assert report["updated"] == 1
    reason = failed_by_name(report, docs)["s-buyuyen.txt"]
    assert reason.startswith("file is 2,800 bytes, over the 2,000-byte limit")
    assert reason.endswith("(the version indexed before stays searchable)")
    assert cli_search(index, "bisiklet") == {"k-degisen"}
    assert cli_search(index, "tramvay") == set()
    assert cli_search(index, "sahil") == {"s-buyuyen"}  # the old version, still searchable


def test_named_pipe_swapped_in_after_listing_does_not_hang(tmp_path: Path) -> None:
    """A file indexed before becomes a named pipe after the listing: the run must finish."""
    docs = write_articles(
        tmp_path / "docs", {**FIRST, "z-boru.txt": "Belediye Zonguldak'ta boru hattı döşedi.\n"}
    )
    index = tmp_path / "index"
    assert run_json(docs, index)[0] == 0
    paused = PausedReading(docs, index, tmp_path / "paused")
    (docs / "z-boru.txt").unlink()
    os.mkfifo(docs / "z-boru.txt")
    code, report, _ = paused.resume()
    assert code == 1
    assert failed_by_name(report, docs) == {
        "z-boru.txt": "not a regular file: a named pipe (FIFO) "
        "(the version indexed before stays searchable)"
    }
    assert cli_search(index, "Zonguldak") == {"z-boru"}


def test_file_rewritten_while_reindexes_run(tmp_path: Path) -> None:
    """A writer keeps rewriting files in place (truncate, then write in pieces) while ten
    reindexes run: none fails, each odd read is reported, and once the writer stops the
    next reindex matches the disk byte for byte."""
    docs = write_articles(tmp_path / "docs", GOOD)
    index = tmp_path / "index"
    names = [f"canli/haber-{number}.txt" for number in range(3)]
    stop = threading.Event()
    rewrites = 0

    def rewrite() -> None:
        nonlocal rewrites
        version = 0
        while not stop.is_set():
            version += 1
            for name in names:
                text = f"title: Canlı yayın {version}\n\nBelediye meclisi {version}. kez toplandı. "
                with open(docs / name, "w", encoding="utf-8") as handle:
                    for _ in range(20):
                        handle.write(text)
                        handle.flush()
            rewrites += 1

    (docs / "canli").mkdir()
    for name in names:
        (docs / name).write_text("Belediye meclisi toplandı.\n", encoding="utf-8")
    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    try:
        for _ in range(10):
            report = reindex(docs, index, lock_timeout=10)
            for failed in report.failed:
                assert failed.reason  # e.g. an empty file caught between truncate and write
                assert Path(failed.path).relative_to(docs).as_posix() in names
    finally:
        stop.set()
        writer.join(timeout=10)
    assert rewrites > 0
    final = reindex(docs, index)
    assert final.failed == []
    assert indexed_hashes(index) == disk_hashes(docs)


# --- permissions ---------------------------------------------------------------------------

#: Root reads any file; without these two capabilities it obeys permission bits like anyone.
DROP_ROOT_READ = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_unreadable_file_and_folder_are_reported_and_kept(tmp_path: Path) -> None:
    """Permission denied on a file and on a folder: both reported; what was indexed from
    them before stays (an unlistable folder must not look like a deleted one)."""
    docs = write_articles(
        tmp_path / "docs",
        {
            **GOOD,
            "gizli.txt": "Belediye gizli raporu Tokat'ta açıkladı.\n",
            "kilitli/icerde.txt": "Belediye Tokat'ta kapalı pazar yaptı.\n",
        },
    )
    index = tmp_path / "index"
    assert run_json(docs, index)[0] == 0
    write_articles(docs, {"yeni.txt": "Belediye Yozgat'ta yeni kütüphane açtı.\n"})
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permission bits cannot be enforced")
        prefix = DROP_ROOT_READ
    (docs / "gizli.txt").chmod(0)
    (docs / "kilitli").chmod(0)
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "search", "reindex", "--docs", str(docs),
             "--index", str(index), "--json"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        (docs / "gizli.txt").chmod(0o644)
        (docs / "kilitli").chmod(0o755)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert failed_by_name(report, docs) == {
        "gizli.txt": "cannot read: permission denied (the version indexed before stays searchable)",
        "kilitli": "cannot list folder: permission denied "
        "(the articles indexed below it before stay searchable)",
    }
    assert report["added"] == 1 and report["removed"] == 0
    assert {"gizli", "kilitli/icerde", "yeni"} <= set(indexed_hashes(index))


# --- many files ----------------------------------------------------------------------------


def test_ten_thousand_files_in_one_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs" / "arsiv"
    docs.mkdir(parents=True)
    for number in range(10_000):
        (docs / f"haber-{number:05d}.txt").write_text(
            f"title: Belediye duyurusu {number}\n\nDuyuru{number} Eskişehir'de asıldı.\n",
            encoding="utf-8",
        )
    index = tmp_path / "index"
    code, report, _ = run_json(docs.parent, index, timeout=600)
    assert code == 0 and report["failed"] == []
    assert report["added"] == 10_000
    assert len(indexed_hashes(index)) == 10_000
    assert cli_search(index, "duyuru9999") == {"arsiv/haber-09999"}
    code, report, _ = run_json(docs.parent, index, timeout=600)
    assert code == 0 and report["unchanged"] == 10_000 and report["added"] == 0
