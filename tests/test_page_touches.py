"""What the page and API give readers beside results: completions (``/api/suggest``),
related articles, ``next_url``, the JSON link, the OpenSearch description, the phone
layout's markup and the Turkish wording. Flask's test client over the fixture index."""

from __future__ import annotations

import re

import pytest

from conftest import BACKENDS, backend_app

BISKEK = "2025/09/biskek-zirvesi"


@pytest.fixture(params=BACKENDS)
def client(request):
    """The app's test client, over the embedded index and over the cluster's."""
    return backend_app(request, request.param).test_client()


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_json()


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.get_data(as_text=True)


# --- /api/suggest ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["bisk", "BİSK", "bişk"])
def test_suggest_completes_a_title_word_the_turkish_way(client, typed):
    body = get_json(client, f"/api/suggest?q={typed}")
    assert body == {"query": typed, "completions": [{"text": "Bişkek", "titles": 1}]}


def test_suggest_limit_and_empty_prefix(client):
    assert len(get_json(client, "/api/suggest?q=t&limit=1")["completions"]) == 1
    assert get_json(client, "/api/suggest?q=")["completions"] == []
    assert get_json(client, "/api/suggest?q=zzzq")["completions"] == []


def test_suggest_in_opensearch_shape_for_browsers(client):
    assert get_json(client, "/api/suggest?q=bisk&format=opensearch") == ["bisk", ["Bişkek"]]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("limit=0", "limit"), ("limit=21", "limit"), ("limit=x", "limit"), ("format=xml", "format"),
     ("q=" + "a" * 501, "q"), ("q=a&q=b", "q")],
)  # fmt: skip
def test_suggest_rejects_bad_parameters(client, query, parameter):
    error = get_json(client, f"/api/suggest?{query}", status=400)["error"]
    assert (error["code"], error["parameter"]) == ("bad_parameter", parameter)


# --- related articles ------------------------------------------------------------------------


def test_article_json_lists_related_articles(client):
    related = get_json(client, "/api/articles/2025/10/izmir-liman")["related"]
    assert related and len(related) <= 5
    assert all(list(item) == ["id", "title", "date", "category", "source"] for item in related)
    assert "2025/10/izmir-liman" not in [item["id"] for item in related]
    assert BISKEK in [item["id"] for item in related]  # both tell of a meeting (toplantı)


def test_article_page_shows_benzer_haberler(client):
    page = html(client, "/articles/2025/10/izmir-liman")
    assert '<h2 id="benzer">Benzer haberler</h2>' in page
    assert f'href="/articles/{BISKEK}"' in page


# --- next_url, the JSON link, OpenSearch -----------------------------------------------------


def test_next_url_leads_to_the_next_page_until_the_last(client):
    first = get_json(client, "/api/search?q=toplant%C4%B1&per_page=2&sort=date")
    assert first["next_url"] == "/api/search?q=toplant%C4%B1&per_page=2&sort=date&page=2"
    second = get_json(client, first["next_url"])
    assert second["page"] == 2 and second["next_url"] is None
    assert {h["id"] for h in first["results"]}.isdisjoint(h["id"] for h in second["results"])


def test_results_page_links_to_its_json(client):
    page = html(client, "/?q=toplant%C4%B1&category=ekonomi")
    link = re.search(r'<a class="json-link" href="([^"]+)"', page)
    assert link and link[1] == "/api/search?q=toplant%C4%B1&amp;category=ekonomi"
    assert get_json(client, link[1].replace("&amp;", "&"))["total"] == 1


def test_opensearch_description_is_linked_and_names_the_search_url(client):
    assert 'rel="search" type="application/opensearchdescription+xml"' in html(client, "/")
    response = client.get("/opensearch.xml", base_url="http://haber.example:8080")
    assert response.mimetype == "application/opensearchdescription+xml"
    xml = response.get_data(as_text=True)
    assert 'template="http://haber.example:8080/?q={searchTerms}"' in xml
    assert "/api/suggest?q={searchTerms}&amp;format=opensearch" in xml


# --- page markup: phone layout, accessibility ------------------------------------------------


def test_results_come_before_filters_and_the_skip_link_goes_to_them(client):
    page = html(client, "/?q=toplant%C4%B1")
    assert page.index('id="sonuclar"') < page.index('id="filtreler"')
    assert '<a class="skip" href="#sonuclar">Sonuçlara geç</a>' in page
    assert '<a class="filters-toggle" href="#filtreler" aria-controls="filtreler">' in page


def test_autofocus_only_on_the_empty_page_and_no_autocomplete_off(client):
    assert "autofocus" not in html(client, "/?q=toplant%C4%B1")
    home = html(client, "/")
    assert "autofocus" in home and 'autocomplete="off"' not in home


def test_active_filters_are_chips_that_remove_themselves(client):
    page = html(client, "/?q=toplant%C4%B1&category=ekonomi&from=2025-01-01")
    chips = re.findall(r'<li><a href="([^"]+)" aria-label="([^"]+)">', page)
    assert ("/?q=toplant%C4%B1&amp;from=2025-01-01", "Ekonomi filtresini kaldır") in chips
    assert ("/?q=toplant%C4%B1&amp;category=ekonomi", "1 Ocak 2025 – … filtresini kaldır") in chips
    assert 'class="chips"' not in html(client, "/?q=toplant%C4%B1")


def test_quick_date_ranges_beside_the_date_fields(client):
    page = html(client, "/?q=toplant%C4%B1")
    for label in ("Son 24 saat", "Son 7 gün", "Son 30 gün", "Bu yıl"):
        assert re.search(
            rf'<a href="/\?q=toplant%C4%B1&amp;from=[-0-9]+&amp;to=[-0-9]+">{label}</a>', page
        )


# --- Turkish polish --------------------------------------------------------------------------


def test_category_names_are_shown_the_turkish_way(client):
    page = html(client, "/?q=deprem")
    assert '<span class="category">Sağlık</span>' in page


def test_the_bundled_articles_categories_have_their_turkish_names():
    """Each category the sample articles file under is shown with its Turkish letters
    (``cevre`` as ``Çevre``), not as its key capitalised."""
    from pathlib import Path

    from search.articles import read_article
    from search.storage.schema import category_key
    from web.present import CATEGORY_NAMES

    folder = Path(__file__).resolve().parent.parent / "articles"
    keys = {
        category_key(article.category)
        for path in folder.rglob("*.txt")
        if (article := read_article(path, folder)).category
    }
    assert keys, "the sample articles name their categories"
    assert sorted(keys - CATEGORY_NAMES.keys()) == []


def test_category_names_are_configurable(index_dir):
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "CATEGORY_NAMES": {"saglik": "Sağlık Haberleri"},
        }
    )
    assert '<span class="category">Sağlık Haberleri</span>' in html(app.test_client(), "/?q=deprem")


def test_invalid_sort_names_the_accepted_values(client):
    page = html(client, "/?q=toplant%C4%B1&sort=tarih", status=400)
    assert "Sıralama “relevance” (ilgiye göre) ya da “date” (tarihe göre) olabilir." in page
    assert "tarih”" not in page.split("Sıralama", 1)[1].split("olabilir", 1)[0].replace(
        "“date” (tarihe", ""
    )


def test_large_counts_use_a_thousands_dot():
    from web.present import turkish_count

    assert (turkish_count(4393), turkish_count(999), turkish_count(1234567)) == (
        "4.393",
        "999",
        "1.234.567",
    )
