"""Tests for search/articles.py: every format, encoding and rejection reason, on real files."""

from __future__ import annotations

import datetime
import hashlib
import os
import unicodedata
from pathlib import Path

import pytest

from search.articles import (
    DEFAULT_MAX_BYTES,
    Article,
    ArticleError,
    article_id,
    decode_article,
    derive_title,
    find_date,
    list_article_files,
    parse_article,
    read_article,
    scan_article_files,
)

SEED_EXAMPLE = Path(__file__).resolve().parents[2] / "shared/seed/000_1e033fb6aa629b6a.txt"

HEADER_ARTICLE = """title: İZMİR'de liman genişletme projesi onaylandı
date: 2025-10-04
category: ekonomi
source: haberara-test
url: https://ornek.haberara.test/ekonomi/izmir-liman

İzmir Limanı'nın kapasitesini iki katına çıkaracak proje, bakanlıkta yapılan toplantıda onaylandı.

Projenin 2027'de tamamlanması bekleniyor.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write a fixture file (text as UTF-8), creating parent folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return path


def read(folder: Path, content: str | bytes, name: str = "haber.txt", **kwargs: int) -> Article:
    """Write one file into `folder` and read it back."""
    return read_article(write(folder, name, content), folder, **kwargs)


def reason(folder: Path, content: str | bytes) -> str:
    """Return the rejection reason for a file with `content`."""
    with pytest.raises(ArticleError) as caught:
        read(folder, content)
    assert caught.value.reason == str(caught.value)
    return caught.value.reason


# --- formats ------------------------------------------------------------------------------


def test_seed_style_with_date(tmp_path: Path) -> None:
    text = (
        " date 2025-09-12 Bişkek'te toplantı yapıldı. Heyetler görüştü.\n\n"
        "Toplantının ardından açıklama yapıldı."
    )
    article = read(tmp_path, text)
    assert article.date == datetime.date(2025, 9, 12)
    assert article.body == (
        "Bişkek'te toplantı yapıldı. Heyetler görüştü.\n\nToplantının ardından açıklama yapıldı."
    )
    assert article.title == "Bişkek'te toplantı yapıldı"
    assert article.title_derived is True
    assert article.category is None and article.source is None and article.url is None


def test_seed_style_date_alone_on_first_line(tmp_path: Path) -> None:
    article = read(tmp_path, " date 2024-02-29\nAnkara'da kar yağışı etkili oldu.\n")
    assert article.date == datetime.date(2024, 2, 29)
    assert article.body == "Ankara'da kar yağışı etkili oldu."


def test_seed_style_without_date(tmp_path: Path) -> None:
    article = read(tmp_path, " Iğdır'da hasat başladı. Üreticiler memnun.\n\n\nFiyatlar düştü.")
    assert article.date is None
    assert article.body == "Iğdır'da hasat başladı. Üreticiler memnun.\n\nFiyatlar düştü."
    assert article.title == "Iğdır'da hasat başladı"
    assert article.warnings == ("title derived from the first sentence",)


def test_header_style_all_fields(tmp_path: Path) -> None:
    article = read(tmp_path, HEADER_ARTICLE)
    assert article.title == "İZMİR'de liman genişletme projesi onaylandı"
    assert article.title_derived is False
    assert article.date == datetime.date(2025, 10, 4)
    assert article.category == "ekonomi"
    assert article.source == "haberara-test"
    assert article.url == "https://ornek.haberara.test/ekonomi/izmir-liman"
    assert article.body.startswith("İzmir Limanı'nın kapasitesini")
    assert article.body.endswith("bekleniyor.")
    assert "\n\n" in article.body and "title:" not in article.body
    assert article.warnings == ()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("title: Yalnız başlık", {"title": "Yalnız başlık", "date": None, "category": None}),
        ("DATE: 2026-01-15", {"title": "Haber metni burada", "date": datetime.date(2026, 1, 15)}),
        (
            "Category:  spor \nTitle: Ters sıra",
            {"title": "Ters sıra", "category": "spor", "date": None},
        ),
        ("url: https://ornek.test/a?b=c:d", {"url": "https://ornek.test/a?b=c:d"}),
        ("source: AA\ntitle: Başlık: iki nokta", {"title": "Başlık: iki nokta", "source": "AA"}),
    ],
)
def test_header_subsets_any_order_any_case(
    tmp_path: Path, header: str, expected: dict[str, object]
) -> None:
    article = read(tmp_path, f"{header}\n\nHaber metni burada. İkinci cümle.\n")
    assert article.body == "Haber metni burada. İkinci cümle."
    for field, value in expected.items():
        assert getattr(article, field) == value


def test_an_unknown_header_is_passed_over_with_a_warning(tmp_path: Path) -> None:
    """A newsroom's ``author:`` or ``editor:`` line among the headers costs the article
    none of its known headers."""
    article = read(tmp_path, "title: Başlık\nauthor: Ayşe\ndate: 2025-03-01\n\nMetin.")
    assert (article.title, article.date, article.body) == (
        "Başlık", datetime.date(2025, 3, 1), "Metin.",
    )  # fmt: skip
    assert any("unknown header 'author:' ignored" in w for w in article.warnings)


def test_text_after_the_date_on_a_date_line_is_kept_as_the_body_start(tmp_path: Path) -> None:
    """`` date: 2026-12-03 Belediye …`` (the inline style written with a colon) is a date
    header whose line goes on with the article's words: they were lost. A time after the
    date, or a label before it, stays a date's."""
    article = read(
        tmp_path, " date: 2026-12-03 Belediye yeni otobüs hattını açtı.\n\nHat yarın başlıyor."
    )
    assert article.date == datetime.date(2026, 12, 3)
    assert article.body == "Belediye yeni otobüs hattını açtı.\n\nHat yarın başlıyor."
    assert any("text after the date" in warning for warning in article.warnings)
    timed = read(tmp_path, "title: Saat\ndate: YAYIN TARİHİ, 03 Mart 2026 18:56\n\nMetin.")
    assert (timed.date, timed.body, timed.warnings) == (datetime.date(2026, 3, 3), "Metin.", ())


BELEDIYE_BODY = "Belediye, otobüs seferlerini yarın sabahtan itibaren artırıyor. Hatlar uzadı.\n"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "başlık: Belediye otobüs seferlerini artırdı\ntarih: 2026-12-03\nkategori: gündem",
            {"title": "Belediye otobüs seferlerini artırdı", "date": datetime.date(2026, 12, 3),
             "category": "gündem"},
        ),
        (
            "BAŞLIK: Seferler arttı\nTARİH: 4 Aralık 2026\nKAYNAK: AA\n"
            "BAĞLANTI: https://ornek.test/sefer",
            {"title": "Seferler arttı", "date": datetime.date(2026, 12, 4), "source": "AA",
             "url": "https://ornek.test/sefer"},
        ),
        (
            "Baslik: Seferler arttı\nTarih: 04.12.2026\nKategori: gündem\nKaynak: DHA\n"
            "Adres: https://ornek.test/a",
            {"title": "Seferler arttı", "date": datetime.date(2026, 12, 4),
             "category": "gündem", "source": "DHA", "url": "https://ornek.test/a"},
        ),
        ("BASLIK: Büyük harf\nbaglanti: https://ornek.test/b",
         {"title": "Büyük harf", "url": "https://ornek.test/b"}),
        ("link: https://ornek.test/c\ntitle: Karışık", {"title": "Karışık",
                                                        "url": "https://ornek.test/c"}),
    ],
)  # fmt: skip
def test_turkish_header_keys_are_the_same_fields(
    tmp_path: Path, header: str, expected: dict[str, object]
) -> None:
    """A Turkish newsroom writes ``başlık:``/``tarih:``…, with or without Turkish letters."""
    article = read(tmp_path, f"{header}\n\n{BELEDIYE_BODY}")
    assert article.body == BELEDIYE_BODY.strip()
    assert article.warnings == ()
    for field, value in expected.items():
        assert getattr(article, field) == value


def test_a_turkish_key_we_do_not_keep_is_passed_over_with_a_warning(tmp_path: Path) -> None:
    article = read(
        tmp_path, f"başlık: Seferler\nyazar: Ayşe Kaya\ntarih: 2026-12-03\n\n{BELEDIYE_BODY}"
    )
    assert (article.title, article.date) == ("Seferler", datetime.date(2026, 12, 3))
    assert any("unknown header 'yazar:' ignored" in w for w in article.warnings)


def test_a_field_named_twice_in_two_languages_keeps_the_first(tmp_path: Path) -> None:
    article = read(tmp_path, "title: Birinci\nbaşlık: İkinci\n\nMetin.")
    assert article.title == "Birinci"
    assert any("duplicate 'title:' header" in w and "başlık:" in w for w in article.warnings)


def test_a_line_that_is_no_header_makes_the_block_body_with_a_warning(tmp_path: Path) -> None:
    article = read(tmp_path, "title: Başlık\nYazar Ayşe Kaya\n\nMetin.")
    assert article.body == "title: Başlık\nYazar Ayşe Kaya\n\nMetin."
    assert article.title_derived is True
    assert any("'Yazar Ayşe Kaya' is not a header line" in w for w in article.warnings)


def test_a_header_block_of_unknown_keys_is_kept_as_body_with_a_warning(tmp_path: Path) -> None:
    """Keys the reader does not know (a misspelling, another newsroom's names) are told of,
    not silently indexed as the article's first words; the text is kept."""
    block = "manşet: Belediye otobüs seferlerini artırdı\nyazar: Ayşe Kaya\nözet: Seferler arttı"
    article = read(tmp_path, f"{block}\n\n{BELEDIYE_BODY}")
    assert article.body == f"{block}\n\n{BELEDIYE_BODY.strip()}"
    assert article.title_derived is True
    warning = next(w for w in article.warnings if w.startswith("header keys not recognised"))
    assert "'manşet:', 'yazar:', 'özet:'" in warning
    assert "title:" in warning and "başlık:" in warning


@pytest.mark.parametrize(
    "content",
    [
        "Soru: Ne zaman?\n\nCevap verilmedi.",  # one line: a sentence, not a header block
        "Yer: Ankara\nsaat on ikide toplanıldı\n\nMetin.",  # a line that is no `key: value`
        "Yer: Ankara\nSaat: 10.00",  # no blank line, no body after the block
    ],
)
def test_colon_lines_that_are_no_header_block_give_no_header_warning(
    tmp_path: Path, content: str
) -> None:
    article = read(tmp_path, content)
    assert not any("header" in w for w in article.warnings)


def test_colon_line_without_known_key_is_body(tmp_path: Path) -> None:
    article = read(tmp_path, "Not: bu haber güncellendi.\n\nAsıl metin.")
    assert article.body.startswith("Not: bu haber güncellendi.")
    assert article.warnings == ("title derived from the first sentence",)


def test_duplicate_header_keeps_first_and_warns(tmp_path: Path) -> None:
    article = read(tmp_path, "title: Birinci\ntitle: İkinci\n\nMetin.")
    assert article.title == "Birinci"
    assert "duplicate 'title:' header ignored (the first one is used)" in article.warnings


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-12", datetime.date(2025, 9, 12)),
        ("2025-09-12T10:30:00+03:00", datetime.date(2025, 9, 12)),
        ("12 Eylül 2025", datetime.date(2025, 9, 12)),
        ("3 Mart 2026", datetime.date(2026, 3, 3)),
        ("10 Nisan 2026 - 10:29", datetime.date(2026, 4, 10)),
        ("YAYIN TARİHİ, 03 Mart 2026 18:56", datetime.date(2026, 3, 3)),
        ("Cuma, 7 Kasım 2025", datetime.date(2025, 11, 7)),
        ("12 EYLÜL 2025", datetime.date(2025, 9, 12)),
        ("9 MAYIS 2025", datetime.date(2025, 5, 9)),
        ("1 subat 2025", datetime.date(2025, 2, 1)),
        ("5 Agustos 2024", datetime.date(2024, 8, 5)),
        ("20 Eylul 2025", datetime.date(2025, 9, 20)),
        ("31 Aralık 2024", datetime.date(2024, 12, 31)),
        ("1 Ekim 2025", datetime.date(2025, 10, 1)),
        ("12.09.2025", datetime.date(2025, 9, 12)),
    ],
)
def test_dates_in_header(tmp_path: Path, value: str, expected: datetime.date) -> None:
    article = read(tmp_path, f"title: Başlık\ndate: {value}\n\nMetin.")
    assert article.date == expected
    assert article.warnings == ()


@pytest.mark.parametrize("value", ["2025-99-99", "31 Şubat 2025", "geçen salı", "12 Foo 2025"])
def test_invalid_date_is_read_without_date(tmp_path: Path, value: str) -> None:
    article = read(tmp_path, f"title: Başlık\ndate: {value}\n\nMetin.")
    assert article.date is None
    assert article.warnings == (f"invalid date '{value}': indexed without a date",)
    assert find_date(value) is None


def test_invalid_seed_date_warns(tmp_path: Path) -> None:
    article = read(tmp_path, " date 2025-13-40 Metin burada.")
    assert article.date is None
    assert article.body == "Metin burada."
    assert "invalid date '2025-13-40': indexed without a date" in article.warnings


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        (" date 11.11.2026 Noktalı tarih yazıldı.", datetime.date(2026, 11, 11)),
        (" date 4 Aralık 2026 Noktalı tarih yazıldı.", datetime.date(2026, 12, 4)),
        (" DATE 04 ARALIK 2026 Noktalı tarih yazıldı.", datetime.date(2026, 12, 4)),
        (" date 4/12/2026\nNoktalı tarih yazıldı.", datetime.date(2026, 12, 4)),
        (" date 2026-12-04 Noktalı tarih yazıldı.", datetime.date(2026, 12, 4)),
    ],
)
def test_inline_date_reads_the_forms_the_date_header_reads(
    tmp_path: Path, first_line: str, expected: datetime.date
) -> None:
    article = read(tmp_path, f"{first_line} İkinci cümle.\n\nSon paragraf.")
    assert article.date == expected
    assert article.body == "Noktalı tarih yazıldı. İkinci cümle.\n\nSon paragraf."
    assert article.title == "Noktalı tarih yazıldı"
    assert article.warnings == ("title derived from the first sentence",)


def test_invalid_inline_numeric_date_warns(tmp_path: Path) -> None:
    article = read(tmp_path, " date 31.02.2026 Metin burada.")
    assert (article.date, article.body) == (None, "Metin burada.")
    assert "invalid date '31.02.2026': indexed without a date" in article.warnings


@pytest.mark.parametrize("value", ["2026/12/04", "4 Foo 2026"])
def test_an_inline_date_this_reader_cannot_read_is_warned_about(tmp_path: Path, value: str) -> None:
    article = read(tmp_path, f" date {value} Metin burada.")
    assert article.date is None
    assert article.body == f"date {value} Metin burada."  # kept: nothing is lost
    assert any(f"'date {value}" in w and "not a date" in w for w in article.warnings)


# --- derived titles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("Vali açıklama yaptı. Ardından ayrıldı.", "Vali açıklama yaptı"),
        ("Prof. Dr. Ayşe Kaya ödül aldı. Tören sürdü.", "Prof. Dr. Ayşe Kaya ödül aldı"),
        (
            "Sebze, meyve vb. ürünlerde fiyat düştü. Sonra.",
            "Sebze, meyve vb. ürünlerde fiyat düştü",
        ),
        ("Faiz 3.5 puan arttı. Piyasa sakin.", "Faiz 3.5 puan arttı"),
        (
            "Ankara'da 12. kez düzenlenen fuar açıldı. Yoğun ilgi.",
            "Ankara'da 12. kez düzenlenen fuar açıldı",
        ),
        (
            "T.C. Sağlık Bakanlığı 3. dozu onayladı. Aşı başladı.",
            "T.C. Sağlık Bakanlığı 3. dozu onayladı",
        ),
        (
            "İstanbul 2. Asliye Ceza Mahkemesi kararını verdi. Dava bitti.",
            "İstanbul 2. Asliye Ceza Mahkemesi kararını verdi",
        ),
        ("A.B.D. Başkanı geldi. Görüşme sürdü.", "A.B.D. Başkanı geldi"),
        ("Gnkur. Bşk. Orgeneral açıklama yaptı. Sonra.", "Gnkur. Bşk. Orgeneral açıklama yaptı"),
        ("Deprem mi oldu? Vatandaşlar sokakta.", "Deprem mi oldu?"),
        ("Büyük zafer! Taraftar sevinçli.", "Büyük zafer!"),
        ("Nokta olmayan tek cümle", "Nokta olmayan tek cümle"),
        ("İlk paragraf cümlesi\n\nİkinci paragraf. Devamı.", "İlk paragraf cümlesi"),
    ],
)
def test_derived_title(body: str, title: str) -> None:
    assert derive_title(body) == title
    article = parse_article(body, "x")
    assert article.title == title and article.title_derived


def test_long_derived_title_is_cut_at_a_word_boundary() -> None:
    body = " ".join(["Kırgızistan'daki toplantıya"] * 12) + ". İkinci."
    title = derive_title(body)
    assert len(title) <= 120
    assert title.endswith("…")
    assert body.startswith(title[:-1])
    assert body[len(title) - 1] == " "  # the cut falls between two words


# --- encodings and normalisation -----------------------------------------------------------

TURKISH = "Şişli'de ağır İŞ yükü; Iğdır ve Çorum'da güneşli, ılık hava."


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TURKISH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TURKISH.encode("utf-8"), "utf-8-sig"),
        (TURKISH.encode("utf-16"), "utf-16"),
        (b"\xff\xfe" + TURKISH.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + TURKISH.encode("utf-16-be"), "utf-16"),
        (("“" + TURKISH + "” …").encode("cp1254"), "cp1254"),
        (TURKISH.encode("iso-8859-9"), "iso-8859-9"),
        (TURKISH.encode("utf-16-le"), "utf-16"),  # saved without its byte-order mark
        (TURKISH.encode("utf-16-be"), "utf-16"),
        (b"\x93" + TURKISH.encode("utf-8") + b"\x94 \x96", "utf-8+cp1254"),  # a Word paste
    ],
)
def test_encodings(tmp_path: Path, raw: bytes, encoding: str) -> None:
    article = read(tmp_path, raw)
    assert article.encoding == encoding
    assert TURKISH in article.body
    assert not article.body.startswith("\ufeff")
    assert article.content_hash == hashlib.sha1(raw).hexdigest()
    legacy = f"read as {encoding} (legacy Turkish encoding)"
    assert (legacy in article.warnings) == (encoding in ("cp1254", "iso-8859-9"))
    mixed = "read as UTF-8 but for a few bytes that are not, read as cp1254"
    assert (mixed in article.warnings) == (encoding == "utf-8+cp1254")
    if encoding == "utf-8+cp1254":
        assert article.body == f"“{TURKISH}” –"


def test_a_file_of_many_bytes_that_are_not_utf8_is_not_read_as_mostly_utf8() -> None:
    """Stray bytes read as cp1254 only beside UTF-8 letters: a cp1254 file with a UTF-8
    letter or two by chance is read as cp1254 whole."""
    legacy = ("Ağaç gölgesinde " + TURKISH).encode("cp1254")
    assert decode_article(legacy)[1] == "iso-8859-9"
    assert decode_article("ş".encode() + legacy)[1] in ("iso-8859-9", "cp1254")


def test_decode_article_returns_text_and_encoding() -> None:
    assert decode_article("Ağaç".encode("cp1254")) == ("Ağaç", "iso-8859-9")
    assert decode_article("Ağaç".encode()) == ("Ağaç", "utf-8")


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (
            "Birinci satır\r\nikinci satır\r\n\r\nYeni paragraf.",
            "Birinci satır\nikinci satır\n\nYeni paragraf.",
        ),
        ("Eski Mac\rsatırı\r\rParagraf.", "Eski Mac\nsatırı\n\nParagraf."),
        ("  Baş \t boşluk  \n \t \n\n\n  Son.  \n\n", "Baş boşluk\n\nSon."),
        ("Sıfır\u200bgenişlik ve yu\u00admuşak tire.", "Sıfır genişlik ve yumuşak tire."),
        ("Dolar \u200bkuru\u2060yla", "Dolar kuruyla"),
        ("Bölünmez\u00a0boşluk\u202fdar.", "Bölünmez boşluk dar."),
        ("\ufeffBaşta BOM karakteri.", "Başta BOM karakteri."),
    ],
)
def test_whitespace_and_invisible_characters(text: str, body: str) -> None:
    assert parse_article(text, "x").body == body


def test_decomposed_input_is_stored_composed(tmp_path: Path) -> None:
    decomposed = "I\u0307zmir'de s\u0327ehir merkezi"  # İ and ş as base + combining mark
    assert decomposed != "İzmir'de şehir merkezi"
    article = read(tmp_path, f"title: {decomposed}\n\n{decomposed} kalabalıktı.")
    assert article.title == "İzmir'de şehir merkezi"
    assert article.body == "İzmir'de şehir merkezi kalabalıktı."
    assert unicodedata.is_normalized("NFC", article.body)


# --- rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n  \n", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        ("  \n".encode("utf-16"), "empty file"),
        ("\u200b\u200b\n".encode(), "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL bytes), not a text article"),
        (
            "Привет, мир! Это русский текст.".encode("cp1251"),
            "cannot decode: not UTF-8 and not plausible cp1254/ISO-8859-9 Turkish text",
        ),
        (
            b"\x81\x8d Metin",
            "cannot decode: not UTF-8 and not plausible cp1254/ISO-8859-9 Turkish text",
        ),
        (
            b"\xef\xbb\xbfBozuk \xff bayt",
            "cannot decode: starts with a UTF-8 byte-order mark but is not valid utf-8",
        ),
        (
            b"\xff\xfeA\x00B",
            "cannot decode: starts with a UTF-16 byte-order mark but is not valid utf-16-le",
        ),
        (
            "title: Başlık\ndate: 2025-01-01\n",
            "only header lines, no article body: write the text after a blank line",
        ),
        (
            "title: Başlık\n\n\n   \n",
            "only header lines, no article body: write the text after a blank line",
        ),
        (
            " date 2025-09-12\n",
            "only a date line, no article body: write the text after a blank line",
        ),
        (
            " date 11.11.2026\n",
            "only a date line, no article body: write the text after a blank line",
        ),
    ],
)
def test_rejection_reasons(tmp_path: Path, content: str | bytes, expected: str) -> None:
    assert reason(tmp_path, content) == expected


def test_file_over_the_default_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "buyuk.txt", b"a" * (DEFAULT_MAX_BYTES + 1))
    with pytest.raises(ArticleError) as caught:
        read_article(path, tmp_path)
    assert caught.value.reason == (
        "file is 5,242,881 bytes, over the 5,242,880-byte limit (set max_bytes / --max-bytes)"
    )


def test_max_bytes_is_a_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, "kucuk.txt", "Kısa metin.")
    assert read_article(path, tmp_path, max_bytes=len("Kısa metin.".encode())).body == "Kısa metin."
    with pytest.raises(ArticleError, match=r"file is 12 bytes, over the 11-byte limit"):
        read_article(path, tmp_path, max_bytes=11)


def test_vanished_file(tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as caught:
        read_article(tmp_path / "silindi.txt", tmp_path)
    assert caught.value.reason == "cannot read: no such file or directory"


def test_directory_named_like_an_article(tmp_path: Path) -> None:
    (tmp_path / "klasor.txt").mkdir()
    with pytest.raises(ArticleError, match="cannot read: is a directory"):
        read_article(tmp_path / "klasor.txt", tmp_path)


def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, "gizli.txt", "Metin.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: file permissions are not enforced")
        with pytest.raises(ArticleError) as caught:
            read_article(path, tmp_path)
        assert caught.value.reason == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


# --- ids and listing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("kis.txt", "kis"),
        ("2025/09/kis.txt", "2025/09/kis"),
        ("dünya/Bişkek'te toplantı.txt", "dünya/Bişkek'te toplantı"),
        ("a.b/c.d.txt", "a.b/c.d"),
    ],
)
def test_article_id(tmp_path: Path, relative: str, expected: str) -> None:
    path = write(tmp_path, relative, "Metin.")
    assert article_id(path, tmp_path) == expected
    assert read_article(path, tmp_path).id == expected


def test_list_article_files(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.txt",
        "2025/10/derin.txt",
        "2025/notlar.md",
        "resim.png",
        ".gizli.txt",
        ".git/HEAD.txt",
        "2024/.taslak/eski.txt",
        "a-b.txt",
        "a/z.txt",
    ]:
        write(tmp_path, name, "Metin.")
    ids = [article_id(p, tmp_path) for p in list_article_files(tmp_path)]
    # sorted part by part: the folder `a` before `a-b.txt` (a plain text sort puts `/` last)
    assert ids == ["2025/10/derin", "a/z", "a-b", "a", "b"]


def test_a_folder_of_plain_files_lists_its_links_and_odd_names_in_their_place(
    tmp_path: Path,
) -> None:
    """Among many regular files, each link, odd name and subfolder is looked at on its own
    and its place in the name order is kept."""
    for name in ["b.txt", "d.TXT", "f.txt", "2025/e.txt", ".gizli.txt", "notlar.md"]:
        write(tmp_path, name, "Metin.")
    (tmp_path / "c.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "kirik.txt").symlink_to(tmp_path / "yok.txt")
    write(tmp_path, "ara\x01.txt", "Metin.")
    files, skipped = scan_article_files(tmp_path)
    ids = [article_id(path, tmp_path) for path in files]
    assert ids == ["2025/e", "b", "c", "d", "f"]
    assert sorted(Path(entry.path).name for entry in skipped) == ["ara\x01.txt", "kirik.txt"]


def test_list_follows_dir_symlinks_without_looping(tmp_path: Path) -> None:
    outside = tmp_path / "disarida"
    write(outside, "bagli.txt", "Metin.")
    docs = tmp_path / "docs"
    write(docs, "ic/haber.txt", "Metin.")
    (docs / "ic" / "dongu").symlink_to(docs, target_is_directory=True)  # loops back to the root
    (docs / "dis").symlink_to(outside, target_is_directory=True)
    (docs / "kirik.txt").symlink_to(tmp_path / "yok.txt")  # broken link
    assert [article_id(p, docs) for p in list_article_files(docs)] == ["ic/haber"]
    files = list_article_files(docs, outside_links=True)
    assert [article_id(p, docs) for p in files] == ["dis/bagli", "ic/haber"]
    assert all(p.is_relative_to(docs) for p in files)


def test_list_skips_unreadable_dir(tmp_path: Path) -> None:
    write(tmp_path, "acik.txt", "Metin.")
    locked = tmp_path / "kilitli"
    write(locked, "icerde.txt", "Metin.")
    locked.chmod(0)
    try:
        files = list_article_files(tmp_path)
    finally:
        locked.chmod(0o755)
    assert tmp_path / "acik.txt" in files


def test_list_missing_docs_dir_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="articles folder not found"):
        list_article_files(tmp_path / "yok")


# --- the real example --------------------------------------------------------------------


def test_real_seed_example() -> None:
    if not SEED_EXAMPLE.exists():
        pytest.skip("shared seed example not present")
    article = read_article(SEED_EXAMPLE, SEED_EXAMPLE.parent)
    assert article.id == "000_1e033fb6aa629b6a"
    assert article.date == datetime.date(2025, 9, 12)
    assert article.encoding == "utf-8"
    assert article.title_derived and len(article.title) <= 120
    assert article.body.startswith("Kırgızistan")
    assert "\n\n\n" not in article.body and article.body == article.body.strip()
    assert article.body.count("\n\n") >= 5


def test_bundled_sample_articles_all_read() -> None:
    docs = Path(__file__).resolve().parents[1] / "articles"
    articles = [read_article(path, docs) for path in list_article_files(docs)]
    assert len(articles) >= 12
    encodings = [article.encoding for article in articles]
    assert encodings.count("cp1254") == 1 and encodings.count("utf-8-sig") == 1
    assert all(article.date is not None for article in articles)
    assert sum("<script>alert(1)</script>" in article.body for article in articles) == 1


def test_every_character_normalising_changes_is_one_a_printable_text_lacks():
    """normalize_text returns a text whose lines are printable as it is (but for runs of
    plain spaces and NFC): so every character it removes or replaces must be unprintable."""
    from search import articles

    changed = (
        articles._BREAK_CHARS
        | articles._REMOVED_CHARS
        | articles._OTHER_SPACES
        | {articles.ZERO_WIDTH_SPACE}
    )
    assert "\u00a0" in changed and "\u200b" in changed and "\r" in changed
    assert not any(char.isprintable() for char in changed)
    for char in sorted(changed):
        assert articles.normalize_text(f"a{char}b\nc  d") in ("ab\nc d", "a b\nc d", "a\nb\nc d")
