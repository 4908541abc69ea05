"""The site's calendar: opening hours, its own 'today', and appointment windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.errors import CheckInRefused
from server.domain.schedule import (
    AppointmentWindow,
    Closure,
    OpeningHours,
    local_to_utc,
    parse_interval,
    room_is_open,
    site_day,
)

MADRID = ZoneInfo("Europe/Madrid")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

# 2026-03-09 is a Monday.
MONDAY = date(2026, 3, 9)
HOURS = OpeningHours(
    {
        "mon": (parse_interval("08:00-12:30"), parse_interval("13:30-18:00")),
        "tue": (parse_interval("00:00-24:00"),),
        "fri": (parse_interval("20:00-24:00"),),
    }
)


def local(day, hh, mm=0, ss=0, us=0):
    return datetime.combine(day, time(hh, mm, ss, us))


def days_after_monday(n):
    return MONDAY + timedelta(days=n)


# --- Closures ----------------------------------------------------------------------

WITH_CLOSURES = OpeningHours.of(
    {"mon": ["08:00-12:30", "13:30-18:00"], "tue": ["00:00-24:00"]},
    [
        Closure.of({"date": "2026-03-09"}),  # a public holiday on the Monday
        Closure.of({"date": "2026-03-10", "from": "13:00", "to": "24:00"}),
    ],
)


def test_a_closed_day_is_closed_at_every_hour_its_weekday_opens():
    assert not any(WITH_CLOSURES.is_open(local(MONDAY, h)) for h in range(24))
    assert WITH_CLOSURES.is_open(local(MONDAY + timedelta(days=7), 9))  # the next Monday


def test_a_closed_afternoon_leaves_the_morning_open_and_ends_at_midnight():
    tuesday = days_after_monday(1)
    assert WITH_CLOSURES.is_open(local(tuesday, 12, 59, 59))
    assert not WITH_CLOSURES.is_open(local(tuesday, 13))
    assert not WITH_CLOSURES.is_open(local(tuesday, 23, 59, 59))


def test_a_closure_that_ends_before_the_day_does_reopens():
    hours = OpeningHours.of(
        {"mon": ["08:00-18:00"]},
        [Closure.of({"date": "2026-03-09", "from": "12:00", "to": "14:00"})],
    )
    assert hours.is_open(local(MONDAY, 11, 59))
    assert not hours.is_open(local(MONDAY, 13, 59))
    assert hours.is_open(local(MONDAY, 14))


def test_the_open_spans_leave_the_closures_out():
    spans = WITH_CLOSURES.spans(MONDAY, days_after_monday(2), LONDON)
    utc = lambda day, hh: local_to_utc(day, time(hh), LONDON)  # noqa: E731
    assert spans == [(utc(days_after_monday(1), 0), utc(days_after_monday(1), 13))]


def test_a_site_without_hours_is_open_but_for_its_closures():
    always = OpeningHours.always([Closure.of({"date": "2026-03-09"})])
    assert not room_is_open(local(MONDAY, 9), OpeningHours({}, always.closures))
    assert room_is_open(local(days_after_monday(1), 9), OpeningHours({}, always.closures))
    assert always.spans(MONDAY, days_after_monday(1), LONDON) == [
        (
            local_to_utc(days_after_monday(1), time(0), LONDON),
            local_to_utc(days_after_monday(2), time(0), LONDON),
        )
    ]


def test_a_closure_shuts_a_room_with_its_own_hours_too():
    room = OpeningHours.of({"mon": ["09:00-17:00"]})
    assert not room_is_open(local(MONDAY, 10), WITH_CLOSURES, room)


@pytest.mark.parametrize(
    "item",
    [{"date": "2026-02-30"}, {"date": "2026-03-09", "from": "14:00", "to": "13:00"}],
)
def test_a_bad_closure_is_refused(item):
    with pytest.raises(ValueError):
        Closure.of(item)


# --- OpeningHours ------------------------------------------------------------------


def test_open_at_the_first_minute_of_an_interval():
    assert HOURS.is_open(local(MONDAY, 8, 0))


def test_closed_just_before_an_interval_starts():
    assert not HOURS.is_open(local(MONDAY, 7, 59, 59, 999_999))


def test_closed_at_the_end_of_an_interval():
    assert HOURS.is_open(local(MONDAY, 12, 29, 59))
    assert not HOURS.is_open(local(MONDAY, 12, 30))


def test_closed_in_the_gap_between_intervals_and_open_in_the_second():
    assert not HOURS.is_open(local(MONDAY, 13, 0))
    assert HOURS.is_open(local(MONDAY, 13, 30))
    assert not HOURS.is_open(local(MONDAY, 18, 0))


def test_whole_day_interval_is_open_from_midnight_to_the_last_second():
    tuesday = days_after_monday(1)
    assert HOURS.is_open(local(tuesday, 0, 0))
    assert HOURS.is_open(local(tuesday, 12, 0))
    assert HOURS.is_open(local(tuesday, 23, 59, 59, 999_999))


def test_interval_ending_at_24_00_is_open_until_midnight():
    friday = days_after_monday(4)
    assert not HOURS.is_open(local(friday, 19, 59))
    assert HOURS.is_open(local(friday, 20, 0))
    assert HOURS.is_open(local(friday, 23, 59, 59))


def test_interval_ending_at_24_00_does_not_spill_into_the_next_day():
    saturday = days_after_monday(5)
    assert not HOURS.is_open(local(saturday, 0, 0))


def test_a_day_that_is_not_listed_is_closed_all_day():
    wednesday = days_after_monday(2)
    for hour in range(24):
        assert not HOURS.is_open(local(wednesday, hour, 0))


def test_no_hours_at_all_means_always_closed():
    assert not OpeningHours().is_open(local(MONDAY, 10, 0))


def test_weekday_is_taken_from_the_local_date():
    sunday = days_after_monday(6)
    hours = OpeningHours({"sun": (parse_interval("09:00-10:00"),)})
    assert hours.is_open(local(sunday, 9, 30))
    assert not hours.is_open(local(MONDAY, 9, 30))


# --- parse_interval ----------------------------------------------------------------


def test_parse_interval_reads_start_and_end():
    assert parse_interval("08:00-12:30") == (time(8, 0), time(12, 30))


def test_parse_interval_tolerates_spaces_around_the_dash():
    assert parse_interval("08:00 - 12:30") == (time(8, 0), time(12, 30))


def test_parse_interval_24_00_means_midnight_at_the_end_of_the_day():
    assert parse_interval("00:00-24:00") == (time(0), time(0))
    assert parse_interval("18:00-24:00") == (time(18), time(0))


def test_parse_interval_without_a_dash_is_refused():
    with pytest.raises(ValueError, match=r"expected HH:MM-HH:MM, got '0800'"):
        parse_interval("0800")


@pytest.mark.parametrize("text", ["12:00-08:00", "08:00-08:00"])
def test_parse_interval_that_ends_before_it_starts_is_refused(text):
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["8am-12:00", "08:00-25:00", "24:00-24:00", "-12:00"])
def test_parse_interval_with_a_bad_clock_time_is_refused(text):
    with pytest.raises(ValueError):  # the message comes from datetime
        parse_interval(text)


# --- site_day and local_to_utc -----------------------------------------------------


def test_late_evening_utc_is_already_tomorrow_in_madrid():
    # Winter: Madrid is UTC+1, so 23:30 UTC on 10 March is 00:30 on 11 March.
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert site_day(now, MADRID) == date(2026, 3, 11)
    assert site_day(now, LONDON) == date(2026, 3, 10)


def test_early_morning_utc_is_still_yesterday_in_new_york():
    # New York is on daylight time (UTC-4) from 8 March 2026.
    now = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)
    assert site_day(now, NEW_YORK) == date(2026, 3, 9)


def test_site_day_follows_the_clock_change():
    # Madrid moves from UTC+1 to UTC+2 on 29 March 2026: 22:30 UTC is still the same
    # day the evening before, but already the next day that evening.
    assert site_day(datetime(2026, 3, 28, 22, 30, tzinfo=UTC), MADRID) == date(2026, 3, 28)
    assert site_day(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), MADRID) == date(2026, 3, 30)


def test_site_day_of_the_same_instant_in_another_offset_is_the_same():
    instant = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert site_day(instant.astimezone(NEW_YORK), MADRID) == date(2026, 3, 11)


def test_local_to_utc_in_winter_and_summer():
    assert local_to_utc(date(2026, 1, 15), time(9, 0), MADRID) == datetime(
        2026, 1, 15, 8, 0, tzinfo=UTC
    )
    assert local_to_utc(date(2026, 7, 15), time(9, 0), MADRID) == datetime(
        2026, 7, 15, 7, 0, tzinfo=UTC
    )


def test_local_to_utc_on_both_sides_of_the_spring_clock_change():
    assert local_to_utc(date(2026, 3, 28), time(9, 0), LONDON) == datetime(
        2026, 3, 28, 9, 0, tzinfo=UTC
    )
    assert local_to_utc(date(2026, 3, 29), time(9, 0), LONDON) == datetime(
        2026, 3, 29, 8, 0, tzinfo=UTC
    )


def test_local_to_utc_answers_in_utc():
    result = local_to_utc(date(2026, 3, 10), time(9, 0), NEW_YORK)
    assert result.utcoffset() == timedelta(0)
    assert result == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def test_local_to_utc_round_trips_through_site_day():
    for day in (date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25)):
        assert site_day(local_to_utc(day, time(0, 0), MADRID), MADRID) == day
        assert site_day(local_to_utc(day, time(23, 59), MADRID), MADRID) == day


# --- AppointmentWindow -------------------------------------------------------------

WINDOW = AppointmentWindow(early=timedelta(minutes=60), late=timedelta(minutes=30))
STARTS = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "now",
    [
        STARTS - timedelta(minutes=60),
        STARTS - timedelta(minutes=1),
        STARTS,
        STARTS + timedelta(minutes=30),
    ],
    ids=["earliest", "just-before", "on-time", "latest"],
)
def test_check_in_inside_the_window_is_accepted(now):
    WINDOW.check(now, STARTS)  # raises if refused


def test_check_in_too_early_is_refused_and_says_how_early_is_allowed():
    with pytest.raises(CheckInRefused) as caught:
        WINDOW.check(STARTS - timedelta(minutes=60, seconds=1), STARTS)
    assert caught.value.code == "too_early"
    assert "60 minutes" in caught.value.message
    assert caught.value.status == 422


def test_check_in_too_late_is_refused_and_sends_the_patient_to_the_desk():
    with pytest.raises(CheckInRefused) as caught:
        WINDOW.check(STARTS + timedelta(minutes=30, seconds=1), STARTS)
    assert caught.value.code == "too_late"
    assert "front desk" in caught.value.message


def test_a_window_of_zero_accepts_only_the_appointment_time():
    exact = AppointmentWindow(early=timedelta(0), late=timedelta(0))
    exact.check(STARTS, STARTS)
    with pytest.raises(CheckInRefused):
        exact.check(STARTS - timedelta(seconds=1), STARTS)
    with pytest.raises(CheckInRefused):
        exact.check(STARTS + timedelta(seconds=1), STARTS)
