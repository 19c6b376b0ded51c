"""The Turkish analysis chain: each filter, the composed chain, and the suffix grammar."""

from __future__ import annotations

import pickle
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import search.text.analysis as analysis
from search.text.abbreviations import (
    ABBREVIATIONS,
    expand,
    name_words,
    replacements,
    spellings,
)
from search.text.analysis import (
    TurkishLowerFilter,
    TurkishTokenizer,
    analyze,
    ascii_fold,
    joined_form,
    joined_forms,
    turkish_analyzer,
    turkish_lower,
)
from search.text.morphology import (
    SUFFIX_CHAIN,
    inflections,
    is_inflection,
    is_suffix_chain,
    lemma_candidates,
    suffix_chains,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KIRGIZİSTAN", "kırgızistan"),
        ("IĞDIR", "ığdır"),
        ("İSTANBUL", "istanbul"),
        ("ISPARTA", "ısparta"),
        ("I\u0307zmir", "izmir"),  # decomposed capital İ
        ("Şişli", "şişli"),
    ],
)
def test_turkish_lower(text: str, expected: str) -> None:
    assert turkish_lower(text) == expected


def test_str_lower_is_wrong_for_turkish() -> None:
    """Why the filter exists: Python maps I to i and İ to i + combining dot."""
    assert "KIRGIZİSTAN".lower() != turkish_lower("KIRGIZİSTAN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bişkek'teki toplantı", ["bişkek", "toplantı"]),
        ("TDT'nin kararı", ["tdt", "kararı"]),
        ("40'tan fazla", ["40", "fazla"]),
        ("Kırgızistan’ın başkenti", ["kırgızistan", "başkenti"]),  # typographic ’
        ("Ankara‘da", ["ankara"]),
        ("İzmirʼe", ["izmir"]),
        ("Bişkek´te Bişkek`te Bişkek′te", ["bişkek"] * 3),  # look-alikes: accents, prime
        ("`kod` ´alıntı´", ["kod", "alıntı"]),
        ("covid_19 e-posta", ["covid", "19", "e", "posta"]),
    ],
)
def test_apostrophe_suffix_is_dropped(text: str, expected: list[str]) -> None:
    assert analyze(text, stop=False) == expected


def test_highlight_offsets_cover_the_whole_word() -> None:
    text = "Sekreterler Bişkek'teki toplantıya katıldı."
    tokens = [
        (t.text, text[t.startchar : t.endchar])
        for t in turkish_analyzer(stop=False)(text, chars=True)
    ]
    assert ("bişkek", "Bişkek'teki") in tokens


def test_nfc_decomposed_input_matches_composed() -> None:
    composed = "Şişli'deki İstanbul"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert analyze(decomposed) == analyze(composed) == ["şişli", "istanbul"]


@pytest.mark.parametrize(
    ("typed", "written"),
    [("biskek", "Bişkek"), ("kirgizistan", "Kırgızistan"), ("ISTANBUL", "İstanbul"),
     ("cagdas", "çağdaş"), ("ogrenci", "öğrenci"), ("uyusturucu", "uyuşturucu")],
)  # fmt: skip
def test_ascii_fold_makes_keyboard_queries_equal(typed: str, written: str) -> None:
    assert [ascii_fold(t) for t in analyze(typed)] == [ascii_fold(t) for t in analyze(written)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G.Saray'ın", ["galatasaray"]),
        ("G.SARAYLILAR.", ["galatasaraylılar"]),
        ("f.bahce ve F.BAHÇE", ["fenerbahçe", "ve", "fenerbahçe"]),
        ("Ş.Urfa’da", ["şanlıurfa"]),
        ("F.Terim", ["f", "terim"]),  # not listed: an initial and a name
        ("AG.Saray", ["ag", "saray"]),  # no abbreviation inside a word
        ("Saray", ["saray"]),
        ("R.Madrid'in", ["r.madrid"]),  # a two-word name shortened: one word, as written
        ("G.KORE ve Kuzey Kore", ["g.kore", "ve", "kuzey", "kore"]),
    ],
)
def test_a_listed_abbreviation_is_one_word_its_name(text: str, expected: list[str]) -> None:
    assert analyze(text, stop=False) == expected


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("r.madrid", ["real", "madrid"]),
        ("m.unıted", ["manchester", "united"]),  # M.UNITED lower-cased by Turkish rules
        ("b.munihli", ["bayern", "münihli"]),
        ("g.saray", []),
        ("madrid", []),
    ],
)
def test_a_shortened_two_word_name_stands_for_its_words(form: str, expected: list[str]) -> None:
    assert name_words(form) == expected


def test_the_clusters_abbreviation_patterns_replace_as_the_analysis_does() -> None:
    """The OpenSearch mapping replaces by pattern what :func:`expand` replaces."""
    for short in ABBREVIATIONS:
        for spelling in spellings(short):
            for word in (spelling, spelling + "lılar"):
                lowered = turkish_lower(word)
                replaced = lowered
                for pattern, name in replacements():
                    replaced = re.sub(pattern, name, replaced)
                assert replaced == expand(lowered) != lowered


def test_capitals_never_change_tokens() -> None:
    for variant in ("KIRGIZİSTAN", "kırgızistan", "Kırgızistan"):
        assert analyze(variant, stop=False) == ["kırgızistan"]
        assert [ascii_fold(t) for t in analyze(variant)] == ["kirgizistan"]


def test_stop_words_dropped_only_where_asked() -> None:
    text = "Türkiye ve Azerbaycan ile"
    assert analyze(text) == ["türkiye", "azerbaycan"]
    assert analyze(text, stop=False) == ["türkiye", "ve", "azerbaycan", "ile"]


def test_stem_filter_uses_snowball_turkish() -> None:
    assert analyze("toplantıya seçimlerde", stem=True) == ["toplantı", "seçim"]


def test_snowball_alone_stems_dictionary_forms_apart() -> None:
    """Why inflection expansion exists: Snowball gives the base and inflected forms
    different stems, so a stem-only index misses them."""
    assert analyze("toplantı", stem=True) != analyze("toplantıya", stem=True)
    assert analyze("konsey", stem=True) != analyze("konseyi", stem=True)


def test_chain_order_matches_module_docstring() -> None:
    """The docstring's numbered list and the real chain must not drift apart."""
    listed = re.findall(r"^\d\. ``(\w+)``", analysis.__doc__, flags=re.MULTILINE)
    chain = turkish_analyzer(stop=True, stem=True)
    assert listed == [type(step).__name__ for step in chain.items]


def test_analyzers_pickle_with_the_schema() -> None:
    chain = turkish_analyzer(stem=True)
    restored = pickle.loads(pickle.dumps(chain))
    assert [t.text for t in restored("Seçimlerde")] == [t.text for t in chain("Seçimlerde")]


def test_filters_compose_from_single_steps() -> None:
    chain = TurkishTokenizer() | TurkishLowerFilter()
    assert [t.text for t in chain("IĞDIR Şırnak")] == ["ığdır", "şırnak"]
    assert ascii_fold("âîû") == "aiu"


@pytest.mark.parametrize(
    ("suffix", "valid"),
    [("", True), ("ya", True), ("nin", True), ("i", True), ("lere", True),
     ("larinda", True), ("ndaki", True), ("si", True), ("sina", True), ("lerimizden", True),
     ("dir", True), ("et", False), ("ci", False), ("mak", False), ("ntiya", False)],
)  # fmt: skip
def test_suffix_grammar(suffix: str, valid: bool) -> None:
    assert is_suffix_chain(suffix) is valid


VOCABULARY = sorted(
    ["toplanti", "toplantiya", "toplantinin", "toplam", "toplamak", "konseyi", "konseyin",
     "konserler", "uydunun", "kitabi", "kitaplar", "sehri", "sehir", "evet", "evde"]
)  # fmt: skip


SUFFIX_LETTERS = "lraeiumnzsydtckx"
near_chains = st.tuples(
    st.sampled_from(sorted(suffix_chains())), st.text(alphabet=SUFFIX_LETTERS, max_size=2)
).map(lambda parts: parts[0][: len(parts[0]) // 2] + parts[1] + parts[0][len(parts[0]) // 2 :])


@settings(max_examples=500)
@given(st.one_of(st.text(alphabet=SUFFIX_LETTERS, max_size=18), near_chains))
def test_a_suffix_chain_is_in_the_pattern_and_never_two_vowels_in_a_row(text: str) -> None:
    """Inflections are checked against the set of every chain: the pattern's strings whose
    suffixes are joined as Turkish joins them, which never puts two vowels together."""
    if text in suffix_chains():
        assert SUFFIX_CHAIN.fullmatch(text)
        assert not re.search("[aeiou]{2}", text)


@pytest.mark.parametrize(
    ("chain", "valid"),
    [("larina", True), ("iyle", True), ("daydi", True), ("lerimizden", True), ("sidir", True),
     ("imin", True), ("sinde", True), ("larimizdakiymis", True),
     ("ia", False), ("ida", False), ("ile", False), ("lerya", False), ("mnin", False),
     ("iki", False), ("lerdemis", False), ("larinadi", False), ("siyi", False), ("lerm", False)],
)  # fmt: skip
def test_suffixes_join_each_other_as_turkish_joins_them(chain: str, valid: bool) -> None:
    """``-ları`` then ``-a`` is ``-larına``; ``-de`` then ``-miş`` is ``-deymiş``; ``-ler``
    then ``-im`` is ``-lerim``: the pattern alone let ``kitabıda`` and ``vania`` (``van``
    + ``-ı`` + ``-a``) be forms."""
    assert is_suffix_chain(chain) is valid


def test_every_suffix_chain_matches_the_pattern() -> None:
    assert len(suffix_chains()) > 10_000
    assert all(SUFFIX_CHAIN.fullmatch(chain) for chain in suffix_chains())
    assert {"", "ya", "nin", "larinda", "larimizdakiymis"} <= suffix_chains()


def inflected(prefix: str, needs_vowel: bool) -> list[str]:
    return [
        word
        for word in VOCABULARY
        if word.startswith(prefix) and is_inflection(word, len(prefix), needs_vowel)
    ]


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("toplanti", {"toplanti", "toplantiya", "toplantinin"}),
        ("konsey", {"konseyi", "konseyin"}),
        ("uydu", {"uydunun"}),
        ("kitap", {"kitabi", "kitaplar"}),
        ("sehir", {"sehir", "sehri"}),
        ("ev", {"evde"}),
    ],
)
def test_inflections_come_from_the_vocabulary(base: str, expected: set[str]) -> None:
    assert set(inflections(base, inflected)) == expected


def test_lemma_candidates_need_an_indexed_word() -> None:
    indexed = set(VOCABULARY) | {"konsey"}
    found = lemma_candidates("konseyinde", indexed.__contains__)
    assert found == ["konseyin", "konseyi", "konsey"]
    assert lemma_candidates("toplantiya", indexed.__contains__) == ["toplanti"]
    assert lemma_candidates("kitabi", {"kitap"}.__contains__) == ["kitap"]


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("F-16'ları ve F.16", ["f16", "f16"]),
        ("e-Devlet’ten başvuru", ["edevlet"]),
        ("COVID-19 aşısı; 4.5G hızı", ["covıd19", "45g"]),  # Turkish lower case
        ("İ-Bank ve T.C. kimlik", ["ibank", "tc"]),
        ("F-16/F-35 ve (S-400),", ["f16", "f35", "s400"]),
        ("ABD-Rusya 2-0 1.200 saat 10.30'da İbn-i Sina", []),
        ("www.haber.com.tr ve G.Saray", []),
        ("F 16 ve F- 16 ve F -16", []),
        ("", []),
    ],
)
def test_words_written_as_one_are_indexed_joined(text: str, forms: list[str]) -> None:
    assert joined_forms(text) == forms


def test_a_query_word_is_one_joined_form_only_when_it_is_all_one_word() -> None:
    assert [joined_form(text) for text in ("F-16'da!", "e-devlet", "(S-400)")] == [
        "f16",
        "edevlet",
        "s400",
    ]
    assert [joined_form(text) for text in ("F-16/F-35", "F 16", "ABD-Rusya", "uçak")] == [None] * 4
