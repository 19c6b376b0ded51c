"""The names categories are shown by, on the page, in the API's facets and in the
``search --json`` command's: a known name, else the category as its articles write it,
capitalised the Turkish way."""

from __future__ import annotations

import re

#: How readers are shown the categories an archive files its articles under (by their
#: key, :func:`search.storage.schema.category_key`); the web app's ``CATEGORY_NAMES``
#: setting adds or overrides names, and any other category is named by
#: :func:`derived_category_name`.
CATEGORY_NAMES = {
    "asayis": "Asayiş",
    "bilim": "Bilim",
    "bilim-teknoloji": "Bilim-Teknoloji",
    "cevre": "Çevre",
    "dis-haber": "Dış Haber",
    "dis-haberler": "Dış Haberler",
    "dis-politika": "Dış Politika",
    "dunya": "Dünya",
    "egitim": "Eğitim",
    "ekonomi": "Ekonomi",
    "genel": "Genel",
    "guncel": "Güncel",
    "gundem": "Gündem",
    "ic-haber": "İç Haber",
    "ic-haberler": "İç Haberler",
    "ic-politika": "İç Politika",
    "kultur": "Kültür",
    "kultur-sanat": "Kültür-Sanat",
    "magazin": "Magazin",
    "planet": "Planet",
    "politika": "Politika",
    "saglik": "Sağlık",
    "siyaset": "Siyaset",
    "spor": "Spor",
    "tarim": "Tarım",
    "teknoloji": "Teknoloji",
    "turkiye": "Türkiye",
    "yasam": "Yaşam",
    "yerel": "Yerel",
}


def category_name(key: str, written: str | None = None, names: dict[str, str] | None = None) -> str:
    """The name a category is shown by: a configured one, else the name as an article
    wrote it (``written``) or the key, each word capitalised the Turkish way.

    >>> category_name("kultur-sanat"), category_name("bilim-ilim", "bilim-ilim")
    ('Kültür-Sanat', 'Bilim-İlim')
    >>> category_name("ic-haber"), category_name("dis-politika")
    ('İç Haber', 'Dış Politika')
    """
    found = (names or CATEGORY_NAMES).get(key)
    return found or derived_category_name(written or key)


def derived_category_name(name: str) -> str:
    """Each word (between spaces and hyphens) capitalised, ``i`` as ``İ``: ``iç-haber`` ->
    ``İç-Haber``; a name already holding capitals is kept."""
    if any(character.isupper() for character in name):
        return name
    parts = re.split(r"([\s-]+)", name)
    return "".join(_turkish_capital(part) for part in parts)


def _turkish_capital(word: str) -> str:
    if not word:
        return word
    first = {"i": "İ", "ı": "I"}.get(word[0], word[0].upper())
    return first + word[1:]


def facet_names(
    entries: list[dict], written: dict[str, str], names: dict[str, str] | None = None
) -> list[dict]:
    """Category facet entries (``value``, ``count``, ``name``) named as readers are shown
    them; ``written`` is how the index's articles most often write each category key
    (the same on every page of results), ``names`` the known names.

    >>> facet_names([{"value": "ic-haber", "count": 2, "name": "iç haber"}], {})
    [{'value': 'ic-haber', 'count': 2, 'name': 'İç Haber'}]
    """
    return [
        {
            **entry,
            "name": category_name(
                entry["value"], written.get(entry["value"]) or entry["name"], names
            ),
        }
        for entry in entries
    ]
