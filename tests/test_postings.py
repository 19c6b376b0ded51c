"""The array postings codec: whoosh sees the same terms and postings as with its own codec."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from search.searching import engine
from search.storage import arrays
from search.storage.arrays import FREQUENCY_STEPS, decode_postings, encode_postings
from search.storage.postings import ArrayCodec, ArrayTermsReader
from search.storage.reading import _length_codes, field_lengths
from search.storage.schema import ARRAY_FIELDS, build_schema
from search.storage.segmentwriter import ArraySegmentWriter, FieldPostings, FieldTokens
from search.text.analysis import FormNumbers

DOCUMENTS = [
    ("a1", "Bişkek'te toplantı", "Kırgızistan'ın başkenti Bişkek'te dün bir toplantı yapıldı."),
    ("a2", "Toplantıya çağrı", "Meclis olağanüstü toplantıya çağrıldı; toplantının saati belli."),
    ("a3", "Deprem tatbikatı", "İstanbul'da deprem tatbikatı yapıldı. Depremde ne yapmalı?"),
    ("a4", "Kültür bakanları", "TDT'nin kültür bakanları Bişkek'te bir araya geldi."),
    ("a5", "Bütçe görüşmesi", "Belediye meclisi 2025 bütçesini 40'tan fazla oyla kabul etti."),
    ("a6", "Iğdır'da kar", "IĞDIR'DA KAR YAĞIŞI ETKİLİ OLDU; ılık hava geri dönüyor."),
]


def build(path, codec, batches, deleted=()):
    """An index in ``path`` written by ``codec``, one commit per batch, then deletions."""
    path.mkdir()
    index = FileStorage(str(path)).create_index(build_schema())
    for batch in batches:
        writer = index.writer(codec=codec)
        for doc_id, title, body in batch:
            writer.add_document(
                id=doc_id, title=title, body=body, stem=f"{title}\n\n{body}", meta="gündem"
            )
        writer.commit()
    if deleted:
        writer = index.writer(codec=codec)
        for doc_id in deleted:
            writer.delete_by_term("id", doc_id)
        writer.commit(merge=False)
    return index


def postings_by_id(index) -> dict:
    """Every text term with the ``{article id: frequency}`` of its live postings."""
    result = {}
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname in sorted(ARRAY_FIELDS):
            for btext in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, btext)
                held = {}
                while matcher.is_active():
                    held[searcher.stored_fields(matcher.id())["id"]] = matcher.weight()
                    matcher.next()
                if held:
                    result[(fieldname, btext)] = held
    return result


#: Enough articles that most postings take more than one byte (:func:`encode_postings`).
MANY_DOCUMENTS = [
    (f"{doc_id}-{copy}", title, body) for copy in range(50) for doc_id, title, body in DOCUMENTS
]


@pytest.mark.parametrize("documents", [DOCUMENTS, MANY_DOCUMENTS], ids=["few", "many"])
def test_whoosh_reads_the_same_postings_as_from_its_own_codec(tmp_path, documents):
    ours = build(tmp_path / "ours", ArrayCodec(), [documents])
    stock = build(tmp_path / "stock", W3Codec(), [documents])
    expected = postings_by_id(stock)
    assert (("body", "toplantıya".encode()) in expected) and len(expected) > 50
    assert postings_by_id(ours) == expected
    with ours.searcher() as mine, stock.searcher() as theirs:
        for fieldname, btext in expected:
            assert mine.reader().doc_frequency(fieldname, btext) == theirs.reader().doc_frequency(
                fieldname, btext
            )
            assert mine.reader().frequency(fieldname, btext) == theirs.reader().frequency(
                fieldname, btext
            )


def build_by_segment_writer(path, batches):
    """An index whose first commit is written by the full build's segment writer, the
    others by whoosh's writer (an update merges them with it)."""
    path.mkdir()
    index = FileStorage(str(path)).create_index(build_schema())
    first, *rest = batches
    writer = ArraySegmentWriter(index, codec=ArrayCodec())
    for doc_id, title, body in first:
        writer.add_document(
            id=doc_id, title=title, body=body, stem=f"{title}\n\n{body}", meta="gündem"
        )
    writer.commit()
    for batch in rest:
        writer = index.writer(codec=ArrayCodec())
        for doc_id, title, body in batch:
            writer.add_document(
                id=doc_id, title=title, body=body, stem=f"{title}\n\n{body}", meta="gündem"
            )
        writer.commit(optimize=True)
    return index


def lengths_by_id(index) -> dict:
    with index.searcher() as searcher:
        reader = searcher.reader()
        return {
            (searcher.stored_fields(docnum)["id"], name): reader.doc_field_length(docnum, name)
            for docnum in reader.all_doc_ids()
            for name in ("title", "body", "stem", "meta")
        }


@pytest.mark.parametrize("split", [len(DOCUMENTS), 4])
def test_the_build_segment_writer_writes_what_whoosh_writes(tmp_path, split):
    """Postings, frequencies, field lengths and stored fields equal whoosh's own, also
    after an update merged a segment of the build's writer with whoosh's."""
    batches = [DOCUMENTS[:split], DOCUMENTS[split:]] if split < len(DOCUMENTS) else [DOCUMENTS]
    ours = build_by_segment_writer(tmp_path / "ours", batches)
    stock = build(tmp_path / "stock", W3Codec(), [DOCUMENTS])
    expected = postings_by_id(stock)
    assert len(expected) > 50
    assert postings_by_id(ours) == expected
    assert lengths_by_id(ours) == lengths_by_id(stock)
    with ours.searcher() as mine, stock.searcher() as theirs:
        by_id = {fields["id"]: fields for fields in theirs.all_stored_fields()}
        assert {fields["id"]: fields for fields in mine.all_stored_fields()} == by_id
        assert mine.reader().field_length("body") == theirs.reader().field_length("body")


def test_collected_postings_sort_by_term_bytes_then_document():
    collected = FieldPostings()
    collected.add(0, {"şu": 2, "su": 1})
    collected.add(1, {"su": 3, "ab": 1})
    collected.add(2, {"şu": 1})
    terms, ends, docs, freqs = collected.sorted_postings()
    assert terms == sorted(term.encode() for term in ("şu", "su", "ab"))
    assert ends.tolist() == [1, 3, 5]
    assert docs.tolist() == [1, 0, 1, 0, 2]
    assert freqs.tolist() == [1, 1, 3, 2, 1]


def test_collected_words_count_into_postings_sorted_by_term_bytes_then_document():
    numbers = FormNumbers()
    tokens = FieldTokens(stop=False, stem=False)
    tokens.add(0, numbers.numbers("Şu su ŞU"))
    tokens.add(1, numbers.numbers("su ab SU su"))
    tokens.add(3, numbers.numbers("şu"))
    terms, ends, docs, freqs = tokens.sorted_postings(numbers)
    assert terms == sorted(term.encode() for term in ("şu", "su", "ab"))
    assert ends.tolist() == [1, 3, 5]
    assert docs.tolist() == [1, 0, 1, 0, 3]
    assert freqs.tolist() == [1, 1, 3, 2, 1]


def test_collected_words_leave_out_the_words_a_chain_drops():
    numbers = FormNumbers()
    tokens = FieldTokens(stop=True, stem=True)
    forms = numbers.numbers("Toplantıya ve toplantılara bir çağrı")
    tokens.add(0, forms)
    terms, ends, docs, freqs = tokens.sorted_postings(numbers)
    assert terms == sorted(term.encode() for term in ("toplantı", "çağrı"))
    assert dict(zip(terms, freqs.tolist(), strict=True))["toplantı".encode()] == 2
    assert numbers.chain(stop=True, stem=True).length(forms) == 3
    assert numbers.chain(stop=False, stem=False).length(forms) == 5


def test_segments_merged_and_deleted_keep_every_live_posting(tmp_path):
    batches = [[document] for document in DOCUMENTS]  # whoosh merges small segments
    ours = build(tmp_path / "ours", ArrayCodec(), batches, deleted=["a2"])
    assert len(ours._segments()) < len(batches)
    stock = build(tmp_path / "stock", W3Codec(), [DOCUMENTS[:1] + DOCUMENTS[2:]])
    assert postings_by_id(ours) == postings_by_id(stock)


def test_whoosh_queries_and_term_lookups_work_on_array_fields(tmp_path):
    index = build(tmp_path / "ours", ArrayCodec(), [DOCUMENTS])
    with index.searcher() as searcher:
        ids = {hit["id"] for hit in searcher.search(Term("body", "bişkek"))}
        assert ids == {"a1", "a4"}
        reader = searcher.reader()
        assert ("body", "bişkek") in reader and ("body", "biskek") not in reader
        assert reader.doc_frequency("body", "yokkelime") == 0
        after = [text for _, text in zip(range(3), reader.terms_from("body", "ta"), strict=False)]
        assert after[0][0] == "body" and after[0][1] >= b"ta"
        cursor = reader.cursor("title")
        assert cursor.find("kü") == "kültür"
        assert cursor.term_info().doc_frequency() == 1


def test_the_engine_gathers_many_terms_postings_in_one_pass(tmp_path):
    index = build(tmp_path / "ours", ArrayCodec(), [DOCUMENTS])
    with index.searcher() as searcher:
        (leaf, _), *_ = searcher.reader().leaf_readers()
        terms = leaf._terms
        assert isinstance(terms, ArrayTermsReader)
        wanted = ["toplantıya".encode(), b"yok", "bişkek".encode(), "toplantıya".encode()]
        docs, freqs, counts = terms.gather("body", wanted)
        assert counts.tolist() == [1, 0, 2, 1]
        ids = [searcher.stored_fields(int(doc))["id"] for doc in docs]
        assert ids == ["a2", "a1", "a4", "a2"] and freqs.tolist() == [1, 1, 1, 1]
        docs, _, _ = terms.gather("id", [b"a3"])
        assert [searcher.stored_fields(int(doc))["id"] for doc in docs] == ["a3"]
        assert terms.gather("source", [b"x"]) is None  # not an array field


def test_gathered_postings_are_whooshs_postings_term_by_term(tmp_path):
    index = build(tmp_path / "ours", ArrayCodec(), [DOCUMENTS])
    with index.searcher() as searcher:
        (leaf, _), *_ = searcher.reader().leaf_readers()
        for fieldname in sorted(ARRAY_FIELDS):
            wanted = [*leaf.lexicon(fieldname), b"yokkelime"]
            docs, freqs, counts = leaf._terms.gather(fieldname, wanted)
            ends = np.cumsum(counts)
            for btext, end, count in zip(wanted, ends.tolist(), counts.tolist(), strict=True):
                expected = []
                if (fieldname, btext) in leaf:
                    matcher = leaf.postings(fieldname, btext)
                    while matcher.is_active():
                        expected.append((matcher.id(), matcher.weight()))
                        matcher.next()
                held = slice(end - count, end)
                got = list(zip(docs[held].tolist(), freqs[held].tolist(), strict=True))
                assert got == expected


@pytest.mark.parametrize(
    ("batches", "deleted"),
    [
        ([DOCUMENTS[:3], DOCUMENTS[3:]], ["a2"]),
        ([DOCUMENTS[:2], DOCUMENTS[2:3], DOCUMENTS[3:]], []),
        ([DOCUMENTS[:1], DOCUMENTS[1:4], DOCUMENTS[4:]], ["a1", "a5"]),
    ],
    ids=["two-segments-a-deletion", "three-segments", "three-segments-two-deletions"],
)
def test_batched_bm25_equals_the_formula_term_by_term(tmp_path, batches, deleted):
    """Segments (a term held in some of them only) and deletions: every term's scored
    postings, computed for all terms at once, equal BM25 worked out from whoosh's own
    counts, lengths and postings."""
    index = build(tmp_path / "ours", ArrayCodec(), batches, deleted)
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) == len(batches)
        assert reader.has_deletions() == bool(deleted)
        data = engine.ReaderData(reader)
        terms = [(f, t.decode()) for f in ("body", "title") for t in reader.lexicon(f)]
        scored = data.postings_many(reader, [*terms, ("body", "yokkelime")])
        documents = reader.doc_count()
        for (fieldname, text), (docs, scores) in zip(terms, scored, strict=False):
            lengths = [
                reader.doc_field_length(d, fieldname) or 0 for d in range(reader.doc_count_all())
            ]
            live = [d for d in range(len(lengths)) if not reader.is_deleted(d)]
            average = max(sum(lengths[d] for d in live) / documents, 1.0)
            frequency = reader.doc_frequency(fieldname, text)
            idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            expected = {}
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                doc, tf = matcher.id(), matcher.weight()
                if not reader.is_deleted(doc):
                    norm = engine.K1 * (1 - engine.B + engine.B * lengths[doc] / average)
                    expected[doc] = idf * (engine.K1 + 1) * tf / (tf + norm)
                matcher.next()
            assert docs.tolist() == sorted(expected)
            assert np.allclose(scores, [expected[d] for d in sorted(expected)], rtol=1e-5)
        assert len(scored[-1][0]) == 0


def test_frequencies_are_exact_to_8_then_rounded_down_to_a_step(tmp_path):
    bodies = {"f3": "tekrar " * 3, "f8": "tekrar " * 8, "f13": "tekrar " * 13}
    bodies["f300"] = "tekrar " * 300
    index = build(tmp_path / "ours", ArrayCodec(), [[(i, "başlık", b) for i, b in bodies.items()]])
    with index.searcher() as searcher:
        matcher = searcher.reader().postings("body", "tekrar")
        held = {}
        while matcher.is_active():
            held[searcher.stored_fields(matcher.id())["id"]] = matcher.weight()
            matcher.next()
    assert held == {"f3": 3, "f8": 8, "f13": 12, "f300": 128}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 3_000_000), unique=True, max_size=40),
            st.lists(st.integers(1, 400), min_size=40, max_size=40),
        ),
        max_size=12,
    )
)
def test_encoded_postings_decode_to_the_documents_and_frequency_steps(terms):
    """Any documents (up to millions: numbers of one to four bytes) and frequencies, term
    after term, empty terms included, decode as written, frequencies to their step."""
    docs = [sorted(held) for held, _ in terms]
    freqs = [frequencies[: len(held)] for held, (_, frequencies) in zip(docs, terms, strict=True)]
    post_ends = np.cumsum([len(held) for held in docs], dtype=np.int64)
    flat_docs = np.array([doc for held in docs for doc in held], np.int64)
    flat_freqs = np.array([f for held in freqs for f in held], np.float32)
    encoded, byte_ends = encode_postings(post_ends, flat_docs, flat_freqs)
    got_docs, got_freqs, counts = decode_postings(encoded, np.diff(byte_ends, prepend=0))
    assert counts.tolist() == [len(held) for held in docs]
    assert got_docs.tolist() == flat_docs.tolist()
    steps = [int(max(step for step in FREQUENCY_STEPS if step <= f)) for f in flat_freqs]
    assert got_freqs.tolist() == steps


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 60), unique=True, max_size=30), min_size=2, max_size=8))
def test_common_words_postings_of_one_byte_decode_term_after_term(terms):
    """Postings whose every number takes one byte (gaps below 8: a common word's), term
    after term, empty terms included: each term's documents start afresh."""
    docs = [sorted(held) for held in terms]
    docs = [held for held in docs if not held or max(np.diff([0, *held])) < 8]
    post_ends = np.cumsum([len(held) for held in docs], dtype=np.int64)
    flat_docs = np.array([doc for held in docs for doc in held], np.int64)
    flat_freqs = np.ones(len(flat_docs), np.float32)
    encoded, byte_ends = encode_postings(post_ends, flat_docs, flat_freqs)
    assert (encoded < 0x80).all()
    got_docs, _, counts = decode_postings(encoded, np.diff(byte_ends, prepend=0))
    assert counts.tolist() == [len(held) for held in docs]
    assert got_docs.tolist() == flat_docs.tolist()


@pytest.mark.parametrize("first", [0, (1 << 27) - 2, 1 << 27, 1 << 40])
def test_postings_of_any_document_numbers_decode_as_written(first):
    """Numbers past 32 bits (a segment of over 134 million articles) are encoded too."""
    docs = np.array([first, first + 1, first + 300, 5, 1 << 20], np.int64)
    post_ends = np.array([3, 3, 5], np.int64)
    freqs = np.array([1, 200, 9, 3, 1], np.float32)
    encoded, byte_ends = encode_postings(post_ends, docs, freqs)
    got_docs, got_freqs, counts = decode_postings(encoded, np.diff(byte_ends, prepend=0))
    assert counts.tolist() == [3, 0, 2]
    assert got_docs.tolist() == docs.tolist()
    assert got_freqs.tolist() == [1, 128, 8, 3, 1]


def test_terms_sharing_a_hash_are_told_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(arrays, "term_hash", lambda term: 7)
    index = build(tmp_path / "ours", ArrayCodec(), [DOCUMENTS])
    stock = build(tmp_path / "stock", W3Codec(), [DOCUMENTS])
    assert postings_by_id(index) == postings_by_id(stock)


@pytest.mark.parametrize("shared_hash", [False, True])
def test_a_batch_of_terms_gathers_each_terms_own_postings(tmp_path, monkeypatch, shared_hash):
    """Looked up together, each term finds its own postings, none for a term the field
    lacks, also when every term shares one hash (a lacking term of the same length as a
    held one included)."""
    if shared_hash:
        monkeypatch.setattr(arrays, "term_hash", lambda term: 7)
    index = build(tmp_path / "ours", ArrayCodec(), [DOCUMENTS])
    expected = postings_by_id(index)
    with index.searcher() as searcher:
        (leaf, _), *_ = searcher.reader().leaf_readers()
        held = [btext for fieldname, btext in expected if fieldname == "body"]
        lacking = [b"yok", b"x" * len(held[0]), held[0][::-1] + b"z", b""]
        batch = [*lacking[:2], *held, *lacking[2:], held[0]]
        docs, frequencies, counts = leaf._terms.gather("body", batch)
        ends = np.cumsum(counts).tolist()
        for term, start, end in zip(batch, [0, *ends[:-1]], ends, strict=True):
            got = {
                searcher.stored_fields(int(doc))["id"]: float(frequency)
                for doc, frequency in zip(docs[start:end], frequencies[start:end], strict=True)
            }
            assert got == expected.get(("body", term), {}), term


def test_a_damaged_array_file_is_refused():
    with pytest.raises(ValueError, match="bad header"):
        arrays.SegmentArrays(b"not an index file at all")


def test_a_one_article_segment_reads_back(tmp_path):
    index = build(tmp_path / "ours", ArrayCodec(), [[("y", "Başlık", "Gövde metni")]])
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert list(reader.lexicon("title")) == ["başlık".encode()]
        (leaf, _), *_ = reader.leaf_readers()
        docs, _, _ = leaf._terms.gather("title", ["başlık".encode()])
        assert np.array_equal(docs, [0])


def test_field_lengths_read_as_one_array_equal_whooshs_per_document(tmp_path):
    long_body = "Uzun bir haber metni. " * 400  # lengths past one byte's exact range
    batches = [DOCUMENTS, [("b1", "Kısa", long_body), ("b2", "Başlıksız", "")]]
    index = build(tmp_path / "ours", ArrayCodec(), batches, deleted=["a2"])
    with index.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            for fieldname in ("title", "body", "stem", "meta"):
                expected = [
                    leaf.doc_field_length(docnum, fieldname) or 0
                    for docnum in range(leaf.doc_count_all())
                ]
                codes = _length_codes(leaf, fieldname, leaf.doc_count_all())
                assert codes is not None
                assert field_lengths(leaf, fieldname).tolist() == expected
        assert max(field_lengths(leaf, "body")) > 1000


def test_writing_unscored_fields_asks_once_per_field_whether_lengths_are_kept(
    tmp_path, monkeypatch
):
    """whoosh's per-document reader looks for a field's lengths file at every call; the
    unscored fields (category here) have none, and asking at each posting cost a file
    look-up per article and field."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    asked = []
    has_column = W3PerDocReader.has_column
    monkeypatch.setattr(
        W3PerDocReader,
        "has_column",
        lambda self, name: asked.append(name) or has_column(self, name),
    )
    tmp_path.joinpath("ix").mkdir()
    index = FileStorage(str(tmp_path / "ix")).create_index(build_schema())
    writer = index.writer(codec=ArrayCodec())
    for number in range(60):
        writer.add_document(id=f"a{number}", body="toplantı", category=f"kategori{number % 3}")
    writer.commit()
    assert 0 < len(asked) <= 5
    with index.searcher() as searcher:
        assert searcher.doc_count() == 60
        assert len(list(searcher.documents(category="kategori1"))) == 20


def test_the_build_writer_makes_a_recurring_values_whoosh_terms_once(tmp_path, monkeypatch):
    """A date's range terms (and its column value) are made once per date, not per
    article; the index holds the same terms and values as whoosh's writer gives."""
    import datetime

    from whoosh.fields import DATETIME

    made = []
    index_value = DATETIME.index
    monkeypatch.setattr(
        DATETIME, "index", lambda self, value, **kw: made.append(value) or index_value(self, value)
    )
    dates = [datetime.datetime(2025, 9, 12), datetime.datetime(2025, 9, 13)] * 3
    indexes = []
    for name, writer_of in (("ours", ArraySegmentWriter), ("stock", None)):
        tmp_path.joinpath(name).mkdir()
        index = FileStorage(str(tmp_path / name)).create_index(build_schema())
        writer = writer_of(index, codec=ArrayCodec()) if writer_of else index.writer()
        for number, date in enumerate(dates):
            writer.add_document(id=f"a{number}", body="toplantı", date=date, year="2025")
        writer.commit()
        indexes.append(index)
    assert made == dates[:2] + dates  # ours: once per date; whoosh's: every article
    with indexes[0].searcher() as ours, indexes[1].searcher() as stock:
        for field in ("date", "year"):
            assert list(ours.lexicon(field)) == list(stock.lexicon(field))
            for term in stock.lexicon(field):
                assert list(ours.postings(field, term).all_ids()) == list(
                    stock.postings(field, term).all_ids()
                )
        column = ours.reader().column_reader("date")
        assert [column[number] for number in range(len(dates))] == dates
