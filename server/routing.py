"""What the app takes from an address, checked once for every route.

- `<id:name>`: a record's id. Ids are whole numbers that fit the database's integer
  column (32-bit signed on PostgreSQL), so a larger one names nothing: 404, never a
  query that overflows.
- Every other path value and every query-string value is one line of text: a control
  character (a NUL above all, which PostgreSQL refuses) is answered 400 before any view
  reads it (server/domain/text.py has the rule).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from server.domain.text import check_line

# The largest value of a PostgreSQL `integer` column; SQLite's is larger.
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """A positive id within the database's integer range."""

    regex = r"\d+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        # Bounded by length first: int() of a very long string of digits is slow.
        number = int(value) if len(value) <= len(str(MAX_ID)) else MAX_ID + 1
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"Nothing has the id {value[:20]}: ids run from 1 to {MAX_ID}.")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_routing(app: Flask) -> None:
    """Before any blueprint is registered: its rules are compiled with these converters."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    """Path values (site slugs, room codes, tokens) and query values are single lines."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check_line(value, field=name)
    for name, value in request.args.items(multi=True):
        check_line(name, field="a query parameter's name")
        check_line(value, field=name[:40])
