"""What a reader's first searches should show: only a word's own inflections marked and
matched, newer of equal articles first, and a misspelling's corrected results."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_articles
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.searching.vocabulary import Vocabulary
from search.storage.store import open_index

ARTICLES = {
    "veda.txt": (
        "title: Kaptan taraftara veda etti\n\n"
        "Takımın kaptanı sezonun son maçında taraftarlara veda etti. Vedası duygusal oldu.\n"
    ),
    "ve-baglac.txt": (
        "title: Belediye yol ve kaldırım çalışması başlattı\n\n"
        "Belediye ekipleri yol ve kaldırım yenileme çalışmasına başladı.\n"
    ),
    "seyler.txt": (
        "title: Eski eşyalar satışta\n\nMezatta eski şeyler ve antika saatler satıldı.\n"
    ),
    "sey.txt": ("title: Sessiz bekleyiş\n\nBakan toplantıdan sonra bir şey söylemedi.\n"),
    "kurum.txt": (
        "title: Kurum dolar borcunu açıkladı\n\n"
        "Kurum, dolar cinsinden borcunu açıkladı. Kurumun yöneticileri kuruma yeni bir plan "
        "sundu; kurumun dolar borcu kurum içinde tartışıldı. Kurumda dolar kaygısı sürüyor.\n"
    ),
    "doviz.txt": (
        "title: Piyasalarda gün sonu\n\n"
        "Dolar kuru gün sonunda yükseldi. Uzmanlar piyasaları değerlendirdi.\n"
    ),
    "eski-liman.txt": (
        "title: Liman ihalesi yapıldı\ndate: 2019-05-02\n\n"
        "Liman genişletme ihalesi bugün yapıldı ve sonuç açıklandı.\n"
    ),
    "yeni-liman.txt": (
        "title: Liman ihalesi yapıldı\ndate: 2025-05-02\n\n"
        "Liman genişletme ihalesi bugün yapıldı ve sonuç açıklandı.\n"
    ),
    "faiz-bitisik.txt": (
        "title: Merkez bankası açıklama yaptı\n\n"
        "Merkez bankası faiz kararı sonrası piyasalar sakin seyretti. Uzmanlar yorum yaptı.\n"
    ),
    "faiz-dagnik.txt": (
        "title: Ekonomi gündemi\n\n"
        "Faiz yine konuşuldu. Toplantıda faiz beklentisi ele alındı. Şirketin yatırım kararı "
        "ertelendi; kurulun kararı haftaya kaldı.\n"
    ),
    "kopru-tarihi.txt": (
        "title: Boğaz köprüsü\n\nKöprü 1973'te trafiğe açıldı. Bakımı ilkbaharda yapılıyor.\n"
    ),
    "kopru-anket.txt": (
        "title: Okurlara soru\n\n"
        "Hangi yıl hangi köprüyü geçtiniz? Okurlar en sevdikleri köprüyü yazdı.\n"
    ),
    "kooperatif.txt": (
        "title: Köyde kooperatif kuruldu\n\n"
        "Köydeki kadınlar, öğretmenlerin desteğiyle bir kooperatif kurdu.\n"
    ),
    "orta-anadolu.txt": ("title: Orta Anadolu'da kar\n\nOrta Anadolu'da kar yağışı etkili oldu.\n"),
    "zirve.txt": (
        "title: Zirve sona erdi\n\n"
        "Türk Devletleri Teşkilatı zirvesi Kırgızistan'ın başkentinde sona erdi. "
        "Kırgızistan dönem başkanlığını devretti.\n"
    ),
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    folder = tmp_path_factory.mktemp("ranking")
    docs = write_articles(folder / "articles", ARTICLES)
    report = reindex(docs, folder / "index")
    assert not report.failed, report.failed
    return Searcher(folder / "index")


def marked(page) -> str:
    return " ".join(hit.title_html + " " + hit.snippet for hit in page.results)


def ids(page) -> list[str]:
    return [hit.id for hit in page.results]


def test_ve_never_marks_veda(searcher: Searcher) -> None:
    page = searcher.search("ve")
    assert "veda" not in ids(page)
    assert "<mark>ve</mark>" in marked(page)
    assert "<mark>veda" not in marked(page).lower()
    assert "<mark>vedas" not in marked(page).lower()


def test_a_stop_word_matches_itself_only(searcher: Searcher) -> None:
    page = searcher.search("şey")
    assert ids(page) == ["sey"]
    assert "<mark>şeyler" not in marked(page)


def test_a_two_letter_word_matches_as_typed_not_by_its_stem(searcher: Searcher) -> None:
    """``or`` and ``orta`` share the Snowball stem ``or``; a two-letter word matches only
    as typed."""
    page = searcher.search("or")
    assert "orta-anadolu" not in ids(page)
    assert "<mark>orta" not in marked(page).lower()


def test_kuru_does_not_mark_kurum(searcher: Searcher) -> None:
    page = searcher.search("kuru")
    assert ids(page) == ["doviz"]
    assert "<mark>kurum" not in marked(page).lower()


@pytest.mark.parametrize(("word", "form"), [("kadın", "kadınlar"), ("öğretmen", "öğretmenlerin")])
def test_a_noun_finds_its_plural_though_a_village_bears_that_name(
    searcher: Searcher, word: str, form: str
) -> None:
    """``Kadınlar`` and ``Öğretmenler`` are also villages in the dictionary's place names;
    that must not make ``kadınlar`` a word of its own rather than the plural of ``kadın``."""
    page = searcher.search(word)
    assert ids(page) == ["kooperatif"]
    assert f"<mark>{form}</mark>" in marked(page)


def test_dolar_kuru_ranks_the_exchange_rate_above_an_article_with_kurum(
    searcher: Searcher,
) -> None:
    ranked = ids(searcher.search("dolar kuru"))
    assert ranked[0] == "doviz"
    assert "kurum" not in ranked[:1]


def test_words_standing_together_outrank_scattered_ones(searcher: Searcher) -> None:
    assert ids(searcher.search("faiz kararı"))[:2] == ["faiz-bitisik", "faiz-dagnik"]


def test_the_newer_of_two_equal_articles_comes_first(searcher: Searcher) -> None:
    page = searcher.search("liman ihalesi")
    assert ids(page)[:2] == ["yeni-liman", "eski-liman"]
    assert page.results[0].score > page.results[1].score


def test_no_recency_prior_leaves_equal_articles_in_id_order(searcher: Searcher) -> None:
    plain = Searcher(searcher.index_dir, freshness=None)
    assert ids(plain.search("liman ihalesi"))[:2] == ["eski-liman", "yeni-liman"]


def test_question_words_do_not_pick_the_article(searcher: Searcher) -> None:
    # the answer does not repeat "hangi"; the article that happens to hold it is no answer
    for query in ("Köprü hangi yıl trafiğe açıldı?", "kopru hangi yil trafige acildi"):
        assert ids(searcher.search(query))[0] == "kopru-tarihi", query


def test_a_question_word_alone_is_still_searched(searcher: Searcher) -> None:
    assert ids(searcher.search("hangi")) == ["kopru-anket"]


def test_a_typo_shows_the_corrected_results(searcher: Searcher) -> None:
    page = searcher.search("kırgıstan")
    assert page.corrected == "kırgızistan"
    assert ids(page) == ["zirve"]
    assert page.query == "kırgıstan" and page.suggestion is None
    assert page.to_dict()["corrected"] == "kırgızistan"


def test_a_typo_inside_quotes_is_corrected_inside_them(searcher: Searcher) -> None:
    """A quoted word or phrase with a misspelt word finds little or nothing: the reader is
    shown it corrected, still quoted, with its suffix as typed."""
    page = searcher.search('"kırgıstan"')
    assert page.corrected == '"kırgızistan"' and ids(page) == ["zirve"]
    relaxed = searcher.search('"Kırgıstan\'ın başkentinde"')
    assert relaxed.suggestion == '"kırgızistan\'ın başkentinde"' and relaxed.corrected is None
    as_typed = searcher.search('"kırgıstan"', as_typed=True)
    assert as_typed.total == 0 and as_typed.suggestion == '"kırgızistan"'


def test_a_typo_inside_quotes_beside_words_that_find_articles_is_suggested(
    searcher: Searcher,
) -> None:
    page = searcher.search('zirve "kırgıstan dönem"')
    assert page.total and page.corrected is None
    assert page.suggestion == 'zirve "kırgızistan dönem"'


def test_the_reader_can_insist_on_the_words_as_typed(searcher: Searcher) -> None:
    page = searcher.search("kırgıstan", as_typed=True)
    assert page.total == 0 and page.corrected is None
    assert page.suggestion == "kırgızistan"


def test_a_typo_whose_suggestion_finds_nothing_stays_as_typed(tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "articles", {"a.txt": ARTICLES["zirve.txt"]})
    reindex(docs, tmp_path / "index")
    page = Searcher(tmp_path / "index").search("kırgıstan", categories=["spor"])
    assert page.total == 0 and page.corrected is None


@pytest.mark.parametrize("typed", ["güreşş", "gres"])
def test_a_typo_is_corrected_to_the_nearest_word_not_the_most_frequent(
    tmp_path: Path, typed: str
) -> None:
    """``güreşş`` is one letter off ``güreş`` and two off ``güneş``; ``gres`` (``güreş``
    typed without its Turkish letters and its ü) one off ``güreş`` and two off ``göre``:
    the nearer word wins though the other is in every article."""
    articles = {
        f"hava-{n}.txt": f"title: Hava {n}\n\nGüneş bugün açtı; tahminlere göre {n} derece.\n"
        for n in range(5)
    }
    articles["gures.txt"] = "title: Yağlı güreş\n\nPehlivanlar er meydanında güreş tuttu.\n"
    page = searcher_over(tmp_path, articles).search(typed)
    assert page.corrected == "güreş"
    assert ids(page) == ["gures"]


def test_a_rare_name_two_letters_over_a_common_word_is_only_given_the_suggestion(
    tmp_path: Path,
) -> None:
    """``Ögelman`` (no article names him) is ``olman`` with two letters more: the reader
    sees that nothing was found and the suggestion, not ``olman``'s articles as though
    they had typed it; ``kırgıstan`` (two letters dropped) is still corrected at once."""
    articles = {
        f"oneri-{n}.txt": f"title: Öneri {n}\n\nBu konuda dikkatli olman gerekiyor, dedi.\n"
        for n in range(4)
    }
    articles["zirve.txt"] = ARTICLES["zirve.txt"]
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("Ögelman")
    assert page.total == 0 and page.corrected is None
    assert page.suggestion == "olman"
    assert searcher.search("kırgıstan").corrected == "kırgızistan"


def test_a_word_typed_without_turkish_letters_that_is_a_word_of_its_own_comes_first(
    tmp_path: Path,
) -> None:
    """``asi`` (rebel) is written as typed in one article in four, against ``aşı``
    (vaccine) in the others, said over and over: the reader who typed ``asi`` gets its
    article first, and the vaccine articles after it. ``kultur``, which one article
    writes so against many ``kültür``, is a keyboard's spelling: it finds them all."""
    vaccine = (
        "title: Aşı kampanyası\n\nAşı kampanyası başladı. Aşılar ücretsiz; aşının yan "
        "etkisi yok. Aşıyı yaptıranlar aşı kartı aldı.\n"
    )
    articles = {f"asi-{n}.txt": vaccine for n in range(3)}
    articles["asi-nehri.txt"] = "title: Nehir taştı\n\nAsi nehri dün gece taştı.\n"
    culture = "title: Kültür haftası\n\nKültür haftası açıldı; kültür ve sanat buluştu.\n"
    articles.update({f"kultur-{n}.txt": culture for n in range(6)})
    articles["kultur-yazim.txt"] = "title: Duyuru\n\nKultur merkezi yarin acik.\n"
    searcher = searcher_over(tmp_path, articles)
    found = ids(searcher.search("asi"))
    assert found[0] == "asi-nehri" and len(found) == 4
    assert len(ids(searcher.search("kultur"))) == 7


def test_a_corrected_query_keeps_what_the_reader_excluded_and_filtered(tmp_path: Path) -> None:
    """Only the misspelt word is replaced: ``-derbi``, ``category:`` and quotes stay."""
    articles = {
        "derbi.txt": "title: Derbi heyecanı\ncategory: spor\n\nGalatasaray derbide kazandı.\n",
        "transfer.txt": "title: Yeni transfer\ncategory: spor\n\nGalatasaray forvet aldı.\n",
        "borsa.txt": "title: Şirket haberi\ncategory: ekonomi\n\nGalatasaray hisseleri arttı.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("galatasray -derbi")
    assert page.corrected == "galatasaray -derbi"
    assert sorted(ids(page)) == ["borsa", "transfer"]
    page = searcher.search("galatasray category:ekonomi")
    assert (page.corrected, ids(page)) == ("galatasaray category:ekonomi", ["borsa"])
    assert searcher.search('galatasray "forvet aldı"').suggestion == 'galatasaray "forvet aldı"'


#: Articles on one party: its leader named in ten of them, the party's congress in three,
#: the leader's name misspelt (``Erdoan``) in one; and one on the economy.
PARTY = {
    **{
        f"grup-{n}.txt": f"title: AK Parti grup toplantısı {n}\ncategory: siyaset\n\n"
        f"Cumhurbaşkanı Erdoğan AK Parti grup toplantısında konuştu. Erdoğan {n}. kez "
        "milletvekillerine seslendi.\n"
        for n in range(10)
    },
    **{
        f"kongre-{n}.txt": f"title: Parti kongresi {n}\ncategory: siyaset\n\n"
        "AK Parti il kongresi yapıldı; delegeler oy kullandı.\n"
        for n in range(3)
    },
    "yazim.txt": "title: Miting\ncategory: siyaset\n\nErdoan AK Parti mitinginde konuştu.\n",
    "faiz.txt": "title: Faiz kararı\ncategory: ekonomi\n\nMerkez bankası faizi sabit tuttu.\n",
}


def test_a_word_no_article_holds_is_suggested_beside_the_results_of_the_others(
    tmp_path: Path,
) -> None:
    """``erdogn "ak parti"``: the phrase finds the party's articles, each listed as lacking
    ``erdogn``, which no article holds. The reader is shown those results and asked
    whether they meant ``erdoğan``, the rest of the query kept as typed."""
    searcher = searcher_over(tmp_path, PARTY)
    party = set(ids(searcher.search('"ak parti"', per_page=100)))
    page = searcher.search('erdogn "ak parti"', per_page=100)
    assert len(party) >= 3 and set(ids(page)) == party
    assert all(hit.missing == ["erdogn"] for hit in page.results)
    assert page.suggestion == 'erdoğan "ak parti"' and page.corrected is None
    page = searcher.search('erdogn -kongre "ak parti" category:siyaset')
    assert page.total >= 3 and page.corrected is None
    assert page.suggestion == 'erdoğan -kongre "ak parti" category:siyaset'


def test_only_the_words_no_article_holds_are_replaced_when_the_others_find_articles(
    tmp_path: Path,
) -> None:
    """Beside results, a word some article holds is kept as typed, though the results shown
    lack it (``faiz``) or it is a rare misspelling that alone would be corrected
    (``erdoan``); a query whose every word some article holds gets no suggestion."""
    searcher = searcher_over(tmp_path, PARTY)
    assert searcher.search("erdoan").suggestion == "erdoğan"  # too few results alone
    page = searcher.search('erdogn erdoan faiz "ak parti"')
    assert page.total >= 3
    assert page.suggestion == 'erdoğan erdoan faiz "ak parti"'
    page = searcher.search('faiz "ak parti"')
    assert page.total >= 3 and any("faiz" in hit.missing for hit in page.results)
    assert page.suggestion is None
    page = searcher.search('erdoan "ak parti"')
    assert page.total >= 3 and page.suggestion is None


def test_question_words_and_rare_forms_of_words_get_no_suggestion(tmp_path: Path) -> None:
    """``hangi`` is left out of the search, not misspelt (it was suggested as ``halkı``);
    ``derbiyi``, which one article uses, is a form of ``derbi``, not a typo of ``derbide``."""
    articles = {
        f"halk-{n}.txt": f"title: Miting {n}\n\nHalkı meydana çağırdılar; halkı dinlediler.\n"
        for n in range(12)
    }
    articles.update(
        {
            f"derbi-{n}.txt": f"title: Maç {n}\n\nTakım derbide kazandı. Derbide gol yağdı.\n"
            for n in range(11)
        }
    )
    articles["derbiyi.txt"] = "title: Maç sonu\n\nTakım derbiyi kazandı.\n"
    searcher = searcher_over(tmp_path, articles)
    assert searcher.search("hangi derbiyi").suggestion is None
    assert searcher.search("derbiyi").suggestion is None


def test_a_headline_finds_its_article_through_another_form_of_its_verb(tmp_path: Path) -> None:
    """A pasted headline's ``yasaklandı`` finds the article's ``yasaklamıştı`` (a form
    Snowball stems apart and the noun grammar does not reach), so the article holding
    every word of the headline comes first; the word is marked there. A word searched
    alone keeps to its own forms: ``hırsız`` does not find ``hırsızlık``."""
    articles = {
        "yasak.txt": (
            "title: Belediye kararı\n\nBelediye kent merkezinde otobüs seferlerini "
            "geçen hafta yasaklamıştı.\n"
        ),
        "sefer.txt": (
            "title: Otobüs seferleri\n\nBelediye otobüs seferlerini artırdı. Kent "
            "merkezinde otobüs seferleri sıklaştı; belediye otobüs seferleri için yeni "
            "duraklar açtı.\n"
        ),
        "hirsizlik.txt": "title: Olay\n\nÇarşıda hırsızlık olayı yaşandı.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("belediye kent merkezinde otobüs seferlerini yasakladı")
    first = page.results[0]
    assert (first.id, first.missing) == ("yasak", [])
    assert "<mark>yasaklamıştı</mark>" in first.snippet
    assert searcher.search("hırsız").total == 0


def test_a_suffix_whose_d_or_t_does_not_fit_is_no_inflection(tmp_path: Path) -> None:
    """``kirgiztan`` (``kırgızistan`` with two letters dropped) is no form of ``Kırgız``: a
    suffix's d follows z as d (``Kırgız'dan``). It finds nothing, so its correction's
    results are shown; ``sokakta`` is still a form of ``sokak``."""
    articles = {
        "halk.txt": "title: Halk müziği\n\nKırgız halk müziği dinletisi yapıldı.\n",
        "ulke.txt": "title: Ziyaret\n\nBakan Kırgızistan ziyaretini tamamladı.\n",
        "sokak.txt": "title: Şenlik\n\nÇocuklar sokakta oynadı.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    page = searcher.search("kirgiztan")
    assert (page.corrected, ids(page)) == ("kırgızistan", ["ulke"])
    assert ids(searcher.search("sokak")) == ["sokak"]


def test_a_word_ending_in_a_vowel_takes_no_suffix_beginning_with_one(tmp_path: Path) -> None:
    """``kalee`` (a typo) is no form of ``kale``: a case ending after a vowel takes a
    buffer letter (``kaleye``, ``kalesi``)."""
    articles = {
        "yazim.txt": "title: Maç\n\nTop kalee girmedi.\n",
        "dogru.txt": "title: Maç\n\nTop kaleye girdi.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    assert ids(searcher.search("kale")) == ["dogru"]


def test_a_word_ending_in_a_consonant_takes_no_suffix_joined_by_y(tmp_path: Path) -> None:
    """``Vanya`` (a name) is no form of ``Van``: the ``y`` that joins a case ending
    follows a vowel only (``Van'a``, ``vana``; ``kolaya`` of ``kolay`` is its own ``y``)."""
    articles = {
        "van.txt": "title: Van\n\nVan gölü kıyısında festival yapıldı.\n",
        "vanya.txt": "title: Oyun\n\nVanya Dayı oyunu sahnelendi.\n",
        "kolay.txt": "title: Sınav\n\nSorular beklenenden kolaya kaçtı.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    assert ids(searcher.search("van")) == ["van"]
    assert ids(searcher.search("kolay")) == ["kolay"]


def test_a_word_ending_in_a_consonant_takes_no_suffix_joined_by_n(tmp_path: Path) -> None:
    """``Varna`` (a city) is no form of ``var``: the ``n`` that joins a case ending
    follows a vowel (``kapının``), or an abbreviation read letter by letter (``ABDnin``,
    as often written without its apostrophe)."""
    articles = {
        "var.txt": "title: Hava\n\nYarın yağmur ihtimali vardı.\n",
        "varna.txt": "title: Gezi\n\nVarna kentinde yaz festivali başladı.\n",
        "kapi.txt": "title: Ev\n\nKapının kilidi kırıldı.\n",
        "abd.txt": "title: Dış haber\n\nABDnin açıklaması bekleniyor.\n",
    }
    expected = {"var": ["var"], "kapı": ["kapi"], "abd": ["abd"]}
    assert found_by(tmp_path, articles, expected) == expected


def test_a_last_consonant_after_another_does_not_soften(tmp_path: Path) -> None:
    """``Akbin`` (a name) is no form of ``AKP``: a last ``p``, ``t`` or ``k`` softens
    after a vowel, ``n``, ``r`` or ``l`` (``kitabı``, ``rengi``), not after another
    consonant (``aşkı``), nor in an abbreviation (``AKP'nin``)."""
    articles = {
        "parti.txt": "title: Meclis\n\nAKP'nin grup toplantısı yapıldı.\n",
        "isim.txt": "title: Magazin\n\nEcem Akbin'in yeni dizisi başladı.\n",
        "renk.txt": "title: Sergi\n\nFotoğrafın rengi soldu.\n",
        "ask.txt": "title: Dizi\n\nAşkı için her şeyi göze aldı.\n",
    }
    expected = {"AKP": ["parti"], "akbin": ["isim"], "renk": ["renk"], "aşk": ["ask"]}
    assert found_by(tmp_path, articles, expected) == expected


def test_a_names_stem_that_is_another_word_finds_nothing_of_that_word(tmp_path: Path) -> None:
    """Snowball stems ``Bolu`` as ``bol`` (plenty) and ``Bartın`` as ``bar``: the city's
    articles are found, not those of the other word."""
    articles = {
        "bolu.txt": "title: Kar\n\nBolu'da kar yağışı etkili oldu.\n",
        "bol.txt": "title: Pazar\n\nPazarda bol miktarda sebze vardı.\n",
        "bartin.txt": "title: Hasat\n\nBartın'da fındık hasadı başladı.\n",
        "bar.txt": "title: Gece\n\nBar bu akşam kapalı kaldı.\n",
        **{  # enough others that one article in twenty is rare
            f"liman-{number}.txt": f"title: Liman {number}\n\nLiman ihalesi yapıldı.\n"
            for number in range(40)
        },
    }
    searcher = searcher_over(tmp_path, articles)
    assert ids(searcher.search("Bolu")) == ["bolu"]
    assert ids(searcher.search("Bartın")) == ["bartin"]


def test_a_words_stem_that_reads_it_as_another_word_finds_nothing_of_that_word(
    tmp_path: Path,
) -> None:
    """Snowball stems ``kalem`` (pen) and ``kalemi`` as ``kale`` (castle), as if they were
    ``kale`` + ``-m``, and ``kalenin`` and ``kaleye`` as ``kale`` too: the pen's articles
    are found and marked, the castle's are not."""
    articles = {
        "kalem.txt": "title: Okul\n\nÖğrenci kalemi sırada unuttu; kalem kutusu doldu.\n",
        "kale.txt": "title: Surlar\n\nTarihi kalenin surları onarıldı; kaleye yol açıldı.\n",
        **{  # enough others that one article in twenty is rare
            f"liman-{number}.txt": f"title: Liman {number}\n\nLiman ihalesi yapıldı.\n"
            for number in range(40)
        },
    }
    page = searcher_over(tmp_path, articles).search("kalem")
    assert ids(page) == ["kalem"]
    assert "<mark>kalemi</mark>" in marked(page)


@pytest.mark.parametrize("query", ["Konya'da trafik kazası yaralı", "konya trafik kazası yaralı"])
def test_a_name_is_no_root_of_other_words(tmp_path: Path, query: str) -> None:
    """Konyaaltı (a district of Antalya) begins with Konya, but an article naming it
    does not hold Konya: a name, or a word written as one (an apostrophe before its
    suffix, a capital inside the query), is matched by its own forms and the word for its
    people only (``Konyalı``)."""
    articles = {
        "antalya.txt": "title: Antalya\n\nKonyaaltı'nda trafik kazası: iki yaralı var.\n",
        "konya.txt": "title: Konya\n\nKonya'da trafik kazası oldu; sürücü yaralı.\n",
        "konyali.txt": "title: Sürücü\n\nKonyalı sürücü trafik kazası geçirdi, yaralı.\n",
    }
    page = searcher_over(tmp_path, articles).search(query)
    missing = {hit.id: hit.missing for hit in page.results}
    assert missing["antalya"] and "Konya" in missing["antalya"][0].title()
    assert missing["konyali"] == []


HATAY_ARTICLES = {
    "hatay.txt": (
        "title: Hatayspor kazandı\n\nHatayspor, Hatay'daki maçında rakibini yendi; "
        "hakem iki penaltı verdi.\n"
    ),
    "ziyaret.txt": "title: Bakan ziyareti\n\nBakan dün Hatay'ı ziyaret etti ve okulları gezdi.\n",
    "okullar.txt": "title: Okullar açıldı\n\nDepremden sonra Hataydaki okullar yeniden açıldı.\n",
    "hata.txt": (
        "title: Tartışmalı penaltı\n\nDünkü maçında hakem penaltı kararında yaptığı "
        "hatayı kabul etti. Hakemin hataya düştüğü pozisyon tartışıldı; hata maçın "
        "sonucunu değiştirdi.\n"
    ),
}


@pytest.mark.parametrize("query", ["Hatay", "hakem Hatay'ı"])
def test_a_name_does_not_take_another_words_form_written_like_its_own(
    tmp_path: Path, query: str
) -> None:
    """``hatayı`` is ``hata`` + ``-yı`` (the referee's mistake) as well as ``Hatay`` +
    ``-ı``: written without an apostrophe it is not taken for the city, nor marked. The
    city written with one (``Hatay'ı``) or in a form only it has (``Hataydaki``) is."""
    page = searcher_over(tmp_path, HATAY_ARTICLES).search(query)
    hits = {hit.id: hit for hit in page.results}
    assert "hata" not in hits or hits["hata"].missing
    assert not any(f"<mark>{form}</mark>" in marked(page) for form in ("hatayı", "hataya"))
    assert "<mark>Hatay'ı</mark>" in hits["ziyaret"].snippet
    if query == "Hatay":
        assert set(hits) == {"hatay", "ziyaret", "okullar"}
        assert "<mark>Hataydaki</mark>" in hits["okullar"].snippet


BOLU_ARTICLES = {
    "bolu.txt": "title: Kar yağışı\n\nBolu'da kar yağışı etkili oldu; Boluda yollar kapandı.\n",
    "yol.txt": "title: Yol çalışması\n\nBölünmüş yolun bir kısmı bölündü, trafik durdu.\n",
    "mesai.txt": "title: Mesai\n\nİşçiler üç vardiyaya bölündü; iş bölümü yeniden yapıldı.\n",
}


@pytest.mark.parametrize("query", ["bolu", "Bolu", "BOLU"])
def test_a_name_without_turkish_letters_typed_as_spelled_keeps_its_letters(
    tmp_path: Path, query: str
) -> None:
    """``bolu`` is the city as the name is spelled, not a keyboard's ``bölü``: it finds
    ``Bolu'da``, not ``bölündü`` or ``bölünmüş`` (divided)."""
    page = searcher_over(tmp_path, BOLU_ARTICLES).search(query)
    assert ids(page) == ["bolu"]
    assert "<mark>Bolu'da</mark>" in page.results[0].snippet


def test_suffixes_joined_wrongly_make_no_form(tmp_path: Path) -> None:
    """``vania`` would be ``van`` + ``-ı`` + ``-a`` and ``yeniledi`` ``yeni`` + ``-le`` +
    ``-di``, but Turkish joins those suffixes with n and y (``Van'ına``, ``yeniyle``,
    ``yeniydi``): a search for Van or yeni finds neither. Folded, ``batışı`` is ``batı``
    + ``-sı``, but as written its ş is no suffix's."""
    articles = {
        "van.txt": "title: Van\n\nVan'da deprem tatbikatı yapıldı; Van Gölü sakin.\n",
        "vania.txt": "title: Konser\n\nŞarkıcı Vania dün akşam konser verdi.\n",
        "yeni.txt": "title: Yeni yol\n\nYeni yol bugün açıldı.\n",
        "yenilendi.txt": "title: Park\n\nBelediye parkı baştan sona yeniledi.\n",
        "bati.txt": "title: Cephe\n\nBatı cephesinde gelişme var.\n",
        "gunes.txt": "title: Akşam\n\nGüneşin batışı sahilden izlendi.\n",
        "ev.txt": "title: Ev\n\nO saatte evdeymiş.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    assert ids(searcher.search("van")) == ["van"]
    assert ids(searcher.search("yeni")) == ["yeni"]
    assert ids(searcher.search("batı")) == ["bati"]  # batışı: no suffix has a ş but -mış's
    assert ids(searcher.search("ev")) == ["ev"]  # evdeymiş: ev + -de + -ymiş


def test_a_name_typed_without_its_turkish_letters_still_finds_them(tmp_path: Path) -> None:
    """``mugla`` is ``Muğla`` typed on a keyboard without Turkish letters, and ``hurrem``
    is ``Hürrem``, though the name lists spell it so too: the articles write it with them.
    ``istanbul`` finds ``ISTANBULA``, capitals written without ``İ`` (``ıstanbula``)."""
    articles = {
        "mugla.txt": "title: Orman yangını\n\nMuğla'da orman yangını söndürüldü.\n",
        "dizi.txt": "title: Dizi\n\nHürremin hayatı yeni bir diziye konu oldu.\n",
        "otobus.txt": "title: Sefer\n\nANKARADAN ISTANBULA OTOBÜS SEFERLERİ ARTTI.\n",
    }
    searcher = searcher_over(tmp_path, articles)
    assert ids(searcher.search("mugla")) == ["mugla"]
    assert ids(searcher.search("hurrem")) == ["dizi"]
    assert ids(searcher.search("istanbul")) == ["otobus"]
    with open_index(tmp_path / "index").searcher() as reader:
        assert "ıstanbula" in Vocabulary(reader.reader()).forms("istanbul")  # its form


def test_a_match_on_another_words_form_does_not_count_a_name_as_held(tmp_path: Path) -> None:
    """``Hatay maçında hakem``: the article on a referee's mistake (``hatayı``) holds the
    match and the referee but not Hatay; it says so, and ranks below the Hatay match."""
    page = searcher_over(tmp_path, HATAY_ARTICLES).search("Hatay maçında hakem")
    missing = {hit.id: hit.missing for hit in page.results}
    assert missing["hata"] == ["Hatay"]
    assert ids(page).index("hatay") < ids(page).index("hata")
    assert not any(f"<mark>{form}</mark>" in marked(page) for form in ("hatayı", "hataya"))


@pytest.mark.parametrize("query", ["yeni Kasay", "Kasay'ın"])
def test_a_word_written_as_a_name_does_not_take_another_words_form(
    tmp_path: Path, query: str
) -> None:
    """``Kasay`` (a company the dictionary does not know) written as a name, with a capital
    inside the query or an apostrophe: ``kasayı`` is the safe (``kasa`` + ``-yı``), not
    the company. Typed as a plain word at the query's start, it may be either."""
    searcher = searcher_over(
        tmp_path,
        {
            "kasay.txt": "title: Yeni model\n\nKasay'ın yeni modeli tanıtıldı.\n",
            "kasa.txt": (
                "title: Hırsızlık\n\nHırsızlar dükkandaki kasayı boşalttı. Kasa boş kaldı.\n"
            ),
        },
    )
    assert ids(searcher.search(query)) == ["kasay"]
    assert set(ids(searcher.search("kasay"))) == {"kasay", "kasa"}
    # a query typed in capitals says nothing by them: KASAY inside it may be either
    assert set(ids(searcher.search("YENİ KASAY"))) == set(ids(searcher.search("yeni kasay")))
    assert set(ids(searcher.search("YENİ KASAY"))) == {"kasay", "kasa"}


def found_by(folder: Path, articles: dict[str, str], queries) -> dict[str, list[str]]:
    """The ids each of ``queries`` finds over an index of ``articles``, best first."""
    searcher = searcher_over(folder, articles)
    return {query: ids(searcher.search(query)) for query in queries}


def searcher_over(folder: Path, articles: dict[str, str]) -> Searcher:
    docs = write_articles(folder / "articles", articles)
    report = reindex(docs, folder / "index")
    assert not report.failed, report.failed
    return Searcher(folder / "index", freshness=None)


def test_a_verb_is_found_by_its_stem_in_another_tense(tmp_path: Path) -> None:
    """``doğmuştur`` and ``doğdu`` share a Snowball stem held by a tenth of the articles,
    as a common verb's is: it still counts, so the article telling where she was born
    beats the one that names her more often."""
    articles = {
        "dogum.txt": "title: Ressam Ayla Koçer\n\nAyla Koçer 1950'de Bursa'da doğdu.\n",
        "sergi.txt": (
            "title: Ayla Koçer sergisi\n\n"
            "Ayla Koçer yeni sergisini Bursa'da açtı. Koçer, sergide Bursa resimlerini "
            "gösterdi; Ayla Koçer Bursa'yı çok sevdiğini söyledi.\n"
        ),
        "kuzu.txt": "title: Çiftlikte sevinç\n\nÇiftlikte dün gece üç kuzu doğdu.\n",
    }
    for n in range(17):
        articles[f"hava-{n}.txt"] = f"title: Hava durumu\n\nYarın {n + 10} derece olacak.\n"
    page = searcher_over(tmp_path, articles).search("Ayla Koçer Bursa'da doğmuştur")
    assert ids(page)[0] == "dogum"


@pytest.mark.parametrize("query", ["Ordu sel uyarı", "Ordu sel"])
def test_the_article_holding_the_words_in_one_sentence_comes_first(
    tmp_path: Path, query: str
) -> None:
    """No two of the query's words stand side by side in either article; in one they
    stand in one sentence, in the other scattered through it."""
    filler = "Kent meclisi bütçe görüşmelerine devam etti ve oturum uzadı. " * 2
    articles = {
        "bir-cumlede": (
            "title: Valilik açıklaması\n\n"
            f"Valilik uyarı yaptı: gece boyunca Ordu ve çevresinde sel bekleniyor. {filler * 3}\n"
        ),
        "dagnik": (
            f"title: Karadeniz gündemi\n\nOrdu limanı kapandı. {filler}Dün sel vardı. "
            f"{filler}Uyarı yapıldı. {filler}Ordu yeniden açıldı. {filler}Sel sular çekildi. "
            f"{filler}Yeni uyarı geldi. {filler}Ordu bekliyor.\n"
        ),
    }
    searcher = searcher_over(tmp_path, {f"{name}.txt": text for name, text in articles.items()})
    assert ids(searcher.search(query))[0] == "bir-cumlede"


def test_a_word_is_traced_back_to_a_three_letter_dictionary_form(tmp_path: Path) -> None:
    """``yılda`` is ``yıl`` + ``-da``: it finds ``yılında``, another form of ``yıl`` (the
    Snowball stem they share is too common here to match)."""
    searcher = searcher_over(
        tmp_path,
        {
            "acilis.txt": "title: Müze açıldı\n\nMüze 1990 yılında ziyarete açıldı.\n",
            "ziyaret.txt": "title: Müze ziyaretçileri\n\nMüzeyi bu ay binlerce kişi gezdi.\n",
            "kutlama.txt": "title: Kutlama\n\nYeni yıl coşkuyla kutlandı.\n",
        },
    )
    first = searcher.search("müze yılda").results[0]
    assert (first.id, first.missing) == ("acilis", [])


def test_a_word_typed_with_turkish_letters_keeps_them_in_a_short_dictionary_form(
    tmp_path: Path,
) -> None:
    """``yaşta`` is traced back to ``yaş``, not to ``yas`` (mourning), though both fold to
    ``yas``: the article in mourning is no answer."""
    searcher = searcher_over(
        tmp_path,
        {
            "okul.txt": "title: Okul\n\nÇocuk beş yaşında okula başladı. Yaş sınırı yok.\n",
            "yas.txt": "title: Köy\n\nKöy halkı yasına devam etti.\n",
        },
    )
    assert ids(searcher.search("yaşta")) == ["okul"]
