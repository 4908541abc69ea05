"""Bad requests are refused with a 4xx JSON error and a stable code, and change nothing."""

from __future__ import annotations

import pytest

from tests.conftest import SITE, socket, walk_in

WALK_IN = f"/api/sites/{SITE}/checkins/walk-in"
APPOINTMENT = f"/api/sites/{SITE}/checkins/appointment"
DESK_ADD = f"/api/sites/{SITE}/tickets"
NOTICES = f"/api/sites/{SITE}/notices"


@pytest.fixture
def site_state(client, staff):
    """One waiting ticket (id 1), and a way to read the whole state the desk sees."""
    walk_in(client, "G")

    def read():
        response = staff.get(f"/api/sites/{SITE}/queue")
        assert response.status_code == 200
        return response.get_json()

    return read


def refused(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def fields(error):
    return {d["field"] for d in error.get("details", [])}


# Each: who sends it, path, body, and the field the error names (None: the body as a whole).
JSON_CASES = [
    ("kiosk", WALK_IN, {"service": "G", "name": "Ann"}, "name"),
    ("kiosk", WALK_IN, {"service": 5}, "service"),
    ("kiosk", WALK_IN, {"service": ["G"]}, "service"),
    ("kiosk", WALK_IN, {"service": "G" * 65}, "service"),
    ("kiosk", WALK_IN, {"service": ""}, "service"),
    ("kiosk", WALK_IN, {}, "service"),
    ("kiosk", WALK_IN, {"service": "G", "language": "english"}, "language"),
    ("kiosk", WALK_IN, {"service": "G", "language": 1}, "language"),
    ("kiosk", APPOINTMENT, {"code": "RV1003", "extra": True}, "extra"),
    ("kiosk", APPOINTMENT, {"code": 1003}, "code"),
    ("kiosk", APPOINTMENT, {"code": "R" * 33}, "code"),
    ("kiosk", APPOINTMENT, {"last_name": "Okafor", "date_of_birth": "2003-13-45"}, "date_of_birth"),
    ("kiosk", APPOINTMENT, {"last_name": "Okafor", "date_of_birth": "12/02/2003"}, "date_of_birth"),
    ("kiosk", APPOINTMENT, {"last_name": "Okafor", "date_of_birth": 20030212}, "date_of_birth"),
    ("kiosk", APPOINTMENT, {"last_name": "O" * 101, "date_of_birth": "2003-02-12"}, "last_name"),
    ("kiosk", APPOINTMENT, {"last_name": "Okafor"}, None),
    ("kiosk", APPOINTMENT, {}, None),
    (
        "kiosk",
        APPOINTMENT,
        {"code": "RV1003", "last_name": "Okafor", "date_of_birth": "2003-02-12"},
        None,
    ),
    ("kiosk", "/api/tickets/TOKEN/cancel", {"reason": "bored"}, "reason"),
    ("kiosk", "/api/login", {"username": "desk"}, "password"),
    ("kiosk", "/api/login", {"username": "desk", "password": 123456789012}, "password"),
    ("desk", DESK_ADD, {"service": "G", "patient_name": "Z" * 201}, "patient_name"),
    ("desk", DESK_ADD, {"service": "G", "patient_name": 7}, "patient_name"),
    ("desk", f"/api/sites/{SITE}/tickets/1/priority", {"level": 4}, "level"),
    ("desk", f"/api/sites/{SITE}/tickets/1/priority", {"level": -1}, "level"),
    ("desk", f"/api/sites/{SITE}/tickets/1/priority", {"level": "2"}, "level"),
    ("desk", f"/api/sites/{SITE}/tickets/1/priority", {"level": 1.5}, "level"),
    ("desk", f"/api/sites/{SITE}/tickets/1/priority", {"level": True}, "level"),
    ("desk", f"/api/sites/{SITE}/tickets/1/call", {"room": 1}, "room"),
    ("desk", f"/api/sites/{SITE}/tickets/1/call", {}, "room"),
    ("desk", f"/api/sites/{SITE}/tickets/1/start", {"now": True}, "now"),
    ("desk", f"/api/sites/{SITE}/tickets/1/transfer", {"service": None}, "service"),
    ("desk", f"/api/sites/{SITE}/rooms/room-1/call-next", {"room": "room-2"}, "room"),
    ("desk", NOTICES, {"scope": "planet", "reason": "x", "expected_minutes": 5}, "scope"),
    ("desk", NOTICES, {"scope": "site", "reason": "x", "expected_minutes": 0}, "expected_minutes"),
    (
        "desk",
        NOTICES,
        {"scope": "site", "reason": "x", "expected_minutes": 481},
        "expected_minutes",
    ),
    ("desk", NOTICES, {"scope": "site", "reason": "x" * 201, "expected_minutes": 5}, "reason"),
    ("desk", NOTICES, {"scope": "site", "reason": "   ", "expected_minutes": 5}, "reason"),
]


@pytest.mark.parametrize(
    ("sender", "path", "body", "field"),
    JSON_CASES,
    ids=[f"{c[1].rsplit('/', 1)[-1]}-{c[3]}" for c in JSON_CASES],
)
def test_an_invalid_body_is_refused_and_changes_nothing(
    client, staff, site_state, sender, path, body, field
):
    http = staff if sender == "desk" else client
    if "TOKEN" in path:
        path = path.replace("TOKEN", walk_in(client, "B")["token"])
    before = site_state()

    error = refused(http.post(path, json=body), 400, "invalid_input")

    assert site_state() == before
    assert fields(error) == {field}
    assert all(d["problem"] for d in error["details"])
    assert "Ann" not in str(error)  # the values sent are not echoed back


def test_the_details_name_the_field_and_say_what_is_wrong(client):
    error = refused(
        client.post(WALK_IN, json={"service": 5, "colour": "red"}), 400, "invalid_input"
    )

    problems = {d["field"]: d["problem"] for d in error["details"]}
    assert set(problems) == {"service", "colour"}
    assert "string" in problems["service"].lower()
    assert "extra" in problems["colour"].lower() or "not permitted" in problems["colour"].lower()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"service": "G"', "application/json"),
        (b'{"service": G}', "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (b'"G"', "application/json"),
        (b'{"service": "\xff"}', "application/json"),
    ],
    ids=["unterminated", "bare-word", "array", "null", "string", "not-utf8"],
)
def test_malformed_json_is_refused(client, site_state, data, content_type):
    before = site_state()

    refused(client.post(WALK_IN, data=data, content_type=content_type), 400, "invalid_input")

    assert site_state() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("service=G", "application/x-www-form-urlencoded"),
        ('{"service": "G"}', "text/plain"),
        ('{"service": "G"}', None),
    ],
    ids=["form", "text-plain", "no-content-type"],
)
def test_a_body_that_is_not_json_is_415(client, site_state, data, content_type):
    before = site_state()

    response = client.post(WALK_IN, data=data, content_type=content_type)

    refused(response, 415, "unsupported_media_type")
    assert site_state() == before


def test_a_missing_body_is_refused(client, staff, site_state):
    before = site_state()

    refused(client.post(WALK_IN), 415, "unsupported_media_type")
    empty = refused(
        client.post(WALK_IN, data=b"", content_type="application/json"), 400, "invalid_input"
    )
    assert fields(empty) == {"service"}
    refused(staff.post(f"/api/sites/{SITE}/rooms/room-1/call-next"), 415, "unsupported_media_type")
    assert site_state() == before


def test_a_form_post_cannot_act_with_a_staff_cookie(staff, site_state):
    # A forged cross-site form can only send form encodings; staff routes want JSON.
    before = site_state()

    response = staff.post(f"/api/sites/{SITE}/rooms/room-1/call-next", data={"x": "1"})

    refused(response, 415, "unsupported_media_type")
    assert site_state() == before


def test_a_body_over_the_size_limit_is_413(app, client, admin, site_state):
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = site_state()

    too_big = client.post(
        WALK_IN,
        data=b'{"service": "G", "language": "' + b"x" * limit + b'"}',
        content_type="application/json",
    )
    big_csv = admin.post(
        f"/api/sites/{SITE}/appointments", data=b"code\n" + b"A" * limit, content_type="text/csv"
    )

    refused(too_big, 413, "request_entity_too_large")
    refused(big_csv, 413, "request_entity_too_large")
    assert site_state() == before


def test_a_non_numeric_ticket_id_is_a_json_404(staff, site_state):
    before = site_state()

    refused(staff.post(f"/api/sites/{SITE}/tickets/abc/start", json={}), 404, "not_found")

    assert site_state() == before


def test_a_wrong_method_is_a_json_405(client):
    refused(client.get(WALK_IN), 405, "method_not_allowed")


def test_an_unknown_api_path_is_a_json_404(client):
    refused(client.get("/api/nothing-here"), 404, "not_found")


def test_an_out_of_range_audit_limit_is_refused(admin):
    refused(admin.get(f"/api/sites/{SITE}/audit?limit=0"), 400, "invalid_input")
    refused(admin.get(f"/api/sites/{SITE}/audit?limit=1001"), 400, "invalid_input")


def test_refusals_over_sockets_change_nothing_either(app, client, staff, site_state):
    display = socket(app, {"display": SITE})
    seq = display.emit("sync", {}, callback=True)["data"]["seq"]

    client.post(WALK_IN, json={"service": 5})
    staff.post(f"/api/sites/{SITE}/tickets/1/priority", json={"level": 9})

    assert display.emit("sync", {}, callback=True)["data"]["seq"] == seq
    assert [m["name"] for m in display.get_received()] == ["display_update"]  # the connect snapshot
