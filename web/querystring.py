"""Query strings in UTF-8, or in cp1254 as older Turkish pages and forms send them.

Werkzeug leaves a percent-encoded byte that is not UTF-8 as written: ``?q=toplant%FD``
(``toplantı`` from a page in windows-1254) would be searched as ``toplant%FD``. Here a
value whose bytes are not UTF-8 is read as cp1254, the encoding of those pages.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import MultiDict


class TurkishRequest(Request):
    """Flask's request, with :attr:`args` read as :func:`decode_value` reads each value."""

    @cached_property
    def args(self) -> MultiDict[str, str]:  # type: ignore[override]
        pairs = parse_qsl(
            self.query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
        )
        return self.parameter_storage_class(
            (decode_value(name), decode_value(value)) for name, value in pairs
        )


def decode_value(text: str) -> str:
    """A query-string value whose bytes are ``text``'s code points: UTF-8, else cp1254.

    >>> decode_value("toplant\\xc4\\xb1"), decode_value("toplant\\xfd"), decode_value("\\xddzmir")
    ('toplantı', 'toplantı', 'İzmir')
    """
    if text.isascii():
        return text
    raw = text.encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1254", errors="replace")
