"""Socket.IO: who hears what, in order, and who may connect at all."""

from __future__ import annotations

import re

import pytest

from server import services
from server.sites.schema import parse_site_text
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, act, login, received, socket, walk_in


@pytest.fixture
def display(app):
    sock = socket(app, {"display": SITE})
    assert sock.is_connected()
    sock.get_received()  # the snapshot on connect
    return sock


@pytest.fixture
def desk(app, staff):
    sock = socket(app, {"staff": SITE}, http=staff)
    assert sock.is_connected()
    sock.get_received()
    return sock


def phone(app, token):
    sock = socket(app, {"ticket": token})
    assert sock.is_connected()
    sock.get_received()
    return sock


def ticket_id(staff, number):
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return next(t["id"] for t in tickets if t["number"] == number)


def current_seq(staff):
    return staff.get(f"/api/sites/{SITE}/queue").get_json()["seq"]


def service_counts(update):
    return {s["prefix"]: s["waiting"] for s in update["state"]["services"]}


# --- Snapshots on connect ---------------------------------------------------------


def test_each_client_gets_a_snapshot_when_it_connects(app, client, staff):
    token = walk_in(client, "G")["token"]
    seq = current_seq(staff)

    screen = socket(app, {"display": SITE})
    desk = socket(app, {"staff": SITE}, http=staff)
    mine = socket(app, {"ticket": token})

    [shown] = received(screen, "display_update")
    assert (shown["kind"], shown["seq"]) == ("snapshot", seq)
    assert service_counts(shown)["G"] == 1
    [seen] = received(desk, "staff_update")
    assert (seen["kind"], seen["seq"]) == ("snapshot", seq)
    assert [t["number"] for t in seen["tickets"]] == ["G-001"]
    [status] = received(mine, "ticket_update")
    assert (status["kind"], status["seq"], status["ticket"]["number"]) == ("snapshot", seq, "G-001")


# --- What a change reaches --------------------------------------------------------


def test_a_walk_in_reaches_the_display_and_the_staff(client, display, desk):
    walk_in(client, "B")

    [shown] = received(display, "display_update")
    assert shown["kind"] == "checked_in"
    assert service_counts(shown) == {"G": 0, "B": 1, "V": 0, "N": 0}
    assert shown["announce"] is None
    [seen] = received(desk, "staff_update")
    assert seen["kind"] == "checked_in"
    assert seen["seq"] == shown["seq"]
    [ticket] = seen["tickets"]
    assert (ticket["number"], ticket["status"], ticket["position"]) == ("B-001", "waiting", 1)


def test_call_next_reaches_the_phone_and_is_announced_on_the_display(app, client, staff, display):
    token = walk_in(client, "G")["token"]
    mine = phone(app, token)
    display.get_received()

    act(staff, "rooms/room-2/call-next")

    [status] = received(mine, "ticket_update")
    assert status["kind"] == "called"
    assert status["ticket"]["status"] == "called"
    assert status["ticket"]["room"]["code"] == "room-2"
    assert status["ticket"]["room"]["names"]["en"] == "Room 2"
    [shown] = received(display, "display_update")
    assert shown["announce"]["number"] == "G-001"
    assert shown["announce"]["spoken"] == "G 1"
    assert shown["announce"]["room"]["code"] == "room-2"
    assert shown["state"]["calls"][0]["number"] == "G-001"


def test_a_recall_is_announced_again(app, client, staff, display):
    walk_in(client, "G")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    display.get_received()

    act(staff, f"tickets/{number}/recall")

    [shown] = received(display, "display_update")
    assert shown["kind"] == "recalled"
    assert shown["announce"]["number"] == "G-001"
    assert [c["recall"] for c in shown["state"]["calls"]] == [True, False]


def test_people_behind_hear_that_the_line_moved(app, client, staff):
    walk_in(client, "G")
    second = phone(app, walk_in(client, "G")["token"])

    act(staff, "rooms/room-1/call-next")

    # Only what moved: the place and estimate, not the whole ticket again.
    [place] = received(second, "ticket_place")
    assert place["position"] == 1
    assert place["kind"] == "called"
    assert set(place) == {"seq", "kind", "position", "estimate", "delay"}
    assert received(second, "ticket_update") == []


def test_every_change_carries_the_next_sequence_number(app, client, staff, display, desk):
    start = current_seq(staff)
    walk_in(client, "G")
    walk_in(client, "B")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, "rooms/lab-1/pause")
    posted = act(staff, "notices", {"scope": "site", "reason": "Late", "expected_minutes": 5}, 201)
    act(staff, f"notices/{posted['notice']['id']}/clear")
    act(staff, f"tickets/{number}/start")
    act(staff, "rooms/lab-1/resume")

    shown = [u["seq"] for u in received(display, "display_update")]
    seen = [u["seq"] for u in received(desk, "staff_update")]
    assert shown == list(range(start + 1, start + 9))
    assert seen == shown
    assert current_seq(staff) == start + 8


def test_a_refused_action_sends_nothing(client, staff, display, desk):
    walk_in(client, "G")
    display.get_received()
    desk.get_received()

    staff.post(f"/api/sites/{SITE}/tickets/{ticket_id(staff, 'G-001')}/complete", json={})
    staff.post(f"/api/sites/{SITE}/rooms/lab-1/call-next", json={})

    assert display.get_received() == []
    assert desk.get_received() == []


def test_sync_returns_a_snapshot_with_the_current_seq(app, client, staff, display, desk):
    token = walk_in(client, "G")["token"]
    walk_in(client, "B")
    seq = current_seq(staff)
    mine = phone(app, token)

    screen = display.emit("sync", {}, callback=True)
    assert screen["event"] == "display_update"
    assert (screen["data"]["kind"], screen["data"]["seq"]) == ("snapshot", seq)
    assert service_counts(screen["data"])["B"] == 1

    staff_view = desk.emit("sync", {}, callback=True)
    assert staff_view["event"] == "staff_update"
    assert staff_view["data"]["seq"] == seq
    assert [t["number"] for t in staff_view["data"]["tickets"]] == ["G-001", "B-001"]

    status = mine.emit("sync", {}, callback=True)
    assert status["event"] == "ticket_update"
    assert (status["data"]["seq"], status["data"]["ticket"]["number"]) == (seq, "G-001")


def test_a_phone_sync_after_the_visit_ended_says_so(app, client, staff):
    token = walk_in(client, "G")["token"]
    mine = phone(app, token)
    act(staff, f"tickets/{ticket_id(staff, 'G-001')}/cancel")

    answer = mine.emit("sync", {}, callback=True)

    assert answer == {
        "error": {"code": "ticket_ended", "message": "This ticket is no longer active."}
    }


# --- Phones hear only their own ticket --------------------------------------------


def test_a_phone_hears_nothing_of_another_services_ticket(app, client, staff):
    general = phone(app, walk_in(client, "G")["token"])
    blood = phone(app, walk_in(client, "B")["token"])

    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id(staff, 'G-001')}/recall")

    assert blood.get_received() == []
    assert [u["kind"] for u in received(general, "ticket_update")] == ["called", "recalled"]


def test_a_phone_hears_only_its_own_ticket_in_a_shared_line(app, client, staff):
    first = phone(app, walk_in(client, "G")["token"])
    second_token = walk_in(client, "G")["token"]
    second = phone(app, second_token)
    first.get_received()

    act(staff, f"tickets/{ticket_id(staff, 'G-002')}/call", {"room": "room-1"})
    client.post(f"/api/tickets/{second_token}/cancel", json={})

    to_first = first.get_received()
    to_second = second.get_received()
    # The first hears only that its place held (no number, nothing of the other ticket).
    assert {m["name"] for m in to_first} == {"ticket_place"}
    assert all(
        set(m["args"][0]) == {"seq", "kind", "position", "estimate", "delay"} for m in to_first
    )
    assert {m["name"] for m in to_second} == {"ticket_update"}
    assert [m["args"][0]["ticket"]["number"] for m in to_second] == ["G-002", "G-002"]
    assert [m["args"][0]["ticket"]["status"] for m in to_second] == ["called", "cancelled"]


def test_a_phone_never_gets_display_or_staff_updates(app, client, staff):
    mine = phone(app, walk_in(client, "G")["token"])

    walk_in(client, "B")
    act(staff, "rooms/lab-1/call-next")
    act(
        staff,
        "notices",
        {"scope": "service", "target": "B", "reason": "x", "expected_minutes": 5},
        201,
    )

    assert mine.get_received() == []


# --- Who may connect --------------------------------------------------------------


def refused(app, auth, http=None):
    sock = socket(app, auth, http=http)
    assert not sock.is_connected()
    # A refused client joined no room: a change afterwards reaches it neither.
    walk_in(app.test_client(), "G")
    assert sock.queue == []  # get_received() refuses to run on a closed client


def test_connect_without_auth_is_refused(app):
    refused(app, None)


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"ticket": 5},
        {"ticket": ""},
        {"ticket": "x" * 129},
        {"ticket": "a", "display": SITE},
        {"visitor": SITE},
        {"display": ["riverside"]},
    ],
)
def test_connect_with_junk_auth_is_refused(app, auth):
    refused(app, auth)


def test_connect_with_an_unknown_token_is_refused(app):
    refused(app, {"ticket": "this-token-was-never-issued-by-anyone-here"})


def test_connect_with_an_ended_ticket_is_refused(app, client, staff):
    token = walk_in(client, "G")["token"]
    act(staff, f"tickets/{ticket_id(staff, 'G-001')}/cancel")
    refused(app, {"ticket": token})


def test_connect_as_display_of_an_unknown_site_is_refused(app):
    refused(app, {"display": "nowhere"})


def test_connect_as_staff_without_logging_in_is_refused(app, client):
    refused(app, {"staff": SITE})
    refused(app, {"staff": SITE}, http=client)


def test_connect_as_staff_after_logout_is_refused(app, staff):
    staff.post("/api/logout", json={})
    refused(app, {"staff": SITE}, http=staff)


def test_logging_out_ends_that_logins_staff_socket_but_not_another_desks(app, staff):
    other_desk = app.test_client()
    login(other_desk, "desk")  # desks often share an account
    mine = socket(app, {"staff": SITE}, staff)
    theirs = socket(app, {"staff": SITE}, other_desk)
    assert mine.is_connected() and theirs.is_connected()

    staff.post("/api/logout", json={})

    assert not mine.is_connected()
    assert theirs.is_connected()
    walk_in(app.test_client())
    assert received(theirs, "staff_update")[-1]["kind"] == "checked_in"


def test_connect_as_staff_of_another_site_is_refused(app):
    other = re.sub(r'(?m)^slug = "riverside"$', 'slug = "hilltop"', DEMO_SITE.read_text())
    with app.app_context():
        services.load_site(parse_site_text(other))
        services.add_user("hill", STAFF_PASSWORD, "staff", ["hilltop"])
    hill = app.test_client()
    login(hill, "hill")

    refused(app, {"staff": SITE}, http=hill)
    own = socket(app, {"staff": "hilltop"}, http=hill)
    assert own.is_connected()
    assert received(own, "staff_update")[0]["site"]["slug"] == "hilltop"
