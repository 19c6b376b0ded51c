"""The web app through Flask's test client: the JSON API first, then the HTML pages.

Every test runs against a real index built from the fixture articles (see conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BACKENDS, backend_app, haberara, write_articles
from search.indexing.reindex import reindex
from search.opensearch.backend import Backend
from search.searching import engine, querybuild
from web import create_app
from web.pages import UNAVAILABLE_MESSAGE

SEARCH_KEYS = [
    "query", "total", "page", "per_page", "took_ms", "results", "suggestion", "facets", "next_url",
]  # fmt: skip
HIT_KEYS = [
    "id", "title", "title_html", "title_derived", "date", "category", "source", "url", "score",
    "snippet", "missing",
]  # fmt: skip
BISKEK = "2025/09/biskek-zirvesi"


@pytest.fixture(params=BACKENDS)
def client(request):
    """The app's test client, over the embedded index and over the cluster's."""
    return backend_app(request, request.param).test_client()


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def hit(body: dict, article_id: str) -> dict:
    return next(h for h in body["results"] if h["id"] == article_id)


# --- /api/search: shape and Turkish matching -------------------------------------------


def test_search_has_exactly_the_documented_keys(client):
    body = search(client, q="toplantı")
    assert list(body) == SEARCH_KEYS
    assert body["query"] == "toplantı"
    assert (body["page"], body["per_page"]) == (1, 10)
    assert body["total"] == len(body["results"]) == 3
    assert isinstance(body["took_ms"], float)
    for result in body["results"]:
        assert list(result) == HIT_KEYS
        assert result["date"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", result["date"])
    assert list(body["facets"]) == ["category", "year"]
    for facet in body["facets"].values():
        assert all(list(entry) == ["value", "count", "name"] for entry in facet)


def test_inflected_form_is_found_and_marked(client):
    body = search(client, q="toplantı")
    assert "<mark>toplantıya</mark>" in hit(body, BISKEK)["title_html"]  # its first sentence
    assert "<mark>Toplantının</mark>" in hit(body, BISKEK)["snippet"]


def test_keyboard_query_marks_the_apostrophe_form(client):
    body = search(client, q="biskek")
    assert [h["id"] for h in body["results"]] == [BISKEK]
    assert "<mark>Bişkek'teki</mark>" in body["results"][0]["title_html"]


def test_turkish_capitals_match_like_lowercase(client):
    upper, lower = search(client, q="KIRGIZİSTAN"), search(client, q="kırgızistan")
    assert upper["total"] == lower["total"] == 1
    assert upper["results"] == [dict(h, score=h["score"]) for h in lower["results"]]
    assert "<mark>Kırgızistan'ın</mark>" in upper["results"][0]["snippet"]


def test_title_is_highlighted(client):
    body = search(client, q="liman")
    assert "<mark>liman</mark>" in hit(body, "2025/10/izmir-liman")["title_html"]


def test_suggestion_for_a_misspelling_searched_as_typed(client):
    body = search(client, q="kırgıstan", as_typed="true")
    assert body["total"] == 0
    assert body["suggestion"] == "kırgızistan"


def test_a_query_percent_encoded_in_cp1254_is_read_as_turkish(client):
    """A link or form on an older page in windows-1254 sends ``ı`` as ``%FD``."""
    legacy = client.get("/api/search?q=toplant%FD").get_json()
    assert legacy["query"] == "toplantı"
    assert legacy["results"] == search(client, q="toplantı")["results"]
    assert search(client, q="%DDzmir")["query"] == "%DDzmir"  # a percent sign stays one
    assert 'value="İzmir"' in page_text(client, "/?q=%DDzmir")


def test_phrases_not_found_only_when_a_phrase_was_searched_as_words(client):
    assert "phrases_not_found" not in search(client, q='"güvenlik konseyi"')
    body = search(client, q='"konseyi güvenlik"')
    assert body["phrases_not_found"] == ["konseyi güvenlik"]
    assert [h["id"] for h in body["results"]] == ["2025/09/biskek-zirvesi"]


def test_a_typo_is_answered_with_the_corrected_words(client):
    body = search(client, q="kırgıstan")
    assert body["corrected"] == "kırgızistan" and body["query"] == "kırgıstan"
    assert [h["id"] for h in body["results"]] == [BISKEK]
    as_typed = search(client, q="kırgıstan", as_typed="1")
    assert as_typed["total"] == 0 and "corrected" not in as_typed
    assert as_typed["suggestion"] == "kırgızistan"
    assert "corrected" not in search(client, q="kırgızistan")


def test_a_word_no_article_holds_is_suggested_beside_the_others_results(client):
    """``kırgızistn`` is in no article; ``toplantı`` finds three: those are the answer, with
    the suggestion for the one word, not a correction."""
    held_elsewhere = search(client, q="toplantı kırgızistan")  # lacking from some results
    assert any(h["missing"] == ["kırgızistan"] for h in held_elsewhere["results"])
    assert held_elsewhere["total"] >= 3 and held_elsewhere["suggestion"] is None
    body = search(client, q="toplantı kırgızistn")
    assert body["total"] == len(body["results"]) == search(client, q="toplantı")["total"] >= 3
    assert all(h["missing"] == ["kırgızistn"] for h in body["results"])
    assert body["suggestion"] == "toplantı kırgızistan" and "corrected" not in body


def test_as_typed_takes_yes_or_no_only(client):
    response = client.get("/api/search", query_string={"q": "liman", "as_typed": "evet"})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "as_typed"


def test_relaxed_flag_only_when_falling_back_to_any_word(client):
    assert "relaxed" not in search(client, q="liman")
    body = search(client, q="liman zzzzyok")
    assert body["relaxed"] is True
    assert [h["id"] for h in body["results"]] == ["2025/10/izmir-liman"]
    assert body["results"][0]["missing"] == ["zzzzyok"]
    assert search(client, q="liman")["results"][0]["missing"] == []


# --- parameters: filters, sort, pagination, facets ---------------------------------------


def test_category_filter_is_repeatable(client):
    assert [h["id"] for h in search(client, q="gazeteci", category="spor")["results"]] == [
        "spor/derbi"
    ]
    both = client.get("/api/search?q=toplantı&category=spor&category=ekonomi").get_json()
    assert [h["category"] for h in both["results"]] == ["ekonomi"]


def test_date_range_is_inclusive(client):
    body = search(client, q="toplantı", **{"from": "2025-09-12", "to": "2025-10-04"})
    assert sorted(h["date"] for h in body["results"]) == ["2025-09-12", "2025-10-04"]
    assert search(client, q="toplantı", to="2024-12-31")["total"] == 1


def test_sort_by_date_is_newest_first(client):
    dates = [h["date"] for h in search(client, q="toplantı", sort="date")["results"]]
    assert dates == sorted(dates, reverse=True)


def test_pages_partition_the_results(client):
    everything = [h["id"] for h in search(client, q="toplantı")["results"]]
    paged = []
    for number in (1, 2, 3):
        body = search(client, q="toplantı", page=number, per_page=1)
        assert (body["page"], body["per_page"], body["total"]) == (number, 1, 3)
        paged += [h["id"] for h in body["results"]]
    assert paged == everything
    assert search(client, q="toplantı", page=4, per_page=1)["results"] == []


def test_facets_count_the_whole_result_set(client):
    facets = search(client, q="toplantı", per_page=1)["facets"]
    assert facets["year"] == [
        {"value": "2025", "count": 2, "name": "2025"},
        {"value": "2024", "count": 1, "name": "2024"},
    ]
    assert facets["category"] == [{"value": "ekonomi", "count": 1, "name": "Ekonomi"}]


def test_unknown_parameters_are_ignored(client):
    plain = search(client, q="toplantı")
    extra = search(client, q="toplantı", foo="bar", _shape="x", callback="alert")
    assert [h["id"] for h in extra["results"]] == [h["id"] for h in plain["results"]]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("q=toplantı&page=0", "page"),
        ("q=toplantı&page=-3", "page"),
        ("q=toplantı&page=abc", "page"),
        ("q=toplantı&per_page=1000", "per_page"),
        ("q=toplantı&per_page=0", "per_page"),
        ("q=toplantı&per_page=2.5", "per_page"),
        ("q=toplantı&from=2025-99-99", "from"),
        ("q=toplantı&to=dün", "to"),
        ("q=toplantı&from=2025-10-01&to=2025-09-01", "from"),
        ("from=2025-10-01&to=2025-09-01", "q"),  # the missing words first
        ("q=toplantı&sort=xyz", "sort"),
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=" + "a" * 501, "q"),
        ("q=toplantı&per_page=&per_page=5", "per_page"),  # which one? (only category repeats)
        ("q=toplantı&q=bişkek", "q"),
        ("q=toplantı&sort=date&sort=relevance", "sort"),
    ],
)
def test_invalid_parameter_is_400_naming_it(client, query, parameter):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert list(error) == ["code", "message", "parameter"]
    assert error["code"] == "bad_parameter"
    assert error["parameter"] == parameter
    assert parameter in error["message"]


@pytest.mark.parametrize(
    ("value", "says"),
    [("2025-02-30", "is no day of the calendar"), ("30.02.2025", "must be a date written")],
)
def test_a_bad_date_is_named_for_what_is_wrong_with_it(client, value, says):
    """``2025-02-30`` is written as asked but is no day: saying it must be written
    YYYY-MM-DD would send the reader looking for the wrong mistake."""
    response = client.get("/api/search", query_string={"q": "toplantı", "from": value})
    assert response.status_code == 400
    assert says in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "toplantı " * 55 + "abcde",
        "a" * 500,
        "toplantı" * 62 + "abcd",
    ],
)
def test_query_of_exactly_500_characters_is_accepted(client, query):
    assert len(query) == 500
    assert search(client, q=query)["query"] == query


@pytest.mark.parametrize(
    "query",
    [
        '"', '"toplantı', "(", "toplantı)", "[{<>}]", "OR", "AND", "NOT", "toplantı OR",
        "-", "--toplantı", "*", "**", "title:", "category:", 'title:"', "başlık:", ":",
        "😀", "toplantı 🇹🇷", "\x00", "\x01\x1f\x7f", "\u202etoplantı", "\ufeff", "\\",
        "'", "’", "%", "%00", "<script>alert(1)</script>", "a" * 200, "İ̇",
        "ı" * 500,
    ],
)  # fmt: skip
def test_odd_queries_are_searched_as_text(client, query):
    body = search(client, q=query)
    assert body["query"] == query
    assert "<script>" not in str(body["results"])


#: Any parameter value a client might send: random text, or something close to valid.
PARAMETER_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0", "1", "2", "-1", "100", "101", "1e3", " 3 ", "", "relevance", "date"]),
    st.sampled_from(["2025-09-12", "2025-02-30", "20250912", "2025-9-1", "9999-12-31"]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.one_of(st.text(max_size=60), st.sampled_from(["toplantı", "biskek OR", "title:"])),
    params=st.dictionaries(
        st.sampled_from(["page", "per_page", "sort", "from", "to", "category", "x"]),
        PARAMETER_VALUES,
        max_size=4,
    ),
)
def test_no_parameters_give_a_500(client, q, params):
    """Random queries and parameters: the API and the page answer 200 or a named 400."""
    api = client.get("/api/search", query_string={"q": q, **params})
    assert api.status_code in (200, 400), api.get_data(as_text=True)
    if api.status_code == 400:
        assert api.get_json()["error"]["parameter"] in ("q", *params)
    page = client.get("/", query_string={"q": q, **params})
    assert page.status_code in (200, 400)


def test_unknown_article_is_404_json(client):
    response = client.get("/api/articles/2025/09/yok")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "code": "not_found",
            "message": "no article with id '2025/09/yok'",
            "parameter": "id",
        }
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/../2025/09/biskek-zirvesi",
        "/api/articles/2025/../2025/09/biskek-zirvesi",
        "/api/articles/2025/09/./biskek-zirvesi",
        "/api/articles/%2e%2e/%2e%2e/etc/passwd",
        "/api/articles//etc/passwd",
        "/api/articles/2025%5C09%5Cbiskek-zirvesi",
        "/api/articles/2025/09/biskek-zirvesi%00",
        "/api/articles/" + "x/" * 600 + "y",
    ],
)
def test_ids_cannot_escape_the_docs_folder(client, path):
    response = client.get(path, follow_redirects=True)  # "//" is redirected to "/" first
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_article_as_json(client):
    response = client.get(f"/api/articles/{BISKEK}")
    assert response.status_code == 200
    article = response.get_json()
    assert list(article) == [
        "id", "title", "title_derived", "date", "category", "source", "url", "body", "related",
    ]  # fmt: skip
    assert article["id"] == BISKEK
    assert article["date"] == "2025-09-12"
    assert "Bişkek'teki toplantıya" in article["body"]


def test_unknown_api_route_and_method_answer_json(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.post("/api/search?q=toplantı")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_unexpected_error_is_a_logged_json_500(app, monkeypatch, caplog):
    """No real request reaches this handler; a broken searcher stands in for a bug."""
    from search.searching.searcher import Searcher

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(Searcher, "search", broken)
    app.config["TESTING"] = False  # let the handler answer instead of re-raising
    app.testing = False
    response = app.test_client().get("/api/search?q=toplantı")
    assert response.status_code == 500
    assert response.get_json()["error"] == {
        "code": "internal_error",
        "message": "unexpected server error; see the server log",
        "parameter": None,
    }
    assert "simulated bug" in caplog.text
    page = app.test_client().get("/?q=toplantı")
    assert page.status_code == 500
    assert "Beklenmeyen bir hata oluştu" in page.get_data(as_text=True)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["status", "documents", "last_indexed"]
    assert body["status"] == "ok"
    assert body["documents"] == 5
    assert re.match(r"\d{4}-\d\d-\d\dT", body["last_indexed"])


def test_missing_index_answers_503_until_it_is_built(tmp_path, articles_dir):
    from web import create_app

    index_dir = tmp_path / "not-yet"
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    api = client.get("/api/search?q=toplantı")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "index_unavailable"
    assert "haberara reindex" in api.get_json()["error"]["message"]
    assert client.get("/healthz").status_code == 503
    page = client.get("/")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Arama şu an kullanılamıyor" in html and UNAVAILABLE_MESSAGE in html
    assert str(index_dir) not in html and "reindex" not in html  # the operator's, in the log
    reindex(articles_dir, index_dir)
    assert client.get("/api/search?q=toplantı").status_code == 200
    assert client.get("/healthz").get_json()["documents"] == 5


# --- headers on every response ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/", "/?q=toplantı", "/?q=toplantı&from=kötü", f"/articles/{BISKEK}", "/articles/yok",
        "/nothing", "/static/style.css", "/static/app.js", "/api/search?q=toplantı",
        "/api/search?page=0", f"/api/articles/{BISKEK}", "/api/articles/yok", "/healthz",
    ],
)  # fmt: skip
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


# --- article text is escaped everywhere ----------------------------------------------------


@pytest.fixture(params=BACKENDS)
def hostile_client(request, tmp_path: Path):
    """An index with an article whose text is HTML and script (each backend)."""
    from web import create_app

    docs = write_articles(
        tmp_path / "hostile-docs",
        {
            "kotu/betik.txt": (
                "title: <script>alert('başlık')</script> toplantı <b>kalın</b>\n"
                "date: 2025-01-02\ncategory: <i>haber</i>\nsource: <img src=x onerror=alert(1)>\n"
                "url: javascript:alert(1)\n\n"
                'Toplantıda <script>alert(1)</script> ve <a href="x">bağlantı</a> & "tırnak".\n'
            )
        },
    )
    if request.param == "opensearch":
        cluster = request.getfixturevalue("opensearch_cluster")
        backend = Backend.choose("opensearch", tmp_path, cluster.url, "hostile")
        assert not backend.reindex(docs, full=True).failed
        return create_app({"TESTING": True, **backend.app_config()}).test_client()
    reindex(docs, tmp_path / "hostile-index")
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "hostile-index")}).test_client()


def test_script_in_an_article_is_escaped_in_the_api(hostile_client):
    result = search(hostile_client, q="toplantı")["results"][0]
    assert "<script>" not in result["snippet"] + result["title_html"]
    assert "&lt;script&gt;" in result["snippet"]
    assert "&lt;script&gt;" in result["title_html"]
    assert "<mark>Toplantıda</mark>" in result["snippet"]


@pytest.mark.parametrize("url", ["/?q=toplantı", "/articles/kotu/betik?q=toplantı"])
def test_script_in_an_article_shows_as_text_on_pages(hostile_client, url):
    html = hostile_client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<b>kalın" not in html and "<i>haber" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


# --- the HTML pages --------------------------------------------------------------------------


def page_text(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_home_page_is_a_turkish_form(client):
    html = page_text(client, "/")
    assert '<html lang="tr">' in html
    assert '<label for="q">' in html
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', html)
    assert 'method="get"' in html
    assert "Dizinde 5 haber var" in html


def test_page_has_no_inline_script_and_no_external_resources(client):
    html = page_text(client, "/?q=toplantı")
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']
    assert " style=" not in html and "<style" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "@import" not in css and "url(" not in css and "@media" in css


def test_results_page_lists_highlighted_hits(client):
    html = page_text(client, "/?q=toplantı")
    assert "3 sonuç (" in html and " ms)" in html
    assert "<mark>toplantıya</mark>" in html
    assert f'href="/articles/{BISKEK}?q=toplant%C4%B1"' in html
    assert "12 Eylül 2025" in html


def test_a_title_taken_from_the_first_sentence_says_so_in_the_api_only(client):
    """The file without a title line gets its first sentence as title, marked as such in
    the API; readers see it as a title like any other."""
    body = search(client, q="toplantı")
    derived = {h["id"]: h["title_derived"] for h in body["results"]}
    assert derived[BISKEK] is True and derived["2025/10/izmir-liman"] is False
    assert hit(body, BISKEK)["title"].startswith("Türk Devletleri Teşkilatı (TDT)")
    assert "başlık ilk cümleden" not in page_text(client, "/?q=kırgızistan")
    assert "başlık ilk cümleden" not in page_text(client, f"/articles/{BISKEK}")


def test_results_page_has_sort_filters_and_facets(client):
    html = page_text(client, "/?q=toplantı")
    assert 'aria-current="true">İlgiye göre</a>' in html
    assert "sort=date" in html
    assert 'name="from" type="date"' in html and 'name="to" type="date"' in html
    assert re.search(r'value="ekonomi"[^>]*>\s*Ekonomi <span class="count">1</span>', html)
    assert "from=2025-01-01&amp;to=2025-12-31" in html


def test_chosen_category_keeps_the_others_listed(client):
    assert "3 sonuç (" in page_text(client, "/?q=ardından")
    html = page_text(client, "/?q=ardından&category=spor")
    assert "1 sonuç (" in html
    assert re.search(r'value="spor"[^>]*checked>\s*Spor <span class="count">1</span>', html)
    assert re.search(r'value="saglik"[^>]*>\s*\w+ <span class="count">1</span>', html)
    assert not re.search(r'value="saglik"[^>]*checked', html)


def test_pagination_links(client):
    html = page_text(client, "/?q=toplantı&per_page=1&page=2")
    assert 'aria-label="Sayfalar"' in html
    assert 'rel="prev" href="/?q=toplant%C4%B1&amp;per_page=1&amp;page=1"' in html
    assert 'rel="next" href="/?q=toplant%C4%B1&amp;per_page=1&amp;page=3"' in html
    assert 'aria-current="page">2</a>' in html


def test_a_typo_shows_the_corrected_results_and_a_link_to_the_words_as_typed(client):
    html = page_text(client, "/?q=kırgıstan")
    assert "“kırgızistan” için sonuçlar gösteriliyor — yine de" in html
    assert 'href="/?q=k%C4%B1rg%C4%B1stan&amp;as_typed=1">“kırgıstan” ara</a>' in html
    assert "biskek-zirvesi" in html and "sonuç bulunamadı" not in html
    assert "biskek-zirvesi?q=k%C4%B1rg%C4%B1zistan" in html  # its page marks what was found


def test_suggestion_and_empty_state_for_the_words_as_typed(client):
    html = page_text(client, "/?q=kırgıstan&as_typed=1")
    assert "Bunu mu demek istediniz:" in html
    assert 'href="/?q=k%C4%B1rg%C4%B1zistan&amp;as_typed=1"' in html
    assert "“kırgıstan” için sonuç bulunamadı." in html
    assert "sonuçlar gösteriliyor" not in html


def test_suggestion_beside_results_for_a_word_no_article_holds(client):
    assert "Bunu mu demek istediniz" not in page_text(client, "/?q=toplantı+kırgızistan")
    html = page_text(client, "/?q=toplantı+kırgızistn")
    assert '<p class="summary">3 sonuç' in html and "biskek-zirvesi" in html
    assert "Bunu mu demek istediniz:" in html
    assert 'href="/?q=toplant%C4%B1+k%C4%B1rg%C4%B1zistan">toplantı kırgızistan</a>' in html
    assert "sonuç bulunamadı" not in html and "sonuçlar gösteriliyor" not in html


def test_phrase_not_found_notice(client):
    html = page_text(client, "/?q=%22konseyi+g%C3%BCvenlik%22")
    assert "“konseyi güvenlik” ifadesini tam olarak içeren bir haber bulunamadı" in html
    assert "ifadesini tam olarak" not in page_text(client, "/?q=%22g%C3%BCvenlik+konseyi%22")


def test_one_letter_prefix_notice(client):
    assert search(client, q="b*")["short_prefixes"] == ["b*"]
    html = page_text(client, "/?q=b*")
    assert "“b*”: yıldızlı arama için en az iki harf yazın; “b” kelime olarak arandı." in html
    assert "yıldızlı arama" not in page_text(client, "/?q=bi*")
    assert "short_prefixes" not in search(client, q="bi*")


def test_relaxed_notice(client):
    html = page_text(client, "/?q=liman+zzzzyok")
    notice = "Bütün kelimeleri içeren haber 10'dan az; kelimelerin yalnızca bazılarını"
    assert notice in html
    some_hold_both = page_text(client, "/?q=toplant%C4%B1+liman")  # one holds both words
    assert notice in some_hold_both and "bulunamadı" not in some_hold_both
    assert '<p class="missing">Eksik: <s>zzzzyok</s></p>' in html
    assert 'class="missing"' not in page_text(client, "/?q=liman")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-99-99", "Başlangıç tarihi geçerli bir tarih olmalı"),
        ("to=yarın", "Bitiş tarihi geçerli bir tarih olmalı"),
        ("from=2025-10-01&to=2025-01-01", "Başlangıç tarihi, bitiş tarihinden sonra olamaz"),
        ("page=0", "Sayfa numarası 1 veya daha büyük"),
        ("per_page=500", "1 ile 100 arasında"),
        ("sort=xyz", "Sıralama"),
        ("q=b", "Arama metni adreste bir kez verilmeli (2 kez verilmiş)."),
        ("from=2025-01-01&from=2025-01-02", "Başlangıç tarihi adreste bir kez verilmeli"),
        ("page=1&page=2", "Sayfa numarası adreste bir kez verilmeli"),
    ],
)
def test_invalid_parameter_shows_a_turkish_error(client, query, message):
    html = page_text(client, "/?q=toplantı&" + query, status=400)
    assert 'role="alert"' in html
    assert message in html


def test_a_year_of_fewer_than_four_digits_links_to_its_articles(tmp_path):
    """A file dated 0225-03-01 by mistake: its year's link must be a date the page reads."""
    from web import create_app

    docs = write_articles(
        tmp_path / "docs",
        {"a.txt": "title: Eski\ndate: 0225-03-01\n\nEski bir liman haberi.\n"},
    )
    reindex(docs, tmp_path / "index")
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    html = page_text(client, "/?q=liman")
    link = re.search(r'<nav class="years".*?<a href="([^"]+)">225</a>', html, re.S)
    assert link, html
    assert "from=0225-01-01" in link[1] and "to=0225-12-31" in link[1]
    assert "Eski" in page_text(client, link[1].replace("&amp;", "&"))


def test_too_long_query_shows_a_turkish_error(client):
    html = page_text(client, "/?q=" + "a" * 501, status=400)
    assert "en fazla 500 karakter" in html


def test_article_page_highlights_the_query(client):
    html = page_text(client, f"/articles/{BISKEK}?q=toplantı")
    assert "<mark>toplantıya</mark>" in html and "<mark>Toplantının</mark>" in html
    assert "“toplantı” aramasına dön" in html
    assert html.count("<p>") >= 2  # paragraphs kept


def test_an_article_leads_back_to_the_page_of_results_it_was_found_on(client):
    """Sort, filters and page travel with the article's link, and back."""
    search = "/?q=toplant%C4%B1&per_page=1&sort=date&from=2020-01-01&page=2"
    results = page_text(client, search)
    link = re.search(r'<h3><a href="(/articles/[^"]+)">', results)[1].replace("&amp;", "&")
    assert all(part in link for part in ("sort=date", "from=2020-01-01", "page=2", "per_page=1"))
    article = page_text(client, link)
    back = re.search(r'<p class="back"><a href="([^"]+)">', article)[1].replace("&amp;", "&")
    assert sorted(back.split("?")[1].split("&")) == sorted(search.split("?")[1].split("&"))
    assert "“toplantı” aramasına dön" in article


def test_article_page_marks_the_words_of_a_phrase_no_article_holds(client):
    """As on the results page, such a phrase was searched as its words: their inflected
    forms are marked too."""
    html = page_text(client, f"/articles/{BISKEK}?q=%22toplant%C4%B1+sahibi%22")
    assert "<mark>toplantıya</mark>" in html and "<mark>Toplantının</mark>" in html
    assert "<mark>sahibi</mark>" in html


def test_article_page_without_query_has_no_marks(client):
    html = page_text(client, f"/articles/{BISKEK}")
    assert "<mark>" not in html and "Bişkek'teki toplantıya" in html


def test_unknown_article_page_is_a_turkish_404(client):
    assert "Haber bulunamadı" in page_text(client, "/articles/2025/../yok", status=404)
    assert "Sayfa bulunamadı" in page_text(client, "/nothing", status=404)


@pytest.mark.parametrize("cache", [True, False])
def test_the_result_cache_setting_reaches_the_searcher(index_dir, cache):
    from web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "RESULT_CACHE": cache})
    assert app.extensions["haberara"].get().cache_pages is cache
    response = app.test_client().get("/api/search?q=toplantı")
    assert response.status_code == 200 and response.get_json()["total"] >= 3


def test_warming_up_reads_the_word_lists_before_the_first_search(index_dir, tmp_path):
    from search.searching import searcher as searcher_module
    from search.searching import vocabulary

    vocabulary._lexicons.clear()
    searcher_module._columns.clear()
    slot = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).extensions["haberara"]
    assert len(vocabulary._lexicons) == 0
    assert slot.warm_up() is True
    assert len(vocabulary._lexicons) >= 1
    kept = {name for _, name in searcher_module._columns._values}  # dates, ids, facets
    assert kept == {"date", "id", *searcher_module.FACETS}
    assert slot.get().search("toplantı").total >= 3

    missing = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")})
    assert missing.extensions["haberara"].warm_up() is False  # serves 503 until built


def test_after_warming_up_a_name_in_a_query_reads_no_word_list(tmp_path, monkeypatch):
    """A worker's first search for a name once read the dictionary's names and common
    words (over half a second), past the request's budget for its spelling suggestion:
    warming up reads them."""
    from search.text import dictionary

    docs = write_articles(
        tmp_path / "docs",
        {
            "a.txt": "Hatay'da maç oynandı. Hatayspor kazandı.\n",
            "b.txt": "Hakemin hatayı maçı etkiledi; bu bir hata.\n",
        },
    )
    reindex(docs, tmp_path / "index", full=True)
    dictionary._lists.cache_clear()
    dictionary.name_words.cache_clear()
    slot = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    assert slot.extensions["haberara"].warm_up() is True

    def unread(*_, **__):
        raise AssertionError("a word list read by a search")

    monkeypatch.setattr(dictionary, "_listed_words", unread)
    page = slot.extensions["haberara"].get().search("Hatay maçında hakem kararı tartışıldı")
    assert page.total >= 1


#: Six articles holding a phrase, and articles holding its words apart.
PHRASE_ARTICLES = {
    **{
        f"liman-{number}.txt": f"title: Haber {number}\n\nLiman ihalesi {number}. kez yapıldı.\n"
        for number in range(6)
    },
    "dagnik.txt": "title: Rapor\n\nİhalesi yapılan liman açıldı.\n",
}


def test_a_count_the_phrase_checks_stopped_short_of_says_at_least(
    tmp_path: Path, monkeypatch
) -> None:
    """Past its checks' limit a phrase's count is what was found so far: the answer says
    it is a lower bound, in the JSON and on the page, and is not kept for the next
    request; a count of every article is not marked."""
    assert not reindex(write_articles(tmp_path / "docs", PHRASE_ARTICLES), tmp_path / "i").failed
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "i")}).test_client()
    with monkeypatch.context() as patched:
        patched.setattr(engine, "PHRASE_CHECKS", 4)
        body = search(client, q='"liman ihalesi"')
        assert body["total"] <= 4 and body["total_at_least"] is True
        page = client.get("/", query_string={"q": '"liman ihalesi"'}).text
        assert f"en az {body['total']} sonuç" in page
    body = search(client, q='"liman ihalesi"')
    assert body["total"] == 6 and "total_at_least" not in body
    assert "en az" not in client.get("/", query_string={"q": '"liman ihalesi"'}).text


def test_a_word_written_as_one_is_counted_whole_past_the_phrase_checks(
    tmp_path: Path, monkeypatch
) -> None:
    """``F-16`` is looked up in the joined words the index keeps, not checked in each
    article's text as a phrase: its count is whole however many articles hold its parts."""
    articles = {f"f{n}.txt": f"Tatbikatta {n} adet F-16 uçtu.\n" for n in range(6)}
    articles |= {f"ayri{n}.txt": f"F tipi {n} gemi ve 16 denizci.\n" for n in range(6)}
    assert not reindex(write_articles(tmp_path / "docs", articles), tmp_path / "i").failed
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "i")}).test_client()
    monkeypatch.setattr(engine, "PHRASE_CHECKS", 2)
    for query in ("F-16", '"F-16"', "uçtu F-16'lar"):
        body = search(client, q=query)
        assert (body["total"], "total_at_least" in body) == (6, False), query
        assert {hit["id"] for hit in body["results"]} == {f"f{n}" for n in range(6)}, query


def test_a_word_of_too_many_spellings_written_as_one_is_checked_as_a_phrase(
    tmp_path: Path, monkeypatch
) -> None:
    """Past :data:`~search.searching.querybuild.MAX_JOINED_FORMS` joined forms, a word
    written as one is checked in the articles' text as a phrase again: still found, but its
    count is what the checks read."""
    articles = {f"f{n}.txt": f"Tatbikatta {n} adet F-16 uçtu.\n" for n in range(6)}
    assert not reindex(write_articles(tmp_path / "docs", articles), tmp_path / "i").failed
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "i")}).test_client()
    monkeypatch.setattr(engine, "PHRASE_CHECKS", 2)
    monkeypatch.setattr(querybuild, "MAX_JOINED_FORMS", 0)
    body = search(client, q='"F-16"')
    assert (body["total"], body["total_at_least"]) == (2, True)


def test_the_command_says_a_count_cut_short_is_a_lower_bound(tmp_path: Path) -> None:
    """More articles hold a phrase than its checks read (2,000): ``search`` says "at least"."""
    notices = {f"{n:04d}.txt": f"Duyuru {n}: yolda bakım onarım var.\n" for n in range(2_001)}
    assert not reindex(write_articles(tmp_path / "docs", notices), tmp_path / "i").failed
    result = haberara("search", '"bakım onarım"', "--index", str(tmp_path / "i"))
    assert result.returncode == 0, result.stderr
    assert "at least 2000 results for" in result.stdout
    result = haberara("search", "bakım onarım", "--index", str(tmp_path / "i"))
    assert "2001 results for" in result.stdout and "at least" not in result.stdout
