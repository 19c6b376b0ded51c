"""A whoosh segment writer whose array fields' postings are collected as arrays.

whoosh's writer sends every posting one by one through its posting pool, which sorts them
and, past its memory limit, spills and merges runs on disk; on the whole archive that was
most of a build worker's time. This writer keeps a text field's words as numbers of their
forms (:class:`~search.text.analysis.FormNumbers`: one look-up a word; the stem field's text,
title and body joined, takes their words' numbers), one array per field, and counts them
into postings in a few array steps when the segment is written (:class:`FieldTokens`);
counting each article's terms in Python took most of a worker's time. Other values of the
array fields go in three arrays per field (term number, document, frequency), sorted once
when the segment is written (:class:`FieldPostings`). The fields not in
:data:`~search.storage.schema.ARRAY_FIELDS` (a few short values per article) still go through
whoosh's pool, and stored fields, lengths and columns through whoosh's per-document writer.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from itertools import repeat

import numpy as np
from whoosh.writing import SegmentWriter

from search.storage.arrays import SortedPostings
from search.storage.schema import ARRAY_FIELDS, STEM_SOURCES, TurkishText
from search.text.analysis import FormNumbers

#: Values of the fields whoosh indexes itself whose terms a writer keeps (then it forgets).
WHOOSH_VALUES_KEPT = 50_000


class FieldPostings:
    """One field's postings in one segment, in the order documents arrive."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # term -> its number, in order of first use
        self._terms = array("I")
        self._docs = array("I")
        self._freqs = array("I")

    def add(self, docnum: int, counts: Mapping[str, int]) -> None:
        """A document's ``{term: frequency}``; documents come in ascending order."""
        numbers = self._numbers
        for term in set(counts).difference(numbers):  # (dict views would walk all of numbers)
            numbers[term] = len(numbers)
        self._terms.extend(map(numbers.__getitem__, counts))
        self._freqs.extend(counts.values())
        self._docs.extend(repeat(docnum, len(counts)))

    def sorted_postings(self) -> SortedPostings:
        """The postings sorted by term (UTF-8 bytes), then document."""
        encoded = [term.encode("utf-8") for term in self._numbers]
        order = sorted(range(len(encoded)), key=encoded.__getitem__)
        rank = np.empty(len(encoded), np.uint32)
        rank[order] = np.arange(len(encoded), dtype=np.uint32)
        posting_ranks = rank[np.frombuffer(self._terms, np.uint32)]
        by_term = np.argsort(posting_ranks, kind="stable")  # stable: documents stay ascending
        return SortedPostings(
            [encoded[number] for number in order],
            np.cumsum(np.bincount(posting_ranks, minlength=len(encoded))).astype(np.uint32),
            np.frombuffer(self._docs, np.uint32)[by_term],
            np.frombuffer(self._freqs, np.uint32)[by_term].astype(np.float32),
        )


class FieldTokens:
    """One text field's words in one segment as the form numbers of a
    :class:`~search.text.analysis.FormNumbers`, document after document; counted into
    postings once, when the segment is written (:meth:`sorted_postings`), rather than
    article by article: a word costs a look-up and four bytes until then."""

    def __init__(self, stop: bool, stem: bool) -> None:
        self.stop = stop
        self.stem = stem
        self._forms = array("I")  # every document's form numbers, one after another
        self._docs = array("I")
        self._lengths = array("I")  # how many of _forms each of _docs has

    def add(self, docnum: int, forms: array) -> None:
        """A document's form numbers; documents come in ascending order."""
        if forms:
            self._forms.extend(forms)
            self._docs.append(docnum)
            self._lengths.append(len(forms))

    def sorted_postings(self, numbers: FormNumbers) -> SortedPostings:
        """The postings sorted by term (UTF-8 bytes), then document: a term's frequency
        in a document is how many of its words have forms whose term it is."""
        chain = numbers.chain(stop=self.stop, stem=self.stem)
        of_form = np.frombuffer(chain.of_form, np.uint32)
        terms = of_form[np.frombuffer(self._forms, np.uint32)]
        docs = np.repeat(
            np.frombuffer(self._docs, np.uint32), np.frombuffer(self._lengths, np.uint32)
        )
        if chain.drops:
            kept = terms != chain.DROPPED
            terms, docs = terms[kept], docs[kept]
        used = np.flatnonzero(np.bincount(terms, minlength=len(chain.terms)))
        encoded = [chain.terms[number].encode("utf-8") for number in used.tolist()]
        order = sorted(range(len(encoded)), key=encoded.__getitem__)
        rank = np.zeros(len(chain.terms), np.uint64)
        rank[used[order]] = np.arange(len(used), dtype=np.uint64)
        keys = (rank[terms] << np.uint64(32)) | docs  # term rank, then document
        keys.sort()
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])[: len(keys)])
        freqs = np.diff(starts, append=len(keys)).astype(np.float32)
        keys = keys[starts]
        ranks = (keys >> np.uint64(32)).astype(np.int64)
        return SortedPostings(
            [encoded[number] for number in order],
            np.cumsum(np.bincount(ranks, minlength=len(encoded))).astype(np.uint32),
            (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
            freqs,
        )


class ArraySegmentWriter(SegmentWriter):
    """whoosh's segment writer with array-field postings kept as :class:`FieldTokens` (a
    text) or :class:`FieldPostings` (any other value).

    Needs a codec with an :class:`~search.storage.postings.ArrayFieldWriter`. Articles are
    added to its own new segment; deletions mark earlier segments' articles, as whoosh's
    writer does; other segments are never merged into it (commit with ``merge=False``).
    """

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._postings: dict[str, FieldPostings] = {}
        self._tokens: dict[str, FieldTokens] = {}
        self._numbers = FormNumbers()
        self._forms_of: dict[str, array] = {}  # text -> its words' form numbers, per document
        self._stem_parts: list[str] = []  # this document's STEM_SOURCES texts
        self._stem_text: str | None = None  # and their join, the stem field's usual text
        self._whoosh_terms_of: dict[tuple, list] = {}  # (field, value) -> field.index(value)
        self._column_values_of: dict[tuple, object] = {}  # and -> its column value

    def add_document(self, **fields) -> None:
        """Add one document (whoosh's ``add_document`` without boosts, vectors or spelling;
        a ``_stored_<name>`` value is stored in place of the indexed one, as whoosh does)."""
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        self._forms_of.clear()
        self._stem_parts = [
            fields.get(f"_stored_{name}", fields.get(name)) for name in STEM_SOURCES
        ]
        sources = all(isinstance(part, str) for part in self._stem_parts)
        self._stem_text = "\n\n".join(self._stem_parts) if sources else None
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self._index_field(name, field, value) if field.indexed else 0
            stored = fields.get(f"_stored_{name}", value) if field.stored else None
            perdoc.add_field(name, field, stored, length)
            if field.column_type:
                perdoc.add_column_value(
                    name, field.column_type, self._column_value(name, field, value)
                )
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _index_field(self, name: str, field, value) -> int:
        """Post the field's terms; returns its length (0 unless the field is scored)."""
        if name in ARRAY_FIELDS:
            if (
                isinstance(field, TurkishText)
                and isinstance(value, str)
                and (name not in self._postings)
            ):
                forms = self._forms(value)
                tokens = self._tokens.get(name)
                if tokens is None:
                    tokens = self._tokens[name] = FieldTokens(field.stop, field.stem)
                tokens.add(self.docnum, forms)
                if not field.scorable:
                    return 0
                return self._numbers.chain(stop=field.stop, stem=field.stem).length(forms)
            counts = {term.decode("utf-8"): freq for term, freq, _, _ in field.index(value)}
            postings = self._postings.get(name) or self._postings.setdefault(name, FieldPostings())
            postings.add(self.docnum, counts)
            return sum(counts.values()) if field.scorable else 0
        length = 0
        for term, freq, weight, encoded in self._whoosh_terms(name, field, value):
            length += freq
            self.pool.add((name, term, self.docnum, weight, encoded))
        return length if field.scorable else 0

    def _column_value(self, name: str, field, value):
        """whoosh's ``field.to_column_value(value)``, kept per value of a field whose values
        recur (a date's took 6 µs)."""
        if field.unique:
            return field.to_column_value(value)
        key = (name, value)
        try:
            column_value = self._column_values_of.get(key)
        except TypeError:
            return field.to_column_value(value)
        if column_value is None:
            if len(self._column_values_of) >= WHOOSH_VALUES_KEPT:
                self._column_values_of.clear()
            column_value = self._column_values_of[key] = field.to_column_value(value)
        return column_value

    def _whoosh_terms(self, name: str, field, value) -> list:
        """whoosh's ``field.index(value)``, kept per value of a field whose values recur
        (a date's eight range terms took 70 µs to make, a year's or a category's 8 µs)."""
        if field.unique:
            return list(field.index(value))
        key = (name, value)
        try:
            terms = self._whoosh_terms_of.get(key)
        except TypeError:  # a value that cannot be a key (a list of words, say)
            return list(field.index(value))
        if terms is None:
            if len(self._whoosh_terms_of) >= WHOOSH_VALUES_KEPT:
                self._whoosh_terms_of.clear()
            terms = self._whoosh_terms_of[key] = list(field.index(value))
        return terms

    def _forms(self, text: str) -> array:
        """The form numbers of ``text``'s words, each text of a document read once: the
        stem field's text (title, blank line, body) takes the title's and the body's."""
        forms = self._forms_of.get(text)
        if forms is None:
            if text == self._stem_text:
                forms = array("I")
                for part in self._stem_parts:
                    forms.extend(self._forms(part))
            else:
                forms = self._numbers.numbers(text)
            self._forms_of[text] = forms
        return forms

    def _flush_segment(self) -> None:
        for name, tokens in sorted(self._tokens.items()):
            self.fieldwriter.add_sorted(name, tokens.sorted_postings(self._numbers))
        for name, postings in sorted(self._postings.items()):  # (a field given both: refused)
            self.fieldwriter.add_sorted(name, postings.sorted_postings())
        self._tokens.clear()
        self._postings.clear()
        super()._flush_segment()
