"""A full build's worker segments copied into one: the index reads as the unmerged one."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from whoosh.columns import VarBytesColumn

from conftest import FIXTURE_ARTICLES, write_articles
from search.indexing import build as full_build
from search.indexing import mergepolicy
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.storage import segmentmerge
from search.storage.arrays import FieldArrays, SortedPostings, field_arrays
from search.storage.reading import column_values
from search.storage.schema import ARRAY_FIELDS
from search.storage.store import open_index

#: More articles than a segment holds in these tests, with every header the files have;
#: every third has none (its title derived, no date, category or source: columns and
#: lengths with gaps).
MORE_ARTICLES = {
    f"bolge/haber-{number:03d}.txt": (
        (
            f"title: {city} haberi {number}\ndate: 2025-0{1 + number % 9}-1{number % 10}\n"
            f"category: {category}\nsource: ajans-{number % 3}\n\n"
            if number % 3
            else ""
        )
        + f"{city}'daki toplantıya {number} kişi katıldı. Kırgızistan'ın konuğu "
        f"{'Bişkek' if number % 4 else 'İzmir'}'ten geldi; depremin ardından yardım "
        f"ekipleri {'ılık' if number % 2 else 'IĞDIR'} havada çalıştı.\n\n"
        f"{'Toplantının ' * (number % 5)}sonunda ortak bildiri yayımlandı.\n"
        + (f"Başvurular e-Devlet'ten; F-{number} uçtu.\n" if number % 40 < 20 else "")
    )
    for number, (city, category) in enumerate(
        [("Ankara", "gündem"), ("İstanbul", "ekonomi"), ("Iğdır", "spor"), ("Van", "sağlık")] * 30
    )
}
#: Listed first and last: whole segments of articles without headers, so some segments,
#: the first and the last among them, have no date, category or source column at all.
MORE_ARTICLES |= {
    f"{folder}/haber-{number:03d}.txt": f"Belediye meclisi {number}. kez toplandı.\n"
    for folder in ("a-basliksiz", "z-basliksiz")
    for number in range(60)
}


def build(tmp_path: Path, monkeypatch, name: str, merged_articles: int) -> Path:
    """A parallel full build of the articles in segments of at most 25 articles, merged
    into segments of at most ``merged_articles``."""
    monkeypatch.setattr(full_build, "PARALLEL_BUILD_FROM", 1)
    monkeypatch.setattr(full_build, "SEGMENT_ARTICLES", 25)
    monkeypatch.setattr(full_build, "usable_cores", lambda: 2)
    monkeypatch.setattr(segmentmerge, "COPIED_ARTICLES", merged_articles)
    monkeypatch.setattr(VarBytesColumn.Writer, "__init__", _writing_offsets)
    docs = tmp_path / "docs"
    if not docs.exists():
        write_articles(docs, {**FIXTURE_ARTICLES, **MORE_ARTICLES})
    report = reindex(docs, tmp_path / name, full=True)
    assert report.added == len(FIXTURE_ARTICLES) + len(MORE_ARTICLES) and not report.failed
    return tmp_path / name


_VAR_BYTES_WRITER_INIT = VarBytesColumn.Writer.__init__


def _writing_offsets(self, *args, **kwargs) -> None:
    """whoosh writes a variable-length column's offsets only past 32,768 documents (the
    archive's stored fields, say): here, always."""
    _VAR_BYTES_WRITER_INIT(self, *args, **kwargs)
    self.cutoff = 0


def everything_by_id(index_dir: Path) -> dict:
    """Every field's postings, field lengths (per article and in total), stored fields and
    column values, keyed by article id rather than document number."""
    index = open_index(index_dir)
    with index.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in enumerate(searcher.all_stored_fields())}
        postings = {}
        for fieldname, btext in reader.all_terms():
            matcher = reader.postings(fieldname, btext)
            held = {}
            while matcher.is_active():
                held[ids[matcher.id()]] = (matcher.weight(), matcher.value())
                matcher.next()
            postings[(fieldname, btext)] = held
        names = index.schema.scorable_names()

        def column(name: str):
            """Read segment by segment, as the engine does (whoosh's own reader of all
            segments misplaces values after a segment without any); no value, the
            column's default, or a segment without the column all read as None."""
            default = index.schema[name].column_type.default_value()
            for docnum, value in enumerate(column_values(searcher, name)):
                yield docnum, None if value in (None, default) else value

        return {
            "postings": postings,
            "lengths": {  # whoosh answers None or 0 for no length, depending on the segment
                (ids[docnum], name): reader.doc_field_length(docnum, name) or 0
                for docnum in ids
                for name in names
            },
            "totals": {name: reader.field_length(name) for name in names},
            "stored": {ids[docnum]: searcher.stored_fields(docnum) for docnum in ids},
            "columns": {
                name: {ids[docnum]: value for docnum, value in column(name)}
                for name in index.schema.names()
                if reader.has_column(name)
            },
        }


def test_merged_build_segments_hold_what_the_unmerged_ones_held(tmp_path, monkeypatch):
    """Postings of every field (text, date, year, category, source), lengths, stored
    fields and columns are the same once the build's segments are merged; searches
    rank and mark alike."""
    apart = build(tmp_path, monkeypatch, "apart", merged_articles=0)
    merged = build(tmp_path, monkeypatch, "merged", merged_articles=1_000)
    assert len(open_index(apart)._segments()) >= 5
    assert len(open_index(merged)._segments()) == 1
    expected = everything_by_id(apart)
    assert len(expected["postings"]) > 300
    assert {field for field, _ in expected["postings"]} >= {"body", "date", "category", "source"}
    assert everything_by_id(merged) == expected
    for query in ("toplantı", "biskek", "KIRGIZİSTAN", '"ortak bildiri"', "deprem spor"):
        pages = [Searcher(index).search(query, per_page=50) for index in (apart, merged)]
        assert pages[0].total > 0
        assert [(h.id, h.score, h.snippet) for h in pages[0].results] == [
            (h.id, h.score, h.snippet) for h in pages[1].results
        ]


@pytest.mark.parametrize("deletions", [False, True])
def test_a_build_merges_its_array_fields_in_its_worker_processes_as_it_would_here(
    tmp_path, monkeypatch, deletions
):
    """A large merge has its array fields merged in the build's processes, the two
    largest apart, their bytes copied (a full build's segments) or, for segments with
    deletions, decoded and merged: the merged segment's files are byte for byte the ones
    this process writes."""
    if deletions:
        monkeypatch.setattr(
            segmentmerge.MergingSegmentWriter, "_without_deletions", lambda _: False
        )
    merged_in = []
    start_shares = full_build.start_shares

    def counted(task, shares):
        merged_in.append(sorted(map(sorted, shares)))
        return start_shares(task, shares)

    monkeypatch.setattr(full_build, "start_shares", counted)
    monkeypatch.setattr(segmentmerge, "PARALLEL_MERGE_BYTES", 10**9)
    here = build(tmp_path, monkeypatch, "here", merged_articles=1_000)
    assert merged_in == []
    monkeypatch.setattr(segmentmerge, "PARALLEL_MERGE_BYTES", 0)
    apart = build(tmp_path, monkeypatch, "apart", merged_articles=1_000)
    ((first, second),) = merged_in  # two processes, the two largest fields apart
    assert sorted(first + second) == sorted(ARRAY_FIELDS)
    assert ("body" in first) != ("body" in second) and ("stem" in first) != ("body" in first)

    assert segment_files(apart) == segment_files(here)
    assert everything_by_id(apart) == everything_by_id(here)


def segment_files(index_dir: Path) -> dict[str, bytes]:
    """The files of the index's one segment, by name without the segment's id."""
    (generation,) = [path for path in index_dir.iterdir() if path.is_dir()]
    segment = open_index(index_dir)._segments()[0].segment_id()
    return {
        path.name.replace(segment, "S"): path.read_bytes()
        for path in generation.iterdir()
        if path.name.startswith(segment)
    }


def test_a_build_merge_copies_term_bytes_into_the_file_a_decoding_merge_writes(
    tmp_path, monkeypatch
):
    """A full build's segments have no deletions: each term's bytes are copied with only
    its first number written anew, and the merged segment's files are byte for byte the
    ones decoding and encoding every posting writes."""
    copied_fields = []
    copy = segmentmerge.concatenated_arrays

    def counted(parts):
        copied_fields.append(len(parts))
        return copy(parts)

    monkeypatch.setattr(segmentmerge, "concatenated_arrays", counted)
    copied = build(tmp_path, monkeypatch, "copied", merged_articles=1_000)
    assert len(copied_fields) == len(ARRAY_FIELDS) and min(copied_fields) >= 5  # every segment

    def decoded(parts):
        return segmentmerge.field_arrays(segmentmerge.merged_postings(parts))

    monkeypatch.setattr(segmentmerge, "concatenated_arrays", decoded)
    by_decoding = build(tmp_path, monkeypatch, "decoded", merged_articles=1_000)
    assert segment_files(copied) == segment_files(by_decoding)
    assert everything_by_id(copied) == everything_by_id(by_decoding)


@pytest.mark.parametrize("piece_bytes", [segmentmerge.MERGE_PIECE_BYTES, 1, 100])
@pytest.mark.parametrize("seed", range(3))
def test_copied_term_bytes_decode_to_the_merged_postings(seed, piece_bytes, monkeypatch):
    """Random segments with terms held by some of them, documents far apart (numbers of
    several bytes) and near (one byte), terms of a few bytes and of a few hundred (copied
    in one array step or as slices): the copied field is the decoded and merged one,
    whether the segments are read whole or a few terms' bytes at a time."""
    monkeypatch.setattr(segmentmerge, "MERGE_PIECE_BYTES", piece_bytes)
    rng = np.random.default_rng(seed)
    parts, base = [], 0
    for _ in range(int(rng.integers(2, 5))):
        count = int(rng.integers(1, 3_000))
        terms = sorted({f"t{int(n)}".encode() for n in rng.integers(0, 400, 300)})
        postings = [np.unique(rng.integers(0, count, rng.choice([3, 60, 900]))) for _ in terms]
        docs = np.concatenate(postings).astype(np.uint32)
        freqs = rng.integers(1, 200, len(docs)).astype(np.float32)
        ends = np.cumsum([len(p) for p in postings]).astype(np.uint32)
        sections = field_arrays(SortedPostings(terms, ends, docs, freqs))
        parts.append(segmentmerge.Part(_field_of(sections), base))
        base += count
    expected = field_arrays(segmentmerge.merged_postings(parts))
    copied = segmentmerge.concatenated_arrays(parts)
    sizes = np.diff(expected["post_ends"].astype(np.int64), prepend=0)
    assert sizes.min() < 8 and sizes.max() > segmentmerge.LONG_RUN
    assert copied.keys() == expected.keys()
    for name in expected:
        assert np.array_equal(copied[name], expected[name]), name


def _field_of(sections: dict) -> FieldArrays:
    """The :class:`FieldArrays` reading ``sections`` as a written file would hold them."""
    buffer, placed = bytearray(), {}
    for name, values in sections.items():
        data = np.ascontiguousarray(values)
        buffer += b"\0" * (-len(buffer) % 8)
        placed[name] = (len(buffer), data.dtype.str, len(data))
        buffer += data.tobytes()
    return FieldArrays(bytes(buffer), placed)


@pytest.mark.parametrize("limit", [60, 75])
def test_merged_segments_keep_to_their_size_and_order(tmp_path, monkeypatch, limit):
    """Segments are merged in order while they fit under the limit; the article ids keep
    their order across the index."""
    apart = build(tmp_path, monkeypatch, "apart", merged_articles=0)
    merged = build(tmp_path, monkeypatch, f"merged-{limit}", merged_articles=limit)
    sizes = [segment.doc_count_all() for segment in open_index(merged)._segments()]
    assert sum(sizes) == len(FIXTURE_ARTICLES) + len(MORE_ARTICLES)
    assert all(size <= limit for size in sizes) and max(sizes) > 25
    assert len(sizes) < len(open_index(apart)._segments())
    with open_index(apart).searcher() as before, open_index(merged).searcher() as after:
        assert [f["id"] for f in after.all_stored_fields()] == [
            f["id"] for f in before.all_stored_fields()
        ]


def segment_sizes(index_dir: Path) -> list[int]:
    return [segment.doc_count_all() for segment in open_index(index_dir)._segments()]


def add_in_runs(docs: Path, index_dir: Path, runs: list[list[str]]) -> None:
    """Reindex once per run, after writing that run's articles (of MORE_ARTICLES)."""
    for names in runs:
        write_articles(docs, {name: MORE_ARTICLES[name] for name in names})
        report = reindex(docs, index_dir)
        assert report.added == len(names) and not report.failed
        assert not [warning for warning in report.warnings if "not merged" in warning]


def large_archive(index_dir: Path, monkeypatch) -> tuple[Path, list[str]]:
    """The fixture articles and the first 150 of MORE_ARTICLES (sorted names), built into
    one segment that counts as large (segments of fewer than 100 articles are small)."""
    monkeypatch.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 100)
    monkeypatch.setattr(VarBytesColumn.Writer, "__init__", _writing_offsets)
    docs = write_articles(index_dir.parent / "docs", FIXTURE_ARTICLES)
    names = sorted(MORE_ARTICLES)
    write_articles(docs, {name: MORE_ARTICLES[name] for name in names[:150]})
    reindex(docs, index_dir, full=True)
    return docs, names


def test_reindexes_that_add_files_merge_the_small_segments(tmp_path, monkeypatch):
    """Each reindex writes a segment; the small ones are copied into one, so after a
    large archive and five reindexes there are two segments, and the index holds what a
    full build of the same files holds (postings, lengths, stored fields, columns)."""
    docs, names = large_archive(tmp_path / "live", monkeypatch)
    assert segment_sizes(tmp_path / "live") == [155]
    runs = [names[150:151], names[151:160], names[160:161], names[161:200], names[200:]]
    add_in_runs(docs, tmp_path / "live", runs)
    assert segment_sizes(tmp_path / "live") == [155, len(MORE_ARTICLES) - 150]
    reindex(docs, tmp_path / "full", full=True)
    assert everything_by_id(tmp_path / "live") == everything_by_id(tmp_path / "full")
    again = reindex(docs, tmp_path / "live")  # the file record still vouches for every file
    assert (again.added, again.unchanged) == (0, len(FIXTURE_ARTICLES) + len(MORE_ARTICLES))
    page = Searcher(tmp_path / "live").search("belediye meclisi", per_page=5)
    assert page.total == 120


def test_segments_of_one_tier_are_merged_when_four_pile_up(tmp_path, monkeypatch):
    """Segments too large to count as small (here 10 articles or more) stay apart until
    four of the same tier (10 to 99 here) pile up; then they become one, holding what a
    full build of the same files holds."""
    monkeypatch.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 10)
    monkeypatch.setattr(VarBytesColumn.Writer, "__init__", _writing_offsets)
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    reindex(docs, tmp_path / "live", full=True)
    names = sorted(MORE_ARTICLES)
    runs = [names[start : start + 12] for start in range(0, 48, 12)]
    add_in_runs(docs, tmp_path / "live", runs[:3])
    assert segment_sizes(tmp_path / "live") == [5, 12, 12, 12]
    add_in_runs(docs, tmp_path / "live", runs[3:])
    assert segment_sizes(tmp_path / "live") == [5, 48]
    reindex(docs, tmp_path / "full", full=True)
    assert everything_by_id(tmp_path / "live") == everything_by_id(tmp_path / "full")
    found = Searcher(tmp_path / "live").search("belediye meclisi", per_page=50).results
    assert {hit.id for hit in found} == {name.removesuffix(".txt") for name in names[:48]}


def test_merged_small_segments_leave_out_replaced_and_removed_articles(tmp_path, monkeypatch):
    """Articles changed or removed after their segment was written are left out when it is
    merged, with the words only they held; the index then holds what a full build of the
    files holds, and the changed article is found as it is now."""
    docs, names = large_archive(tmp_path / "live", monkeypatch)
    changed, removed = names[155], names[157]
    add_in_runs(docs, tmp_path / "live", [names[150:155]])
    write_articles(docs, {changed: "Belediye meclisi Karaçam'da toplandı.\n"})
    write_articles(docs, {removed: MORE_ARTICLES[removed]})
    assert reindex(docs, tmp_path / "live").added == 2
    add_in_runs(docs, tmp_path / "live", [names[158:160]])
    assert segment_sizes(tmp_path / "live") == [155, 9]
    write_articles(docs, {changed: "Belediye meclisi Akçaağaç'ta toplandı.\n"})
    (docs / removed).unlink()
    report = reindex(docs, tmp_path / "live")
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert segment_sizes(tmp_path / "live") == [155, 8]  # 9 - 1 removed - 1 replaced + 1
    reindex(docs, tmp_path / "full", full=True)
    expected = everything_by_id(tmp_path / "full")
    assert not [term for field, term in expected["postings"] if term.startswith("karaçam".encode())]
    merged = everything_by_id(tmp_path / "live")
    # whoosh keeps an article's field length in one byte, exact for short fields only: a
    # field's total loses each deleted article's length to within that rounding (searches
    # score with each article's own length, never with the totals)
    totals = merged.pop("totals"), expected.pop("totals")
    assert all(abs(totals[0][name] - totals[1][name]) <= 2 for name in totals[1])
    assert merged == expected
    searcher = Searcher(tmp_path / "live")
    assert [hit.id for hit in searcher.search("akçaağaç").results] == [changed.removesuffix(".txt")]
    assert searcher.search("karaçam").total == 0


def test_a_merge_that_cannot_be_written_loses_nothing(tmp_path, monkeypatch):
    """The articles are committed before the merge: a full disk while merging leaves the
    segments as they were, says so, and the next reindex merges them."""
    monkeypatch.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 100)
    docs = write_articles(tmp_path / "docs", FIXTURE_ARTICLES)
    reindex(docs, tmp_path / "index", full=True)
    names = sorted(MORE_ARTICLES)
    write_articles(docs, {names[0]: MORE_ARTICLES[names[0]]})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(mergepolicy, "merge_build_segments", disk_full)
        report = reindex(docs, tmp_path / "index")
    assert report.added == 1 and not report.failed
    assert [warning for warning in report.warnings if "not merged" in warning] == [
        "2 of the index's segments were not merged into one (no space left on device): "
        "every article is indexed and searchable; searches read the segments apart until a "
        "later reindex merges them"
    ]
    assert segment_sizes(tmp_path / "index") == [5, 1]
    found = Searcher(tmp_path / "index").search("belediye meclisi").results
    assert [hit.id for hit in found] == [names[0].removesuffix(".txt")]
    leftovers = [path.name for path in (tmp_path / "index").rglob("*.tmp")]
    assert leftovers == []
    add_in_runs(docs, tmp_path / "index", [names[1:3]])
    assert segment_sizes(tmp_path / "index") == [8]


class _Segment:
    """A segment as :func:`~search.storage.segmentmerge.merge_build_segments` weighs it."""

    def __init__(self, articles: int, deletions: bool = False) -> None:
        self.articles, self.deletions = articles, deletions

    def doc_count_all(self) -> int:
        return self.articles

    def has_deletions(self) -> bool:
        return self.deletions


def test_segments_without_deletions_merge_into_larger_segments(monkeypatch):
    """A full build's segments (none with deleted articles) are copied a piece at a time
    and merge up to COPIED_ARTICLES; when one has deletions, the postings are decoded in
    memory and the merged segments stay within MERGED_ARTICLES."""
    monkeypatch.setattr(segmentmerge, "MERGED_ARTICLES", 100)
    monkeypatch.setattr(segmentmerge, "COPIED_ARTICLES", 1_000)
    monkeypatch.setattr(
        segmentmerge, "_merged", lambda index, group, *_: [s.doc_count_all() for s in group]
    )
    built = [_Segment(40) for _ in range(5)]
    assert segmentmerge.merge_build_segments(None, built, {}) == [[40] * 5]
    with_deletions = [*built[:4], _Segment(40, deletions=True)]
    merged = segmentmerge.merge_build_segments(None, with_deletions, {})
    assert merged == [[40, 40], [40, 40], with_deletions[4]]


def test_a_build_whose_merge_fails_stops_its_merging_processes(tmp_path, monkeypatch):
    """The array fields' merge starts in other processes before the documents are copied:
    when the copy fails (a full disk), those processes are stopped, the new build is
    dropped, and the index built before still answers as it did."""
    index = build(tmp_path, monkeypatch, "index", merged_articles=1_000)
    before = [hit.id for hit in Searcher(index).search("toplantı").results]
    generations = sorted(path.name for path in index.iterdir())
    assert before
    started = []
    start_shares = full_build.start_shares

    def kept(task, shares):
        started.append(shares)
        return start_shares(task, shares)

    def disk_full(self, reader):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(full_build, "start_shares", kept)
    monkeypatch.setattr(segmentmerge, "PARALLEL_MERGE_BYTES", 0)
    monkeypatch.setattr(segmentmerge.MergingSegmentWriter, "add_documents", disk_full)
    with pytest.raises(Exception, match="space"):
        reindex(tmp_path / "docs", index, full=True)
    assert len(started) == 1 and multiprocessing.active_children() == []
    assert sorted(path.name for path in index.iterdir()) == generations
    assert [hit.id for hit in Searcher(index).search("toplantı").results] == before
