"""What the page and API give readers beside results: completions (``/api/suggest``),
related articles, ``next_url``, the JSON link, the OpenSearch description, the phone
layout's markup and the Turkish wording. Flask's test client over the fixture index."""

from __future__ import annotations

import datetime
import re

import pytest

from conftest import BACKENDS, backend_app, write_articles

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

    from search import CATEGORY_NAMES
    from search.articles import read_article
    from search.storage.schema import category_key

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


#: Categories written with Turkish letters, in more than one way, and as a slug.
WRITTEN_CATEGORIES = {
    "dis1.txt": "title: Sınırda kar\ncategory: Dış Haberler\n\nSınırda kar yağdı.\n",
    "dis2.txt": "title: Komşuda kar\ncategory: Dış Haberler\n\nKomşuda kar yağdı.\n",
    "dis3.txt": "title: Adada kar\ncategory: DIŞ HABERLER\n\nAdada kar yağdı.\n",
    "bolge.txt": "title: Yaylada kar\ncategory: Bölge Haberleri\n\nYaylada kar var.\n",
    "ic1.txt": "title: Ovada tohum\ncategory: İÇ HABERLER\n\nOvada tohum ekildi.\n",
    "ic2.txt": "title: Köyde tohum\ncategory: iç haberler\n\nKöyde tohum ekildi.\n",
    "ic3.txt": "title: Kentte tohum\ncategory: iç haberler\n\nKentte tohum ekildi.\n",
    "sanat.txt": "title: Karda sergi\ncategory: kultur-sanat\n\nKar temalı sergi.\n",
}
WRITTEN_NAMES = {"Dış Haberler", "Bölge Haberleri", "İç Haberler", "Kültür-Sanat"}


@pytest.fixture
def written_client(tmp_path):
    from search.indexing.reindex import reindex
    from web import create_app

    reindex(write_articles(tmp_path / "docs", WRITTEN_CATEGORIES), tmp_path / "index")
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    return app.test_client()


def filter_labels(page: str) -> set[str]:
    """The names of the page's category checkboxes."""
    return set(re.findall(r'name="category" value="[^"]*" form="arama"[^>]*>\s*(.+?) <span', page))


@pytest.mark.parametrize("page", [1, 2, 4])
def test_categories_keep_their_turkish_letters_on_every_page(written_client, page):
    """Whichever articles a page of results holds, each category is named as most of
    its articles write it (a slug by its Turkish name), not rebuilt from its key."""
    found = html(written_client, f"/?q=kar+OR+tohum&per_page=2&page={page}")
    assert filter_labels(found) == WRITTEN_NAMES


def test_a_ticked_category_leaves_the_others_their_turkish_letters(written_client):
    found = html(written_client, "/?q=kar+OR+tohum&category=bolge+haberleri")
    assert filter_labels(found) == WRITTEN_NAMES
    assert 'aria-label="Bölge Haberleri filtresini kaldır">Bölge Haberleri <span' in found  # chip
    assert '<span class="category">Bölge Haberleri</span>' in found


def test_api_facets_name_categories_as_the_page_does(written_client):
    body = get_json(written_client, "/api/search?q=kar&per_page=1&page=2")
    facets = {f["value"]: f["name"] for f in body["facets"]["category"]}
    assert facets == {
        "dis haberler": "Dış Haberler",
        "bolge haberleri": "Bölge Haberleri",
        "kultur-sanat": "Kültür-Sanat",
    }
    assert all(list(f) == ["value", "count", "name"] for f in body["facets"]["category"])
    filtered = get_json(written_client, "/api/search?q=kar&category=dis+haberler")
    assert filtered["total"] == 3  # the value is what the filter takes


#: Two reports of a snowfall: one dated Turkey's day at 23:30 UTC on 14 January 2030
#: (already 02:30 on the 15th in Istanbul), one two days before it.
SNOW_ARTICLES = {
    "gece.txt": "title: Gece yarısı kar\ndate: 2030-01-15\n\nErzurum'da gece kar yağdı.\n",
    "once.txt": "title: İlk kar\ndate: 2030-01-13\n\nKars'ta ilk kar yağdı.\n",
}
LATE_EVENING_UTC = datetime.datetime(2030, 1, 14, 23, 30, tzinfo=datetime.UTC)


def snow_client(tmp_path, now: datetime.datetime, **config):
    """The app over :data:`SNOW_ARTICLES`, its clock stopped at ``now``."""
    from search.indexing.reindex import reindex
    from web import create_app

    reindex(write_articles(tmp_path / "docs", SNOW_ARTICLES), tmp_path / "index")
    settings = {"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "CLOCK": lambda: now}
    return create_app({**settings, **config}).test_client()


def quick_range(page: str, label: str) -> str:
    """The link of the quick date range ``label``."""
    return re.search(rf'<a href="([^"]+)">{label}</a>', page).group(1).replace("&amp;", "&")


def test_the_last_24_hours_end_on_the_newsrooms_day_not_the_servers(tmp_path):
    client = snow_client(tmp_path, LATE_EVENING_UTC)
    link = quick_range(html(client, "/?q=kar"), "Son 24 saat")
    assert "from=2030-01-14&to=2030-01-15" in link
    found = html(client, link)
    assert "Gece yarısı" in found and "İlk" not in found  # dated today in Turkey


def test_this_year_starts_on_the_newsrooms_new_year(tmp_path):
    new_year_in_istanbul = datetime.datetime(2030, 12, 31, 21, 30, tzinfo=datetime.UTC)
    client = snow_client(tmp_path, new_year_in_istanbul)
    assert "from=2031-01-01&to=2031-01-01" in quick_range(html(client, "/?q=kar"), "Bu yıl")


def test_the_newsrooms_time_zone_is_a_setting(tmp_path):
    client = snow_client(tmp_path, LATE_EVENING_UTC, TIME_ZONE="UTC")
    assert "from=2030-01-13&to=2030-01-14" in quick_range(html(client, "/?q=kar"), "Son 24 saat")


def test_without_time_zone_data_the_newsroom_keeps_turkeys_time(monkeypatch):
    import zoneinfo

    from web import present

    def no_data(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(present.zoneinfo, "ZoneInfo", no_data)
    zone = present.time_zone("Europe/Istanbul")
    assert present.local_day(LATE_EVENING_UTC, zone) == datetime.date(2030, 1, 15)
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        present.time_zone("Europe/Berlin")  # no other zone is guessed


def test_serve_refuses_a_time_zone_it_does_not_know(tmp_path):
    from click.testing import CliRunner

    from search.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--no-reindex", "--time-zone", "Mars/Olympus"])
    assert result.exit_code == 2 and "no time zone 'Mars/Olympus'" in result.output


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
