"""Checking in over HTTP: walk-ins, appointments, the refusals, and the day boundary."""

from __future__ import annotations

import re

from sqlalchemy import select

from server import services
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage.models import Ticket
from tests.conftest import DEMO_SITE, SITE, walk_in

APPOINTMENT = f"/api/sites/{SITE}/checkins/appointment"
WALK_IN = f"/api/sites/{SITE}/checkins/walk-in"


def check_in_appointment(client, status=201, **body):
    response = client.post(APPOINTMENT, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def error_code(response):
    return response.get_json()["error"]["code"]


def staff_line(staff, service):
    """The numbers waiting for a service, in call order, as the desk sees them."""
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return [
        t["number"]
        for t in tickets
        if t["status"] == "waiting" and t["service"]["prefix"] == service
    ]


# --- Walk-ins ---------------------------------------------------------------------


def test_walk_in_gets_a_ticket_with_token_number_position_and_estimate(client):
    response = client.post(WALK_IN, json={"service": "G"})

    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", body["token"])
    assert body["status_url"] == f"/api/tickets/{body['token']}"
    ticket = body["ticket"]
    assert ticket["number"] == "G-001"
    assert ticket["status"] == "waiting"
    assert ticket["position"] == 1
    assert ticket["estimate"] is not None
    assert ticket["language"] == "en"


def test_walk_in_numbers_count_up_per_service(client):
    first = walk_in(client, "G")["ticket"]
    second = walk_in(client, "G")["ticket"]
    blood = walk_in(client, "B")["ticket"]
    by_code = walk_in(client, "blood")["ticket"]

    assert (first["number"], second["number"]) == ("G-001", "G-002")
    assert second["position"] == 2
    assert (blood["number"], by_code["number"]) == ("B-001", "B-002")
    assert blood["position"] == 1


def test_walk_in_tokens_differ(client):
    assert walk_in(client)["token"] != walk_in(client)["token"]


def test_walk_in_in_an_offered_language(client):
    assert walk_in(client, language="es")["ticket"]["language"] == "es"


def test_walk_in_in_an_unknown_language_is_refused(client, staff):
    response = client.post(WALK_IN, json={"service": "G", "language": "de"})

    assert response.status_code == 422
    assert error_code(response) == "unknown_language"
    assert staff_line(staff, "G") == []


def test_walk_in_for_an_unknown_service_is_404(client):
    response = client.post(WALK_IN, json={"service": "X"})

    assert response.status_code == 404
    assert error_code(response) == "unknown_service"


def test_walk_in_at_an_unknown_site_is_404(client):
    response = client.post("/api/sites/nowhere/checkins/walk-in", json={"service": "G"})

    assert response.status_code == 404
    assert error_code(response) == "unknown_site"


def with_closures(app, closures: str) -> None:
    with app.app_context():
        services.load_site(parse_site_text(DEMO_SITE.read_text() + closures))


def test_a_walk_in_on_a_closed_day_is_refused_with_a_clear_message(app, client):
    # The FakeClock's day is Tuesday 10 March 2026, 09:00 in London: an open weekday.
    assert client.post(WALK_IN, json={"service": "G"}).status_code == 201
    with_closures(
        app,
        '\n[[closures]]\ndate = "2026-03-10"\nreason = { en = "Audit", es = "Auditoría", '
        'fr = "Audit", pt = "Audit", zh = "Audit", vi = "Audit", ar = "Audit", pl = "Audit" }\n',
    )

    refused = client.post(WALK_IN, json={"service": "G"})
    assert refused.status_code == 422
    assert error_code(refused) == "closed"
    assert refused.get_json()["error"]["message"] == (
        "The clinic is closed for walk-ins now. Please see the front desk."
    )
    assert client.get(f"/api/sites/{SITE}").get_json()["open"] is False


def test_a_closed_afternoon_leaves_the_morning_open(app, client, clock):
    with_closures(app, '\n[[closures]]\ndate = "2026-03-10"\nfrom = "13:00"\nto = "24:00"\n')
    assert client.post(WALK_IN, json={"service": "G"}).status_code == 201
    clock.now = clock.now.replace(hour=13)  # 13:00 in London (GMT in March)
    assert error_code(client.post(WALK_IN, json={"service": "G"})) == "closed"


def test_closed_site_refuses_walk_ins_but_the_desk_can_still_add(app, client, staff):
    # The FakeClock's day is a Tuesday: a site open on Mondays only is closed now.
    text = DEMO_SITE.read_text()
    text = re.sub(r"(?m)^(tue|wed|thu|fri|sat|sun) = .*\n", "", text)
    with app.app_context():
        services.load_site(parse_site_text(text))

    refused = client.post(WALK_IN, json={"service": "G"})
    assert refused.status_code == 422
    assert error_code(refused) == "closed"
    assert "front desk" in refused.get_json()["error"]["message"]
    assert client.get(f"/api/sites/{SITE}").get_json()["open"] is False

    added = staff.post(f"/api/sites/{SITE}/tickets", json={"service": "G"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["ticket"]["number"] == "G-001"
    assert staff_line(staff, "G") == ["G-001"]


# --- Appointments -----------------------------------------------------------------


def test_appointment_check_in_by_code(client, staff):
    body = check_in_appointment(client, code="RV1003")  # 08:50, now 09:00: on time

    assert body["ticket"]["number"] == "G-001"
    assert body["ticket"]["status"] == "waiting"
    desk = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    assert [(t["source"], t["patient_name"]) for t in desk] == [("appointment", "Carla Okafor")]
    assert desk[0]["appointment_at"] == "2026-03-10T08:50:00+00:00"
    assert desk[0]["queue_at"] == "2026-03-10T08:50:00+00:00"


def test_appointment_code_is_matched_ignoring_case_and_spaces(client):
    assert check_in_appointment(client, code=" rv1003 ")["ticket"]["number"] == "G-001"


def test_appointment_check_in_by_last_name_and_birth_date(client, staff):
    body = check_in_appointment(client, last_name="oKaFoR", date_of_birth="2003-02-12")

    assert body["ticket"]["number"] == "G-001"
    desk = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    assert desk[0]["patient_name"] == "Carla Okafor"


def test_appointment_for_another_service_takes_its_number(client):
    # RV1004 is a blood test at 09:15: early, but inside the hour allowed.
    assert check_in_appointment(client, code="RV1004")["ticket"]["number"] == "B-001"


def test_appointment_with_a_wrong_birth_date_is_not_found(client):
    response = client.post(APPOINTMENT, json={"last_name": "Okafor", "date_of_birth": "2003-02-13"})

    assert response.status_code == 404
    assert error_code(response) == "appointment_not_found"


def test_unknown_appointment_code_is_not_found(client, staff):
    response = client.post(APPOINTMENT, json={"code": "RV9999"})

    assert response.status_code == 404
    assert error_code(response) == "appointment_not_found"
    assert staff_line(staff, "G") == []


def test_too_early_for_the_appointment(client, staff):
    response = client.post(APPOINTMENT, json={"code": "RV1006"})  # 10:05, 65 minutes away

    assert response.status_code == 422
    assert error_code(response) == "too_early"
    assert staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"] == []


def test_early_within_the_window_is_accepted(client, clock):
    clock.advance(minutes=5)  # 09:05, an hour before RV1006 at 10:05
    assert check_in_appointment(client, code="RV1006")["ticket"]["number"] == "V-001"


def test_too_late_for_the_appointment(client, staff):
    response = client.post(APPOINTMENT, json={"code": "RV1002"})  # 08:25, 35 minutes ago

    assert response.status_code == 422
    assert error_code(response) == "too_late"
    assert "front desk" in response.get_json()["error"]["message"]
    assert staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"] == []


def test_an_appointment_checks_in_only_once(client, staff):
    check_in_appointment(client, code="RV1003")
    again = client.post(APPOINTMENT, json={"code": "RV1003"})

    assert again.status_code == 422
    assert error_code(again) == "already_checked_in"
    assert staff_line(staff, "G") == ["G-001"]


def test_on_time_appointment_is_placed_at_its_appointment_time(client, staff):
    # queue_anchor: an on-time appointment patient's place is the appointment time.
    walker = walk_in(client, "G")["ticket"]  # arrives 09:00
    patient = check_in_appointment(client, code="RV1003")["ticket"]  # due 08:50, arrives 09:00

    assert walker["number"] == "G-001"
    assert patient["number"] == "G-002"
    assert patient["position"] == 1
    assert staff_line(staff, "G") == ["G-002", "G-001"]


def test_early_appointment_waits_behind_walk_ins_who_came_before_its_time(client, staff, clock):
    walk_in(client, "B")  # B-001 at 09:00
    clock.advance(minutes=5)
    check_in_appointment(client, code="RV1004")  # B-002 at 09:05, due 09:15
    clock.advance(minutes=5)
    walk_in(client, "B")  # B-003 at 09:10, still before 09:15
    clock.advance(minutes=10)
    walk_in(client, "B")  # B-004 at 09:20, after the appointment time

    assert staff_line(staff, "B") == ["B-001", "B-003", "B-002", "B-004"]


def test_late_appointment_within_the_window_is_placed_at_arrival(client, staff, clock):
    clock.advance(minutes=1)  # 09:01: RV1003 (08:50) is past its 10 minutes of grace
    walk_in(client, "G")  # G-001 at 09:01
    clock.advance(minutes=1)
    patient = check_in_appointment(client, code="RV1003")  # G-002 at 09:02

    assert patient["ticket"]["position"] == 2
    assert staff_line(staff, "G") == ["G-001", "G-002"]


# --- Days -------------------------------------------------------------------------


def test_numbers_restart_each_day_and_yesterdays_tickets_remain(app, client, clock):
    yesterday = walk_in(client, "G")
    walk_in(client, "G")
    walk_in(client, "B")

    clock.advance(days=1)
    today = walk_in(client, "G")
    assert today["ticket"]["number"] == "G-001"
    assert walk_in(client, "B")["ticket"]["number"] == "B-001"

    with app.app_context():
        rows = db.session.execute(select(Ticket.day, Ticket.number_prefix, Ticket.number)).all()
    days = {row.day.isoformat() for row in rows}
    assert days == {"2026-03-10", "2026-03-11"}
    assert sorted((r.day.isoformat(), f"{r.number_prefix}-{r.number:03d}") for r in rows) == [
        ("2026-03-10", "B-001"),
        ("2026-03-10", "G-001"),
        ("2026-03-10", "G-002"),
        ("2026-03-11", "B-001"),
        ("2026-03-11", "G-001"),
    ]

    gone = client.get(f"/api/tickets/{yesterday['token']}")
    assert gone.status_code == 410
    assert error_code(gone) == "ticket_ended"
    assert client.get(f"/api/tickets/{today['token']}").status_code == 200


def test_the_day_is_the_sites_day_not_utcs(client, clock):
    walk_in(client, "G")
    # 23:30 UTC on 10 March is still 10 March in London (GMT until 29 March).
    clock.advance(hours=14, minutes=30)
    assert walk_in(client, "G")["ticket"]["number"] == "G-002"
    clock.advance(minutes=30)
    assert walk_in(client, "G")["ticket"]["number"] == "G-001"


def test_unknown_token_is_404(client):
    response = client.get("/api/tickets/not-a-real-token-but-long-enough-to-look-like-one")

    assert response.status_code == 404
    assert error_code(response) == "unknown_ticket"
