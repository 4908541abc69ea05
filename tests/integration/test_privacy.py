"""Names and dates of birth reach staff only: never the display, the phone or the kiosk."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SITE, act, socket

# RV1003 in the demo appointments: Carla Okafor, born 2003-02-12, due 08:50 (on time).
CARLA = ("Carla", "Okafor", "2003-02-12")
ZEBEDEE = ("Zebedee", "Quux")


def leaks(payload, secrets):
    """The secrets found anywhere in the payload, ignoring case."""
    text = json.dumps(payload, ensure_ascii=False).casefold()
    return [s for s in secrets if s.casefold() in text]


def payloads(sock, event):
    return [m["args"][0] for m in sock.get_received() if m["name"] == event]


def ticket_id(staff, number):
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return next(t["id"] for t in tickets if t["number"] == number)


def busy_visit(app, client, staff, token, number):
    """Take one ticket through most of what can happen to it, with its phone connected.

    Returns the display, phone and staff payloads that all of it produced."""
    mine = socket(app, {"ticket": token})
    assert mine.is_connected()
    ticket = ticket_id(staff, number)
    act(staff, "notices", {"scope": "site", "reason": "Running late", "expected_minutes": 10}, 201)
    act(staff, f"tickets/{ticket}/priority", {"level": 1})
    act(staff, f"tickets/{ticket}/call", {"room": "room-1"})
    act(staff, f"tickets/{ticket}/recall")
    act(staff, f"tickets/{ticket}/no-show")
    act(staff, f"tickets/{ticket}/return")
    act(staff, f"tickets/{ticket}/transfer", {"service": "B"})
    act(staff, "rooms/lab-1/call-next")
    act(staff, f"tickets/{ticket}/start")
    sync = mine.emit("sync", {}, callback=True)
    status = client.get(f"/api/tickets/{token}")
    assert status.status_code == 200
    return [*payloads(mine, "ticket_update"), sync, status.get_json()]


@pytest.fixture
def watchers(app, staff):
    display = socket(app, {"display": SITE})
    desk = socket(app, {"staff": SITE}, http=staff)
    assert display.is_connected()
    assert desk.is_connected()
    display.get_received()
    desk.get_received()
    return display, desk


def test_an_appointment_patients_name_and_birth_date_stay_with_staff(app, client, staff, watchers):
    display, desk = watchers
    checked_in = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"})
    assert checked_in.status_code == 201
    kiosk_answer = checked_in.get_json()

    phone_payloads = busy_visit(app, client, staff, kiosk_answer["token"], "G-001")
    shown = payloads(display, "display_update")
    shown.append(display.emit("sync", {}, callback=True))
    seen = payloads(desk, "staff_update")

    assert len(shown) == 11
    assert len(phone_payloads) >= 10
    for payload in [kiosk_answer, *shown, *phone_payloads]:
        assert leaks(payload, CARLA) == [], payload
    assert seen
    assert all(leaks(s, ["Carla Okafor"]) for s in seen)


def test_a_name_typed_at_the_desk_stays_with_staff(app, client, staff, watchers):
    display, desk = watchers
    added = staff.post(
        f"/api/sites/{SITE}/tickets", json={"service": "G", "patient_name": "Zebedee Quux"}
    )
    assert added.status_code == 201
    desk_answer = added.get_json()

    phone_payloads = busy_visit(app, client, staff, desk_answer["token"], "G-001")
    shown = payloads(display, "display_update")
    seen = payloads(desk, "staff_update")

    assert len(shown) == 10
    for payload in [*shown, *phone_payloads]:
        assert leaks(payload, ZEBEDEE) == [], payload
    # The add-by-hand answer carries the phone link for printing: the phone view, no name.
    assert leaks(desk_answer, ZEBEDEE) == []
    assert seen
    assert all(leaks(s, ["Zebedee Quux"]) for s in seen)


def test_snapshots_on_connect_keep_the_name_for_staff(app, client, staff):
    token = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"}
    ).get_json()["token"]
    staff.post(f"/api/sites/{SITE}/tickets", json={"service": "B", "patient_name": "Zebedee Quux"})
    act(staff, "rooms/room-1/call-next")

    display = socket(app, {"display": SITE})
    mine = socket(app, {"ticket": token})
    desk = socket(app, {"staff": SITE}, http=staff)

    secrets = [*CARLA, *ZEBEDEE]
    assert leaks(payloads(display, "display_update"), secrets) == []
    assert leaks(payloads(mine, "ticket_update"), secrets) == []
    assert leaks(payloads(desk, "staff_update"), secrets) == ["Carla", "Okafor", "Zebedee", "Quux"]


def test_the_phone_page_json_never_names_the_patient(client):
    # RV1004: David Novak, born 2009-01-17, a blood test at 09:15.
    david = ("David", "Novak", "2009-01-17")
    by_code = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"})
    by_name = client.post(
        f"/api/sites/{SITE}/checkins/appointment",
        json={"last_name": "novak", "date_of_birth": "2009-01-17"},
    )

    for response, secrets in ((by_code, CARLA), (by_name, david)):
        assert response.status_code == 201
        assert leaks(response.get_json(), secrets) == []
        status = client.get(f"/api/tickets/{response.get_json()['token']}")
        assert status.status_code == 200
        assert status.headers["Cache-Control"] == "no-store"
        assert leaks(status.get_json(), secrets) == []


def test_refusals_do_not_confirm_who_has_an_appointment(client):
    # Wrong birth date for a real name and an unknown name read the same.
    wrong_birth = client.post(
        f"/api/sites/{SITE}/checkins/appointment",
        json={"last_name": "Okafor", "date_of_birth": "1999-01-01"},
    )
    nobody = client.post(
        f"/api/sites/{SITE}/checkins/appointment",
        json={"last_name": "Nobody", "date_of_birth": "1999-01-01"},
    )

    assert wrong_birth.status_code == nobody.status_code == 404
    assert wrong_birth.get_json() == nobody.get_json()


NEEDS = {"interpreter": True, "may_not_hear": True, "may_not_see": True}


def keys_in(payload):
    """Every key of every object in the payload, however deep."""
    if isinstance(payload, dict):
        return set(payload) | {k for v in payload.values() for k in keys_in(v)}
    if isinstance(payload, list):
        return {k for v in payload for k in keys_in(v)}
    return set()


def test_an_interpreter_and_how_to_call_stay_with_staff(app, client, staff, watchers):
    """Asked at check-in, about the patient's language and body: only staff see them."""
    display, desk = watchers
    by_appointment = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003", **NEEDS}
    )
    assert by_appointment.status_code == 201
    walked_in = client.post(
        f"/api/sites/{SITE}/checkins/walk-in", json={"service": "B", "language": "es", **NEEDS}
    )
    assert walked_in.status_code == 201

    phone_payloads = busy_visit(app, client, staff, by_appointment.get_json()["token"], "G-001")
    phone_payloads.append(client.get(f"/api/tickets/{walked_in.get_json()['token']}").get_json())
    shown = payloads(display, "display_update")
    shown.append(display.emit("sync", {}, callback=True))
    seen = payloads(desk, "staff_update")

    public = [by_appointment.get_json(), walked_in.get_json(), *shown, *phone_payloads]
    for payload in public:
        assert keys_in(payload) & set(NEEDS) == set(), payload
    snapshot = staff.get(f"/api/sites/{SITE}/queue").get_json()
    assert {
        (t["number"], t["interpreter"], t["may_not_hear"], t["may_not_see"])
        for t in snapshot["tickets"]
    } >= {("B-001", True, True, True)}
    assert any(set(NEEDS) <= keys_in(s) for s in seen)


def test_feedback_free_text_never_reaches_the_display_or_phones(app, client, staff, admin):
    """Only the words staff published as a statement reach a public room or page."""
    import re

    def form_token(http):
        page = http.get(f"/feedback/{SITE}").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    done = client.post(f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}).get_json()
    called = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, f"tickets/{called}/start")
    act(staff, f"tickets/{called}/complete")
    waiting = client.post(f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}).get_json()
    display = socket(app, {"display": SITE})
    mine = socket(app, {"ticket": waiting["token"]})
    secret = "My hip replacement hurts"
    client.post(
        f"/t/{done['token']}/feedback",
        data={
            "csrf_token": form_token(client),
            "rating": "poor",
            "text": secret,
            "wants_contact": "yes",
            "contact": "pat@example.org",
        },
    )
    admin.post(
        f"/feedback/inbox/{SITE}/statements",
        data={"csrf_token": form_token(admin), "text": "We fixed the lift."},
    )
    inbox = admin.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)
    statement = re.search(r"/statements/(\d+)/publish", inbox).group(1)
    admin.post(
        f"/feedback/inbox/{SITE}/statements/{statement}/publish",
        data={"csrf_token": form_token(admin)},
    )
    heard = [m["args"][0] for s in (display, mine) for m in s.get_received()]
    assert any("We fixed the lift." in json.dumps(h) for h in heard)
    pages = [
        client.get(f"/display?site={SITE}").get_data(as_text=True),
        client.get(f"/t/{waiting['token']}").get_data(as_text=True),
    ]
    assert "We fixed the lift." in pages[0] and "We fixed the lift." in pages[1]
    secrets = [secret, "pat@example.org"]
    assert leaks(heard, secrets) == []
    assert leaks(pages, secrets) == []
