"""A room holds one patient at a time: calling into a room over HTTP, with its patient
in service (done by the call), called and not seen (refused, or resolved by `previous`)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.storage.models import Ticket
from tests.conftest import SITE, act, login, received, socket, walk_in

QUEUE = f"/api/sites/{SITE}/queue"


def queue(staff):
    response = staff.get(QUEUE)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def statuses(app):
    """Every ticket's status, ended visits included (the desk's queue leaves them out)."""
    with app.app_context():
        tickets = db.session.scalars(select(Ticket)).all()
        return {str(t.ticket_number): str(t.status) for t in tickets}


def ticket(staff, number):
    return next(t for t in queue(staff)["tickets"] if t["number"] == number)


def audit(admin):
    response = admin.get(f"/api/sites/{SITE}/audit?limit=500")
    assert response.status_code == 200
    return response.get_json()["entries"]


def call_next(staff, room="room-1", **body):
    return staff.post(f"/api/sites/{SITE}/rooms/{room}/call-next", json=body)


def call_here(staff, number, room="room-1", **body):
    tid = ticket(staff, number)["id"]
    return staff.post(f"/api/sites/{SITE}/tickets/{tid}/call", json={"room": room, **body})


def called(response, number, room="room-1"):
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["ticket"]
    assert (result["number"], result["status"], result["room"]["code"]) == (
        number,
        "called",
        room,
    )
    return response.get_json()


def occupied(response, number, room="room-1"):
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "room_occupied"
    assert error["message"] == (
        f"{number} was called to Room {room[-1]} and has not been seen: mark them as a "
        "no-show or send them back to the queue first."
    )
    [holder] = error["details"]
    assert (holder["number"], holder["room"]) == (number, room)
    return holder


@pytest.fixture
def two_waiting(client):
    return [walk_in(client, "G") for _ in range(2)]


# --- In service: the next call ends the visit -------------------------------------


def test_the_patient_in_service_is_done_when_the_room_calls_the_next(app, client, staff, admin):
    walk_in(client, "G")
    walk_in(client, "G")
    first = called(call_next(staff), "G-001")["ticket"]
    act(staff, f"tickets/{first['id']}/start")
    seq = queue(staff)["seq"]

    result = called(call_next(staff), "G-002")

    assert result["seq"] == seq + 1  # one change
    assert statuses(app) == {"G-001": "done", "G-002": "called"}
    assert [(e["action"], e["ticket_id"], e["detail"]) for e in audit(admin)[:2]] == [
        ("call", result["ticket"]["id"], {"room": "room-1"}),
        ("complete", first["id"], {"room": "room-1", "by_call": True}),
    ]


def test_the_done_patients_phone_hears_that_the_visit_ended(app, client, staff):
    token = walk_in(client, "G")["token"]
    walk_in(client, "G")
    first = called(call_next(staff), "G-001")["ticket"]
    act(staff, f"tickets/{first['id']}/start")
    phone = socket(app, {"ticket": token})
    phone.get_received()

    called(call_next(staff), "G-002")

    [update] = received(phone, "ticket_update")
    assert update["ticket"]["status"] == "done"


def test_calling_here_also_ends_the_visit_in_service(app, client, staff):
    for _ in range(3):
        walk_in(client, "G")
    first = called(call_next(staff), "G-001")["ticket"]
    act(staff, f"tickets/{first['id']}/start")

    called(call_here(staff, "G-003"), "G-003")

    assert statuses(app) == {"G-001": "done", "G-002": "waiting", "G-003": "called"}


# --- Called and not seen: refused until the desk decides -------------------------


def test_a_call_into_a_room_whose_patient_has_not_been_seen_is_refused_and_changes_nothing(
    client, staff, admin, two_waiting
):
    first = called(call_next(staff), "G-001")["ticket"]
    before, entries = queue(staff), audit(admin)

    holder = occupied(call_next(staff), "G-001")
    assert holder["ticket"] == first["id"]
    occupied(call_here(staff, "G-002"), "G-001")

    assert queue(staff) == before  # statuses, counts, seq
    assert audit(admin) == entries


def test_a_refused_call_sends_nothing(app, client, staff, two_waiting):
    called(call_next(staff), "G-001")
    desk = socket(app, {"staff": SITE}, http=staff)
    display = socket(app, {"display": SITE})
    desk.get_received()
    display.get_received()

    occupied(call_next(staff), "G-001")

    assert desk.get_received() == []
    assert display.get_received() == []


def test_the_desk_marks_the_unseen_patient_a_no_show_and_calls_in_one_change(
    app, client, staff, admin, two_waiting
):
    first = called(call_next(staff), "G-001")["ticket"]
    seq = queue(staff)["seq"]

    result = called(call_next(staff, previous="no_show"), "G-002")

    assert result["seq"] == seq + 1
    assert statuses(app) == {"G-001": "no_show", "G-002": "called"}
    assert [(e["action"], e["ticket_id"]) for e in audit(admin)[:2]] == [
        ("call", result["ticket"]["id"]),
        ("mark_no_show", first["id"]),
    ]


def test_the_desk_sends_the_unseen_patient_back_to_the_end_of_the_line(
    clock, client, staff, admin, two_waiting
):
    walk_in(client, "G")
    first = called(call_next(staff), "G-001")["ticket"]
    clock.advance(minutes=5)

    result = called(call_next(staff, previous="return"), "G-002")

    back = ticket(staff, "G-001")
    assert back["status"] == "waiting"
    assert back["room"] is None
    assert [(e["action"], e["ticket_id"]) for e in audit(admin)[:2]] == [
        ("call", result["ticket"]["id"]),
        ("return_to_queue", first["id"]),
    ]
    # The room holds its new patient only; G-001 is now behind those who were waiting.
    occupied(call_next(staff), "G-002")
    called(call_next(staff, previous="no_show"), "G-003")
    called(call_next(staff, previous="no_show"), "G-001")


def test_call_here_takes_the_same_decision(app, client, staff, two_waiting):
    walk_in(client, "G")
    called(call_next(staff), "G-001")

    called(call_here(staff, "G-003", previous="no_show"), "G-003")

    assert statuses(app) == {"G-001": "no_show", "G-002": "waiting", "G-003": "called"}


def test_calling_the_rooms_own_patient_again_is_a_recall_not_a_call(
    app, client, staff, two_waiting
):
    first = called(call_next(staff), "G-001")["ticket"]

    again = call_here(staff, "G-001", previous="return")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_transition"
    recalled = act(staff, f"tickets/{first['id']}/recall")["ticket"]

    assert (recalled["status"], recalled["recalls"]) == ("called", 1)
    assert statuses(app) == {"G-001": "called", "G-002": "waiting"}


def test_once_the_patient_is_resolved_by_hand_the_room_is_free(client, staff, two_waiting):
    first = called(call_next(staff), "G-001")["ticket"]
    act(staff, f"tickets/{first['id']}/no-show")

    called(call_next(staff), "G-002")


def test_other_rooms_are_not_held_up(client, staff, two_waiting):
    called(call_next(staff, "room-1"), "G-001")

    called(call_next(staff, "room-2"), "G-002", room="room-2")


def test_previous_is_not_needed_for_a_free_room_and_changes_nobody_else(client, staff, admin):
    walk_in(client, "G")
    other = called(call_next(staff, "room-2"), "G-001", room="room-2")["ticket"]
    walk_in(client, "G")

    called(call_next(staff, previous="no_show"), "G-002")

    assert ticket(staff, "G-001")["status"] == "called"
    assert [e["action"] for e in audit(admin)[:2]] == ["call", "check_in"]
    assert other["status"] == "called"


@pytest.mark.parametrize("previous", ["gone", "", None, 1, "NO_SHOW"])
def test_previous_takes_only_its_two_names(app, client, staff, two_waiting, previous):
    called(call_next(staff), "G-001")

    response = call_next(staff, previous=previous)

    if previous is None:  # null is the same as leaving it out
        occupied(response, "G-001")
    else:
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["error"]["code"] == "invalid_input"
    assert statuses(app) == {"G-001": "called", "G-002": "waiting"}


def test_a_patient_left_in_a_room_yesterday_does_not_hold_it_today(clock, client, staff):
    walk_in(client, "G")
    called(call_next(staff), "G-001")
    clock.advance(days=1)
    login(staff, "desk")  # yesterday's login idled out
    walk_in(client, "G")

    called(call_next(staff), "G-001")  # today's numbering starts again


def test_the_api_document_describes_the_rule(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in (
        "/api/sites/{site}/rooms/{room}/call-next",
        "/api/sites/{site}/tickets/{ticket_id}/call",
    ):
        operation = spec["paths"][path]["post"]
        assert "room_occupied" in operation["description"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][body.rsplit("/", 1)[-1]]
        assert "previous" in schema["properties"]
