"""Turkish wording for the page: dates, numbers, error messages, pagination."""

from __future__ import annotations

import datetime
import math

from werkzeug.datastructures import MultiDict

from search import MAX_PER_PAGE, MAX_QUERY_LENGTH, BadParameter
from web.params import read_date

MONTHS = (
    "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran",
    "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık",
)  # fmt: skip

#: Filter labels for each parameter the page can get wrong.
PARAMETER_LABELS = {
    "from": "Başlangıç tarihi",
    "to": "Bitiş tarihi",
    "page": "Sayfa numarası",
    "per_page": "Sayfa başına sonuç sayısı",
    "sort": "Sıralama",
    "q": "Arama metni",
}


def turkish_date(iso: str | None) -> str:
    """``2025-09-12`` -> ``12 Eylül 2025``; empty for no date."""
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def turkish_number(value: float) -> str:
    """``9.5`` -> ``9,5`` (Turkish decimal comma)."""
    return f"{value:.1f}".replace(".", ",")


def turkish_message(error: BadParameter, args: MultiDict[str, str]) -> str:
    """One Turkish sentence saying what to change; the library's messages are English."""
    name = error.parameter
    label = PARAMETER_LABELS.get(name, name)
    if name in ("from", "to"):
        try:
            read_date(args, name)
        except BadParameter:
            return f"{label} geçerli bir tarih olmalı, YYYY-AA-GG biçiminde (örneğin 2025-09-12)."
        return "Başlangıç tarihi, bitiş tarihinden sonra olamaz."
    if name == "q":
        if not args.get("q", "").strip():
            return "Aramak istediğiniz kelimeleri yazın."
        return f"{label} en fazla {MAX_QUERY_LENGTH} karakter olabilir; lütfen kısaltın."
    if name == "page":
        return f"{label} 1 veya daha büyük bir tam sayı olmalı."
    if name == "per_page":
        return f"{label} 1 ile {MAX_PER_PAGE} arasında bir tam sayı olmalı."
    if name == "sort":
        return f"{label} “ilgi” ya da “tarih” olabilir."
    return f"{label} geçersiz."


def page_count(total: int, per_page: int) -> int:
    """How many result pages there are (at least one)."""
    return max(1, math.ceil(total / per_page))


def page_window(page: int, total: int, per_page: int, width: int = 2) -> list[int | None]:
    """Page numbers to link around ``page``, ``None`` standing for a gap.

    >>> page_window(6, 200, 10)
    [1, None, 4, 5, 6, 7, 8, None, 20]
    """
    last = page_count(total, per_page)
    shown = {1, last, *range(max(1, page - width), min(last, page + width) + 1)}
    window: list[int | None] = []
    for number in sorted(shown):
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
