"""Wayfinding for tickets: the step-free choice made at check-in, the called ticket's
way to its room (GET /api/tickets/<token>/route), the waiting area in the check-in
answer, the room hints in what displays receive, and the kiosk's route QR code.

Demo map: the entrance kiosk and the main waiting area are on the ground floor, Room 3
on Level 1 (stairs or elevator); the nurse clinic (N) waits upstairs.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server import services
from server.extensions import db
from server.qr import qr_svg
from server.storage import migrate
from server.storage.models import Ticket
from tests.conftest import SITE, act, make_app, received, seed, socket, walk_in
from tests.integration.test_wayfinding_api import demo_without_map, load

PUBLIC_URL = "http://192.168.1.20:5000"


def ticket_id(staff, number):
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t["id"] for t in queue["tickets"] if t["number"] == number)


def staff_view(staff, number):
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t for t in queue["tickets"] if t["number"] == number)


def call(staff, checked_in, room):
    return act(
        staff, f"tickets/{ticket_id(staff, checked_in['ticket']['number'])}/call", {"room": room}
    )


def ticket_route(client, token):
    return client.get(f"/api/tickets/{token}/route")


def step_texts(route):
    return [step["text"] for step in route["steps"]]


# --- The step-free choice, kept with the ticket --------------------------------------------


def test_a_walk_in_may_ask_for_step_free_ways_and_the_ticket_keeps_it(client, staff):
    asked = walk_in(client, "G", step_free=True)
    plain = walk_in(client, "G")

    assert asked["ticket"]["step_free"] is True
    assert plain["ticket"]["step_free"] is False
    assert staff_view(staff, asked["ticket"]["number"])["step_free"] is True
    assert staff_view(staff, plain["ticket"]["number"])["step_free"] is False
    phone = client.get(f"/api/tickets/{asked['token']}").get_json()["ticket"]
    assert phone["step_free"] is True


def test_an_appointment_check_in_may_ask_for_step_free_ways(client, staff):
    response = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1004", "step_free": True}
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["ticket"]["step_free"] is True
    assert staff_view(staff, response.get_json()["ticket"]["number"])["step_free"] is True


def test_step_free_must_be_true_or_false(app, client):
    for value in ("yes", 1, None):
        response = client.post(
            f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G", "step_free": value}
        )
        assert response.status_code == 400, value
        assert response.get_json()["error"]["code"] == "invalid_input"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_check_in_answer_names_the_waiting_area_of_the_service(client):
    assert walk_in(client, "G")["waiting_area"] == "main-waiting"
    assert walk_in(client, "N")["waiting_area"] == "upper-waiting"


def test_without_a_map_the_check_in_answer_has_no_waiting_area(app, client):
    load(app, demo_without_map("hilltop"))

    response = client.post("/api/sites/hilltop/checkins/walk-in", json={"service": "G"})

    assert response.status_code == 201
    assert response.get_json()["waiting_area"] is None


def _upgrade_keeps_tickets_and_makes_them_not_step_free(clock, url):
    """Down to 0002 with a ticket in the database, then up again: the ticket is kept
    and, like every ticket made before the column, is not step-free."""
    app = make_app(clock, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    try:
        with app.app_context():
            migrate.upgrade()
        seed(app, create=False)
        with app.app_context():
            token = services.check_in_walk_in(SITE, "G", step_free=True).token
            db.session.remove()
            migrate.downgrade("0002")
            migrate.upgrade()
            assert services.ticket_status(token)["ticket"]["step_free"] is False
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_tickets_made_before_the_column_existed_are_not_step_free(clock, tmp_path):
    _upgrade_keeps_tickets_and_makes_them_not_step_free(clock, f"sqlite:///{tmp_path}/w.db")


@pytest.mark.postgres
def test_the_step_free_column_migrates_on_postgres_with_tickets_in_it(clock, pg_schema_url):
    _upgrade_keeps_tickets_and_makes_them_not_step_free(clock, pg_schema_url)


# --- The called ticket's way to its room ----------------------------------------------------


def test_a_called_ticket_gets_the_way_from_its_waiting_area_to_its_room(client, staff):
    checked_in = walk_in(client, "G")
    call(staff, checked_in, "room-3")

    response = ticket_route(client, checked_in["token"])

    assert response.status_code == 200
    route = response.get_json()
    assert (route["from"]["code"], route["to"]["code"]) == ("main-waiting", "room-3")
    assert route["mode"] == "shortest" and route["language"] == "en"
    assert any(text.startswith("Take the stairs up to Level 1.") for text in step_texts(route))
    assert response.headers["Cache-Control"] == "no-store"


def test_a_step_free_ticket_is_shown_a_way_without_stairs(client, staff):
    checked_in = walk_in(client, "G", step_free=True)
    call(staff, checked_in, "room-3")

    route = ticket_route(client, checked_in["token"]).get_json()

    assert route["mode"] == "step_free"
    assert "stairs" not in route["uses"] and "elevator" in route["uses"]
    assert any(text.startswith("Take the elevator to Level 1.") for text in step_texts(route))
    assert not any("stairs" in text for text in step_texts(route))


def test_the_way_is_told_in_the_tickets_language(client, staff):
    checked_in = walk_in(client, "G", language="es")
    call(staff, checked_in, "room-3")

    route = ticket_route(client, checked_in["token"]).get_json()

    assert route["language"] == "es"
    assert route["to"]["name"] == "Consulta 3"
    assert any(
        text.startswith("Suba por la escalera hasta Planta 1.") for text in step_texts(route)
    )


def test_the_way_starts_where_the_service_waits(client, staff):
    checked_in = walk_in(client, "N")
    call(staff, checked_in, "treatment")

    route = ticket_route(client, checked_in["token"]).get_json()

    assert route["from"]["code"] == "upper-waiting"
    assert route["uses"] == []  # the same floor: no stairs, no elevator


def test_there_is_no_way_before_the_ticket_is_called_nor_after(client, staff):
    checked_in = walk_in(client, "G")
    waiting = ticket_route(client, checked_in["token"])
    call(staff, checked_in, "room-1")
    act(staff, f"tickets/{ticket_id(staff, checked_in['ticket']['number'])}/start")
    started = ticket_route(client, checked_in["token"])

    for response in (waiting, started):
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "not_called"


def test_unknown_and_ended_tickets_get_no_way(client, staff):
    assert ticket_route(client, "not-a-real-token-" + "x" * 20).status_code == 404
    checked_in = walk_in(client, "G")
    call(staff, checked_in, "room-1")
    number = checked_in["ticket"]["number"]
    act(staff, f"tickets/{ticket_id(staff, number)}/start")
    act(staff, f"tickets/{ticket_id(staff, number)}/complete")

    assert ticket_route(client, checked_in["token"]).status_code == 410


def test_the_way_says_nothing_about_other_patients(client, staff):
    other = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1004"}
    ).get_json()
    checked_in = walk_in(client, "G")
    call(staff, checked_in, "room-3")

    text = ticket_route(client, checked_in["token"]).get_data(as_text=True)

    assert staff_view(staff, other["ticket"]["number"])["patient_name"]
    for private in (
        staff_view(staff, other["ticket"]["number"])["patient_name"].split()[-1],
        other["ticket"]["number"],
        other["token"],
        checked_in["token"],
    ):
        assert private not in text


def test_the_ticket_update_stays_lean_the_way_is_fetched_apart(app, client, staff):
    checked_in = walk_in(client, "G")
    phone = socket(app, {"ticket": checked_in["token"]})
    phone.get_received()

    call(staff, checked_in, "room-3")

    update = received(phone, "ticket_update")[-1]["ticket"]
    assert update["status"] == "called" and update["room"]["code"] == "room-3"
    assert "steps" not in str(update) and "<svg" not in str(update)
    phone.disconnect()


# --- What the displays receive ---------------------------------------------------------------


def test_each_call_on_the_display_carries_a_hint_in_every_language(app, client, staff):
    display = socket(app, {"display": SITE})
    display.get_received()
    checked_in = walk_in(client, "G")

    call(staff, checked_in, "room-3")

    calls = received(display, "display_update")[-1]["state"]["calls"]
    assert calls[0]["number"] == checked_in["ticket"]["number"]
    hints = calls[0]["hints"]
    assert hints["en"] == "Room 3, Level 1, take the elevator"
    assert hints["es"] == "Consulta 3, Planta 1, tome el ascensor"
    assert hints["ar"] == "الغرفة 3، الطابق الأول، استقل المصعد"
    assert len(hints) == 8  # every language of the demo
    display.disconnect()


def test_the_hint_is_judged_from_where_the_service_waits(app, client, staff):
    nurse = walk_in(client, "N")
    call(staff, nurse, "treatment")

    calls = services_display_calls(app)

    # Nurse patients wait on Level 1 already: no floor to change.
    assert calls[0]["hints"]["en"] == "Treatment room, Level 1"


def test_a_display_snapshot_has_the_hints_too_and_nothing_about_the_patient(app, client, staff):
    appointment = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1004"}
    ).get_json()
    call(staff, appointment, "lab-1")
    name = staff_view(staff, appointment["ticket"]["number"])["patient_name"]

    display = socket(app, {"display": SITE})
    snapshot = received(display, "display_update")[-1]

    assert snapshot["kind"] == "snapshot"
    assert snapshot["state"]["calls"][0]["hints"]["en"] == "Lab counter 1, Ground floor"
    for part in name.split():
        assert part not in str(snapshot)
    display.disconnect()


def test_without_a_map_calls_carry_no_hints(app, client):
    load(app, demo_without_map("hilltop"))
    with app.app_context():
        desk_id = services.add_user("hill", "a long enough password", "staff", ["hilltop"]).id
        services.check_in_walk_in("hilltop", "G")
        services.call_next("hilltop", "room-1", actor_id=desk_id)
        calls = services.display_snapshot("hilltop")["state"]["calls"]

    assert calls[0]["hints"] == {}


def services_display_calls(app):
    with app.app_context():
        return services.display_snapshot(SITE)["state"]["calls"]


# --- The kiosk: a route's QR code, and what its page is given ----------------------------


def test_the_route_qr_code_holds_the_route_page_at_the_public_address(clock):
    app = make_app(clock, PUBLIC_URL=PUBLIC_URL)
    seed(app)
    client = app.test_client()

    response = client.get(
        "/kiosk/route/qr.svg",
        query_string={"site": SITE, "from": "entrance", "to": "room-3", "mode": "step_free"},
    )

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    link = f"{PUBLIC_URL}/route?site={SITE}&from=entrance&to=room-3&mode=step_free&lang=en"
    assert response.get_data(as_text=True) == qr_svg(link)


def test_the_route_qr_code_refuses_what_is_not_a_route(client):
    assert client.get("/kiosk/route/qr.svg", query_string={"site": SITE}).status_code == 400
    unknown = client.get("/kiosk/route/qr.svg", query_string={"site": SITE, "to": "room-99"})
    assert unknown.status_code == 404
    long = client.get("/kiosk/route/qr.svg", query_string={"site": SITE, "to": "x" * 65})
    assert long.status_code == 400
    bad_mode = client.get(
        "/kiosk/route/qr.svg", query_string={"site": SITE, "to": "room-3", "mode": "flying"}
    )
    assert bad_mode.status_code == 400


def kiosk_config(client, query=""):
    page = client.get(f"/kiosk{query}").get_data(as_text=True)
    start = page.index('id="kiosk-config">') + len('id="kiosk-config">')
    return json.loads(page[start : page.index("</script>", start)]), page


def test_the_kiosk_offers_find_your_way_and_starts_routes_at_itself(client):
    config, page = kiosk_config(client)

    assert config["wayfinding"] == {"from": "entrance"}
    assert 'data-action="find"' in page
    assert config["urls"]["route"] == f"/api/sites/{SITE}/route"
    assert config["urls"]["destinations"] == f"/api/sites/{SITE}/destinations"


def test_a_kiosk_the_map_does_not_know_routes_from_the_sites_first_kiosk(client):
    config, _ = kiosk_config(client, "?device=side-door")

    assert config["wayfinding"] == {"from": None}


def test_a_site_without_a_map_has_no_find_your_way(app, client):
    load(app, demo_without_map("hilltop"))

    config, page = kiosk_config(client, "?site=hilltop")

    assert config["wayfinding"] is None
    assert 'data-action="find"' not in page
    assert 'data-action="step-free"' not in page
