"""An appointment's morning link: texted on its day from the site's hour, never at night
nor once the kiosk would say it is too late; the link works on its day only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain import morning

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 3, 10)
LATE = timedelta(minutes=30)


def local(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def due(now, starts_at=None, hour=7):
    return morning.link_text_due(
        now, day=DAY, starts_at=starts_at or local(10, 30), late=LATE, hour=hour
    )


def test_the_text_goes_from_the_sites_hour_on_the_appointments_day():
    assert not due(local(6, 59))
    assert due(local(7, 0))
    assert due(local(10, 0))
    assert not due(local(7, 0), hour=9)
    assert due(local(9, 0), hour=9)


def test_never_at_night_nor_on_another_day():
    evening = local(22, 0)  # an evening clinic: still not texted from 21:00
    assert due(local(20, 59), starts_at=evening)
    assert not due(local(21, 0), starts_at=evening)
    assert not due(local(23, 30), starts_at=evening)
    assert not due(local(8, 0, day=date(2026, 3, 9)))  # the day before
    assert not due(local(8, 0, day=date(2026, 3, 11)))  # the day after


def test_not_once_the_kiosk_would_say_too_late():
    assert due(local(11, 0))  # 10:30 and the 30 minutes the kiosk allows
    assert not due(local(11, 1))


@pytest.mark.parametrize(
    ("setting", "hour"), [(9, 9), (7, 7), (12, 12), (3, 7), (23, 7), (None, 7), ("8", 7)]
)
def test_the_sites_hour_is_a_morning_hour_or_the_default(setting, hour):
    assert morning.text_hour(setting) == hour


def test_the_link_works_on_its_day_only():
    assert morning.link_works(DAY, DAY)
    assert not morning.link_works(DAY + timedelta(days=1), DAY)
    assert not morning.link_works(DAY - timedelta(days=1), DAY)
