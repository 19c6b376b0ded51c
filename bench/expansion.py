"""Expansion precision: are the indexed forms a query word expands to its own inflections?

Takes the most frequent words of the eval sets' queries (stop words left out), expands
each as a search does (``search.searching.vocabulary.Vocabulary.forms`` on a built index) and judges
every form whose fold differs from the word's (its inflections; keyboard spellings are
left aside) with zeyrek, the Python port of Zemberek's morphological analyser:

- **lenient**: some analysis of the form has a lemma that some analysis of the word has;
- **strict**: lenient, and the form has no reading as a bare dictionary word of another
  lemma (``kurum`` reads as the noun *kurum* before ``kuru`` + ``-m``, so it is no form
  of ``kuru``);
- a pair where zeyrek knows neither word (names, foreign words) is **unjudged**.

Precision is correct pairs over judged pairs. zeyrek's analyser takes 10-30 s to load and
milliseconds a word, so this runs for a few minutes.

    .venv/bin/python bench/expansion.py --index /tmp/news-index --corpus-dir ../shared/corpus \
        --out bench/results/expansion.json
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

from common import DEFAULT_CORPUS_DIR, RESULTS_DIR, checkout, machine, use_project, write_json

use_project()

EVAL_SETS = ("xquad-tr", "tquad", "news-headlines")


def frequent_words(corpus_dir: Path, count: int) -> list[tuple[str, int]]:
    """The ``count`` most frequent non-stop, all-letter words of the eval queries."""
    from search.text.analysis import analyze, stopwords

    counts: Counter[str] = Counter()
    for name in EVAL_SETS:
        for line in (corpus_dir / name / "queries.tsv").read_text(encoding="utf-8").splitlines():
            _, _, text = line.partition("\t")
            counts.update(
                word
                for word in analyze(text, stop=False)
                if word.isalpha() and word not in stopwords()
            )
    return counts.most_common(count)


class Judge:
    """zeyrek's analyses of words, each word analysed once."""

    def __init__(self) -> None:
        logging.disable(logging.WARNING)  # zeyrek logs every unknown word
        import zeyrek

        self._analyzer = zeyrek.MorphAnalyzer().analyzer
        self._seen: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def readings(self, word: str) -> tuple[frozenset[str], frozenset[str]]:
        """``(lemmas, bare)``: every analysis's lemma, and the lemmas of the analyses
        that are a bare dictionary word (no suffix)."""
        if word not in self._seen:
            lemmas, bare = set(), set()
            for analysis in self._analyzer.analyze(word):
                lemma = analysis.dict_item.lemma.lower()
                lemmas.add(lemma)
                morphemes = [m[0].id_ for m in analysis.morphemes]
                if len(morphemes) <= 2 and all(m in {"Noun", "Adj", "A3sg"} for m in morphemes):
                    bare.add(lemma)
            self._seen[word] = frozenset(lemmas), frozenset(bare)
        return self._seen[word]

    def verdict(self, word: str, form: str) -> str:
        """``correct``, ``lenient`` (correct leniently only), ``wrong`` or ``unjudged``."""
        word_lemmas, _ = self.readings(word)
        form_lemmas, form_bare = self.readings(form)
        if not word_lemmas or not form_lemmas:
            return "unjudged"
        if not word_lemmas & form_lemmas:
            return "wrong"
        return "lenient" if form_bare - word_lemmas else "correct"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built haberara index")
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "expansion.json")
    args = parser.parse_args(argv)

    from search.searching.vocabulary import Vocabulary
    from search.storage import store
    from search.text.analysis import ascii_fold

    started = time.perf_counter()
    words = frequent_words(args.corpus_dir, args.words)
    searcher = store.open_index(args.index).searcher()
    vocabulary = Vocabulary(searcher.reader())
    judge = Judge()
    counts: Counter[str] = Counter()
    per_word, wrong = [], []
    for word, frequency in words:
        forms = [f for f in vocabulary.forms(word) if ascii_fold(f) != ascii_fold(word)]
        verdicts = Counter()
        for form in forms:
            verdict = judge.verdict(word, form)
            verdicts[verdict] += 1
            if verdict in ("wrong", "lenient"):
                wrong.append([word, form, verdict])
        counts.update(verdicts)
        per_word.append({"word": word, "query_count": frequency, "forms": len(forms), **verdicts})
    judged = counts["correct"] + counts["lenient"] + counts["wrong"]
    summary = {
        "words": len(words),
        "words_expanded": sum(1 for row in per_word if row["forms"]),
        "forms": sum(counts.values()),
        **counts,
        "precision_strict": round(counts["correct"] / judged, 4) if judged else None,
        "precision_lenient": round((counts["correct"] + counts["lenient"]) / judged, 4)
        if judged
        else None,
    }
    write_json(
        args.out,
        {
            "summary": summary,
            "per_word": per_word,
            "not_correct": wrong,
            "index": str(args.index),
            "machine": machine(),
            "checkout": checkout(),
            "seconds": round(time.perf_counter() - started),
        },
    )
    for key, value in summary.items():
        print(f"{key}: {value}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
