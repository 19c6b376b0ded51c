"""Symbolic links in the articles folder, through the real ``haberara`` command: a link is
followed only when its real path stays inside the folder; one leading outside (to a file
or a folder) is reported with its reason and indexes nothing, unless
``--follow-outside-links`` allows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import haberara, write_articles
from search.articles import OUTSIDE_LINKS_OPTION

INSIDE = {
    "2025/erzurum-kar.txt": (
        "title: Erzurum'da kar yağışı\n\nPalandöken'de kayak sezonu erken açıldı.\n"
    ),
}
#: Text only the files outside the articles folder hold.
SECRET = "gizlisifre"


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """An articles folder with links inside and out, and the index folder to use."""
    docs = write_articles(tmp_path / "docs", INSIDE)
    outside = write_articles(
        tmp_path / "disarida",
        {"parola.txt": f"root:{SECRET}:0:0\n", "arsiv/eski.txt": f"Eski {SECRET} haberi.\n"},
    )
    (docs / "parola.txt").symlink_to(outside / "parola.txt")
    (docs / "dis-arsiv").symlink_to(outside / "arsiv", target_is_directory=True)
    (docs / "kopya.txt").symlink_to(docs / "2025" / "erzurum-kar.txt")  # stays inside
    (docs / "yil").symlink_to(docs / "2025", target_is_directory=True)  # inside, seen already
    return docs, tmp_path / "index"


def reindex_json(docs: Path, index: Path, *args: str) -> tuple[int, dict]:
    result = haberara("reindex", "--docs", str(docs), "--index", str(index), "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def found(index: Path, query: str) -> set[str]:
    result = haberara("search", query, "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    return {hit["id"] for hit in json.loads(result.stdout)["results"]}


def test_links_leading_outside_are_skipped_and_reported(linked) -> None:
    docs, index = linked
    code, report = reindex_json(docs, index)
    assert code == 1
    reasons = {Path(entry["path"]).name: entry["reason"] for entry in report["failed"]}
    assert set(reasons) == {"parola.txt", "dis-arsiv"}
    assert "symbolic link to a file outside the articles folder" in reasons["parola.txt"]
    assert "symbolic link to a folder outside the articles folder" in reasons["dis-arsiv"]
    assert all(OUTSIDE_LINKS_OPTION in reason for reason in reasons.values())
    assert found(index, SECRET) == set()
    assert found(index, "Palandöken") == {"2025/erzurum-kar", "kopya"}  # 2025/ entered once


def test_the_option_follows_them_and_dropping_it_unindexes_them(linked) -> None:
    docs, index = linked
    code, report = reindex_json(docs, index, OUTSIDE_LINKS_OPTION)
    assert (code, report["failed"]) == (0, [])
    assert found(index, SECRET) == {"parola", "dis-arsiv/eski"}

    code, report = reindex_json(docs, index)  # the same index, without the option
    assert code == 1 and report["removed"] == 2
    assert found(index, SECRET) == set()
