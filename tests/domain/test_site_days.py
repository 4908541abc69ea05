"""A site's own day (`day_starts`): the day a moment belongs to, across the clock
changes; which days' tickets are in line; and the hours of a room of its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.queue import next_ticket_number
from server.domain.schedule import (
    OpeningHours,
    SiteDays,
    closed_spans,
    parse_day_start,
    room_is_open,
)

LONDON = ZoneInfo("Europe/London")
SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT


def utc(day, hh, mm=0):
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


def london(day, hh, mm=0, fold=0):
    return datetime.combine(day, time(hh, mm), tzinfo=LONDON).replace(fold=fold)


SIX = SiteDays.of(LONDON, "06:00")


# --- The day a moment belongs to ------------------------------------------------------


def test_by_default_the_day_turns_at_local_midnight():
    days = SiteDays.of(LONDON, None)
    assert days.day_of(utc(date(2026, 3, 10), 23, 59)) == date(2026, 3, 10)
    assert days.day_of(utc(date(2026, 3, 11), 0, 0)) == date(2026, 3, 11)
    # In summer, London's midnight is 23:00 UTC.
    assert days.day_of(utc(date(2026, 7, 1), 23, 0)) == date(2026, 7, 2)


def test_before_the_sites_turn_of_the_day_a_moment_belongs_to_the_day_before():
    monday = date(2026, 3, 9)
    assert SIX.day_of(london(monday, 23, 50)) == monday
    assert SIX.day_of(london(monday + timedelta(days=1), 0, 10)) == monday
    assert SIX.day_of(london(monday + timedelta(days=1), 5, 59)) == monday
    assert SIX.day_of(london(monday + timedelta(days=1), 6, 0)) == monday + timedelta(days=1)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_the_day_starts_at_six_local_on_both_clock_change_days(day):
    assert SIX.start_of(day) == london(day, 6)
    assert SIX.day_of(london(day, 5, 59)) == day - timedelta(days=1)
    assert SIX.day_of(london(day, 6, 0)) == day


def test_a_day_start_the_spring_clocks_skip_falls_on_the_jump():
    days = SiteDays.of(LONDON, "01:30")  # 01:30 does not happen on 29 March
    assert days.start_of(SPRING) == utc(SPRING, 1, 0)  # 02:00 BST, the jump
    assert days.day_of(utc(SPRING, 0, 59)) == SPRING - timedelta(days=1)
    assert days.day_of(utc(SPRING, 1, 0)) == SPRING


def test_a_day_start_the_autumn_clocks_repeat_is_its_first_time_and_never_turns_back():
    days = SiteDays.of(LONDON, "01:30")  # 01:30 happens twice on 25 October
    assert days.start_of(AUTUMN) == utc(AUTUMN, 0, 30)  # 01:30 BST
    # Every minute through the repeated hour stays on the new day, once it has begun.
    minute, seen = utc(AUTUMN, 0, 0), []
    while minute < utc(AUTUMN, 3, 0):
        seen.append(days.day_of(minute))
        minute += timedelta(minutes=1)
    assert seen == sorted(seen)
    assert seen[0] == AUTUMN - timedelta(days=1) and seen[-1] == AUTUMN
    assert days.day_of(london(AUTUMN, 1, 15, fold=1)) == AUTUMN  # the second 01:15


def test_a_service_day_lasts_23_and_25_hours_over_the_clock_changes():
    assert SIX.start_of(SPRING + timedelta(days=1)) - SIX.start_of(SPRING) == timedelta(hours=24)
    assert SIX.start_of(SPRING) - SIX.start_of(SPRING - timedelta(days=1)) == timedelta(hours=23)
    assert SIX.start_of(AUTUMN) - SIX.start_of(AUTUMN - timedelta(days=1)) == timedelta(hours=25)


# --- Which days are in line ---------------------------------------------------------


def test_a_site_with_a_day_start_has_one_day_in_line():
    monday = date(2026, 3, 9)
    assert SIX.line_days(monday) == (monday, monday)
    assert SIX.in_line(monday, london(monday + timedelta(days=1), 5, 59))
    assert not SIX.in_line(monday, london(monday + timedelta(days=1), 6, 0))


def test_a_site_that_never_cuts_its_line_keeps_the_day_before_in_it():
    never = SiteDays.of(LONDON, "never")
    monday = date(2026, 3, 9)
    assert never.starts == time(0)  # its numbers restart at midnight
    assert never.day_of(london(monday + timedelta(days=1), 0, 10)) == monday + timedelta(days=1)
    assert never.line_days(monday + timedelta(days=1)) == (monday, monday + timedelta(days=1))
    assert never.in_line(monday, london(monday + timedelta(days=1), 23, 59))
    assert not never.in_line(monday, london(monday + timedelta(days=2), 0, 0))


@pytest.mark.parametrize("text", ["6:00", "06:00:00", "24:00", "noon", ""])
def test_a_day_start_is_hh_mm(text):
    with pytest.raises(ValueError, match="expected HH:MM or 'never'"):
        parse_day_start(text)


def test_numbers_restart_passing_over_those_still_held_in_line():
    assert next_ticket_number(None) == 1
    assert next_ticket_number(None, {1, 2, 4}) == 3
    assert next_ticket_number(3, {4, 5}) == 6


# --- Hours of a room of its own ---------------------------------------------------------

TUESDAY = date(2026, 3, 10)
SITE_HOURS = OpeningHours.of({"tue": ["08:00-18:00"]})
ROOM_HOURS = OpeningHours.of({"tue": ["09:00-12:30", "13:30-17:00"]})


def test_spans_join_an_interval_to_midnight_with_the_next_days_from_midnight():
    hours = OpeningHours.of({"mon": ["20:00-24:00"], "tue": ["00:00-02:00", "08:00-09:00"]})
    spans = hours.spans(date(2026, 3, 9), TUESDAY, LONDON)
    assert spans == [
        (utc(date(2026, 3, 9), 20), utc(TUESDAY, 2)),
        (utc(TUESDAY, 8), utc(TUESDAY, 9)),
    ]


def test_a_room_is_shut_while_the_site_is_open_outside_its_own_sessions():
    site = SITE_HOURS.spans(TUESDAY, TUESDAY, LONDON)
    room = ROOM_HOURS.spans(TUESDAY, TUESDAY, LONDON)
    assert closed_spans(room, site) == [
        (utc(TUESDAY, 8), utc(TUESDAY, 9)),  # a late start
        (utc(TUESDAY, 12, 30), utc(TUESDAY, 13, 30)),  # lunch
        (utc(TUESDAY, 17), utc(TUESDAY, 18)),  # an early finish
    ]


@pytest.mark.parametrize(
    ("hh", "mm", "expected"),
    [(8, 30, False), (9, 0, True), (12, 29, True), (12, 30, False), (13, 30, True), (17, 0, False)],
)
def test_whether_a_room_is_open_at_a_moment(hh, mm, expected):
    local = datetime.combine(TUESDAY, time(hh, mm))
    assert room_is_open(local, SITE_HOURS, ROOM_HOURS) is expected
    assert room_is_open(local, SITE_HOURS) is True  # without hours of its own: the site's


def test_a_room_with_its_own_hours_is_closed_while_the_site_is():
    evening = OpeningHours.of({"tue": ["17:00-22:00"]})
    assert not room_is_open(datetime.combine(TUESDAY, time(19)), SITE_HOURS, evening)
    assert room_is_open(datetime.combine(TUESDAY, time(19)), OpeningHours(), evening)
