"""The ``haberara`` command's contract, the same over the embedded index and over an
index on a real 3-node OpenSearch cluster (see ``opensearch_cluster`` in conftest.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from conftest import BACKENDS, FIXTURE_ARTICLES, haberara, serve, write_articles
from search.opensearch.backend import Backend
from search.searching import budget
from search.searching.highlight import MAX_MARKS

NEW_ARTICLE = "title: Yeni haber\n\nAnkara'daki toplantıya gazeteciler katıldı.\n"
EVERY_WORD = "toplantı OR deprem OR derbi OR ankara OR liman"


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path: Path) -> Backend:
    """A fresh, empty index of each backend (a new index name on the cluster)."""
    if request.param == "embedded":
        return Backend.choose("embedded", tmp_path / "index")
    cluster = request.getfixturevalue("opensearch_cluster")
    return Backend.choose("opensearch", tmp_path / "index", cluster.url, f"t-{uuid.uuid4().hex}")


def options(backend: Backend) -> list[str]:
    """The command-line options that choose ``backend``."""
    if backend.name == "embedded":
        return ["--index", str(backend.index_dir)]
    return ["--backend", "opensearch", "--opensearch-url", ",".join(backend.cluster.urls),
            "--opensearch-index", backend.cluster.index]  # fmt: skip


def reindex_json(backend: Backend, docs: Path, *extra: str) -> dict:
    result = haberara("reindex", "--json", "--docs", str(docs), *options(backend), *extra)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def counts(report: dict) -> tuple[int, int, int, int]:
    return report["added"], report["updated"], report["removed"], report["unchanged"]


def search_json(backend: Backend, query: str, *extra: str) -> dict:
    result = haberara("search", "--json", query, *options(backend), *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_reindex_counts_added_updated_removed_unchanged(backend: Backend, tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    assert counts(reindex_json(backend, docs)) == (5, 0, 0, 0)
    assert counts(reindex_json(backend, docs)) == (0, 0, 0, 5)

    (docs / "yeni.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (docs / "spor/derbi.txt").unlink()
    izmir = docs / "2025/10/izmir-liman.txt"
    izmir.write_text(izmir.read_text(encoding="utf-8") + "\nEk paragraf.\n", encoding="utf-8")
    assert counts(reindex_json(backend, docs)) == (1, 1, 1, 3)
    ids = {hit["id"] for hit in search_json(backend, EVERY_WORD, "--limit", "100")["results"]}
    assert "yeni" in ids
    assert "spor/derbi" not in ids
    assert "Ek paragraf" in backend.searcher().article("2025/10/izmir-liman").body


def test_full_rebuild_reindexes_everything(backend: Backend, tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    reindex_json(backend, docs)
    assert counts(reindex_json(backend, docs, "--full")) == (5, 0, 0, 0)
    assert search_json(backend, EVERY_WORD)["total"] == 5


def test_rejected_file_is_named_and_the_rest_indexed(backend: Backend, tmp_path: Path) -> None:
    docs = write_articles(tmp_path / "docs", {**FIXTURE_ARTICLES, "bos.txt": "  \n"})
    (docs / "ikili.txt").write_bytes(b"title: x\n\n\x00\x01\x02")
    result = haberara("reindex", "--docs", str(docs), *options(backend))
    assert result.returncode == 1
    assert f"error: {docs / 'bos.txt'}: empty file" in result.stderr
    assert f"error: {docs / 'ikili.txt'}: binary file" in result.stderr
    assert "added 5, updated 0, removed 0, unchanged 0, failed 2 in" in result.stdout
    assert search_json(backend, EVERY_WORD)["total"] == 5


@pytest.fixture
def indexed(backend: Backend, tmp_path: Path) -> Backend:
    """``backend`` with the fixture articles indexed."""
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    assert not backend.reindex(docs).failed
    return backend


@pytest.mark.parametrize(
    ("query", "article", "marked"),
    [
        ("toplantı", "2025/09/biskek-zirvesi", "<mark>toplantıya</mark>"),
        ("biskek", "2025/09/biskek-zirvesi", "<mark>Bişkek'teki</mark>"),
        ("KIRGIZİSTAN", "2025/09/biskek-zirvesi", "<mark>Kırgızistan'ın</mark>"),
        ("ıspartA", "2025/10/izmir-liman", "<mark>ISPARTA</mark>"),
    ],
)
def test_turkish_words_match_their_forms(
    indexed: Backend, query: str, article: str, marked: str
) -> None:
    page = indexed.searcher().search(query)
    hit = next(hit for hit in page.results if hit.id == article)
    assert marked in hit.title_html + hit.snippet  # a title taken from the first sentence


def test_turkish_capitals_are_the_same_word(indexed: Backend) -> None:
    searcher = indexed.searcher()
    upper, lower = searcher.search("KIRGIZİSTAN"), searcher.search("kırgızistan")
    assert upper.total == lower.total == 1
    assert [hit.id for hit in upper.results] == [hit.id for hit in lower.results]


#: Club names as sports pages shorten them, a palace, and a person's initial.
ABBREVIATED_ARTICLES = {
    "kisa.txt": "title: G.Saray'ın derbi zaferi\n\nF.BAHÇE maçında G.SARAY'a iki gol attı.\n",
    "uzun.txt": "title: Galatasaray kazandı\n\nGalatasaray derbide Fenerbahçe'yi yendi.\n",
    "saray.txt": "title: Sarayda tören\n\nSaray bahçesinde tören yapıldı.\n",
    "terim.txt": "title: Teknik direktör konuştu\n\nF.Terim maç sonrası konuştu.\n",
}


def test_a_listed_abbreviation_is_the_name_it_stands_for(backend: Backend, tmp_path) -> None:
    """``G.Saray`` is found, counted and marked as ``Galatasaray`` (typed either way, or
    without Turkish letters), and is no ``saray`` (palace); an initial not listed
    (``F.Terim``) stays a letter and a name."""
    assert not backend.reindex(write_articles(tmp_path / "docs", ABBREVIATED_ARTICLES)).failed
    searcher = backend.searcher()
    for query in ("Galatasaray", "G.Saray", "galatasaray'ın", "g.saray"):
        assert sorted(hit.id for hit in searcher.search(query).results) == ["kisa", "uzun"]
    short = next(hit for hit in searcher.search("galatasaray").results if hit.id == "kisa")
    assert short.title_html.startswith("<mark>G.Saray'ın</mark> derbi")
    assert "<mark>G.SARAY'a</mark>" in short.snippet
    page = searcher.search("f.bahce")
    assert sorted(hit.id for hit in page.results) == ["kisa", "uzun"]
    assert "<mark>F.BAHÇE</mark>" in next(h for h in page.results if h.id == "kisa").snippet
    assert [hit.id for hit in searcher.search("saray").results] == ["saray"]
    assert [hit.id for hit in searcher.search("terim").results] == ["terim"]


#: Two-word club names as sports pages shorten them, and written out.
SHORTENED_ARTICLES = {
    "real-kisa.txt": "title: R.Madrid'in yeni transferi\n\nR.MADRİD dün imzayı attırdı.\n",
    "real-uzun.txt": "title: Real Madrid kazandı\n\nReal Madrid deplasmanda üç gol attı.\n",
    "atletico.txt": "title: A.Madrid'e kötü haber\n\nA.Madrid bir sorunla karşı karşıya.\n",
    "sehir.txt": "title: Madrid'de yağmur\n\nMadrid sokaklarında yağmur etkili oldu.\n",
    "real-takim.txt": "title: Takımın hocası konuştu\n\nR.Madrid'in hocası maçtan sonra konuştu.\n",
    "dagnik.txt": "title: Takımın hocası konuştu\n\nReal takımın hocası Madrid'de maçtan"
    " sonra konuştu.\n",
}


def test_a_shortened_two_word_name_is_found_by_its_words(backend: Backend, tmp_path) -> None:
    """``R.Madrid'in`` is found and marked by ``Real Madrid``, by ``real`` and by
    ``madrid``; typed as ``R.Madrid`` it searches both words, so ``A.Madrid``
    (Atletico) and Madrid the city hold only one of them."""
    assert not backend.reindex(write_articles(tmp_path / "docs", SHORTENED_ARTICLES)).failed
    searcher = backend.searcher()
    for query in ("Real Madrid", "R.Madrid", "r.madrid'e", "REAL MADRİD"):
        page = searcher.search(query)
        # the two holding both words first; the others join as holding some
        assert sorted(hit.id for hit in page.results[:3]) == [
            "real-kisa",
            "real-takim",
            "real-uzun",
        ], query
        assert page.relaxed, query
    assert sorted(hit.id for hit in searcher.search("real").results) == [
        "dagnik",
        "real-kisa",
        "real-takim",
        "real-uzun",
    ]
    # one alternative of several, or excluded, it stands for the name written out too
    either = {hit.id for hit in searcher.search("R.Madrid OR G.Kore").results}
    assert either == {"real-kisa", "real-takim", "real-uzun"}
    assert sorted(hit.id for hit in searcher.search("madrid -R.Madrid").results) == [
        "atletico",
        "dagnik",
        "sehir",
    ]
    ranked = [hit.id for hit in searcher.search("real madrid").results]
    # the short form stands for the two words together, as the words written together do
    assert ranked.index("real-takim") < ranked.index("dagnik")
    short = next(hit for hit in searcher.search("real madrid").results if hit.id == "real-kisa")
    assert short.title_html.startswith("<mark>R.Madrid'in</mark> yeni")
    assert "<mark>R.MADRİD</mark> dün" in short.snippet
    assert sorted(hit.id for hit in searcher.search("madrid").results) == [
        "atletico",
        "dagnik",
        "real-kisa",
        "real-takim",
        "real-uzun",
        "sehir",
    ]


#: A common abbreviation, and a rarer name that begins with its letters.
ABD_ARTICLES = {
    **{
        f"abd-{number}.txt": f"title: Dış politika gündemi {number}\n\nWashington'daki ABD "
        f"yönetimi {topic} hakkında açıklama yaptı.\n"
        for number, topic in enumerate(("ticaret", "göç", "enerji", "savunma", "iklim"))
    },
    "abdi.txt": "title: Ödül töreni\n\nAbdi Bey'e ödül verildi; Abdi Bey teşekkür etti.\n",
    **{  # enough others that one article in twenty is rare
        f"diger-{number}.txt": f"title: Liman ihalesi {number}\n\nLiman ihalesi bugün yapıldı.\n"
        for number in range(15)
    },
}


def test_the_word_as_typed_outranks_a_rarer_word_it_begins(backend: Backend, tmp_path) -> None:
    """``ABD``, in five articles, is no rarer name's stem: ``Abdi`` (in one) ranks below
    every article holding ``ABD``, however it is typed. A rarer form weighs as the word
    typed does, and the word is matched by its own Snowball stem, which it is, not by
    the stem of most of the words beginning with it (``abdi``)."""
    assert not backend.reindex(write_articles(tmp_path / "docs", ABD_ARTICLES)).failed
    searcher = backend.searcher()
    for query in ("ABD", "abd", "ABD'nin"):
        ranked = [hit.id for hit in searcher.search(query).results]
        assert sorted(ranked[:5]) == [f"abd-{number}" for number in range(5)], query


#: Words joined with a number or a letter, articles holding their parts apart, and two
#: names joined (written the other way round).
JOINED_ARTICLES = {
    "f16.txt": "title: Tatbikat yapıldı\n\nHava Kuvvetleri'nin F-16'ları tatbikata katıldı.\n",
    "f16-bitisik.txt": "title: Uçuş\n\nİki F16 savaş uçağı havalandı.\n",
    "f16-noktali.txt": "title: Arşiv\n\nArşivde F.16 kodlu bir dosya bulundu.\n",
    "f-bosluklu.txt": "title: Pist\n\nPistteki F 16 yazısı silindi.\n",
    "f-ayri.txt": "title: Gemiler limanda\n\nF sınıfı gemiler ve bir uçak limana girdi; 16"
    " denizci indi.\n",
    "edevlet.txt": "title: Başvurular başladı\n\nBaşvurular e-Devlet kapısından alınıyor.\n",
    "devlet.txt": "title: Bahçe düzenlendi\n\nDevlet bahçesine e biçiminde bir yol yapıldı.\n",
    "s400.txt": "title: Savunma\n\nHava savunması için S-400 sistemi alındı.\n",
    "covid.txt": "title: Aşı\n\nCOVID-19 aşısı yapıldı.\n",
    "eogrenci.txt": "title: Okul\n\nVeliler e-Öğrenci sistemine girdi.\n",
    "s40.txt": "title: Otomobil\n\nYeni S40 modeli tanıtıldı.\n",  # near S400, another code
    "s-ayri.txt": "title: Yolculuk\n\nS sınıfı araçlar 400 kilometre yol yaptı.\n",
    "skor.txt": "title: Maç bitti\n\nMaç 2-0 bitti.\n",
    "skor-ters.txt": "title: Deplasman\n\nKonuk takım 0-2 yenildi.\n",
    "g-yirmi.txt": "title: Zirve\n\nG grubu ülkelerinden 20 lider toplandı.\n",
    "rusya-abd.txt": "title: Görüşme\n\nRusya-ABD görüşmesi yarın yapılacak.\n",
    "dsmart.txt": "title: Yayın\n\nMaç D-Smart'ta yayınlanacak.\n",
    "smart-ayri.txt": "title: Mağaza\n\nD blokta Smart marka telefon satıldı.\n",
}


def test_a_word_joined_with_a_number_or_a_letter_is_found_as_written(
    backend: Backend, tmp_path: Path
) -> None:
    """``F-16``, ``e-devlet``, ``S-400``: the articles writing them as one word, with a
    hyphen, a dot or nothing between, not those holding their parts apart or with a space
    between (the quoted phrase ``"F 16"`` finds those). One no article writes so
    (``G-20``) is searched as its parts, and the reader is told; two names joined
    (``ABD-Rusya``) and numbers alone (``2-0``) are their words, in any order. A word no
    article holds (``dsmart``) finds those writing its first letter apart (``D-Smart``)."""
    assert not backend.reindex(write_articles(tmp_path / "docs", JOINED_ARTICLES)).failed
    searcher = backend.searcher()
    written_as_one = ["f16", "f16-bitisik", "f16-noktali"]
    for query, found in (
        ("F-16", written_as_one),
        ("f-16'lar", written_as_one),
        ('"F-16"', ["f16", "f16-noktali"]),  # quoted: no other way of writing it
        ("F16", written_as_one),
        ("f16'lar", written_as_one),
        ('"F 16"', ["f-bosluklu", "f16", "f16-noktali"]),
        ("e-devlet", ["edevlet"]),
        ("E-DEVLET", ["edevlet"]),
        ("edevlet", ["edevlet"]),  # e then a word, typed as one
        ("eDevlet'ten", ["edevlet"]),
        ("S-400", ["s400"]),
        ("S400", ["s400"]),
        ("covid-19", ["covid"]),  # typed in lower case: COVID is covıd in Turkish
        ("e-ogrenci", ["eogrenci"]),  # without Turkish letters: every spelling, joined
        ("F16,", written_as_one),
        ("dsmart", ["dsmart"]),  # a word no article holds, its first letter written apart
        ("DSmart'tan", ["dsmart"]),
    ):
        page = searcher.search(query)
        assert (sorted(hit.id for hit in page.results), page.total) == (found, len(found)), query
        assert page.phrases_not_found == [] and page.suggestion is None, query
    snippets = {hit.id: hit.snippet for hit in searcher.search("F16").results}
    assert "<mark>F</mark>-<mark>16'ları</mark>" in snippets["f16"]
    assert "<mark>F16</mark>" in snippets["f16-bitisik"]
    (hit,) = searcher.search("edevlet").results
    assert "<mark>e</mark>-<mark>Devlet</mark>" in hit.snippet
    (hit,) = searcher.search("dsmart").results
    assert "<mark>D</mark>-<mark>Smart'ta</mark>" in hit.snippet
    page = searcher.search("G-20")
    assert ([hit.id for hit in page.results], page.phrases_not_found) == (["g-yirmi"], ["G-20"])
    marked = searcher.highlighted_article("g-yirmi", "G-20").paragraphs_html  # as its words
    assert "<mark>G</mark> grubu ülkelerinden <mark>20</mark>" in " ".join(marked)
    assert [hit.id for hit in searcher.search("ABD-Rusya").results] == ["rusya-abd"]
    assert sorted(hit.id for hit in searcher.search("2-0").results) == ["skor", "skor-ters"]
    for query in ("uçak -F16", "uçak -F-16"):  # written either way, left out either way
        assert [hit.id for hit in searcher.search(query).results] == ["f-ayri"], query
    assert [hit.id for hit in searcher.search("smart -dsmart").results] == ["smart-ayri"]


#: Two words a reader may type without the space between, and two rare unlisted ones.
RUN_TOGETHER_ARTICLES = {
    "faiz.txt": "title: Faiz kararı\n\nMerkez Bankası faizi sabit tuttu.\n",
    "rezerv.txt": "title: Rezervler\n\nMerkez bankası rezervleri arttı.\n",
    "dere.txt": "title: Köy\n\nZorvak köyünden Telpa adlı bir dere geçer.\n",
    "zam.txt": "title: Elektrik\n\nElektriğe yüzde 50 zam geldi.\n",
}


def test_two_words_typed_without_the_space_between_are_searched_apart(
    backend: Backend, tmp_path: Path
) -> None:
    """``merkezbankası`` finds nothing as typed: the words it runs together are searched
    instead and the page says so, as a typo's correction is, and so is a number run on to
    a word (``yüzde50``); three words run together (``merkezbankasıfaizi``) are only
    suggested; two rare words no list holds (``zorvaktelpa``) are no such slip, nor a
    code (``zorvak50``)."""
    assert not backend.reindex(write_articles(tmp_path / "docs", RUN_TOGETHER_ARTICLES)).failed
    searcher = backend.searcher()
    page = searcher.search("merkezbankası")
    assert (page.corrected, sorted(hit.id for hit in page.results)) == (
        "merkez bankası",
        ["faiz", "rezerv"],
    )
    snippets = {hit.id: hit.snippet for hit in page.results}
    assert "<mark>Merkez</mark> <mark>Bankası</mark>" in snippets["faiz"]
    assert searcher.search("merkezbankasi").corrected == "merkez bankası"  # the articles' letters
    three = searcher.search("merkezbankasıfaizi")  # three words, two spaces left out
    assert (three.total, three.suggestion, three.corrected) == (0, "merkez bankası faizi", None)
    assert [hit.id for hit in searcher.search(three.suggestion).results][:1] == ["faiz"]
    as_typed = searcher.search("merkezbankası", as_typed=True)
    assert (as_typed.total, as_typed.suggestion) == (0, "merkez bankası")
    rare = searcher.search("zorvaktelpa")
    assert (rare.total, rare.suggestion, rare.corrected) == (0, None, None)
    number = searcher.search("yüzde50")  # a number run on to a word
    assert (number.corrected, [hit.id for hit in number.results]) == ("yüzde 50", ["zam"])
    code = searcher.search("zorvak50")  # a word no list holds: a code, kept as typed
    assert (code.total, code.suggestion, code.corrected) == (0, None, None)


#: Two equal articles of different dates, and two with the same words, together in one.
SECOND_STAGE_ARTICLES = {
    "eski-liman.txt": "title: Liman ihalesi yapıldı\ndate: 2019-05-02\n\n"
    "Liman genişletme ihalesi bugün yapıldı ve sonuç açıklandı.\n",
    "yeni-liman.txt": "title: Liman ihalesi yapıldı\ndate: 2025-05-02\n\n"
    "Liman genişletme ihalesi bugün yapıldı ve sonuç açıklandı.\n",
    "faiz-bitisik.txt": "title: Merkez bankası açıklama yaptı\n\nMerkez bankası faiz kararı "
    "sonrası piyasalar sakin seyretti. Uzmanlar yorum yaptı.\n",
    "faiz-dagnik.txt": "title: Ekonomi gündemi\n\nFaiz yine konuşuldu. Toplantıda faiz "
    "beklentisi ele alındı. Şirketin yatırım kararı ertelendi; kurulun kararı haftaya kaldı.\n",
}


def test_the_second_stage_ranks_alike(backend: Backend, tmp_path: Path) -> None:
    assert not backend.reindex(write_articles(tmp_path / "docs", SECOND_STAGE_ARTICLES)).failed
    searcher = backend.searcher()
    ranked = [hit.id for hit in searcher.search("liman ihalesi").results]
    assert ranked == ["yeni-liman", "eski-liman"]  # the newer of two equals first
    ranked = [hit.id for hit in searcher.search("faiz kararı").results]
    assert ranked[:2] == ["faiz-bitisik", "faiz-dagnik"]  # the words together first


def test_marks_per_page_are_bounded(backend: Backend, tmp_path: Path) -> None:
    repeated = "belediye"
    text = "title: Tekrar\n\n" + "\n\n".join([f"{repeated} meclisi " * 50] * 100) + "\n"
    docs = write_articles(tmp_path / "docs", {"dev/tekrar.txt": text})
    assert not backend.reindex(docs).failed
    page = backend.searcher().highlighted_article("dev/tekrar", repeated)
    assert page is not None
    marked = "".join([page.title_html, *page.paragraphs_html])
    assert marked.count("<mark>") == MAX_MARKS < 5_000
    assert marked.count(repeated) == 5_000  # the whole text is still there


def test_a_phrase_typed_without_turkish_letters_finds_every_spelling(
    backend: Backend, tmp_path: Path
) -> None:
    """``"Istanbul'da dun"`` (an English keyboard's capital I, no ü) and ``"hala gibi"``
    find the phrase as the article writes it, and mark it; a phrase typed with Turkish
    letters keeps to them."""
    articles = {
        "a.txt": "title: Hava\n\nİstanbul'da dün kar yağdı. Hâlâ gibi görünüyor.\n",
        "b.txt": "title: Yol\n\nDün İstanbul yolunda trafik vardı.\n",
        "c.txt": "title: Yazım\n\nIstanbul'da dun yağmur yağdı; hala gibi.\n",
    }
    docs = write_articles(tmp_path / "docs", articles)
    assert not backend.reindex(docs).failed
    searcher = backend.searcher()
    page = searcher.search('"Istanbul\'da dun"')
    assert sorted(hit.id for hit in page.results) == ["a", "c"]
    assert not page.phrases_not_found
    first = next(hit for hit in page.results if hit.id == "a")
    assert "<mark>İstanbul'da</mark> <mark>dün</mark>" in first.snippet
    assert sorted(hit.id for hit in searcher.search('"hala gibi"').results) == ["a", "c"]
    assert [hit.id for hit in searcher.search('"İstanbul\'da dün"').results] == ["a"]


def test_search_command_prints_ranked_results(indexed: Backend) -> None:
    result = haberara("search", "biskek", *options(indexed))
    assert result.returncode == 0
    assert "1 result for 'biskek'" in result.stdout
    assert "Bişkek'teki" in result.stdout
    as_json = search_json(indexed, "biskek")
    assert as_json["results"][0]["id"] == "2025/09/biskek-zirvesi"
    assert "<mark>Bişkek'teki</mark>" in as_json["results"][0]["title_html"]


def test_search_command_says_it_shows_the_spelling_correction(indexed: Backend) -> None:
    result = haberara("search", "kırgıstan -deprem", *options(indexed))
    assert result.returncode == 0, result.stderr
    assert (
        "nothing found for 'kırgıstan -deprem'; showing 'kırgızistan -deprem'"
        " (--as-typed: as typed)"
    ) in result.stdout
    assert "1 result for 'kırgızistan -deprem'" in result.stdout
    as_typed = haberara("search", "kırgıstan", "--as-typed", *options(indexed))
    assert "0 results for 'kırgıstan'" in as_typed.stdout
    assert "did you mean: kırgızistan" in as_typed.stdout


def test_search_command_names_categories_as_the_api_does(indexed: Backend) -> None:
    facets = search_json(indexed, "toplantı OR deprem")["facets"]["category"]
    assert sorted((entry["value"], entry["name"]) for entry in facets) == [
        ("ekonomi", "Ekonomi"),
        ("saglik", "Sağlık"),
    ]


def test_search_command_corrects_a_typo_inside_quotes(indexed: Backend) -> None:
    body = search_json(indexed, '"kırgıstan"')
    assert body["corrected"] == '"kırgızistan"'
    assert [hit["id"] for hit in body["results"]] == ["2025/09/biskek-zirvesi"]


def test_search_command_suggests_a_word_no_article_holds_beside_the_results(
    indexed: Backend,
) -> None:
    result = haberara("search", "toplantı kırgızistn", *options(indexed))
    assert result.returncode == 0, result.stderr
    assert "3 results for 'toplantı kırgızistn'" in result.stdout
    assert "did you mean: toplantı kırgızistan" in result.stdout
    assert "   missing: kırgızistn" in result.stdout and "nothing found" not in result.stdout


def test_a_misspelt_phrase_no_article_holds_is_corrected_beside_the_results(
    indexed: Backend,
) -> None:
    """A phrase is looked up for misspellings as words are (one rule, Clause.correctable):
    here it shares its group with a word no article holds, so it is no lone phrase
    searched as its words, and the other words still find three articles."""
    page = indexed.searcher().search('"güvenlik konsyei" OR zzzzyok toplantı')
    assert page.total == 3 and page.relaxed
    assert page.suggestion == '"güvenlik konseyi" OR zzzzyok toplantı'


def test_no_word_is_looked_up_for_a_suggestion_once_the_request_budget_is_spent(
    indexed: Backend,
) -> None:
    """Looking words up for a suggestion is costly work: it waits for the process's turn
    and is left out once the request's time is spent, on either backend (the cluster's
    searcher looks them up in this process too)."""
    searcher = indexed.searcher()
    with budget.request_budget(seconds=0.0):
        cut = searcher.search("kırgızistn")
    assert cut.total == 0 and cut.suggestion is None and cut.corrected is None
    assert searcher.search("kırgızistn").corrected == "kırgızistan"


def test_search_command_names_the_words_an_article_lacks(indexed: Backend) -> None:
    result = haberara("search", "liman zzzzyok", *options(indexed))
    assert result.returncode == 0
    assert "   missing: zzzzyok" in result.stdout
    assert "(fewer than 10 articles have every word; articles with some of them added)" in (
        result.stdout
    )


def test_search_command_names_a_phrase_searched_as_its_words(indexed: Backend) -> None:
    result = haberara("search", '"konseyi güvenlik"', *options(indexed))
    assert "no article has the phrase 'konseyi güvenlik'; its words were searched" in (
        result.stdout
    )
    exact = haberara("search", '"güvenlik konseyi"', *options(indexed))
    assert "no article has the phrase" not in exact.stdout
    assert "1 result for" in exact.stdout


def test_warming_up_reads_what_a_first_misspelt_search_needs(
    backend: Backend, tmp_path: Path, monkeypatch
) -> None:
    """A served worker's warm-up reads the dictionary's word lists and buckets the
    index's words for spelling suggestions, on either backend: its first search with a
    misspelt word does neither on the request's clock, where the suggestion's budget
    would run out on a busy machine."""
    from search.searching import vocabulary
    from search.text import dictionary

    assert not backend.reindex(write_articles(tmp_path / "docs", FIXTURE_ARTICLES)).failed
    dictionary._lists.cache_clear()
    dictionary.name_words.cache_clear()
    searcher = backend.searcher()
    searcher.warm_up()

    def unread(*_, **__):
        raise AssertionError("read on the first search")

    monkeypatch.setattr(dictionary, "_listed_words", unread)
    monkeypatch.setattr(vocabulary, "NearWords", unread)
    assert searcher.search("toplantı kırgızistn").suggestion == "toplantı kırgızistan"


def test_search_without_index_exits_with_advice(backend: Backend) -> None:
    result = haberara("search", "toplantı", *options(backend))
    assert result.returncode == 3
    assert "haberara reindex" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_environment_chooses_the_backend(indexed: Backend) -> None:
    env = {"HABERARA_BACKEND": indexed.name, "HABERARA_INDEX": str(indexed.index_dir),
           "HABERARA_OPENSEARCH_URL": ",".join(indexed.cluster.urls),
           "HABERARA_OPENSEARCH_INDEX": indexed.cluster.index}  # fmt: skip
    result = haberara("search", "--json", "toplantı", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 3


def test_the_server_answers_from_the_backend(indexed: Backend) -> None:
    import requests

    chosen = options(indexed) if indexed.name != "embedded" else []
    with serve(indexed.index_dir, *chosen) as base:
        body = requests.get(f"{base}/api/search", params={"q": "biskek"}, timeout=30).json()
    assert [hit["id"] for hit in body["results"]] == ["2025/09/biskek-zirvesi"]


@pytest.mark.parametrize(
    "query",
    ["toplantı", "toplantı liman ekonomi", "biskek", "derbi OR deprem", '"güvenlik konseyi"',
     "-derbi", "toplant*", "title:liman", "liman zzzzyok", "kırgızistn", "toplantı kırgızistn",
     "bişkek derbi category:spor", "category:spor"],
)  # fmt: skip
def test_both_backends_answer_alike(query: str, index_dir: Path, request) -> None:
    cluster = request.getfixturevalue("opensearch_fixture_index")
    pages = [
        Backend.choose("embedded", index_dir).searcher().search(query).to_dict(),
        Backend("opensearch", cluster=cluster).searcher().search(query).to_dict(),
    ]
    for page in pages:
        del page["took_ms"]
        for hit in page["results"]:
            del hit["score"]  # each engine scores on its own scale
    assert pages[0] == pages[1]


RELATED_ARTICLES = {
    "sel/rize.txt": "title: Rize'de sel felaketi\ndate: 2025-06-01\n\nKaradeniz'de sel: dereler "
    "taştı, köprüler yıkıldı. Sel bölgesinde ekipler arama çalışması yürütüyor.\n",
    "sel/artvin.txt": "title: Artvin'de sel\ndate: 2025-06-03\n\nArtvin'de dereler taştı, sel "
    "köprüleri yıktı. Ekipler sel bölgesinde arama çalışması yürütüyor.\n",
    "sel/kopya.txt": "title: Rize'de sel felaketi\ndate: 2025-06-02\n\nKaradeniz'de sel: dereler "
    "taştı, köprüler yıkıldı. Sel bölgesinde ekipler arama çalışması yürütüyor.\n",
    "spor/derbi.txt": "title: Kırgızistan derbisi\ndate: 2025-05-01\n\nDerbide gol sesi "
    "çıkmadı; taraftarlar maçı izledi.\n",
    "spor/lig.txt": "title: Kırgızistan liginde yeni sezon\ndate: 2025-05-02\n\nLigde yeni "
    "sezon başladı; kulüpler transfer yaptı.\n",
}


def test_related_articles_and_completions_on_both_backends(backend: Backend, tmp_path) -> None:
    """An article's related ones share its subject and leave out a copy of it; completions
    come from the titles, found typed without Turkish letters."""
    backend.reindex(write_articles(tmp_path / "docs", RELATED_ARTICLES))
    searcher = backend.searcher()
    related = [article.id for article in searcher.related("sel/rize")]
    assert related[:1] == ["sel/artvin"]
    assert "sel/kopya" not in related and "sel/rize" not in related
    assert searcher.related("yok/boyle-bir-haber") == []
    completions = [completion.text for completion in searcher.complete("kirg")]
    assert completions and completions[0].startswith("Kırgızistan")


def test_sorting_by_date_puts_the_articles_holding_every_word_first(
    backend: Backend, tmp_path: Path
) -> None:
    """Fewer than a page hold every word, so articles holding some are added: by date,
    those holding every word come first (newest first, the undated last), then the others,
    page after page."""
    docs = write_articles(
        tmp_path / "docs",
        {
            "tam.txt": "title: Bakan\ndate: 2024-01-05\n\nBakan enflasyon verisini açıkladı.\n",
            "yeni.txt": "title: Bakan\ndate: 2025-03-01\n\nBakan yeni yolu açtı.\n",
            "daha-yeni.txt": "title: Fiyat\ndate: 2025-06-01\n\nEnflasyon yüzde üç oldu.\n",
            "tarihsiz.txt": "title: Bakan\n\nBakan enflasyon hedefini anlattı.\n",
        },
    )
    assert not backend.reindex(docs).failed
    searcher = backend.searcher()
    page = searcher.search("enflasyon bakan", sort="date")
    assert page.relaxed and page.total == 4
    assert [hit.id for hit in page.results] == ["tam", "tarihsiz", "daha-yeni", "yeni"]
    pages = [searcher.search("enflasyon bakan", sort="date", page=n, per_page=1) for n in (2, 3)]
    assert [[hit.id for hit in p.results] for p in pages] == [["tarihsiz"], ["daha-yeni"]]
    assert all(p.total == 4 for p in pages)
