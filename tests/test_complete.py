"""Completions of a half-typed query (``Searcher.complete``), on a real index of titles we
wrote: Turkish capitals and letters, apostrophe suffixes, phrases."""

from __future__ import annotations

import time

import pytest

from conftest import write_articles
from search import Completion, Searcher, reindex
from search.searching.complete import CompletionTable

TITLES = [
    "Kırgızistan'da seçim sonuçları açıklandı",
    "KIRGIZİSTAN CUMHURBAŞKANI ANKARA'DA",
    "Kırgızistan ile Türkiye arasında yeni anlaşma",
    "İstanbul Büyükşehir Belediyesi yeni metro hattını açtı",
    "İstanbul Büyükşehir Belediyesi bütçesini açıkladı",
    "İstanbul Büyükşehir Belediyesi meclisi toplandı",
    "Deprem sonrası İstanbul'da toplantı",
    "Okullarda deprem tatbikatı yapıldı",
    "Kırgın taraftarlar stadı terk etti",
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    tmp_path = tmp_path_factory.mktemp("completions")
    articles = {
        f"haber/{number}.txt": f"title: {title}\n\nHaberin ayrıntıları yakında eklenecek.\n"
        for number, title in enumerate(TITLES)
    }
    index = tmp_path / "index"
    reindex(write_articles(tmp_path / "articles", articles), index)
    return Searcher(index)


def texts(found: list[Completion]) -> list[str]:
    return [completion.text for completion in found]


@pytest.mark.parametrize("typed", ["kirg", "KIRG", "kırg", "Kırgı"])
def test_a_name_is_completed_as_titles_write_it(searcher, typed):
    found = searcher.complete(typed)
    assert found[0] == Completion("Kırgızistan", 3)  # the apostrophe suffix is no word
    assert "Kırgın" in texts(found)


@pytest.mark.parametrize("typed", ["istanb", "İSTANB", "ıstanb", "istanbul"])
def test_dotted_capital_i_is_found_from_any_i(searcher, typed):
    assert texts(searcher.complete(typed))[0] == "İstanbul"


def test_a_phrase_of_several_titles_is_offered(searcher):
    found = texts(searcher.complete("istanbul büy"))
    assert found[:2] == ["İstanbul Büyükşehir", "İstanbul Büyükşehir Belediyesi"]


def test_a_word_is_shown_in_lower_case_when_titles_write_it_so(searcher):
    # "Deprem" starts a title, "deprem" stands inside one: the inside form wins
    assert texts(searcher.complete("depr")) == ["deprem"]


def test_the_last_word_is_completed_after_the_others_as_typed(searcher):
    assert texts(searcher.complete("seçim tatb")) == ["seçim tatbikatı"]


def test_most_frequent_first_and_limited(searcher):
    found = searcher.complete("i", limit=2)
    assert len(found) == 2 and found[0].titles >= found[1].titles


@pytest.mark.parametrize("typed", ["", "   ", "zzzq", "x" * 500])
def test_nothing_to_complete(searcher, typed):
    assert searcher.complete(typed) == []


def test_phrases_stop_at_punctuation_and_stop_words():
    table = CompletionTable.from_titles(["Ankara, İzmir ve Van"] * 3)
    assert texts(table.complete("ankara ")) == []
    # "İzmir ve" ends with a stop word; one inside a phrase is kept; alone it is no completion
    assert texts(table.complete("izmir")) == ["İzmir", "İzmir ve Van"]
    assert texts(table.complete("ve")) == []


def test_articles_sharing_a_title_each_count():
    """A title carried by several articles counts once per article, for the phrases it
    offers and for the way its words are shown."""
    table = CompletionTable.from_titles(
        ["Deprem bölgesinde son durum"] * 12 + ["Okulda deprem tatbikatı", "Son durum"]
    )
    assert table.complete("deprem b") == [
        Completion("Deprem bölgesinde", 12),
        Completion("Deprem bölgesinde son", 12),
    ]
    # twelve sentence starts (a tenth each) outweigh the one title writing it in lower case
    assert table.complete("depr") == [
        Completion("Deprem", 13),
        Completion("Deprem bölgesinde", 12),
        Completion("Deprem bölgesinde son", 12),
    ]
    assert table.complete("son d") == [Completion("son durum", 13)]


def test_after_a_reindex_the_new_titles_are_completed(tmp_path):
    """The table of the commit before answers until a thread has built the new one."""
    docs = write_articles(tmp_path / "articles", {"a.txt": "title: Rize'de çay hasadı\n\nÇay.\n"})
    reindex(docs, tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    assert texts(searcher.complete("trab")) == []
    write_articles(docs, {"b.txt": "title: Trabzon'da kar yağışı\n\nKar.\n"})
    reindex(docs, tmp_path / "index")
    for _ in range(300):  # a new reader within REFRESH_SECONDS, then the table's build
        if texts(searcher.complete("trab")) == ["Trabzon"]:
            break
        time.sleep(0.1)
    assert texts(searcher.complete("trab")) == ["Trabzon"]
    assert texts(searcher.complete("rize")) == ["Rize"]


def test_a_warmed_up_searcher_has_its_completion_table_before_the_first_search(
    tmp_path, monkeypatch
) -> None:
    """A worker builds the table before it answers anyone, not beside its first searches
    (their memory stayed scattered among the table's passing words)."""
    from search.searching import searcher as searcher_module

    docs = write_articles(
        tmp_path / "docs", {"a.txt": "title: Trabzon'da kar\n\nYollar kapandı.\n"}
    )
    reindex(docs, tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    searcher.warm_up()

    def unread(*_, **__):
        raise AssertionError("titles read after warming up")

    monkeypatch.setattr(searcher_module, "read_titles", unread)
    assert texts(searcher.complete("trab")) == ["Trabzon"]
