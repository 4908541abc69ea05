"""The retention rule: a visit's personal data is kept for the rest of its day and
`keep_days` whole days more, counted on the site's calendar."""

from datetime import date, timedelta

import pytest

from server.domain.retention import DEFAULT_KEEP_DAYS, clear_visits_before, removed_from

TUESDAY = date(2026, 3, 10)


def test_by_default_a_visits_data_is_kept_through_the_next_day_and_gone_the_day_after():
    assert DEFAULT_KEEP_DAYS == 1
    assert removed_from(TUESDAY, DEFAULT_KEEP_DAYS) == date(2026, 3, 12)  # Thursday
    wednesday, thursday = TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)
    assert clear_visits_before(wednesday, DEFAULT_KEEP_DAYS) == TUESDAY  # Tuesday's kept
    assert clear_visits_before(thursday, DEFAULT_KEEP_DAYS) > TUESDAY  # and now cleared


def test_keeping_no_day_clears_a_visit_at_the_end_of_its_own_day():
    assert clear_visits_before(TUESDAY, 0) == TUESDAY  # today's visits are kept
    assert removed_from(TUESDAY, 0) == TUESDAY + timedelta(days=1)


@pytest.mark.parametrize("keep_days", [0, 1, 7, 366])
def test_the_two_ways_of_reading_the_rule_agree(keep_days):
    for visit in (TUESDAY, date(2026, 12, 31), date(2028, 2, 29)):
        gone = removed_from(visit, keep_days)
        assert clear_visits_before(gone, keep_days) > visit  # cleared on that day
        assert clear_visits_before(gone - timedelta(days=1), keep_days) <= visit  # not before
