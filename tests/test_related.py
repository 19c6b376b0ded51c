"""Related articles (``Searcher.related``) on a real index of articles we wrote."""

from __future__ import annotations

import pytest

from conftest import write_articles
from search import RelatedArticle, Searcher, reindex

FLOOD = (
    "Karadeniz'de sel felaketi: dereler taştı, köprüler yıkıldı. Sel bölgesinde ekipler "
    "arama çalışması yürütüyor. Selde evler su altında kaldı ve dereler taşmaya devam ediyor."
)


def articles() -> dict[str, str]:
    """Four flood reports (two equally close, of different dates), a copy of one, and
    unrelated news."""
    return {
        "sel/ilk.txt": f"title: Rize'de sel felaketi\ndate: 2025-06-01\n\n{FLOOD}\n",
        "sel/eski.txt": f"title: Artvin'de sel\ndate: 2024-06-01\n\n{FLOOD}\n",
        "sel/yeni.txt": f"title: Giresun'da sel\ndate: 2025-07-01\n\n{FLOOD}\n",
        "sel/kopya.txt": f"title: Rize'de sel felaketi\ndate: 2025-06-02\n\n{FLOOD}\n",
        "sel/uzak.txt": (
            "title: Sel sonrası yardım kampanyası\ndate: 2023-01-01\n\n"
            "Dereler taştı; sel bölgesine yardım kampanyası başladı. Kampanya sürüyor, "
            "kampanya için bağış toplanıyor.\n"
        ),
        **{
            f"spor/mac{n}.txt": (
                f"title: Derbi {n}\ndate: 2025-0{n}-10\n\nDerbide gol sesi çıkmadı. "
                "Derbi golsüz bitti, taraftarlar maçı izledi.\n"
            )
            for n in range(1, 6)
        },
    }


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    tmp_path = tmp_path_factory.mktemp("related")
    index = tmp_path / "index"
    reindex(write_articles(tmp_path / "articles", articles()), index)
    return Searcher(index)


def test_related_are_the_articles_on_the_same_story_newest_first(searcher):
    related = searcher.related("sel/ilk")
    assert all(isinstance(item, RelatedArticle) for item in related)
    ids = [item.id for item in related]
    # equally close: the newer first; the copy (same title) and itself never
    assert ids[:2] == ["sel/yeni", "sel/eski"]
    assert "sel/ilk" not in ids and "sel/kopya" not in ids
    assert "sel/uzak" in ids and not any(i.startswith("spor/") for i in ids)
    assert related[0] == RelatedArticle("sel/yeni", "Giresun'da sel", "2025-07-01", None, None)


def test_at_most_five_and_limit(searcher):
    assert len(searcher.related("spor/mac1")) == 4
    assert len(searcher.related("spor/mac1", limit=2)) == 2


def test_unknown_article_has_none(searcher):
    assert searcher.related("yok/boyle-bir-haber") == []
