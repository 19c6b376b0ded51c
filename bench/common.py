"""Helpers shared by the benchmarks: project paths, eval-set files, metrics, tables, machine.

The scripts in ``bench/`` are run as files (``python bench/relevance.py``), so this module
is imported as a sibling; :func:`use_project` puts the project root on ``sys.path`` so the
library under test (``search``) imports from this checkout.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_CORPUS_DIR = PROJECT_DIR.parent / "shared" / "corpus"
CUTOFF = 10

#: Turkish upper-casing needs these two before ``str.upper`` (``i`` -> ``İ``, ``ı`` -> ``I``).
_TURKISH_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_ASCII_FOLD = str.maketrans("çğıöşüâîûÇĞİÖŞÜÂÎÛ", "cgiosuaiuCGIOSUAIU")


def use_project() -> None:
    """Import ``search`` from this checkout and silence whoosh's Python 3.12 warnings."""
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def turkish_upper(text: str) -> str:
    """Upper-case by Turkish rules: ``istanbul ılık`` -> ``İSTANBUL ILIK``."""
    return text.translate(_TURKISH_UPPER).upper()


def ascii_fold(text: str) -> str:
    """Type ``text`` without Turkish letters: ``kırgızistan`` -> ``kirgizistan``."""
    return text.translate(_ASCII_FOLD)


# --- eval-set files -----------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    body: str


@dataclass(frozen=True)
class EvalSet:
    """Queries with their relevant doc ids (qrels), over one document collection."""

    name: str
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]


def read_jsonl_gz(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_docs(path: Path) -> list[Doc]:
    """``corpus.jsonl.gz`` (``{id, title, body}``) as :class:`Doc` values."""
    return [Doc(r["id"], r.get("title") or "", r["body"]) for r in read_jsonl_gz(path)]


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def read_eval_set(set_dir: Path, limit: int | None = None) -> EvalSet:
    """``queries.tsv`` and ``qrels.tsv`` of one eval set; the first ``limit`` queries only."""
    queries = [(row[0], row[1]) for row in read_tsv(set_dir / "queries.tsv")]
    if limit is not None:
        queries = queries[:limit]
    qrels: dict[str, dict[str, int]] = {}
    for qid, docid, rel in read_tsv(set_dir / "qrels.tsv"):
        if int(rel) > 0:
            qrels.setdefault(qid, {})[docid] = int(rel)
    queries = [(qid, text) for qid, text in queries if qid in qrels]
    return EvalSet(set_dir.name, queries, qrels)


def write_article_files(docs: Iterable[Doc], folder: Path) -> int:
    """One header-style file per doc, ``<id>.txt``: ``title: …``, a blank line, the body."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for doc in docs:
        title = " ".join(doc.title.split())
        (folder / f"{doc.id}.txt").write_text(f"title: {title}\n\n{doc.body}\n", encoding="utf-8")
        count += 1
    return count


# --- metrics ------------------------------------------------------------------------------


def first_rank(ranked: Sequence[str], relevant: dict[str, int]) -> int | None:
    """1-based rank of the first relevant id within the cutoff, or None."""
    for rank, doc_id in enumerate(ranked[:CUTOFF], start=1):
        if doc_id in relevant:
            return rank
    return None


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    rank = first_rank(ranked, relevant)
    return 1.0 / rank if rank else 0.0


def recall(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    found = sum(1 for doc_id in ranked[:CUTOFF] if doc_id in relevant)
    return found / len(relevant) if relevant else 0.0


def ndcg(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    """nDCG@10 with graded gains ``2^rel - 1`` (all qrels here have rel 1)."""
    gains = [(2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10])]
    ideal = sorted(relevant.values(), reverse=True)[:CUTOFF]
    best = sum((2**rel - 1) / math.log2(i + 2) for i, rel in enumerate(ideal))
    return sum(gains) / best if best else 0.0


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0-100) of a non-empty sequence."""
    ordered = sorted(values)
    index = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return ordered[index]


# --- output -------------------------------------------------------------------------------


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- machine ------------------------------------------------------------------------------


def machine() -> dict:
    """nproc, CPU model, RAM and Python version of this machine."""
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram_gb": round(_mem_total_kb() / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_kb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def checkout() -> dict:
    """The commit measured and the library files changed since it (others edit them too)."""
    import subprocess

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    changed = git("status", "--porcelain", "--", "search", "web").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "changed": changed}


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process (or its waited-for children), in MB."""
    return resource.getrusage(who).ru_maxrss / 1024


def process_memory_mb(pid: int) -> dict[str, float]:
    """A running process's memory from ``/proc/PID/status``, in MB: ``rss`` now, ``peak``
    (VmHWM), and of the current RSS the ``anon`` part (its own heap) and the ``file`` part
    (pages of mapped files such as the index, shared with other processes and the OS's
    page cache, which the kernel can drop and re-read)."""
    keys = {"VmRSS": "rss", "VmHWM": "peak", "RssAnon": "anon", "RssFile": "file"}
    values = dict.fromkeys(keys.values(), 0.0)
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in keys:
                values[keys[key]] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return values


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (waitress is threads; a pre-fork server has children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def server_memory(pid: int) -> dict:
    """Memory of a server and its worker processes: the busiest worker's peak RSS, what
    that worker holds now (own heap / mapped index pages), and every process's figures."""
    pids = process_tree(pid)
    workers = pids[1:] or pids  # with worker processes, the first is their supervisor
    memory = {each: process_memory_mb(each) for each in pids}
    worst = max(workers, key=lambda each: memory[each]["peak"])
    return {
        "processes": len(pids),
        "workers": len(workers),
        "rss_mb": round(sum(m["rss"] for m in memory.values()), 1),
        "peak_rss_mb_max_process": memory[worst]["peak"],
        "worker_anon_mb": memory[worst]["anon"],
        "worker_file_mb": memory[worst]["file"],
        "per_process": [{"pid": each, **memory[each]} for each in pids],
    }


def folder_size_mb(folder: Path) -> float:
    total = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return total / 1024 / 1024


def linked_copy(source: Path, target: Path) -> None:
    """Copy a folder of articles with hard links where possible (a bench replaces files,
    never writes into them, so the source is never changed)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
