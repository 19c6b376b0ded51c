"""Turn a parsed reader query into a whoosh query over the Turkish fields.

Each plain word matches its Snowball stem (scored over every form sharing it, as one
term), its exact surface form, and every indexed spelling and inflection of it
(``toplantı`` -> ``toplantıya``; ``biskek`` -> ``bişkek``; the noun grammar finds forms
Snowball cuts wrongly, the folds find words typed without Turkish letters). The stem
carries most of a word's weight; the surface forms add to it, the exact form most, so a
document with the exact form ranks above one that only has an inflected form. Title
matches weigh more than body matches. The weights were chosen on the relevance benchmark
(``bench/relevance.py``).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from whoosh import query as wq

from search.searching import budget, engine
from search.searching.query import Clause, ParsedQuery
from search.searching.vocabulary import (
    MIN_EXPANDED_LENGTH,
    RARE_SHARE,
    Vocabulary,
    is_own_word,
)
from search.shared import SharedCache
from search.storage.schema import TEXT_FIELDS, category_key
from search.text.abbreviations import initials_of, name_words, shortened_with
from search.text.analysis import (
    APOSTROPHES,
    analyze,
    ascii_fold,
    joined_form,
    question_words,
    stem_first_letters,
    stem_start,
    stopwords,
    turkish_stem,
)
from search.text.dictionary import (
    is_dictionary_word,
    is_name,
    is_word_or_inflection,
)
from search.text.morphology import (
    is_suffix_chain,
    lemma_candidates,
)

TITLE_BOOST = 2.25
EXACT_BOOST = 2.0
META_BOOST = 0.5
STEM_BOOST = 1.0
#: A plain word's title and body forms weigh this much beside its stem: scored form by
#: form, a rare inflection of a common word would count as a rare word.
SURFACE_BOOST = 0.25
#: The form as typed weighs :data:`EXACT_BOOST` times a form's, and this many times more
#: when it is an inflection (``hastaneye``, ``toplantıya``) in a query of at most
#: :data:`TYPED_INFLECTION_MAX_GROUPS` words: the articles holding it as typed come first
#: (a reader who types ``hastaneye`` is after ``hastaneye kaldırıldı``, not hospitals in
#: general). On the news archive, 3 puts such an article in every place of the top 10 for
#: eight such words.
TYPED_INFLECTION_BOOST = 3.0
#: Up to three words, a pasted headline's inflections are the article's less often than a
#: reader's typed ones: the headline set lost 0.002 of MRR@10 with three, none with two.
TYPED_INFLECTION_MAX_GROUPS = 2
MAX_PREFIX_TERMS = 256
#: Joined forms one word written as one is looked up as at most (its words' spellings run
#: together, :func:`_phrase`).
MAX_JOINED_FORMS = 16
#: Fewer full matches than this (a page) are followed by partial matches.
FILL_UP_BELOW = 10
#: ... or, for a query word the dictionary does not list (an inflected word, a verb form),
#: by more than this share: a common verb's stem still joins its tenses (``doğmuştur`` and
#: ``doğdu``, ``çalışmıştır`` and ``çalıştı``), while a dictionary word keeps to its own
#: forms (Snowball stems ``kuru`` and ``kurum`` alike, as ``kur``).
INFLECTED_RARE_SHARE = 0.20
#: In a query of at most this many words, each word is matched by its inflections' own
#: Snowball stem (see :func:`_own_stems`); a longer one (a question, a pasted headline)
#: keeps the word's stem, which joins the verb forms its articles answer with.
OWN_STEMS_MAX_GROUPS = 3
#: ... whose spellings with Turkish letters then weigh this much beside its own forms.
TWIN_BOOST = 0.25
#: In a query of at least :data:`DERIVED_MIN_GROUPS` words, a word also matches, this
#: lightly, the indexed words that begin with its root (see :func:`derived_root`): a
#: headline's ``yasaklandı`` finds its article's ``yasaklamıştı``, ``hırsız`` its
#: ``hırsızlık``, forms of a verb or derivations the noun grammar and Snowball miss.
DERIVED_BOOST = 0.1
DERIVED_MIN_GROUPS = 4
#: ... and in a query of this many words or more (at most :data:`DERIVED_MIN_GROUPS`), a
#: verb form the dictionary does not list (``yasaklandı``): three nouns are a reader's own
#: words, kept to their inflections; a headline of three has a verb.
DERIVED_MIN_GROUPS_VERB = 3
#: A root shorter than this (folded letters) is not matched as a prefix.
DERIVED_MIN_ROOT = 5
#: A root beginning more indexed words than this is too common to be matched.
DERIVED_MAX_FORMS = 128
#: Endings a root is cut back over (folded), longest first: a verb's tense, mood or
#: participle, or a derivation; after a verb's ending, its voice as well.
_DERIVED_ENDINGS = tuple(
    sorted(
        (
            "miyor muyor iyor uyor yor acak ecek acag eceg mis mus makta mekte mak mek "
            "arak erek ma me di du ti tu dik duk tik tuk dig dug tig tug abilir ebilir abil ebil "
            "lik luk li lu ci cu siz suz ler lar"
        ).split(),
        key=len,
        reverse=True,
    )
)
_VERB_ENDINGS = frozenset(
    "miyor muyor iyor uyor yor acak ecek acag eceg mis mus makta mekte mak mek ma me "
    "arak erek di du ti tu dik duk tik tuk dig dug tig tug abilir ebilir abil ebil".split()
)
_VOICE_ENDINGS = ("il", "ul", "in", "un")
#: Letters each word has at least, folded, for two words typed apart to be looked up as
#: one (``korona virüs``: ``koronavirüs``) or one word as two (:func:`_written_apart`):
#: shorter ones (``su``, ``de``) run into too many words by chance.
SPLIT_MIN_LETTERS = 4
#: Query words whose scoring terms a process keeps between queries, weighed in terms (about
#: 150 bytes each): a word's forms, stems and derived words depend only on the reader, and
#: working them out was most of compiling a question of a dozen words.
WORD_TERMS_KEPT = 60_000


@dataclass
class MatchSpec:
    """What a highlighter marks: a word matches by its exact form, folded form or prefix."""

    exact: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    #: Quoted phrases of two words or more (exact forms): a word of one that no other part
    #: of the query matches is marked only where the phrase stands whole.
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    #: Words of the text already decided: raw word -> its fold when a match, else "".
    decisions: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: Texts already looked through: text -> its matches (see highlight.match_spans).
    spans: dict[str, list] = field(default_factory=dict, repr=False, compare=False)
    _starts: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _stem_starts: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    def matches(self, exact_form: str, folded: str | None = None) -> bool:
        """Whether a token (apostrophe-stripped, Turkish-lower-cased) is a match;
        ``folded`` is its ASCII fold when the caller has it already. A word of a phrase
        matches here wherever it stands (see :meth:`only_in_phrases`)."""
        if self.phrases and self._in_phrase(exact_form, folded):
            return True
        return self._matches_alone(exact_form, folded)

    def phrase_words(self) -> frozenset[str]:
        return frozenset(word for phrase in self.phrases for word in phrase)

    def only_in_phrases(self, exact_form: str) -> bool:
        """Whether a matching word matches only as a word of a phrase."""
        return bool(self.phrases) and (
            self._in_phrase(exact_form) and not self._matches_alone(exact_form)
        )

    def _in_phrase(self, exact_form: str, folded: str | None = None) -> bool:
        """Whether a token is a word of a phrase: as written, or by its fold for a word
        typed without Turkish letters (which is its own fold)."""
        words = self.phrase_words()
        return exact_form in words or (folded or ascii_fold(exact_form)) in words

    def _matches_alone(self, exact_form: str, folded: str | None = None) -> bool:
        if exact_form in self.exact:
            return True
        if folded is None:
            folded = ascii_fold(exact_form)
        if folded in self.folded or (self.prefixes and folded.startswith(tuple(self.prefixes))):
            return True
        if not self.stems:
            return False
        if self._stem_starts is None:
            self._stem_starts = tuple(stem_start(stem) for stem in self.stems)
        # stemming is most of deciding a word: only a word that can have a query stem is
        return exact_form.startswith(self._stem_starts) and turkish_stem(exact_form) in self.stems

    def starts(self) -> frozenset[str]:
        """The folded starts, of one or two letters, a matching word can begin with.

        Every way of matching keeps the word's start: an exact or folded form is the whole
        word, a prefix begins it, and so does a stem but its last two letters (see
        :func:`~search.text.analysis.stem_start`); a shorter stem gives the letters it can
        begin with (:func:`~search.text.analysis.stem_first_letters`), an empty one any start.
        """
        if self._starts is None:
            words = (*self.exact, *self.phrase_words(), *self.folded, *self.prefixes)
            starts = {ascii_fold(word)[:2] for word in words}
            for stem in self.stems:
                start = ascii_fold(stem_start(stem))
                if len(start) >= 2:
                    starts.add(start[:2])
                elif stem:
                    starts.update(ascii_fold(letter) for letter in stem_first_letters(stem))
                else:  # an empty stem: any word
                    starts.add("")
            # a two-word name's abbreviation (r.madrid) starts with its initial
            starts = frozenset(start.rstrip(".") for start in starts)
            # an abbreviation (G.Saray) is marked as its name: look at words with its initial
            self._starts = starts | initials_of(starts)
        return self._starts

    def __bool__(self) -> bool:
        return bool(self.exact or self.phrases or self.folded or self.prefixes or self.stems)


@dataclass
class CompiledQuery:
    """Groups that must all match (a group matches when any of its clauses does), the
    clauses that exclude, and what to mark in snippets. A group of ``category:`` clauses
    alone is a filter (in ``required``): every article shown holds it, even when the
    words' groups are loosened, as the ``category`` parameter does; it is not scored."""

    groups: list[list[engine.Clause]]
    excluded: list[engine.Clause]
    spec: MatchSpec
    #: Per group: the quoted phrase it is, when it is one alone (else None).
    phrases: list[str | None] = field(default_factory=list)
    #: Per group: the reader's words for it, to name it where an article lacks it.
    labels: list[str] = field(default_factory=list)
    #: Groups of ``category:`` clauses: filters every match must pass.
    required: list[list[engine.Clause]] = field(default_factory=list)
    #: Per group: the words it searches as the reader typed them (neither phrases,
    #: prefixes nor categories), as :func:`~search.searching.suggest.suggest` reads them.
    words: list[tuple[str, ...]] = field(default_factory=list)

    def match(
        self,
        scorer: engine.Engine,
        groups: list[engine.Matches],
        required: list[engine.Matches] | tuple = (),
    ) -> tuple[engine.Matches, bool]:
        """``(matches, relaxed)``: the articles holding every group, and for a long query
        (:data:`~search.searching.engine.LONG_QUERY_GROUPS` groups or more) those lacking one; when
        the articles holding every group are fewer than :data:`FILL_UP_BELOW` (a page),
        every article holding some group joins them, and ``relaxed`` says so. An article
        lacking a group scores by the share of groups it holds, each weighted by its rarity
        (see :meth:`~.engine.Engine.match_any`). (A long query's target often lacks one of
        its words: a pasted headline, a question. Ranking full matches strictly first cost
        a tenth of the known-item MRR on pasted headlines.) ``groups`` are the groups'
        matches (:meth:`~search.searching.engine.Engine.group_matches`), ``required`` the
        required groups': the articles outside them are left out of the matches and of the
        count that decides to loosen."""

        def within(matches: engine.Matches) -> engine.Matches:
            for group in required:
                matches.keep(group.hit)
            return matches

        if not self.groups:
            if self.excluded or required:
                return within(scorer.everything(self.excluded)), False
            return engine.Matches.none(scorer.size), False
        full = within(scorer.match(groups, self.excluded))
        full_count = len(full)
        if len(self.groups) == 1:
            return full, False
        if full_count >= FILL_UP_BELOW:
            if len(self.groups) < engine.LONG_QUERY_GROUPS:
                return full, False
            at_least = len(self.groups) - 1
            return within(scorer.match_any(groups, self.excluded, at_least)), False
        partial = within(scorer.match_any(groups, self.excluded))
        return partial, len(partial) > full_count

    def missing(self, groups: list[engine.Matches], docnum: int) -> list[str]:
        """The labels of the groups the article ``docnum`` lacks."""
        pairs = zip(self.labels, groups, strict=True)
        return [label for label, group in pairs if not group.hit[docnum]]

    def words_found_nowhere(self, held: Callable[[int], bool]) -> frozenset[str]:
        """The typed words (:attr:`words`) of the groups no article holds in any form:
        ``held(number)`` says whether some article holds group ``number``, and is asked
        only of the groups that have such words."""
        return frozenset(
            word
            for number, words in enumerate(self.words)
            if words and not held(number)
            for word in words
        )


@dataclass
class MatchedQuery:
    """A query's matches, how it was compiled, and how it was loosened to find them."""

    compiled: CompiledQuery
    matches: engine.Matches
    relaxed: bool  # fewer than a page held every group: articles holding some were added
    phrases_not_found: list[str]  # quoted phrases no article holds, searched as words
    groups: list[engine.Matches]  # each group's matches

    def missing(self, docnum: int) -> list[str]:
        """The reader's words (groups) the matched article ``docnum`` lacks."""
        return self.compiled.missing(self.groups, docnum)

    def words_found_nowhere(self) -> frozenset[str]:
        """The typed words no article of the index holds in any of the forms they are
        searched by: not merely missing from the matches shown, held by none at all
        (before the date and category filters)."""
        return self.compiled.words_found_nowhere(lambda number: self.groups[number].hit.any())


def match_query(parsed: ParsedQuery, vocabulary: Vocabulary, scorer: engine.Engine) -> MatchedQuery:
    """Compile and match ``parsed``. A quoted phrase that no article holds (a pasted
    headline quoting speech the article reports in other words) is searched as its words
    instead, and named in ``phrases_not_found``; a phrase some article holds stays exact."""
    compiled = compile_query(parsed, vocabulary)
    groups = scorer.group_matches(compiled.groups)
    not_found = [
        phrase
        for phrase, matches in zip(compiled.phrases, groups, strict=True)
        if phrase is not None and not matches.hit.any()
    ]
    if not_found:
        compiled = compile_query(parsed.unquoted(not_found), vocabulary)
        groups = scorer.group_matches(compiled.groups)
    required = scorer.group_matches(compiled.required) if compiled.required else []
    matches, relaxed = compiled.match(scorer, groups, required)
    return MatchedQuery(compiled, matches, relaxed, not_found, groups)


def compile_query(parsed: ParsedQuery, vocabulary: Vocabulary) -> CompiledQuery:
    """Resolve ``parsed`` against ``vocabulary``'s index into scoring clauses."""
    spec = MatchSpec()
    only_stopwords = all(_is_stopword(c) for c in parsed.clauses)
    groups, phrases, labels, required, categories, words = [], [], [], [], [], []
    split = _split_compounds(parsed.groups, vocabulary)
    short = len(split) <= OWN_STEMS_MAX_GROUPS
    if short:
        split = _written_as_one_or_two(split, vocabulary)
    derived = DERIVED_BOOST > 0 and len(split) >= DERIVED_MIN_GROUPS_VERB
    every_word = len(split) >= DERIVED_MIN_GROUPS
    first = min((c.span[0] for group in split for c in group if _word_span(c)), default=0)
    capitals_tell = not _in_capitals(parsed.clauses)
    typed_first = len(split) <= TYPED_INFLECTION_MAX_GROUPS
    for group in split:
        budget.step_aside()  # a query of many words is a costly one: plain ones go first
        kept = [clause for clause in group if only_stopwords or not _is_stopword(clause)]
        compiled = [
            (
                clause,
                _clause(
                    clause,
                    vocabulary,
                    spec,
                    short,
                    derived,
                    every_word,
                    capitals_tell and _typed_as_name(clause, first),
                    typed_first=typed_first,
                ),
            )
            for clause in kept
        ]
        compiled = [(clause, built) for clause, built in compiled if built is not None]
        if compiled and all(clause.field == "category" for clause, _ in compiled):
            categories += [built for _, built in compiled]
        elif compiled:
            written_out = [_written_out(clause, vocabulary, spec) for clause, _ in compiled]
            groups.append(
                [built for _, built in compiled] + [built for built in written_out if built]
            )
            phrases.append(_lone_phrase(group))
            typed = [clause for clause, _ in compiled if not clause.twin]
            labels.append(" OR ".join(_label(clause) for clause in typed))
            words.append(tuple(word for clause in typed for word in _typed_words(clause)))
    if categories:  # an article has one category: two name either, as the parameter does
        required.append(categories)
    excluded = [_clause(c, vocabulary, MatchSpec()) for c in parsed.excluded]
    excluded += [_written_out(c, vocabulary, MatchSpec()) for c in parsed.excluded]
    twins = [twin for c in parsed.excluded if (twin := _twin(c, vocabulary))]  # -F16: -F-16
    excluded += [_clause(twin, vocabulary, MatchSpec()) for twin in twins]
    excluded = [c for c in excluded if c is not None]
    return CompiledQuery(groups, excluded, spec, phrases, labels, required, words)


def _written_out(clause: Clause, vocabulary: Vocabulary, spec: MatchSpec) -> engine.Clause | None:
    """The two-word name a shortened one (``R.Madrid``) stands for, as a phrase (``"real
    madrid"``), when the clause is that word alone: an alternative of an ``OR`` or an
    excluded word, which :func:`_split_compounds` leaves one clause, finds or leaves out
    the articles writing the name out too."""
    if clause.phrase or clause.prefix or clause.field == "category" or "." not in clause.text:
        return None
    words = analyze(clause.text, stop=False)
    named = name_words(words[0]) if len(words) == 1 else []
    return _phrase(named, _fields(clause), spec, vocabulary) if named else None


def _fields(clause: Clause) -> tuple[str, ...]:
    """The fields a clause searches: the title alone for ``title:``, else every text field."""
    return ("title",) if clause.field == "title" else TEXT_FIELDS


def _typed_words(clause: Clause) -> list[str]:
    """The words of a clause as typed that a spelling suggestion may replace
    (:meth:`~search.searching.query.Clause.correctable`): a word's, a phrase's; none of a
    prefix or a category.

    >>> from search.searching.query import parse_query
    >>> [_typed_words(c) for c in parse_query('Erdoğan "ak parti" kon* category:spor').clauses]
    [['erdoğan'], ['ak', 'parti'], [], []]
    """
    return analyze(clause.text, stop=False) if clause.correctable() else []


def _label(clause: Clause) -> str:
    """A clause as the reader typed it.

    >>> from search.searching.query import parse_query
    >>> [_label(clause) for clause in parse_query('title:su* "Güvenlik Konseyi" sel').clauses]
    ['title:su*', '"Güvenlik Konseyi"', 'sel']
    """
    text = f'"{clause.text}"' if clause.phrase else clause.text + ("*" if clause.prefix else "")
    return f"{clause.field}:{text}" if clause.field else text


def _lone_phrase(group: list[Clause]) -> str | None:
    """The quoted phrase of words, or the word joined from words (``F-16``), that is the
    whole group but for its twin (``F16``), if it is one: where no article holds it, it is
    searched as its words."""
    only = group[0]
    alone = all(clause.twin for clause in group[1:])
    words = alone and only.as_phrase() and only.field != "category"
    return only.text if words else None


def _split_compounds(groups: list[list[Clause]], vocabulary: Vocabulary) -> list[list[Clause]]:
    """``ABD-Rusya`` typed alone: each of its words must match, as must each word of the
    name a two-word abbreviation (``R.Madrid``) stands for. A quoted phrase, a word joined
    with a number or a letter (``F-16``, :meth:`~search.searching.query.Clause.joined_words`)
    and an ``OR`` alternative stay one clause; a word typed alone has beside it the other
    way news writes it, if it has one (``F16`` for ``F-16`` and the other way round,
    ``d-smart`` for ``dsmart``: :func:`_twin`)."""
    split = []
    for group in groups:
        only = group[0]
        kept = only.phrase or only.prefix or only.field or only.joined_words()
        if len(group) == 1 and not kept:
            words = analyze(only.text, stop=False)
            if len(words) == 1 and (named := name_words(words[0])):  # R.Madrid: real madrid
                words = named
            if len(words) > 1:
                split.extend([Clause(word)] for word in words)
                continue
        twin = _twin(only, vocabulary) if len(group) == 1 else None
        split.append([only, twin] if twin else group)
    return split


def _twin(clause: Clause, vocabulary: Vocabulary) -> Clause | None:
    """The other way news writes a word (:meth:`~search.searching.query.Clause.twin_clause`),
    or a word no article holds with its first letter written apart
    (:meth:`~search.searching.query.Clause.letter_twin`). Either is looked up in the
    articles' words written as one first, so it costs little where none writes it so."""
    return clause.twin_clause() or clause.letter_twin(vocabulary.is_indexed)


def _written_apart(word: str, field: str | None, vocabulary: Vocabulary) -> Clause | None:
    """A word as the phrase of the two words news also writes it as (``koronavirüs``:
    ``"korona virüs"``, ``havaalanı``: ``"hava alanı"``, ``Ortadoğu``: ``"Orta Doğu"``):
    a dictionary word of at least :data:`SPLIT_MIN_LETTERS` letters, then one of as many
    or its inflection, both indexed, where the word's lemma is cut into two such words
    too (``hükümetin`` is ``hükümet`` + ``-in``, no ``hüküm`` + ``etin``; ``tarihinde`` no
    ``tarih`` + ``inde``), and the rest does not begin as a suffix that makes a word of
    the first (:data:`_DERIVING_SUFFIXES`); the longest such first word, searched in
    ``field``. ``word``: a plain word of the query (:func:`_lone_word`). None when there
    is no such pair, or the word is a name (``Beşiktaş`` is no ``beşik taş``), or no
    article writes it (a reader's slip, ``merkezbankası``, is corrected to its words
    instead, and the page says so: :mod:`search.searching.suggest`)."""
    if is_name(word) or not vocabulary.forms(word):
        return None
    folded = ascii_fold(word)
    lemmas = (
        [folded]
        if is_dictionary_word(word)
        else lemma_candidates(folded, is_dictionary_word) or [folded]
    )
    for cut in range(len(word) - SPLIT_MIN_LETTERS, SPLIT_MIN_LETTERS - 1, -1):
        first, rest = word[:cut], word[cut:]
        if (
            is_dictionary_word(first)
            and not ascii_fold(rest).startswith(_DERIVING_SUFFIXES)
            and _dictionary_word_or_form(rest)
            and any(
                len(lemma) - cut >= SPLIT_MIN_LETTERS and _dictionary_word_or_form(lemma[cut:])
                for lemma in lemmas
            )
            and vocabulary.is_indexed(ascii_fold(first))
            and vocabulary.is_indexed(ascii_fold(rest))
        ):
            return Clause(f"{first} {rest}", phrase=True, field=field, twin=True)
    return None


#: How suffixes that make a word of another begin, folded (``-lık``, ``-cı``, ``-sız``,
#: ``-la``, ``-ma``, ``-sal``, ``-daş``): a word made so (``ayarlama``, ``analizcisi``)
#: is not two words, though the rest may spell one (``lama``, ``cisi``).
_DERIVING_SUFFIXES = tuple(
    "lik lig luk lug li lu ci cu ic uc siz suz la le ma me ca ce sal sel das des".split()
)


def _dictionary_word_or_form(word: str) -> bool:
    """Whether ``word`` is a dictionary word or one with noun suffixes (``virüsü``), and
    no suffixes alone (``inde``).

    >>> [_dictionary_word_or_form(w) for w in ("virüs", "virüsü", "inde", "lerin")]
    [True, True, False, False]
    """
    folded = ascii_fold(word)
    return not is_suffix_chain(folded) and is_word_or_inflection(word, folded)


def _written_as_one_or_two(
    groups: list[list[Clause]], vocabulary: Vocabulary
) -> list[list[Clause]]:
    """The query's words as news also writes them, each searched beside them: two words
    typed one after the other that articles also write as one (``korona virüs``:
    ``koronavirüs``, ``hava alanı``: ``havaalanı``), with its forms, beside each of the
    two, so an article writing it holds both; and a word typed alone as the two words it
    is made of (:func:`_written_apart`). For a query of a reader's own few words: in a
    question's or a headline's, a word the article lacks is forgiven anyway. A joined
    word is looked up only where some indexed word begins with the first word and the
    second's first letters."""
    words = [_lone_word(group[0]) for group in groups]
    together = [list(group) for group in groups]
    for number, (first, second) in enumerate(itertools.pairwise(words)):
        same_field = groups[number][0].field == groups[number + 1][0].field
        if first is None or second is None or not same_field:
            continue
        joined = first + second
        start = ascii_fold(joined)[: len(first) + SPLIT_MIN_LETTERS - 1]
        if vocabulary.words_with_folded_prefix(start) and vocabulary.forms(joined):
            twin = Clause(joined, field=groups[number][0].field, twin=True)
            together[number].append(twin)
            together[number + 1].append(twin)
    for group, word in zip(together, words, strict=True):
        if len(group) == 1 and word and (apart := _written_apart(word, group[0].field, vocabulary)):
            group.append(apart)
    return together


def _lone_word(clause: Clause) -> str | None:
    """The clause's one word, analysed, if it is a plain word (no phrase, prefix or
    category) of at least :data:`SPLIT_MIN_LETTERS` letters that is no stop word."""
    if clause.prefix or clause.field == "category" or clause.as_phrase():
        return None
    words = analyze(clause.text, stop=False)
    if len(words) != 1 or len(words[0]) < SPLIT_MIN_LETTERS or _is_stopword(clause):
        return None
    return words[0]


def _is_stopword(clause: Clause) -> bool:
    """Whether a clause is only stop words or question words (``hangi``, ``nedir``): a
    question's answer seldom repeats how it was asked, so those words would only favour
    the articles that happen to hold them."""
    if clause.phrase or clause.prefix or clause.field:
        return False
    words = analyze(clause.text, stop=False)
    questions = question_words()
    return bool(words) and all(
        word in stopwords() or ascii_fold(word) in questions for word in words
    )


def _clause(
    clause: Clause,
    vocabulary: Vocabulary,
    spec: MatchSpec,
    short: bool = False,
    derived: bool = False,
    every_word: bool = True,
    named: bool = False,
    *,
    typed_first: bool = False,
) -> engine.Clause | None:
    """A clause's scoring terms; ``short``: a query of at most
    :data:`OWN_STEMS_MAX_GROUPS` words; ``derived``: a word also matches the words
    beginning with its root (:func:`derived_root`), but for ``every_word`` a verb form
    only; of a word typed as a name (``named``, :func:`_typed_as_name`), only the words
    for its people (:func:`_demonyms`), and none of its forms that are another word's
    (:meth:`Vocabulary._forms`); ``typed_first``: an inflection typed weighs more
    (:data:`TYPED_INFLECTION_BOOST`)."""
    if clause.field == "category":
        return engine.QueryClause(wq.Term("category", category_key(clause.text)))
    fields = _fields(clause)
    words = analyze(clause.text, stop=False)
    if not words:
        return None
    if clause.phrase or len(words) > 1:  # "covid-19" is a phrase of two words
        written_as_one = joined_form(clause.text) is not None
        return _phrase(_phrase_words(clause.text), fields, spec, vocabulary, written_as_one)
    if clause.prefix:
        return _prefix(words[0], fields, vocabulary, spec)
    derived = derived and (every_word or _finite_verb(words[0]))
    return _word(words[0], fields, vocabulary, spec, short, derived, named, typed_first=typed_first)


def _phrase_words(text: str) -> list[str]:
    """A phrase's words; one typed without Turkish letters as its fold (``Istanbul'da`` is
    ``istanbul``, not ``ıstanbul``): it stands for any spelling (:func:`_phrase`)."""
    return [
        ascii_fold(word) if typed.isascii() else word
        for typed in text.split()
        for word in analyze(typed, stop=False)
    ]


def _phrase(
    words: list[str],
    fields: tuple[str, ...],
    spec: MatchSpec,
    vocabulary: Vocabulary,
    written_as_one: bool = False,
) -> engine.Clause:
    """Words in order, in the exact-form fields: each as written, but a word without
    Turkish letters stands for every indexed spelling of it (``hala`` for ``hâlâ``), as a
    word searched alone does. Words ``written_as_one`` (``F-16``, ``e-devlet``) are looked
    up as their joined forms, every spelling of each word run together (at most
    :data:`MAX_JOINED_FORMS`; more are checked in the text as a phrase)."""
    spellings = tuple(
        tuple(dict.fromkeys([word, *vocabulary.words(word)])) if _loose(word) else (word,)
        for word in words
    )
    if len(words) == 1:
        spec.exact.update(spellings[0])
        return engine.TermsClause(
            tuple((f, form, _field_boost(f)) for form in spellings[0] for f in fields)
        )
    spec.phrases.add(tuple(words))
    joined = (
        tuple(dict.fromkeys("".join(forms) for forms in itertools.product(*spellings)))
        if written_as_one and math.prod(map(len, spellings)) <= MAX_JOINED_FORMS
        else ()
    )
    boosted = tuple((f, _field_boost(f)) for f in fields)
    return engine.PhraseClause(tuple(words), boosted, spellings, joined)


def _loose(word: str) -> bool:
    """Whether a phrase's word stands for its every spelling: it has no Turkish letter."""
    return word == ascii_fold(word)


def stands_for(form: str, word: str) -> bool:
    """Whether a token's exact ``form`` is the phrase's ``word``: as written, or by its fold
    for a word that stands for every spelling (:func:`_loose`)."""
    return form == word or (_loose(word) and ascii_fold(form) == word)


def _prefix(
    word: str, fields: tuple[str, ...], vocabulary: Vocabulary, spec: MatchSpec
) -> engine.Clause:
    """``word*``: every indexed word whose fold starts with the (folded) prefix."""
    prefix = ascii_fold(word)
    spec.prefixes.add(prefix)
    words = vocabulary.words_with_folded_prefix(prefix)[:MAX_PREFIX_TERMS]
    return engine.TermsClause(
        tuple((f, w, _field_boost(f)) for w in words for f in vocabulary.fields(w) if f in fields)
    )


@dataclass(frozen=True)
class _WordTerms:
    """A word's scoring clause and what it adds to the highlighter's :class:`MatchSpec`."""

    clause: engine.TermsClause
    exact: frozenset[str]
    stems: frozenset[str]


_kept_words = SharedCache(WORD_TERMS_KEPT, weight=lambda kept: 1 + len(kept.clause.terms))


def _word(
    word: str,
    fields: tuple[str, ...],
    vocabulary: Vocabulary,
    spec: MatchSpec,
    short: bool = False,
    derived: bool = False,
    named: bool = False,
    *,
    typed_first: bool = False,
) -> engine.Clause:
    """The word as typed (strongest), then every indexed spelling and inflection of it,
    and its Snowball stem (in a ``short`` query, its inflections' stem: :func:`_own_stems`);
    when ``derived``, lightly, the indexed words beginning with its root (:func:`derived_root`).
    Worked out once per reader (:data:`WORD_TERMS_KEPT`)."""
    key = (vocabulary.stamp, word, fields, short, derived, named, typed_first)
    kept = _kept_words.get(
        key, lambda: _word_terms(word, fields, vocabulary, short, derived, named, typed_first)
    )
    spec.exact.update(kept.exact)
    spec.stems.update(kept.stems)
    return kept.clause


def _word_terms(
    word: str,
    fields: tuple[str, ...],
    vocabulary: Vocabulary,
    short: bool,
    derived: bool,
    named: bool,
    typed_first: bool,
) -> _WordTerms:
    """What :func:`_word` gives, worked out."""
    spec = MatchSpec()
    forms = vocabulary.forms(word, named)
    spec.exact.add(word)
    spec.exact.update(forms)
    terms: list[engine.WeightedTerm] = []
    own_word = word.isascii() and is_own_word(word, vocabulary)
    typed = typed_first and _inflected(word, forms)
    exact = EXACT_BOOST * (TYPED_INFLECTION_BOOST if typed else 1.0)
    for form in (word, *(form for form in forms if form != word)):
        weight = SURFACE_BOOST * (exact if form == word else 1.0)
        if own_word and _twin_form(word, form):
            weight *= TWIN_BOOST
        held = forms[form] if form in forms else vocabulary.fields(form)
        terms.extend(  # only fields that hold the form: looking up a missing term costs too
            (f, form, _field_boost(f) * weight) for f in held if f in fields
        )
    for form in _shortened_forms(word, vocabulary):
        spec.exact.add(form)
        terms.extend(
            (f, form, _field_boost(f) * SURFACE_BOOST)
            for f in vocabulary.fields(form)
            if f in fields
        )
    if len(fields) > 1:
        terms.append(("meta", word, META_BOOST))
        share = RARE_SHARE if is_dictionary_word(word) else INFLECTED_RARE_SHARE
        stems = (
            _own_stems(word, forms, vocabulary, own_word)
            if short
            else _stems(word, vocabulary, own_word)
        )
        for stem in stems if _stemmed(word) else ():
            if _another_word(word, stem):
                continue
            if vocabulary.is_rare("stem", stem, share):
                spec.stems.add(stem)
                terms.append(("stem", stem, STEM_BOOST))
    if derived and _stemmed(word):
        for form in _derived_forms(word, forms, vocabulary, named or is_name(word)):
            spec.exact.add(form)  # marked where it matched, as the word's forms are
            terms.extend(
                (f, form, _field_boost(f) * DERIVED_BOOST)
                for f in vocabulary.fields(form)
                if f in fields
            )
    clause = engine.TermsClause(tuple(terms), word)
    return _WordTerms(clause, frozenset(spec.exact), frozenset(spec.stems))


def _shortened_forms(word: str, vocabulary: Vocabulary) -> list[str]:
    """The indexed words that write a two-word name holding ``word`` shortened
    (``R.Madrid'i`` for ``madrid`` or ``real``; see
    :data:`~search.text.abbreviations.SHORTENED_NAMES`)."""
    return [
        form
        for short in shortened_with(ascii_fold(word))
        for form in vocabulary.words_with_folded_prefix(short)
    ]


def _inflected(word: str, forms: dict[str, tuple[str, ...]]) -> bool:
    """Whether the reader typed an inflection of an indexed word (``toplantıya`` of
    ``toplantı``), not a dictionary form: a shorter form of it begins the word."""
    return any(len(form) < len(word) and word.startswith(form) for form in forms)


_FINITE_ENDINGS = tuple(
    "di du ti tu dim dum tim tum dik duk tik tuk diler dular tiler tular yor yorum yoruz "
    "yorlar mis mus misti mustu acak ecek acaklar ecekler".split()
)


def _finite_verb(word: str) -> bool:
    """Whether a word the dictionary does not list ends as a verb's tense does
    (``yasaklandı``, ``kavuşuyor``)."""
    return not is_dictionary_word(word) and ascii_fold(word).endswith(_FINITE_ENDINGS)


def derived_root(word: str) -> str:
    """The folded start a word's verb forms and derivations share: its Snowball stem cut
    back over verb and derivational endings while at least :data:`DERIVED_MIN_ROOT`
    letters are left (after a verb's ending, over its voice too), less a last consonant
    that softens before a vowel.

    >>> derived_root("yasaklandı"), derived_root("gönderildi"), derived_root("hırsızlık")
    ('yasakla', 'gonder', 'hirsiz')
    """
    folded, root = ascii_fold(word), ascii_fold(turkish_stem(word))
    verb = folded.startswith(root) and folded[len(root) :].startswith(tuple(_VERB_ENDINGS))
    for _ in range(3):
        endings = (*_VOICE_ENDINGS, *_DERIVED_ENDINGS) if verb else _DERIVED_ENDINGS
        for ending in endings:
            if root.endswith(ending) and len(root) - len(ending) >= DERIVED_MIN_ROOT:
                root = root[: -len(ending)]
                verb = verb or ending in _VERB_ENDINGS
                break
        else:
            break
    if root[-1:] in "tdkgpbc" and len(root) > DERIVED_MIN_ROOT:
        root = root[:-1]
    return root


def _derived_forms(
    word: str, forms: dict[str, tuple[str, ...]], vocabulary: Vocabulary, name: bool = False
) -> list[str]:
    """The indexed words beginning with the word's root (:func:`derived_root`) that are
    not already its forms nor names (``Beşiktaş`` for ``beşik``); none when the root is
    short or begins too many words. Of a ``name`` (listed as one, or written as one), only
    the words for its people and things (``Suriyeli``, ``Konyalılar``): ``Konya`` is not
    the start of ``Konyaaltı``, a district of Antalya."""
    if name:
        return _demonyms(word, forms, vocabulary)
    root = derived_root(word)
    if len(root) < DERIVED_MIN_ROOT:
        return []
    found = vocabulary.words_with_folded_prefix(root)
    if len(found) > DERIVED_MAX_FORMS:
        return []
    kept = len(root) if ascii_fold(word).startswith(root) and not word.isascii() else 0
    return [
        form
        for form in found
        if form != word and form not in forms and form[:kept] == word[:kept] and not is_name(form)
    ]


def _demonyms(word: str, forms: dict[str, tuple[str, ...]], vocabulary: Vocabulary) -> list[str]:
    """The indexed words that are the name ``word`` with ``-li`` (``-lı``, ``-lu``, ``-lü``)
    and noun suffixes: its people and things (``Suriyeli``, ``Konyalılar``)."""
    folded = ascii_fold(word)
    found = [
        form
        for ending in ("li", "lu")
        for form in vocabulary.words_with_folded_prefix(folded + ending)[:DERIVED_MAX_FORMS]
        if is_suffix_chain(ascii_fold(form)[len(folded) + 2 :])
    ]
    return [form for form in found if form not in forms]


def _typed_as_name(clause: Clause, first: int) -> bool:
    """Whether the reader wrote the word as a name: with an apostrophe before its suffix
    (``Konya'da``), or capitalised anywhere but at the query's start (``Hatay maçında``,
    in ``Hakem Hatay maçında``)."""
    text = clause.text
    if any(apostrophe in text for apostrophe in APOSTROPHES):
        return True
    return text[:1].isupper() and _word_span(clause) and clause.span[0] > first


def _in_capitals(clauses: list[Clause]) -> bool:
    """Whether every clause with letters is written in capitals (``ÇORAP ATINÇ``): such a
    query's capitals say nothing of which words are names.

    >>> from search.searching.query import parse_query
    >>> _in_capitals(parse_query("ÇORAP ATINÇ 2024").clauses)
    True
    >>> _in_capitals(parse_query("NATO heyeti").clauses), _in_capitals(parse_query("2024").clauses)
    (False, False)
    """
    cased = [clause.text for clause in clauses if clause.text.upper() != clause.text.lower()]
    return bool(cased) and all(text.isupper() for text in cased)


def _word_span(clause: Clause) -> bool:
    """Whether the clause is a word with its place in the query (not a phrase)."""
    return clause.span is not None and not clause.phrase


def _own_stems(
    word: str, forms: dict[str, tuple[str, ...]], vocabulary: Vocabulary, own_word: bool
) -> list[str]:
    """:func:`_stems`, but a stem that none of the word's indexed inflections has gives way
    to the stem most of them have. Snowball stems ``toplantı`` as ``topla``, the stem of
    ``toplama`` and ``toplandı``, while ``toplantıya`` and ``toplantının`` stem as
    ``toplantı``: the stem carries most of a word's weight, and an article on a gathering
    outranked the ones on the meeting. A word Snowball leaves whole keeps its stem: it was
    not cut short (``abd`` is no ``abdi``, the stem of the name ``Abdi``). A stem that
    reads a listed word as another (:func:`_misread`: ``kale`` of ``kalem``) gives way to
    the word itself. (A question or a headline keeps Snowball's stems: the lists also name
    some inflections as words of their own, ``topu``, ``tarafından``, whose stem is right.)"""
    stems = _stems(word, vocabulary, own_word)
    inflected = [form for form in forms if form != word]
    if inflected:
        theirs = Counter(turkish_stem(form) for form in inflected)
        most = theirs.most_common(1)[0][0]
        stems = [stem if stem in theirs or stem == word else most for stem in stems]
    return list(
        dict.fromkeys(word if _misread(word, stem, vocabulary.forms) else stem for stem in stems)
    )


def _another_word(word: str, stem: str) -> bool:
    """Whether ``stem``, Snowball's stem of a name, cuts it down to another word, which
    the dictionary lists: ``bol`` (plenty) of ``Bolu``, ``ada`` (island) of ``Adana``.
    Matched, it would find that word's articles; the name's own forms are found without
    it. (A name's spelling with Turkish letters, ``göktaş`` of ``goktas``, is no other
    word, nor is a stem that undoes a softened letter, ``çak`` of ``Çağın``.)

    >>> _another_word("bolu", "bol"), _another_word("goktas", "göktaş")
    (True, False)
    """
    return (
        is_name(word)
        and word.startswith(stem)
        and len(stem) < len(word)
        and is_dictionary_word(stem)
    )


def _misread(word: str, stem: str, held_forms: Callable[[str], Iterable[str]]) -> bool:
    """Whether ``stem``, Snowball's stem of a word the dictionary lists as itself (no
    name), reads it as another listed word with suffixes, which the dictionary says it is
    not, and the articles hold that word in some form (``held_forms``: the indexed forms
    of a lemma): ``kale`` + ``-m`` of ``kalem`` (pen), ``koro`` + ``-na`` of ``korona``.
    Matched, the stem would find the other word's articles; the word is matched by its
    own forms, and by the stem of those Snowball stems as the word (``koronaya``). (Where
    the articles hold no form of the other word, ``erge`` of ``ergen``, the stem finds
    the word's forms only, and is kept.)

    >>> held = {"kale": ["kalenin"], "koro": ["koroya"]}.get
    >>> held_forms = lambda lemma: held(lemma, [])
    >>> [_misread(w, s, held_forms) for w, s in (("kalem", "kale"), ("korona", "koro"))]
    [True, True]
    >>> _misread("toplantı", "topla", held_forms), _misread("ergen", "erge", held_forms)
    (False, False)
    """
    return (
        len(stem) < len(word)
        and word.startswith(stem)
        and not is_name(word)
        and is_dictionary_word(word)
        and is_dictionary_word(stem)
        and is_suffix_chain(ascii_fold(word[len(stem) :]))
        and any(form != word for form in held_forms(stem))
    )


def _stemmed(word: str) -> bool:
    """Whether a word is also matched by its Snowball stem: not a stop word, nor a word of
    fewer than :data:`MIN_EXPANDED_LENGTH` letters, which match as typed (``or`` stems as
    ``orta`` does)."""
    return word not in stopwords() and len(ascii_fold(word)) >= MIN_EXPANDED_LENGTH


def _stems(word: str, vocabulary: Vocabulary, own_word: bool) -> list[str]:
    """The Snowball stems a word is matched by (Snowball catches verb forms the noun
    grammar misses). A word typed without Turkish letters (``hirs``) also has the stems
    of its indexed spellings (``hırs``): Snowball stems ``hirs`` as a word no article
    holds, and the stem carries most of a word's weight. Not when the word as typed is a
    word of its own (``own_word``, :func:`~search.searching.vocabulary.is_own_word`):
    ``gol`` is not ``göl``, nor ``asi`` ``aşı``."""
    stems = [turkish_stem(word)]
    if word.isascii() and not own_word:
        for spelling in vocabulary.words(word):
            stem = turkish_stem(spelling)
            if stem not in stems:
                stems.append(stem)
    return stems


def _twin_form(word: str, form: str) -> bool:
    """Whether ``form`` writes a letter of ``word`` (typed without Turkish letters) as a
    Turkish one, as a form of another word would: ``aşısı`` for ``asi``, not ``kitabın``
    (a letter that changes before a suffix) nor ``kitapları`` (its suffix) for ``kitap``.

    >>> _twin_form("asi", "aşısı"), _twin_form("kitap", "kitabın"), _twin_form("kar", "kârı")
    (True, False, True)
    """
    return any(
        written != typed and ascii_fold(written) == typed
        for typed, written in zip(word, form, strict=False)
    )


def _field_boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname == "title" else 1.0
