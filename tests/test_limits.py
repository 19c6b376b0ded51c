"""Bad input against the real ``haberara serve`` process, over raw HTTP on loopback.

Oversized requests get a 4xx (or waitress closes the connection), never a 5xx, and the
server answers ``/healthz`` after each; HTML in articles, queries and suggestions is
escaped in pages and JSON; no id reaches outside the docs folder; the server listens on
127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import requests

from conftest import (
    FIXTURE_ARTICLES,
    ROOT,
    serve,
    write_articles,
)
from web import SECURITY_HEADERS
from web.limits import MAX_HEADERS, MAX_PARAMETERS, MAX_QUERY_STRING_BYTES
from web.server import MAX_REQUEST_BODY, MAX_REQUEST_HEADER_SIZE

HOSTILE_ID = "kotu/betik"
HOSTILE = (
    "title: <script>alert('başlık')</script> toplantı <b>kalın</b>\n"
    "date: 2025-01-02\ncategory: <i>haber</i>\nsource: <img src=x onerror=alert(1)>\n"
    "url: javascript:alert(1)\n\n"
    'Toplantıda <script>alert(1)</script> ve <a href="x">bağlantı</a> & "tırnak".\n'
)
SECRET = "GIZLI-ICERIK-7f3a"


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """The fixture articles plus one full of HTML, and a secret file next to the folder."""
    (tmp_path / "secret.txt").write_text(f"title: {SECRET}\n\n{SECRET}\n")
    return write_articles(tmp_path / "articles", {**FIXTURE_ARTICLES, f"{HOSTILE_ID}.txt": HOSTILE})


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def exchange(port: int, request: bytes, timeout: float = 10) -> tuple[int | None, bytes]:
    """Send raw bytes, read to EOF: ``(status, body)``; status None if the server closed
    the connection without an answer (waitress does for some oversized requests)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                data += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-request; whatever arrived before is the answer
    if not data.startswith(b"HTTP/1."):
        return None, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def get(target: str | bytes, headers: list[tuple[str, str]] = (), body: bytes = b"") -> bytes:
    """A raw ``GET`` (or ``POST`` with a body), the target sent exactly as given."""
    target = target.encode() if isinstance(target, str) else target
    method = b"POST" if body else b"GET"
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{name}: {value}".encode() for name, value in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def healthy(base: str) -> bool:
    return requests.get(f"{base}/healthz", timeout=10).status_code == 200


# --- oversized requests ----------------------------------------------------------------------

QUERY_PAD = "a" * (MAX_QUERY_STRING_BYTES + 1000)
MANY = "&".join(f"p{n}=1" for n in range(1000))

#: (what, raw request, the statuses it may get; None = waitress may also just close).
OVERSIZED: list[tuple[str, bytes, set[int | None]]] = [
    ("10 KB q, API", get("/api/search?q=" + "a" * 10_000), {400}),
    ("10 KB q, page", get("/?q=" + "a" * 10_000), {400}),
    ("query string over the app's limit", get("/api/search?q=x&pad=" + QUERY_PAD), {414}),
    ("100 KB URL", get("/api/search?q=" + "a" * 100_000), {431, None}),
    ("1,000 parameters", get("/api/search?q=x&" + MANY), {400}),
    ("1,000 categories", get("/?q=x&" + "&".join(["category=spor"] * 1000)), {400}),
    ("20 KB path", get("/api/articles/" + "a/" * 10_000), {404}),
    ("64 KB header", get("/healthz", [("X-Big", "a" * 65_536)]), {431, None}),
    ("200 headers", get("/healthz", [(f"X-H-{n}", "1") for n in range(200)]), {431}),
    ("1 MB body", get("/api/search?q=x", body=b"a" * 1_000_000), {413, None}),
    (
        "huge Content-Length",
        get("/api/search?q=x", [("Content-Length", str(10**12))]),
        {413, None},
    ),
]


def test_limits_are_the_documented_ones():
    assert MAX_REQUEST_HEADER_SIZE == 32 * 1024 and MAX_REQUEST_BODY == 64 * 1024
    assert (MAX_QUERY_STRING_BYTES, MAX_PARAMETERS, MAX_HEADERS) == (16 * 1024, 100, 100)
    assert "max_request_header_size" in (ROOT / "web/SERVER.md").read_text()


def test_oversized_requests_get_4xx_and_the_server_keeps_serving(live_server):
    port = port_of(live_server)
    for what, request, allowed in OVERSIZED:
        status, body = exchange(port, request)
        assert status in allowed, (what, status, body[:300])
        if status is not None and status >= 400 and body.startswith(b"{"):
            assert b'"error"' in body, (what, body[:300])
        assert healthy(live_server), f"no /healthz after {what}"


def test_app_limit_errors_are_json_on_the_api(live_server):
    port = port_of(live_server)
    status, body = exchange(port, get("/api/search?q=x&" + MANY))
    assert status == 400 and b'"code":"bad_request"' in body
    status, body = exchange(port, get("/api/search?q=x&pad=" + QUERY_PAD))
    assert status == 414 and b'"code":"request_uri_too_long"' in body
    status, body = exchange(port, get("/", [(f"X-H-{n}", "1") for n in range(200)]))
    assert status == 431 and "İstek karşılanamadı".encode() in body


def test_the_longest_valid_query_fits(live_server):
    """500 four-byte characters, percent-encoded (6 KB), with filters: under every limit."""
    params = {"q": "😀" * 500, "category": ["spor", "ekonomi"] * 20, "from": "2024-01-01"}
    response = requests.get(f"{live_server}/api/search", params=params, timeout=10)
    assert response.status_code == 200, response.text[:300]


def test_a_slow_client_does_not_block_others(live_server):
    """A connection that sends half a request holds no worker thread."""
    with socket.create_connection(("127.0.0.1", port_of(live_server)), timeout=10) as stalled:
        stalled.sendall(b"GET /api/search?q=toplant")
        for _ in range(10):  # more than the server's threads
            assert healthy(live_server)


#: Answers of every kind that must carry the security headers: waitress writes the first
#: four itself, without the app.
SERVER_ANSWERS: list[tuple[str, bytes, int]] = [
    ("malformed request line", b"GARBAGE\r\n\r\n", 400),
    ("malformed Content-Length", get("/healthz", [("Content-Length", "abc")]), 400),
    ("body over the limit", get("/api/search?q=x", body=b"a" * (MAX_REQUEST_BODY + 1)), 413),
    ("header block over the limit", get("/healthz", [("X-Big", "a" * 40_000)]), 431),
    ("query string over the app's limit", get("/api/search?q=x&pad=" + QUERY_PAD), 414),
    ("health", get("/healthz"), 200),
]


@pytest.mark.parametrize(("what", "request_bytes", "status"), SERVER_ANSWERS)
def test_every_answer_carries_the_security_headers(live_server, what, request_bytes, status):
    head = answer_head(port_of(live_server), request_bytes)
    assert head.split(b" ", 2)[1] == str(status).encode(), (what, head)
    names = {line.split(b":", 1)[0].strip().lower() for line in head.split(b"\r\n")[1:]}
    for header in SECURITY_HEADERS:
        assert header.lower().encode() in names, (what, header, head)


def answer_head(port: int, request: bytes) -> bytes:
    """The status line and headers the server sends back for raw ``request``."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request)
            while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
                data += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-request; what arrived before is the answer
    return data.partition(b"\r\n\r\n")[0]


# --- HTML is escaped ---------------------------------------------------------------------------


def test_html_in_articles_is_escaped_in_json(live_server):
    response = requests.get(f"{live_server}/api/search", params={"q": "toplantı"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<" not in response.text and ">" not in response.text  # all \u003c / \u003e
    assert "&" not in response.text and "\\u0026lt;script" in response.text  # \u0026 too
    hit = next(h for h in response.json()["results"] if h["id"] == HOSTILE_ID)
    assert "<script" not in hit["snippet"] + hit["title_html"]
    assert "&lt;script&gt;" in hit["snippet"] and "&lt;script&gt;" in hit["title_html"]
    assert "<mark>Toplantıda</mark>" in hit["snippet"]
    article = requests.get(f"{live_server}/api/articles/{HOSTILE_ID}", timeout=10)
    assert article.status_code == 200 and "<" not in article.text
    assert article.json()["title"].startswith("<script>")  # the data itself is unchanged


@pytest.mark.parametrize("url", ["/?q=toplantı", f"/articles/{HOSTILE_ID}?q=toplantı"])
def test_html_in_articles_is_escaped_on_pages(live_server, url):
    html = requests.get(live_server + url, timeout=10).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>kalın" not in html and "<i>haber" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_html_in_the_query_is_escaped(live_server):
    q = '<script>alert(1)</script> "><img src=x onerror=alert(1)> kırgıstan'
    page = requests.get(live_server + "/", params={"q": q}, timeout=10)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    api = requests.get(live_server + "/api/search", params={"q": q}, timeout=10)
    assert "<" not in api.text and ">" not in api.text
    assert api.json()["query"] == q


def test_html_in_a_suggestion_is_escaped(live_server):
    """A suggestion keeps quoted text as typed: ``&quot;`` in it must stay text."""
    q = '"&quot;x&amp;" kırgıstan'
    params = {"q": q, "as_typed": "1"}
    api = requests.get(live_server + "/api/search", params=params, timeout=10)
    suggestion = api.json()["suggestion"]
    assert suggestion == '"&quot;x&amp;" kırgızistan'
    assert "&" not in api.text  # sent as \u0026
    page = requests.get(live_server + "/", params=params, timeout=10).text
    assert "&#34;&amp;quot;x&amp;amp;&#34; kırgızistan</a>" in page
    assert ">&quot;x&amp; kırgızistan<" not in page


# --- ids stay inside the docs folder ---------------------------------------------------------


def traversal_ids(secret: Path) -> list[str]:
    """Raw path tails that try to name a file outside the docs folder."""
    return [
        "../secret", "../../../../../../etc/passwd", "2025/../../secret", "..%2fsecret",
        "%2e%2e%2fsecret", "%2e%2e/%2e%2e/etc/passwd", "..%5csecret", "..%255c..%255csecret",
        "%252e%252e%252fsecret", "%2fetc%2fpasswd", "/etc/passwd", "//etc/passwd",
        secret.as_posix(), secret.with_suffix("").as_posix(), "%00", "secret%00",
        "2025/09/biskek-zirvesi%00", "..%00/secret", "%c0%ae%c0%ae%2fsecret",
        "C:%5Cwindows%5Cwin.ini", "./2025/09/biskek-zirvesi", "~root/.bashrc",
    ]  # fmt: skip


@pytest.mark.parametrize("prefix", ["/api/articles/", "/articles/"])
def test_ids_never_reach_outside_the_docs_folder(live_server, tmp_path, prefix):
    port = port_of(live_server)
    for tail in traversal_ids(tmp_path / "secret.txt"):
        status, body = exchange(port, get(prefix + tail))
        assert status in (400, 404), (tail, status, body[:200])
        assert SECRET.encode() not in body and b"root:" not in body, tail
        if prefix.startswith("/api/"):
            assert b'"error"' in body, tail
    status, body = exchange(port, get((prefix + "2025/09/biskek\x00-zirvesi").encode()))
    assert status in (400, 404, None), status  # a raw NUL in the request line
    assert healthy(live_server)
    assert exchange(port, get(prefix + "2025/09/biskek-zirvesi"))[0] == 200


# --- where the server listens ----------------------------------------------------------------


def listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a socket listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def other_local_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def refuses(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(3)
        return sock.connect_ex((address, port)) != 0


def test_serve_listens_on_loopback_only_by_default(index_dir):
    with serve(index_dir) as base:  # no --host
        port = int(base.rsplit(":", 1)[1])
        assert listening_addresses(port) == ["0100007F"]  # 127.0.0.1, and no IPv6 socket
        assert refuses("127.0.0.2", port)
        other = other_local_address()
        if other:
            assert refuses(other, port)
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
