"""BM25F scoring straight from the index's postings, with numpy arrays doing the arithmetic.

whoosh evaluates ``AND`` of ``OR`` groups with a tree of pure-Python matchers that step
through postings one document at a time; with a Turkish word expanding to a dozen indexed
forms, that took 0.6 s per query on 43,000 articles. Here the postings of all of a
query's terms in a field are gathered from the mapped index in one pass per segment
(:mod:`search.storage.postings`), scored in one vectorised step, and added into a dense array of
scores over every document of the reader, so a query costs a few array operations per
field rather than per term.

A term's scored postings depend only on the open reader, so they are kept (up to
:data:`CACHE_POSTINGS_BYTES`) in a cache every serving thread shares (:class:`ReaderData`).

Scores are BM25F: per field ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``,
times the field's and the form's boost, summed over fields and forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import Query
from whoosh.searching import Searcher as WhooshSearcher

from search.searching import budget
from search.searching.phrasecheck import holds_phrase
from search.shared import SharedCache
from search.storage.arrays import Gathered, term_hashes
from search.storage.reading import EMPTY_POSTINGS, Postings, field_lengths, segment_gather
from search.storage.schema import JOINED_FIELDS, TEXT_FIELDS, stored_body, stored_ranked_title

#: Term-frequency saturation: 2.0 rather than the usual 1.2, since a news article repeats
#: its subject's words.
K1 = 2.0
B = 0.75
#: Bytes of scored postings kept per open reader, shared by all threads: 8 bytes a posting
#: and about :data:`POSTING_LIST_BYTES` a term besides (two arrays, their key and the
#: cache's entry). Weighed in bytes, not counted in postings, so that a long-running
#: worker's memory stays bounded whatever its queries.
CACHE_POSTINGS_BYTES = 12_000_000
POSTING_LIST_BYTES = 500
#: Documents checked against the stored text for one quoted phrase, best first.
PHRASE_CHECKS = 2_000
#: ... and while another request of the process does costly work (see search.searching.budget).
PHRASE_CHECKS_BUSY = 100
#: Phrase checks between two looks at the request's budget.
PHRASE_BUDGET_EVERY = 20
#: Exponent on the (rarity-weighted) share of the query a partial match holds: steep for
#: a query of one or two words (each was meant), gentler for a longer one (a pasted
#: headline or a question often has a word its article lacks).
COORD_SHORT = 3.0
COORD_LONG = 1.5
#: A partial match's share of the query is worked out for all its documents when they are
#: at most this many times the documents asked for (see :meth:`Matches.best`).
PRUNE_ABOVE = 4
#: Postings summed at once (:meth:`Matches.flat`) in the time a few documents are looked
#: up in one part's postings (measured: 7 µs a part against 8-10 ns a posting).
PART_POSTINGS = 1_000
#: Queries of at least this many word groups are long: their share exponent is gentler,
#: and they also find the articles lacking one group (see querybuild.CompiledQuery.match).
LONG_QUERY_GROUPS = 3

WeightedTerm = tuple[str, str, float]  # field, term, boost
_EMPTY = EMPTY_POSTINGS


@dataclass(frozen=True)
class TermsClause:
    """Any of these terms; a document's score is the sum over the terms it holds.

    ``word``: the word the reader typed, when the other terms are its forms. In a field
    holding it, a form rarer than the word weighs as the word does (its rarity capped at
    the word's), so an article holding the word as typed outranks one holding a rare
    form alone (``ABD`` outranks ``Abdi``)."""

    terms: tuple[WeightedTerm, ...]
    word: str = ""


@dataclass(frozen=True)
class QueryClause:
    """A whoosh query (a category term): matching documents score nothing extra."""

    query: Query


@dataclass(frozen=True)
class PhraseClause:
    """These words, consecutive and in order, in any of the fields: each as written, or
    any of its ``spellings`` when it has them (a word typed without Turkish letters).

    The index keeps no word positions (decoding them made every query slower), so a
    phrase is found as the documents holding all its words, then checked against the
    stored text, best-scored first, at most :data:`PHRASE_CHECKS` documents; a word
    written as one (``F-16``) by its ``joined`` forms instead, looked up in the field's
    joined words (:data:`~search.storage.schema.JOINED_FIELDS`).
    """

    words: tuple[str, ...]
    fields: tuple[tuple[str, float], ...]  # field, boost
    #: Per word, the indexed forms that stand for it (none: the word as written).
    spellings: tuple[tuple[str, ...], ...] = ()
    #: The joined forms that stand for the phrase, when it is one word written as one.
    joined: tuple[str, ...] = ()

    def forms(self) -> tuple[tuple[str, ...], ...]:
        """Per word, the forms that stand for it in an article."""
        return self.spellings or tuple((word,) for word in self.words)


Clause = TermsClause | QueryClause | PhraseClause


#: A term's share of a score: its documents (ascending, distinct), their unboosted scores
#: and its boost. A document's score is the sum over the parts holding it.
Part = tuple[np.ndarray, np.ndarray, float]


@dataclass(frozen=True)
class Share:
    """How a partial match is scaled (:meth:`Engine.match_any`): by a power of the share
    of the query's groups it holds, each group weighted by its rarity."""

    groups: tuple[np.ndarray, ...]  # each group's hit mask
    weights: tuple[float, ...]
    coord: float

    def factor(self, docnums: np.ndarray) -> np.ndarray:
        """The scale of each of ``docnums``' scores, at most 1."""
        matched = np.zeros(len(docnums))
        for weight, hit in zip(self.weights, self.groups, strict=True):
            matched += hit[docnums] * weight
        return _power(matched / sum(self.weights), self.coord)


@dataclass
class Matches:
    """Which documents of the reader match, and how their scores add up.

    Scores are summed when asked for (:meth:`scores_of`): the counts of a page need only
    ``hit``.
    """

    hit: np.ndarray  # bool, every document of the reader
    parts: list[Part] = field(default_factory=list)
    share: Share | None = None
    #: Whether some documents were left unchecked (a quoted phrase's checks stopped
    #: before every article holding its words was read): more may match than ``hit`` says.
    uncounted: bool = False

    @classmethod
    def none(cls, size: int) -> Matches:
        return cls(np.zeros(size, bool))

    def __len__(self) -> int:
        return int(np.count_nonzero(self.hit))

    def docnums(self) -> np.ndarray:
        """The matching docnums, ascending."""
        return np.flatnonzero(self.hit)

    def add(self, docnums: np.ndarray, scores: np.ndarray) -> None:
        """Add ``scores`` to ``docnums`` (ascending and distinct) and mark them matched."""
        self.parts.append((docnums, scores, 1.0))
        self.hit[docnums] = True

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the matches ``mask`` allows."""
        self.hit &= mask

    def flat(self) -> FlatParts:
        """The parts' postings end to end (see :class:`FlatParts`)."""
        return FlatParts.of(self.parts)

    def scores_of(self, docnums: np.ndarray) -> np.ndarray:
        """The exact scores of ``docnums`` (ascending, distinct, matched): each the sum of
        its parts' scores in the parts' order, so a document's score is the same bits
        however many others are scored with it."""
        scores = self._summed(docnums)
        if self.share is not None:
            scores *= self.share.factor(docnums)
        return scores

    def _summed(self, docnums: np.ndarray, flat: FlatParts | None = None) -> np.ndarray:
        """The scores of ``docnums`` before a partial match's share: each the sum of its
        parts' scores in the parts' order. A few documents are looked up in each of a
        few parts; otherwise every document's sum is taken at once over the parts end to
        end (``flat``, :meth:`flat` when the caller has it): a look-up costs a part what
        summing :data:`PART_POSTINGS` postings does, and each document another."""
        if not len(docnums):
            return np.zeros(0)
        held = [part for part in self.parts if len(part[0])]
        postings = sum(len(docs) for docs, _, _ in held)
        if len(held) * (PART_POSTINGS + len(docnums)) >= postings:
            flat = flat or self.flat()
            return np.bincount(flat.docs, flat.scores, minlength=len(self.hit))[docnums]
        scores = np.zeros(len(docnums))
        for docs, part_scores, boost in held:
            at = np.minimum(np.searchsorted(docs, docnums), len(docs) - 1)
            found = docs[at] == docnums
            # as FlatParts boosts them: in the part's own precision, then widened
            boosted = part_scores[at[found]] * np.float32(boost)
            scores[found] += boosted.astype(np.float64)
        return scores

    def best(self, docnums: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Those of ``docnums`` (ascending, distinct, matched) whose exact scores are among
        the ``limit`` highest, with every one tied with the last of those, and their scores:
        the same documents and bits as scoring every one of them.

        A partial match's score is its summed score times a share of at most 1, so the
        summed scores bound the final ones: the share is worked out for the documents
        whose sum reaches the ``limit``-th best final score of the best sums only. A
        question matching most of the archive by one common word scores every match once,
        not once per group."""
        if self.share is None or len(docnums) <= PRUNE_ABOVE * limit:
            scores = self.scores_of(docnums)
            kept = among_best(scores, limit)
            return docnums[kept], scores[kept]
        summed = self._summed(docnums, self.flat())
        probes = PRUNE_ABOVE * limit
        probe = np.argpartition(summed, len(summed) - probes)[-probes:]
        probed = summed[probe] * self.share.factor(docnums[probe])
        bar = np.partition(probed, len(probed) - limit)[len(probed) - limit]
        reach = np.flatnonzero(summed >= bar)
        docnums = docnums[reach]
        scores = summed[reach] * self.share.factor(docnums)
        kept = among_best(scores, limit)
        return docnums[kept], scores[kept]

    @property
    def scores(self) -> np.ndarray:
        """Every document's score (0 where it does not match): all of them scored."""
        dense = np.zeros(len(self.hit))
        docnums = self.docnums()
        dense[docnums] = self.scores_of(docnums)
        return dense


@dataclass(frozen=True)
class FlatParts:
    """The postings of a query's parts end to end, in order."""

    docs: np.ndarray  # int64, ascending within each part
    scores: np.ndarray  # float64, boosted

    @classmethod
    def of(cls, parts: list[Part]) -> FlatParts:
        held = [part for part in parts if len(part[0])]
        if not held:
            return cls(np.zeros(0, np.int64), np.zeros(0))
        docs = np.concatenate([docs for docs, _, _ in held], dtype=np.int64)
        if all(scores.dtype == np.float32 for _, scores, _ in held):  # every part as read
            boosts = np.array([boost for _, _, boost in held], np.float32)
            scores = np.concatenate([scores for _, scores, _ in held])
            scores *= np.repeat(boosts, [len(part_docs) for part_docs, _, _ in held])
        else:  # a phrase's checked matches among them: each part in its own precision
            scores = np.concatenate([scores * np.float32(boost) for _, scores, boost in held])
        return cls(docs, scores.astype(np.float64))


class ReaderData:
    """What one open reader's scoring needs, computed once and shared by every thread.

    Built from any one thread's reader (all see the same segments); afterwards only
    :meth:`postings_many` reads the index again, through the calling thread's own reader.
    """

    def __init__(self, reader) -> None:
        leaves = list(reader.leaf_readers())
        self.size = reader.doc_count_all()
        self.documents = max(reader.doc_count(), 1)
        self.live = np.ones(self.size, bool)
        for leaf, offset in leaves:
            if leaf.has_deletions():
                for docnum in leaf.segment().deleted_docs():
                    self.live[offset + docnum] = False
        self.deletions = not self.live.all()
        self._leaves = leaves
        self._norms: dict[str, np.ndarray] = {}
        self._postings = SharedCache(CACHE_POSTINGS_BYTES, weight=_postings_bytes)

    def norms(self, fieldname: str) -> np.ndarray:
        """``k1 * (1 - b + b * dl / avgdl)`` for every document, over the whole reader."""
        norms = self._norms.get(fieldname)
        if norms is None:
            lengths = np.zeros(self.size, np.float64)
            for leaf, offset in self._leaves:
                segment_lengths = field_lengths(leaf, fieldname)
                lengths[offset : offset + len(segment_lengths)] = segment_lengths
            average = max(float(lengths[self.live].sum()) / self.documents, 1.0)
            norms = K1 * (1 - B + B * lengths / average)
            norms = self._norms[fieldname] = norms.astype(np.float32)
        return norms

    def postings_many(self, reader, terms: list[tuple[str, str]]) -> list[Postings]:
        """Each ``(field, text)`` term's live docnums and unboosted BM25F scores, read
        through ``reader``: the terms not kept yet are looked up together, one binary
        search per segment and field."""
        distinct = list(dict.fromkeys(terms))
        kept = self._postings.lookup_many(distinct)
        found: dict[tuple[str, str], Postings] = dict(zip(distinct, kept, strict=True))
        missing = [term for term, postings in found.items() if postings is None]
        if missing:
            scored = list(zip(missing, self._score_many(reader, missing), strict=True))
            self._postings.store_many(scored)
            found.update(scored)
        return [found[term] for term in terms]

    def _score_many(self, reader, terms: list[tuple[str, str]]) -> list[Postings]:
        results: list[Postings] = [_EMPTY] * len(terms)
        by_field: dict[str, list[int]] = {}
        for position, (fieldname, _) in enumerate(terms):
            by_field.setdefault(fieldname, []).append(position)
        schema = reader.schema
        leaves = reader.leaf_readers()
        for fieldname, positions in by_field.items():
            if fieldname not in schema:
                continue
            encoded = [schema[fieldname].to_bytes(terms[p][1]) for p in positions]
            hashes = term_hashes(encoded)  # the same in every segment
            pieces = [
                segment_gather(leaf, fieldname, encoded, hashes, offset) for leaf, offset in leaves
            ]
            scored = self._score_field(fieldname, pieces, len(encoded))
            for position, postings in zip(positions, scored, strict=True):
                results[position] = postings
        return results

    def _score_field(self, fieldname: str, pieces: list[Gathered], count: int) -> list[Postings]:
        """BM25F of ``count`` terms of a field from each segment's gathered postings: each
        segment's postings scored in one step and put in their place in term order (each
        term's documents ascending, as the segments are), then split term by term."""
        if not pieces:
            return [_EMPTY] * count
        frequency = np.zeros(count, np.int64)  # as whoosh counts it: deleted documents included
        for _, _, counts in pieces:
            frequency += counts
        weight = _idf_weights(self.documents, frequency)
        norms = self.norms(fieldname)
        held = [piece for piece in pieces if len(piece[0])]
        if len(held) == 1:
            docs, tf, _ = held[0]
            scores = _bm25(np.repeat(weight, frequency), tf, norms[docs])
        else:  # segment after segment: each posting to its place among its term's
            docs = np.empty(int(frequency.sum()), np.int32)
            scores = np.empty(len(docs), np.float32)
            term_starts = np.cumsum(frequency) - frequency
            for piece_docs, tf, counts in held:
                places = _places(term_starts, counts)
                docs[places] = piece_docs
                scores[places] = _bm25(np.repeat(weight, counts), tf, norms[piece_docs])
                term_starts = term_starts + counts
        ends = np.cumsum(frequency)
        if self.deletions:
            alive = self.live[docs]
            docs, scores = docs[alive], scores[alive]
            term_of = np.repeat(np.arange(count), frequency)[alive]
            ends = np.cumsum(np.bincount(term_of, minlength=count))
        # copies: a kept term must not hold on to the batch it was read in
        return [
            (docs[a:b].copy(), scores[a:b].copy()) if b > a else _EMPTY
            for a, b in zip([0, *ends[:-1].tolist()], ends.tolist(), strict=True)
        ]


def _bm25(weights: np.ndarray, tf: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Unboosted BM25 of postings: their terms' weights, frequencies and documents' norms."""
    tf = tf.astype(np.float32)
    return weights * tf / (tf + norms)


def _places(term_starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Where a segment's postings, ``counts`` per term, go when each term's begin at
    ``term_starts``."""
    shift = term_starts - (np.cumsum(counts) - counts)
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(shift, counts)


def _postings_bytes(postings: Postings) -> int:
    """What a term's kept postings take in memory, about."""
    docs, scores = postings
    return docs.nbytes + scores.nbytes + POSTING_LIST_BYTES


def capped_boosts(
    clause: TermsClause, frequency: Callable[[int], int], documents: int
) -> list[float]:
    """The boosts of the clause's terms, each form's scaled so that it is no rarer than the
    clause's word (see :class:`TermsClause`): in the title or body, than the word there;
    in another field (the Snowball stems), than the word where it is commoner.
    ``frequency(number)``: how many of the ``documents`` articles hold term ``number``
    (asked of the word in the title and body, and of its forms, only)."""
    boosts = [boost for _, _, boost in clause.terms]
    if not clause.word:
        return boosts
    word_idf = {}
    for number, (fieldname, text, _) in enumerate(clause.terms):
        if text == clause.word and fieldname in TEXT_FIELDS and (held := frequency(number)):
            word_idf[fieldname] = _idf(documents, held)
    if not word_idf:
        return boosts
    commonest = min(word_idf.values())
    for number, (fieldname, text, _) in enumerate(clause.terms):
        if text != clause.word and (held := frequency(number)):
            cap = word_idf.get(fieldname, commonest)
            boosts[number] *= min(1.0, cap / _idf(documents, held))
    return boosts


def _idf(documents: int, frequency: int) -> float:
    """The idf of a term ``frequency`` of ``documents`` articles hold."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def _idf_weights(documents: int, frequencies: np.ndarray) -> np.ndarray:
    """``idf * (k1 + 1)`` of terms held by ``frequencies`` of ``documents`` articles."""
    frequencies = frequencies.astype(np.float64)
    idf = np.log(1 + (documents - frequencies + 0.5) / (frequencies + 0.5))
    return (idf * (K1 + 1)).astype(np.float32)


#: ReaderData per open reader, shared across threads; keyed by the reader's segments. One:
#: a thread keeps its reader's data while it finishes a query on it, and builds the new
#: reader's when it moves on, so only the current one need be kept for the threads after
#: it; keeping older ones only grows a worker served under frequent reindexes.
READERS_KEPT = 1
_reader_data = SharedCache(READERS_KEPT)


def reader_key(reader, generation: object) -> tuple:
    """What identifies an open reader's contents: its generation, segments and deletions."""
    return (
        generation,
        tuple(
            (leaf.segment().segment_id(), leaf.segment().deleted_count())
            for leaf, _ in reader.leaf_readers()
        ),
    )


class Engine:
    """Scores clauses over one thread's whoosh searcher; not itself thread-safe."""

    def __init__(self, searcher: WhooshSearcher, generation: object = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.key = key = reader_key(self.reader, generation)
        self.data: ReaderData = _reader_data.get(key, lambda: ReaderData(self.reader))
        self.size = self.data.size

    def clause_matches(
        self, clause: Clause, read: dict[tuple[str, str], Postings] | None = None
    ) -> Matches:
        """Every live document the clause matches, with its score; ``read`` holds postings
        already read for its terms (:meth:`group_matches` reads a query's in one batch)."""
        if isinstance(clause, QueryClause):
            matches = Matches.none(self.size)
            docnums = np.fromiter(self.searcher.docs_for_query(clause.query), np.int64)
            matches.hit[docnums] = True
            return matches
        if isinstance(clause, PhraseClause):
            return self._phrase_matches(clause)
        terms = [(fieldname, text) for fieldname, text, _ in clause.terms]
        if read is None:
            found = self.data.postings_many(self.reader, terms)
        else:
            found = [read[term] for term in terms]
        boosts = capped_boosts(clause, lambda number: len(found[number][0]), self.data.documents)
        parts = [
            (docnums, scores, boost)
            for (docnums, scores), boost in zip(found, boosts, strict=True)
            if len(docnums)
        ]
        hit = np.zeros(self.size, bool)
        for docnums, _, _ in parts:
            hit[docnums] = True
        return Matches(hit, parts)

    def group_matches(self, groups: list[list[Clause]]) -> list[Matches]:
        """Each group's matches (a group: any of its clauses, scores summed); the postings
        of all the groups' terms are read in one batch."""
        terms = [
            (fieldname, text)
            for group in groups
            for clause in group
            if isinstance(clause, TermsClause)
            for fieldname, text, _ in clause.terms
        ]
        read = dict(zip(terms, self.data.postings_many(self.reader, terms), strict=True))
        return [budget.stepped_aside(self._group_matches, group, read) for group in groups]

    def match(self, groups: list[Matches], excluded: list[Clause]) -> Matches:
        """Documents matching every group, scores summed, minus excluded."""
        if not groups:
            return Matches.none(self.size)
        hit = groups[0].hit.copy()
        for group in groups[1:]:  # in place: no stacked copy of every group's arrays
            hit &= group.hit
        parts = [part for group in groups for part in group.parts]
        uncounted = any(group.uncounted for group in groups)
        return self._without(Matches(hit, parts, uncounted=uncounted), excluded)

    def match_any(
        self, groups: list[Matches], excluded: list[Clause], at_least: int = 1
    ) -> Matches:
        """Documents matching at least ``at_least`` of the groups (one, unless said): scores
        summed over the groups they match, times a power of the share of the query they
        hold, each group weighted by how rare it is (``log(1 + N / documents matching
        it)``). Holding the one rare name of a pasted headline counts for more than holding
        its two common words. For one or two words the share is cubed, so a match of both
        beats one very strong word (the morphology set needs that); a longer query's share
        is raised to 1.5, since its article often lacks a word or two. All were chosen on
        the relevance benchmark."""
        if not groups:
            return Matches.none(self.size)
        weights = [math.log(1 + self.data.documents / max(len(group), 1)) for group in groups]
        count = np.zeros(self.size, np.int16)
        for group in groups:  # in place, group by group
            count += group.hit
        coord = COORD_LONG if len(groups) >= LONG_QUERY_GROUPS else COORD_SHORT
        share = Share(tuple(group.hit for group in groups), tuple(weights), coord)
        parts = [part for group in groups for part in group.parts]
        uncounted = any(group.uncounted for group in groups)
        result = Matches(count >= max(at_least, 1), parts, share, uncounted)
        return self._without(result, excluded)

    def everything(self, excluded: list[Clause]) -> Matches:
        """Every live document, score 0 (for a query of exclusions only)."""
        return self._without(Matches(self.data.live.copy()), excluded)

    def _group_matches(self, group: list[Clause], read: dict) -> Matches:
        result = self.clause_matches(group[0], read)
        for clause in group[1:]:
            other = self.clause_matches(clause, read)
            result.parts = [*result.parts, *other.parts]
            result.hit |= other.hit
            result.uncounted |= other.uncounted
        return result

    def _without(self, matches: Matches, excluded: list[Clause]) -> Matches:
        for clause in excluded:
            matches.keep(~self.clause_matches(clause).hit)
        return matches

    def _phrase_matches(self, clause: PhraseClause) -> Matches:
        result = Matches.none(self.size)
        forms = clause.forms()
        for fieldname, boost in clause.fields:
            written = None
            if clause.joined:  # (looked up first: a twin no article writes costs nothing more)
                joined = JOINED_FIELDS[fieldname]
                terms = tuple((joined, form, 1.0) for form in clause.joined)
                written = self.clause_matches(TermsClause(terms)).hit
                if not written.any():
                    continue
            per_word = [
                self.clause_matches(TermsClause(tuple((fieldname, form, boost) for form in held)))
                for held in forms
            ]
            candidates = self.match(per_word, [])
            if written is not None:
                held = np.flatnonzero(candidates.hit & written)
                result.add(held, candidates.scores_of(held))
                continue
            docnums = candidates.docnums()
            scored = candidates.scores_of(docnums)
            docnums = docnums[np.argsort(-scored, kind="stable")]
            with budget.costly_work() as allowed:
                checks = PHRASE_CHECKS if allowed else PHRASE_CHECKS_BUSY
                if len(docnums) > checks:
                    budget.note_cut()
                    result.uncounted = True
                held, every = self._holding(docnums[:checks].tolist(), fieldname, forms)
                result.uncounted |= not every
            held = np.sort(np.asarray(held, np.int64))
            result.add(held, candidates.scores_of(held))
        return result

    def _holding(
        self, docnums: list[int], fieldname: str, forms: tuple[tuple[str, ...], ...]
    ) -> tuple[list[int], bool]:
        """Those of ``docnums`` whose stored ``fieldname`` holds the phrase (per word, the
        ``forms`` standing for it), best first, until the request's budget is spent; and
        whether every one of ``docnums`` was checked."""
        held = []
        for number, doc in enumerate(docnums):
            if number % PHRASE_BUDGET_EVERY == PHRASE_BUDGET_EVERY - 1 and budget.exhausted():
                budget.note_cut()
                return held, False
            if holds_phrase(self._stored_text(doc, fieldname), forms):
                held.append(doc)
        return held, True

    def _stored_text(self, docnum: int, fieldname: str) -> str:
        fields = self.searcher.stored_fields(docnum)
        if fieldname == "title":  # what the title field indexed: an untitled article's lead
            return stored_ranked_title(fields)
        return stored_body(fields) if fieldname == "body" else fields.get(fieldname, "")


def among_best(values: np.ndarray, limit: int) -> np.ndarray | slice:
    """Which ``values`` are among the ``limit`` highest, with every one tied with the
    last of those."""
    if len(values) <= limit:
        return slice(None)
    return values >= np.partition(values, len(values) - limit)[len(values) - limit]


def _power(values: np.ndarray, exponent: float) -> np.ndarray:
    """``values ** exponent`` for ``values`` >= 0; a whole or half exponent by multiplying
    and a square root (numpy's general power takes several times longer over every
    document)."""
    whole, rest = divmod(exponent, 1.0)
    if rest not in (0.0, 0.5) or whole < 1:
        return values**exponent
    result = values.copy()
    for _ in range(int(whole) - 1):
        result *= values
    if rest:
        result *= np.sqrt(values)
    return result
