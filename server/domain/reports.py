"""The rules of the manager's reports that are not counting: which observed wait is
"the" median or 90th percentile, how a share and a change are rounded, and how long a
room was open. The counting itself is grouped SQL (services/reports.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the `percent`th percentile among `count` ordered values, by
    the nearest-rank method: ceil(percent/100 * count). Every answer is a wait some
    patient really had (no interpolation), and it is plain integer arithmetic, the same
    in Python, SQLite and PostgreSQL (services/reports.py writes it in SQL)."""
    return (count * percent + 99) // 100


def share(part: float | None, whole: float | None, digits: int = 3) -> float | None:
    """part / whole, rounded; None when there is nothing to divide by."""
    if not whole or part is None:
        return None
    return round(part / whole, digits)


def change(now: float | None, before: float | None) -> float | None:
    """The signed difference of a headline figure from the previous period; None when
    either period has no figure (no patients, so no median)."""
    if now is None or before is None:
        return None
    # + 0.0 turns a negative zero (a tiny fall rounded away) into a plain zero.
    return round(now - before, 3) + 0.0


def changes(
    now: Mapping[str, float | None], before: Mapping[str, float | None]
) -> dict[str, float | None]:
    return {key: change(value, before.get(key)) for key, value in now.items()}


# The headline figures that are shares (0 to 1): their change is shown in points.
SHARES = frozenset({"over_target_share", "within_10", "positive_share"})


def shown_change(value: float | None, *, points: bool = False) -> str | None:
    """A change as the page shows it: signed, shares in whole percentage points
    (`points`), other figures (counts, minutes) to at most one decimal; "0", with no
    sign, for a change that rounds to nothing (never "+0", "-0" or "-0.0"); None when
    either period has no figure."""
    if value is None:
        return None
    amount = round(value * 100) if points else round(value, 1)
    if amount == 0:
        return "0"
    return f"{amount:+.1f}".removesuffix(".0")


def open_minutes(
    spans: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> float:
    """Minutes of the open spans that fall between `start` and `end` (the period, cut
    at now: a room is not idle in hours that have not come yet)."""
    total = 0.0
    for opens, closes in spans:
        overlap = (min(closes, end) - max(opens, start)).total_seconds()
        total += max(overlap, 0.0)
    return total / 60


PRESETS = ("today", "7", "30", "month", "custom")


def preset_days(
    preset: str,
    today: date,
    month: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> tuple[date, date]:
    """The days of the page's choice of range: today, the last 7 or 30 days (today
    included), a calendar month ("YYYY-MM"; the current one when not given), or the
    custom `first` to `last` (each defaulting to today)."""
    if preset == "today":
        return today, today
    if preset in ("7", "30"):
        return today - timedelta(days=int(preset) - 1), today
    if preset == "month":
        year, number = (
            (int(part) for part in month.split("-")) if month else (today.year, today.month)
        )
        start = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
        return start, following - timedelta(days=1)
    return first or today, last or today
