"""Property-based tests: any Unicode text through the analyzer, the query parser, the
searcher and the highlighter gives a result or a clear ``BadParameter``, never an exception,
and highlighted HTML never carries markup other than ``<mark>``.

Example counts are bounded so the file runs in seconds; there are no deadlines (no timing).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from conftest import write_articles
from search.articles import normalize_text
from search.errors import BadParameter
from search.indexing.reindex import reindex
from search.searching.engine import _power
from search.searching.highlight import _sentences, highlight, match_spans, snippet
from search.searching.query import ParsedQuery, parse_query
from search.searching.querybuild import MatchSpec
from search.searching.results import SearchPage
from search.searching.searcher import MAX_QUERY_LENGTH, Searcher
from search.storage.schema import TurkishText
from search.storage.segmentwriter import FieldTokens
from search.text.analysis import (
    FormNumbers,
    analyze,
    ascii_fold,
    cached_analyzer,
    exact_forms,
    index_terms,
    stem_first_letters,
    stem_start,
    turkish_stem,
)

FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ARTICLES = {
    "2025/adana-meclis.txt": (
        "title: <b>Adana</b> meclisi & bütçe <script>alert(1)</script>\ndate: 2025-02-14\n"
        "category: Yerel <Haber>\n\n"
        "Adana Büyükşehir Belediye Meclisi'nde bütçe görüşmeleri sürdü. Üyeler a < b > c & d "
        "gibi formüllerle tartıştı; İSKİ'nin raporu &amp; ekleri dağıtıldı.\n\n"
        "Toplantıya katılan gazeteciler <img src=x onerror=alert(2)> etiketini haberde gördü.\n"
    ),
    "2025/kirgizistan.txt": (
        " date 2025-09-12 Kırgızistan'ın başkenti Bişkek'teki toplantıda güvenlik konseyi "
        "sekreterleri buluştu. IĞDIR ve İZMİR'den gelen heyetler de katıldı.\n"
    ),
    "spor/derbi.txt": (
        'title: Derbi "berabere" bitti\ncategory: spor\n\nİstanbul\'daki derbide gol '
        "çıkmadı; teknik direktör maçın ardından soruları yanıtladı.\n"
    ),
}
WORDS = [
    "Adana", "meclisi", "bütçe", "script", "alert", "<b>", "&", "&amp;", "<", ">", "İSKİ'nin",
    "Kırgızistan", "biskek", "KIRGIZİSTAN", "toplantı", "güvenlik", "konseyi", "derbi", "gol",
    "img", "onerror", "Iğdır", "izmir", "formül", "\u0307", "I\u0307", "ş", "s\u0327",
]  # fmt: skip
OPERATORS = ["OR", "-", '"', "title:", "category:", "başlık:", "*", "(", ")", "'", "’"]

#: Query-like text: words of the fixture articles mixed with the query syntax and noise.
query_like = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(OPERATORS),
        st.builds(lambda a, b: a + b, st.sampled_from(OPERATORS), st.sampled_from(WORDS)),
        st.builds(lambda a, b: a + b, st.sampled_from(WORDS), st.sampled_from(OPERATORS)),
        st.text(min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=12,
).map(" ".join)
TURKISH_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ"
#: One long word (but see test_one_very_long_word_gives_a_page for why that is not enough).
long_word = st.text(alphabet=st.sampled_from(TURKISH_LETTERS), min_size=1, max_size=500)
any_query = st.one_of(
    st.text(min_size=1, max_size=MAX_QUERY_LENGTH),
    long_word,
    st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=50),
    query_like,
)
#: Text with every code point hypothesis can make, lone surrogates included.
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
#: Few letters, many apostrophes and Turkish capitals: words meet at every kind of edge.
turkish_edges = st.text(alphabet="aıiİIoöşsSŞbBtTé2_'’‘ʼ -.\n(,«”", max_size=120)
#: Listed abbreviations (G.Saray) and look-alikes, run into each other and into edges.
abbreviated = st.lists(
    st.sampled_from(
        ["G.Saray", "g.SARAY", "G.SARAYLI", "F.Bahce", "F.BAHÇE", "Ş.Urfa", "s.urfa", "G.BİRLİĞİ",
         "F.Terim", "R.Madrid", "G.KORE", "AG.Saray", "G.", "G", "Saray", ".", "'ın", "’", " ",
         "\n", "lı", "2", "_"]
    ),
    max_size=12,
).map("".join)  # fmt: skip


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    folder = tmp_path_factory.mktemp("properties")
    docs = write_articles(folder / "docs", ARTICLES)
    report = reindex(docs, folder / "index")
    assert not report.failed
    return Searcher(folder / "index")


@MANY
@given(text=any_text, stop=st.booleans(), stem=st.booleans())
def test_analyze_never_raises(text: str, stop: bool, stem: bool) -> None:
    tokens = analyze(text, stop=stop, stem=stem)
    assert isinstance(tokens, list)
    assert all(isinstance(token, str) and token and not token.isspace() for token in tokens)


@MANY
@given(text=st.one_of(any_text, query_like, abbreviated))
def test_fast_exact_forms_agree_with_the_index_analyzer(text: str) -> None:
    """Snippets and phrase checks use exact_forms; the index uses the whoosh chain."""
    analyzer = cached_analyzer(False, False)
    tokens = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True)]
    assert list(exact_forms(text)) == tokens


@MANY
@given(
    text=st.one_of(any_text, turkish_edges, query_like, abbreviated),
    stop=st.booleans(),
    stem=st.booleans(),
)
def test_index_terms_are_the_analyzer_tokens(text: str, stop: bool, stem: bool) -> None:
    """The build counts terms with index_terms; searches analyse with the whoosh chain."""
    analyzer = cached_analyzer(stop, stem)
    assert index_terms(text, stop=stop, stem=stem) == [t.text for t in analyzer(text, mode="index")]
    field = TurkishText(stop=stop, stem=stem)
    assert sorted(field.index(text)) == sorted(TEXT(analyzer=analyzer, phrase=False).index(text))


def plain_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences by their definition: split at the spaces after ``.!?…`` and at line
    breaks, empty pieces left out."""
    spans, start = [], 0
    for boundary in re.finditer(r"(?<=[.!?…])\s+|\n+", text):
        if boundary.start() > start:
            spans.append((start, boundary.start()))
        start = boundary.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


@MANY
@given(text=st.one_of(any_text, st.text(alphabet="ab .!?…\n\t", max_size=40)))
def test_snippet_sentences_are_the_plain_definition(text: str) -> None:
    assert _sentences(text) == plain_sentences(text)


SHARED_NUMBERS = FormNumbers()  # shared across examples: numbers learned before are reused


def collected_counts(texts: list[str], numbers: FormNumbers, *, stop: bool, stem: bool):
    """Each text's ``{term: frequency}`` as the build's :class:`FieldTokens` counts them,
    checking the order of its postings on the way."""
    tokens = FieldTokens(stop, stem)
    for docnum, text in enumerate(texts):
        tokens.add(docnum, numbers.numbers(text))
    terms, ends, docs, freqs = tokens.sorted_postings(numbers)
    assert terms == sorted(set(terms)) and len(ends) == len(terms)
    counts: list[Counter] = [Counter() for _ in texts]
    start = 0
    for term, end in zip(terms, ends.tolist(), strict=True):
        held = docs[start:end].tolist()
        assert held == sorted(set(held)) and end > start
        for docnum, freq in zip(held, freqs[start:end].tolist(), strict=True):
            counts[docnum][term.decode("utf-8")] = int(freq)
        start = end
    assert start == len(docs)
    return counts


@MANY
@given(
    texts=st.lists(st.one_of(any_text, turkish_edges, query_like), min_size=1, max_size=3),
    stop=st.booleans(),
    stem=st.booleans(),
)
def test_the_build_term_counts_are_the_index_terms(texts: list[str], stop: bool, stem: bool):
    """The build numbers words by their forms (numbers kept between segments' articles) and
    counts them when the segment is written; every count is index_terms' count of that text,
    and every text's length in the chain is its number of index terms."""
    expected = [Counter(index_terms(text, stop=stop, stem=stem)) for text in texts]
    for numbers in (SHARED_NUMBERS, FormNumbers()):
        assert collected_counts(texts, numbers, stop=stop, stem=stem) == expected
        chain = numbers.chain(stop=stop, stem=stem)
        lengths = [chain.length(numbers.numbers(text)) for text in texts]
        assert lengths == [sum(counts.values()) for counts in expected]


@MANY
@given(
    title=st.one_of(any_text, turkish_edges, query_like),
    body=st.one_of(any_text, turkish_edges, query_like),
)
def test_the_stem_fields_forms_are_the_titles_then_the_bodys(title: str, body: str) -> None:
    """The build's segment writer reuses the title's and body's form numbers for the stem
    field's text (title, blank line, body)."""
    numbers = FormNumbers()
    joined = numbers.numbers(f"{title}\n\n{body}")
    assert joined == numbers.numbers(title) + numbers.numbers(body)
    expected = Counter(index_terms(f"{title}\n\n{body}", stop=True, stem=True))
    assert collected_counts([f"{title}\n\n{body}"], numbers, stop=True, stem=True) == [expected]


@MANY
@given(text=st.one_of(any_text, turkish_edges, abbreviated), data=st.data())
def test_snippet_marks_are_the_words_the_query_matches(text: str, data) -> None:
    """match_spans only looks at words starting with a letter a match can start with; it
    must mark exactly the words MatchSpec.matches accepts."""
    forms = [form for _, _, form in exact_forms(text)] or ["toplantı"]
    picked = data.draw(st.lists(st.sampled_from(forms), max_size=3))
    prefix = data.draw(st.sampled_from(forms))
    stem = data.draw(st.sampled_from(forms))

    def spec() -> MatchSpec:
        return MatchSpec(
            exact=set(picked),
            folded={ascii_fold(word) for word in picked},
            prefixes={ascii_fold(prefix)[:2]},
            stems={turkish_stem(stem)},
        )

    expected_spec = spec()
    expected = [
        (start, end, ascii_fold(form))
        for start, end, form in exact_forms(text)
        if expected_spec.matches(form)
    ]
    assert match_spans(text, spec()) == expected


def test_a_one_letter_stem_marks_words_whose_first_letter_snowball_changed() -> None:
    """Snowball stems ``bunu`` to ``p`` and ``dini`` to ``t``: the word's only letter kept
    is changed, so the candidate words cannot be narrowed by a one-letter stem's letter."""
    text = "Bunu dün dini bir törenle açtılar."
    assert turkish_stem("bunu") == "p" and turkish_stem("dini") == "t"
    spans = match_spans(text, MatchSpec(stems={"p", "t"}))
    assert [text[start:end] for start, end, _ in spans] == ["Bunu", "dini"]


def test_two_letter_starts_still_mark_every_kind_of_match() -> None:
    """Candidate words are narrowed by their first two letters (folded) where every way of
    matching gives two; a prefix, a keyboard fold and a stem each keep theirs."""
    text = "Şırnak'ta SIRA sıradan; Kırgızistan'ın kitabı, kirpi, Kémal, Aþena ve 40'tan fazla oy."
    spec = MatchSpec(
        exact={"40", "aþena"},  # a start whose second letter is no known letter: "aþ"
        folded={"kirgizistan", "kemal"},  # é is no Turkish letter: let through, then decided
        prefixes={"sira"},
        stems={turkish_stem("kitabı")},
    )
    spans = match_spans(text, spec)
    assert [text[start:end] for start, end, _ in spans] == [
        "SIRA",
        "sıradan",
        "Kırgızistan'ın",
        "kitabı",
        "Kémal",
        "Aþena",
        "40'tan",
    ]


#: Text made of what normalisation changes: every kind of space and line break, controls,
#: invisible characters, decomposed Turkish letters.
messy_text = st.text(
    alphabet="a ş\u00a0\u2009\t\n\r\u2028\u2029\x00\x1f\x7f\x85\x9f\u200b\u200d\ufeff\u00ad"
    "\u0327\u0307Iİsi",
    max_size=80,
)


@MANY
@given(text=st.one_of(any_text, messy_text))
def test_article_text_is_normalised_as_specified(text: str) -> None:
    """LF line breaks; controls and invisible characters gone, a zero-width space a space;
    NFC, ``i`` + a combining dot ``i``; every run of other spaces one plain space (what the
    reader does in fewer passes)."""
    invisible = "\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
    expected = re.sub(r"\r\n?|[\u2028\u2029]", "\n", text).replace("\u200b", " ")
    expected = "".join(
        c
        for c in expected
        if c not in invisible
        and not ("\x00" <= c <= "\x08" or "\x0e" <= c <= "\x1f" or "\x7f" <= c <= "\x9f")
    )
    expected = unicodedata.normalize("NFC", expected).replace("i\u0307", "i")
    expected = re.sub(r"[^\S\n]+", " ", expected)
    assert normalize_text(text) == expected


@MANY
@given(text=st.one_of(any_text, query_like))
def test_parse_query_never_raises(text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    assert all(isinstance(clause.text, str) for clause in parsed.clauses + parsed.excluded)


def assert_safe_html(fragment: str) -> None:
    """Only ``<mark>``/``</mark>`` tags, balanced; everything else escaped."""
    plain = re.sub(r"</?mark>", "", fragment)
    assert "<" not in plain and ">" not in plain, fragment
    assert fragment.count("<mark>") == fragment.count("</mark>"), fragment
    assert "<mark><mark>" not in fragment, fragment


@FEW
@given(text=any_query)
def test_search_gives_a_page_or_bad_parameter(searcher: Searcher, text: str) -> None:
    try:
        page = searcher.search(text)
    except BadParameter as error:
        assert error.parameter == "q"
        assert not text.strip()  # only blank text is refused at these lengths
        return
    assert isinstance(page, SearchPage)
    assert page.total >= len(page.results)
    json.dumps(page.to_dict())  # what the API and --json print
    for hit in page.results:
        assert_safe_html(hit.snippet)
        assert_safe_html(hit.title_html)


def page_or_bad_parameter(searcher: Searcher, text: str, page: int, per_page: int, sort: str):
    try:
        result = searcher.search(text, page=page, per_page=per_page, sort=sort)
    except BadParameter as error:
        assert error.parameter in {"q", "page", "per_page"}
        return
    assert page >= 1 and 1 <= per_page <= 100
    assert len(result.results) <= per_page


@FEW
@given(text=any_query, page=st.integers(-2, 5), per_page=st.integers(-1, 102))
def test_search_parameters_give_a_page_or_bad_parameter(
    searcher: Searcher, text: str, page: int, per_page: int
) -> None:
    page_or_bad_parameter(searcher, text, page, per_page, "relevance")


@FEW
@given(text=any_query, page=st.integers(-2, 5), per_page=st.integers(-1, 102))
def test_sorting_by_date_gives_a_page_or_bad_parameter(
    searcher: Searcher, text: str, page: int, per_page: int
) -> None:
    page_or_bad_parameter(searcher, text, page, per_page, "date")


@pytest.mark.parametrize("word", ["a" * 500, "ı" * 450, "Kırgızistan" * 40 + "abcdefghij"])
def test_one_very_long_word_gives_a_page(searcher: Searcher, word: str) -> None:
    """Not a hypothesis test on purpose: hypothesis raises the recursion limit while it
    runs a test, which hides exactly this failure."""
    assert isinstance(searcher.search(word), SearchPage)


def test_overlong_query_is_a_bad_parameter(searcher: Searcher) -> None:
    with pytest.raises(BadParameter) as caught:
        searcher.search("ş" * (MAX_QUERY_LENGTH + 1))
    assert caught.value.parameter == "q"


@FEW
@given(text=st.text(max_size=400), query=any_query)
def test_highlight_escapes_everything_but_marks(searcher: Searcher, text: str, query: str) -> None:
    spec = searcher.highlight_spec(query)
    marked = highlight(text, spec)
    assert_safe_html(marked)
    # nothing lost or added: without the marks, unescaped, it is the text as shown
    assert html.unescape(re.sub(r"</?mark>", "", marked)) == text.replace("\n", " ").strip()
    assert_safe_html(snippet(text, spec))


@settings(FEW, max_examples=40)
@given(query=query_like)
def test_fixture_markup_is_always_escaped_in_hits(searcher: Searcher, query: str) -> None:
    for word in ("script", "img", "Adana", "&"):
        page = searcher.search(f"{query} OR {word}")
        for hit in page.results:
            assert_safe_html(hit.snippet)
            assert_safe_html(hit.title_html)
            assert "<script" not in hit.title_html and "<img" not in hit.snippet


def test_the_fixture_markup_is_found_and_escaped(searcher: Searcher) -> None:
    """The properties above see real markup: this query must hit it."""
    (hit,) = searcher.search("script").results
    assert "&lt;script&gt;" in hit.title_html or "<mark>script</mark>" in hit.title_html
    assert "<script>" not in hit.title_html


@given(
    st.lists(st.floats(0.0, 1.0), max_size=50),
    st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 1.25]),
)
def test_power_by_multiplying_equals_numpy_power(values: list[float], exponent: float) -> None:
    array = np.asarray(values)
    assert np.allclose(_power(array, exponent), array**exponent, rtol=1e-12, atol=1e-300)


@settings(max_examples=2000)
@given(st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyzâîû", min_size=1, max_size=20))
@example("kasabadakine").via("a word whose stem is not its start but for its last letter")
@example("bunu").via("a one-letter stem Snowball hardened: p")
@example("dini").via("a one-letter stem Snowball hardened: t")
@example("ğunu").via("a one-letter stem Snowball hardened: k")
def test_every_word_starts_with_its_stems_start(word: str) -> None:
    """Snippets stem only the words starting with a query stem's start and one of its
    first letters: none is missed."""
    stem = turkish_stem(word)
    assert word.startswith(stem_start(stem))
    assert not stem or word[0] in stem_first_letters(stem)


@MANY
@given(lines=st.lists(st.text(alphabet="ab \n", max_size=6).map(str.strip), max_size=12))
def test_paragraphs_are_the_runs_of_lines_between_blank_lines(lines: list[str]) -> None:
    """The reader's paragraph joining, as its definition: trimmed lines, each run of blank
    lines one paragraph break, none at either end."""
    from search.articles import _join_paragraphs

    lines = [part.strip() for line in lines for part in line.split("\n")]
    expected = "\n\n".join(
        p.strip("\n") for p in re.split(r"\n{2,}", "\n".join(lines)) if p.strip()
    )
    assert _join_paragraphs(lines) == expected
