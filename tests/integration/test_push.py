"""Web Push against a real push service in the test (tests/push_service.py): the phone's
subscription through the API, what is pushed and when (the same events as texts), that
the patient's browser could read it (VAPID checked, body decrypted with the
subscription's own keys), a 410 that removes the subscription, and its lifecycle."""

from __future__ import annotations

import re
import struct

import pytest
from sqlalchemy import event, func, select

from server import services
from server.domain.notify import GIVE_UP_AFTER
from server.extensions import db
from server.notify.channels import (
    configured_channels,
    new_vapid_private_key,
    public_key_text,
    vapid_key,
)
from server.notify.sender import send_due
from server.storage.models import AuditEntry, Contact, OutboxMessage
from tests.conftest import SITE, act, received, socket, walk_in
from tests.push_service import PushService

PRIVATE_KEY = new_vapid_private_key()
PUBLIC_KEY = public_key_text(vapid_key(PRIVATE_KEY))


@pytest.fixture
def push_service():
    service = PushService(PUBLIC_KEY)
    yield service
    service.close()


@pytest.fixture
def app_config():
    return {
        "VAPID_PRIVATE_KEY": PRIVATE_KEY,
        "VAPID_SUBJECT": "mailto:it@clinic.example",
        "PUSH_SERVICE_HOSTS": ["127.0.0.1"],
    }


def send(app) -> int:
    with app.app_context():
        return send_due(configured_channels(app.config))


def subscribe(client, token, subscription):
    return client.post(f"/api/tickets/{token}/push", json=subscription)


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def with_push(client, staff, push_service, name="phone", **extra):
    ticket = walk_in(client, "G", **extra)
    browser = push_service.browser(name)
    response = subscribe(client, ticket["token"], browser.subscription())
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["push"] is True
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    number = ticket["ticket"]["number"]
    ticket_id = next(t["id"] for t in queue["tickets"] if t["number"] == number)
    return ticket_id, ticket["token"]


def test_the_call_is_pushed_and_the_patients_browser_can_read_it(app, client, staff, push_service):
    _, token = with_push(client, staff, push_service)
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["push"] is True
    act(staff, "rooms/room-1/call-next")
    assert push_service.messages() == []  # nothing before the sender runs
    send(app)

    assert push_service.refused == []
    called = [m for m in push_service.messages("phone") if "your turn" in m["body"]]
    assert called == [
        {
            "title": "Riverside Family Clinic",
            "body": called[0]["body"],
            "url": f"/t/{token}",
            "tag": called[0]["tag"],
        }
    ]
    assert called[0]["body"].startswith("G-001: it is your turn. Please go to Room 1")
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    (desk_view,) = [t for t in queue["tickets"] if t["number"] == "G-001"]
    assert desk_view["push"] == {"last": "sent"}  # the desk sees it is on, never where
    _, _, headers = push_service.received[-1]
    assert headers["urgency"] == "high"
    assert int(headers["ttl"]) == 900


def test_recall_and_cancel_are_pushed_and_the_end_forgets_the_subscription(
    app, client, staff, push_service
):
    ticket_id, _ = with_push(client, staff, push_service)
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id}/recall")
    act(staff, f"tickets/{ticket_id}/cancel")
    assert count(app, Contact) == 0  # deleted in the visit's last transaction
    send(app)

    bodies = [m["body"].split(": ", 1)[1][:20] for m in push_service.messages()]
    assert bodies == [
        "you are number 1 in ",
        "it is your turn. Ple",
        "we are calling you a",
        "you are no longer in",
    ]
    assert count(app, OutboxMessage, OutboxMessage.address.is_not(None)) == 0
    # The record of what was sent keeps no subscription and no ticket token.
    with app.app_context():
        bodies = " ".join(db.session.scalars(select(OutboxMessage.body)))
    assert "/t/" not in bodies and "127.0.0.1" not in bodies


def test_pushes_are_in_the_tickets_language(app, client, staff, push_service):
    with_push(client, staff, push_service, language="es")
    act(staff, "rooms/room-1/call-next")
    send(app)
    assert "G-001: es su turno. Vaya a Consulta 1, Planta baja." in [
        m["body"] for m in push_service.messages()
    ]


def test_a_410_from_the_push_service_removes_the_subscription(app, client, staff, push_service):
    _, token = with_push(client, staff, push_service)
    push_service.status = 410  # the patient's browser dropped the subscription
    act(staff, "rooms/room-1/call-next")
    send(app)

    assert count(app, Contact) == 0
    assert count(app, OutboxMessage, OutboxMessage.status == "gone") >= 1
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["push"] is False


def test_a_failing_push_service_is_tried_again(app, client, staff, push_service, clock):
    with_push(client, staff, push_service)
    push_service.status = 500
    act(staff, "rooms/room-1/call-next")
    send(app)
    assert count(app, Contact) == 1
    assert count(app, OutboxMessage, OutboxMessage.status == "pending") >= 1

    push_service.status = 201
    clock.advance(seconds=10)
    send(app)
    assert [m for m in push_service.messages() if "your turn" in m["body"]]


def test_a_push_signed_with_another_key_is_refused_by_the_push_service(
    app, client, staff, push_service
):
    push_service.vapid_public_key = public_key_text(vapid_key(new_vapid_private_key()))
    with_push(client, staff, push_service)
    act(staff, "rooms/room-1/call-next")
    send(app)
    assert push_service.messages() == []
    assert push_service.refused and "another key" in push_service.refused[0]


def test_a_new_subscription_replaces_the_old_and_turning_off_deletes_it(
    app, client, staff, push_service
):
    _, token = with_push(client, staff, push_service, name="old")
    subscribe(client, token, push_service.browser("new").subscription())
    assert count(app, Contact) == 1
    act(staff, "rooms/room-1/call-next")
    send(app)
    # "You are next" went to the old one when it subscribed; the call goes to the new.
    assert not [m for m in push_service.messages("old") if "your turn" in m["body"]]
    assert [m for m in push_service.messages("new") if "your turn" in m["body"]]

    response = client.post(f"/api/tickets/{token}/push/remove", json={})
    assert response.get_json()["push"] is False
    assert count(app, Contact) == 0
    # Twice is harmless.
    assert client.post(f"/api/tickets/{token}/push/remove", json={}).status_code == 200
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        details = " ".join(str(d) for d in db.session.scalars(select(AuditEntry.detail)).all())
    assert actions.count("push_on") == 2 and actions.count("push_off") == 1
    assert "127.0.0.1" not in details and "p256dh" not in details


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://10.0.0.5/push/x"},  # not a push service: the clinic's LAN
        {"endpoint": "https://evil.example/push"},
        {"endpoint": "ftp://127.0.0.1/push"},
        {"endpoint": "not a url"},
        {"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
        {"keys": {"p256dh": None, "auth": "x"}},
        {"keys": {}},
        {"endpoint": "https://fcm.googleapis.com/" + "x" * 1000},
        {"unknown": 1},
    ],
)
def test_a_bad_subscription_is_refused_clearly_and_changes_nothing(
    app, client, push_service, change
):
    ticket = walk_in(client, "G")
    subscription = {**push_service.browser("phone").subscription(), **change}
    entries = count(app, AuditEntry)
    response = subscribe(client, ticket["token"], subscription)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] in ("invalid_subscription", "invalid_input"), error
    assert error["message"]
    assert count(app, Contact) == 0
    assert count(app, AuditEntry) == entries


def test_a_real_browser_endpoint_is_accepted(app, client, push_service):
    ticket = walk_in(client, "G")
    subscription = push_service.browser("phone").subscription()
    subscription["endpoint"] = "https://fcm.googleapis.com/fcm/send/abc:def"
    assert subscribe(client, ticket["token"], subscription).status_code == 200


def test_unknown_ticket_is_404_and_an_ended_visit_is_refused(app, client, staff, push_service):
    subscription = push_service.browser("phone").subscription()
    assert subscribe(client, "x" * 43, subscription).status_code == 404
    ticket_id, token = with_push(client, staff, push_service)
    act(staff, f"tickets/{ticket_id}/cancel")
    assert subscribe(client, token, subscription).status_code in (409, 410)
    assert count(app, Contact) == 0


def test_subscriptions_of_past_days_are_deleted_by_the_retention_job(
    app, client, staff, clock, push_service
):
    ticket_id, _ = with_push(client, staff, push_service)
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id}/no-show")  # may come back today: it stays
    with app.app_context():
        services.purge_personal_data()
    assert count(app, Contact) == 1
    clock.advance(days=1)
    with app.app_context():
        services.purge_personal_data()
    assert count(app, Contact) == 0


def test_the_page_offers_push_with_the_key_and_a_manifest(client):
    ticket = walk_in(client, "G")
    page = client.get(f"/t/{ticket['token']}")
    html = page.get_data(as_text=True)
    assert "Notify me on this phone" in html
    assert f'href="/t/{ticket["token"]}/manifest.webmanifest"' in html
    manifest = client.get(f"/t/{ticket['token']}/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == f"/t/{ticket['token']}"
    assert manifest.headers["Cache-Control"] == "no-store"
    worker = client.get("/t/push-worker.js")
    assert worker.status_code == 200
    assert "javascript" in worker.mimetype
    assert "showNotification" in worker.get_data(as_text=True)
    assert client.get("/t/" + "x" * 43 + "/manifest.webmanifest").status_code == 404


@pytest.mark.parametrize("app_config", [{}])
def test_without_vapid_keys_push_is_not_offered(app, client, push_service):
    ticket = walk_in(client, "G")
    assert "Notify me on this phone" not in client.get(f"/t/{ticket['token']}").get_data(
        as_text=True
    )
    response = subscribe(client, ticket["token"], push_service.browser("p").subscription())
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "push_not_offered"


# --- What the desk sees: "alerts on", "alert failed" ------------------------------------


def desk_push(staff, ticket_id):
    """The ticket's `push` in the desk's queue (the same payload as the staff socket's)."""
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t for t in queue["tickets"] if t["id"] == ticket_id)["push"]


def push_news(desk):
    return [u for u in received(desk, "staff_update") if u["kind"] == "push"]


def test_the_desk_sees_alerts_on_and_is_told_live_when_the_last_alert_failed(
    app, client, staff, push_service, clock
):
    ticket_id, _ = with_push(client, staff, push_service)
    assert desk_push(staff, ticket_id) == {"last": None}  # on, nothing sent yet
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()
    push_service.status = 500
    act(staff, "rooms/room-1/call-next")
    desk.get_received()  # the change itself
    send(app)

    (news,) = push_news(desk)  # "you are next" and the call failed: told once
    assert news["ticket"]["id"] == ticket_id and news["outcome"] == "failed"
    assert news["push"] == {"last": "failed"}
    assert "texts" not in news  # a push is not a text: the desk's texts stay as they were
    assert "127.0.0.1" not in str(news) and "p256dh" not in str(news)
    assert desk_push(staff, ticket_id) == {"last": "failed"}

    # Tried again until the outbox gives up: the message is marked failed, the desk
    # still says so, and is not told again.
    for _ in range(13):  # retries at most 2 minutes apart, up to GIVE_UP_AFTER
        clock.advance(seconds=GIVE_UP_AFTER.total_seconds() / 12)
        send(app)
    assert count(app, OutboxMessage, OutboxMessage.status == "pending") == 0
    assert count(app, OutboxMessage, OutboxMessage.status == "failed") == 2
    assert desk_push(staff, ticket_id) == {"last": "failed"}
    assert push_news(desk) == []

    # The next alert goes out: the tag is "alerts on" again.
    push_service.status = 201
    act(staff, f"tickets/{ticket_id}/recall")
    desk.get_received()
    send(app)
    assert [(n["push"], n["outcome"]) for n in push_news(desk)] == [({"last": "sent"}, "sent")]
    assert desk_push(staff, ticket_id) == {"last": "sent"}


def test_the_alerts_tag_goes_when_the_push_service_says_the_subscription_is_gone(
    app, client, staff, push_service
):
    ticket_id, _ = with_push(client, staff, push_service)
    desk = socket(app, {"staff": SITE}, staff)
    push_service.status = 410
    act(staff, "rooms/room-1/call-next")
    desk.get_received()
    send(app)

    (news,) = push_news(desk)
    assert news["ticket"]["id"] == ticket_id
    assert news["outcome"] == "gone" and news["push"] is None
    assert desk_push(staff, ticket_id) is None
    assert count(app, Contact) == 0


def test_the_alerts_tag_goes_when_the_patient_turns_alerts_off_or_the_visit_ends(
    app, client, staff, push_service
):
    ticket_id, token = with_push(client, staff, push_service)
    ended_id, _ = with_push(client, staff, push_service, name="ended")
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()

    client.post(f"/api/tickets/{token}/push/remove", json={})
    (update,) = received(desk, "staff_update")
    assert [t["push"] for t in update["tickets"] if t["id"] == ticket_id] == [None]
    assert desk_push(staff, ticket_id) is None

    act(staff, f"tickets/{ended_id}/cancel")
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    assert ended_id not in [t["id"] for t in queue["tickets"]]
    assert count(app, Contact) == 0  # the subscription went with the visit


def test_the_desk_reads_every_tickets_alerts_and_texts_in_one_query(
    app, client, staff, push_service
):
    """The desk's queue of many waiting tickets reads their contacts once (loaded with
    the tickets), not once per ticket."""
    made = [with_push(client, staff, push_service, name=f"p{n}")[0] for n in range(12)]
    plain = walk_in(client, "G")["ticket"]["number"]
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            queue = services.staff_snapshot(SITE)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    pushes = {t["id"]: t["push"] for t in queue["tickets"]}
    assert [pushes[ticket_id] for ticket_id in made] == [{"last": None}] * 12
    assert [t["push"] for t in queue["tickets"] if t["number"] == plain] == [None]
    assert len([s for s in statements if re.search(r"\bFROM ticket_contacts\b", s)]) == 1


# --- The manifest's icons ("Add to Home Screen") ------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def fetch_png(client, src: str) -> tuple[int, int]:
    response = client.get(src)
    assert response.status_code == 200, src
    assert response.mimetype == "image/png"
    size = png_size(response.get_data())
    response.close()
    return size


def test_the_manifest_declares_icons_that_are_pngs_of_their_sizes(client):
    token = walk_in(client, "G")["token"]
    icons = client.get(f"/t/{token}/manifest.webmanifest").get_json()["icons"]
    assert {(i["sizes"], i["purpose"]) for i in icons} >= {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        assert icon["type"] == "image/png"
        width, height = fetch_png(client, icon["src"])
        assert f"{width}x{height}" == icon["sizes"], icon

    html = client.get(f"/t/{token}").get_data(as_text=True)
    (touch,) = re.findall(r'<link rel="apple-touch-icon" href="([^"]+)">', html)
    assert fetch_png(client, touch) == (180, 180)
