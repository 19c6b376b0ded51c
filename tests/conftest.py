"""Shared fixtures: small Turkish articles written for the tests, a real on-disk index built
by the real ``reindex``, the real Flask app, and the app served by the real WSGI server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearch_cluster import Cluster, free_ports, missing_tools

from search.indexing.reindex import reindex
from search.opensearch.backend import Backend
from search.opensearch.cluster import ClusterConfig

ROOT = Path(__file__).resolve().parents[1]

#: Articles written for the tests: apostrophe suffixes, inflected nouns, İ/I capitals.
FIXTURE_ARTICLES: dict[str, str] = {
    "2025/09/biskek-zirvesi.txt": (
        " date 2025-09-12 Türk Devletleri Teşkilatı (TDT) üyelerinin güvenlik konseyi "
        "sekreterleri Bişkek'teki toplantıya katıldı. Toplantının ev sahibi Kırgızistan oldu."
        "\n\nKırgızistan'ın dönem başkanlığında TDT'nin 40'tan fazla platformda işbirliği "
        "yaptığı belirtildi. Gazetecilere konuşan sekreter, ortak uydunun fırlatılacağını "
        "söyledi.\n"
    ),
    "2025/10/izmir-liman.txt": (
        "title: İZMİR'de liman genişletme projesi onaylandı\n"
        "date: 2025-10-04\ncategory: ekonomi\nsource: haberara-test\n"
        "url: https://ornek.haberara.test/ekonomi/izmir-liman\n\n"
        "İzmir Limanı'nın kapasitesini iki katına çıkaracak proje, bakanlıkta yapılan "
        "toplantıda onaylandı.\n\nProjenin 2027'de tamamlanması bekleniyor. ISPARTA ve "
        "Iğdır'dan gelen ihracatçılar da limanı kullanacak.\n"
    ),
    "spor/derbi.txt": (
        "title: Derbide kazanan çıkmadı\ndate: 12 Eylül 2024\ncategory: spor\n\n"
        "İstanbul'daki derbi golsüz berabere bitti. Teknik direktör maçın ardından "
        "gazetecilerin sorularını yanıtladı.\n"
    ),
    "saglik/deprem-tatbikati.txt": (
        "title: Okullarda deprem tatbikatı yapıldı\ndate: 2026-02-03\ncategory: sağlık\n\n"
        "Depremin ardından yapılacakları öğrenen öğrenciler tatbikata katıldı. Depremde "
        "ilk yardım ekipleri okullarda hazır bekledi.\n"
    ),
    "ekonomi/secim.txt": (
        " date 2024-03-30 Yerel seçimlerde ekonomi en çok konuşulan konu oldu. Seçimin "
        "ardından piyasalarda hareketlilik bekleniyor.\n\nToplantı takvimi açıklandı.\n"
    ),
}


def write_articles(folder: Path, articles: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` below ``folder`` and return it."""
    for name, content in articles.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


@pytest.fixture(scope="session", autouse=True)
def word_lists_read() -> None:
    """The word lists a served worker reads before it answers (``warm_up``), read once for
    the session: a test app's first search would otherwise read them on the request's
    clock and, on a loaded machine, run past the budget of its spelling suggestion."""
    from search.searching.searcher import Searcher

    Searcher.read_word_lists()


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A docs folder with the fixture articles (one of them in cp1254)."""
    return write_articles(tmp_path / "articles", fixture_articles())


def fixture_articles() -> dict[str, str | bytes]:
    """The fixture articles, one of them in cp1254."""
    articles: dict[str, str | bytes] = dict(FIXTURE_ARTICLES)
    articles["saglik/deprem-tatbikati.txt"] = FIXTURE_ARTICLES[
        "saglik/deprem-tatbikati.txt"
    ].encode("cp1254")
    return articles


@pytest.fixture
def index_dir(tmp_path: Path, articles_dir: Path) -> Path:
    """A real on-disk index of ``articles_dir``, built by ``reindex``."""
    folder = tmp_path / "index"
    report = reindex(articles_dir, folder)
    assert not report.failed, report.failed
    return folder


@pytest.fixture
def app(index_dir: Path):
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within {timeout} s")


def haberara(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the real ``haberara`` command (as ``python -m search``) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        cwd=kwargs.pop("cwd", ROOT),
        capture_output=True,
        text=True,
        timeout=kwargs.pop("timeout", 120),
        env={**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})},
        **kwargs,
    )


@contextlib.contextmanager
def serve(index_dir: Path, *args: str, log: Path | None = None) -> Iterator[str]:
    """``haberara serve --no-reindex`` in its own process on a free loopback port, with
    ``args`` added (``--host`` is left to the server's default unless given); yields the
    base URL and stops the process afterwards. Its messages go to ``log`` when given."""
    port = free_port()
    errors = log.open("w") if log else None
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--no-reindex",
         "--index", str(index_dir), "--port", str(port), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=errors or subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if errors:
            errors.close()


@pytest.fixture
def live_server(articles_dir: Path, index_dir: Path) -> Iterator[str]:
    """The real server over the fixture index; yields the base URL."""
    with serve(index_dir, "--docs", str(articles_dir), "--host", "127.0.0.1") as base:
        yield base


# --- the OpenSearch backend ------------------------------------------------------------

BACKENDS = ("embedded", "opensearch")


@pytest.fixture(scope="session")
def opensearch_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A real 3-node OpenSearch cluster on loopback for the whole session; the tests that
    need it skip, saying why, where it cannot start (no Java or Maven)."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    cluster = Cluster(tmp_path_factory.mktemp("opensearch"), *free_ports())
    problem = cluster.start()
    if problem:
        cluster.stop()
        pytest.skip(f"the OpenSearch cluster could not start: {problem}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def opensearch_fixture_index(opensearch_cluster: Cluster, tmp_path_factory) -> ClusterConfig:
    """The fixture articles indexed on the cluster once, for tests that only read them."""
    articles = write_articles(tmp_path_factory.mktemp("articles"), fixture_articles())
    config = ClusterConfig.from_url(opensearch_cluster.url, index="fixture")
    report = Backend("opensearch", cluster=config).reindex(articles, full=True)
    assert not report.failed, report.failed
    return config


def backend_app(request: pytest.FixtureRequest, backend: str, **config):
    """The real app over the fixture articles, indexed by ``backend``."""
    from web import create_app

    if backend == "embedded":
        index_dir = request.getfixturevalue("index_dir")
        return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), **config})
    cluster = request.getfixturevalue("opensearch_fixture_index")
    chosen = Backend("opensearch", cluster=cluster)
    return create_app({"TESTING": True, **chosen.app_config(), **config})
