"""The ``haberara`` command: reindex, search and serve, each a thin layer over the library.

Exit codes: 0 success; 1 some article files were rejected (the rest is indexed);
2 usage errors (a missing folder, a bad option); 3 the index is locked, missing or damaged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import click

from search import RELAXED_BELOW, budget
from search.articles import DEFAULT_MAX_BYTES, OUTSIDE_LINKS_OPTION
from search.cores import usable_cores
from search.errors import BadParameter, DocsMissing, HaberaraError
from search.indexing.reindex import DEFAULT_LOCK_TIMEOUT, ReindexReport
from search.indexing.watch import WatchFailed
from search.opensearch.backend import BACKEND_ENV, BACKENDS, OPENSEARCH, Backend
from search.opensearch.cluster import DEFAULT_INDEX, URL_ENV
from search.opensearch.mapping import DEFAULT_REPLICAS, DEFAULT_SHARDS
from search.searching.categories import facet_names
from search.searching.searcher import DEFAULT_PER_PAGE, MAX_PER_PAGE

#: The newsroom's time zone, the default of ``serve --time-zone`` (the web app's too).
NEWSROOM_ZONE = "Europe/Istanbul"

#: The server's defaults: threads per worker process, and worker processes at most
#: (each keeps its own reader and caches). Of the threads, those that costly requests
#: may hold while they run or wait for their turn (:mod:`search.searching.budget`) come
#: on top of the plain searches' own.
PLAIN_THREADS_PER_WORKER = 4
THREADS_PER_WORKER = PLAIN_THREADS_PER_WORKER + budget.HEAVY_RUNNING + budget.HEAVY_WAITING
MAX_WORKERS_BY_DEFAULT = 4

#: How often ``watch --parent`` looks whether its parent is still there.
WATCH_PARENT_SECONDS = 0.5

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INDEX = 3
_FILE_WARNING = re.compile(r"(?P<path>.*?\.txt): (?P<message>.*)", re.DOTALL)

docs_option = click.option(
    "--docs",
    type=click.Path(path_type=Path, file_okay=False),
    default="articles",
    show_default=True,
    envvar="HABERARA_DOCS",
    help="Folder of article .txt files (env HABERARA_DOCS).",
)
outside_links_option = click.option(
    OUTSIDE_LINKS_OPTION,
    "outside_links",
    is_flag=True,
    help="Also follow symbolic links that lead outside the articles folder (by default "
    "they are reported and skipped).",
)
max_bytes_option = click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Reject article files larger than this.",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="index",
    show_default=True,
    envvar="HABERARA_INDEX",
    help="Index folder (env HABERARA_INDEX).",
)


def default_workers() -> int:
    """One worker per core, at most :data:`MAX_WORKERS_BY_DEFAULT`; 1 where processes
    cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    return min(usable_cores(), MAX_WORKERS_BY_DEFAULT)


def backend_options(command):
    """``--backend``, ``--opensearch-url`` and ``--opensearch-index``: which index to use."""
    options = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=BACKENDS[0],
            show_default=True,
            envvar=BACKEND_ENV,
            help=f"The embedded index in --index, or an OpenSearch cluster (env {BACKEND_ENV}).",
        ),
        click.option(
            "--opensearch-url",
            default=None,
            envvar=URL_ENV,
            help=f"The cluster's node URLs, comma-separated (env {URL_ENV}) "
            "[default: http://127.0.0.1:9200]",
        ),
        click.option(
            "--opensearch-index",
            default=DEFAULT_INDEX,
            show_default=True,
            envvar="HABERARA_OPENSEARCH_INDEX",
            help="The index's name on the cluster (env HABERARA_OPENSEARCH_INDEX).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class IndexProblem(click.ClickException):
    exit_code = EXIT_INDEX


@contextlib.contextmanager
def exit_codes() -> Iterator[None]:
    """The library's errors as the command's exit codes: a mistake in what the user asked
    (a bad parameter, a missing articles folder, a folder that cannot be watched) is a
    usage error; any other is the index's."""
    try:
        yield
    except (BadParameter, DocsMissing, WatchFailed) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except HaberaraError as error:
        raise IndexProblem(str(error)) from None


@click.group()
@click.version_option(package_name="haberara")
def cli() -> None:
    """haberara: full-text search for Turkish news articles."""


@cli.command("reindex")
@docs_option
@index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@max_bytes_option
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    help="Seconds to wait for another running reindex to finish.",
)
@backend_options
@click.option(
    "--shards",
    type=click.IntRange(min=1),
    default=DEFAULT_SHARDS,
    show_default=True,
    help="Primary shards of a new OpenSearch index.",
)
@click.option(
    "--replicas",
    type=click.IntRange(min=0),
    default=DEFAULT_REPLICAS,
    show_default=True,
    help="Copies of each shard, on other nodes, of a new OpenSearch index.",
)
@outside_links_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def reindex_command(
    docs: Path,
    index_dir: Path,
    full: bool,
    as_json: bool,
    max_bytes: int,
    wait: float,
    backend: str,
    opensearch_url: str | None,
    opensearch_index: str,
    shards: int,
    replicas: int,
    outside_links: bool,
    paths: tuple[Path, ...],
) -> None:
    """Index new, changed and deleted article files: every file in the articles folder,
    or only the PATHS given (files or folders inside it), which costs the same however
    large the archive is.

    Example: haberara reindex --docs articles/ --index index/ articles/2026/12/04/
    """
    if full and paths:
        raise click.UsageError("--full rebuilds from every file; give no PATHS with it")
    if paths and backend == OPENSEARCH:
        raise click.UsageError("PATHS name files for the embedded index; give none with OpenSearch")
    progress = _ProgressBar() if sys.stderr.isatty() and not as_json else None
    chosen = Backend.choose(backend, index_dir, opensearch_url, opensearch_index)
    try:
        with exit_codes():
            report = chosen.reindex(
                docs,
                full=full,
                paths=paths,
                max_bytes=max_bytes,
                lock_timeout=wait,
                shards=shards,
                replicas=replicas,
                progress=progress,
                outside_links=outside_links,
            )
    finally:
        if progress:
            progress.finish()
    for path in report.not_found:
        click.echo(f"error: {path}: no such file or folder, and nothing indexed from it", err=True)
    _print_report(report, as_json)
    sys.exit(EXIT_REJECTED if report.failed or report.not_found else 0)


def _print_report(report: ReindexReport, as_json: bool) -> None:
    for failed in report.failed:
        click.echo(f"error: {failed.path}: {failed.reason}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    for line in _grouped_warnings(report.warnings):
        click.echo(f"warning: {line}", err=True)
    click.echo(report.summary())


def _grouped_warnings(warnings: list[str], most: int = 5) -> list[str]:
    """Warnings as printed: a message shared by many files becomes one line with a count.

    >>> _grouped_warnings([f"a{n}.txt: title derived" for n in range(7)] + ["b.txt: date: x"])
    ['7 files: title derived (first: a0.txt; --json lists every file)', 'b.txt: date: x']
    """
    by_message: dict[str, list[str]] = {}
    lines = []
    for warning in warnings:
        match = _FILE_WARNING.match(warning)
        if match:
            by_message.setdefault(match["message"], []).append(match["path"])
        else:
            lines.append(warning)
    for message, paths in by_message.items():
        if len(paths) > most:
            lines.append(
                f"{len(paths)} files: {message} (first: {paths[0]}; --json lists every file)"
            )
        else:
            lines.extend(f"{path}: {message}" for path in paths)
    return lines


class _ProgressBar:
    """A one-line progress bar on stderr, for terminals only."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if done % 50 and done != total:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


@cli.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query")
@index_option
@click.option(
    "--limit", type=click.IntRange(1, MAX_PER_PAGE), default=DEFAULT_PER_PAGE, show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON object.")
@click.option(
    "--as-typed", is_flag=True, help="Search the words as typed, not their spelling correction."
)
@backend_options
def search_command(
    query: str,
    index_dir: Path,
    limit: int,
    as_json: bool,
    as_typed: bool,
    backend: str,
    opensearch_url: str | None,
    opensearch_index: str,
) -> None:
    """Search the index and print ranked results.

    Example: haberara search 'toplantı Bişkek'
    """
    # the library logs a damaged index's traceback for a server's log; here the error's
    # own sentence says all a person needs
    logging.getLogger("search").addHandler(logging.NullHandler())
    chosen = Backend.choose(backend, index_dir, opensearch_url, opensearch_index)
    with exit_codes():
        searcher = chosen.searcher()
        page = searcher.search(query, per_page=limit, as_typed=as_typed)
        if as_json:
            body = page.to_dict()
            written = searcher.category_names() if body["facets"]["category"] else {}
            body["facets"]["category"] = facet_names(body["facets"]["category"], written)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    relaxed = ""
    if page.relaxed:
        relaxed = (
            f" (fewer than {RELAXED_BELOW} articles have every word;"
            " articles with some of them added)"
        )
    at_least = "at least " if page.total_at_least else ""
    found = f"{at_least}{page.total} result{'' if page.total == 1 else 's'}"
    if page.corrected:
        shown = f"showing {page.corrected!r} (--as-typed: as typed)"
        click.echo(f"nothing found for {query!r}; {shown}")
        query = page.corrected
    click.echo(f"{found} for {query!r} in {page.took_ms} ms{relaxed}")
    for phrase in page.phrases_not_found:
        click.echo(f"no article has the phrase {phrase!r}; its words were searched")
    for prefix in page.short_prefixes:
        word = prefix.rstrip("*")
        click.echo(
            f"{prefix!r}: a prefix needs two letters or more; {word!r} was searched as a word"
        )
    if page.suggestion:
        click.echo(f"did you mean: {page.suggestion}")
    for rank, hit in enumerate(page.results, start=1):
        meta = " · ".join(part for part in (hit.date, hit.category, hit.source) if part)
        click.echo(f"\n{rank}. {_plain(hit.title_html)}  [{hit.id}]")
        if meta:
            click.echo(f"   {meta}")
        click.echo(f"   {_plain(hit.snippet)}")
        if hit.missing:
            click.echo(f"   missing: {', '.join(hit.missing)}")


def _plain(html: str) -> str:
    """A title or snippet for a terminal: marks shown as [brackets], entities unescaped."""
    from html import unescape

    return unescape(html.replace("<mark>", "[").replace("</mark>", "]"))


@cli.command("watch")
@docs_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print each run as one JSON object.")
@max_bytes_option
@click.option("--no-catch-up", is_flag=True, help="Skip the first run over the whole folder.")
@outside_links_option
@click.option("--parent", type=int, default=None, hidden=True, help="Stop when this process ends.")
def watch_command(
    docs: Path,
    index_dir: Path,
    as_json: bool,
    max_bytes: int,
    no_catch_up: bool,
    outside_links: bool,
    parent: int | None,
) -> None:
    """Keep reindexing as article files are written, moved or deleted in the articles
    folder (Linux): each change is searchable within a second, however large the archive.
    Runs until interrupted; one run over the whole folder first.

    Example: haberara watch --docs articles/ --index index/
    """
    from search.indexing.watch import watch

    if os.environ.get(BACKEND_ENV) == OPENSEARCH:
        raise click.UsageError(
            f"watch keeps the embedded index in step, and {BACKEND_ENV}=opensearch is set: "
            "run `haberara reindex` after adding files"
        )
    stop = threading.Event()
    if parent is not None:
        threading.Thread(target=_stop_without_parent, args=(parent, stop), daemon=True).start()

    first = True

    def on_run(report: ReindexReport) -> None:
        """Print the first run and every run that changed or rejected something."""
        nonlocal first
        changed = report.added or report.updated or report.removed or report.failed
        if changed or report.warnings or first:
            _print_report(report, as_json)
            sys.stdout.flush()
        first = False

    with exit_codes(), contextlib.suppress(KeyboardInterrupt):
        watch(
            docs,
            index_dir,
            on_run,
            stop,
            catch_up=not no_catch_up,
            max_bytes=max_bytes,
            outside_links=outside_links,
        )


def _stop_without_parent(parent: int, stop: threading.Event) -> None:
    """Set ``stop`` once the process ``parent`` has ended (the watch's parent changes)."""
    while not stop.wait(WATCH_PARENT_SECONDS):
        if os.getppid() != parent:
            stop.set()


def _time_zone(_context: click.Context, _parameter: click.Parameter, name: str) -> str:
    """``--time-zone``: a zone this system knows (the newsroom's is known without zone
    data: Turkey keeps UTC+3 all year)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        if name != NEWSROOM_ZONE:
            raise click.BadParameter(f"no time zone {name!r} on this system") from error
    return name


@cli.command("serve")
@docs_option
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=THREADS_PER_WORKER,
    show_default=True,
    help="Threads per worker process; each keeps its own reader.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=None,
    help="Worker processes sharing the port  [default: one per core, at most "
    f"{MAX_WORKERS_BY_DEFAULT}]",
)
@click.option("--no-reindex", is_flag=True, help="Serve the index as it is, without reindexing.")
@click.option(
    "--watch",
    "watch_folder",
    is_flag=True,
    help="Also reindex article files as they are written, moved or deleted (Linux; "
    "see `haberara watch`).",
)
@outside_links_option
@click.option(
    "--no-result-cache",
    is_flag=True,
    help="Rank every search afresh (by default a worker keeps recent result pages until "
    "the index changes).",
)
@click.option(
    "--time-zone",
    default=NEWSROOM_ZONE,
    show_default=True,
    callback=_time_zone,
    help="The newsroom's time zone: the search page's quick date ranges (Son 24 saat, Bu "
    "yıl) end on its day.",
)
@backend_options
def serve_command(
    docs: Path,
    index_dir: Path,
    host: str,
    port: int,
    threads: int,
    workers: int | None,
    no_reindex: bool,
    watch_folder: bool,
    no_result_cache: bool,
    time_zone: str,
    backend: str,
    opensearch_url: str | None,
    opensearch_index: str,
    outside_links: bool,
) -> None:
    """Index the articles folder, then serve the search page and JSON API.

    Example: haberara serve --port 5000
    """
    chosen = Backend.choose(backend, index_dir, opensearch_url, opensearch_index)
    if watch_folder and backend == OPENSEARCH:
        raise click.UsageError("--watch keeps the embedded index in step; not with OpenSearch")
    if not no_reindex:
        with exit_codes():
            report = chosen.reindex(docs, outside_links=outside_links)
        _print_report(report, as_json=False)
    watcher = None
    if watch_folder:
        watcher = _start_watch(docs, index_dir, not no_reindex, outside_links)
    try:
        _serve(
            chosen,
            host,
            port,
            threads,
            workers,
            {"RESULT_CACHE": not no_result_cache, "TIME_ZONE": time_zone},
        )
    finally:
        if watcher:
            watcher.terminate()
            watcher.wait()


def _start_watch(
    docs: Path, index_dir: Path, caught_up: bool, outside_links: bool
) -> subprocess.Popen:
    """``haberara watch`` in a process of its own, ending with this one."""
    command = [sys.executable, "-m", "search", "watch", "--docs", os.fspath(docs)]
    command += ["--index", os.fspath(index_dir), "--parent", str(os.getpid())]
    command += ["--no-catch-up"] if caught_up else []
    return subprocess.Popen(command + ([OUTSIDE_LINKS_OPTION] if outside_links else []))


def _serve(
    chosen: Backend, host: str, port: int, threads: int, workers: int | None, settings: dict
) -> None:
    from web import create_app
    from web.server import run

    config = {**chosen.app_config(), **settings}
    with exit_codes():
        create_app(config)  # fail here, with the index's own message, not in a worker
    workers = workers or default_workers()

    def listening() -> None:
        click.echo(
            f"haberara: serving {chosen.where} on http://{host}:{port}/ "
            f"({workers} worker{'s' if workers > 1 else ''} × {threads} threads)",
            err=True,
        )

    try:
        run(
            lambda: create_app(config),
            host=host,
            port=port,
            threads=threads,
            workers=workers,
            listening=listening,
        )
    except OSError as error:
        click.echo(f"error: cannot listen on {host}:{port}: {error.strerror}", err=True)
        sys.exit(EXIT_USAGE)
