"""What a serving worker keeps between queries shares its strings and tuples, so that a
worker that has met many words stays within its memory (bench/worker_memory.py)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

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


#: Frees blocks of the heap (below the mapping threshold) one after another, so that they
#: join its free top, and prints how much of the top glibc keeps (``mallinfo2().keepcost``).
_HEAP_TOP_KEPT = """
import ctypes
from web.server import _tune_malloc

_tune_malloc()
libc = ctypes.CDLL(None)


class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    )]


libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
blocks = [libc.malloc(512 * 1024) for _ in range(16)]
for block in reversed(blocks):
    libc.free(ctypes.c_void_p(block))
print(libc.mallinfo2().keepcost)
"""


def _glibc_with_mallinfo2() -> bool:
    name, version = platform.libc_ver()
    return name == "glibc" and tuple(int(part) for part in version.split(".")[:2]) >= (2, 33)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _glibc_with_mallinfo2(),
    reason="the worker tunes glibc's malloc only; mallinfo2 came with glibc 2.33",
)
def test_a_serving_worker_keeps_its_freed_heap_for_the_next_search() -> None:
    """A search's arrays, freed at its end, stay in the worker's heap for the next search
    (up to web.server.MALLOC_TRIM_THRESHOLD) rather than being handed back to the system
    and taken from it again page by page (in a process of its own: malloc's settings are
    the whole process's)."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("MALLOC_")
    }
    result = subprocess.run(
        [sys.executable, "-c", _HEAP_TOP_KEPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env=environment,
    )
    assert int(result.stdout) >= 8 * 1024 * 1024
