"""The article ids a reindex trusts are checked whole, as text, however they are read."""

from __future__ import annotations

import pytest
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import RamStorage

from search.storage import integrity


def _column(values: list[bytes]):
    """A whoosh variable-length bytes column holding ``values``, as a reader reads it."""
    storage = RamStorage()
    with storage.create_file("ids") as handle:
        writer = VarBytesColumn().writer(handle)
        for docnum, value in enumerate(values):
            writer.add(docnum, value)
        writer.finish(len(values))
        length = handle.tell()
    return VarBytesColumn().reader(storage.open_file("ids"), 0, length, len(values))


class _Reader:
    """Enough of a whoosh reader for :func:`integrity.check_ids`: one segment."""

    def __init__(self, column) -> None:
        self.column = column

    def leaf_readers(self):
        return [(self, 0)]

    def has_column(self, name: str) -> bool:
        return name == "id"

    def column_reader(self, name: str, translate: bool = True):
        return self.column


def test_ids_that_are_text_pass_whole() -> None:
    column = _column(["2025/09/kış".encode(), b"", "ekonomi/seçim".encode()])
    assert integrity.all_text(column)
    integrity.check_ids(_Reader(column))


@pytest.mark.parametrize(
    "values",
    [
        [b"spor/derbi", b"\xff\xfe"],  # not UTF-8 at all
        [b"a" + "ç".encode()[:1], "ç".encode()[1:] + b"b"],  # whole only together
    ],
)
def test_an_id_that_is_not_text_is_found(values: list[bytes]) -> None:
    column = _column(values)
    assert not integrity.all_text(column)
    with pytest.raises(integrity.IndexDamaged):
        integrity.check_ids(_Reader(column))
