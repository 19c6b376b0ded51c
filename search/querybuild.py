"""Turn a parsed reader query into a whoosh query over the Turkish fields.

Each plain word matches, from strongest to weakest: its exact surface form, any indexed
inflection of it (``toplantı`` -> ``toplantıya``, also typed without Turkish letters), and
its Snowball stem. A document with the exact form collects all three, so it ranks above a
document that only has an inflected form. Title matches weigh more than body matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as wq
from whoosh.reading import IndexReader

from search.analysis import analyze, ascii_fold, stopwords, turkish_stem
from search.morphology import inflections, lemma_candidates
from search.query import Clause, ParsedQuery
from search.schema import FOLD_SUFFIX, STEM_SUFFIX, category_key

TITLE_BOOST = 2.0
EXACT_BOOST = 2.0
STEM_BOOST = 0.3
META_BOOST = 0.5


@dataclass
class MatchSpec:
    """What a highlighter marks: a token matches by exact form, folded form, stem or prefix."""

    exact: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def matches(self, exact_form: str) -> bool:
        """Whether a token (apostrophe-stripped, Turkish-lower-cased) is a match."""
        if exact_form in self.exact:
            return True
        folded = ascii_fold(exact_form)
        if folded in self.folded or any(folded.startswith(p) for p in self.prefixes):
            return True
        return bool(self.stems) and turkish_stem(exact_form) in self.stems

    def __bool__(self) -> bool:
        return bool(self.exact or self.folded or self.stems or self.prefixes)


class Vocabulary:
    """The indexed words of one reader, with inflection look-ups cached per word."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self.forms = lru_cache(maxsize=4096)(self._forms)

    def has(self, fieldname: str, word: str) -> bool:
        return (fieldname, word) in self._reader

    def frequency(self, fieldname: str, word: str) -> int:
        return self._reader.doc_frequency(fieldname, word)

    def with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        return [_text(term) for term in self._reader.expand_prefix(fieldname, prefix)]

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        return next(iter(self._reader.expand_prefix(fieldname, prefix)), None) is not None

    def corrector(self, fieldname: str):
        """whoosh's spelling corrector over the field's words."""
        return self._reader.corrector(fieldname)

    def _forms(self, folded_word: str) -> tuple[str, ...]:
        """Indexed (folded) forms of the word: itself, its inflections and its lemma's."""
        bases = [folded_word, *lemma_candidates(folded_word, self._is_body_word)]
        found: dict[str, None] = {}
        for base in bases:
            for form in inflections(base, self._body_words_with_prefix):
                found[form] = None
        return tuple(found)

    def is_indexed(self, folded_word: str) -> bool:
        """Whether the (folded) word occurs in any title or body."""
        return self._is_body_word(folded_word)

    def _is_body_word(self, word: str) -> bool:
        return self.has("body" + FOLD_SUFFIX, word) or self.has("title" + FOLD_SUFFIX, word)

    def _body_words_with_prefix(self, prefix: str) -> list[str]:
        words = set(self.with_prefix("body" + FOLD_SUFFIX, prefix))
        words.update(self.with_prefix("title" + FOLD_SUFFIX, prefix))
        return sorted(words)


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


@dataclass
class CompiledQuery:
    """The strict (all groups) query, the relaxed (any group) fallback, and what to mark."""

    strict: wq.Query
    relaxed: wq.Query | None
    spec: MatchSpec


def compile_query(parsed: ParsedQuery, vocabulary: Vocabulary) -> CompiledQuery:
    """Build the whoosh queries for ``parsed`` against ``vocabulary``'s index."""
    spec = MatchSpec()
    only_stopwords = all(_is_stopword(c) for c in parsed.clauses)
    groups = []
    for group in parsed.groups:
        parts = [
            _clause_query(clause, vocabulary, spec)
            for clause in group
            if only_stopwords or not _is_stopword(clause)
        ]
        parts = [part for part in parts if part is not None]
        if parts:
            groups.append(parts[0] if len(parts) == 1 else wq.Or(parts))
    excluded = [_clause_query(c, vocabulary, MatchSpec()) for c in parsed.excluded]
    excluded = [q for q in excluded if q is not None]
    if not groups:
        strict: wq.Query = wq.Every() if excluded else wq.NullQuery
        relaxed = None
    else:
        strict = groups[0] if len(groups) == 1 else wq.And(groups)
        relaxed = wq.Or(groups) if len(groups) > 1 else None
    if excluded:
        negative = wq.Or(excluded)
        strict = wq.AndNot(strict, negative)
        relaxed = wq.AndNot(relaxed, negative) if relaxed is not None else None
    return CompiledQuery(strict, relaxed, spec)


def _is_stopword(clause: Clause) -> bool:
    if clause.phrase or clause.prefix or clause.field:
        return False
    words = analyze(clause.text, stop=False)
    return bool(words) and all(word in stopwords() for word in words)


def _clause_query(clause: Clause, vocabulary: Vocabulary, spec: MatchSpec) -> wq.Query | None:
    if clause.field == "category":
        return wq.Term("category", category_key(clause.text))
    fields = ("title",) if clause.field == "title" else ("title", "body")
    words = analyze(clause.text, stop=False)
    if not words:
        return None
    if clause.phrase:
        return _phrase_query(words, fields, spec)
    if clause.prefix:
        return _prefix_query(words, fields, spec)
    parts = [_word_query(word, fields, vocabulary, spec) for word in words]
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _phrase_query(words: list[str], fields: tuple[str, ...], spec: MatchSpec) -> wq.Query:
    """Exact words in order, in the exact-form fields only."""
    spec.exact.update(words)
    if len(words) == 1:
        return wq.Or([wq.Term(f, words[0], boost=_field_boost(f)) for f in fields])
    return wq.Or([wq.Phrase(f, words, boost=_field_boost(f)) for f in fields])


def _prefix_query(words: list[str], fields: tuple[str, ...], spec: MatchSpec) -> wq.Query:
    """``word*``: every folded word starting with the (folded) prefix."""
    prefix = ascii_fold(words[-1])
    spec.prefixes.add(prefix)
    leading = [w for w in words[:-1]]
    parts: list[wq.Query] = [
        wq.Or([wq.Prefix(f + FOLD_SUFFIX, prefix, boost=_field_boost(f)) for f in fields])
    ]
    parts += [wq.Or([wq.Term(f, w) for f in fields]) for w in leading]
    spec.exact.update(leading)
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _word_query(
    word: str, fields: tuple[str, ...], vocabulary: Vocabulary, spec: MatchSpec
) -> wq.Query:
    """Exact form, then indexed inflections (folded), then the Snowball stem."""
    folded = ascii_fold(word)
    forms = vocabulary.forms(folded)
    # The Snowball stem only stands in when no indexed form was found: it conflates
    # unrelated words (toplantı and toplamak share "topla").
    stem = None if any(vocabulary.is_indexed(form) for form in forms) else turkish_stem(word)
    spec.exact.add(word)
    spec.folded.update(forms)
    if stem:
        spec.stems.add(stem)
    alternatives: list[wq.Query] = []
    for f in fields:
        boost = _field_boost(f)
        alternatives.append(wq.Term(f, word, boost=boost * EXACT_BOOST))
        alternatives.extend(wq.Term(f + FOLD_SUFFIX, form, boost=boost) for form in forms)
        if stem:
            alternatives.append(wq.Term(f + STEM_SUFFIX, stem, boost=boost * STEM_BOOST))
    if len(fields) > 1:
        alternatives.append(wq.Term("meta" + FOLD_SUFFIX, folded, boost=META_BOOST))
    return wq.Or(alternatives)


def _field_boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname == "title" else 1.0
