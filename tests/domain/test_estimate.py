"""The naive wait estimate: patients ahead x typical minutes / open rooms, +-40%."""

from __future__ import annotations

import itertools

import pytest

from server.domain.estimate import Estimate, naive_wait


def test_nobody_ahead_means_no_wait_with_a_short_upper_bound():
    assert naive_wait(0, 15, 1) == Estimate(central=0, low=0, high=15)
    assert naive_wait(0, 15, 2) == Estimate(central=0, low=0, high=8)


def test_nobody_ahead_still_promises_at_least_a_minute_of_range():
    assert naive_wait(0, 0.5, 4).high == 1


def test_several_ahead_with_one_open_room():
    assert naive_wait(4, 15, 1) == Estimate(central=60, low=36, high=84)


def test_several_ahead_with_two_open_rooms_halves_the_wait():
    assert naive_wait(4, 15, 2) == Estimate(central=30, low=18, high=42)


@pytest.mark.parametrize("ahead", [0, 3])
def test_zero_open_rooms_is_treated_as_one(ahead):
    assert naive_wait(ahead, 12, 0) == naive_wait(ahead, 12, 1)


def test_negative_patients_ahead_is_treated_as_none():
    assert naive_wait(-1, 15, 1) == naive_wait(0, 15, 1)


def test_low_central_high_are_ordered_over_a_grid_of_inputs():
    for ahead, minutes, rooms in itertools.product(range(12), (0.5, 1, 2.5, 6, 15, 45), range(4)):
        estimate = naive_wait(ahead, minutes, rooms)
        assert 0 <= estimate.low <= estimate.central <= estimate.high, (ahead, minutes, rooms)


def test_as_dict_names_the_three_values():
    assert naive_wait(4, 15, 1).as_dict() == {"central": 60, "low": 36, "high": 84}
