"""Relevance benchmark: MRR@10, Recall@10 and nDCG@10 of haberara against a Snowball-only
baseline (Elasticsearch's ``turkish`` analysis, see ``bench/baseline.py``), per eval set.

haberara is measured through the path a reader's query takes: each eval corpus is written
as header-style article files (``<docid>.txt``: ``title: …``, blank line, body) into a
temporary folder, indexed with ``search.indexing.reindex.reindex``, and queried with
``search.Searcher(index).search(query, per_page=10)`` — default semantics, relaxed
OR fallback, snippets and facets included. The baseline indexes the same ``{id, title,
body}`` records. The morphology sets are built by ``bench/morphset.py`` (see its
docstring) over the ``news-headlines`` collection and share its indexes.

    .venv/bin/python bench/relevance.py --corpus-dir ../shared/corpus \
        --sets xquad-tr,tquad,news-headlines,morphology --out bench/results/relevance.json

``--backend opensearch --opensearch-url URL`` measures haberara on an OpenSearch cluster
instead (``scripts/opensearch-cluster start`` starts one): each collection is indexed
there as ``bench-<collection>`` and searched through the cluster's searcher.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    DEFAULT_CORPUS_DIR,
    RESULTS_DIR,
    EvalSet,
    checkout,
    first_rank,
    machine,
    markdown_table,
    ndcg,
    read_docs,
    read_eval_set,
    recall,
    reciprocal_rank,
    use_project,
    write_article_files,
    write_json,
)

use_project()

import baseline  # noqa: E402
import morphset  # noqa: E402

FILE_SETS = ("xquad-tr", "tquad", "news-headlines")
ALL_SETS = (*FILE_SETS, "morphology")
MORPH_COLLECTION = "news-headlines"
SAMPLE_SEED = 20251127

#: MRR@10 of Lucene 8.8 TurkishAnalyzer (= Elasticsearch ``turkish``) from issue 5.
LUCENE_ANCHOR = {"news-headlines": 0.665, "tquad": 0.711, "xquad-tr": 0.931, "morphology": 0.488}
GOALS = {"news-headlines": 0.70, "tquad": 0.80, "xquad-tr": 0.94}

Ranker = Callable[[str], list[str]]


@dataclass
class Scores:
    """Summed per-query metrics of one system on one eval set."""

    mrr: float = 0.0
    recall: float = 0.0
    ndcg: float = 0.0
    queries: int = 0
    errors: int = 0
    seconds: float = 0.0
    ranks: list[int | None] = field(default_factory=list)

    def add(self, ranked: Sequence[str], relevant: dict[str, int]) -> None:
        self.mrr += reciprocal_rank(ranked, relevant)
        self.recall += recall(ranked, relevant)
        self.ndcg += ndcg(ranked, relevant)
        self.ranks.append(first_rank(ranked, relevant))
        self.queries += 1

    def summary(self) -> dict:
        n = max(self.queries, 1)
        return {
            "mrr@10": round(self.mrr / n, 4),
            "recall@10": round(self.recall / n, 4),
            "ndcg@10": round(self.ndcg / n, 4),
            "queries": self.queries,
            "errors": self.errors,
            "ms_per_query": round(1000 * self.seconds / n, 1),
        }


def evaluate(eval_set: EvalSet, ranker: Ranker) -> Scores:
    scores = Scores()
    started = time.perf_counter()
    for qid, text in eval_set.queries:
        try:
            ranked = ranker(text)
        except Exception as error:  # a query the system rejects counts as a miss
            print(f"  {eval_set.name} {qid}: {type(error).__name__}: {error}", file=sys.stderr)
            ranked = []
            scores.errors += 1
        scores.add(ranked, eval_set.qrels[qid])
    scores.seconds = time.perf_counter() - started
    return scores


@dataclass(frozen=True)
class Where:
    """Which backend haberara is measured on, and the cluster's URL for OpenSearch."""

    backend: str = "embedded"
    url: str | None = None

    def choose(self, index_dir: Path, collection: str):
        from search.opensearch.backend import Backend

        return Backend.choose(self.backend, index_dir, self.url, f"bench-{collection}")


class OursRanker:
    """haberara's ``Searcher.search``, counting the answers that came from the OR fallback."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.relaxed = 0

    def __call__(self, text: str) -> list[str]:
        page = self.searcher.search(text, per_page=10)
        self.relaxed += bool(getattr(page, "relaxed", False))
        return [hit.id for hit in page.results]


def build_ours(docs: list, work: Path, backend) -> tuple[Path, dict]:
    docs_dir, index_dir = work / "docs", work / "index"
    write_article_files(docs, docs_dir)
    report = backend.reindex(docs_dir, full=True)
    if report.failed:
        print(f"  {len(report.failed)} files rejected: {report.failed[:3]}", file=sys.stderr)
    info = {"docs": report.added, "failed": len(report.failed), "build_s": round(report.seconds, 1)}
    return index_dir, info


def build_baseline(docs: list, work: Path) -> tuple[Path, dict]:
    index_dir = work / "baseline"
    started = time.perf_counter()
    count = baseline.build_index(docs, index_dir)
    return index_dir, {"docs": count, "build_s": round(time.perf_counter() - started, 1)}


def load_sets(
    collection: str, wanted: list[str], corpus_dir: Path, limits: dict[str, int], docs: list
) -> tuple[list[EvalSet], list[dict]]:
    """The eval sets over ``collection``: its own queries and, for news, the morphology sets."""
    sets: list[EvalSet] = []
    made: list[dict] = []
    if collection in wanted:
        sets.append(sample(read_eval_set(corpus_dir / collection), limits.get(collection)))
    if collection == MORPH_COLLECTION and "morphology" in wanted:
        count = limits.get("morphology", morphset.DEFAULT_COUNT)
        started = time.perf_counter()
        morph_sets, made = morphset.build(corpus_dir / "news.jsonl.gz", docs, count)
        print(f"  morphology set: {len(made)} queries in {time.perf_counter() - started:.0f} s")
        sets.extend(morph_sets)
    return sets, made


def sample(eval_set: EvalSet, limit: int | None) -> EvalSet:
    """A seeded sample of ``limit`` queries (original order kept), or the whole set."""
    if limit is None or limit >= len(eval_set.queries):
        return eval_set
    keep = set(random.Random(SAMPLE_SEED).sample(range(len(eval_set.queries)), limit))
    queries = [q for i, q in enumerate(eval_set.queries) if i in keep]
    return EvalSet(eval_set.name, queries, eval_set.qrels)


def run_collection(
    collection: str, wanted: list[str], corpus_dir: Path, limits: dict[str, int], where: Where
) -> dict:
    """Index one collection both ways and evaluate every eval set over it."""
    use_project()
    docs = read_docs(corpus_dir / collection / "corpus.jsonl.gz")
    print(f"[{collection}] {len(docs)} docs", flush=True)
    sets, made = load_sets(collection, wanted, corpus_dir, limits, docs)
    out: dict = {"sets": {}, "per_query": {}, "morphology_queries": made}
    with tempfile.TemporaryDirectory(prefix=f"bench-{collection}-") as tmp:
        backend = where.choose(Path(tmp) / "index", collection)
        ours_index, ours_info = build_ours(docs, Path(tmp), backend)
        base_index, base_info = build_baseline(docs, Path(tmp))
        print(f"[{collection}] built: ours {ours_info}, baseline {base_info}", flush=True)
        out["builds"] = {collection: {"ours": ours_info, "baseline": base_info}}
        ours = OursRanker(backend.searcher())
        base = baseline.BaselineSearcher(base_index)
        for eval_set in sets:
            result, per_query = evaluate_set(eval_set, ours, base)
            out["sets"][eval_set.name] = result
            out["per_query"][eval_set.name] = per_query
            print(f"[{collection}] {eval_set.name}: {_brief(result)}", flush=True)
        base.close()
    return out


def evaluate_set(eval_set: EvalSet, ours: OursRanker, base: baseline.BaselineSearcher):
    relaxed_before = ours.relaxed
    systems = {
        "ours": evaluate(eval_set, ours),
        "baseline": evaluate(eval_set, lambda t: base.search(t, "and-or")),
        "baseline_or": evaluate(eval_set, lambda t: base.search(t, "or")),
    }
    result = {name: scores.summary() for name, scores in systems.items()}
    result["ours"]["relaxed"] = ours.relaxed - relaxed_before
    per_query = [
        [qid, *(scores.ranks[i] for scores in systems.values())]
        for i, (qid, _) in enumerate(eval_set.queries)
    ]
    return result, per_query


def _brief(result: dict) -> str:
    return ", ".join(
        f"{name} MRR {r['mrr@10']:.3f} ({r['ms_per_query']} ms/q)" for name, r in result.items()
    )


def _ratio(a: float, b: float) -> float | str:
    return round(a / b, 3) if b else "-"


def table(sets: dict) -> str:
    header = [
        "set",
        "queries",
        "ours MRR@10",
        "baseline MRR@10",
        "ratio",
        "baseline-OR MRR@10",
        "Lucene anchor MRR",
        "ours R@10",
        "baseline R@10",
        "ours nDCG@10",
        "baseline nDCG@10",
        "ours ms/q",
    ]
    rows = []
    for name, r in sets.items():
        o, b, bo = r["ours"], r["baseline"], r["baseline_or"]
        anchor = LUCENE_ANCHOR.get(name, "-")
        rows.append(
            [
                name,
                o["queries"],
                o["mrr@10"],
                b["mrr@10"],
                _ratio(o["mrr@10"], b["mrr@10"]),
                bo["mrr@10"],
                anchor,
                o["recall@10"],
                b["recall@10"],
                o["ndcg@10"],
                b["ndcg@10"],
                f"{o['ms_per_query']:.1f}",
            ]
        )
    return markdown_table(header, rows)


def goals(sets: dict) -> list[str]:
    """The issue's relevance goals, each with the measured figure and met / not met."""
    lines = []
    mrr = {name: r["ours"]["mrr@10"] for name, r in sets.items()}
    for name, target in GOALS.items():
        if name in mrr:
            lines.append(_goal(f"{name} MRR@10 ≥ {target}", mrr[name], mrr[name] >= target))
    if "morphology" in sets:
        base = sets["morphology"]["baseline"]["mrr@10"]
        ratio = mrr["morphology"] / base if base else 0.0
        lines.append(_goal("morphology MRR ≥ 1.3× baseline", round(ratio, 3), ratio >= 1.3))
        ascii_ratio = mrr.get("morphology-ascii", 0) / mrr["morphology"] if mrr["morphology"] else 0
        lines.append(
            _goal("ascii ≥ 0.95× typed correctly", round(ascii_ratio, 3), ascii_ratio >= 0.95)
        )
        upper = sets.get("morphology-upper", {}).get("ours", {}).get("mrr@10")
        lines.append(_goal("capitals = typed correctly", upper, upper == mrr["morphology"]))
    return lines


def _goal(text: str, value: object, met: bool) -> str:
    return f"- {text}: {value} — {'met' if met else 'NOT met'}"


def parse_limits(text: str | None, sets: list[str]) -> dict[str, int]:
    """``N`` (every set) or ``tquad=2000,morphology=300``."""
    if not text:
        return {}
    if "=" not in text:
        return {name: int(text) for name in sets}
    pairs = (part.split("=", 1) for part in text.split(",") if part)
    return {name.strip(): int(value) for name, value in pairs}


def collections_for(sets: list[str]) -> list[str]:
    wanted = [s for s in FILE_SETS if s in sets]
    if "morphology" in sets and MORPH_COLLECTION not in wanted:
        wanted.append(MORPH_COLLECTION)
    return sorted(wanted, key=lambda c: c != MORPH_COLLECTION)  # the longest first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--sets", default=",".join(ALL_SETS))
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "relevance.json")
    parser.add_argument("--limit-queries", help="N for every set, or SET=N,SET=N")
    parser.add_argument("--jobs", type=int, default=2, help="collections indexed in parallel")
    parser.add_argument("--backend", choices=("embedded", "opensearch"), default="embedded")
    parser.add_argument("--opensearch-url", help="the cluster's node URLs, comma-separated")
    args = parser.parse_args(argv)
    where = Where(args.backend, args.opensearch_url)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = set(sets) - set(ALL_SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {', '.join(ALL_SETS)}")
    limits = parse_limits(args.limit_queries, sets)
    started = time.perf_counter()
    measured = checkout()  # before the run: others may commit to search/ while it runs
    outputs = run_all(collections_for(sets), sets, args.corpus_dir, limits, args.jobs, where)
    merged = merge(outputs)
    order = [n for n in (*FILE_SETS, *morphset.VARIANTS) if n in merged["sets"]]
    merged["sets"] = {name: merged["sets"][name] for name in order}
    merged.update(
        machine=machine(),
        checkout=measured,
        limits=limits,
        backend=args.backend,
        corpus_dir=str(args.corpus_dir),
        seconds=round(time.perf_counter() - started),
    )
    write_json(args.out, merged)
    print("\n" + table(merged["sets"]) + "\n")
    print("\n".join(goals(merged["sets"])))
    print(f"\nwrote {args.out} in {merged['seconds']} s")
    return 0


def run_all(
    collections: list[str],
    sets: list[str],
    corpus_dir: Path,
    limits: dict,
    jobs: int,
    where: Where,
) -> list[dict]:
    if jobs <= 1 or len(collections) == 1:
        return [run_collection(c, sets, corpus_dir, limits, where) for c in collections]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [
            pool.submit(run_collection, c, sets, corpus_dir, limits, where) for c in collections
        ]
        return [future.result() for future in futures]


def merge(outputs: list[dict]) -> dict:
    merged: dict = {"sets": {}, "per_query": {}, "builds": {}, "morphology_queries": []}
    for out in outputs:
        for key in ("sets", "per_query", "builds"):
            merged[key].update(out[key])
        merged["morphology_queries"].extend(out["morphology_queries"])
    merged["per_query_columns"] = ["qid", "ours rank", "baseline rank", "baseline-OR rank"]
    return merged


if __name__ == "__main__":
    sys.exit(main())
