"""An interpreter and how to be called, asked at check-in: they go with the ticket to the
desk, are refused when malformed, and today's interpreter requests are counted."""

from __future__ import annotations

import pytest

from tests.conftest import SITE, act, walk_in
from tests.integration.test_kiosk_phone_pages import page_config

APPOINTMENT = f"/api/sites/{SITE}/checkins/appointment"
WALK_IN = f"/api/sites/{SITE}/checkins/walk-in"
INTERPRETERS = f"/api/sites/{SITE}/interpreters"


def desk_ticket(staff, number):
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return next(t for t in tickets if t["number"] == number)


def asked(ticket):
    return {k: ticket[k] for k in ("language", "interpreter", "may_not_hear", "may_not_see")}


def test_a_walk_in_asks_for_an_interpreter_and_a_call_in_person(client, staff):
    walk_in(client, "G", language="es", interpreter=True, may_not_hear=True)

    assert asked(desk_ticket(staff, "G-001")) == {
        "language": "es",
        "interpreter": True,
        "may_not_hear": True,
        "may_not_see": False,
    }


def test_an_appointment_may_not_see_the_screen(client, staff):
    checked_in = client.post(APPOINTMENT, json={"code": "RV1003", "may_not_see": True})
    assert checked_in.status_code == 201, checked_in.get_json()

    assert asked(desk_ticket(staff, "G-001"))["may_not_see"] is True


def test_by_name_too(client, staff):
    body = {"last_name": "novak", "date_of_birth": "2009-01-17", "interpreter": True}
    checked_in = client.post(APPOINTMENT, json=body)
    assert checked_in.status_code == 201, checked_in.get_json()

    number = checked_in.get_json()["ticket"]["number"]
    assert desk_ticket(staff, number)["interpreter"] is True


def test_the_desk_adds_a_patient_with_needs(staff):
    added = staff.post(
        f"/api/sites/{SITE}/tickets",
        json={"service": "G", "language": "ar", "interpreter": True, "may_not_see": True},
    )
    assert added.status_code == 201, added.get_json()

    assert asked(desk_ticket(staff, added.get_json()["ticket"]["number"])) == {
        "language": "ar",
        "interpreter": True,
        "may_not_hear": False,
        "may_not_see": True,
    }


def test_nothing_asked_is_nothing_marked(client, staff):
    walk_in(client, "G")

    ticket = asked(desk_ticket(staff, "G-001"))
    assert (ticket["interpreter"], ticket["may_not_hear"], ticket["may_not_see"]) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"interpreter": "yes"},
        {"may_not_hear": 1},
        {"may_not_see": None},
        {"interpreter_language": "ar"},
        {"call": "in person"},
    ],
)
def test_malformed_answers_are_refused_and_nothing_is_issued(client, staff, extra):
    asks = (
        (client, WALK_IN, {"service": "G"}),
        (client, APPOINTMENT, {"code": "RV1003"}),
        (staff, f"/api/sites/{SITE}/tickets", {"service": "G"}),
    )
    for asker, url, body in asks:
        response = asker.post(url, json={**body, **extra})

        assert response.status_code == 400, response.get_json()
        field = next(iter(extra))
        assert field in str(response.get_json()["error"]["details"])
    assert staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"] == []


def test_todays_interpreter_requests_per_language(client, staff):
    walk_in(client, "G", language="es", interpreter=True)
    walk_in(client, "G", language="es", interpreter=True)
    walk_in(client, "B", language="en", interpreter=True)
    walk_in(client, "B", language="es")
    act(staff, "rooms/room-1/call-next")
    first = desk_ticket(staff, "G-001")["id"]
    act(staff, f"tickets/{first}/start")
    act(staff, f"tickets/{first}/complete")

    answer = staff.get(INTERPRETERS)

    assert answer.status_code == 200
    assert answer.get_json() == {
        "day": "2026-03-10",
        "languages": [
            {"language": "es", "today": 2, "open": 1},
            {"language": "en", "today": 1, "open": 1},
        ],
    }


def test_the_interpreter_list_is_for_staff_only(client):
    assert client.get(INTERPRETERS).status_code == 401


@pytest.mark.parametrize(
    ("needs", "style"),
    [
        ({}, {"visual": False, "spoken": False}),
        ({"may_not_hear": True}, {"visual": True, "spoken": False}),
        ({"may_not_see": True}, {"visual": False, "spoken": True}),
    ],
)
def test_the_phone_page_of_the_tickets_own_token_says_how_to_call(client, needs, style):
    token = walk_in(client, "G", **needs)["token"]

    page = client.get(f"/t/{token}")

    assert page.status_code == 200
    assert page_config(page, "phone-config")["call"] == style
