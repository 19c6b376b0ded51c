"""The Turkish HTML pages: the search page (``/``), the article page (``/articles/<id>``)
and the OpenSearch description (``/opensearch.xml``) that lets a browser add haberara as
a search engine.

Both are plain GET forms and links rendered on the server; ``static/app.js`` only adds
conveniences. Everything is escaped by Jinja except HTML the library already escaped
(``title_html``, ``snippet`` and :meth:`search.Searcher.highlighted_article` output).
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from search import BadParameter, Busy, HaberaraError, SearchPage, category_key
from web.articles import ArticleNotFound, find_highlighted_article
from web.categories import category_label, category_labels
from web.params import SEARCH_PARAMETERS, SearchRequest, read_search_request
from web.present import (
    PARAMETER_LABELS,
    local_day,
    page_count,
    page_window,
    quick_ranges,
    time_zone,
    turkish_count,
    turkish_date,
    turkish_message,
    turkish_number,
)
from web.slot import searcher

bp = Blueprint("pages", __name__)

#: What a reader is told while the index cannot be used (the cause goes to the server's log).
UNAVAILABLE_MESSAGE = (
    "Haber dizini şu an okunamıyor. Lütfen biraz sonra yeniden deneyin; sorun sürerse site "
    "yöneticisine bildirin."
)
#: Parameters a link on the page carries over (``page`` is set per link).
KEPT_PARAMETERS = tuple(name for name in SEARCH_PARAMETERS if name != "page")


bp.add_app_template_global(PARAMETER_LABELS, "parameter_labels")  # for the page's script


def _searched(names: tuple[str, ...] = SEARCH_PARAMETERS) -> dict[str, Any]:
    """The request's values of the search parameters ``names``: the search a link carries."""
    return {name: request.args.getlist(name) for name in names if name in request.args}


@bp.app_template_global()
def search_url(changes: dict[str, Any] | None = None, **more: Any) -> str:
    """The search page URL for the current parameters with ``changes`` applied.

    ``page`` is dropped unless given, so a new sort or filter starts at the first page.
    """
    params = _searched(KEPT_PARAMETERS)
    params.update(changes or {}, **more)
    params = {k: v for k, v in params.items() if v not in (None, "", [])}
    return url_for("pages.index", **params)


@bp.app_template_global()
def article_url(article_id: str, words: str) -> str:
    """An article's page, carrying the search it was found by (its words, the ones
    marked, then filters, sort and page), for its way back to that page of results."""
    return url_for("pages.article", article_id=article_id, **{**_searched(), "q": words})


@bp.app_template_filter("tr_date")
def tr_date(iso: str | None) -> str:
    return turkish_date(iso)


@bp.app_template_filter("tr_count")
def tr_count(value: int) -> str:
    return turkish_count(value)


@bp.app_template_filter("iso_year")
def iso_year(year: str) -> str:
    """A year as a date writes it, in four digits (a file dated 0225-… by mistake)."""
    return year.zfill(4)


@bp.app_template_filter("tr_category")
def tr_category(written: str) -> str:
    return category_label(category_key(written), written)


@bp.get("/")
def index() -> tuple[str, int]:
    """The search page: a form, and results when ``q`` is given."""
    q = request.args.get("q", "")
    names = category_labels()
    if not q.strip():
        page = render_template("search.html", q=q, stats=searcher().stats(), category_names=names)
        return page, 200
    common = {
        "q": q,
        "category_names": names,
        "quick_ranges": quick_ranges(newsroom_today()),
        "json_url": url_for("api.search", **request.args.to_dict(flat=False)),
    }
    try:
        wanted = read_search_request(request.args)
        page = searcher().search(wanted.q, **wanted.search_kwargs())
    except BadParameter as error:
        message = turkish_message(error, request.args)
        return render_template("search.html", error=message, **common), 400
    return render_template(
        "search.html",
        wanted=wanted,
        page=page,
        took=turkish_number(page.took_ms),
        pages=page_window(page.page, page.total, page.per_page),
        last_page=page_count(page.total, page.per_page),
        categories=_category_choices(page, wanted),
        chips=_chips(wanted),
        **common,
    ), 200


def newsroom_today() -> datetime.date:
    """Today in the newsroom (the app's ``TIME_ZONE``, by its ``CLOCK``): at 23:30 UTC it
    is already tomorrow in Istanbul, and so are the articles dated then."""
    config = current_app.config
    return local_day(config["CLOCK"](), time_zone(config["TIME_ZONE"]))


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description: the search page's URL (and the completions') for a
    browser's list of search engines. OpenSearch wants whole URLs: they are built from
    the address the browser asked this one by."""
    xml = render_template("opensearch.xml", root=request.url_root.rstrip("/"))
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> str:
    """One article with the words of ``?q=`` highlighted."""
    q = request.args.get("q", "")
    found = find_highlighted_article(article_id, q)
    return render_template(
        "article.html",
        article=found.article,
        related=searcher().related(found.article.id),
        q=q,
        back_url=url_for("pages.index", **_searched() if q.strip() else {}),  # the way back
        title_html=Markup(found.title_html),
        paragraphs=[Markup(paragraph) for paragraph in found.paragraphs_html],
        left_out_chars=found.left_out_chars,
        source_link=found.article.url if _is_web_address(found.article.url) else None,
    )


def _is_web_address(url: str | None) -> bool:
    return (url or "").startswith(("https://", "http://"))


@bp.errorhandler(Exception)
def handle_error(error: Exception) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """A Turkish error page: 404, 503 while the index is unusable, or a logged 500."""
    if isinstance(error, BadParameter):
        return _error_page(400, "Geçersiz istek", turkish_message(error, request.args))
    if isinstance(error, ArticleNotFound):
        return _error_page(404, "Haber bulunamadı", "Bu adreste bir haber yok.")
    if isinstance(error, Busy):
        page, status = _error_page(503, "Sunucu şu an yoğun", "Lütfen birazdan yeniden deneyin.")
        return page, status, {"Retry-After": "1"}
    if isinstance(error, HaberaraError):
        # the cause and its command are for the server's operator, not the reader
        current_app.logger.warning("index unusable, %s answered 503: %s", request.path, error)
        return _error_page(503, "Arama şu an kullanılamıyor", UNAVAILABLE_MESSAGE)
    if isinstance(error, HTTPException):
        if error.code == 404:
            return _error_page(404, "Sayfa bulunamadı", "Bu adreste bir sayfa yok.")
        code = error.code or 500
        return _error_page(code, "İstek karşılanamadı", f"Sunucu {code} yanıtını verdi.")
    current_app.logger.exception("unexpected error in %s", request.path)
    return _error_page(500, "Beklenmeyen bir hata oluştu", "Lütfen biraz sonra yeniden deneyin.")


def _error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message), status


def _category_choices(page: SearchPage, wanted: SearchRequest) -> list[dict[str, Any]]:
    """Category checkboxes: counts over the results ignoring the category filter itself.

    With a category chosen, the page's own facets would list only that category; a second,
    one-hit search without the category filter gives the counts of the others.
    """
    facets = page.facets.get("category", [])
    selected = wanted.categories
    if selected:
        unfiltered = {**wanted.search_kwargs(), "categories": [], "page": 1, "per_page": 1}
        facets = searcher().search(wanted.q, **unfiltered).facets.get("category", [])
    chosen = {category_key(name) for name in selected}
    choices = [
        {
            "value": facet.value,
            "label": category_label(facet.value, facet.name),
            "count": facet.count,
            "checked": facet.value in chosen,
        }
        for facet in facets
    ]
    missing = chosen - {facet.value for facet in facets}
    choices += [
        {"value": v, "label": category_label(v), "count": 0, "checked": True}
        for v in sorted(missing)
    ]
    return choices


def _chips(wanted: SearchRequest) -> list[dict[str, str]]:
    """The active filters, each with the link that removes it."""
    chips = []
    for category in wanted.categories:
        rest = [c for c in wanted.categories if c != category]
        label = category_label(category_key(category), category)
        chips.append({"label": label, "url": search_url(category=rest)})
    if wanted.date_from or wanted.date_to:
        start = turkish_date(wanted.date_from.isoformat()) if wanted.date_from else "…"
        end = turkish_date(wanted.date_to.isoformat()) if wanted.date_to else "…"
        chips.append({"label": f"{start} – {end}", "url": search_url({"from": None, "to": None})})
    return chips
