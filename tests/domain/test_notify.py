"""The rules of messages outside the page: retries, what the desk sees, desk texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import BadInput
from server.domain.notify import (
    DEFAULT_NEXT_PLACE,
    GIVE_UP_AFTER,
    LONGEST_WAIT,
    after_failure,
    desk_message,
    last_digits,
    next_place,
)

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_retries_back_off_doubling_up_to_the_longest_wait():
    waits = [after_failure(T0, attempts, T0).at - T0 for attempts in range(1, 8)]
    assert waits[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert max(waits) == LONGEST_WAIT


def test_a_message_is_given_up_once_its_next_try_would_pass_the_limit():
    assert after_failure(T0, 3, T0 + GIVE_UP_AFTER - timedelta(minutes=1)).at is not None
    assert after_failure(T0, 3, T0 + GIVE_UP_AFTER).at is None


def test_the_desk_sees_only_the_last_two_digits():
    assert last_digits("+447911123456") == "56"


@pytest.mark.parametrize("text", ["", "   ", "x" * 161, "bell\x07"])
def test_a_desk_message_is_one_segment_and_not_empty(text):
    with pytest.raises(BadInput):
        desk_message(text)


def test_a_desk_message_is_kept_on_one_line():
    assert desk_message("Please come\n to the  desk.") == ("Please come to the desk.")


@pytest.mark.parametrize(("setting", "place"), [(None, DEFAULT_NEXT_PLACE), (0, 3), (5, 5)])
def test_the_next_place_is_the_sites_or_third(setting, place):
    assert next_place(setting) == place
