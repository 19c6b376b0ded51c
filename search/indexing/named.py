"""Which of the named files and folders (``reindex PATH...``) are new, changed or gone.

A run over named paths looks at those alone: it lists the named folders, reads the named
files, and compares them with the indexed articles it looks up by id (a named folder's
through the id field's sorted terms), so its cost does not grow with the archive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import FileIndex

from search.articles import article_id, scan_article_files
from search.errors import DocsMissing
from search.indexing import filerecord
from search.indexing.changes import KEPT, Changes, Reading, read_all
from search.indexing.report import ReindexReport, display, fail
from search.storage.reading import text_value
from search.storage.schema import indexed_hash


@dataclass
class NamedChanges:
    """What a run over named paths found: the changes, the indexed hashes it compared
    with, and the indexed articles whose files are gone."""

    changes: Changes
    known: dict[str, str]
    removed: list[str] = field(default_factory=list)


def inside(docs_dir: Path, path: Path) -> Path:
    """``path`` (absolute, or relative to the working folder) if it is inside ``docs_dir``."""
    absolute = Path(os.path.abspath(path))
    root = Path(os.path.abspath(docs_dir))
    if absolute != root and root not in absolute.parents:
        raise DocsMissing(f"{path} is not inside the articles folder {docs_dir}/")
    return docs_dir / absolute.relative_to(root)


def named_changes(
    index: FileIndex, docs_dir: Path, targets: list[Path], max_bytes: int, report: ReindexReport
) -> NamedChanges:
    """The new, changed and gone articles among ``targets`` (files or folders inside
    ``docs_dir``); every named file is read (they are few)."""
    files: list[str] = []
    prefixes: list[str] = []
    kept: list[str] = []  # folders that cannot be listed now
    gone: dict[Path, str] = {}  # named paths that do not exist: their id or id prefix
    changes = Changes()
    for target in targets:
        if target.is_dir():
            found, skipped = scan_article_files(target)
            files += found
            for entry in skipped:  # what was indexed from it before is kept
                if entry.is_folder:
                    kept.append(entry.path.relative_to(docs_dir).as_posix() + "/")
                else:
                    changes.seen_ids.add(article_id(entry.path, docs_dir))
                fail(report, entry.path, entry.reason + KEPT)
            relative = target.relative_to(docs_dir).as_posix()
            prefixes.append("" if relative == "." else relative + "/")
        elif target.exists() or target.is_symlink():
            if target.name.lower().endswith(".txt"):
                files.append(os.fspath(target))
            else:
                fail(report, target, "not an article file (articles are *.txt files)")
        elif target.name.lower().endswith(".txt"):  # a named file that is gone: its article goes
            gone[target] = article_id(target, docs_dir)
        else:  # a named folder that is gone: the articles below it go
            gone[target] = target.relative_to(docs_dir).as_posix() + "/"
    prefixes += gone.values()
    known = _hashes_of(index, {article_id(path, docs_dir) for path in files}, prefixes)
    report.not_found += [
        display(target) for target, prefix in gone.items() if not _under_any(known, prefix)
    ]
    reading = Reading(docs_dir, known, filerecord.FileRecord(), max_bytes, report, changes)
    changes.articles.extend(read_all(files, reading, None))
    removed = [
        doc_id
        for doc_id in known
        if doc_id not in changes.seen_ids and _under(doc_id, prefixes) and not _under(doc_id, kept)
    ]
    return NamedChanges(changes, known, removed)


def _under(doc_id: str, prefixes: list[str]) -> bool:
    """Whether the article is one named, or below a folder named (``prefix/``)."""
    return any(
        doc_id.startswith(prefix) if prefix.endswith("/") or not prefix else doc_id == prefix
        for prefix in prefixes
    )


def _under_any(doc_ids: dict[str, str], prefix: str) -> bool:
    """Whether any of ``doc_ids`` is the article ``prefix`` names, or below it."""
    return any(_under(doc_id, [prefix]) for doc_id in doc_ids)


def _hashes_of(index: FileIndex, ids: set[str], prefixes: list[str]) -> dict[str, str]:
    """``{id: content_hash}`` of the indexed articles among ``ids`` or below ``prefixes``
    (found through the id field's sorted terms, not by reading every article's)."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        wanted = set(ids)
        for prefix in prefixes:
            if prefix.endswith("/") or not prefix:
                wanted.update(text_value(term) for term in reader.expand_prefix("id", prefix))
            else:
                wanted.add(prefix)
        hashes = reader.column_reader("content_hash")
        found = {}
        for doc_id in sorted(wanted):
            docnum = searcher.document_number(id=doc_id)
            if docnum is not None:
                found[doc_id] = indexed_hash(hashes[docnum])
        return found
