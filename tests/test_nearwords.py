"""The words a spelling suggestion weighs: exactly those within the distance, compared with
a plain dynamic-programming distance over many random words and misspellings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import write_articles
from search.indexing import mergepolicy
from search.indexing.reindex import reindex
from search.searching.nearwords import NearWords
from search.searching.searcher import Searcher

LETTERS = "abcçdeğ"


def plain_distance(one: str, other: str) -> int:
    """Levenshtein distance, the textbook table."""
    table = [
        [i + j if not i or not j else 0 for j in range(len(other) + 1)] for i in range(len(one) + 1)
    ]
    for i in range(1, len(one) + 1):
        for j in range(1, len(other) + 1):
            change = table[i - 1][j - 1] + (one[i - 1] != other[j - 1])
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, change)
    return table[-1][-1]


def expected(words: set[str], word: str, distance: int) -> list[str]:
    return sorted(
        other
        for other in words
        if other[0] == word[0] and other != word and plain_distance(word, other) <= distance
    )


def random_word(rng: random.Random, letters: str, shortest: int, longest: int) -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(shortest, longest)))


@pytest.mark.parametrize("seed", range(4))
def test_every_word_within_the_distance_and_no_other(seed: int) -> None:
    rng = random.Random(seed)
    words = {random_word(rng, LETTERS, 1, 9) for _ in range(3_000)}
    near = NearWords(words)
    for _ in range(60):
        word = rng.choice(sorted(words)) if rng.random() < 0.5 else random_word(rng, LETTERS, 1, 10)
        for distance in (1, 2):
            assert near.within(word, distance) == expected(words, word, distance), word


#: Turkish letters, digits and letters outside them (those share the bits of the letter
#: sets that rule most words out before their distance is worked out).
WIDE_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyz0123456789éâîûωλж😀"


def misspelt(rng: random.Random, word: str) -> str:
    """``word`` with one or two letters inserted, deleted or changed, the first kept."""
    for _ in range(rng.randint(1, 2)):
        at = rng.randint(1, len(word))
        edit = rng.choice(("insert", "delete", "change"))
        if edit == "insert":
            word = word[:at] + rng.choice(WIDE_LETTERS) + word[at:]
        elif len(word) > 2:
            rest = "" if edit == "delete" else rng.choice(WIDE_LETTERS)
            word = word[: at - 1 or 1] + rest + word[(at - 1 or 1) + 1 :]
    return word


@pytest.mark.parametrize("seed", range(4))
def test_words_of_many_letters_within_the_distance_and_no_other(seed: int) -> None:
    rng = random.Random(seed)
    words = {random_word(rng, WIDE_LETTERS[:12], 3, 9) for _ in range(2_000)}
    words |= {random_word(rng, WIDE_LETTERS, 3, 9) for _ in range(2_000)}
    words |= {misspelt(rng, word) for word in rng.sample(sorted(words), 1_000)}
    near = NearWords(words)
    for _ in range(80):
        word = misspelt(rng, rng.choice(sorted(words)))
        for distance in (1, 2):
            assert near.within(word, distance) == expected(words, word, distance), word


def test_words_longer_than_the_bit_parallel_pass_are_compared_too() -> None:
    rng = random.Random(7)
    words = {random_word(rng, "ab", 62, 68) for _ in range(300)}
    near = NearWords(words)
    for _ in range(20):
        word = random_word(rng, "ab", 62, 68)
        assert near.within(word) == expected(words, word, 2), len(word)


def test_letters_beyond_sixteen_bits_are_kept_apart() -> None:
    near = NearWords(["a😀bc", "a😁bc", "abc", "aıbc"])
    assert near.within("a😀bc", 1) == ["abc", "aıbc", "a😁bc"]
    assert near.within("a😀bc", 0) == []


def test_a_reindex_buckets_only_the_words_of_the_segment_it_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words are bucketed per segment: after a reindex adds articles, the first
    suggestion buckets the new segment's words only, and finds words of both. (A segment
    this small would be merged with the next: here it stands for a large one.)"""
    monkeypatch.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 1)
    docs = write_articles(tmp_path / "docs", {"a.txt": ARTICLE_A})
    reindex(docs, tmp_path / "index")
    assert Searcher(tmp_path / "index").search("kırgıstan").corrected == "kırgızistan"
    bucketed: list[list[str]] = []
    bucket = NearWords.__init__

    def counted(self: NearWords, words) -> None:
        bucketed.append(list(words))
        bucket(self, bucketed[-1])

    monkeypatch.setattr(NearWords, "__init__", counted)
    write_articles(docs, {"b.txt": ARTICLE_B})
    reindex(docs, tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    assert searcher.search("galatasry").corrected == "galatasaray"
    assert searcher.search("kırgıstan").corrected == "kırgızistan"
    assert len(bucketed) == 1
    assert "galatasaray" in bucketed[0] and "kirgizistan" not in bucketed[0]


ARTICLE_A = "title: Zirve\n\nKırgızistan zirvesi Bişkek'te sona erdi.\n"
ARTICLE_B = "title: Spor\n\nGalatasaray derbiyi iki golle kazandı.\n"
