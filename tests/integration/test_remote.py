"""Waiting from anywhere over HTTP: joining from home, the limits and the desk's pause,
"I'm here" with the arrival code, and "call next" passing over, holding and moving back
remote tickets that have not come in yet."""

from __future__ import annotations

import pytest

from server import services
from server.notify.channels import configured_channels
from server.notify.sender import send_due
from server.storage import queries
from tests.conftest import SITE, act, login, make_app, seed, walk_in

REMOTE = f"/api/sites/{SITE}/checkins/remote"


def join(client, status=201, **body):
    response = client.post(REMOTE, json={"service": "G", **body})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def code(app):
    with app.app_context():
        site = queries.get_site(SITE)
        return services.arrival_code(site)


def call_next(staff, room="room-1", status=200, **body):
    return act(staff, f"rooms/{room}/call-next", body, status=status)


def staff_ticket(staff, ticket_id):
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return next(t for t in tickets if t["id"] == ticket_id)


def test_the_join_page_lists_the_services_that_take_remote_tickets(client):
    page = client.get(f"/api/sites/{SITE}/join").get_json()
    assert [s["prefix"] for s in page["services"]] == ["G"]
    service = page["services"][0]
    assert service["open"] is True and service["refusal"] is None
    assert page["paused"] is None
    assert page["hours"] == [["00:00", "24:00"]]  # the demo is open all day, not 00:00-00:00
    assert page["closes_at"]
    assert page["travel_minutes"] == 15


def test_a_remote_ticket_says_when_to_leave_and_is_not_here_yet(client, staff):
    answer = join(client, travel_minutes=20, language="es")
    ticket = answer["ticket"]
    assert ticket["number"] == "G-001" and ticket["language"] == "es"
    remote = ticket["remote"]
    assert remote["here"] is False and remote["held"] is False
    assert remote["travel_minutes"] == 20
    # Nobody ahead: the low end is now, so it is time to come.
    assert remote["advice"] == "come_now"
    desk = staff_ticket(staff, answer["ticket_id"] if "ticket_id" in answer else _id(staff))
    assert desk["source"] == "remote" and desk["remote"]["here"] is False
    assert desk["remote"]["expected_at"]


def _id(staff):
    tickets = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    return next(t["id"] for t in tickets if t["source"] == "remote")


def test_leave_by_is_given_when_the_wait_is_longer_than_the_way(client, clock):
    for _ in range(8):
        walk_in(client, "G")
    answer = join(client, travel_minutes=10)
    status = client.get(answer["status_url"]).get_json()["ticket"]
    low = status["estimate"]["low"]
    assert low > 15
    assert status["remote"]["advice"] == "leave_by"
    assert status["remote"]["leave_by_local"]


def test_call_next_passes_over_a_remote_ticket_until_it_arrives(app, client, staff, clock):
    remote = join(client)
    walker = walk_in(client, "G")
    called = call_next(staff)["ticket"]
    assert called["number"] == walker["ticket"]["number"]
    remote_id = _id(staff)
    held = staff_ticket(staff, remote_id)
    assert held["remote"]["held"] is True
    phone = client.get(remote["status_url"]).get_json()["ticket"]
    assert phone["remote"]["advice"] == "you_are_next"
    assert phone["position"] == 1  # it kept its place

    # A wrong code is refused; the day's code marks it here.
    wrong = client.post(f"/api/tickets/{remote['token']}/arrive", json={"code": "no"})
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "wrong_arrival_code"
    here = client.post(f"/api/tickets/{remote['token']}/arrive", json={"code": code(app)})
    assert here.status_code == 200, here.get_json()
    assert here.get_json()["ticket"]["remote"]["here"] is True

    walk_in(client, "G")
    clock.advance(minutes=1)
    called = call_next(staff, previous="no_show")["ticket"]
    assert called["id"] == remote_id  # its place by join time: first


def test_a_held_ticket_moves_back_after_the_grace_period_and_is_never_dropped(client, staff, clock):
    join(client)
    others = [walk_in(client, "G")["ticket"]["number"] for _ in range(5)]
    remote_id = _id(staff)
    call_next(staff)  # calls others[0]; the remote ticket is held
    assert staff_ticket(staff, remote_id)["remote"]["held"] is True
    clock.advance(minutes=9)
    call_next(staff, previous="no_show")  # within the grace period: still held, first
    assert staff_ticket(staff, remote_id)["position"] == 1
    clock.advance(minutes=2)
    call_next(staff, previous="no_show")  # the grace is over: three places back
    line = [
        t
        for t in staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
        if t["status"] == "waiting" and t["service"]["prefix"] == "G"
    ]
    assert [t["number"] for t in line] == [others[3], others[4], "G-001"]
    assert staff_ticket(staff, remote_id)["remote"]["held"] is False


def test_alone_in_line_a_held_ticket_keeps_its_place_and_nobody_is_called(client, staff, clock):
    join(client)
    remote_id = _id(staff)
    refused = act(staff, "rooms/room-1/call-next", {}, status=409)
    assert refused["error"]["code"] == "nothing_to_call"
    assert staff_ticket(staff, remote_id)["remote"]["held"] is True
    clock.advance(minutes=30)
    act(staff, "rooms/room-1/call-next", {}, status=409)
    ticket = staff_ticket(staff, remote_id)
    assert ticket["status"] == "waiting" and ticket["position"] == 1


def test_the_desk_marks_a_remote_ticket_arrived(client, staff):
    join(client)
    remote_id = _id(staff)
    answer = act(staff, f"tickets/{remote_id}/arrive")
    assert answer["ticket"]["remote"]["here"] is True
    assert call_next(staff)["ticket"]["id"] == remote_id
    # Only a waiting remote ticket can arrive.
    walker = walk_in(client, "G")
    walker_id = next(
        t["id"]
        for t in staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
        if t["number"] == walker["ticket"]["number"]
    )
    act(staff, f"tickets/{walker_id}/arrive", status=409)


def test_a_service_without_remote_join_refuses(client):
    refused = join(client, status=422, service="B")
    assert refused["error"]["code"] == "remote_not_offered"


def test_the_desk_pauses_remote_joining_with_a_reason(client, staff):
    act(staff, "remote/pause", {"reason": "We are very busy: please come in person"})
    page = client.get(f"/api/sites/{SITE}/join").get_json()
    assert page["paused"] == "We are very busy: please come in person"
    assert page["services"][0]["open"] is False
    refused = join(client, status=422)
    assert refused["error"]["code"] == "remote_paused"
    assert refused["error"]["message"] == "We are very busy: please come in person"
    act(staff, "remote/resume")
    join(client)


def test_remote_joining_closes_before_the_site_closes(client, clock):
    # The demo is open all day: joining closes at 23:00 London (an hour before midnight).
    clock.advance(hours=14)  # 23:00 UTC, 23:00 in London in March
    refused = join(client, status=422)
    assert refused["error"]["code"] == "remote_closed"


def test_the_cap_of_remote_tickets_per_service(client, staff, app):
    with app.app_context():
        from server.extensions import db
        from server.storage.models import Site

        site = db.session.query(Site).filter_by(slug=SITE).one()
        site.settings = {**site.settings, "remote_cap": 2}
        db.session.commit()
    join(client)
    join(client)
    refused = join(client, status=422)
    assert refused["error"]["code"] == "remote_full"
    # One who arrives no longer counts against the cap.
    act(staff, f"tickets/{_id(staff)}/arrive")
    join(client)


@pytest.fixture
def texting_app(clock, receiver):
    app = make_app(clock, SMS_URL=receiver.sms_url)
    seed(app)
    return app


def test_one_remote_ticket_per_mobile_number(texting_app):
    client = texting_app.test_client()
    body = {"mobile": "07911 123456", "consent": True}
    first = join(client, **body)
    assert first["ticket"]["texts"] is True
    refused = join(client, status=422, **body)
    assert refused["error"]["code"] == "number_has_ticket"
    assert join(client, status=400, mobile="07911 123457")["error"]["code"] == "consent_required"
    # Once that visit ends, the number may join again.
    client.post(f"/api/tickets/{first['token']}/cancel", json={})
    join(client, **body)


def test_a_held_patient_is_texted_to_come_now_in_their_language(texting_app, receiver):
    client = texting_app.test_client()
    staff = texting_app.test_client()
    login(staff, "desk")
    join(client, mobile="07911 123456", consent=True, language="es")
    walk_in(client, "G")
    call_next(staff)
    with texting_app.app_context():
        send_due(configured_channels(texting_app.config))
    # (besides "you are number 1 in line", which every patient with texts is sent)
    texts = receiver.texts()
    assert ("+447911123456", "G-001: es el siguiente. Por favor, venga ahora.") in texts


def test_joining_is_rate_limited_per_address(clock):
    app = make_app(clock, RATELIMIT_ENABLED=True, REMOTE_JOIN_RATE_LIMIT="2 per minute")
    seed(app)
    client = app.test_client()
    join(client)
    join(client)
    assert client.post(REMOTE, json={"service": "G"}).status_code == 429
    other = app.test_client()
    answer = other.post(REMOTE, json={"service": "G"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.status_code == 201


# --- The pages: /join and "I'm here" on the ticket page ------------------------------


def csrf(client, path):
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_join_page_form_leads_to_the_ticket_page_and_i_am_here(app, client, staff):
    page = client.get(f"/join?site={SITE}&lang=es")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="es"' in html and "Medicina general" in html
    assert 'value="G"' in html and 'value="B"' not in html
    form = {"csrf_token": csrf(client, f"/join?site={SITE}"), "service": "G"}
    joined = client.post(
        f"/join?site={SITE}", data={**form, "language": "es", "travel_minutes": "20"}
    )
    assert joined.status_code == 303
    ticket_url = joined.headers["Location"]
    assert ticket_url.startswith("/t/")
    ticket_page = client.get(ticket_url).get_data(as_text=True)
    assert 'id="arrive"' in ticket_page and 'id="leave-advice"' in ticket_page

    token_field = csrf(client, ticket_url)
    wrong = client.post(f"{ticket_url}/arrive", data={"csrf_token": token_field, "code": "x"})
    assert wrong.status_code == 303 and "arrival=wrong" in wrong.headers["Location"]
    assert 'id="arrival-wrong"' in client.get(wrong.headers["Location"]).get_data(as_text=True)
    right = client.post(f"{ticket_url}/arrive", data={"csrf_token": token_field, "code": code(app)})
    assert right.status_code == 303
    assert staff_ticket(staff, _id(staff))["remote"]["here"] is True


def test_the_join_page_says_why_it_refuses(client, staff):
    act(staff, "remote/pause", {"reason": "We are very busy"})
    html = client.get(f"/join?site={SITE}").get_data(as_text=True)
    assert "We are very busy" in html
    form = {"csrf_token": csrf(client, f"/join?site={SITE}"), "service": "G"}
    refused = client.post(f"/join?site={SITE}", data=form)
    assert refused.status_code == 422
    assert "We are very busy" in refused.get_data(as_text=True)


def test_the_display_and_the_desk_show_the_arrival_code(app, client, staff):
    today = code(app)
    assert today in client.get("/display").get_data(as_text=True)
    assert today in staff.get("/desk").get_data(as_text=True)
