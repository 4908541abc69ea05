"""How accurate were we? The benchmark's figures, for the estimates shown to real
patients on one day (the reports build on it)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from server import clock
from server.extensions import db
from server.storage import queries
from server.storage.models import CallEvent, ShownEstimate, Site


def accuracy_report(site_slug: str, day: date | None = None) -> dict[str, Any]:
    """The figures of the benchmark, for estimates shown to real patients on one day.

    `first` scores each patient's first estimate (at check-in), as the benchmark does;
    `all` scores every estimate shown. A patient never called (cancelled, left) has no
    actual wait and is left out.
    """
    site = queries.get_site(site_slug)
    day = day or site.days.day_of(clock.now())
    shown = db.session.scalars(
        select(ShownEstimate)
        .where(ShownEstimate.site_id == site.id, ShownEstimate.day == day)
        .order_by(ShownEstimate.ticket_id, ShownEstimate.at, ShownEstimate.id)
    ).all()
    calls = _first_calls(site, day)
    first: list[tuple[ShownEstimate, float]] = []
    every: list[tuple[ShownEstimate, float]] = []
    seen: set[int] = set()
    for row in shown:
        called = next((at for at in calls.get(row.ticket_id, []) if at >= row.at), None)
        if called is None:
            continue
        pair = (row, (called - row.at).total_seconds() / 60)
        every.append(pair)
        if row.ticket_id not in seen:
            seen.add(row.ticket_id)
            first.append(pair)
    summary = _figures(first)
    return {
        "site": site.slug,
        "day": day.isoformat(),
        "first": summary,
        "all": _figures(every),
        "within_10_share": summary["within_10"],
    }


def _first_calls(site: Site, day: date) -> dict[int, list[datetime]]:
    """Each ticket's calls that day (not recalls), in order."""
    rows = db.session.execute(
        select(CallEvent.ticket_id, CallEvent.at)
        .where(CallEvent.site_id == site.id, CallEvent.day == day, CallEvent.recall.is_(False))
        .order_by(CallEvent.at)
    ).all()
    calls: dict[int, list[datetime]] = defaultdict(list)
    for ticket_id, at in rows:
        calls[ticket_id].append(at)
    return calls


def _figures(pairs: Sequence[tuple[ShownEstimate, float]]) -> dict[str, Any]:
    if not pairs:
        return {
            "patients": 0,
            "mae": None,
            "bias": None,
            "within_10": None,
            "coverage": None,
            "past_high": None,
        }
    errors = [row.central - actual for row, actual in pairs]
    n = len(pairs)
    return {
        "patients": n,
        "mae": round(statistics.fmean(abs(e) for e in errors), 1),
        "bias": round(statistics.fmean(errors), 1),
        "within_10": round(sum(abs(e) <= 10 for e in errors) / n, 3),
        "coverage": round(sum(row.low <= actual <= row.high for row, actual in pairs) / n, 3),
        "past_high": round(sum(actual > row.high for row, actual in pairs) / n, 3),
    }
