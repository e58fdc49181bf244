"""What a request may carry: ids within the database's integers, and text that is text.

Whatever arrives in a request is read here or through these helpers, so no input, however
hostile, reaches the database in a shape it refuses (a server error):

- `<int:...>` in a route matches only 0..2**31-1 (PostgreSQL's `integer`, the type of every
  id column); a larger number does not match the route, which answers 404.
- `int_arg()` reads an integer from the query string, `page_arg()` a page number; anything
  else (text, a negative number, a number beyond the database's range) counts as absent.
- `parse_id()` does the same for ids posted in a form.
- A NUL byte or bytes that are not UTF-8 (a `%ff`, a lone surrogate; or U+FFFD, which stands
  for them once decoded) in the path, the query string, a posted form or a cookie answer 400,
  the app's error page, before any view runs.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, ValidationError

DB_INT_MAX = 2**31 - 1  # PostgreSQL's `integer`: every id column
# The largest values forms take, within their columns.
MAX_VND = 10**12  # prices (BIGINT)
MAX_QUANTITY = 10**12 - 1  # volumes and capacities (NUMERIC(14, 2))
MAX_PLACES = 1_000_000  # an event's places (INTEGER)
MAX_METRES = 9_999  # halls, booths and positions (NUMERIC(6, 2) and (8, 2))
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only ("²".isdigit() is true, int("²") fails)


def parse_id(value, *, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """`value` (a str or an int) as an integer within minimum..maximum, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if minimum <= number <= maximum else None


def int_arg(
    name: str, default: int | None = None, *, minimum: int = 0, maximum: int = DB_INT_MAX
) -> int | None:
    """The query string's `name` as an integer within minimum..maximum; otherwise `default`."""
    value = parse_id(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def page_arg(name: str = "page") -> int:
    """A page number from the query string: 1 unless it is a whole number from 1 to 2**31-1."""
    return int_arg(name, 1, minimum=1)


def bounded_page(page: int | None) -> int:
    """A page number a caller passed, kept where an OFFSET stays a database integer."""
    return page if isinstance(page, int) and 1 <= page <= DB_INT_MAX else 1


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` up to 2**31-1: a larger id cannot exist, so the route does not match (404).

    Werkzeug's own converter turns any run of digits into an int, so a 10**20 reached the
    database (PostgreSQL: "integer out of range") and 5,000 digits failed in `int()` itself.
    """

    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed=False
    ):
        bound = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits, min, bound, signed)

    def to_python(self, value: str):
        if len(value) > len(str(DB_INT_MAX)) + 1 or not value.isascii():
            raise ValidationError()
        return super().to_python(value)


# ---------------------------------------------------------------- text that is text


def unstorable(value: str) -> bool:
    """Text no database stores: a NUL, or a lone surrogate (JSON bodies can carry both)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_bytes(raw: bytes) -> bool:
    """True when `raw` holds a NUL, is not UTF-8 (Python's codec refuses lone surrogates too),
    or holds U+FFFD, which a client or a server put where bytes were not UTF-8."""
    try:
        return _bad_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return True


def _bad_text(value: str | None) -> bool:
    """A value Werkzeug already decoded: a NUL, or U+FFFD where it replaced bytes that were not UTF-8."""
    return value is not None and ("\x00" in value or "\ufffd" in value)


def _wsgi_bytes(value: str) -> bytes:
    """A WSGI environ string as the bytes that came over the wire (PEP 3333: latin-1)."""
    return value.encode("latin-1", "replace")


def hostile_input() -> str | None:
    """Which part of the request holds a NUL or malformed UTF-8, or None."""
    environ = request.environ
    if _bad_bytes(_wsgi_bytes(environ.get("PATH_INFO", ""))):
        return "path"
    if _bad_bytes(unquote_to_bytes(_wsgi_bytes(environ.get("QUERY_STRING", "")))):
        return "query string"
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and (
        _bad_bytes(_wsgi_bytes(cookies))
        or any(_bad_text(k) or _bad_text(v) for k, v in request.cookies.items(multi=True))
    ):
        return "cookie"
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype == "application/x-www-form-urlencoded":
            # The raw body: Werkzeug would replace bad bytes silently. It is cached for the form parser.
            body = request.get_data(cache=True, parse_form_data=False)
            if _bad_bytes(unquote_to_bytes(body.replace(b"+", b" "))):
                return "form"
        elif request.mimetype == "multipart/form-data":
            fields = request.form.items(multi=True)
            files = request.files.items(multi=True)
            if any(_bad_text(k) or _bad_text(v) for k, v in fields) or any(
                _bad_text(k) or _bad_text(f.filename) for k, f in files
            ):
                return "form"
    return None


def init_app(app: Flask) -> None:
    """Bounded `<int:...>` (before any route is added) and the 400 for text that is not text."""
    app.url_map.converters["int"] = DatabaseIntConverter

    @app.before_request
    def refuse_hostile_input():
        if hostile_input() is not None:
            abort(400)
