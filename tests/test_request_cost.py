"""What one request may cost, against a real index and the real server: marks on an
article page, a title's length, the words a suggestion looks up, phrase checks once the
request's budget is spent, and connections left open and silent."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from conftest import haberara, serve, write_articles
from search.articles import HEADER_TITLE_MAX_CHARS
from search.errors import Busy
from search.searching import budget
from search.searching.engine import PHRASE_BUDGET_EVERY
from search.searching.highlight import MAX_MARKS
from search.searching.searcher import PAGE_BODY_CHARS, RELATED_BODY_CHARS, Searcher
from search.searching.suggest import MAX_SUGGESTED_WORDS

#: Ten long words, each written once in its own article, and each misspelt in a query.
WORDS = (
    "kütüphanesi", "hastanesinde", "üniversitesi", "cumhurbaşkanı", "milletvekili",
    "belediyesinin", "öğretmenleri", "mahkemesinde", "bakanlığının", "stadyumunda",
)  # fmt: skip
REPEATED = "belediye"
#: A costly search: more quoted phrases than a plain one has.
THREE_PHRASES = '"kent meclisi" "bütçe konuşuldu" "oturumda bütçe"'


def misspelt(word: str) -> str:
    """``word`` with its fourth letter doubled: one edit away, found by nothing."""
    return word[:4] + word[3] + word[4:]


@pytest.fixture
def costly(tmp_path: Path) -> Path:
    """An index with an article of one word repeated, one with a very long title, one
    article per long word, and many holding the same phrase."""
    articles = {
        "dev/tekrar.txt": "title: Tekrar\n\n" + " ".join([REPEATED] * 5 * MAX_MARKS) + "\n",
        "dev/uzun-baslik.txt": "title: " + "Uzun başlık " * 400 + "\n\nKısa bir metin.\n",
        **{
            f"kelime/{number}.txt": f"title: Haber {number}\n\nBu haberde {word} geçiyor.\n"
            for number, word in enumerate(WORDS)
        },
        **{
            f"meclis/{number:03d}.txt": f"title: Meclis {number}\n\nKent meclisi toplandı; "
            f"{number}. oturumda bütçe konuşuldu.\n"
            for number in range(3 * PHRASE_BUDGET_EVERY)
        },
    }
    docs = write_articles(tmp_path / "docs", articles)
    index = tmp_path / "index"
    result = haberara("reindex", "--docs", str(docs), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return index


def test_marks_per_page_and_title_length_are_bounded(costly: Path) -> None:
    with serve(costly) as base:
        page = requests.get(f"{base}/articles/dev/tekrar", params={"q": REPEATED}, timeout=30)
        title = requests.get(f"{base}/api/articles/dev/uzun-baslik", timeout=10).json()["title"]
    assert page.status_code == 200
    assert page.text.count("<mark>") == MAX_MARKS
    assert page.text.count(REPEATED) >= 5 * MAX_MARKS  # the whole text is still there
    assert len(title) <= HEADER_TITLE_MAX_CHARS and title.endswith("…")


def test_a_suggestion_looks_up_a_few_words(costly: Path) -> None:
    query = " ".join(misspelt(word) for word in WORDS)
    result = haberara("search", query, "--index", str(costly), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    # the suggestion, or its results at once when it finds articles (then `corrected`)
    suggested = (answer["suggestion"] or answer["corrected"]).split()
    assert suggested[:MAX_SUGGESTED_WORDS] == list(WORDS[:MAX_SUGGESTED_WORDS])
    assert suggested[MAX_SUGGESTED_WORDS:] == [misspelt(w) for w in WORDS[MAX_SUGGESTED_WORDS:]]


def test_words_no_article_holds_beside_results_are_looked_up_within_the_budget(
    costly: Path,
) -> None:
    """``haberde`` finds the articles of the long words, which none of their misspellings
    does: beside those results the suggestion looks up a few of the words no article
    holds, and none once the request's budget is spent (that page is not kept)."""
    query = " ".join(["haberde", *(misspelt(word) for word in WORDS)])
    searcher = Searcher(costly)
    with budget.request_budget(seconds=0.0):
        cut = searcher.search(query)
    assert cut.total == len(WORDS) and cut.suggestion is None
    page = searcher.search(query)  # no budget: not the kept page
    assert page.total == len(WORDS) and page.corrected is None
    suggested = page.suggestion.split()
    looked_up = MAX_SUGGESTED_WORDS
    assert suggested[0] == "haberde"
    assert suggested[1 : 1 + looked_up] == list(WORDS[:looked_up])
    assert suggested[1 + looked_up :] == [misspelt(word) for word in WORDS[looked_up:]]


def test_phrase_checks_stop_when_the_budget_is_spent_and_are_not_kept(costly: Path) -> None:
    searcher = Searcher(costly)
    with budget.request_budget(seconds=0.0):
        cut = searcher.search('"kent meclisi"', per_page=100)
    assert cut.total == PHRASE_BUDGET_EVERY - 1
    whole = searcher.search('"kent meclisi"', per_page=100)  # no budget: not the kept page
    assert whole.total == 3 * PHRASE_BUDGET_EVERY


def test_connections_left_silent_do_not_lock_others_out(costly: Path) -> None:
    with serve(costly) as base, contextlib.ExitStack() as stack:
        port = int(base.rsplit(":", 1)[1])
        for _ in range(250):
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
        response = requests.get(f"{base}/healthz", timeout=10)
        assert response.status_code == 200


def test_a_costly_search_is_refused_while_another_runs_and_a_plain_one_is_not(costly: Path):
    searcher = Searcher(costly)
    running, release = threading.Event(), threading.Event()

    def hold_the_slot() -> None:
        with budget.request_budget(seconds=60), budget.heavy_request():
            running.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    try:
        assert running.wait(30)
        with budget.request_budget():
            with pytest.raises(Busy):
                searcher.search(THREE_PHRASES)
            assert searcher.search("bütçe").total == 3 * PHRASE_BUDGET_EVERY
    finally:
        release.set()
        holder.join(30)
    with budget.request_budget():
        assert searcher.search(THREE_PHRASES).total == 3 * PHRASE_BUDGET_EVERY


def test_a_costly_search_waits_for_its_turn_rather_than_being_refused(costly: Path) -> None:
    """Refused at once, a client asks again at once: one that waits a moment costs less."""
    searcher = Searcher(costly)
    running = threading.Event()

    def hold_the_turn_briefly() -> None:
        with budget.request_budget(seconds=60), budget.heavy_request():
            running.set()
            time.sleep(budget.HEAVY_WAIT_SECONDS / 4)

    holder = threading.Thread(target=hold_the_turn_briefly)
    holder.start()
    try:
        assert running.wait(30)
        with budget.request_budget():
            assert searcher.search(THREE_PHRASES).total == 3 * PHRASE_BUDGET_EVERY
    finally:
        holder.join(30)


#: Articles holding both words of :data:`SCATTERED_PHRASE` apart: each one a phrase check.
SCATTERED_ARTICLES = 2_000
SCATTERED_PHRASE = '"liman ihalesi" "ihale sonucu"'
#: Sentences before the phrase's words: long enough that checking the articles outlasts
#: the client's hanging up.
FILLER_SENTENCES = 160


def _scattered(number: int) -> str:
    sentence = "Kurul yıllık raporunu okudu ve üyeler görüşlerini tek tek anlattı. "
    filler = sentence * FILLER_SENTENCES
    return (
        f"title: Rapor {number}\n\nLiman için yeni bir karar çıktı. {filler}"
        f"Bu yılki ihalesi ertelendi, ihale için başka bir tarih verildi; sonucu bekleniyor.\n"
    )


@pytest.fixture
def scattered(tmp_path: Path) -> Path:
    """An index where a quoted phrase's words stand apart in many articles: its search
    checks each of them against the stored text, as long as its budget lasts."""
    articles = {f"rapor/{n:04d}.txt": _scattered(n) for n in range(SCATTERED_ARTICLES)}
    docs = write_articles(tmp_path / "docs", articles)
    index = tmp_path / "index"
    result = haberara("reindex", "--docs", str(docs), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return index


#: Clients that hang up, one after another until the server notices one: on a fast machine
#: a search can end before its client's hanging up reaches the server, and on a busy one
#: the request can be dropped before a thread takes it up; either leaves nothing to notice
#: (and a search that ends keeps its page, so each client asks for another page).
HASTY_TRIES = 5


def _gone_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "the client went away" in line]


def test_a_search_stops_its_optional_work_when_its_client_goes(
    scattered: Path, tmp_path: Path
) -> None:
    """A client sends a costly search and hangs up at once: the server notices and stops
    the search's phrase checks (it says so in its log); a client that waits gets its
    answer, and no such line."""
    log = tmp_path / "server.log"
    target = "/api/search?" + urlencode({"q": SCATTERED_PHRASE})
    with serve(scattered, "--workers", "1", log=log) as base:
        answer = requests.get(base + target + "&page=2", timeout=30)  # kept apart
        assert answer.status_code == 200
        assert _gone_lines(log) == []
        port = int(base.rsplit(":", 1)[1])
        for attempt in range(HASTY_TRIES):
            asked = f"{target}&page={3 + attempt}"  # a page of its own: none kept to answer it
            with socket.create_connection(("127.0.0.1", port), timeout=10) as hasty:
                hasty.sendall(f"GET {asked} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                # hang up once the search has begun: waitress drops a request whose client
                # left before a thread took it up, and there would be nothing to stop
                time.sleep(0.05)
            for _ in range(30):  # the search ends within its budget, then says why
                if _gone_lines(log):
                    break
                time.sleep(0.1)
            if _gone_lines(log):
                break
        assert len(_gone_lines(log)) == 1, log.read_text()
        assert "/api/search?q=" in _gone_lines(log)[0]


#: A long article: its first part on an earthquake drill, then pages and pages on a match.
DRILL = "Okullarda deprem tatbikatı yapıldı; öğrenciler deprem çantalarını hazırladı. "
MATCH = "Futbol maçında taraftarlar stadyumu doldurdu ve futbolcular sahaya çıktı. "


@pytest.fixture
def long_article(tmp_path: Path) -> Path:
    """An index with one article far longer than a page shows, and two short ones: one on
    what the long article starts with, one on what fills the rest of it."""
    drill = DRILL * (RELATED_BODY_CHARS // len(DRILL) + 1)
    filler = MATCH * (3 * PAGE_BODY_CHARS // len(MATCH))
    articles = {
        "dev/cok-uzun.txt": "title: Uzun dosya\n\n" + drill + "\n\n" + filler + "\n",
        "kisa/tatbikat.txt": "title: Tatbikat\n\n" + DRILL * 2 + "\n",
        "kisa/mac.txt": "title: Maç\n\n" + MATCH * 2 + "\n",
    }
    docs = write_articles(tmp_path / "docs", articles)
    index = tmp_path / "index"
    result = haberara("reindex", "--docs", str(docs), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return index


def test_a_very_long_articles_page_shows_its_first_part_and_the_api_all(long_article: Path):
    with serve(long_article) as base:
        page = requests.get(f"{base}/articles/dev/cok-uzun", params={"q": "futbol"}, timeout=30)
        whole = requests.get(f"{base}/api/articles/dev/cok-uzun", timeout=30).json()
    assert page.status_code == 200
    shown = page.text.count(MATCH.split()[1])  # "maçında": once per sentence shown
    assert 0 < shown * len(MATCH) <= PAGE_BODY_CHARS
    said = re.search(r"Haberin kalan ([\d.]+) karakteri bu sayfada gösterilmiyor", page.text)
    assert said, "the page says that it leaves part of the article out"
    left_out = int(said[1].replace(".", ""))  # Turkish digits: 400.123
    assert PAGE_BODY_CHARS // 2 <= len(whole["body"]) - left_out <= PAGE_BODY_CHARS
    assert whole["body"].count("maçında") == 3 * PAGE_BODY_CHARS // len(MATCH)


def test_related_articles_come_from_the_start_of_a_very_long_article(long_article: Path):
    related = Searcher(long_article).related("dev/cok-uzun")
    assert [article.id for article in related] == ["kisa/tatbikat"]


def _hold_the_turn(ready) -> None:
    """In a process of its own: run a costly request, say so on ``ready``, and wait to be
    killed."""
    with budget.request_budget(seconds=60), budget.heavy_request():
        ready.send(True)
        time.sleep(60)


def test_processes_sharing_the_turn_run_one_costly_request_at_a_time(costly: Path) -> None:
    """A server's workers share one turn: a costly request is refused in one process while
    another runs one, and the turn comes back when that process dies."""
    import multiprocessing

    budget.share_heavy_turn()
    context = multiprocessing.get_context("fork")
    ready, sender = context.Pipe(duplex=False)
    holder = context.Process(target=_hold_the_turn, args=(sender,))
    holder.start()
    searcher = Searcher(costly)
    try:
        assert ready.poll(30) and ready.recv()
        with budget.request_budget():
            with pytest.raises(Busy):
                searcher.search(THREE_PHRASES)
            assert searcher.search("bütçe").total == 3 * PHRASE_BUDGET_EVERY
        holder.kill()  # killed while holding it: the kernel gives the turn back
        holder.join(30)
        with budget.request_budget():
            assert searcher.search(THREE_PHRASES).total == 3 * PHRASE_BUDGET_EVERY
    finally:
        holder.kill()
        holder.join(30)


def test_a_costly_request_steps_aside_while_a_plain_one_runs(monkeypatch) -> None:
    """Threads of one process run Python one at a time: the costly request lets the plain
    one finish first, and goes on at once when none runs."""
    monkeypatch.setattr(budget, "STEP_ASIDE_SECONDS", 30.0)
    events: list[str] = []
    plain_started, costly_waiting = threading.Event(), threading.Event()

    def plain() -> None:
        with budget.request_budget():
            plain_started.set()
            assert costly_waiting.wait(30)
            time.sleep(0.05)
            events.append("plain done")

    def costly() -> None:
        with budget.request_budget(seconds=60), budget.heavy_request():
            budget.step_aside()  # none runs yet: at once
            events.append("costly alone")
            assert plain_started.wait(30)
            costly_waiting.set()
            budget.step_aside()
            events.append("costly after")

    threads = [threading.Thread(target=costly), threading.Thread(target=plain)]
    threads[0].start()
    while not events:  # the costly request ran its first step before the plain one came
        time.sleep(0.001)
    threads[1].start()
    for thread in threads:
        thread.join(60)
    assert events == ["costly alone", "plain done", "costly after"]
