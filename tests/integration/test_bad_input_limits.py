"""Input at the edges of what a database takes: ids beyond its integer column, and control
characters (NUL above all) in any text. Each is a clear 4xx that changes nothing, on
SQLite and on PostgreSQL (where a NUL or a 2**31 id used to reach the driver: 500)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.extensions import db
from server.storage.models import (
    Appointment,
    AuditEntry,
    CallEvent,
    DelayNotice,
    Ticket,
    User,
)
from tests.conftest import SITE, STAFF_PASSWORD, login, make_app, seed, socket, walk_in

API = f"/api/sites/{SITE}"
BEYOND_POSTGRES = 2**31  # the first id a 32-bit signed column cannot hold
BEYOND_SQLITE = 2**63


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, clock: Any) -> Iterator[Flask]:
    """The seeded demo site, on SQLite in memory and on PostgreSQL."""
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        url = request.getfixturevalue("pg_schema_url")
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    app = make_app(clock, **overrides)
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def counts(app: Flask, client: Any) -> Any:
    """One waiting ticket and one notice; and a count of every table a request may write."""
    walk_in(client, "G")
    desk = app.test_client()
    login(desk, "desk")
    notice = {"scope": "site", "reason": "Doctor delayed", "expected_minutes": 10}
    assert desk.post(f"{API}/notices", json=notice).status_code == 201

    def read() -> dict[str, int]:
        with app.app_context():
            tables = (Ticket, DelayNotice, AuditEntry, Appointment, User, CallEvent)
            state = {
                t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in tables
            }
            db.session.remove()
            return state

    return read


def refused_json(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


# --- Ids beyond the integer column ------------------------------------------------

ID_CASES = [
    ("tickets/{id}/cancel", {}),
    ("tickets/{id}/recall", {}),
    ("tickets/{id}/call", {"room": "room-1"}),
    ("tickets/{id}/priority", {"level": 1}),
    ("tickets/{id}/transfer", {"service": "B"}),
    ("notices/{id}/clear", {}),
]


@pytest.mark.parametrize("big", [BEYOND_POSTGRES, BEYOND_SQLITE, 10**40])
@pytest.mark.parametrize(("path", "body"), ID_CASES, ids=[c[0] for c in ID_CASES])
def test_an_id_beyond_the_integer_range_is_404_and_changes_nothing(staff, counts, path, body, big):
    before = counts()

    error = refused_json(staff.post(f"{API}/{path.format(id=big)}", json=body), 404, "not_found")

    assert "2147483647" in error["message"]
    assert counts() == before


def test_the_largest_id_is_still_a_plain_not_found(staff, counts):
    before = counts()

    refused_json(staff.post(f"{API}/tickets/{2**31 - 1}/cancel", json={}), 404, "unknown_ticket")

    assert counts() == before


def test_the_api_document_bounds_ids(client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/sites/{site}/tickets/{ticket_id}/cancel"]["post"]
    (schema,) = [p["schema"] for p in operation["parameters"] if p["name"] == "ticket_id"]
    assert schema == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


# --- Control characters in JSON bodies ----------------------------------------------

NUL = "\x00"
BODY_CASES = [
    ("kiosk", "/api/login", {"username": f"desk{NUL}", "password": "x"}, "username"),
    ("kiosk", f"{API}/checkins/walk-in", {"service": f"G{NUL}"}, "service"),
    ("kiosk", f"{API}/checkins/appointment", {"code": f"RV1003{NUL}"}, "code"),
    (
        "kiosk",
        f"{API}/checkins/appointment",
        {"last_name": f"Oka{NUL}for", "date_of_birth": "2003-02-12"},
        "last_name",
    ),
    ("kiosk", f"{API}/appointments/lookup", {"code": f"{NUL}RV1003"}, "code"),
    ("desk", f"{API}/tickets", {"service": "G", "patient_name": f"Ann{NUL}"}, "patient_name"),
    ("desk", f"{API}/tickets", {"service": "G", "patient_name": "Ann\x1b[2J"}, "patient_name"),
    ("desk", f"{API}/tickets", {"service": "G", "patient_name": "Ann\nLee"}, "patient_name"),
    (
        "desk",
        f"{API}/notices",
        {"scope": "site", "reason": f"late{NUL}", "expected_minutes": 5},
        "reason",
    ),
    (
        "desk",
        f"{API}/notices",
        {"scope": "service", "target": f"G{NUL}", "reason": "late", "expected_minutes": 5},
        "target",
    ),
    ("desk", f"{API}/tickets/1/call", {"room": f"room-1{NUL}"}, "room"),
    ("desk", f"{API}/tickets/1/transfer", {"service": f"B{NUL}"}, "service"),
]


@pytest.mark.parametrize(
    ("sender", "path", "body", "field"),
    BODY_CASES,
    ids=[f"{c[1].rsplit('/', 1)[-1]}-{c[3]}-{i}" for i, c in enumerate(BODY_CASES)],
)
def test_a_control_character_in_a_body_is_400_and_changes_nothing(
    client, staff, counts, sender, path, body, field
):
    http = staff if sender == "desk" else client
    before = counts()

    error = refused_json(http.post(path, json=body), 400, "invalid_input")

    assert {d["field"] for d in error["details"]} == {field}
    assert all("control character" in d["problem"] for d in error["details"])
    assert counts() == before


def test_a_nul_in_a_password_is_only_a_wrong_password(client, counts):
    before = counts()

    response = client.post("/api/login", json={"username": "desk", "password": f"x{NUL}y"})

    refused_json(response, 401, "login_required")
    assert counts() == {**before, "AuditEntry": before["AuditEntry"] + 1}  # the failed login


# --- Control characters in addresses and query strings -----------------------------

PATH_CASES = [
    ("kiosk", "GET", f"/api/sites/{SITE}%00", "site"),
    ("kiosk", "POST", f"/api/sites/{SITE}%00/checkins/walk-in", "site"),
    ("kiosk", "GET", "/api/tickets/abc%00def", "token"),
    ("kiosk", "POST", "/api/tickets/abc%00def/cancel", "token"),
    ("desk", "GET", f"/api/sites/%00{SITE}/queue", "site"),
    ("desk", "POST", f"{API}/rooms/room-1%00/call-next", "room"),
    ("desk", "POST", f"{API}/rooms/room-1%01/pause", "room"),
    ("kiosk", "GET", f"{API}/destinations?lang=en%00", "lang"),
    ("kiosk", "GET", f"{API}/route?to=room-1%00", "to"),
    ("kiosk", "GET", f"{API}/route?to=room-1&from=k%00", "from"),
    ("desk", "GET", f"{API}/accuracy?date=2026-01-01%00", "date"),
    ("admin", "GET", f"{API}/audit?limit=5%00", "limit"),
]


@pytest.mark.parametrize(
    ("sender", "method", "path", "field"),
    PATH_CASES,
    ids=[f"{c[1]}-{c[3]}-{i}" for i, c in enumerate(PATH_CASES)],
)
def test_a_control_character_in_the_address_is_400_and_changes_nothing(
    client, staff, admin, counts, sender, method, path, field
):
    http = {"kiosk": client, "desk": staff, "admin": admin}[sender]
    before = counts()

    response = http.open(path, method=method, json={} if method == "POST" else None)

    error = refused_json(response, 400, "invalid_input")
    assert error["message"].startswith(f"{field}:")
    assert "control characters" in error["message"]
    assert counts() == before


@pytest.mark.parametrize(
    "path",
    [
        f"/kiosk?site={SITE}%00",
        f"/kiosk?site={SITE}&device=k%00",
        f"/display?site={SITE}%00",
        f"/display?site={SITE}&services=G%00",
        f"/route?site={SITE}%00",
        f"/route?site={SITE}&to=x%00",
        f"/kiosk/route/qr.svg?site={SITE}&to=x%00",
        "/t/abc%00",
        "/kiosk/tickets/abc%00/qr.svg",
        f"/route/plans/{SITE}%00/ground",
        f"/desk?site={SITE}%00",
    ],
)
def test_a_control_character_in_a_page_address_is_400(staff, counts, path):
    before = counts()

    response = staff.get(path)

    assert response.status_code == 400, response.get_data(as_text=True)
    assert counts() == before


def test_a_nul_in_the_desk_login_form_is_400_logs_nobody_in_and_is_recorded(app, counts):
    before = counts()
    browser = app.test_client()
    page = browser.get("/desk/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "username": f"desk{NUL}", "password": STAFF_PASSWORD}

    response = browser.post("/desk/login", data=form)

    assert response.status_code == 400, response.get_data(as_text=True)
    assert browser.get("/api/me").status_code == 401
    # Nothing changed but the audit log, which records the refused sign-in.
    assert counts() == {**before, "AuditEntry": before["AuditEntry"] + 1}


# --- The appointment CSV ------------------------------------------------------------

HEADER = "code,last_name,first_name,date_of_birth,service,time\n"


@pytest.mark.parametrize(
    "row",
    [
        f"ZZ1,Doe{NUL},Jane,1990-01-01,G,10:00",
        f"ZZ1,Doe,Ja{NUL}ne,1990-01-01,G,10:00",
        f"ZZ{NUL}1,Doe,Jane,1990-01-01,G,10:00",
        "ZZ1,Doe\x07,Jane,1990-01-01,G,10:00",
    ],
)
def test_a_control_character_in_the_csv_is_400_and_imports_nothing(admin, counts, row):
    before = counts()

    response = admin.post(
        f"{API}/appointments", data=(HEADER + row + "\n").encode(), content_type="text/csv"
    )

    error = refused_json(response, 400, "bad_request")
    assert "line 2" in error["message"]
    assert "control characters" in error["message"]
    assert counts() == before


# --- The socket's auth ----------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [
        {"display": f"{SITE}{NUL}"},
        {"display": SITE, "device": f"lobby{NUL}"},
        {"staff": f"{SITE}{NUL}"},
        {"ticket": f"abc{NUL}"},
        {"display": f"{SITE}\x7f"},
    ],
)
def test_a_control_character_in_the_socket_auth_refuses_the_connection(app, staff, counts, auth):
    before = counts()

    sock = socket(app, auth, http=staff if "staff" in auth else None)

    assert not sock.is_connected()
    assert counts() == before


def test_valid_socket_auth_still_connects(app, counts):
    sock = socket(app, {"display": SITE})
    assert sock.is_connected()
    sock.disconnect()
