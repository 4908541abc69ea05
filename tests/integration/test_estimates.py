"""Estimates as the server shows them: live, recorded, with delay notices and accuracy."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from server import services
from server.extensions import db
from server.services import estimates
from server.storage import queries
from server.storage.models import ShownEstimate, TicketPromise
from tests.conftest import SITE, act, received, socket, walk_in

G_ROOMS = ("room-1", "room-2", "room-3")


@pytest.fixture
def app_config():
    """Estimates refreshed after each change, as the server does (inline, to follow)."""
    return {"ESTIMATE_REFRESH": "inline"}


def shown_rows(app, ticket_id=None):
    with app.app_context():
        query = select(ShownEstimate).order_by(ShownEstimate.id)
        if ticket_id is not None:
            query = query.where(ShownEstimate.ticket_id == ticket_id)
        return [(r.ticket_id, r.central, r.low, r.high) for r in db.session.scalars(query)]


def ticket_id(app, token):
    with app.app_context():
        return services.ticket_id_for_token(token)


def test_the_first_patient_at_an_idle_site_is_told_there_is_no_wait(client):
    ticket = walk_in(client, "G")["ticket"]
    assert ticket["estimate"]["central"] <= 1
    assert ticket["delay"] is None


def test_every_estimate_shown_at_check_in_is_recorded(app, client):
    first = walk_in(client, "G")
    second = walk_in(client, "G")
    rows = shown_rows(app)
    shown = second["ticket"]["estimate"]
    assert (ticket_id(app, second["token"]), shown["central"], shown["low"], shown["high"]) in rows
    assert {r[0] for r in rows} == {ticket_id(app, first["token"]), ticket_id(app, second["token"])}


def test_an_estimate_that_has_not_moved_is_neither_recorded_again_nor_changed(app, client, clock):
    first = walk_in(client, "G")
    first_id = ticket_id(app, first["token"])
    before = shown_rows(app, first_id)
    walk_in(client, "B")  # another line: the G ticket's promise stands
    assert shown_rows(app, first_id) == before
    with app.app_context():
        assert services.refresh_estimates(SITE) is None  # the tick has nothing to send


def test_the_simulation_draws_the_same_futures_all_day_and_new_ones_the_next(app, client, clock):
    # One seed for ever would make the simulation's chance error a bias every estimate
    # shares; one seed a day keeps a day's estimates steady and lets days average out.
    for _ in range(8):
        walk_in(client, "G")
    with app.app_context():
        forecast = estimates.forecast(queries.get_site(SITE), clock.now)
        db.session.rollback()
    today = estimates.predict(forecast)
    assert estimates.predict(forecast) == today
    tomorrow = estimates.predict(replace(forecast, day=forecast.day + timedelta(days=1)))
    assert tomorrow.tickets.keys() == today.tickets.keys()
    assert tomorrow.tickets != today.tickets


def test_waiting_tickets_whose_estimate_moved_are_pushed_on_any_event(app, client, staff, clock):
    tickets = [walk_in(client, "G") for _ in range(6)]
    last = socket(app, {"ticket": tickets[-1]["token"]})
    last.get_received()
    for room in G_ROOMS:
        act(staff, f"rooms/{room}/pause")
    updates = received(last, "ticket_place")
    assert updates, "the last in line heard that its wait grew"
    assert set(updates[-1]) == {"seq", "kind", "position", "estimate", "delay"}
    assert updates[-1]["estimate"]["high"] > tickets[-1]["ticket"]["estimate"]["high"]


def test_pausing_every_room_sends_a_delay_notice_in_the_patients_language(app, client, staff):
    tickets = [walk_in(client, "G") for _ in range(5)]
    spanish = walk_in(client, "G", language="es")
    phone = socket(app, {"ticket": spanish["token"]})
    phone.get_received()
    for room in G_ROOMS:
        act(staff, f"rooms/{room}/pause")
    updates = received(phone, "ticket_place")
    delays = [u["delay"] for u in updates if u["delay"]]
    assert delays, "a delay notice reached the phone"
    assert delays[-1]["reason_code"] == "room_paused"
    assert delays[-1]["message"].startswith("Su espera es más larga")
    assert delays[-1]["at"]
    english = client.get(f"/api/tickets/{tickets[0]['token']}").get_json()["ticket"]
    if english["delay"] is not None:
        assert english["delay"]["message"].startswith("Your wait is longer")


def test_no_second_notice_within_five_minutes(app, client, staff, clock):
    for _ in range(5):
        walk_in(client, "G")
    for room in G_ROOMS:
        act(staff, f"rooms/{room}/pause")
    with app.app_context():
        notices = {p.ticket_id: p.notice_at for p in db.session.scalars(select(TicketPromise))}
    assert any(notices.values()), "the pause itself sent notices"
    clock.advance(minutes=2)
    act(
        staff,
        "notices",
        {"scope": "service", "target": "G", "reason": "Doctor called away", "expected_minutes": 60},
        status=201,
    )
    with app.app_context():
        again = {p.ticket_id: p.notice_at for p in db.session.scalars(select(TicketPromise))}
    assert again == notices


def test_a_posted_delay_moves_that_services_estimates_at_once_and_no_others(app, client, staff):
    g = walk_in(client, "G")
    b = walk_in(client, "B")
    act(
        staff,
        "notices",
        {"scope": "service", "target": "G", "reason": "Running late", "expected_minutes": 30},
        status=201,
    )
    g_now = client.get(f"/api/tickets/{g['token']}").get_json()["ticket"]
    b_now = client.get(f"/api/tickets/{b['token']}").get_json()["ticket"]
    assert g_now["estimate"]["central"] >= 28
    assert g_now["delay"]["reason_code"] == "posted_delay"
    assert b_now["estimate"] == b["ticket"]["estimate"]
    assert b_now["delay"] is None


def test_the_display_shows_each_services_wait_for_someone_arriving_now(app, client):
    for _ in range(4):
        walk_in(client, "G")
    with app.app_context():
        state = services.display_snapshot(SITE)["state"]
    waits = {s["prefix"]: s["typical_wait"] for s in state["services"]}
    assert waits["G"] > waits["B"]


def test_the_slow_tick_pushes_estimates_that_time_has_moved(app, client, staff, clock):
    tickets = [walk_in(client, "G") for _ in range(4)]
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id(app, tickets[0]['token'])}/start")
    clock.advance(minutes=40)  # a long visit: everyone's promise has slipped
    phone = socket(app, {"ticket": tickets[-1]["token"]})
    phone.get_received()
    with app.app_context():
        seq = services.refresh_estimates(SITE)
    assert seq is not None
    assert received(phone, "ticket_place")[-1]["kind"] == "estimates"


def test_todays_accuracy_is_scored_from_what_patients_were_shown(app, client, staff, clock):
    first = walk_in(client, "G")
    walk_in(client, "G")
    clock.advance(minutes=3)
    act(staff, "rooms/room-1/call-next")
    report = staff.get(f"/api/sites/{SITE}/accuracy").get_json()
    assert report["day"] == "2026-03-10"
    assert report["first"]["patients"] == 1  # only the called patient has an actual wait
    shown = first["ticket"]["estimate"]
    assert report["first"]["mae"] == abs(shown["central"] - 3)
    assert report["within_10_share"] == report["first"]["within_10"] == 1.0


def test_accuracy_is_for_staff_only(client):
    assert client.get(f"/api/sites/{SITE}/accuracy").status_code == 401


def test_a_ticket_sent_on_to_another_line_starts_a_new_promise_not_a_delay(
    app, client, staff, clock
):
    ticket = walk_in(client, "G")
    ident = ticket_id(app, ticket["token"])
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ident}/start")
    clock.advance(minutes=30)
    for _ in range(3):
        walk_in(client, "B")
    act(staff, f"tickets/{ident}/transfer", {"service": "B"})
    now = client.get(f"/api/tickets/{ticket['token']}").get_json()["ticket"]
    assert now["status"] == "waiting"
    assert now["delay"] is None
    assert len(shown_rows(app, ident)) == 2  # one promise per wait
