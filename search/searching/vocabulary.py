"""The indexed words of one reader, looked up by their ASCII fold, and each query word's
indexed forms: its spellings and inflections (:meth:`Vocabulary.forms`).

A query word (``biskek``, ``toplantı``) stands for every indexed word that spells or
inflects it (``Bişkek'te``, ``toplantıya``); the query builder
(:mod:`search.searching.querybuild`) scores those forms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from whoosh.reading import IndexReader, TermNotFound

from search.searching.lexicon import SegmentLexicon
from search.searching.nearwords import NearWords
from search.shared import SharedCache
from search.storage.reading import text_value
from search.storage.schema import TEXT_FIELDS
from search.text.analysis import ascii_fold, stopwords
from search.text.dictionary import (
    belongs_to_longer_word,
    is_dictionary_word,
    is_name,
    is_plain_name,
    reads_as_another_word,
)
from search.text.morphology import (
    SHORT_LEMMA_LENGTH,
    inflections,
    lemma_candidates,
    stem_variants,
)

#: A stem held by more than this share of the articles is not matched
#: (see :meth:`Vocabulary.is_rare`).
RARE_SHARE = 0.05
#: Shorter query words match their own spellings only: two letters and a suffix spell
#: another word too often (``ad`` + ``-a`` is ``ada``, an island).
MIN_EXPANDED_LENGTH = 3
#: Words whose fields a serving thread keeps noted between queries (a query's words'
#: forms are kept with their fields, :data:`FORMS_KEPT`).
MASKS_KEPT = 5_000
#: A word typed without Turkish letters that the articles use as written at least this
#: share as often as its commonest spelling is a word of its own (see :func:`is_own_word`).
OWN_WORD_SHARE = 0.2


class Vocabulary:
    """The indexed words of one reader, looked up by their ASCII fold.

    The index keeps each word as written (``bişkek``); a reader may type ``biskek``. Each
    segment's title and body words are held sorted by their fold (see
    :mod:`search.searching.lexicon`), shared by every thread, so a folded word or prefix is a binary
    search per segment. Expansions are cached per reader.
    """

    def __init__(self, reader: IndexReader, generation: object = None) -> None:
        self._reader = reader
        leaves = reader.leaf_readers()
        self._lexicon_keys = [(generation, leaf.segment().segment_id()) for leaf, _ in leaves]
        self._lexicons = [
            _lexicons.get(key, lambda leaf=leaf: _segment_words(leaf))
            for key, (leaf, _) in zip(self._lexicon_keys, leaves, strict=True)
        ]
        self._masks: dict[str, int] = {}  # word -> bit i set when TEXT_FIELDS[i] holds it
        self._segments = (generation, *(leaf.segment().segment_id() for leaf, _ in leaves))
        self._documents = max(reader.doc_count(), 1)

    @property
    def stamp(self) -> tuple:
        """What tells this reader's words from another's: its segments (or the cluster
        index's stamp); a key for what is worked out from them."""
        return self._segments

    def is_rare(self, fieldname: str, word: str, share: float = RARE_SHARE) -> bool:
        """Whether at most ``share`` of the articles hold ``word`` in the field.

        The commonest Snowball stems (``yap``, ``ol``) match a third of the archive: reading
        their postings cost most of a query's time while adding almost nothing to the
        ranking.
        """
        frequency = _kept_frequencies.get(
            (self._segments, fieldname, word),
            lambda: self._reader.doc_frequency(fieldname, word),
        )
        return frequency <= share * self._documents

    @property
    def documents(self) -> int:
        """How many articles the index held when the words were read."""
        return self._documents

    def body_frequency(self, word: str) -> int:
        """How many articles hold ``word`` (exact form) in their body."""
        return self._reader.doc_frequency("body", word)

    def near_words(self, folded: str, distance: int = 2) -> list[str]:
        """The folded title and body words other than ``folded`` that start with its letter
        and are at most ``distance`` edits from it, sorted (for spelling suggestions)."""
        found: set[str] = set()
        for near in self.segment_near_words():
            found.update(near.within(folded, distance))
        return sorted(found)

    def segment_near_words(self) -> list[NearWords]:
        """Each segment's folded words, bucketed for :meth:`near_words` on first use and
        shared by every thread: a reindex that adds a segment buckets only its words."""
        return [
            _near_words.get(key, lambda lexicon=lexicon: NearWords(lexicon.folds))
            for key, lexicon in zip(self._lexicon_keys, self._lexicons, strict=True)
        ]

    def words(self, folded_word: str) -> list[str]:
        """Indexed words (titles or bodies) whose fold is exactly ``folded_word``."""
        return self._collect(lexicon.with_fold(folded_word) for lexicon in self._lexicons)

    def is_indexed(self, folded_word: str) -> bool:
        """Whether some title or body holds a word that folds to ``folded_word``."""
        return any(lexicon.has_fold(folded_word) for lexicon in self._lexicons)

    def words_with_folded_prefix(self, folded_prefix: str) -> list[str]:
        """Indexed words (titles or bodies) whose fold starts with ``folded_prefix``."""
        return self._collect(
            lexicon.with_folded_prefix(folded_prefix) for lexicon in self._lexicons
        )

    def fields(self, word: str) -> tuple[str, ...]:
        """Which of :data:`TEXT_FIELDS` hold ``word`` in some article."""
        if word not in self._masks:
            self.words(ascii_fold(word))
        return _FIELDS_OF_MASK[self._masks.get(word, 0)]

    def inflected_words(self, folded_prefix: str, needs_vowel: bool) -> list[str]:
        """Indexed words (titles or bodies) whose fold is ``folded_prefix`` then a chain
        of noun suffixes (see :func:`~search.text.morphology.inflections`)."""
        return self._collect(
            lexicon.inflected(folded_prefix, needs_vowel) for lexicon in self._lexicons
        )

    def _collect(self, found: Iterable[list[tuple[str, int]]]) -> list[str]:
        """Sorted distinct words of per-segment ``(word, fields)`` lists; fields noted."""
        masks = self._masks
        if len(masks) > MASKS_KEPT:
            masks.clear()  # fields() looks a word up again when it needs it
        words: set[str] = set()
        for pairs in found:
            for word, mask in pairs:
                masks[word] = masks.get(word, 0) | mask
                words.add(word)
        return sorted(words)

    def forms(self, word: str, name: bool = False) -> dict[str, tuple[str, ...]]:
        """Indexed forms of ``word`` (lower-cased; see :meth:`_forms`), each with the
        fields holding it, worked out once per process for these segments and shared by
        every thread (so read-only). A query's words come back often; their forms run to
        dozens each, more than a thread keeps the fields of (:data:`MASKS_KEPT`).
        ``name``: the reader wrote the word as a name (:func:`_typed_as_name`)."""
        name = name or is_name(word)
        return _kept_forms.get((self._segments, word, name), lambda: self._forms(word, name))

    def _forms(self, word: str, name: bool) -> dict[str, tuple[str, ...]]:
        """Indexed forms of the word: its spellings, its inflections and its lemma's.

        A word the dictionary lists is its own lemma (``kurum`` is not ``kuru`` + ``-m``),
        and a form that is a longer dictionary word or one of its inflections is not
        taken (``kuruma`` for ``kuru``, see :mod:`search.dictionary`). Of a name (a
        ``name`` word, or a lemma the dictionary lists as a name only), neither is a form
        that is as well a shorter common word's (``hatayı``, the mistake, for ``Hatay``:
        :func:`~search.text.dictionary.reads_as_another_word`); the index holds a name
        written with an apostrophe as the name alone (``Hatay'ı`` as ``hatay``), so such
        a form was written without one. A stop word or a word shorter than
        :data:`MIN_EXPANDED_LENGTH` letters has its spellings only (``ve`` is no stem of
        ``veda``, nor ``ad`` of ``adam``). A word typed with Turkish letters keeps to them
        (``tür`` finds ``türü``, not ``turu``), and so does a name that has none, typed as
        it is spelled and written so by the articles (:func:`is_own_word`): ``bolu`` finds
        ``boluda``, not ``bölündü`` (divided), where ``hurrem``, which the lists spell so
        but the articles write ``Hürrem``, finds that.
        """
        folded_word = ascii_fold(word)
        if len(folded_word) < MIN_EXPANDED_LENGTH or folded_word in _folded_stopwords():
            return {form: self.fields(form) for form in self.words(folded_word)}
        bases = [folded_word]
        if not is_dictionary_word(word):
            bases += lemma_candidates(folded_word, self._lemma_check(word))
        own_letters = is_plain_name(word) and self.is_indexed(word) and is_own_word(word, self)
        found: dict[str, None] = {}
        for base in bases:
            named = name or is_name(base)
            for form in inflections(base, self.inflected_words):
                folded = ascii_fold(form)
                if (folded == folded_word and (_dotted(form) == word or not own_letters)) or (
                    _typed_alike(word, form, base, own_letters)
                    and not belongs_to_longer_word(form, len(base), folded)
                    and not (named and reads_as_another_word(form, base, self.is_indexed, folded))
                ):
                    found[form] = None
        return {form: self.fields(form) for form in found}

    def _lemma_check(self, word: str) -> Callable[[str], bool]:
        """Whether a lemma (folded) the grammar reads in ``word`` is indexed: written with
        the word's letters but for its last (``kitabı``: ``kitap``), when the word was
        typed with Turkish ones. ``aşısı`` is ``aşı`` + ``-sı``, though an article somewhere
        holds ``asis`` (``aşısı`` read as ``asis`` + ``-ı``)."""
        if word.isascii():
            return self.is_indexed
        typed = _dotted(word.translate(_CIRCUMFLEX))

        def written_as_typed(lemma: str) -> bool:
            kept = len(lemma) - 1
            return any(
                _dotted(form.translate(_CIRCUMFLEX))[:kept] == typed[:kept]
                for form in self.words(lemma)
            )

        return written_as_typed


_CIRCUMFLEX = str.maketrans("âîûÂÎÛ", "aiuAIU")


def _dotted(form: str) -> str:
    """``form`` with ``ı`` for ``i``: a name written in capitals without ``İ``
    (``ISTANBUL``) is indexed with ``ı``, and is the name as spelled all the same."""
    return form.replace("ı", "i")


def _typed_alike(word: str, form: str, base: str, own_letters: bool = False) -> bool:
    """Whether ``form`` keeps the Turkish letters of ``word`` in the ``base`` (folded)
    they share, but for the letters the base changes before a suffix (``ağaç`` ->
    ``ağacı``, ``şehir`` -> ``şehri``) and, in a base of :data:`SHORT_LEMMA_LENGTH`
    letters or more, its last one (an article written without Turkish letters has
    ``kitabin`` for ``kitabın``); any form does for a word typed without them, unless it
    is spelled so (``own_letters``: ``bolu``). A short base keeps every letter: ``yaş``
    and ``yas`` (mourning) are different words.

    >>> _typed_alike("tür", "türü", "tur"), _typed_alike("tür", "turu", "tur")
    (True, False)
    >>> _typed_alike("tur", "türü", "tur"), _typed_alike("şehir", "şehri", "sehir")
    (True, True)
    >>> _typed_alike("bolu", "bölündü", "bolu", own_letters=True)
    False
    >>> _typed_alike("istanbul", "ıstanbula", "istanbul", own_letters=True)
    True
    >>> _typed_alike("yaşta", "yaşında", "yas"), _typed_alike("yaşta", "yasına", "yas")
    (True, False)

    In a longer base a circumflex is a spelling, not a letter of its own: ``şikâyet`` and
    ``şikayet`` are one word, written either way in one archive; in a short one it tells
    words apart, as ``kâr`` (profit) and ``kar`` (snow).

    >>> _typed_alike("şikayet", "şikâyetleri", "sikayet"), _typed_alike("kâr", "karı", "kar")
    (True, False)
    """
    if word.isascii():
        if not own_letters:
            return True
        form = _dotted(form)  # (capitals written with I: ``ISTANBUL`` is ``ıstanbul``)
    variants = stem_variants(base)
    if len(base) < SHORT_LEMMA_LENGTH and len(variants) == 1 and base[-1:] != "c":
        shared = len(base)  # a short base that does not change: all its letters are kept
        return form[:shared] == word[:shared]
    shared = min(len(prefix) for prefix, _ in variants) - 1
    return form.translate(_CIRCUMFLEX)[:shared] == word.translate(_CIRCUMFLEX)[:shared]


#: The fields of each mask, one shared tuple each rather than a tuple per kept form.
_FIELDS_OF_MASK = [
    tuple(name for bit, name in enumerate(TEXT_FIELDS) if mask & (1 << bit))
    for mask in range(1 << len(TEXT_FIELDS))
]
#: Segment lexicons shared by every thread (a generation holds a handful of segments).
_lexicons = SharedCache(32)
#: The words spelling suggestions weigh, per segment (as :data:`_lexicons`), shared by
#: every thread.
_near_words = SharedCache(32)
#: Articles holding a query word's stem, by (segments, field, word), shared by every
#: thread (whoosh's frequencies do not change when articles are deleted; the share
#: compared with them does).
_kept_frequencies = SharedCache(20_000)
#: Indexed forms of query words, by (segments, word, whether a name), shared by every
#: thread: at most this many forms in all (a word has 22 on average over the eval questions).
FORMS_KEPT = 100_000
_kept_forms = SharedCache(FORMS_KEPT, weight=lambda forms: 1 + len(forms))


@cache
def _folded_stopwords() -> frozenset[str]:
    return frozenset(ascii_fold(word) for word in stopwords())


def _segment_words(leaf) -> SegmentLexicon:
    """The title and body words of one segment."""
    words: dict[str, list[str]] = {}
    for fieldname in TEXT_FIELDS:
        try:
            words[fieldname] = [text_value(term) for term in leaf.lexicon(fieldname)]
        except TermNotFound:
            words[fieldname] = []
    return SegmentLexicon(words)


def is_own_word(word: str, vocabulary: Vocabulary) -> bool:
    """Whether a word typed without Turkish letters is used as written in at least
    :data:`OWN_WORD_SHARE` as many articles as its most used spelling: a word of its own
    (``asi``, rebel, beside ``aşı``, vaccine), not a keyboard's way of writing another
    (``turkiye``, ``kultur``)."""
    spellings = [spelling for spelling in vocabulary.words(word) if spelling != word]
    if not spellings:
        return True
    commonest = max(vocabulary.body_frequency(spelling) for spelling in spellings)
    return vocabulary.body_frequency(word) >= OWN_WORD_SHARE * commonest
