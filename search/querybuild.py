"""Turn a parsed reader query into a whoosh query over the Turkish fields.

Each plain word matches its exact surface form (strongest), every indexed spelling and
inflection of it (``toplantı`` -> ``toplantıya``; ``biskek`` -> ``bişkek``) and its Snowball
stem (which catches verb forms the noun grammar does not), so a document with the exact form
ranks above one that only has an inflected form. Title matches weigh more than body matches.
The weights were chosen on the relevance benchmark (``bench/relevance.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.spelling import ListCorrector

from search import engine
from search.analysis import analyze, ascii_fold, stopwords, turkish_stem
from search.morphology import inflections, lemma_candidates
from search.query import Clause, ParsedQuery
from search.schema import TEXT_FIELDS, category_key

TITLE_BOOST = 2.0
EXACT_BOOST = 2.0
META_BOOST = 0.5
STEM_BOOST = 1.0
MAX_SPELLINGS = 16
MAX_PREFIX_TERMS = 256
#: Fewer full matches than this (a page) are followed by partial matches.
FILL_UP_BELOW = 10
#: A stem held by more than this share of the articles is not matched (see is_rare).
RARE_SHARE = 0.05
#: Turkish letters a reader may type without their marks.
_SPELLINGS = {"c": "cç", "g": "gğ", "i": "iı", "o": "oö", "s": "sş", "u": "uü", "a": "aâ"}


@dataclass
class MatchSpec:
    """What a highlighter marks: a word matches by its exact form, folded form or prefix."""

    exact: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)

    def matches(self, exact_form: str) -> bool:
        """Whether a token (apostrophe-stripped, Turkish-lower-cased) is a match."""
        if exact_form in self.exact:
            return True
        folded = ascii_fold(exact_form)
        if folded in self.folded or any(folded.startswith(p) for p in self.prefixes):
            return True
        return bool(self.stems) and turkish_stem(exact_form) in self.stems

    def __bool__(self) -> bool:
        return bool(self.exact or self.folded or self.prefixes or self.stems)


class Vocabulary:
    """The indexed words of one reader, looked up by their ASCII fold.

    The index keeps each word as written (``bişkek``); a reader may type ``biskek``. Words
    whose fold starts with a folded prefix are found by walking the Turkish spellings of
    the prefix letter by letter (``s`` -> ``s``/``ş``), keeping only spellings the index
    holds, so the walk stays narrow. Results are cached per reader.
    """

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self.forms = lru_cache(maxsize=4096)(self._forms)
        self._spellings = lru_cache(maxsize=16384)(self._spellings_uncached)
        self._corrector: ListCorrector | None = None
        self._documents = max(reader.doc_count(), 1)

    def has(self, fieldname: str, word: str) -> bool:
        return (fieldname, word) in self._reader

    def with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        return [_text(term) for term in self._reader.expand_prefix(fieldname, prefix)]

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        return next(iter(self._reader.expand_prefix(fieldname, prefix)), None) is not None

    def is_rare(self, fieldname: str, word: str) -> bool:
        """Whether at most :data:`RARE_SHARE` of the articles hold ``word`` in the field.

        A common Snowball stem (``yap``, ``ol``) matches a third of the archive: reading its
        postings cost most of a query's time while adding almost nothing to the ranking.
        """
        return self._reader.doc_frequency(fieldname, word) <= RARE_SHARE * self._documents

    def body_frequency(self, word: str) -> int:
        """How many articles hold ``word`` (exact form) in their body."""
        return self._reader.doc_frequency("body", word)

    def folded_corrector(self) -> ListCorrector:
        """A spelling corrector over the folded body words; built on first use."""
        if self._corrector is None:
            words = {ascii_fold(_text(term)) for term in self._reader.lexicon("body")}
            self._corrector = ListCorrector(sorted(words))
        return self._corrector

    def spellings(self, folded_prefix: str) -> tuple[str, ...]:
        """Indexed spellings (of word starts, in titles or bodies) that fold to the prefix."""
        return self._spellings(folded_prefix)

    def words(self, folded_word: str) -> list[str]:
        """Indexed words (titles or bodies) whose fold is exactly ``folded_word``."""
        return [s for s in self.spellings(folded_word) if self._is_word(s)]

    def is_indexed(self, folded_word: str) -> bool:
        """Whether some title or body holds a word that folds to ``folded_word``."""
        return bool(self.words(folded_word))

    def _forms(self, folded_word: str) -> tuple[str, ...]:
        """Indexed forms of the word: its spellings, its inflections and its lemma's."""
        bases = [folded_word, *lemma_candidates(folded_word, self.is_indexed)]
        found: dict[str, None] = {}
        for base in bases:
            for form in inflections(base, self.words_with_folded_prefix):
                found[form] = None
        return tuple(found)

    def words_with_folded_prefix(self, folded_prefix: str) -> list[str]:
        """Indexed words (titles or bodies) whose fold starts with ``folded_prefix``."""
        words: set[str] = set()
        for spelling in self.spellings(folded_prefix):
            for fieldname in TEXT_FIELDS:
                words.update(self.with_prefix(fieldname, spelling))
        return sorted(words)

    def _is_word(self, word: str) -> bool:
        return any(self.has(fieldname, word) for fieldname in TEXT_FIELDS)

    def _spellings_uncached(self, folded_prefix: str) -> tuple[str, ...]:
        heads = ("",)
        for letter in folded_prefix:
            letters = _SPELLINGS.get(letter, letter)
            if len(letters) == 1:  # nothing to choose: a later branch or look-up prunes
                heads = tuple(head + letters for head in heads)
                continue
            heads = tuple(
                head + option
                for head in heads
                for option in letters
                if any(self.has_prefix(f, head + option) for f in TEXT_FIELDS)
            )[:MAX_SPELLINGS]
            if not heads:
                break
        return heads


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


@dataclass
class CompiledQuery:
    """Groups that must all match (a group matches when any of its clauses does), the
    clauses that exclude, and what to mark in snippets."""

    groups: list[list[engine.Clause]]
    excluded: list[engine.Clause]
    spec: MatchSpec

    def match(self, scorer: engine.Engine) -> tuple[engine.Scores, bool]:
        """``({docnum: score}, relaxed)``: the articles holding every group; when they are
        fewer than :data:`FILL_UP_BELOW` (a page), articles holding only some groups join
        them, their scores scaled by the share of groups they hold, and ``relaxed`` says so.
        (Ranking full matches strictly first cost a tenth of the known-item MRR on pasted
        headlines: a long query's target often lacks one of its words.)"""
        if not self.groups:
            return (scorer.everything(self.excluded) if self.excluded else {}), False
        group_scores = scorer.group_scores(self.groups)
        scores = scorer.match(group_scores, self.excluded)
        if len(scores) >= FILL_UP_BELOW or len(self.groups) == 1:
            return scores, False
        partial = scorer.match_any(group_scores, self.excluded)
        return partial, len(partial) > len(scores)


def compile_query(parsed: ParsedQuery, vocabulary: Vocabulary) -> CompiledQuery:
    """Resolve ``parsed`` against ``vocabulary``'s index into scoring clauses."""
    spec = MatchSpec()
    only_stopwords = all(_is_stopword(c) for c in parsed.clauses)
    groups = []
    for group in _split_compounds(parsed.groups):
        clauses = [
            _clause(clause, vocabulary, spec)
            for clause in group
            if only_stopwords or not _is_stopword(clause)
        ]
        clauses = [clause for clause in clauses if clause is not None]
        if clauses:
            groups.append(clauses)
    excluded = [_clause(c, vocabulary, MatchSpec()) for c in parsed.excluded]
    return CompiledQuery(groups, [c for c in excluded if c is not None], spec)


def _split_compounds(groups: list[list[Clause]]) -> list[list[Clause]]:
    """``covid-19`` or ``1.200`` typed alone: each of its words must match (a quoted
    phrase or an ``OR`` alternative stays one clause)."""
    split = []
    for group in groups:
        only = group[0]
        if len(group) == 1 and not (only.phrase or only.prefix or only.field):
            words = analyze(only.text, stop=False)
            if len(words) > 1:
                split.extend([Clause(word)] for word in words)
                continue
        split.append(group)
    return split


def _is_stopword(clause: Clause) -> bool:
    if clause.phrase or clause.prefix or clause.field:
        return False
    words = analyze(clause.text, stop=False)
    return bool(words) and all(word in stopwords() for word in words)


def _clause(clause: Clause, vocabulary: Vocabulary, spec: MatchSpec) -> engine.Clause | None:
    if clause.field == "category":
        return engine.QueryClause(wq.Term("category", category_key(clause.text)))
    fields = ("title",) if clause.field == "title" else TEXT_FIELDS
    words = analyze(clause.text, stop=False)
    if not words:
        return None
    if clause.phrase or len(words) > 1:  # "covid-19" is a phrase of two words
        return _phrase(words, fields, spec)
    if clause.prefix:
        return _prefix(words[0], fields, vocabulary, spec)
    return _word(words[0], fields, vocabulary, spec)


def _phrase(words: list[str], fields: tuple[str, ...], spec: MatchSpec) -> engine.Clause:
    """Exact words in order, in the exact-form fields."""
    spec.exact.update(words)
    if len(words) == 1:
        return engine.TermsClause(tuple((f, words[0], _field_boost(f)) for f in fields))
    return engine.PhraseClause(tuple(words), tuple((f, _field_boost(f)) for f in fields))


def _prefix(
    word: str, fields: tuple[str, ...], vocabulary: Vocabulary, spec: MatchSpec
) -> engine.Clause:
    """``word*``: every indexed word whose fold starts with the (folded) prefix."""
    prefix = ascii_fold(word)
    spec.prefixes.add(prefix)
    words = vocabulary.words_with_folded_prefix(prefix)[:MAX_PREFIX_TERMS]
    return engine.TermsClause(tuple((f, w, _field_boost(f)) for f in fields for w in words))


def _word(
    word: str, fields: tuple[str, ...], vocabulary: Vocabulary, spec: MatchSpec
) -> engine.Clause:
    """The word as typed (strongest), then every indexed spelling and inflection of it."""
    forms = vocabulary.forms(ascii_fold(word))
    spec.exact.add(word)
    spec.exact.update(forms)
    terms: list[engine.WeightedTerm] = []
    for f in fields:
        boost = _field_boost(f)
        terms.append((f, word, boost * EXACT_BOOST))
        terms.extend((f, form, boost) for form in forms if form != word)
    if len(fields) > 1:
        terms.append(("meta", word, META_BOOST))
        stem = turkish_stem(word)  # Snowball catches verb forms the noun grammar misses
        if vocabulary.is_rare("stem", stem):
            spec.stems.add(stem)
            terms.append(("stem", stem, STEM_BOOST))
    return engine.TermsClause(tuple(terms))


def _field_boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname == "title" else 1.0
