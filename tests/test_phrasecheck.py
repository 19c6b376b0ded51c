"""A quoted phrase's check against a stored text: the quick reading (an expression over the
lower-cased text, each place it finds read by the chain) decides as reading every word
through the exact-form chain does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search.searching.phrasecheck import holds_phrase, holds_phrase_word_by_word

#: Words as articles write them: cases, apostrophe suffixes, abbreviations, numbers, a
#: word beginning with ʼ (no form), a Greek word, letters joined by marks.
WRITTEN = [
    "ve",
    "Ve",
    "VE",
    "bu",
    "BU",
    "Bu'nun",
    "bunu",
    "TDT'ye",
    "ye",
    "x've",
    "devlet",
    "e-devlet",
    "E-DEVLET",
    "G.Saray",
    "G.SARAY'ın",
    "g.saraylılar",
    "Galatasaray",
    "taraftarları",
    "İstanbul",
    "ISTANBUL",
    "ıstanbul",
    "istanbul'da",
    "2",
    "0",
    "2-0",
    "1.200",
    "200",
    "ʼx",
    "ΟΔΟΣ",
    "οδος",
    "kırk",
    "KIRK",
    "40’tan",
    "_ve",
    "ve_bu",
]
SEPARATORS = [" ", "  ", "\n\n", "-", ".", ", ", "_", "'", "’ ", "\t", " (", ") "]
#: Exact forms a phrase's word may stand for, alone or with another.
FORMS = [
    "ve",
    "bu",
    "ye",
    "devlet",
    "e",
    "galatasaray",
    "galatasaraylılar",
    "taraftarları",
    "istanbul",
    "ıstanbul",
    "2",
    "0",
    "200",
    "1",
    "kırk",
    "40",
    "οδος",
    "x",
    "tdt",
    "bunu",
]

texts = st.lists(
    st.tuples(st.sampled_from(WRITTEN), st.sampled_from(SEPARATORS)), min_size=1, max_size=12
).map(lambda pieces: "".join(word + separator for word, separator in pieces))
phrases = st.lists(
    st.lists(st.sampled_from(FORMS), min_size=1, max_size=2, unique=True).map(tuple),
    min_size=2,
    max_size=3,
).map(tuple)


@settings(max_examples=3000, deadline=None)
@given(texts, phrases)
def test_the_quick_reading_decides_as_the_chain_does(text: str, forms) -> None:
    assert holds_phrase(text, forms) == holds_phrase_word_by_word(text, forms)


def test_a_place_the_chain_reads_as_another_word_does_not_hold_the_phrase() -> None:
    assert holds_phrase("ve ye bu dedi", (("ye",), ("bu",)))
    assert not holds_phrase("TDT'ye bu dedi", (("ye",), ("bu",)))
    assert holds_phrase("TDT'ye bu, ye bu", (("ye",), ("bu",)))


def test_an_abbreviation_holds_the_phrase_of_its_name() -> None:
    phrase = (("galatasaray",), ("taraftarları",))
    assert holds_phrase("Dün G.Saray taraftarları yürüdü.", phrase)
    assert not holds_phrase("Dün Saray taraftarları yürüdü.", phrase)


def test_turkish_capitals_and_suffixes_hold_the_phrase() -> None:
    phrase = (("ıstanbul", "istanbul"), ("ve",))
    assert holds_phrase("ISTANBUL VE Ankara", phrase)
    assert holds_phrase("İstanbul’da ve Ankara'da", phrase)
    assert not holds_phrase("İstanbulda ve", phrase)


def test_a_word_without_a_form_between_two_words_leaves_them_in_a_row() -> None:
    # "ʼx" is a word to the chain's pattern, with nothing before its apostrophe: no form.
    assert holds_phrase("ve ʼx bu", (("ve",), ("bu",)))


def test_a_greek_final_sigma_is_read_as_the_chain_reads_it() -> None:
    # Lower-cased alone, "ΟΔΟΣ" ends in ς; lower-cased with the ".Ve" after it, in σ.
    assert holds_phrase("ΟΔΟΣ.Ve bu", (("οδος",), ("ve",)))
