"""The rules of messages outside the page: retries, what the desk sees, desk texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import BadInput
from server.domain.notify import (
    DEFAULT_NEXT_PLACE,
    GIVE_UP_AFTER,
    LONGEST_WAIT,
    PUSH_SERVICES,
    PushSubscription,
    after_failure,
    desk_message,
    last_digits,
    next_place,
    push_subscription,
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


# --- Web Push subscriptions -----------------------------------------------------------

KEY = "B" + "A" * 86  # base64url of 65 bytes starting 0x04
AUTH = "A" * 22  # 16 bytes


def test_a_browsers_subscription_is_kept_with_its_page():
    endpoint = "https://fcm.googleapis.com/fcm/send/abc:def"
    subscription = push_subscription(endpoint, KEY, AUTH, "/t/token")
    assert PushSubscription.from_address(subscription.to_address()) == subscription
    assert subscription.subscription_info() == {
        "endpoint": endpoint,
        "keys": {"p256dh": KEY, "auth": AUTH},
    }


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://updates.push.services.mozilla.com/wpush/v2/x",
        "https://web.push.apple.com/QAbc",
        "https://wns2-by3p.notify.windows.com/w/?token=x",
    ],
)
def test_the_major_browsers_push_services_are_accepted(endpoint):
    assert push_subscription(endpoint, KEY, AUTH, "/t/x").endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",  # not encrypted
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilfcm.googleapis.com@10.0.0.1/x",
        "https://10.0.0.1/push",  # the clinic's own network
        "http://localhost:8000/push",  # loopback, but not a host this deployment names
        "javascript:alert(1)",
        "https://fcm.googleapis.com/" + "x" * 1000,
    ],
)
def test_an_endpoint_off_the_push_services_is_refused(endpoint):
    with pytest.raises(BadInput) as refused:
        push_subscription(endpoint, KEY, AUTH, "/t/x")
    assert refused.value.code == "invalid_subscription"


def test_a_loopback_push_service_the_deployment_names_may_use_http():
    hosts = (*PUSH_SERVICES, "127.0.0.1")
    assert push_subscription("http://127.0.0.1:9/push/a", KEY, AUTH, "/t/x", hosts=hosts)
    with pytest.raises(BadInput):
        push_subscription("http://example.org/push/a", KEY, AUTH, "/t/x", hosts=hosts)


@pytest.mark.parametrize(
    ("key", "auth"),
    [
        ("AAAA", AUTH),  # too short
        ("C" + "A" * 86, AUTH),  # not an uncompressed point
        (KEY, "A" * 21),  # 15 bytes
        (KEY, "!" * 22),
        ("A" * 300, AUTH),
    ],
)
def test_keys_that_are_not_a_p256_key_and_a_16_byte_secret_are_refused(key, auth):
    with pytest.raises(BadInput):
        push_subscription("https://fcm.googleapis.com/fcm/send/x", key, auth, "/t/x")
