"""Text messages through Apprise to a real HTTP receiver in the test (a `json://`
gateway): the patient's and the desk's requests, what is sent and when, the outbox's
retries, and the number's lifecycle."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server import services
from server.domain.notify import GIVE_UP_AFTER
from server.extensions import db
from server.notify.channels import configured_channels
from server.notify.sender import send_due
from server.storage.models import AuditEntry, Contact, OutboxMessage
from tests.conftest import SITE, act, received, socket, walk_in
from tests.integration.test_kiosk_phone_pages import page_config

NUMBER = "07911 123456"  # a UK mobile, typed as a patient would
E164 = "+447911123456"


@pytest.fixture
def app_config(receiver):
    return {"SMS_URL": receiver.sms_url}


def send(app) -> int:
    """What the server's sender loop does on its next turn."""
    with app.app_context():
        return send_due(configured_channels(app.config))


def ask_for_texts(client, token, number=NUMBER, consent=True):
    return client.post(f"/api/tickets/{token}/texts", json={"number": number, "consent": consent})


def desk_view(staff, ticket_id):
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t for t in queue["tickets"] if t["id"] == ticket_id)


def with_texts(client, staff, service="G", **extra):
    ticket = walk_in(client, service, **extra)
    response = ask_for_texts(client, ticket["token"])
    assert response.status_code == 200, response.get_json()
    number = ticket["ticket"]["number"]
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t["id"] for t in queue["tickets"] if t["number"] == number), ticket["token"]


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_patient_asks_for_texts_and_the_call_is_texted_with_the_room(
    app, client, staff, receiver
):
    ticket_id, token = with_texts(client, staff)

    assert desk_view(staff, ticket_id)["texts"] == {"last_digits": "56", "last": None}
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["texts"] is True
    act(staff, "rooms/room-1/call-next")
    assert send(app) >= 1

    called = [m for to, m in receiver.texts() if "your turn" in m]
    assert [to for to, m in receiver.texts() if "your turn" in m] == [E164]
    assert called[0].startswith("G-001: it is your turn. Please go to Room 1")
    assert len(called[0]) <= 160
    assert desk_view(staff, ticket_id)["texts"]["last"] == "sent"


def test_nothing_is_sent_before_the_commit_and_the_sender_runs(app, client, staff, receiver):
    with_texts(client, staff)
    act(staff, "rooms/room-1/call-next")

    assert receiver.texts() == []  # the call answered; the message waits in the outbox
    assert count(app, OutboxMessage, OutboxMessage.status == "pending") >= 1
    send(app)
    assert receiver.texts() != []
    assert count(app, OutboxMessage, OutboxMessage.status == "pending") == 0


def test_an_invalid_number_is_refused_clearly_and_changes_nothing(app, client, staff, receiver):
    ticket = walk_in(client, "G")
    entries = count(app, AuditEntry)

    for typed in ["12", "not a number", "+44 20", "0" * 40]:
        response = ask_for_texts(client, ticket["token"], typed)
        assert response.status_code == 400, typed
        error = response.get_json()["error"]
        assert error["code"] == "invalid_phone_number"
        assert "not a phone number we can text" in error["message"]

    assert count(app, Contact) == 0
    assert count(app, AuditEntry) == entries


def test_the_number_is_refused_in_the_patients_language(client):
    ticket = walk_in(client, "G", language="es")
    response = client.post(
        f"/api/tickets/{ticket['token']}/texts",
        json={"number": "12", "consent": True},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 400
    assert "número" in response.get_json()["error"]["message"]


def test_without_the_consent_tick_nothing_is_stored(app, client):
    ticket = walk_in(client, "G")
    response = ask_for_texts(client, ticket["token"], consent=False)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "consent_required"
    assert count(app, Contact) == 0


def test_unknown_ticket_is_404(client):
    assert ask_for_texts(client, "x" * 43).status_code == 404


def test_you_are_next_is_sent_once_at_the_third_place(app, client, staff, receiver):
    for _ in range(4):
        walk_in(client, "G")
    with_texts(client, staff)  # 5th in line
    send(app)
    assert receiver.texts() == []

    act(staff, "rooms/room-1/call-next")  # now 4th
    send(app)
    assert not [m for _, m in receiver.texts() if "in line" in m]
    act(staff, "rooms/room-1/call-next", {"previous": "no_show"})  # now 3rd
    act(staff, "rooms/room-1/call-next", {"previous": "no_show"})  # now 2nd
    send(app)

    nexts = [m for _, m in receiver.texts() if "in line" in m]
    assert nexts == ["G-005: you are number 3 in line. Please be in the waiting area."]


def test_recall_and_staff_cancel_are_texted_and_cancel_forgets_the_number(
    app, client, staff, receiver
):
    ticket_id, _ = with_texts(client, staff)
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id}/recall")
    act(staff, f"tickets/{ticket_id}/cancel")
    assert count(app, Contact) == 0  # deleted with the visit's end, in its transaction
    send(app)

    kinds = [m.split(": ", 1)[1][:20] for _, m in receiver.texts()]
    assert kinds == [
        "you are number 1 in ",
        "it is your turn. Ple",
        "we are calling you a",
        "you are no longer in",
    ]
    assert count(app, OutboxMessage, OutboxMessage.address.is_not(None)) == 0


def test_the_end_of_a_visit_deletes_the_number(app, client, staff):
    ticket_id, _ = with_texts(client, staff)
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id}/start")
    assert count(app, Contact) == 1
    act(staff, f"tickets/{ticket_id}/complete")
    assert count(app, Contact) == 0


def test_numbers_of_past_days_are_deleted_by_the_retention_job(app, client, staff, clock):
    ticket_id, _ = with_texts(client, staff)
    act(staff, "rooms/room-1/call-next")
    act(staff, f"tickets/{ticket_id}/no-show")  # may come back today: the number stays
    with app.app_context():
        services.purge_personal_data()
    assert count(app, Contact) == 1

    clock.advance(days=1)
    with app.app_context():
        removals = services.purge_personal_data()
    assert count(app, Contact) == 0
    assert removals[0].numbers == 1


def test_texts_are_in_the_tickets_language(app, client, staff, receiver):
    with_texts(client, staff, language="es")
    act(staff, "rooms/room-1/call-next")
    send(app)
    assert (E164, "G-001: es su turno. Vaya a Consulta 1, Planta baja.") in receiver.texts()


def test_the_desk_adds_and_removes_a_number_and_the_log_never_holds_it(client, staff, admin):
    ticket = walk_in(client, "G")
    ticket_id = desk_view_number(staff, ticket["ticket"]["number"])

    added = act(staff, f"tickets/{ticket_id}/texts", {"number": "+34 612 345 678"})
    assert added["texts"] == {"last_digits": "78", "last": None}
    removed = act(staff, f"tickets/{ticket_id}/texts/remove")
    assert removed["texts"] is None
    act(staff, f"tickets/{ticket_id}/texts/remove", status=404)

    log = admin.get(f"/api/sites/{SITE}/audit").get_data(as_text=True)
    assert "text_number_added" in log and "text_number_removed" in log
    assert "612" not in log and "345678" not in log


def desk_view_number(staff, number):
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()
    return next(t["id"] for t in queue["tickets"] if t["number"] == number)


def test_the_desk_texts_one_patient_within_160_characters(app, client, staff, admin, receiver):
    ticket_id, _ = with_texts(client, staff)
    too_long = act(staff, f"tickets/{ticket_id}/message", {"text": "x" * 161}, status=400)
    assert too_long["error"]["code"] == "message_too_long"

    act(staff, f"tickets/{ticket_id}/message", {"text": "Please come to the front desk."})
    send(app)

    assert (E164, "G-001: Please come to the front desk.") in receiver.texts()
    assert "Please come to the front desk." in admin.get(f"/api/sites/{SITE}/audit").get_data(
        as_text=True
    )


def test_a_message_to_a_patient_without_texts_is_refused(client, staff):
    ticket = walk_in(client, "G")
    ticket_id = desk_view_number(staff, ticket["ticket"]["number"])
    refused = act(staff, f"tickets/{ticket_id}/message", {"text": "Hello"}, status=409)
    assert refused["error"]["code"] == "no_texts"


def test_a_failed_send_is_retried_with_backoff_then_given_up(app, client, staff, receiver, clock):
    ticket_id, _ = with_texts(client, staff)
    receiver.status = 500
    act(staff, "rooms/room-1/call-next")
    send(app)
    assert desk_view(staff, ticket_id)["texts"]["last"] == "failed"
    assert send(app) == 0  # not due again yet: backoff

    clock.advance(seconds=6)
    receiver.status = 200
    assert send(app) >= 1
    assert desk_view(staff, ticket_id)["texts"]["last"] == "sent"

    receiver.status = 500
    act(staff, f"tickets/{ticket_id}/recall")
    for _ in range(30):
        send(app)
        clock.advance(minutes=1)
    with app.app_context():
        statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))
        assert list(statuses)[-1] == "failed"
    with app.app_context():
        given_up = db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id.desc())
        ).first()
        assert given_up.address is None and given_up.attempts > 3
        assert given_up.next_try_at - given_up.created_at <= GIVE_UP_AFTER


def test_the_desk_endpoints_need_a_signed_in_user(client):
    ticket = walk_in(client, "G")
    assert (
        client.post(f"/api/sites/{SITE}/tickets/1/texts", json={"number": NUMBER}).status_code
        == 401
    )
    assert (
        client.post(f"/api/sites/{SITE}/tickets/1/message", json={"text": "x"}).status_code == 401
    )
    assert ticket


@pytest.mark.parametrize("app_config", [{}])
def test_without_an_sms_url_texts_are_not_offered(app, client):
    ticket = walk_in(client, "G")
    response = ask_for_texts(client, ticket["token"])
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "texts_not_offered"


@pytest.mark.parametrize("app_config", [{"ESTIMATE_REFRESH": "inline", "SMS_URL": "later"}])
def test_the_phones_delay_notice_is_texted_in_the_tickets_language(app, client, staff, receiver):
    app.config["SMS_URL"] = receiver.sms_url  # the receiver's port is known only now
    for _ in range(5):
        walk_in(client, "G")
    with_texts(client, staff, language="es")
    for room in ("room-1", "room-2", "room-3"):
        act(staff, f"rooms/{room}/pause")
    send(app)

    delays = [m for _, m in receiver.texts() if "espera" in m]
    # One notice (the promise rule's), however many refreshes followed the three pauses.
    assert delays == [
        "G-006: Su espera es más larga de lo que le dijimos: "
        "una consulta que atiende su fila está en pausa por ahora."
    ]


def test_a_patient_who_may_not_see_the_screen_is_spoken_to_only_without_texts(client):
    """services/needs.py: the phone page speaks the call to a patient who may not see
    the screen, unless the call is texted to them."""
    spoken = walk_in(client, "G", may_not_see=True)["token"]
    texted = walk_in(client, "G", may_not_see=True)["token"]
    assert ask_for_texts(client, texted).status_code in (200, 201)

    assert page_config(client.get(f"/t/{spoken}"), "phone-config")["call"]["spoken"] is True
    assert page_config(client.get(f"/t/{texted}"), "phone-config")["call"]["spoken"] is False


def test_the_desk_is_told_live_when_a_text_failed_and_when_one_went_out(
    app, client, staff, receiver, clock
):
    ticket_id, _ = with_texts(client, staff)
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()
    receiver.status = 500
    act(staff, f"tickets/{ticket_id}/message", {"text": "Please come to the front desk."})
    desk.get_received()  # the change itself
    send(app)

    news = [u for u in received(desk, "staff_update") if u["kind"] == "texts"]
    assert len(news) == 1
    assert news[0]["ticket"]["id"] == ticket_id and news[0]["outcome"] == "failed"
    assert news[0]["texts"] == {"last_digits": "56", "last": "failed"}
    assert "+44" not in str(news[0])

    clock.advance(seconds=6)
    send(app)  # failed again: nothing new to tell
    assert [u for u in received(desk, "staff_update") if u["kind"] == "texts"] == []

    receiver.status = 200
    clock.advance(seconds=30)
    send(app)
    news = [u for u in received(desk, "staff_update") if u["kind"] == "texts"]
    assert [n["texts"] for n in news] == [{"last_digits": "56", "last": "sent"}]
