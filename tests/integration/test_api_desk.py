"""The front desk over HTTP: calling, moving and ending tickets, notices, rooms, audit
and the appointment import."""

from __future__ import annotations

from tests.conftest import SITE, act, walk_in

QUEUE = f"/api/sites/{SITE}/queue"


def queue(staff):
    response = staff.get(QUEUE)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def desk_ticket(staff, number):
    return next(t for t in queue(staff)["tickets"] if t["number"] == number)


def ticket_id(staff, number):
    return desk_ticket(staff, number)["id"]


def waiting_line(staff, prefix):
    """Numbers waiting for a service, in call order."""
    return [
        t["number"]
        for t in queue(staff)["tickets"]
        if t["status"] == "waiting" and t["service"]["prefix"] == prefix
    ]


def phone(client, token):
    return client.get(f"/api/tickets/{token}")


def refused(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


# --- Calling ----------------------------------------------------------------------


def test_call_next_takes_the_first_in_line(client, staff):
    walk_in(client, "G")
    walk_in(client, "G")

    called = act(staff, "rooms/room-1/call-next")["ticket"]

    assert called["number"] == "G-001"
    assert called["status"] == "called"
    assert called["room"]["code"] == "room-1"
    assert waiting_line(staff, "G") == ["G-002"]


def test_call_next_takes_a_raised_priority_first(client, staff):
    for _ in range(3):
        walk_in(client, "G")
    act(staff, f"tickets/{ticket_id(staff, 'G-003')}/priority", {"level": 2})
    assert waiting_line(staff, "G") == ["G-003", "G-001", "G-002"]

    first = act(staff, "rooms/room-1/call-next")["ticket"]
    second = act(staff, "rooms/room-2/call-next")["ticket"]

    assert (first["number"], first["priority"]) == ("G-003", 2)
    assert second["number"] == "G-001"


def test_call_next_only_calls_services_the_room_serves(client, staff):
    walk_in(client, "G")
    walk_in(client, "B")

    assert act(staff, "rooms/lab-1/call-next")["ticket"]["number"] == "B-001"
    refused(staff.post(f"/api/sites/{SITE}/rooms/lab-1/call-next", json={}), 409, "nothing_to_call")


def test_call_next_with_nobody_waiting_is_refused(staff):
    before = queue(staff)

    refused(
        staff.post(f"/api/sites/{SITE}/rooms/room-1/call-next", json={}), 409, "nothing_to_call"
    )
    assert queue(staff) == before


def test_call_a_specific_ticket_out_of_turn(client, staff):
    walk_in(client, "G")
    token = walk_in(client, "G")["token"]

    called = act(staff, f"tickets/{ticket_id(staff, 'G-002')}/call", {"room": "room-3"})["ticket"]

    assert (called["number"], called["status"], called["room"]["code"]) == (
        "G-002",
        "called",
        "room-3",
    )
    mine = phone(client, token).get_json()["ticket"]
    assert mine["status"] == "called"
    assert mine["room"]["code"] == "room-3"
    assert waiting_line(staff, "G") == ["G-001"]


def test_calling_to_a_room_that_does_not_serve_the_service_is_refused(client, staff):
    walk_in(client, "G")
    number = ticket_id(staff, "G-001")

    response = staff.post(f"/api/sites/{SITE}/tickets/{number}/call", json={"room": "lab-1"})

    refused(response, 409, "invalid_transition")
    assert desk_ticket(staff, "G-001")["status"] == "waiting"


def test_calling_an_unknown_ticket_is_404(staff):
    refused(
        staff.post(f"/api/sites/{SITE}/tickets/999/call", json={"room": "room-1"}),
        404,
        "unknown_ticket",
    )


def test_recall_counts_each_recall(client, staff):
    walk_in(client, "G")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]

    assert act(staff, f"tickets/{number}/recall")["ticket"]["recalls"] == 1
    again = act(staff, f"tickets/{number}/recall")["ticket"]
    assert (again["recalls"], again["status"], again["room"]["code"]) == (2, "called", "room-1")


def test_recalling_a_waiting_ticket_is_refused(client, staff):
    walk_in(client, "G")
    response = staff.post(f"/api/sites/{SITE}/tickets/{ticket_id(staff, 'G-001')}/recall", json={})
    refused(response, 409, "invalid_transition")


def test_start_then_complete_ends_the_visit(client, staff):
    token = walk_in(client, "G")["token"]
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]

    started = act(staff, f"tickets/{number}/start")["ticket"]
    assert started["status"] == "in_service"
    assert started["started_at"] == "2026-03-10T09:00:00+00:00"
    assert phone(client, token).get_json()["ticket"]["status"] == "in_service"

    done = act(staff, f"tickets/{number}/complete")["ticket"]
    assert done["status"] == "done"
    assert done["finished_at"] is not None
    refused(phone(client, token), 410, "ticket_ended")
    assert all(t["id"] != number for t in queue(staff)["tickets"])


def test_completing_a_ticket_never_called_changes_nothing(client, staff):
    walk_in(client, "G")
    number = ticket_id(staff, "G-001")
    before = queue(staff)

    response = staff.post(f"/api/sites/{SITE}/tickets/{number}/complete", json={})

    refused(response, 409, "invalid_transition")
    assert queue(staff) == before


def test_no_show_then_return_goes_to_the_back_of_the_line(client, staff, clock):
    token = walk_in(client, "G")["token"]
    walk_in(client, "G")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    clock.advance(minutes=5)

    missed = act(staff, f"tickets/{number}/no-show")["ticket"]
    assert missed["status"] == "no_show"
    assert phone(client, token).get_json()["ticket"]["status"] == "no_show"  # link still works

    clock.advance(minutes=5)
    walk_in(client, "G")  # G-003 arrives before the no-show comes back
    clock.advance(minutes=1)
    back = act(staff, f"tickets/{number}/return")["ticket"]

    assert back["status"] == "waiting"
    assert back["number"] == "G-001"
    assert back["queue_at"] == "2026-03-10T09:11:00+00:00"
    assert back["room"] is None
    assert back["called_at"] is None
    assert waiting_line(staff, "G") == ["G-002", "G-003", "G-001"]
    assert phone(client, token).get_json()["ticket"]["position"] == 3


def test_a_waiting_ticket_cannot_be_marked_no_show(client, staff):
    walk_in(client, "G")
    response = staff.post(f"/api/sites/{SITE}/tickets/{ticket_id(staff, 'G-001')}/no-show", json={})
    refused(response, 409, "invalid_transition")


# --- Transfers --------------------------------------------------------------------


def test_transfer_keeps_the_number_and_the_place_earned(client, staff, clock):
    walk_in(client, "B")  # B-001 at 09:00
    clock.advance(minutes=5)
    token = walk_in(client, "G")["token"]  # G-001 at 09:05
    clock.advance(minutes=5)
    walk_in(client, "B")  # B-002 at 09:10
    clock.advance(minutes=5)
    number = ticket_id(staff, "G-001")

    moved = act(staff, f"tickets/{number}/transfer", {"service": "B"})["ticket"]

    assert moved["number"] == "G-001"
    assert moved["service"]["prefix"] == "B"
    assert moved["queue_at"] == "2026-03-10T09:05:00+00:00"
    assert moved["position"] == 2
    assert waiting_line(staff, "B") == ["B-001", "G-001", "B-002"]
    assert waiting_line(staff, "G") == []
    mine = phone(client, token).get_json()["ticket"]
    assert (mine["number"], mine["service"]["prefix"], mine["position"]) == ("G-001", "B", 2)


def test_transfer_of_a_called_ticket_puts_it_back_in_line_for_the_new_service(client, staff):
    walk_in(client, "G")
    walk_in(client, "V")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, f"tickets/{number}/start")

    moved = act(staff, f"tickets/{number}/transfer", {"service": "vaccines"})["ticket"]

    assert (moved["status"], moved["room"], moved["started_at"]) == ("waiting", None, None)
    assert moved["queue_at"] == "2026-03-10T09:00:00+00:00"
    assert waiting_line(staff, "V") == ["G-001", "V-001"]
    assert act(staff, "rooms/treatment/call-next")["ticket"]["number"] == "G-001"


def test_later_tickets_of_the_first_service_keep_their_numbering(client, staff):
    walk_in(client, "G")
    act(staff, f"tickets/{ticket_id(staff, 'G-001')}/transfer", {"service": "B"})

    assert walk_in(client, "G")["ticket"]["number"] == "G-002"
    assert walk_in(client, "B")["ticket"]["number"] == "B-001"


def test_transfer_to_the_same_service_is_refused(client, staff):
    walk_in(client, "G")
    response = staff.post(
        f"/api/sites/{SITE}/tickets/{ticket_id(staff, 'G-001')}/transfer", json={"service": "G"}
    )
    refused(response, 409, "invalid_transition")


# --- Cancelling -------------------------------------------------------------------


def test_staff_cancel_takes_the_ticket_out_and_ends_its_link(client, staff):
    token = walk_in(client, "G")["token"]
    walk_in(client, "G")

    cancelled = act(staff, f"tickets/{ticket_id(staff, 'G-001')}/cancel")["ticket"]

    assert cancelled["status"] == "cancelled"
    assert waiting_line(staff, "G") == ["G-002"]
    refused(phone(client, token), 410, "ticket_ended")


def test_patient_cancels_from_the_phone(client, staff):
    token = walk_in(client, "G")["token"]
    other = walk_in(client, "G")["token"]

    response = client.post(f"/api/tickets/{token}/cancel", json={})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["ticket"]["status"] == "cancelled"
    refused(phone(client, token), 410, "ticket_ended")
    refused(client.post(f"/api/tickets/{token}/cancel", json={}), 410, "ticket_ended")
    assert waiting_line(staff, "G") == ["G-002"]
    assert phone(client, other).get_json()["ticket"]["position"] == 1


def test_patient_cancel_with_an_unknown_token_is_404(client):
    refused(
        client.post("/api/tickets/nobody-has-this-token-at-all-xx/cancel", json={}),
        404,
        "unknown_ticket",
    )


# --- Rooms ------------------------------------------------------------------------


def test_a_paused_room_calls_nobody_until_resumed(client, staff):
    walk_in(client, "G")

    paused = act(staff, "rooms/room-1/pause")["room"]
    assert paused["paused"] is True
    refused(staff.post(f"/api/sites/{SITE}/rooms/room-1/call-next", json={}), 409, "room_paused")
    refused(
        staff.post(
            f"/api/sites/{SITE}/tickets/{ticket_id(staff, 'G-001')}/call", json={"room": "room-1"}
        ),
        409,
        "room_paused",
    )
    refused(staff.post(f"/api/sites/{SITE}/rooms/room-1/pause", json={}), 409, "invalid_transition")
    assert waiting_line(staff, "G") == ["G-001"]
    assert next(r for r in queue(staff)["rooms"] if r["code"] == "room-1")["paused"] is True

    assert act(staff, "rooms/room-1/resume")["room"]["paused"] is False
    assert act(staff, "rooms/room-1/call-next")["ticket"]["number"] == "G-001"


def test_resuming_an_open_room_is_refused(staff):
    refused(
        staff.post(f"/api/sites/{SITE}/rooms/room-1/resume", json={}), 409, "invalid_transition"
    )


def test_unknown_room_is_404(staff):
    refused(staff.post(f"/api/sites/{SITE}/rooms/room-9/call-next", json={}), 404, "unknown_room")


# --- Notices ----------------------------------------------------------------------


def notice(staff, scope, target=None, reason="Doctor delayed", minutes=20):
    response = staff.post(
        f"/api/sites/{SITE}/notices",
        json={"scope": scope, "target": target, "reason": reason, "expected_minutes": minutes},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["notice"]


def notices_on(client, token):
    return [n["reason"] for n in phone(client, token).get_json()["ticket"]["notices"]]


def test_a_site_notice_reaches_every_ticket(client, staff):
    general = walk_in(client, "G")["token"]
    blood = walk_in(client, "B")["token"]

    posted = notice(staff, "site", reason="Fire drill at 10:00", minutes=15)

    assert (posted["scope"], posted["expected_minutes"]) == ("site", 15)
    assert notices_on(client, general) == ["Fire drill at 10:00"]
    assert notices_on(client, blood) == ["Fire drill at 10:00"]
    assert [n["reason"] for n in queue(staff)["notices"]] == ["Fire drill at 10:00"]


def test_a_service_notice_reaches_only_that_services_tickets(client, staff):
    general = walk_in(client, "G")["token"]
    blood = walk_in(client, "B")["token"]

    posted = notice(staff, "service", "B", reason="Lab machine down")

    assert posted["service"] == "B"
    assert notices_on(client, blood) == ["Lab machine down"]
    assert notices_on(client, general) == []


def test_a_room_notice_reaches_tickets_the_room_would_serve(client, staff):
    general = walk_in(client, "G")["token"]
    vaccine = walk_in(client, "V")["token"]
    nurse = walk_in(client, "N")["token"]

    posted = notice(staff, "room", "lab-2", reason="Lab counter 2 closed for cleaning")

    assert posted["room"] == "lab-2"
    assert notices_on(client, vaccine) == ["Lab counter 2 closed for cleaning"]  # lab-2 serves B, V
    assert notices_on(client, general) == []
    assert notices_on(client, nurse) == []


def test_a_room_notice_follows_a_called_ticket_to_its_room(client, staff):
    walk_in(client, "G")
    in_room_1 = walk_in(client, "G")["token"]
    act(staff, f"tickets/{ticket_id(staff, 'G-002')}/call", {"room": "room-1"})
    act(staff, f"tickets/{ticket_id(staff, 'G-001')}/call", {"room": "room-2"})

    notice(staff, "room", "room-2", reason="Running late")

    assert notices_on(client, in_room_1) == []


def test_clearing_a_notice_removes_it_and_twice_is_refused(client, staff):
    token = walk_in(client, "G")["token"]
    posted = notice(staff, "site")

    cleared = act(staff, f"notices/{posted['id']}/clear")["notice"]

    assert cleared["cleared_at"] == "2026-03-10T09:00:00+00:00"
    assert notices_on(client, token) == []
    assert queue(staff)["notices"] == []
    refused(
        staff.post(f"/api/sites/{SITE}/notices/{posted['id']}/clear", json={}),
        409,
        "invalid_transition",
    )


def test_clearing_an_unknown_notice_is_404(staff):
    refused(staff.post(f"/api/sites/{SITE}/notices/999/clear", json={}), 404, "unknown_notice")


def test_a_notice_needs_a_target_unless_site_wide(staff):
    before = queue(staff)
    no_target = staff.post(
        f"/api/sites/{SITE}/notices",
        json={"scope": "service", "reason": "Late", "expected_minutes": 10},
    )
    site_with_target = staff.post(
        f"/api/sites/{SITE}/notices",
        json={"scope": "site", "target": "G", "reason": "Late", "expected_minutes": 10},
    )

    refused(no_target, 409, "invalid_transition")
    refused(site_with_target, 409, "invalid_transition")
    assert queue(staff) == before


# --- Audit ------------------------------------------------------------------------


def test_the_audit_log_records_who_did_what(client, staff, admin):
    walk_in(client, "G")
    number = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, f"tickets/{number}/recall")
    act(staff, f"tickets/{number}/start")
    act(staff, f"tickets/{number}/complete")
    posted = notice(admin, "site")

    response = admin.get(f"/api/sites/{SITE}/audit")

    assert response.status_code == 200
    entries = response.get_json()["entries"]
    assert [(e["action"], e["user"]) for e in entries[:6]] == [
        ("post_notice", "admin"),
        ("complete", "desk"),
        ("start", "desk"),
        ("recall", "desk"),
        ("call", "desk"),
        ("check_in", None),
    ]
    assert all(e["ticket_id"] == number for e in entries[1:6])
    assert entries[0]["detail"]["notice"] == posted["id"]
    assert entries[4]["detail"] == {"room": "room-1"}
    assert entries[5]["detail"] == {"number": "G-001", "source": "kiosk"}
    assert [
        e["action"] for e in admin.get(f"/api/sites/{SITE}/audit?limit=2").get_json()["entries"]
    ] == [
        "post_notice",
        "complete",
    ]


def test_the_audit_log_is_for_admins_only(staff):
    refused(staff.get(f"/api/sites/{SITE}/audit"), 403, "forbidden")


def test_desk_add_by_hand_is_audited_as_the_desk(staff, admin):
    act(staff, "tickets", {"service": "G", "patient_name": "Zebedee Quux"}, status=201)

    entry = admin.get(f"/api/sites/{SITE}/audit").get_json()["entries"][0]

    assert (entry["action"], entry["user"]) == ("check_in", "desk")
    assert entry["detail"] == {"number": "G-001", "source": "desk"}


# --- Appointment import -----------------------------------------------------------

CSV_HEADER = "code,last_name,first_name,date_of_birth,service,time\n"


def import_csv(http, text, query=""):
    return http.post(
        f"/api/sites/{SITE}/appointments{query}", data=text.encode(), content_type="text/csv"
    )


def test_admin_imports_appointments_that_can_then_check_in(client, admin):
    response = import_csv(admin, CSV_HEADER + "NEW001,Quinn,Alex,1980-05-06,B,09:10\n")

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 1, "updated": 0}
    checked_in = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "new001"})
    assert checked_in.status_code == 201, checked_in.get_json()
    assert checked_in.get_json()["ticket"]["number"] == "B-001"


def test_importing_a_known_code_updates_it(client, admin):
    response = import_csv(admin, CSV_HEADER + "RV1006,Khan,Farid,1990-07-03,V,09:20\n")

    assert response.get_json() == {"created": 0, "updated": 1}
    # RV1006 was at 10:05, too early to check in; now it is at 09:20.
    checked_in = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1006"})
    assert checked_in.status_code == 201, checked_in.get_json()


def test_import_for_another_day(client, clock, admin):
    response = import_csv(
        admin, CSV_HEADER + "NEW002,Quinn,Alex,1980-05-06,G,09:00\n", "?date=2026-03-11"
    )
    assert response.status_code == 200, response.get_json()

    today = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "NEW002"})
    refused(today, 404, "appointment_not_found")
    clock.advance(days=1)
    tomorrow = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "NEW002"})
    assert tomorrow.status_code == 201, tomorrow.get_json()


def test_staff_may_not_import_appointments(client, staff):
    response = import_csv(staff, CSV_HEADER + "NEW001,Quinn,Alex,1980-05-06,B,09:10\n")

    refused(response, 403, "forbidden")
    refused(
        client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "NEW001"}),
        404,
        "appointment_not_found",
    )


def test_a_bad_csv_names_the_line_and_imports_nothing(client, admin):
    text = (
        CSV_HEADER
        + "NEW001,Quinn,Alex,1980-05-06,B,09:10\n"
        + "NEW002,Reyes,Bo,1980-13-40,B,09:20\n"
        + "NEW003,Sato,Cy,1981-01-01,X,09:30\n"
    )

    response = import_csv(admin, text)

    refused(response, 400, "bad_request")
    message = response.get_json()["error"]["message"]
    assert "line 3" in message
    assert "date_of_birth" in message
    assert "line 4" in message
    assert "line 2" not in message
    refused(
        client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "NEW001"}),
        404,
        "appointment_not_found",
    )


def test_a_csv_missing_a_column_is_refused(admin):
    response = import_csv(admin, "code,last_name\nNEW001,Quinn\n")

    refused(response, 400, "bad_request")
    assert "line 1" in response.get_json()["error"]["message"]


def test_appointments_must_be_sent_as_csv(admin):
    response = admin.post(f"/api/sites/{SITE}/appointments", json={"code": "X"})
    refused(response, 400, "bad_request")


def test_a_bad_date_argument_is_refused(admin):
    response = import_csv(admin, CSV_HEADER, "?date=tomorrow")
    refused(response, 400, "invalid_input")
