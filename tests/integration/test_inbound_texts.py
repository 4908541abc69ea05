"""Replies to our texts: Twilio's incoming-message webhook, signed as Twilio signs it
(HMAC-SHA1 of the URL and the sorted form, Base64, built here by the test), and the
answers sent through Apprise to a real HTTP receiver in the test."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from sqlalchemy import select

from server.extensions import db
from server.notify.twilio_signature import signature
from server.storage.models import AuditEntry, Contact, OutboxMessage
from tests.conftest import SITE, act, received, socket
from tests.integration.test_texts import E164, count, desk_view, send, with_texts

TOKEN = "twilio-auth-token-for-tests"
PATH = f"/api/sites/{SITE}/texts/inbound"
URL = f"http://localhost{PATH}"


@pytest.fixture
def app_config(receiver):
    return {"SMS_URL": receiver.sms_url, "TWILIO_AUTH_TOKEN": TOKEN}


def twilio_signs(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    """What Twilio puts in X-Twilio-Signature (its "Webhooks security" page)."""
    payload = url + "".join(name + form[name] for name in sorted(form))
    return base64.b64encode(
        hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    ).decode()


def text_in(client, body, sender=E164, signed=None):
    """A text from `sender`, as Twilio posts it to us."""
    form = {
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": sender,
        "To": "+441234567890",
        "Body": body,
        "NumSegments": "1",
    }
    headers = {"X-Twilio-Signature": twilio_signs(URL, form) if signed is None else signed}
    return client.post(PATH, data=form, headers=headers)


def answers(app, receiver):
    send(app)
    return [message for to, message in receiver.texts() if to == E164]


@pytest.fixture
def texts_on(app, client, staff, receiver):
    """A walk-in with texts on; what was sent before the patient's text is forgotten
    ("you are number 1 in line")."""

    def turn_on(**extra):
        made = with_texts(client, staff, **extra)
        send(app)
        receiver.messages.clear()
        return made

    return turn_on


def test_our_signature_is_twilios_on_its_own_published_example():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    "signed",
    [
        "",
        "not-a-signature",
        "\u00e9t\u00e9",  # beyond ASCII: refused, not a crash in compare_digest
        twilio_signs(URL, {"Body": "STOP", "From": E164}, token="other"),
    ],
)
def test_an_unsigned_or_badly_signed_text_is_refused_and_changes_nothing(
    texts_on, app, client, staff, receiver, signed
):
    ticket_id, _ = texts_on()
    written = count(app, OutboxMessage)
    response = text_in(client, "STOP", signed=signed)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "bad_signature"
    assert desk_view(staff, ticket_id)["texts"] is not None
    assert count(app, OutboxMessage) == written


def test_a_signature_of_another_body_is_refused(texts_on, app, client, staff):
    texts_on()
    form = {"From": E164, "Body": "HELP"}
    response = client.post(
        PATH, data={**form, "Body": "STOP"}, headers={"X-Twilio-Signature": twilio_signs(URL, form)}
    )
    assert response.status_code == 403
    assert count(app, Contact) == 1


def test_without_an_auth_token_replies_are_not_taken(app, client):
    app.config["TWILIO_AUTH_TOKEN"] = None
    assert text_in(client, "STATUS").status_code == 404


@pytest.mark.parametrize("word", ["STATUS", "s", " Status. "])
def test_status_answers_the_place_and_the_estimate(texts_on, app, client, staff, receiver, word):
    texts_on()
    response = text_in(client, word)
    assert response.status_code == 200
    assert response.mimetype == "text/xml" and b"<Response>" in response.data
    [answer] = answers(app, receiver)
    assert answer.startswith("G-001: you are number 1 in line.")
    assert len(answer) <= 160


def test_status_of_a_called_patient_is_the_call(texts_on, app, client, staff, receiver):
    texts_on()
    act(staff, "rooms/room-1/call-next")
    send(app)
    text_in(client, "STATUS")
    assert answers(app, receiver)[-1].startswith("G-001: it is your turn. Please go to Room 1")


def test_the_keywords_in_spanish_are_answered_in_spanish(texts_on, app, client, staff, receiver):
    texts_on(language="es")
    text_in(client, "estado")
    text_in(client, "AYUDA")
    status, help_ = answers(app, receiver)
    assert status.startswith("G-001: usted es el número 1 de la fila.")
    assert "ESTADO" in help_ and "SALIR" in help_ and "PARAR" in help_


def test_help_names_the_keywords(texts_on, app, client, staff, receiver):
    texts_on()
    text_in(client, "help")
    [answer] = answers(app, receiver)
    assert answer == (
        "G-001: reply STATUS to see your place. Reply LEAVE to leave the line. "
        "Reply STOP to stop texts."
    )


def test_leave_asks_first_and_yes_takes_the_patient_out_of_the_queue(
    texts_on, app, client, staff, receiver
):
    ticket_id, token = texts_on()
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()
    text_in(client, "LEAVE")
    assert answers(app, receiver) == ["G-001: do you want to leave the line? Reply YES to leave."]
    assert client.get(f"/api/tickets/{token}").status_code == 200  # still in line

    text_in(client, "yes")
    assert client.get(f"/api/tickets/{token}").status_code == 410
    assert answers(app, receiver)[-1].startswith("G-001: you are no longer in the queue.")
    news = [u for u in received(desk, "staff_update") if u["kind"] == "reply"]
    assert [(n["ticket"]["id"], n["keyword"]) for n in news] == [(ticket_id, "leave")]
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "patient_cancel")
        ).one()
        assert entry.detail == {"by": "text"}


def test_yes_without_our_question_leaves_nobody_out(texts_on, app, client, staff, receiver):
    _, token = texts_on()
    text_in(client, "YES")
    assert client.get(f"/api/tickets/{token}").status_code == 200
    assert answers(app, receiver) == ["G-001: we cannot read replies. Please see the front desk."]


def test_stop_removes_the_number_and_nothing_more_is_sent(texts_on, app, client, staff, receiver):
    ticket_id, _ = texts_on()
    text_in(client, "Stop")
    assert desk_view(staff, ticket_id)["texts"] is None
    act(staff, "rooms/room-1/call-next")
    assert answers(app, receiver) == []  # the provider confirms a STOP itself
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "text_number_removed")
        ).one()
        assert entry.user_id is None and E164 not in str(entry.detail)


def test_running_late_is_told_to_the_desk(texts_on, app, client, staff, receiver):
    ticket_id, _ = texts_on()
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()
    text_in(client, "Running late!")
    assert answers(app, receiver) == ["G-001: thank you. We have told the front desk."]
    news = [u for u in received(desk, "staff_update") if u["kind"] == "reply"]
    assert news == [
        {
            "seq": news[0]["seq"],
            "kind": "reply",
            "ticket": {"id": ticket_id, "number": "G-001"},
            "keyword": "late",
            "text": None,
        }
    ]


def test_any_other_text_is_answered_and_the_desk_sees_it(texts_on, app, client, staff, receiver):
    texts_on()
    desk = socket(app, {"staff": SITE}, staff)
    desk.get_received()
    text_in(client, "Can I get a coffee first?")
    assert answers(app, receiver) == ["G-001: we cannot read replies. Please see the front desk."]
    [news] = [u for u in received(desk, "staff_update") if u["kind"] == "reply"]
    assert news["keyword"] == "other" and news["text"] == "Can I get a coffee first?"


def test_a_number_no_live_ticket_holds_gets_no_answer(texts_on, app, client, staff, receiver):
    texts_on()
    assert text_in(client, "STATUS", sender="+447911999999").status_code == 200
    send(app)
    assert receiver.texts() == []


# --- A hospital's own gateway, as JSON ---------------------------------------------

GATEWAY_TOKEN = "gateway-secret-for-tests"


def gateway_text(client, body, token=GATEWAY_TOKEN):
    return client.post(
        f"{PATH}/json",
        json={"sender": "07911 123456", "text": body},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_gateways_text_with_its_token_is_answered(texts_on, app, client, receiver):
    app.config["SMS_INBOUND_TOKEN"] = GATEWAY_TOKEN
    texts_on()
    response = gateway_text(client, "status")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert answers(app, receiver) == ["G-001: you are number 1 in line."]


def test_a_gateways_text_with_a_wrong_token_is_refused_and_changes_nothing(
    texts_on, app, client, staff, receiver
):
    app.config["SMS_INBOUND_TOKEN"] = GATEWAY_TOKEN
    ticket_id, _ = texts_on()
    for token in ("", "wrong"):
        response = gateway_text(client, "STOP", token=token)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "bad_token"
    assert desk_view(staff, ticket_id)["texts"] is not None
    app.config["SMS_INBOUND_TOKEN"] = None
    assert gateway_text(client, "STOP").status_code == 404
