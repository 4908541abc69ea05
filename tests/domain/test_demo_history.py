"""The demo's made-up past (domain/demo_history.py): the same seed, the same days."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from server.domain import demo_history
from server.domain.demo_history import ServiceLine

TODAY = date(2026, 3, 10)


def test_the_same_seed_makes_the_same_days() -> None:
    lines = [
        ServiceLine("general", 15, ("room-1",), 0.7),
        ServiceLine("blood", 6, ("lab-1",), 0.3),
    ]
    zone = ZoneInfo("Europe/London")
    today = TODAY
    first = demo_history.history(lines, ["emergency"], zone, today=today, days=7)
    again = demo_history.history(lines, ["emergency"], zone, today=today, days=7)
    assert first == again
    visits, _ = first
    assert all(v.day < today for v in visits)
    numbers = [(v.day, v.service, v.number) for v in visits]
    assert len(numbers) == len(set(numbers))  # a number once per service and day
