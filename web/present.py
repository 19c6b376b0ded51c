"""Turkish wording for the page: dates, numbers, category names, error messages,
pagination and quick date ranges."""

from __future__ import annotations

import datetime
import math
import zoneinfo

from werkzeug.datastructures import MultiDict

from search import MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS, BadParameter
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


def turkish_count(value: int) -> str:
    """``4393`` -> ``4.393`` (Turkish thousands separator)."""
    return f"{value:,}".replace(",", ".")


#: The newsroom's time zone: the page's "today" is its day (the ``TIME_ZONE`` setting).
NEWSROOM_ZONE = "Europe/Istanbul"
#: Turkey's time, UTC+3 all year since 2016: the newsroom's zone where the system has no
#: time zone data.
TURKEY_TIME = datetime.timezone(datetime.timedelta(hours=3), "+03")


def time_zone(name: str) -> datetime.tzinfo:
    """The time zone ``name``; for :data:`NEWSROOM_ZONE`, :data:`TURKEY_TIME` where the
    system has no time zone data. An unknown name raises ``ZoneInfoNotFoundError``."""
    try:
        return zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        if name == NEWSROOM_ZONE:
            return TURKEY_TIME
        raise


def local_day(now: datetime.datetime, zone: datetime.tzinfo) -> datetime.date:
    """The day it is in ``zone`` at the moment ``now`` (an aware time).

    >>> local_day(datetime.datetime(2026, 12, 31, 21, 30, tzinfo=datetime.UTC), TURKEY_TIME)
    datetime.date(2027, 1, 1)
    """
    return now.astimezone(zone).date()


#: The page's names of the accepted ``sort`` values.
SORT_NAMES = {"relevance": "ilgiye göre", "date": "tarihe göre"}


def quick_ranges(today: datetime.date) -> list[tuple[str, str, str]]:
    """``(label, from, to)`` of the quick date ranges offered beside the date fields.

    Both ends count: the last 7 days are today and the 6 before it. Articles have a day,
    not an hour, so the last 24 hours are yesterday and today.

    >>> quick_ranges(datetime.date(2025, 9, 12))[:2]
    [('Son 24 saat', '2025-09-11', '2025-09-12'), ('Son 7 gün', '2025-09-06', '2025-09-12')]
    """
    days = [("Son 24 saat", 1), ("Son 7 gün", 6), ("Son 30 gün", 29)]
    ranges = [
        (label, (today - datetime.timedelta(n)).isoformat(), today.isoformat()) for label, n in days
    ]
    return [*ranges, ("Bu yıl", f"{today.year}-01-01", today.isoformat())]


def turkish_message(error: BadParameter, args: MultiDict[str, str]) -> str:
    """One Turkish sentence saying what to change; the library's messages are English."""
    name = error.parameter
    label = PARAMETER_LABELS.get(name, name)
    if len(args.getlist(name)) > 1 and name != "category":
        return f"{label} adreste bir kez verilmeli ({len(args.getlist(name))} kez verilmiş)."
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
        accepted = " ya da ".join(f"“{value}” ({SORT_NAMES[value]})" for value in SORTS)
        return f"{label} {accepted} olabilir."
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
