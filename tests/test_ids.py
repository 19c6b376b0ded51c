"""Article ids and the addresses built from them, against the real ``haberara`` command
and server: a file name no address can hold is refused at reindex with its reason, a URL
written in decomposed Unicode finds its article, and only http(s) source URLs go out."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from conftest import haberara, serve, write_articles

ARTICLES = {
    "2025/şırnak-köprü.txt": (
        "title: Şırnak'ta köprü açıldı\nurl: https://ornek.haberara.test/sirnak\n\n"
        "Cizre ile Silopi arasındaki köprü trafiğe açıldı.\n"
    ),
    "2025/betik.txt": (
        "title: Kötü bağlantılı haber\nurl: javascript:alert(1)\n\nKöprü haberi, bağlantısı kötü.\n"
    ),
    "2025/veri.txt": (
        "title: Veri bağlantılı haber\nurl: data:text/html,<b>x</b>\n\nKöprü haberi, veri.\n"
    ),
    "2025/satir\nsonu.txt": "title: Satır sonlu ad\n\nKöprü haberi, adı bozuk.\n",
    "2025/ters\\bolu.txt": "title: Ters bölülü ad\n\nKöprü haberi, adı ters bölülü.\n",
}
ID = "2025/şırnak-köprü"


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, dict]:
    docs = write_articles(tmp_path / "docs", ARTICLES)
    index = tmp_path / "index"
    result = haberara("reindex", "--docs", str(docs), "--index", str(index), "--json")
    assert "Traceback" not in result.stderr
    return index, {"code": result.returncode, **json.loads(result.stdout)}


def test_names_no_address_can_hold_are_refused_with_a_reason(indexed) -> None:
    index, report = indexed
    assert report["code"] == 1 and report["added"] == 3
    reasons = {Path(entry["path"]).name: entry["reason"] for entry in report["failed"]}
    assert set(reasons) == {"satir\\x0asonu.txt", "ters\\bolu.txt"}
    assert "control character \\x0a" in reasons["satir\\x0asonu.txt"]
    assert "backslash" in reasons["ters\\bolu.txt"]
    assert all("rename it" in reason for reason in reasons.values())


def test_decomposed_ids_in_urls_and_only_web_urls(indexed) -> None:
    index, _ = indexed
    decomposed = quote(unicodedata.normalize("NFD", ID))
    assert decomposed != quote(ID)
    with serve(index) as base:
        page = requests.get(f"{base}/articles/{decomposed}", timeout=10)
        api = requests.get(f"{base}/api/articles/{decomposed}", timeout=10)
        search = requests.get(f"{base}/api/search", params={"q": "köprü"}, timeout=10)
    assert page.status_code == 200 and "Şırnak" in page.text
    assert api.status_code == 200 and api.json()["id"] == ID
    assert api.json()["url"] == "https://ornek.haberara.test/sirnak"
    urls = {hit["id"]: hit["url"] for hit in search.json()["results"]}
    assert urls == {ID: "https://ornek.haberara.test/sirnak", "2025/betik": None, "2025/veri": None}
