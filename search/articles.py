"""Read article files from disk into clean, NFC-normalised `Article` values.

Everything downstream (index, snippets, highlights) sees the exact `body` string made here, so
this module is where bytes become stable text: encodings are detected, line endings, invisible
characters and whitespace are normalised, and a bad file becomes an `ArticleError` whose reason
a person can act on. Standard library only; it knows nothing of whoosh or flask.

Two file formats are read:

* seed style: `` date 2025-09-12 Body starts here…`` (the date is optional, and may be
  written as ``date:`` takes it: ``12.09.2025``, ``12 Eylül 2025``), paragraphs separated
  by blank lines;
* header style: ``title:``/``date:``/``category:``/``source:``/``url:`` lines (or their
  Turkish names, :data:`HEADER_NAMES`), a blank line, then the body.

Body layout: paragraphs are joined by exactly ``"\\n\\n"``; the lines inside a paragraph are
trimmed, runs of spaces and tabs become one space, and the lines are kept, joined by ``"\\n"``.
Keeping them loses nothing the author wrote (lists, quoted verse) and never re-flows text, so
the same file always gives the same body; a consumer that wants running text can replace
``"\\n"`` with a space.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.text.analysis import ascii_fold, compose, turkish_lower

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_LE_BOM = b"\xff\xfe"
UTF16_BE_BOM = b"\xfe\xff"
SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH_SPACE = "\u200b"
LEGACY_ENCODINGS = ("cp1254", "iso-8859-9")
TURKISH_LETTERS = frozenset("çğıöşüÇĞİÖŞÜâîûÂÎÛ")
HEADER_KEYS = ("title", "date", "category", "source", "url")
#: The header keys read, lower-cased (Turkish rules) and without Turkish letters, and the
#: field each one fills: a Turkish newsroom writes ``başlık:``, ``tarih:``…
HEADER_NAMES = {key: key for key in HEADER_KEYS} | {
    "baslik": "title",
    "tarih": "date",
    "kategori": "category",
    "kaynak": "source",
    "adres": "url",
    "baglanti": "url",
    "link": "url",
}
#: What a warning about an unknown header key names as the keys read.
HEADER_KEYS_HINT = (
    "title:, date:, category:, source:, url: or başlık:, tarih:, kategori:, kaynak:, adres:"
)
TITLE_MAX_CHARS = 120
#: A ``title:`` header longer than this is cut: every result list and page shows it whole.
HEADER_TITLE_MAX_CHARS = 300
#: A UTF-8 file with a few bytes that are not (:func:`_decode_mostly_utf8`).
MOSTLY_UTF8 = "utf-8+cp1254"
MOST_STRAY_BYTES = 16
UNDECODABLE = "cannot decode: not UTF-8 and not plausible cp1254/ISO-8859-9 Turkish text"

# Invisible characters that only break words apart in the index: zero-width joiners, word
# joiner, LTR/RTL marks, a BOM in the middle of the text, and the soft hyphen. (A zero-width
# space stands between words: it becomes a plain space.)
_INVISIBLE = "\u200c\u200d\u200e\u200f\u2060\ufeff" + SOFT_HYPHEN
#: Control characters and the invisible ones (:data:`_INVISIBLE`), removed in one pass.
_REMOVED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f" + _INVISIBLE + "]")
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029]")
#: A run of spaces other than newlines (NBSP, thin space, tab…) that is not already a
#: single plain space: only what must change is replaced.
_SPACES = re.compile(r" [^\S\n]+|[^\S\n ][^\S\n]*")
#: The characters the patterns above look for: most articles hold none, and a set of a
#: text's characters tells so in a fraction of the time searching it would take. Each is
#: a control, format or separator character, which ``str.isprintable`` tells from others
#: faster still (a text whose lines are printable holds none of them).
_BREAK_CHARS = frozenset("\r\u2028\u2029")
_REMOVED_CHARS = frozenset(
    chr(code) for code in (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0))
) | frozenset(_INVISIBLE)
#: Every space but the plain one and the newline (all of Unicode's are below U+3001).
_OTHER_SPACES = frozenset(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
_HEADER_LINE = re.compile(r"([^\W\d_]+)[ \t]*:[ \t]*(.*)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
_LONG_DATE = re.compile(r"(?<!\d)(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})(?!\d)")
#: The inline date: ``date``, a date in one of the forms :func:`find_date` reads
#: (``2025-09-12``, ``12.09.2025``, ``12 Eylül 2025``), then the body's first words.
_SEED_DATE = re.compile(
    r"date\s+(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4}"
    r"|\d{1,2}\s+[^\W\d_]+\.?,?\s+\d{4})(?:\s+(.*))?",
    re.IGNORECASE,
)
#: A first line that opens as an inline date would: ``date`` and a digit.
_SEED_DATE_START = re.compile(r"date\s+\d", re.IGNORECASE)
#: The forms of the inline date, as a warning names them.
SEED_DATE_FORMS = "2026-12-04, 04.12.2026 or 4 Aralık 2026"
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
MONTHS = ("ocak", "subat", "mart", "nisan", "mayis", "haziran")
MONTHS += ("temmuz", "agustos", "eylul", "ekim", "kasim", "aralik")
_MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS, start=1)}
# Words whose "." never ends a sentence (compared lower-cased, without the dot).
ABBREVIATIONS = frozenset(
    {"dr", "prof", "doç", "doc", "yrd", "uzm", "op", "av", "sn", "hz", "vb", "vs", "vd"}
    | {"bkz", "örn", "orn", "st", "no", "nu", "tel", "cad", "sok", "mah", "apt", "ltd"}
    | {"şti", "sti", "gen", "org", "korg", "tuğg", "alb", "bnb", "yzb", "mr", "mrs", "yy"}
    | {"gnkur", "bşk", "tümg", "tğm", "ütğm", "ord", "müd", "md", "blv", "bul"}
)
#: Letters joined by dots (``T.C``, ``A.B.D``): an initialism, whose last dot ends nothing.
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")


@dataclass(frozen=True)
class Article:
    """One readable article, exactly as it will be indexed and shown."""

    id: str
    title: str
    title_derived: bool
    body: str
    date: datetime.date | None
    category: str | None
    source: str | None
    url: str | None
    encoding: str
    content_hash: str
    warnings: tuple[str, ...]


class ArticleError(Exception):
    """A file that cannot be indexed; str(err) / err.reason is the reason a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def article_id(path: str | Path, docs_dir: Path) -> str:
    """Return the stable id `2025/09/kis` for `docs/2025/09/kis.txt`, the same on every OS.

    The id is NFC: a name written in decomposed Unicode (`s` + cedilla, as macOS writes
    names) gives the same id as the composed `ş` a reader types.
    """
    text, root = os.fspath(path), os.fspath(docs_dir).rstrip(os.sep) + os.sep
    if text.startswith(root) and root != os.sep:  # the usual case, without pathlib's cost
        posix = text[len(root) :].replace(os.sep, "/")
    else:
        try:
            relative = Path(path).relative_to(docs_dir)
        except ValueError:
            relative = Path(path).resolve().relative_to(docs_dir.resolve())
        posix = relative.as_posix()
    return unicodedata.normalize("NFC", posix[:-4] if posix.lower().endswith(".txt") else posix)


def list_article_files(docs_dir: Path, *, outside_links: bool = False) -> list[Path]:
    """Return every `*.txt` below `docs_dir`, sorted, as paths under `docs_dir` (not resolved).

    Symbolic links are followed only when their real path stays inside `docs_dir` (all of
    them with `outside_links`), and each real directory is entered once, so a link loop
    cannot hang a reindex. Hidden names, broken links, links leading outside and unreadable
    folders are skipped (:func:`scan_article_files` also says which, and why). A missing
    `docs_dir` raises, because indexing nothing is almost always a typo.
    """
    return [Path(path) for path in scan_article_files(docs_dir, outside_links=outside_links)[0]]


#: The option that lets a reindex follow symbolic links leading outside the articles folder.
OUTSIDE_LINKS_OPTION = "--follow-outside-links"


@dataclass(frozen=True)
class Skipped:
    """A `*.txt` entry or a folder that the scan could not use, and why. ``refused``: a
    symbolic link not followed by rule, so what was indexed through it is dropped (the
    others keep what was indexed before)."""

    path: Path
    reason: str
    is_folder: bool = False
    refused: bool = False


@dataclass
class _Walk:
    """What a scan of one articles folder carries down the tree."""

    root: str  # the folder's real path
    outside_links: bool
    seen: set[str]
    skipped: list[Skipped]


def scan_article_files(
    docs_dir: Path, *, outside_links: bool = False
) -> tuple[list[str], list[Skipped]]:
    """Return `(files, skipped)`: the regular `*.txt` files below `docs_dir`, sorted, and the
    `*.txt` names that are not regular files (broken links, link loops, named pipes, devices)
    plus the folders that could not be listed, each with a reason a person can act on.

    A symbolic link (to a file or a folder) whose real path leads outside `docs_dir` is
    skipped unless `outside_links`: a link to ``/etc/passwd`` must not publish it.

    The files are paths as text (a reindex lists every file each time: making a `Path` of
    each took a third of a second of the 1.3 s an unchanged archive of 43,500 took)."""
    if not docs_dir.is_dir():
        kind = NotADirectoryError if docs_dir.exists() else FileNotFoundError
        raise kind(f"articles folder not found: {docs_dir}")
    folder = os.fspath(docs_dir)
    walk = _Walk(os.path.realpath(folder), outside_links, seen=set(), skipped=[])
    files = list(_walk(folder, walk))  # sorted part by part: each folder's names in order
    return files, sorted(walk.skipped, key=lambda entry: entry.path)


def _walk(folder: str, walk: _Walk) -> Iterator[str]:
    """Yield article files below `folder`, entering each resolved directory only once."""
    real = os.path.realpath(folder)
    if real in walk.seen:
        return
    walk.seen.add(real)
    skipped = walk.skipped
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as err:
        reason = f"cannot list folder: {_strerror(err)}"
        skipped.append(Skipped(Path(folder), reason, is_folder=True))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = entry.path
        if _UNADDRESSABLE.search(entry.name):
            _skip_unaddressable(entry, path, walk)
            continue
        try:
            if entry.is_symlink() and not walk.outside_links and _leads_outside(path, walk):
                continue
            if entry.is_dir():
                yield from _walk(path, walk)
                continue
            if entry.is_file() and entry.name.lower().endswith(".txt"):
                yield path
                continue
        except OSError:
            pass
        if entry.name.lower().endswith(".txt"):
            skipped.append(Skipped(Path(path), _not_a_file(path)))


#: Characters an article id cannot hold: its page could not be addressed (control
#: characters, a newline among them, and the backslash, which ids never contain).
_UNADDRESSABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def _skip_unaddressable(entry: os.DirEntry, path: str, walk: _Walk) -> None:
    """Report a `*.txt` file or a folder whose name an article id cannot hold."""
    try:
        is_folder = entry.is_dir()
    except OSError:
        is_folder = False
    if not (is_folder or entry.name.lower().endswith(".txt")):
        return
    char = _UNADDRESSABLE.search(entry.name).group()
    kind = "folder" if is_folder else "file"
    reason = f"the {kind} name holds {_char_name(char)}, which an article address cannot: rename it"
    walk.skipped.append(Skipped(Path(path), reason, is_folder=is_folder, refused=True))


def _char_name(char: str) -> str:
    return "a backslash" if char == "\\" else f"the control character \\x{ord(char):02x}"


def _leads_outside(path: str, walk: _Walk) -> bool:
    """Whether the link ``path`` leads outside the articles folder; such a link to a folder
    or a `*.txt` file is reported as skipped."""
    target = os.path.realpath(path)
    if target == walk.root or target.startswith(walk.root.rstrip(os.sep) + os.sep):
        return False
    if not os.path.exists(target):
        return False  # a broken link: reported as such by the scan
    is_folder = os.path.isdir(target)
    if is_folder or path.lower().endswith(".txt"):
        kind = "folder" if is_folder else "file"
        reason = (
            f"symbolic link to a {kind} outside the articles folder ({target}): not "
            f"followed; reindex with {OUTSIDE_LINKS_OPTION} to index what it leads to"
        )
        walk.skipped.append(Skipped(Path(path), reason, is_folder=is_folder, refused=True))
    return True


def _not_a_file(path: str) -> str:
    """Why a `*.txt` entry is not a readable regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "broken symbolic link: its target does not exist"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop: the link points (indirectly) to itself"
        return f"cannot read: {_strerror(err)}"
    return _not_regular(mode)


def _not_regular(mode: int) -> str:
    kind = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else None
    )  # fmt: skip
    if stat.S_ISDIR(mode):
        return "cannot read: is a directory"
    return f"not a regular file: {kind}" if kind else "not a regular file"


def _strerror(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


def decode_article(raw: bytes) -> tuple[str, str]:
    """Return `(text, encoding)`: BOMs first, then strict UTF-8, then legacy Turkish.

    cp1254 and ISO-8859-9 differ only in bytes 0x80-0x9F, which only cp1254 defines (curly
    quotes, `…`, `–`), so a file using them is labelled cp1254 and one without ISO-8859-9.
    A legacy decoding is only accepted when the result looks like Turkish text.
    """
    if not raw:
        raise ArticleError("empty file")
    if raw.startswith(UTF8_BOM):
        text, encoding = _strict(raw[3:], "utf-8", "a UTF-8 byte-order mark"), "utf-8-sig"
    elif raw.startswith((UTF16_LE_BOM, UTF16_BE_BOM)):
        codec = "utf-16-le" if raw.startswith(UTF16_LE_BOM) else "utf-16-be"
        text, encoding = _strict(raw[2:], codec, "a UTF-16 byte-order mark"), "utf-16"
    elif b"\x00" in raw:
        text, encoding = _decode_utf16_without_bom(raw), "utf-16"
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            mostly = _decode_mostly_utf8(raw)
            text, encoding = (mostly, MOSTLY_UTF8) if mostly else _decode_legacy(raw)
    if "\x00" in text:
        raise ArticleError("binary file (NUL bytes), not a text article")
    if not text.strip():
        raise ArticleError("empty file")
    return text, encoding


def _strict(raw: bytes, codec: str, mark: str) -> str:
    """Decode a file whose BOM promised `codec`; a broken promise is a readable error."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        raise ArticleError(f"cannot decode: starts with {mark} but is not valid {codec}") from err


def _decode_utf16_without_bom(raw: bytes) -> str:
    """A file with NUL bytes: UTF-16 saved without its byte-order mark when every other
    byte is mostly NUL and the text reads as Turkish, else a binary file."""
    for codec, high_bytes in (("utf-16-le", raw[1::2]), ("utf-16-be", raw[0::2])):
        if len(raw) % 2 == 0 and high_bytes.count(0) > 0.5 * len(high_bytes):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            if _looks_turkish(text):
                return text
    raise ArticleError("binary file (NUL bytes), not a text article")


def _decode_mostly_utf8(raw: bytes) -> str | None:
    """UTF-8 with a few stray cp1254 bytes (curly quotes or a dash pasted from a Windows
    program), each read as cp1254; None when the bytes are not that."""
    pieces: list[str] = []
    start = stray = 0
    while True:
        try:
            pieces.append(raw[start:].decode("utf-8"))
            break
        except UnicodeDecodeError as err:
            pieces.append(raw[start : start + err.start].decode("utf-8"))
            bad = raw[start + err.start : start + err.end]
            pieces.append(bad.decode("cp1254", errors="replace"))
            stray += len(bad)
            start += err.end
            if stray > MOST_STRAY_BYTES:
                return None
    text = "".join(pieces)
    utf8_letters = len(text) - sum(map(str.isascii, text)) - stray
    return text if utf8_letters >= 2 * stray and "\ufffd" not in text else None


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """Decode pre-Unicode Turkish text, refusing anything that does not look like it."""
    try:
        text = raw.decode("cp1254")
        encoding = "cp1254" if re.search(rb"[\x80-\x9f]", raw) else "iso-8859-9"
    except UnicodeDecodeError:
        text, encoding = raw.decode("iso-8859-9"), "iso-8859-9"
    if not _looks_turkish(text):
        raise ArticleError(UNDECODABLE)
    return text, encoding


def _looks_turkish(text: str) -> bool:
    """Guess whether a legacy decoding is right: no controls, few odd symbols, Turkish letters."""
    letters = turkish = odd = 0
    for char in text:
        if (char < " " and char not in "\t\n\r") or "\x7f" <= char <= "\x9f":
            return False
        if char.isascii():
            continue
        category = unicodedata.category(char)
        if category.startswith("L"):
            letters += 1
            turkish += char in TURKISH_LETTERS
        elif category[0] not in "NPZ" and char not in "€°":
            odd += 1
    return odd <= max(3, len(text) // 50) and turkish >= 0.8 * letters


def normalize_text(text: str) -> str:
    """Return `text` as LF-only, NFC, without invisible characters, with plain spaces.

    Decomposed letters (`s` + U+0327, `I` + U+0307) must become the composed `ş`, `İ`, or the
    analyser and the highlighter would see two different strings; `i` + U+0307 (`İ`
    lower-cased by other languages' rules) becomes `i`. A zero-width space separates words,
    as a space does; the other invisible characters are removed.
    """
    if text.replace("\n", " ").isprintable():  # the usual article: no control, no odd space
        composed = compose(text)
        if composed == text:
            return _SPACES.sub(" ", text) if "  " in text else text
    chars = set(text)  # (each pattern is searched for only in a text holding its characters)
    if not _BREAK_CHARS.isdisjoint(chars):
        text = _LINE_BREAK.sub("\n", text)
    if not _REMOVED_CHARS.isdisjoint(chars):
        text = _REMOVED.sub("", text)
    if ZERO_WIDTH_SPACE in chars:
        text = text.replace(ZERO_WIDTH_SPACE, " ")
    composed = compose(text)
    if composed != text:
        chars = set(composed)
    if "  " in composed or not _OTHER_SPACES.isdisjoint(chars):
        composed = _SPACES.sub(" ", composed)
    return composed


def parse_article(
    text: str, article_id: str, *, encoding: str = "utf-8", content_hash: str | None = None
) -> Article:
    """Build an `Article` from decoded text; raise `ArticleError` when there is no body.

    Without `content_hash`, the sha1 of the text as UTF-8 is used, as if read from such a file.
    """
    lines = [line.strip() for line in normalize_text(text).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise ArticleError("empty file")
    warnings = (
        [f"read as {encoding} (legacy Turkish encoding)"] if encoding in LEGACY_ENCODINGS else []
    )
    if encoding == MOSTLY_UTF8:
        warnings.append("read as UTF-8 but for a few bytes that are not, read as cp1254")
    fields, body_lines = _split_headers(lines, warnings)
    if fields.get("date") and (words := text_after_date(fields["date"])):
        body_lines = [words, "", *body_lines]  # the body's first words, on the date's line
        warnings.append("text after the date on the date: line kept as the body's start")
    body = _join_paragraphs(body_lines)
    if not body:
        found = "a date line" if _seed_date(lines[0]) else "header lines"
        raise ArticleError(f"only {found}, no article body: write the text after a blank line")
    date = None
    if fields.get("date"):
        date = find_date(fields["date"])
        if date is None:
            warnings.append(f"invalid date '{fields['date']}': indexed without a date")
    title = fields.get("title", "")
    if len(title) > HEADER_TITLE_MAX_CHARS:
        warnings.append(f"title of {len(title)} characters cut to {HEADER_TITLE_MAX_CHARS}")
        title = _shorten(title, HEADER_TITLE_MAX_CHARS)
    title_derived = not title
    if title_derived:
        title = derive_title(body) or article_id.rsplit("/", 1)[-1]
        warnings.append("title derived from the first sentence")
    return Article(
        id=article_id,
        title=title,
        title_derived=title_derived,
        body=body,
        date=date,
        category=fields.get("category") or None,
        source=fields.get("source") or None,
        url=web_url(fields.get("url"), warnings),
        encoding=encoding,
        content_hash=content_hash or hashlib.sha1(text.encode("utf-8")).hexdigest(),
        warnings=tuple(warnings),
    )


def web_url(value: str | None, warnings: list[str] | None = None) -> str | None:
    """``value`` when it is an ``http``/``https`` address, else None (with a warning
    added to ``warnings``): a ``javascript:`` or ``data:`` URL handed to a page or an API
    client would run or show whatever it holds.

    >>> web_url("https://ornek.test/haber"), web_url("javascript:alert(1)")
    ('https://ornek.test/haber', None)
    """
    if not value:
        return None
    scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
    if scheme in ("http", "https") and value.split(":", 1)[1].startswith("//"):
        return value
    if warnings is not None:
        warnings.append(f"url {value[:60]!r} is not an http(s) address: left out")
    return None


def _split_headers(lines: list[str], warnings: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split off a header block or a seed-style date; return (fields, body lines).

    Leading lines are headers if every line up to the first blank one is `key: value` and
    one key at least is known (:data:`HEADER_NAMES`); a line of another key (`author:`,
    `yazar:`) is passed over with a warning. A block with a line that is no `key: value`
    is body, with a warning saying why, and so is a block of two `key: value` lines or more,
    none known, before a blank line and a body: lines that look like headers nobody reads
    (``manşet:``, a misspelt key) are told of, and kept, since they may be text.
    """
    block = lines[: lines.index("")] if "" in lines else lines
    matches = [_HEADER_LINE.fullmatch(line) for line in block]
    known = [m is not None and header_field(m[1]) is not None for m in matches]
    if any(known) and all(matches):
        fields: dict[str, str] = {}
        for match in filter(None, matches):
            field = header_field(match[1])
            if field is None:
                warnings.append(f"unknown header '{match[1]}:' ignored (use {HEADER_KEYS_HINT})")
            elif field in fields:
                written = "" if match[1].lower() == field else f" ('{match[1]}:')"
                warnings.append(
                    f"duplicate '{field}:' header{written} ignored (the first one is used)"
                )
            else:
                fields[field] = match[2].strip()
        return fields, lines[len(block) :]
    if any(known):
        bad = block[matches.index(None)]
        warnings.append(
            f"top lines read as body, not headers: '{bad[:40]}' is not a header line "
            f"(`key: value`, as {', '.join(HEADER_KEYS)}) and headers end with a blank line"
        )
    elif len(block) > 1 and all(matches) and any(lines[len(block) :]):
        keys = ", ".join(dict.fromkeys(f"'{match[1]}:'" for match in filter(None, matches)))
        warnings.append(
            f"header keys not recognised: {keys}; the lines are read as body "
            f"(use {HEADER_KEYS_HINT})"
        )
    seed = _seed_date(lines[0])
    if seed:
        return {"date": seed[0]}, [seed[1], *lines[1:]]
    if _SEED_DATE_START.match(lines[0]):
        warnings.append(
            f"'{lines[0][:30]}' is not a date the inline form reads ({SEED_DATE_FORMS}): "
            "the line is read as body, without a date"
        )
    return {}, lines


def _seed_date(line: str) -> tuple[str, str] | None:
    """``(date, rest of the line)`` when ``line`` opens with an inline date, else None; a
    long date must name a month (``date 4 Foo 2026`` is none)."""
    match = _SEED_DATE.fullmatch(line)
    if match is None:
        return None
    long = _LONG_DATE.fullmatch(match[1])
    if long and _month_number(long[2]) is None:
        return None
    return match[1], match[2] or ""


def header_field(key: str) -> str | None:
    """The field a header key fills, in any case, with or without Turkish letters; None
    for a key not read.

    >>> header_field("BAŞLIK"), header_field("Baslik"), header_field("yazar")
    ('title', 'title', None)
    """
    return HEADER_NAMES.get(ascii_fold(turkish_lower(key)))


def _join_paragraphs(lines: list[str]) -> str:
    """Join trimmed lines: blank-line runs become one paragraph break (see module docstring)."""
    # (the lines are trimmed: a blank one is empty, and two newlines in a row end a paragraph)
    pieces = (piece.strip("\n") for piece in "\n".join(lines).split("\n\n"))
    return "\n\n".join(piece for piece in pieces if piece)


def find_date(value: str) -> datetime.date | None:
    """Parse `2025-09-12`, `12.09.2025` or a Turkish date like `YAYIN TARİHİ, 03 Mart 2026 18:56`.

    Returns None for anything that is not a real calendar date (`2025-99-99`, free text).
    """
    found = _dated(value)
    return found[0] if found else None


def _dated(value: str) -> tuple[datetime.date | None, int] | None:
    """The date :func:`find_date` reads in ``value`` and where its text ends; None when
    ``value`` holds no date's text."""
    if match := _ISO_DATE.search(value):
        return _make_date(match[1], match[2], match[3]), match.end()
    for match in _LONG_DATE.finditer(value):
        month = _month_number(match[2])
        if month:
            return _make_date(match[3], str(month), match[1]), match.end()
    if match := _NUMERIC_DATE.search(value):
        return _make_date(match[3], match[2], match[1]), match.end()
    return None


#: Words of text after a ``date:`` header's date (its time aside) that make it the body's
#: first words rather than a label (``date: 2026-12-03 Belediye yeni hattı açtı.``).
TEXT_AFTER_DATE_WORDS = 3
_TIME = re.compile(r"^[\s,;-]*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?")
_TEXT_WORD = re.compile(r"[^\W\d_]{2,}")


def text_after_date(value: str) -> str:
    """The text a ``date:`` header's value holds after its date and time, when it is the
    article's own words (:data:`TEXT_AFTER_DATE_WORDS` words or more), else ``""``.

    >>> text_after_date("2026-12-03 Belediye yeni otobüs hattını açtı.")
    'Belediye yeni otobüs hattını açtı.'
    >>> text_after_date("YAYIN TARİHİ, 03 Mart 2026 18:56"), text_after_date("2026-12-03")
    ('', '')
    """
    found = _dated(value)
    if found is None:
        return ""
    rest = _TIME.sub("", value[found[1] :]).strip(" ,;-")
    return rest if len(_TEXT_WORD.findall(rest)) >= TEXT_AFTER_DATE_WORDS else ""


def _month_number(name: str) -> int | None:
    """The month a Turkish month name gives, in any case, with or without Turkish letters."""
    return _MONTH_NUMBERS.get(ascii_fold(turkish_lower(name)))


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    """Return the date, or None when the numbers name no calendar day."""
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def derive_title(body: str) -> str:
    """Return the body's first sentence, shortened to ~120 chars at a word boundary with `…`.

    A `.` ends a sentence only when it is followed by space and not lowercase text, and does
    not close an abbreviation (`Dr.`, `vb.`), an initial or initialism (`T.C.`) or an
    ordinal number (`2. Asliye Ceza Mahkemesi`), so `Prof. Dr. Ayşe` stays whole.
    """
    paragraph = body.split("\n\n", 1)[0].replace("\n", " ")
    sentence = paragraph
    for match in _SENTENCE_END.finditer(paragraph):
        if match[0] == "." and not _ends_sentence(paragraph, match.start(), match.end()):
            continue
        sentence = paragraph[: match.end()]
        break
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]  # titles carry no full stop; "!", "?" and "..." stay
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence.strip()
    return _shorten(sentence, TITLE_MAX_CHARS)


def _shorten(text: str, most: int) -> str:
    """``text`` cut to at most ``most`` characters, at a space when one is near, with "…"."""
    cut = text[: most - 1]
    if " " in cut[most // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def _ends_sentence(text: str, dot: int, after: int) -> bool:
    """Decide whether the `.` at `dot` ends a sentence (see `derive_title`)."""
    following = text[after:].lstrip()
    if following[:1].islower():
        return False
    word = text[:dot].rsplit(" ", 1)[-1].lstrip("(\"'“‘«").lower()
    if word.isdecimal():  # Turkish writes an ordinal so: 2. Lig, 3. Köprü
        return False
    return not (
        word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _INITIALISM.fullmatch(word)
    )


def read_article(
    path: str | Path, docs_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Article:
    """Read, decode and parse one file; every reason it cannot be indexed is an `ArticleError`."""
    return article_from_bytes(read_file_bytes(path, max_bytes), article_id(path, docs_dir))


def read_file_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or an `ArticleError` saying why not.

    The file is opened without blocking and checked on the open descriptor, so a named pipe
    (even one swapped in after the folder was listed) is rejected instead of hanging the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise ArticleError(f"cannot read: {_strerror(err)}") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(_not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise ArticleError(_too_big(info.st_size, max_bytes))
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise ArticleError(f"cannot read: {_strerror(err)}") from err
    finally:
        os.close(fd)
    if size > max_bytes:  # grew between stat and read
        raise ArticleError(_too_big(size, max_bytes))
    return b"".join(chunks)


def article_from_bytes(raw: bytes, article_id: str) -> Article:
    """Decode and parse a file's bytes; the content hash is the sha1 of exactly these bytes."""
    text, encoding = decode_article(raw)
    return parse_article(
        text, article_id, encoding=encoding, content_hash=hashlib.sha1(raw).hexdigest()
    )


def _too_big(size: int, max_bytes: int) -> str:
    """Say how big the file is and which knob raises the limit."""
    return (
        f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (set max_bytes / --max-bytes)"
    )
