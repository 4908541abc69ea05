"""Two SQL expressions that SQLite and PostgreSQL spell differently, compiled per
dialect, so the reports' grouped queries are one query on both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import DateTime, Float


class minutes_between(FunctionElement[float]):  # noqa: N801 - an SQL function's name
    """(later - earlier) in minutes, as a float."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60.0)"


class hour_start(FunctionElement[datetime]):  # noqa: N801
    """A UTC timestamp cut to its hour: the group key of the hour-of-day figures. The
    site's local hour is read from it in Python, where the time zone rules are
    (a handful of rows: one per hour of the period)."""

    type = DateTime()
    inherit_cache = True


@compiles(hour_start, "sqlite")
def _hour_sqlite(element: hour_start, compiler: Any, **kw: Any) -> str:
    (moment,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"strftime('%Y-%m-%d %H:00:00', {moment})"


@compiles(hour_start, "postgresql")
def _hour_postgresql(element: hour_start, compiler: Any, **kw: Any) -> str:
    (moment,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"date_trunc('hour', {moment})"


def as_utc(value: datetime | str) -> datetime:
    """An hour_start value as aware UTC (SQLite hands back text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC)


def minutes(later: Any, earlier: Any) -> minutes_between:
    return minutes_between(later, earlier)
