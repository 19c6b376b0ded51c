"""Stored fields compressed with a dictionary sampled from the archive."""

from __future__ import annotations

from pathlib import Path

from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage

from conftest import write_articles
from search.indexing import mergepolicy
from search.indexing.reindex import reindex
from search.searching.searcher import Searcher
from search.storage import storedtext
from search.storage.postings import ArrayCodec
from search.storage.schema import build_schema
from search.storage.store import current_generation, open_index
from search.storage.storedtext import sample_dictionary, save_dictionary

BODIES = [
    "Büyükşehir belediye meclisi 2025 yılı bütçesini görüşmek üzere olağanüstü toplandı.",
    "Kırgızistan'ın başkenti Bişkek'te kültür bakanları ortak bildiri yayımladı.",
    "İstanbul'da deprem tatbikatı yapıldı; okullarda tahliye provası düzenlendi.",
    "Eskişehir Kent Konseyi iklim eylem planını oy birliğiyle kabul etti.",
]
DOCUMENTS = [
    {"id": f"a{i}", "title": body.split()[0], "body": f"{body} " * 3}
    for i, body in enumerate(BODIES * 6)
]


def build(path: Path, codec_for, batches) -> object:
    path.mkdir()
    storage = FileStorage(str(path))
    index = storage.create_index(build_schema())
    for batch in batches:
        writer = index.writer(codec=codec_for(storage), compound=False)
        for document in batch:
            writer.add_document(**document)
        writer.commit()
    return index


def with_dictionary(storage) -> ArrayCodec:
    zdict = sample_dictionary(
        {"title": d["title"], "body": d["body"], "id": d["id"]} for d in DOCUMENTS[:8]
    )
    return ArrayCodec(zdict=zdict, zdict_name=save_dictionary(storage, zdict))


def stored(index) -> list[dict]:
    storedtext._loaded.clear()  # read the dictionary from disk, as a new process would
    with index.refresh().searcher() as searcher:
        return [
            {k: v for k, v in fields.items() if k in ("id", "title", "body")}
            for fields in searcher.all_stored_fields()
        ]


def stored_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.glob("*._stored.col"))


def test_stored_fields_read_back_through_the_dictionary(tmp_path):
    index = build(tmp_path / "ix", with_dictionary, [DOCUMENTS])
    assert stored(index) == DOCUMENTS
    (name,) = [p.name for p in (tmp_path / "ix").glob("haberara-zdict-*.bin")]
    assert index._segments()[0].codec().zdict_name == name
    toc = next((tmp_path / "ix").glob("_MAIN_*.toc"))
    assert b"Bi\xc5\x9fkek" not in toc.read_bytes()  # the dictionary is not in the TOC


def test_the_dictionary_makes_stored_fields_smaller(tmp_path):
    build(tmp_path / "with", with_dictionary, [DOCUMENTS])
    build(tmp_path / "without", lambda storage: ArrayCodec(), [DOCUMENTS])
    assert stored_bytes(tmp_path / "with") < 0.8 * stored_bytes(tmp_path / "without")


def test_merged_segments_keep_their_stored_fields(tmp_path):
    batches = [[document] for document in DOCUMENTS[:8]]  # whoosh merges small segments
    index = build(tmp_path / "ix", with_dictionary, batches)
    assert len(index._segments()) < len(batches)
    assert sorted(stored(index), key=lambda d: d["id"]) == sorted(
        DOCUMENTS[:8], key=lambda d: d["id"]
    )


def test_an_update_writes_with_the_dictionary_of_the_full_build(tmp_path, monkeypatch):
    monkeypatch.setattr(mergepolicy, "SMALL_SEGMENT_ARTICLES", 0)  # the update's segment kept apart
    docs = write_articles(
        tmp_path / "docs",
        {f"haber-{i}.txt": f"title: Haber {i}\n\n{body}\n" for i, body in enumerate(BODIES)},
    )
    index_dir = tmp_path / "index"
    reindex(docs, index_dir)
    write_articles(docs, {"yeni.txt": "title: Yeni haber\n\nMeclis bugün yeniden toplandı.\n"})
    reindex(docs, index_dir)
    segments = open_index(index_dir)._segments()
    assert len(segments) == 2
    names = {segment.codec().zdict_name for segment in segments}
    assert len(names) == 1 and (current_generation(index_dir) / names.pop()).is_file()
    storedtext._loaded.clear()
    page = Searcher(index_dir).search("yeniden")
    assert [hit.id for hit in page.results] == ["yeni"]
    assert "<mark>yeniden</mark> toplandı" in page.results[0].snippet


def test_values_compressed_together_keep_their_documents(tmp_path, monkeypatch):
    """Values kept back to be compressed in groups land on their own documents, before
    bytes a merge copies as they are, and none is lost at the end of the segment."""
    monkeypatch.setattr(storedtext, "COMPRESSED_TOGETHER", 3)
    values = {0: "Bişkek", 1: "toplantı", 2: "meclis", 3: "bütçe", 4: "deprem"}
    copied = {6: "tatbikat"}  # already compressed, appended as a merge appends a segment
    long_value = " ".join(str(n * 7919) for n in range(200))  # its length takes two bytes
    values |= {8: "konsey", 9: long_value}
    storage = FileStorage(str(tmp_path))
    column = storedtext.DictionaryBytesColumn("toplantı meclis deprem ".encode() * 20)
    handle = storage.create_file("values.col")
    writer = column.writer(handle)
    for docnum, value in values.items():
        if docnum == 8:
            for number, text in copied.items():
                compressed = writer._compressor.compress(text.encode())
                VarBytesColumn.Writer.add(writer, number, compressed)
        writer.add(docnum, value.encode())
    writer.finish(11)
    length = handle.tell()
    handle.close()
    reader = column.reader(storage.open_file("values.col"), 0, length, 11)
    expected = [(values | copied).get(d, "").encode() for d in range(11)]
    assert [reader[docnum] for docnum in range(11)] == expected
    assert list(reader) == expected
