"""What a serving worker keeps between queries shares its strings and tuples, so that a
worker that has met many words stays within its memory (bench/worker_memory.py)."""

from __future__ import annotations

from pathlib import Path

from search.searching.engine import POSTING_LIST_BYTES, ReaderData
from search.searching.highlight import _forms
from search.searching.vocabulary import Vocabulary
from search.storage.store import open_index


def test_a_kept_snippet_word_shares_its_string_with_its_form_and_fold() -> None:
    form, folded = _forms("kitaplar")
    assert form == folded == "kitaplar"
    assert form is folded  # one string kept, not three
    form, folded = _forms("çaylar")
    assert (form, folded) == ("çaylar", "caylar")
    assert _forms("Bişkek'teki") == ("bişkek", "biskek")


def test_the_kept_forms_of_a_query_word_share_one_field_tuple_per_field_set(
    index_dir: Path,
) -> None:
    with open_index(index_dir).searcher() as searcher:
        forms = Vocabulary(searcher.reader()).forms("toplanti")
    assert {"toplantıya", "toplantının", "toplantıda"} <= set(forms)
    assert set(forms.values()) <= {("body",), ("title",), ("title", "body")}
    by_fields = {}
    for fields in forms.values():
        assert by_fields.setdefault(fields, fields) is fields


def test_kept_postings_are_weighed_in_bytes_with_each_terms_overhead(index_dir: Path) -> None:
    terms = [("body", "toplantıya"), ("body", "bişkek"), ("title", "nothing-such")]
    with open_index(index_dir).searcher() as searcher:
        data = ReaderData(searcher.reader())
        found = data.postings_many(searcher.reader(), terms)
    assert len(found[0][0]) >= 1 and len(found[1][0]) >= 1
    expected = sum(docs.nbytes + scores.nbytes + POSTING_LIST_BYTES for docs, scores in found)
    assert data._postings._total == expected
