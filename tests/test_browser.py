"""The search page in a real headless browser (Debian's chromium driven by Playwright).

The server is the real ``haberara serve`` process (``live_server``). This module writes a
larger docs folder than the shared fixture, so that ``toplantı`` fills two pages.
Screenshots go to ``test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURE_ARTICLES, ROOT, write_articles

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium: run `make browser` (apt-get "
        "install chromium chromium-driver)",
    ),
]

CITIES = ["Ankara", "Konya", "Trabzon", "Van", "Edirne", "Muğla", "Sivas", "Rize", "Çorum"]
CATEGORIES = ["ekonomi", "kültür", "spor"]


def meeting_articles() -> dict[str, str]:
    """Nine more articles about meetings (toplantı), spread over categories and dates."""
    return {
        f"bolge/{city.lower()}.txt": (
            f"title: {city} valiliğinde koordinasyon toplantısı yapıldı\n"
            f"date: 2025-{number + 1:02d}-15\ncategory: {CATEGORIES[number % 3]}\n\n"
            f"{city} valisi, kurum müdürleriyle yaptığı toplantıda kış hazırlıklarını "
            f"değerlendirdi. Toplantıya belediye başkanları da katıldı.\n"
        )
        for number, city in enumerate(CITIES)
    }


#: Two articles about seeds (tohum) in categories written with Turkish letters.
SEED_ARTICLES = {
    "tohum/dis.txt": "title: Komşuda tohum\ncategory: Dış Haberler\n\nKomşuda tohum ekildi.\n",
    "tohum/bolge.txt": "title: Ovada tohum\ncategory: Bölge Haberleri\n\nOvada tohum ekildi.\n",
}


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """The shared fixture articles plus nine meeting reports (12 hits for ``toplantı``) and
    two seed reports."""
    articles = {**FIXTURE_ARTICLES, **meeting_articles(), **SEED_ARTICLES}
    return write_articles(tmp_path / "articles", articles)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page; fails the test on any console error (a CSP violation is one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_front_page(page, base: str) -> None:
    """Open the front page and wait for its search box to take the keyboard."""
    page.goto(base + "/")
    # autofocus: applied at the page's first rendering, which may follow the load event
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'")


def search_for(page, base: str, text: str) -> None:
    """Open the page, type into the focused search box and press Enter, as a reader does."""
    open_front_page(page, base)
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def hit_ids(page) -> list[str]:
    return page.locator("ol.hits h3 a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname.replace('/articles/', ''))"
    )


def test_typing_a_query_shows_marked_results(page, live_server):
    search_for(page, live_server, "toplantı")
    assert page.locator(".summary").inner_text().startswith("12 sonuç (")
    marks = page.locator("mark").all_inner_texts()
    assert "toplantıya" in marks
    assert len(page.locator("ol.hits > li").all()) == 10
    assert re.search(r"[?&]q=toplant%C4%B1", page.url)
    screenshot(page, "search-results")


def test_paging(page, live_server):
    search_for(page, live_server, "toplantı")
    first = hit_ids(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Sonraki ›").click()
    assert "page=2" in page.url
    second = hit_ids(page)
    assert len(second) == 2 and not set(first) & set(second)
    assert page.locator('.pagination [aria-current="page"]').inner_text() == "2"
    with page.expect_navigation():
        page.get_by_role("link", name="‹ Önceki").click()
    assert hit_ids(page) == first


def test_category_filter_with_script(page, live_server):
    search_for(page, live_server, "toplantı")
    culture = re.compile("^k[uü]lt[uü]r", re.IGNORECASE)  # shown as "Kültür"
    with page.expect_navigation():
        page.get_by_role("checkbox", name=culture).check()  # app.js submits on change
    assert "category=kultur" in page.url
    shown = {name.lower() for name in page.locator("ol.hits .category").all_inner_texts()}
    assert len(shown) == 1 and culture.match(shown.pop())
    assert page.locator(".summary").inner_text().startswith("3 sonuç")
    assert page.get_by_role("checkbox", name=culture).is_checked()
    assert page.get_by_role("checkbox", name=re.compile("^Spor")).is_visible()


def test_filters_and_sort_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/?q=toplant%C4%B1")
        page.get_by_role("checkbox", name=re.compile("^Ekonomi")).check()
        page.get_by_label("Başlangıç").fill("2025-01-01")
        page.get_by_label("Bitiş").fill("2025-06-30")
        with page.expect_navigation():
            page.get_by_role("button", name="Filtrele").click()
        dates = page.locator("ol.hits time").evaluate_all("ts => ts.map(t => t.dateTime)")
        assert dates and all("2025-01-01" <= d <= "2025-06-30" for d in dates)
        assert set(page.locator("ol.hits .category").all_inner_texts()) == {"Ekonomi"}
        with page.expect_navigation():
            page.get_by_role("link", name="Tarihe göre").click()
        dates = page.locator("ol.hits time").evaluate_all("ts => ts.map(t => t.dateTime)")
        assert dates == sorted(dates, reverse=True) and len(dates) == 2
        assert "category=ekonomi" in page.url and "sort=date" in page.url
    finally:
        context.close()


def test_sort_by_date(page, live_server):
    search_for(page, live_server, "toplantı")
    with page.expect_navigation():
        page.get_by_role("link", name="Tarihe göre").click()
    dates = page.locator("ol.hits time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert len(dates) == 10 and dates == sorted(dates, reverse=True)
    assert page.get_by_role("link", name="Tarihe göre").get_attribute("aria-current") == "true"


def test_open_an_article_with_highlights(page, live_server):
    search_for(page, live_server, "biskek")
    with page.expect_navigation():
        page.locator("ol.hits h3 a").first.click()
    assert "/articles/2025/09/biskek-zirvesi" in page.url
    assert "Bişkek'teki" in page.locator("article mark").all_inner_texts()
    assert page.locator("h1").inner_text().startswith("Türk Devletleri")
    screenshot(page, "article")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("aramasına dön")).click()
    assert page.locator("#q").input_value() == "biskek"


def test_a_phrase_no_article_holds_is_searched_as_its_words(page, live_server):
    search_for(page, live_server, '"toplantı sahibi"')
    notices = page.locator(".notice").all_inner_texts()
    assert any("“toplantı sahibi” ifadesini tam olarak içeren" in text for text in notices)
    assert hit_ids(page)[0] == "2025/09/biskek-zirvesi"  # the one with both words
    assert {"Toplantının", "sahibi"} <= set(page.locator("ol.hits mark").all_inner_texts())


def test_each_result_names_the_words_it_lacks(page, live_server):
    search_for(page, live_server, "liman zzzzyok")
    missing = page.locator("ol.hits .missing")
    assert missing.all_inner_texts() == ["Eksik: zzzzyok"] * len(hit_ids(page)) != []
    assert missing.first.is_visible()
    struck = missing.first.locator("s").evaluate("s => getComputedStyle(s).textDecorationLine")
    assert "line-through" in struck
    search_for(page, live_server, "liman")
    assert page.locator("ol.hits .missing").count() == 0


def test_corrected_results_then_the_words_as_typed_then_the_suggestion(page, live_server):
    search_for(page, live_server, "kırgıstan")
    assert "“kırgızistan” için sonuçlar gösteriliyor" in page.locator(".corrected").inner_text()
    assert page.locator(".summary").inner_text().startswith("1 sonuç")
    with page.expect_navigation():
        page.get_by_role("link", name="“kırgıstan” ara").click()
    assert "sonuç bulunamadı" in page.locator(".empty").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="kırgızistan").click()
    assert page.locator(".summary").inner_text().startswith("1 sonuç")


def test_corrected_results_as_you_type_say_so_and_mark_the_article(page, live_server):
    open_front_page(page, live_server)
    page.keyboard.type("kırgıstan", delay=30)
    corrected = page.locator(".corrected")
    corrected.wait_for()
    assert corrected.inner_text() == (
        "“kırgızistan” için sonuçlar gösteriliyor — yine de “kırgıstan” ara"
    )
    with page.expect_navigation():
        page.locator("ol.hits h3 a").first.click()
    assert page.locator("article mark").count() >= 1  # the corrected words are marked


def test_emptying_the_box_takes_the_old_results_away(page, live_server):
    open_front_page(page, live_server)
    page.keyboard.type("liman", delay=30)
    page.locator(".summary", has_text=re.compile("^1 sonuç")).wait_for()
    page.fill("#q", "")
    page.locator("#q").dispatch_event("input")
    page.locator("ol.hits").wait_for(state="detached")
    assert page.url == live_server + "/" and page.title() == "haberara"


def test_a_filter_the_search_refuses_is_said_as_you_type(browser, live_server):
    context = browser.new_context(locale="tr-TR")  # (the 400 is logged: no ``page`` fixture)
    page = context.new_page()
    page.goto(live_server + "/?q=toplant%C4%B1")
    page.fill("#from", "2026-06-01")
    page.fill("#to", "2025-01-01")
    page.locator("#q").click()
    page.keyboard.press("End")
    page.keyboard.type(" ankara", delay=30)
    alert = page.locator('#sonuclar [role="alert"]')
    alert.wait_for()
    assert alert.inner_text().startswith("Başlangıç tarihi geçersiz")
    assert "ankara" in page.url
    context.close()


def test_the_other_categories_stay_offered_as_you_type(page, live_server):
    page.goto(live_server + "/?q=toplant%C4%B1&category=spor")
    offered = page.locator(".filters .check").all_inner_texts()
    assert len(offered) > 1
    page.fill("#q", "zzqxwv")
    page.locator("#q").dispatch_event("input")
    page.locator(".empty").wait_for()
    assert "Filtreleri kaldırıp yeniden arayın" in page.locator(".empty").inner_text()
    page.fill("#q", "toplantı")
    page.locator("#q").dispatch_event("input")
    page.locator("ol.hits").wait_for()
    assert sorted(page.locator(".filters .check").all_inner_texts()) == sorted(offered)


def test_categories_keep_their_turkish_letters_as_you_type(page, live_server):
    """The script names the categories as the server's page does, a ticked one too, even
    when no article of the results is in it."""
    page.goto(live_server + "/?q=tohum&category=bolge+haberleri")
    page.fill("#q", "zzqxwv")
    page.locator("#q").dispatch_event("input")
    page.locator(".empty").wait_for()
    page.fill("#q", "tohum")
    page.locator("#q").dispatch_event("input")
    page.locator("ol.hits").wait_for()
    offered = page.locator(".filters .check").all_inner_texts()
    names = sorted(re.sub(r"\s*[\d.]+$", "", text.strip()) for text in offered)
    assert names == ["Bölge Haberleri", "Dış Haberler"]


def test_a_one_letter_prefix_is_named_as_you_type(page, live_server):
    open_front_page(page, live_server)
    page.keyboard.type("toplantı b*", delay=30)
    notice = page.locator(".notice", has_text="yıldızlı arama")
    notice.wait_for()
    assert notice.inner_text() == (
        "“b*”: yıldızlı arama için en az iki harf yazın; “b” kelime olarak arandı."
    )


@pytest.fixture
def long_word_article(articles_dir: Path) -> str:
    """An article whose title and body are one unbroken 180-letter word (a pasted address)."""
    word = "belgelikadres" + "x" * 167
    write_articles(articles_dir, {"uzun.txt": f"title: {word}\n\nBelgelik {word} metni.\n"})
    return "uzun"


@pytest.fixture
def common_phrase(articles_dir: Path) -> str:
    """A phrase in more articles than its checks read (2,000): its count is a lower bound."""
    phrase = "bakım onarım"
    notice = "Duyuru {}: yolda " + phrase + " çalışması var.\n"
    write_articles(articles_dir, {f"duyuru/{n:04d}.txt": notice.format(n) for n in range(2_001)})
    return phrase


def test_a_count_cut_short_says_at_least_as_you_type(common_phrase, page, live_server):
    open_front_page(page, live_server)
    page.keyboard.type(f'"{common_phrase}"', delay=30)
    summary = page.locator(".summary", has_text="en az")
    summary.wait_for()
    assert summary.inner_text().startswith("en az 2.000 sonuç (")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_unbroken_long_title_does_not_widen_the_page(
    long_word_article, browser, live_server, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="tr-TR")
    page = context.new_page()
    for path in ("/?q=belgelik", f"/articles/{long_word_article}?q=belgelik"):
        page.goto(live_server + path)
        assert page.locator("mark").count() >= 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, width, overflow)
    screenshot(page, f"long-word-{width}")
    context.close()


def test_keyboard_only_use_with_visible_focus(page, live_server):
    search_for(page, live_server, "toplantı")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")  # app.js: "/" jumps to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('ol.hits') !== null"):
            break
    else:
        pytest.fail("Tab never reached a result link")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/articles/" in page.url


def test_readable_at_phone_width(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/?q=toplant%C4%B1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        box = page.locator("#q").bounding_box()
        assert box and box["width"] > 200
        screenshot(page, "search-results-phone")
    finally:
        context.close()


def test_invalid_date_shows_turkish_error(browser, live_server):
    """Its own page: the expected 400 is logged to the console, which ``page`` rejects."""
    context = browser.new_context()
    page = context.new_page()
    try:
        response = page.goto(live_server + "/?q=toplant%C4%B1&from=2025-99-99")
        assert response and response.status == 400
        alert = page.get_by_role("alert").inner_text()
        assert "Başlangıç tarihi geçerli bir tarih olmalı" in alert
        assert page.locator("#q").input_value() == "toplantı"
    finally:
        context.close()


# --- results as you type, completions, related articles, the phone layout ---------------------


def test_typing_shows_results_without_pressing_enter(page, live_server):
    open_front_page(page, live_server)
    page.evaluate("window.stayedOnThisPage = true")
    page.keyboard.type("liman", delay=30)  # the first letters' requests are cancelled
    page.locator(".summary", has_text=re.compile("^1 sonuç")).wait_for()
    page.keyboard.type(" OR toplantı", delay=30)
    page.locator(".summary", has_text=re.compile("^12 sonuç")).wait_for()
    assert page.evaluate("window.stayedOnThisPage") is True  # no page load: drawn in place
    assert len(page.locator("ol.hits > li").all()) == 10
    assert "toplantıya" in page.locator("ol.hits mark").all_inner_texts()
    assert page.locator("#duyuru").inner_text().startswith("12 sonuç")  # read out
    assert re.search(r"[?&]q=liman\+OR\+toplant%C4%B1", page.url)
    assert page.get_by_role("checkbox", name=re.compile("^Ekonomi")).is_visible()  # facets
    week = page.get_by_role("link", name="Son 7 gün")
    assert week.is_visible()
    today = datetime.date.today()
    week_from = (today - datetime.timedelta(6)).isoformat()  # today and the 6 days before
    assert f"from={week_from}&to={today.isoformat()}" in week.get_attribute("href")
    json_link = page.locator("a.json-link").get_attribute("href")
    assert json_link == "/api/search?q=liman+OR+toplant%C4%B1"
    screenshot(page, "results-as-you-type")
    page.reload()  # the URL is the search's own page
    assert page.locator(".summary").inner_text().startswith("12 sonuç")


def test_autocomplete_by_keyboard(page, live_server):
    open_front_page(page, live_server)
    box = page.locator("#q")
    page.keyboard.type("coru")  # no Turkish letters, lower case: "Çorum" is offered
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    assert options.all_inner_texts()[0] == "Çorum"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    screenshot(page, "autocomplete")
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and not options.first.is_visible()
    page.keyboard.type("m")
    options.first.wait_for()
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=%C3%87orum" in page.url
    assert "from=" not in page.url and "to=" not in page.url  # empty date fields are not sent
    assert page.locator(".summary").inner_text().startswith("1 sonuç")


def test_related_articles_are_shown(page, live_server):
    page.goto(live_server + "/articles/bolge/ankara")
    related = page.get_by_role("region", name="Benzer haberler").get_by_role("link")
    assert related.count() == 5
    hrefs = related.evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    assert all(h.startswith("/articles/bolge/") and h != "/articles/bolge/ankara" for h in hrefs)
    screenshot(page, "related-articles")
    with page.expect_navigation():
        related.first.click()
    assert page.url.endswith(hrefs[0])


def test_phone_layout_results_first_and_the_filters_button(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/?q=toplant%C4%B1&category=ekonomi")
        assert page.evaluate("document.activeElement === document.body")  # no autofocus
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Sonuçlara geç"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "sonuclar"
        chip = page.get_by_role("link", name="Ekonomi filtresini kaldır")
        assert chip.is_visible() and "×" in chip.inner_text()
        filters = page.locator("#filtreler")
        assert not filters.is_visible()
        button = page.get_by_role("button", name=re.compile("^Filtreler"))
        assert button.bounding_box()["y"] < page.locator("ol.hits").bounding_box()["y"]
        for _ in range(8):  # from the results, Tab reaches a result before any filter
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('ol.hits, #filtreler') !== null"):
                break
        assert page.evaluate("document.activeElement.closest('ol.hits') !== null")
        button.click()
        assert filters.is_visible() and button.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.closest('#filtreler') !== null")
        screenshot(page, "phone-filters-open")
        for key in ["Tab"] * 30 + ["Shift+Tab"] * 30:  # focus goes round the open panel
            page.keyboard.press(key)
            assert page.evaluate("document.activeElement.closest('#filtreler') !== null"), key
        page.keyboard.press("Escape")
        assert not filters.is_visible()
        assert page.evaluate("document.activeElement.classList.contains('filters-toggle')")
        page.locator("#q").press_sequentially(" OR liman")  # redrawn: the filter stays a chip
        page.locator(".summary", has_text=re.compile("^4 sonuç")).wait_for()
        with page.expect_navigation():
            chip.click()
        assert "category" not in page.url and page.locator(".summary").inner_text().startswith("12")
        screenshot(page, "phone-results")
    finally:
        context.close()


def test_the_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.get_by_label("Haberlerde ara").fill("toplantı")
        with page.expect_navigation():
            page.get_by_label("Haberlerde ara").press("Enter")
        assert page.locator(".summary").inner_text().startswith("12 sonuç")
        assert page.locator("#q").get_attribute("role") is None  # no half-made combobox
        filters = page.locator("#filtreler")
        assert filters.is_visible()  # after the results, reached by the Filtreler link
        assert page.locator("#sonuclar").bounding_box()["y"] < filters.bounding_box()["y"]
        page.get_by_role("link", name="Filtreler", exact=True).click()
        assert page.url.endswith("#filtreler")
        screenshot(page, "no-javascript")
    finally:
        context.close()
