"""Searching a real on-disk index: the Turkish rules, ranking, phrases and the query language."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT, write_articles
from search.errors import BadParameter, IndexMissing
from search.indexing.reindex import reindex
from search.searching.query import parse_query
from search.searching.searcher import REFRESH_SECONDS, Searcher
from search.storage.store import open_index

SEED_EXAMPLE = ROOT.parent / "shared" / "seed" / "000_1e033fb6aa629b6a.txt"


def ids(searcher: Searcher, query: str, **options) -> list[str]:
    return [hit.id for hit in searcher.search(query, **options).results]


def searcher_over(tmp_path: Path, articles: dict[str, str]) -> Searcher:
    """A searcher over a fresh index of ``articles`` (``{file name: text}``)."""
    reindex(write_articles(tmp_path / "docs", articles), tmp_path / "index")
    return Searcher(tmp_path / "index")


@pytest.fixture
def searcher(index_dir: Path) -> Searcher:
    return Searcher(index_dir)


@pytest.mark.parametrize(
    "query",
    ["toplantı", "Bişkek", "biskek", "KIRGIZİSTAN", "kirgizistan", "Kırgızistan'ın",
     "konsey", "uydu", "gazeteci", "güvenlik konseyi", '"Güvenlik Konseyi"', "TDT'nin",
     "tdt", "40"],
)  # fmt: skip
def test_turkish_queries_find_the_summit_article(searcher: Searcher, query: str) -> None:
    assert "2025/09/biskek-zirvesi" in ids(searcher, query)


def test_phrase_is_exact_and_ordered(searcher: Searcher) -> None:
    found = searcher.search('"güvenlik konseyi"')
    assert [hit.id for hit in found.results] == ["2025/09/biskek-zirvesi"]
    assert found.phrases_not_found == []
    assert searcher.search('"konseyi güvenlik"').phrases_not_found == ["konseyi güvenlik"]


def test_a_phrase_some_article_holds_finds_only_its_holders(tmp_path: Path) -> None:
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Kurul\n\nGüvenlik konseyi bugün toplandı.\n",
            "b.txt": "title: Rapor\n\nKonseyi bekleyen güvenlik raporu açıklandı.\n",
        },
    )
    assert ids(searcher, "güvenlik konseyi") == ["a", "b"]  # both hold both words
    page = searcher.search('"güvenlik konseyi"')
    assert [hit.id for hit in page.results] == ["a"]
    assert page.phrases_not_found == []


def test_a_phrase_no_article_holds_is_searched_as_its_words(tmp_path: Path) -> None:
    """A pasted headline quoting speech the article reports in other words finds it, and
    the page names the phrase that was not found as written."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Seçim gecesi\n\nAday, sabaha kadar hiç uyumadık dedi.\n",
            "b.txt": "title: Kutlama\n\nTaraftarlar sabaha kadar kutlama yaptı.\n",
            "c.txt": "title: Hava\n\nYarın hava güneşli olacak.\n",
        },
    )
    page = searcher.search('"Sabaha kadar uyumadık"')
    assert page.phrases_not_found == ["Sabaha kadar uyumadık"]
    assert [hit.id for hit in page.results] == ["a", "b"]
    assert "<mark>uyumadık</mark>" in page.results[0].snippet
    assert page.to_dict()["phrases_not_found"] == ["Sabaha kadar uyumadık"]
    beside = searcher.search('kutlama "sabaha kadar uyumadık"')  # with a word found as typed
    assert beside.phrases_not_found == ["sabaha kadar uyumadık"]
    assert {hit.id for hit in beside.results} == {"a", "b"}
    assert "phrases_not_found" not in searcher.search('"sabaha kadar"').to_dict()


def test_a_one_letter_prefix_is_searched_as_a_word_and_named(tmp_path: Path) -> None:
    """``k*`` would be thousands of words cut at an arbitrary 256: it is searched as the
    word ``k`` and the page says so; ``ka*`` is a prefix."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Plan K\n\nBakanlık plan K için hazırlık yaptı.\n",
            "b.txt": "title: Kış\n\nKara kış kapıya dayandı, kar yağdı.\n",
        },
    )
    page = searcher.search("k*")
    assert page.short_prefixes == ["k*"]
    assert [hit.id for hit in page.results] == ["a"]
    assert page.to_dict()["short_prefixes"] == ["k*"]
    prefix = searcher.search("ka*")
    assert prefix.short_prefixes == [] and "short_prefixes" not in prefix.to_dict()
    assert [hit.id for hit in prefix.results] == ["b"]
    assert searcher.search("kara -a*").short_prefixes == ["a*"]


@pytest.mark.parametrize("query", ["şikayet", "şikâyet", "sikayet", "dükkân", "dükkan"])
def test_a_word_with_or_without_a_circumflex_finds_both_spellings_inflected(
    tmp_path: Path, query: str
) -> None:
    """``şikâyet`` and ``şikayet`` are one word, and one archive writes it both ways."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Esnaf\n\nEsnafın şikâyetleri iletildi, dükkânlarını kapattılar.\n",
            "b.txt": "title: Pazar\n\nPazarcıların şikayetleri dinlendi, dükkanlarını açtılar.\n",
            "c.txt": "title: Hava\n\nYarın hava güneşli olacak.\n",
        },
    )
    page = searcher.search(query)
    assert sorted(hit.id for hit in page.results) == ["a", "b"]
    marked = {hit.id: re.findall(r"<mark>(.*?)</mark>", hit.snippet) for hit in page.results}
    expected = {"a": "şikâyetleri", "b": "şikayetleri"}
    if query.startswith("d"):
        expected = {"a": "dükkânlarını", "b": "dükkanlarını"}
    assert marked == {article: [word] for article, word in expected.items()}


def test_i_lower_cased_by_other_rules_and_a_zero_width_space_read_as_words(
    tmp_path: Path,
) -> None:
    """Other languages lower-case ``İ`` as ``i`` + a combining dot (``i̇stanbul``), and a
    zero-width space stands between words: neither splits nor glues a word."""
    dotted = "i\u0307stanbul"
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": f"title: Liman\n\n{dotted} limanında dolar\u200bkuru konuşuldu.\n",
            "b.txt": "title: Hava\n\nYarın hava güneşli olacak.\n",
        },
    )
    for query in ("İstanbul", "istanbul", dotted, "kuru", "dolar kuru", '"dolar kuru"'):
        assert [hit.id for hit in searcher.search(query).results] == ["a"], query
    assert "<mark>istanbul</mark>" in searcher.search(dotted).results[0].snippet
    assert searcher.search(dotted).results[0].missing == []


def test_and_not_and_plus_read_as_other_search_engines_read_them(tmp_path: Path) -> None:
    """``AND`` and ``+word`` add nothing to plain words, ``NOT word`` is ``-word``: they
    were searched as words (``missing: ['AND']``, ``'+ankara'``)."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Ankara\n\nAnkara'daki toplantıya bakanlar katıldı.\n",
            "b.txt": "title: Bişkek\n\nBişkek'teki toplantıda anlaşma imzalandı.\n",
            "c.txt": "title: Hava\n\nAnkara'da yarın hava güneşli olacak.\n",
        },
    )
    plain = [(hit.id, hit.missing) for hit in searcher.search("toplantı ankara").results]
    assert plain[0] == ("a", [])
    for query in ("toplantı AND ankara", "+toplantı +ankara"):
        page = searcher.search(query)
        assert [(hit.id, hit.missing) for hit in page.results] == plain, query
    assert [hit.id for hit in searcher.search("toplantı NOT ankara").results] == ["b"]
    assert ids(searcher, "toplantı NOT ankara") == ids(searcher, "toplantı -ankara")


def test_two_categories_in_the_query_mean_either_as_two_category_parameters_do(
    tmp_path: Path,
) -> None:
    """An article has one category: ``category:spor category:ekonomi`` found nothing."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Derbi\ncategory: spor\n\nGalatasaray derbiyi kazandı.\n",
            "b.txt": "title: Borsa\ncategory: ekonomi\n\nGalatasaray hisseleri arttı.\n",
            "c.txt": "title: Konser\ncategory: magazin\n\nGalatasaray adasında konser.\n",
        },
    )
    both = sorted(ids(searcher, "galatasaray category:spor category:ekonomi"))
    assert both == ["a", "b"]
    parameters = searcher.search("galatasaray", categories=["spor", "ekonomi"])
    assert sorted(hit.id for hit in parameters.results) == both


def test_by_date_the_articles_holding_every_word_come_first(tmp_path: Path) -> None:
    """Newest first, but a newer article lacking a word (added because fewer than a page
    hold them all) comes after the older one holding every word."""
    searcher = searcher_over(
        tmp_path,
        {
            "tam.txt": "title: Bakan\ndate: 2024-01-05\n\nBakan enflasyon verisini açıkladı.\n",
            "yeni.txt": "title: Bakan\ndate: 2025-03-01\n\nBakan yeni yolu açtı.\n",
            "daha-yeni.txt": "title: Fiyat\ndate: 2025-06-01\n\nEnflasyon yüzde üç oldu.\n",
            "tarihsiz.txt": "title: Bakan\n\nBakan enflasyon hedefini anlattı.\n",
        },
    )
    page = searcher.search("enflasyon bakan", sort="date")
    assert page.relaxed
    assert [hit.id for hit in page.results] == ["tam", "tarihsiz", "daha-yeni", "yeni"]


def test_a_phrase_is_marked_where_it_stands_whole(tmp_path: Path) -> None:
    """A word of a quoted phrase is marked only inside the phrase, unless the query also
    asks for it alone."""
    searcher = searcher_over(
        tmp_path,
        {
            "a.txt": "title: Güvenlik\n\nGüvenlik Konseyi bugün toplandı. Konseyi eleştirenler"
            " var, güvenlik önlemleri de.\n",
            "b.txt": "title: Rapor\n\nKonseyi bekleyen güvenlik raporu açıklandı.\n",
        },
    )
    hit = searcher.search('"güvenlik konseyi"').results[0]
    assert hit.id == "a" and hit.title_html == "Güvenlik"
    assert re.findall(r"<mark>(.*?)</mark>", hit.snippet) == ["Güvenlik", "Konseyi"]
    also_alone = searcher.search('güvenlik "güvenlik konseyi"').results[0]
    assert also_alone.title_html == "<mark>Güvenlik</mark>"
    assert re.findall(r"<mark>(.*?)</mark>", also_alone.snippet) == [
        "Güvenlik",
        "Konseyi",
        "güvenlik",
    ]


def test_a_short_query_matches_its_word_by_the_stem_of_its_inflections(tmp_path: Path) -> None:
    """Snowball stems ``toplantı`` as ``topla`` (the stem of ``toplandı``, ``toplama``) but
    ``toplantıya`` as ``toplantı``; in an archive where ``topla`` is rare enough to be used,
    an article on a council that convened outranked the ones on the meeting."""
    articles = {
        f"dolgu{number}.txt": f"title: Hava {number}\n\nŞehirde hava {number} derece olacak.\n"
        for number in range(30)
    }
    articles |= {
        "meclis.txt": "title: Meclis toplandı\n\nMeclis bugün olağanüstü toplandı.\n",
        "bakanlar.txt": "title: Bakanlar\n\nBakanlar Bişkek'teki toplantıya katıldı.\n",
        "butce.txt": "title: Bütçe\n\nBütçe toplantısında kararlar alındı.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    assert sorted(ids(searcher, "toplantı")) == ["bakanlar", "butce"]
    assert ids(searcher, "toplandı")[0] == "meclis"


def test_a_typo_is_corrected_to_the_nearest_word_however_many_are_two_edits_away(
    tmp_path: Path,
) -> None:
    """``deprm`` is one edit from ``deprem`` and two from ``dere``, ``deri``, ``derim``,
    ``ders`` and ``dert``, which sort after it: the nearest word must win."""
    words = ["dere", "deri", "derim", "ders", "dert", "derviş"]
    articles = {f"{word}.txt": f"title: {word}\n\nBugün {word} konuşuldu.\n" for word in words}
    articles["deprem.txt"] = "title: Deprem\n\nKentte deprem oldu.\n"
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("deprm")
    assert page.corrected == "deprem"
    assert [hit.id for hit in page.results] == ["deprem"]


def test_a_typo_one_article_shares_still_gets_a_suggestion(tmp_path: Path) -> None:
    """``galatasray`` is in one article: its results are shown, with the far more used
    ``galatasaray`` suggested; a rare word with no such neighbour gets none."""
    articles = {
        f"mac{number}.txt": f"title: Maç {number}\n\nGalatasaray akşam {number}. maça çıkıyor.\n"
        for number in range(12)
    }
    articles["yazim.txt"] = "title: Transfer\n\nGalatasray yeni bir oyuncuyla anlaştı.\n"
    articles["nadir.txt"] = "title: Nadir\n\nZeytinyağlı enginar tarifi paylaşıldı.\n"
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("galatasray")
    assert [hit.id for hit in page.results] == ["yazim"]
    assert page.suggestion == "galatasaray" and page.corrected is None
    assert searcher.search("enginar").suggestion is None


def test_a_function_word_is_never_suggested(tmp_path: Path) -> None:
    """``bolu`` in an archive without it is two letters from ``bu`` (this), used in every
    article: a reader who typed a name was not after a function word."""
    articles = {
        f"haber{number}.txt": f"title: Haber {number}\n\nBu akşam {number}. toplantı yapıldı.\n"
        for number in range(6)
    }
    searcher = searcher_over(tmp_path, articles)
    assert searcher.search("bolu").suggestion is None
    assert searcher.search("toplnti").corrected == "toplantı"  # (a word is corrected)


def test_capitals_never_change_a_result(searcher: Searcher) -> None:
    upper = searcher.search("KIRGIZİSTAN")
    lower = searcher.search("kırgızistan")
    assert [(h.id, h.score) for h in upper.results] == [(h.id, h.score) for h in lower.results]
    assert ids(searcher, "IĞDIR") == ids(searcher, "ığdır") == ["2025/10/izmir-liman"]
    assert ids(searcher, "ISPARTA") == ids(searcher, "ısparta") == ["2025/10/izmir-liman"]


def test_dictionary_form_finds_inflected_forms(searcher: Searcher) -> None:
    assert "saglik/deprem-tatbikati" in ids(searcher, "deprem")  # only depremin, depremde
    assert "ekonomi/secim" in ids(searcher, "seçim")  # only seçimlerde, seçimin
    assert "spor/derbi" in ids(searcher, "gazeteci")  # only gazetecilerin


def test_inflected_query_finds_the_dictionary_form(tmp_path: Path) -> None:
    searcher = searcher_over(
        tmp_path, {"a.txt": "title: Kurul\n\nKurul toplantı tarihini açıkladı.\n"}
    )
    assert ids(searcher, "toplantıya") == ["a"]


def test_an_inflection_typed_with_turkish_letters_finds_its_short_dictionary_form(
    tmp_path: Path,
) -> None:
    """``aşısı`` is ``aşı`` + ``-sı``: an article holding ``Asis`` (which ``aşısı`` folds to
    with ``-ı`` after it) does not stand in the way of the vaccine article."""
    searcher = searcher_over(
        tmp_path,
        {
            "asi.txt": "title: Takvim\n\nBakanlık yeni aşı takvimini açıkladı.\n",
            "asis.txt": "title: İhale\n\nİhaleyi Asis adlı firma kazandı.\n",
        },
    )
    page = searcher.search("aşısı")
    assert [hit.id for hit in page.results] == ["asi"]
    assert "<mark>aşı</mark>" in page.results[0].snippet


def test_an_untitled_article_is_ranked_with_its_lead_as_title(tmp_path: Path) -> None:
    """Two untitled articles with the same words: the one whose lead holds the word ranks
    first (by id it would come second), and still shows its first sentence as title."""
    filler = " ".join(["Bugün hava açık ve serin olacak."] * 20)  # 120 words
    searcher = searcher_over(
        tmp_path,
        {
            "a-derinde.txt": f"{filler} Liman yeniden açıldı.\n",
            "z-giriste.txt": f"Kurul toplandı. Liman yeniden açıldı. {filler}\n",
        },
    )
    page = searcher.search("liman")
    assert [hit.id for hit in page.results] == ["z-giriste", "a-derinde"]
    first = page.results[0]
    assert (first.title, first.title_html, first.title_derived) == (
        "Kurul toplandı",
        "Kurul toplandı",
        True,
    )
    assert searcher.article("z-giriste").title == "Kurul toplandı"


def test_title_search_counts_an_untitled_articles_lead_as_its_title(tmp_path: Path) -> None:
    searcher = searcher_over(
        tmp_path,
        {
            "basliksiz.txt": "Kurul toplandı. Liman yeniden açıldı.\n",
            "baslikli.txt": "title: Kurul toplandı\n\nLiman yeniden açıldı.\n",
        },
    )
    assert ids(searcher, "title:liman") == ["basliksiz"]
    assert ids(searcher, "title:kurul") == ["baslikli", "basliksiz"]
    phrase = searcher.search('title:"liman yeniden"')  # in the lead, not the first sentence
    assert [hit.id for hit in phrase.results] == ["basliksiz"]
    assert phrase.phrases_not_found == []
    assert ids(searcher, 'title:"yeniden liman"') == ["basliksiz"]  # searched as its words


def test_exact_form_ranks_above_inflected_only(tmp_path: Path) -> None:
    searcher = searcher_over(
        tmp_path,
        {
            "inflected.txt": "title: Haber bir\n\nYarın toplantıya bakanlar katılacak.\n",
            "exact.txt": "title: Haber iki\n\nYarın toplantı bakanlarla yapılacak.\n",
        },
    )
    assert ids(searcher, "toplantı") == ["exact", "inflected"]


def test_an_inflection_typed_ranks_the_articles_holding_it_first(tmp_path: Path) -> None:
    """A reader who types ``hastaneye`` is after ``hastaneye kaldırıldı``: the article
    holding the form as typed ranks above one holding many other forms of the word."""
    searcher = searcher_over(
        tmp_path,
        {
            "typed.txt": "title: Kaza\n\nYaralı sürücü ambulansla hastaneye kaldırıldı.\n",
            "others.txt": (
                "title: Hastaneler\n\nHastane sayısı arttı. Yeni hastanelerin yapımı "
                "sürüyor; hastanede yatak sayısı, hastanenin bahçesi ve hastanelerde "
                "bekleme süreleri konuşuldu.\n"
            ),
        },
    )
    assert ids(searcher, "hastaneye") == ["typed", "others"]
    assert ids(searcher, "hastaneye kaldırıldı") == ["typed", "others"]


def test_equal_scores_are_ordered_by_article_id_not_by_indexing_order(tmp_path: Path) -> None:
    text = "title: Liman haberi\n\nLimanda yeni vinçler çalışmaya başladı.\n"
    docs = write_articles(tmp_path / "docs", {"m.txt": text})
    reindex(docs, tmp_path / "index")
    write_articles(docs, {"a.txt": text, "z.txt": text})
    reindex(docs, tmp_path / "index")  # a is indexed after m, in a later segment
    response = Searcher(tmp_path / "index").search("liman")
    assert len({hit.score for hit in response.results}) == 1
    assert [hit.id for hit in response.results] == ["a", "m", "z"]


@pytest.mark.parametrize(
    "query", ["toplantı", "toplantı zzyzx", 'toplantı "zzyzx toplantı"', "toplantı z*"]
)
def test_a_page_as_a_dict_holds_every_field_of_its_results_and_facets(index_dir, query):
    """What the API and ``--json`` print: the page's fields, each result's and each facet
    count's, in their order (``relaxed`` only when the page is relaxed,
    ``phrases_not_found`` only when a phrase was searched as its words, ``corrected`` only
    when a suggestion was searched instead, ``short_prefixes`` only when a prefix had one
    letter, ``total_at_least`` only when a phrase's checks stopped short)."""
    page = Searcher(index_dir).search(query)
    assert page.results and page.facets
    expected = dataclasses.asdict(page)
    if not page.relaxed:
        del expected["relaxed"]
    if not page.phrases_not_found:
        del expected["phrases_not_found"]
    del expected["corrected"]
    if not page.short_prefixes:
        del expected["short_prefixes"]
    if not page.total_at_least:
        del expected["total_at_least"]
    assert page.to_dict() == expected
    assert json.dumps(page.to_dict()) == json.dumps(expected)  # the same key order
    assert ("relaxed" in page.to_dict()) == (query != "toplantı")
    assert ("phrases_not_found" in page.to_dict()) == ('"' in query)
    assert ("short_prefixes" in page.to_dict()) == ("*" in query)
    assert "total_at_least" not in page.to_dict()


def test_a_repeated_search_is_answered_from_the_kept_page_until_a_reindex(
    tmp_path: Path,
) -> None:
    text = "title: Liman haberi\n\nLimanda yeni vinçler çalışmaya başladı.\n"
    docs = write_articles(tmp_path / "docs", {"a.txt": text})
    reindex(docs, tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    first, again = searcher.search("liman"), searcher.search("liman")
    assert again.results[0] is first.results[0]  # the kept page, not a new ranking
    assert again.to_dict() | {"took_ms": 0} == first.to_dict() | {"took_ms": 0}
    assert searcher.search("liman", per_page=5).results[0] is not first.results[0]

    write_articles(docs, {"b.txt": text})
    reindex(docs, tmp_path / "index")
    time.sleep(REFRESH_SECONDS + 0.1)
    assert [hit.id for hit in searcher.search("liman").results] == ["a", "b"]


def test_a_words_forms_and_a_typos_correction_are_worked_out_again_after_a_reindex(
    tmp_path: Path,
) -> None:
    """What a search keeps of a word between queries (its forms, its correction) is the
    open reader's: a reindex bringing new forms and new words is searched with them."""
    text = "title: Liman haberi\n\nLimanda yeni vinçler çalışmaya başladı.\n"
    docs = write_articles(tmp_path / "docs", {"a.txt": text})
    reindex(docs, tmp_path / "index")
    searcher = Searcher(tmp_path / "index", cache_pages=False)
    assert ids(searcher, "toplantı") == []
    assert searcher.search("kırgıstan").suggestion is None

    summit = "title: Zirve\n\nKırgızistan'daki toplantıya bakanlar katıldı.\n"
    write_articles(docs, {"b.txt": summit})
    reindex(docs, tmp_path / "index")
    time.sleep(REFRESH_SECONDS + 0.1)
    assert ids(searcher, "toplantı") == ["b"]
    page = searcher.search("kırgıstan")
    assert (page.corrected, [hit.id for hit in page.results]) == ("kırgızistan", ["b"])


def test_a_searcher_without_kept_pages_ranks_every_search_afresh(tmp_path: Path) -> None:
    text = "title: Liman haberi\n\nLimanda yeni vinçler çalışmaya başladı.\n"
    reindex(write_articles(tmp_path / "docs", {"a.txt": text}), tmp_path / "index")
    searcher = Searcher(tmp_path / "index", cache_pages=False)
    first, again = searcher.search("liman"), searcher.search("liman")
    assert again.results[0] is not first.results[0]
    assert again.results == first.results


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_postings_are_mapped_and_stored_articles_read(searcher: Searcher) -> None:
    """A worker's memory must not fill with every stored article its searches touched
    (mapped, the kernel maps each read's neighbours too)."""
    assert searcher.search("toplantı").results[0].snippet
    mapped = Path("/proc/self/maps").read_text()
    assert ".arr\n" in mapped
    assert "._stored.col" not in mapped


def test_title_match_ranks_above_body_match(tmp_path: Path) -> None:
    searcher = searcher_over(
        tmp_path,
        {
            "body.txt": "title: Günün haberleri\n\nBugün liman hakkında kısa bir not düşüldü.\n",
            "title.txt": "title: Liman büyüyor\n\nBugün yapılan açıklama dikkat çekti.\n",
        },
    )
    assert ids(searcher, "liman") == ["title", "body"]


def test_snippet_marks_inflected_and_apostrophe_forms(searcher: Searcher) -> None:
    hit = searcher.search("toplantı").results
    summit = next(h for h in hit if h.id == "2025/09/biskek-zirvesi")
    assert "<mark>toplantıya</mark>" in summit.title_html  # the first sentence, as title
    assert "<mark>Toplantının</mark>" in summit.snippet
    biskek = searcher.search("biskek").results[0]
    assert "<mark>Bişkek'teki</mark>" in biskek.title_html


def test_an_apostrophe_look_alike_keeps_the_word_whole(tmp_path: Path) -> None:
    """``Bişkek´te`` (an acute accent typed for the apostrophe) is ``Bişkek``, marked whole:
    it was two words, and ``te`` was named as missing."""
    searcher = searcher_over(tmp_path, {"a.txt": "title: Zirve\n\nBakanlar Bişkek´te buluştu.\n"})
    page = searcher.search("Bişkek′te")
    assert [(hit.id, hit.missing) for hit in page.results] == [("a", [])]
    assert "<mark>Bişkek´te</mark>" in page.results[0].snippet


def test_a_title_taken_from_the_first_sentence_is_not_repeated_in_the_snippet(
    searcher: Searcher,
) -> None:
    summit = searcher.search("toplantı sahibi").results[0]
    assert summit.title_derived and summit.title.startswith("Türk Devletleri Teşkilatı")
    assert summit.snippet.startswith("<mark>Toplantının</mark> ev <mark>sahibi</mark>")
    assert "Türk Devletleri" not in summit.snippet


def test_no_full_stop_before_the_closing_ellipsis() -> None:
    from search.searching.highlight import snippet
    from search.searching.querybuild import MatchSpec

    body = "Kar yağdı. " * 60
    cut = snippet(body, MatchSpec(exact={"kar"}))
    assert cut.endswith("yağdı…") and ".…" not in cut


def test_all_words_must_match_then_relax(searcher: Searcher) -> None:
    """Full matches alone when there are a page of them; fewer are followed by partial
    matches, the full match first, and the answer says it was relaxed."""
    many = searcher.search("toplantı liman", per_page=10)
    assert many.results[0].id == "2025/10/izmir-liman"  # the only article with both
    assert many.relaxed
    assert {h.id for h in many.results} == {
        "2025/10/izmir-liman", "2025/09/biskek-zirvesi", "ekonomi/secim",
    }  # fmt: skip
    assert [h.missing for h in many.results[:1]] == [[]]
    assert sorted(h.missing for h in many.results[1:]) == [["liman"], ["liman"]]
    relaxed = searcher.search("bişkek derbi")
    assert relaxed.relaxed
    assert {h.id for h in relaxed.results} == {"2025/09/biskek-zirvesi", "spor/derbi"}
    assert {h.id: h.missing for h in relaxed.results} == {
        "2025/09/biskek-zirvesi": ["derbi"], "spor/derbi": ["bişkek"],
    }  # fmt: skip


def test_a_category_in_the_query_still_filters_when_the_words_are_relaxed(
    searcher: Searcher,
) -> None:
    """``category:spor`` is a filter, as the ``category`` parameter is: when too few
    articles hold every word and partial matches join, they too come from that category
    only, and the category is never named as a word an article lacks."""
    page = searcher.search("bişkek derbi category:spor")
    assert page.relaxed
    assert [(h.id, h.missing) for h in page.results] == [("spor/derbi", ["bişkek"])]
    same = searcher.search("bişkek derbi", categories=["spor"])
    assert [h.id for h in same.results] == [h.id for h in page.results]
    assert set(ids(searcher, "category:spor OR category:sağlık")) == {
        "spor/derbi", "saglik/deprem-tatbikati",
    }  # fmt: skip


def test_a_page_of_full_matches_is_not_relaxed(tmp_path: Path) -> None:
    docs = {f"{n}.txt": f"title: Haber {n}\n\nLiman toplantısı {n}. kez yapıldı.\n"
            for n in range(12)}  # fmt: skip
    docs["yalniz.txt"] = "title: Tek\n\nLiman bugün kapalı.\n"
    page = searcher_over(tmp_path, docs).search("liman toplantı", per_page=5)
    assert not page.relaxed
    assert page.total == 12
    assert "yalniz" not in {h.id for h in page.results}


def test_a_long_query_also_finds_articles_lacking_one_word(tmp_path: Path) -> None:
    """Three words or more: an article lacking one of them is found too, ranked after the
    articles holding them all and naming the word it lacks; one lacking two is not."""
    docs = {f"{n}.txt": f"title: Haber {n}\n\nLiman toplantısı {n}. kez İzmir'de yapıldı.\n"
            for n in range(12)}  # fmt: skip
    docs["eksik.txt"] = "title: Mersin\n\nLiman toplantısı bu kez Mersin'de yapıldı.\n"
    docs["tek.txt"] = "title: Tek\n\nLiman bugün kapalı.\n"
    page = searcher_over(tmp_path, docs).search("liman toplantı izmir", per_page=20)
    assert not page.relaxed
    assert page.total == 13
    assert [h.id for h in page.results][-1] == "eksik"
    assert "tek" not in {h.id for h in page.results}
    assert {h.id: h.missing for h in page.results if h.missing} == {"eksik": ["izmir"]}
    alternatives = searcher_over(tmp_path / "or", docs).search(
        'liman "bu kez" izmir OR ankara', per_page=20
    )
    assert {h.id: h.missing for h in alternatives.results if h.missing} == {
        **{f"{n}": ['"bu kez"'] for n in range(12)}, "eksik": ["izmir OR ankara"],
        "tek": ['"bu kez"', "izmir OR ankara"],
    }  # fmt: skip
    assert alternatives.relaxed


def test_a_minus_before_a_digit_is_a_negative_number(tmp_path: Path) -> None:
    """``-9 derecede`` (a pasted headline) searches for -9, it does not exclude 9."""
    searcher = searcher_over(
        tmp_path,
        {
            "erzurum.txt": "title: Erzurum'da soğuk\n\nHava -9 dereceye düştü.\n",
            "antalya.txt": "title: Antalya'da bahar\n\nHava 19 derece oldu.\n",
        },
    )
    assert parse_query("-9 derecede").excluded == []
    assert [hit.id for hit in searcher.search("-9 derecede").results][0] == "erzurum"
    assert [hit.id for hit in searcher.search("derece -erzurum").results] == ["antalya"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("toplantı -bişkek", {"2025/10/izmir-liman", "ekonomi/secim"}),
        ("bişkek OR derbi", {"2025/09/biskek-zirvesi", "spor/derbi"}),
        ("title:liman", {"2025/10/izmir-liman"}),
        ("category:spor", {"spor/derbi"}),
        ("category:sağlık", {"saglik/deprem-tatbikati"}),
        ("tatbik*", {"saglik/deprem-tatbikati"}),
    ],
)
def test_query_language(searcher: Searcher, query: str, expected: set[str]) -> None:
    assert set(ids(searcher, query)) == expected


@pytest.mark.parametrize(
    "query", ['"', '"yarım', "(", "OR", "-", "title:", "toplantı )", "😀", "a\x00b\x07", "**"]
)
def test_malformed_queries_are_searched_as_text(searcher: Searcher, query: str) -> None:
    page = searcher.search(query)
    assert page.total >= 0


def test_suggestion_for_a_misspelling(searcher: Searcher) -> None:
    page = searcher.search("kırgıstan", as_typed=True)
    assert page.suggestion == "kırgızistan"
    assert searcher.search("toplanti").suggestion is None  # found through folding


def test_filters_sort_and_pages(searcher: Searcher) -> None:
    everything = searcher.search("toplantı OR deprem OR derbi")
    assert everything.total == 5
    newest = searcher.search("toplantı OR deprem OR derbi", sort="date")
    dates = [h.date for h in newest.results if h.date]
    assert dates == sorted(dates, reverse=True)
    window = ids(searcher, "toplantı OR deprem OR derbi", date_from=datetime.date(2025, 1, 1),
                 date_to=datetime.date(2025, 12, 31))  # fmt: skip
    assert set(window) == {"2025/09/biskek-zirvesi", "2025/10/izmir-liman"}
    assert ids(searcher, "toplantı OR derbi", categories=["spor"]) == ["spor/derbi"]
    first = ids(searcher, "toplantı OR deprem OR derbi", per_page=2)
    second = ids(searcher, "toplantı OR deprem OR derbi", per_page=2, page=2)
    assert len(first) == 2 and not set(first) & set(second)


def test_facets_count_categories_and_years(searcher: Searcher) -> None:
    facets = searcher.search("toplantı OR deprem OR derbi").facets
    assert {f.value: f.count for f in facets["category"]} == {
        "ekonomi": 1, "spor": 1, "saglik": 1,
    }  # fmt: skip
    assert {f.value for f in facets["year"]} == {"2024", "2025", "2026"}


@pytest.mark.parametrize(
    ("options", "parameter"),
    [({"page": 0}, "page"), ({"per_page": 1000}, "per_page"), ({"sort": "xyz"}, "sort"),
     ({"date_from": datetime.date(2025, 2, 1), "date_to": datetime.date(2025, 1, 1)}, "from")],
)  # fmt: skip
def test_invalid_parameters_name_themselves(searcher, options, parameter) -> None:
    with pytest.raises(BadParameter) as caught:
        searcher.search("toplantı", **options)
    assert caught.value.parameter == parameter


def test_missing_and_overlong_query(searcher: Searcher) -> None:
    for text in ("", "   ", "a" * 501):
        with pytest.raises(BadParameter):
            searcher.search(text)


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="haberara reindex"):
        Searcher(tmp_path / "nothing")


@pytest.mark.skipif(not SEED_EXAMPLE.exists(), reason="the shared seed example is not beside")
@pytest.mark.parametrize(
    ("query", "found"),
    [("toplantı", True), ("Bişkek", True), ("biskek", True), ("KIRGIZİSTAN", True),
     ("kirgizistan", True), ("Kırgızistan'ın", True), ("konsey", True), ("uydu", True),
     ("gazeteci", True), ("güvenlik konseyi", True), ('"Güvenlik Konseyi"', True),
     ('"Konseyi Güvenlik"', False)],
)  # fmt: skip
def test_the_example_article(tmp_path_factory, query: str, found: bool) -> None:
    folder = tmp_path_factory.getbasetemp() / "seed"
    if not (folder / "index").exists():
        (folder / "docs").mkdir(parents=True)
        shutil.copy(SEED_EXAMPLE, folder / "docs")
        reindex(folder / "docs", folder / "index")
    page = Searcher(folder / "index").search(query)
    as_written = not page.phrases_not_found  # a quoted phrase was found as a phrase
    assert ([hit.id for hit in page.results] == ["000_1e033fb6aa629b6a"] and as_written) is found


def test_category_shown_as_written_filtered_by_key(searcher: Searcher) -> None:
    page = searcher.search("deprem", categories=["Sağlık"])
    assert [(h.id, h.category) for h in page.results] == [("saglik/deprem-tatbikati", "sağlık")]
    assert [f.value for f in page.facets["category"]] == ["saglik"]


#: Categories written with Turkish letters and in more than one way: counted by key, named
#: by the commonest way their articles write them.
WRITTEN_CATEGORIES = {
    "dis1.txt": "title: Sınırda kar\ncategory: Dış Haberler\n\nSınırda kar yağdı.\n",
    "dis2.txt": "title: Komşuda kar\ncategory: Dış Haberler\n\nKomşuda kar yağdı.\n",
    "dis3.txt": "title: Adada kar\ncategory: DIŞ HABERLER\n\nAdada kar yağdı.\n",
    "ic1.txt": "title: Ovada kar\ncategory: İÇ HABERLER\n\nOvada kar yağdı.\n",
    "ic2.txt": "title: Köyde tohum\ndate: 2026-12-07\ncategory: iç haberler\n\nKöyde ekim.\n",
    "ic3.txt": "title: Kentte tohum\ncategory: iç haberler\n\nKentte tohum ekildi.\n",
}


def test_facets_name_each_category_as_most_of_its_articles_write_it(tmp_path: Path) -> None:
    searcher = searcher_over(tmp_path, WRITTEN_CATEGORIES)
    page = searcher.search("tohum")  # no article found is in "Dış Haberler"
    assert [(f.value, f.name, f.count) for f in page.facets["category"]] == [
        ("ic haberler", "iç haberler", 2)
    ]
    facets = searcher.search("kar").facets["category"]
    assert [(f.value, f.name) for f in facets] == [
        ("dis haberler", "Dış Haberler"),
        ("ic haberler", "iç haberler"),
    ]
    assert searcher.category_names() == {
        "dis haberler": "Dış Haberler",
        "ic haberler": "iç haberler",
    }
    assert [(f.value, f.name) for f in page.facets["year"]] == [("2026", "2026")]


def test_a_long_single_word_is_searched(searcher: Searcher) -> None:
    assert searcher.search("toplantı" * 62 + "abcd").total == 0


def test_word_with_foreign_letters_found_and_suggested_as_written(tmp_path: Path) -> None:
    """ṭ, ū and ī fold to t, u and i: typed plainly the word is found, and a misspelling
    of it is corrected to the spelling the article uses."""
    searcher = searcher_over(
        tmp_path, {"a.txt": "title: Astronomi\n\nBiṭrūcī gökbilimci olarak anılır.\n"}
    )
    assert [hit.id for hit in searcher.search("bitruci").results] == ["a"]
    page = searcher.search("bitruciz", as_typed=True)
    assert page.total == 0
    assert page.suggestion == "biṭrūcī"
    assert searcher.search("bitruciz").corrected == "biṭrūcī"


def test_a_partial_match_on_the_rare_word_ranks_above_one_on_common_words(
    tmp_path: Path,
) -> None:
    """No article holds all three words; the one holding the rare name beats the ones
    holding the two words every article has: partial matches are weighed by how rare
    the words they hold are, not by how many."""
    articles = {
        f"dolgu-{n}.txt": f"title: Transfer görüşmesi {n}\n\nTransfer görüşmesi sürüyor.\n"
        for n in range(9)
    }
    articles["ikili.txt"] = "title: Transfer görüşmesi\n\nTransfer görüşmesi uzadı.\n"
    articles["zarate.txt"] = (
        "title: Arjantinli golcü\n\nZarate Lazio'dan ayrılıyor; kulüp bugün açıklama yaptı.\n"
    )
    page = searcher_over(tmp_path, articles).search("zarate transfer görüşmesi")
    assert page.relaxed
    assert page.results[0].id == "zarate"


def test_a_headline_finds_its_article_through_the_stem_of_a_word_it_words_differently(
    tmp_path: Path,
) -> None:
    """The headline says eşinden, its article eşi (neither a noun form of the other; one
    Snowball stem): the stem counts in a relaxed match, so the article holding the name
    and the spouse ranks above a long one holding the name and a common word."""
    articles = {
        "kutuphane.txt": "Milli voleybolcu Selin Akgül'ün eşi Deniz Akgül, doğduğu köyün "
        "okuluna bir kütüphane kurdu. Akgül, kitapları okula kendisi taşıdı.\n",
        "mac.txt": "Selin Akgül maçın ardından konuştu. "
        + "Takım sezonun ilk yarısını lider bitirdi ve taraftarlar tribünleri doldurdu. " * 8
        + "Akgül, bu galibiyetin çok anlamlı olduğunu söyledi.\n",
    }
    for n in range(18):  # the stem in fewer than 5% of the articles (RARE_SHARE)
        articles[f"park-{n}.txt"] = f"Şehirde {n + 3} yeni park açıldı. Çalışmalar sürüyor.\n"
    for n in range(3):
        articles[f"tören-{n}.txt"] = "Törende anlamlı bir konuşma yapıldı. Konuklar alkışladı.\n"
    page = searcher_over(tmp_path, articles).search("Selin Akgül'ün eşinden anlamlı bağış")
    assert page.relaxed
    assert [hit.id for hit in page.results[:2]] == ["kutuphane", "mac"]


def test_snippet_of_a_long_article_comes_from_its_lead_or_wherever_the_words_are() -> None:
    from search.searching.highlight import SNIPPET_SCAN, snippet
    from search.searching.querybuild import MatchSpec

    spec = MatchSpec(exact={"deprem", "tatbikat"}, folded={"deprem", "tatbikat"})
    filler = "Kent meclisi bütçe görüşmelerine devam etti. " * (SNIPPET_SCAN // 40)
    early = f"Sabah saatlerinde deprem oldu. {filler}Deprem ve tatbikat birlikte anıldı."
    assert snippet(early, spec).startswith("Sabah saatlerinde <mark>deprem</mark> oldu.")
    late = f"{filler}Okullarda deprem tatbikatı yapıldı."
    assert "Okullarda <mark>deprem</mark> tatbikatı yapıldı." in snippet(late, spec)


def test_a_thread_ranks_alike_with_word_forms_another_thread_worked_out(
    index_dir: Path,
) -> None:
    """The forms of a query word are worked out once per process and shared; a thread
    that did not work them out still finds which fields hold each."""
    queries = ["toplantı", "biskek", "KIRGIZISTAN", "liman kenti", "kultur bakanlari"]
    first = Searcher(index_dir, cache_pages=False)
    expected = [[(h.id, h.score) for h in first.search(q).results] for q in queries]
    assert any(expected)
    second = Searcher(index_dir, cache_pages=False)  # its own reader, as another thread's
    mine, theirs = second._current().vocabulary, first._current().vocabulary
    assert mine is not theirs and mine.forms("toplanti") is theirs.forms("toplanti")
    assert [[(h.id, h.score) for h in second.search(q).results] for q in queries] == expected


def test_a_stems_article_count_is_read_once_for_every_thread(index_dir: Path, monkeypatch) -> None:
    """How many articles hold a query word's stem is kept per set of segments: another
    thread's reader asking the same word does not read it again, and ranks alike."""
    from search.searching import vocabulary

    vocabulary._kept_frequencies.clear()
    first = Searcher(index_dir, cache_pages=False)
    expected = [(h.id, h.score) for h in first.search("toplantı").results]
    assert expected and len(vocabulary._kept_frequencies) >= 1
    second = Searcher(index_dir, cache_pages=False)  # its own reader, as another thread's
    reader = second._current().vocabulary._reader
    monkeypatch.setattr(reader, "doc_frequency", lambda *args: pytest.fail("read again"))
    assert [(h.id, h.score) for h in second.search("toplantı").results] == expected


def test_rankings_stay_the_same_when_a_thread_forgets_which_fields_hold_a_word(
    index_dir: Path, monkeypatch
) -> None:
    """A serving thread keeps the fields of at most MASKS_KEPT words; past that it looks
    them up again, and no query may rank differently for it."""
    from search.searching import vocabulary

    queries = ["toplantı", "biskek", "KIRGIZISTAN", "liman kenti", "kultur bakanlari"]
    expected = [[(h.id, h.score) for h in Searcher(index_dir).search(q).results] for q in queries]
    assert any(expected)
    monkeypatch.setattr(vocabulary, "MASKS_KEPT", 1)
    forgetful = Searcher(index_dir)
    for _ in range(2):
        got = [[(h.id, h.score) for h in forgetful.search(q).results] for q in queries]
        assert got == expected


def test_a_reader_of_a_replaced_commit_reads_the_current_one_when_its_files_are_gone(
    tmp_path: Path, monkeypatch
) -> None:
    """A reindex deletes the small segments it merges at once; a reader still on the
    commit before, which had not yet opened their stored fields, reads the current
    commit instead of failing."""
    import search.searching.searcher as searcher_module
    from search.indexing import mergepolicy

    docs = write_articles(tmp_path / "docs", {"eski.txt": "title: Eski haber\n\nDerbi oynandı.\n"})
    reindex(docs, tmp_path / "index")
    added = []
    with monkeypatch.context() as unmerged:  # small segments, one per reindex
        unmerged.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 0)
        for number in range(3):
            text = f"title: Liman {number}\n\nLiman açıldı.\n"
            write_articles(docs, {f"yeni-{number}.txt": text})
            reindex(docs, tmp_path / "index")
            added.append(f"yeni-{number}")
    before = {segment.segment_id() for segment in open_index(tmp_path / "index")._segments()}
    assert len(before) == 4
    monkeypatch.setattr(searcher_module, "REFRESH_SECONDS", 3600.0)  # keep the old reader
    searcher = Searcher(tmp_path / "index")
    assert [hit.id for hit in searcher.search("derbi").results] == ["eski"]
    write_articles(docs, {"yeni-3.txt": "title: Liman 3\n\nLiman açıldı.\n"})
    reindex(docs, tmp_path / "index")  # merges every segment the reader holds
    added.append("yeni-3")
    after = {segment.segment_id() for segment in open_index(tmp_path / "index")._segments()}
    assert len(after) == 1 and not before & after
    assert sorted(hit.id for hit in searcher.search("liman", per_page=50).results) == sorted(added)


def test_sorting_by_date_puts_undated_articles_after_the_dated_ones(tmp_path: Path) -> None:
    """In one segment with dated articles, an undated one holds the date column's
    default, its largest value; it must not rank as the newest."""
    docs = write_articles(
        tmp_path / "docs",
        {
            "eski.txt": "title: Eski liman\ndate: 2020-01-01\n\nLiman açıldı.\n",
            "tarihsiz.txt": "title: Tarihsiz liman\n\nLiman haberi.\n",
            "yeni.txt": "title: Yeni liman\ndate: 2025-01-01\n\nLiman büyüdü.\n",
        },
    )
    reindex(docs, tmp_path / "index")
    assert len(open_index(tmp_path / "index")._segments()) == 1
    page = Searcher(tmp_path / "index").search("liman", sort="date")
    assert [(hit.id, hit.date) for hit in page.results] == [
        ("yeni", "2025-01-01"),
        ("eski", "2020-01-01"),
        ("tarihsiz", None),
    ]
