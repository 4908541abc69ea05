"""The reports' rules that are not counting: percentiles by nearest rank, the signed
change from the previous period, open time, and the page's ranges of days."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from server.domain.reports import (
    change,
    changes,
    nearest_rank,
    open_minutes,
    preset_days,
    share,
    shown_change,
)


@pytest.mark.parametrize("count", range(1, 60))
@pytest.mark.parametrize("percent", [50, 90])
def test_the_nearest_rank_is_the_ceiling_of_the_share_of_the_count(count, percent):
    assert nearest_rank(percent, count) == math.ceil(count * percent / 100)


def test_the_median_of_an_even_count_is_the_lower_middle_wait_a_patient_really_had():
    waits = [4.0, 9.0, 12.0, 30.0]
    assert sorted(waits)[nearest_rank(50, len(waits)) - 1] == 9.0
    assert sorted(waits)[nearest_rank(90, len(waits)) - 1] == 30.0


def test_a_change_is_signed_and_missing_when_either_period_has_no_figure():
    found = changes(
        {"seen": 12, "median_wait": None, "mae": 7.5}, {"seen": 15, "median_wait": 9.0, "mae": None}
    )
    assert found == {"seen": -3, "median_wait": None, "mae": None}
    assert share(1, 3) == 0.333
    assert share(1, 0) is None


def test_a_tiny_fall_is_a_plain_zero_not_a_negative_one():
    found = change(0.1 + 0.2, 0.3)  # 5.6e-17 in floats
    assert found == 0 and math.copysign(1, found) == 1
    found = change(0.3, 0.1 + 0.2)  # -5.6e-17: rounds to -0.0 without care
    assert found == 0 and math.copysign(1, found) == 1
    assert str(change(12.3, 12.3)) == "0.0"


@pytest.mark.parametrize(
    ("value", "points", "shown"),
    [
        (None, False, None),
        (None, True, None),
        (0, False, "0"),
        (0.0, False, "0"),
        (-0.0, False, "0"),
        (0.04, False, "0"),  # minutes: rounds to nothing at one decimal
        (-0.04, False, "0"),  # not "-0" nor "-0.0"
        (0.05, False, "+0.1"),
        (-0.06, False, "-0.1"),
        (3, False, "+3"),
        (-3, False, "-3"),
        (1.5, False, "+1.5"),
        (-12.0, False, "-12"),
        (1234567, False, "+1234567"),  # never "+1.23457e+06"
        (0.0, True, "0"),
        (-0.0, True, "0"),
        (0.004, True, "0"),  # 0.4 points
        (-0.004, True, "0"),  # -0.4 points: not "-0 points"
        (-0.001, True, "0"),
        (0.012, True, "+1"),
        (-0.012, True, "-1"),
        (-0.25, True, "-25"),
        (0.006, True, "+1"),
    ],
)
def test_a_change_is_shown_signed_and_zero_is_plain(value, points, shown):
    assert shown_change(value, points=points) == shown


def test_open_time_counts_only_the_hours_inside_the_period():
    at = lambda h: datetime(2026, 3, 10, h, tzinfo=UTC)  # noqa: E731
    spans = [(at(8), at(12)), (at(13), at(17))]
    assert open_minutes(spans, at(0), at(23)) == 8 * 60
    assert open_minutes(spans, at(0), at(10)) == 2 * 60  # now is 10:00: not idle after


@pytest.mark.parametrize(
    ("preset", "month", "expected"),
    [
        ("today", None, (date(2026, 3, 10), date(2026, 3, 10))),
        ("7", None, (date(2026, 3, 4), date(2026, 3, 10))),
        ("30", None, (date(2026, 2, 9), date(2026, 3, 10))),
        ("month", None, (date(2026, 3, 1), date(2026, 3, 31))),
        ("month", "2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("month", "2025-12", (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_the_page_ranges_of_days(preset, month, expected):
    assert preset_days(preset, date(2026, 3, 10), month) == expected


def test_a_custom_range_and_a_bad_month():
    today = date(2026, 3, 10)
    assert preset_days("custom", today, None, date(2026, 1, 5), None) == (date(2026, 1, 5), today)
    with pytest.raises(ValueError):
        preset_days("month", today, "2026-13")
