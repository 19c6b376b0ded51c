"""Words news writes both as one and as two (``koronavirüs`` and ``korona virüs``,
``havaalanı`` and ``hava alanı``): either way a reader types them finds both, over the
embedded index and over an index on a real OpenSearch cluster."""

from __future__ import annotations

import re

import pytest

from conftest import BACKENDS, write_articles
from search.opensearch.backend import Backend
from search.searching.engine import PhraseClause
from search.searching.query import parse_query
from search.searching.querybuild import compile_query

MARKED = re.compile(r"<mark>(.*?)</mark>")

ARTICLES = {
    "salgin.txt": (
        "title: Salgında yeni önlemler\n\n"
        "Koronavirüs salgını nedeniyle okullar bir hafta kapalı kalacak. "
        "Koronavirüsün yayılmasını önlemek için maske zorunlu oldu.\n"
    ),
    "asi.txt": (
        "title: Aşı takvimi açıklandı\n\n"
        "Sağlık Bakanlığı korona virüs aşısının ilk dozlarının hafta sonu yapılacağını "
        "duyurdu.\n"
    ),
    "gunes.txt": (
        "title: Güneş gözlemi\n\n"
        "Gökbilimciler Güneş'in korona katmanını inceledi. Aynı ekip bilgisayar virüs "
        "saldırısına uğradı.\n"
    ),
    "koro.txt": (
        "title: Konser\n\n"
        "Çocuk korosu yılın son konserini verdi; koroya alkış yağdı, koronun şefi teşekkür "
        "etti.\n"
    ),
    "ucus.txt": (
        "title: Uçuşlar normale döndü\n\n"
        "Sis nedeniyle kapanan havaalanında uçuşlar yeniden başladı.\n"
    ),
    "terminal.txt": "title: Yeni terminal\n\nŞehrin yeni hava alanı yarın açılıyor.\n",
    "alan.txt": ("title: Yeşil alan\n\nBelediye boş alanı parka çevirdi; hava da güzeldi.\n"),
    "tarih.txt": (
        "title: Müze\n\nŞehrin tarihinde ilk kez bir müze açıldı; tarih meraklıları sevindi.\n"
    ),
    "hukumet.txt": (
        "title: Karar\n\nHükümetin kararı açıklandı. Mahkeme hüküm verdi; kasaplar etin "
        "fiyatını düşürdü.\n"
    ),
    "saat.txt": (
        "title: Saat\n\nSaatin ayarlama vidası kırıldı, ayar tutmadı. Hayvanat bahçesinde "
        "bir lama doğdu.\n"
    ),
    "eskisehir.txt": "title: Kar\n\nEskişehir'de kar yağışı etkili oldu.\n",
    "surlar.txt": "title: Gezi\n\nTuristler eski şehir surlarını gezdi.\n",
    "dil.txt": (
        "title: Eski yazı\n\nEski metinlerde inde diye okunan ek, bugün -inde yazılıyor.\n"
    ),
    **{  # enough others that a word of three articles in twenty is rare (its stem counts)
        f"liman-{number}.txt": f"title: Liman {number}\n\nLiman ihalesi yapıldı.\n"
        for number in range(80)
    },
}


@pytest.fixture(scope="module", params=BACKENDS)
def searcher(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The articles indexed by each backend (on the cluster, an index of their own)."""
    folder = tmp_path_factory.mktemp("written-apart")
    docs = write_articles(folder / "articles", ARTICLES)
    if request.param == "embedded":
        backend = Backend.choose("embedded", folder / "index")
    else:
        cluster = request.getfixturevalue("opensearch_cluster")
        backend = Backend.choose("opensearch", folder / "index", cluster.url, "written-apart")
    report = backend.reindex(docs)
    assert not report.failed, report.failed
    return backend.searcher()


def full_matches(page) -> list[str]:
    """The ids of the results that lack none of the query's words, best first."""
    return [hit.id for hit in page.results if not hit.missing]


def test_two_words_typed_apart_find_the_word_written_as_one(searcher) -> None:
    """``korona virüs`` finds and marks ``Koronavirüs`` and ``Koronavirüsün`` as a full
    match, ranked above the article holding both words in other senses far apart."""
    page = searcher.search("korona virüs")
    matched = full_matches(page)
    assert "salgin" in matched
    assert matched.index("salgin") < matched.index("gunes")
    salgin = next(hit for hit in page.results if hit.id == "salgin")
    assert "<mark>Koronavirüs</mark>" in salgin.snippet + salgin.title_html
    assert "<mark>Koronavirüsün</mark>" in salgin.snippet


def test_two_words_typed_apart_find_a_compound_with_its_suffixes(searcher) -> None:
    """``hava alanı`` finds the article writing ``havaalanında``, after the one writing
    ``hava alanı`` as typed and before the one holding ``hava`` and ``alanı`` apart."""
    page = searcher.search("hava alanı")
    assert full_matches(page)[:3] == ["terminal", "ucus", "alan"]
    ucus = next(hit for hit in page.results if hit.id == "ucus")
    assert "<mark>havaalanında</mark>" in ucus.snippet


def test_a_word_written_as_one_finds_its_two_words_standing_together(
    searcher,
) -> None:
    """``koronavirüs`` finds ``korona virüs`` written apart, and marks it, but not
    ``korona`` and ``virüs`` in two sentences."""
    page = searcher.search("koronavirüs")
    found = [hit.id for hit in page.results]
    assert set(found) == {"salgin", "asi"}
    asi = next(hit for hit in page.results if hit.id == "asi")
    assert "<mark>korona</mark> <mark>virüs</mark>" in asi.snippet


def test_a_compound_the_dictionary_lists_finds_its_two_words_standing_together(
    searcher,
) -> None:
    """``havaalanı`` finds ``hava alanı`` written apart, and marks it, beside its own
    forms (``havaalanında``); not ``hava`` and ``alanı`` apart."""
    page = searcher.search("havaalanı")
    assert {hit.id for hit in page.results} == {"ucus", "terminal"}
    terminal = next(hit for hit in page.results if hit.id == "terminal")
    assert "<mark>hava</mark> <mark>alanı</mark>" in terminal.snippet


def test_a_name_is_not_split_into_two_words(searcher) -> None:
    """``Eskişehir`` is the city, not ``eski şehir`` (an old town): the article on an old
    town's walls is not found, though the dictionary lists both words."""
    assert [hit.id for hit in searcher.search("Eskişehir").results] == ["eskisehir"]


def test_a_dictionary_words_inflection_is_not_split(searcher) -> None:
    """``tarihinde`` is ``tarih`` with suffixes (not ``tarih`` and ``inde``), and
    ``hükümetin`` is ``hükümet`` with one (not ``hüküm`` and ``etin``, the meat's), and
    ``ayarlama`` is made of ``ayar`` with ``-la`` and ``-ma`` (not ``ayar`` and ``lama``),
    though the articles hold each of those words: each is searched as one word, not also
    as a phrase of two, and finds its own article only."""
    vocabulary = searcher._current().vocabulary
    held = ("tarih", "inde", "hukum", "etin", "ayar", "lama")
    assert all(map(vocabulary.is_indexed, held))
    for query in ("tarihinde", "hükümetin", "ayarlama", "koronavirüs"):
        groups = compile_query(parse_query(query), vocabulary).groups
        phrases = [c for group in groups for c in group if isinstance(c, PhraseClause)]
        assert bool(phrases) == (query == "koronavirüs"), query
    assert [hit.id for hit in searcher.search("tarihinde").results] == ["tarih"]
    assert [hit.id for hit in searcher.search("hükümetin").results] == ["hukumet"]


def test_a_word_the_lexicon_lacks_is_not_read_as_a_shorter_word(searcher) -> None:
    """``korona`` is no ``koro`` + ``-n`` + ``-a`` ("to your choir"): the choir's article
    is neither found nor marked."""
    page = searcher.search("korona")
    assert {hit.id for hit in page.results} == {"asi", "gunes"}
    marks = {mark.lower() for hit in page.results for mark in MARKED.findall(hit.snippet)}
    assert marks == {"korona"}
