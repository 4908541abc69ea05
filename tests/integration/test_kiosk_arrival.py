"""The kiosk's "I joined online" over HTTP: a remote ticket found by its exact number or
by the mobile number it joined with is marked arrived, the desk hears it live, and every
bad input is refused with its own code and changes nothing, telling nothing about a
ticket it did not match."""

from __future__ import annotations

import re

import pytest

from server import services
from server.sites.schema import parse_site_text
from tests.conftest import (
    DEMO_SITE,
    SITE,
    act,
    login,
    make_app,
    received,
    seed,
    socket,
    walk_in,
)

ARRIVE = f"/api/sites/{SITE}/arrivals/kiosk"
OTHER = "hilltop"
MOBILE = "07911 123456"


def join(client, site=SITE, **body):
    response = client.post(f"/api/sites/{site}/checkins/remote", json={"service": "G", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def arrive(client, status=200, **body):
    response = client.post(ARRIVE, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def refused(client, code, status, **body):
    answer = arrive(client, status=status, **body)
    assert answer["error"]["code"] == code, answer
    assert answer["error"]["message"]
    return answer


def queue(staff):
    return staff.get(f"/api/sites/{SITE}/queue").get_json()


def desk_ticket(staff, number):
    return next(t for t in queue(staff)["tickets"] if t["number"] == number)


@pytest.fixture
def desk(app, staff):
    sock = socket(app, {"staff": SITE}, http=staff)
    assert sock.is_connected()
    sock.get_received()  # the snapshot on connect
    return sock


def test_by_ticket_number_the_ticket_arrives_and_the_desk_sees_it_live(app, client, staff, desk):
    joined = join(client)
    number = joined["ticket"]["number"]
    assert number == "G-001"
    phone = socket(app, {"ticket": joined["token"]})
    phone.get_received()
    desk.get_received()

    answer = arrive(client, ticket_number="g 1")  # as typed: any case, no dash, no zeros

    ticket = answer["ticket"]
    assert ticket["number"] == number
    assert ticket["status"] == "waiting" and ticket["position"] == 1
    assert set(answer) == {"seq", "ticket", "waiting_area"}  # never the token
    # The slip, nothing more of the patient's: no language, step-free, texts, notices.
    assert set(ticket) == {"number", "spoken", "status", "service", "position", "estimate"}
    [seen] = received(desk, "staff_update")
    assert seen["kind"] == "arrived" and seen["seq"] == answer["seq"]
    [changed] = [t for t in seen["tickets"] if t["number"] == number]
    assert changed["remote"]["here"] is True
    [told] = received(phone, "ticket_update")
    assert told["ticket"]["remote"]["here"] is True
    # Here now, it is called like anyone else.
    assert act(staff, "rooms/room-1/call-next")["ticket"]["number"] == number


def test_the_arrival_is_audited_as_from_the_kiosk(client, admin):
    join(client)
    arrive(client, ticket_number="G-001")
    entries = admin.get(f"/api/sites/{SITE}/audit").get_json()["entries"]
    [entry] = [e for e in entries if e["action"] == "remote_arrived"]
    assert entry["detail"]["by"] == "kiosk" and entry["user"] is None, entry


@pytest.fixture
def texting_app(clock, receiver):
    app = make_app(clock, SMS_URL=receiver.sms_url)
    seed(app)
    return app


def test_by_mobile_number_in_any_form_the_site_reads(texting_app):
    client = texting_app.test_client()
    joined = join(client, mobile=MOBILE, consent=True)
    join(client, mobile="07911 123457", consent=True)  # another patient's ticket
    # The site's region (GB) reads the national form; the international one is the same.
    answer = arrive(client, mobile="+44 7911 123456")
    assert answer["ticket"]["number"] == joined["ticket"]["number"]
    assert desk_here(texting_app, joined["ticket"]["number"]) is True
    assert "+447911123456" not in str(answer) and "123456" not in str(answer)
    refused(client, "already_arrived", 409, mobile=MOBILE)
    refused(client, "invalid_phone_number", 400, mobile="12")


def desk_here(app, number):
    staff = app.test_client()
    login(staff, "desk")
    return desk_ticket(staff, number)["remote"]["here"]


def test_a_number_that_matches_nothing_here_says_nothing_of_any_ticket(app, client, staff):
    other = re.sub(r'(?m)^slug = "riverside"$', f'slug = "{OTHER}"', DEMO_SITE.read_text())
    with app.app_context():
        services.load_site(parse_site_text(other))
    join(client, site=OTHER)  # G-001 of another site
    seq = queue(staff)["seq"]

    elsewhere = client.post(ARRIVE, json={"ticket_number": "G-001"})
    unknown = client.post(ARRIVE, json={"ticket_number": "G-077"})
    assert elsewhere.status_code == unknown.status_code == 404
    assert elsewhere.get_json()["error"]["code"] == "remote_ticket_not_found"
    # Byte for byte the same answer: whether a ticket exists elsewhere is not told.
    assert elsewhere.get_data() == unknown.get_data()
    assert queue(staff)["seq"] == seq  # nothing changed


def test_each_ticket_that_may_not_arrive_is_refused_with_its_reason(client, staff):
    remote = join(client)["ticket"]["number"]
    walker = walk_in(client, "G")["ticket"]["number"]
    called = join(client)["ticket"]["number"]
    ended = join(client)["ticket"]["number"]
    act(staff, f"tickets/{desk_ticket(staff, called)['id']}/call", {"room": "room-2"})
    act(staff, f"tickets/{desk_ticket(staff, ended)['id']}/cancel")
    arrive(client, ticket_number=remote)
    seq = queue(staff)["seq"]

    refused(client, "not_remote", 409, ticket_number=walker)
    refused(client, "already_arrived", 409, ticket_number=remote)
    refused(client, "already_called", 409, ticket_number=called)
    refused(client, "ticket_ended", 409, ticket_number=ended)
    refused(client, "invalid_ticket_number", 400, ticket_number="hello")
    refused(client, "invalid_ticket_number", 400, ticket_number="G-0")
    refused(client, "invalid_input", 400, ticket_number=remote, mobile=MOBILE)
    refused(client, "invalid_input", 400)
    assert queue(staff)["seq"] == seq  # none of them changed anything
    assert desk_ticket(staff, walker)["status"] == "waiting"


def test_the_answers_are_in_the_kiosks_language(client):
    answer = client.post(
        ARRIVE, json={"ticket_number": "G-077"}, headers={"Accept-Language": "es"}
    ).get_json()
    assert (
        answer["error"]["message"]
        != (client.post(ARRIVE, json={"ticket_number": "G-077"}).get_json()["error"]["message"])
    )


def test_too_many_refused_tries_are_stopped_per_address(clock):
    app = make_app(clock, RATELIMIT_ENABLED=True, ARRIVAL_GUESSES_PER_ADDRESS="2 per minute")
    seed(app)
    client = app.test_client()
    number = join(client)["ticket"]["number"]
    refused(client, "remote_ticket_not_found", 404, ticket_number="G-050")
    refused(client, "invalid_ticket_number", 400, ticket_number="nope")
    # The budget is spent: even a right number waits, and nothing is marked arrived.
    assert client.post(ARRIVE, json={"ticket_number": number}).status_code == 429
    staff = app.test_client()
    login(staff, "desk")
    assert desk_ticket(staff, number)["remote"]["here"] is False
    # Another kiosk (another address) has its own budget.
    other = app.test_client()
    answer = other.post(
        ARRIVE, json={"ticket_number": number}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert answer.status_code == 200


def test_the_site_budget_counts_every_address(clock):
    app = make_app(clock, RATELIMIT_ENABLED=True, ARRIVAL_GUESSES_PER_SITE="2 per hour")
    seed(app)
    for address in ("192.0.2.1", "192.0.2.2"):
        response = app.test_client().post(
            ARRIVE, json={"ticket_number": "G-050"}, environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 404
    third = app.test_client().post(
        ARRIVE, json={"ticket_number": "G-050"}, environ_base={"REMOTE_ADDR": "192.0.2.3"}
    )
    assert third.status_code == 429


def test_the_openapi_document_lists_it(client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/sites/{site}/arrivals/kiosk"]["post"]
    assert operation["tags"] == ["kiosk"]
    assert "security" not in operation  # the kiosk's endpoints need no login
    assert "KioskArrival" in str(operation["requestBody"])
