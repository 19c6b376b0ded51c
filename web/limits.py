"""Size limits on requests, checked before any view runs (see ``web/SERVER.md``).

waitress already refuses a header block larger than
:data:`web.server.MAX_REQUEST_HEADER_SIZE` (431) and a body larger than
:data:`web.server.MAX_REQUEST_BODY` (413). What fits through waitress is checked here, so
the app answers a clear 4xx instead of parsing and ignoring thousands of parameters.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest, RequestHeaderFieldsTooLarge, RequestURITooLarge

#: The longest query string: a 500-character query of 4-byte characters percent-encodes to
#: 6,000 bytes; the filters add well under 1 KB.
MAX_QUERY_STRING_BYTES = 16 * 1024
#: A search takes at most 6 names; ``category`` may repeat, once per checked category.
MAX_PARAMETERS = 100
#: Browsers send 10 to 20 headers.
MAX_HEADERS = 100


def check_request_size() -> None:
    """A ``before_request`` hook: raise a 414, 400 or 431 for an oversized request."""
    query = request.query_string
    if len(query) > MAX_QUERY_STRING_BYTES:
        raise RequestURITooLarge(
            f"the query string is {len(query)} bytes; at most {MAX_QUERY_STRING_BYTES}"
        )
    parameters = query.count(b"&") + 1 if query else 0
    if parameters > MAX_PARAMETERS:
        raise BadRequest(f"{parameters} query parameters; at most {MAX_PARAMETERS}")
    headers = sum(1 for _ in request.headers)
    if headers > MAX_HEADERS:
        raise RequestHeaderFieldsTooLarge(f"{headers} request headers; at most {MAX_HEADERS}")
