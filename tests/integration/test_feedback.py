"""Feedback over HTTP: the survey a finished visit's page turns into, one answer per
visit, the link's lifetime, the kiosk form's rate limit, working a case to "replied"
with the reply received by a real SMTP server, contact and text removal, statements
on the display, and the figures' API."""

from __future__ import annotations

import re
import socket as sockets
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import select

from server import services
from server.extensions import db
from server.notify.channels import configured_channels
from server.notify.sender import send_due
from server.services import feedback as feedback_service
from server.storage.models import AuditEntry, FeedbackAnswer
from tests.conftest import SITE, act, login, received, socket, walk_in
from tests.sms_receiver import Receiver


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    config: dict[str, Any] = {"SMTP_FROM": "clinic@example.org"}
    if "rate_limited" in request.node.name:
        config["RATELIMIT_ENABLED"] = True
    if "smtp" in request.fixturenames:
        config["SMTP_URL"] = request.getfixturevalue("smtp").url
    if "sms" in request.fixturenames:
        config["SMS_URL"] = request.getfixturevalue("sms").sms_url
    return config


@pytest.fixture
def sms() -> Iterator[Receiver]:
    """A real HTTP server in the test that takes the texts (Apprise's json://)."""
    receiver = Receiver()
    yield receiver
    receiver.close()


def send_texts(app) -> int:
    """What the server's sender loop does on its next turn."""
    with app.app_context():
        return send_due(configured_channels(app.config))


def csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def finished_visit(client: FlaskClient, staff: FlaskClient, **extra: Any) -> str:
    token = walk_in(client, **extra)["token"]
    ticket = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, f"tickets/{ticket}/start")
    act(staff, f"tickets/{ticket}/complete")
    return token


def answer(client: FlaskClient, token: str, **form: str) -> Any:
    # The session's token, from a form that is always open (the kiosk's).
    token_field = csrf(client, f"/feedback/{SITE}")
    return client.post(f"/t/{token}/feedback", data={"csrf_token": token_field, **form})


def answers(app) -> list[FeedbackAnswer]:
    with app.app_context():
        rows = list(db.session.scalars(select(FeedbackAnswer).order_by(FeedbackAnswer.id)))
        db.session.expunge_all()
        return rows


def test_a_finished_visits_page_turns_into_the_survey_in_the_tickets_language(app, client, staff):
    token = finished_visit(client, staff, language="es")
    page = client.get(f"/t/{token}")
    assert page.status_code == 303 and page.location.endswith(f"/t/{token}/feedback")
    survey = client.get(f"/t/{token}/feedback").get_data(as_text=True)
    assert "En general, ¿cómo fue su experiencia con nuestro servicio?" in survey
    assert 'value="neither"' in survey and 'value="dont_know"' in survey


def test_a_visit_not_ended_has_no_survey(client):
    token = walk_in(client)["token"]
    assert client.get(f"/t/{token}/feedback").status_code == 410
    assert client.get("/t/not-a-token/feedback").status_code == 404


def test_one_answer_per_visit_changed_within_the_hour_then_locked(app, client, staff, clock):
    token = finished_visit(client, staff)
    assert answer(client, token, rating="good", text="Kind staff").status_code == 200
    clock.advance(minutes=30)
    assert answer(client, token, rating="very_good", text="Kind staff!").status_code == 200
    rows = answers(app)
    assert len(rows) == 1 and rows[0].rating == "very_good" and rows[0].changed_at is not None
    clock.advance(minutes=31)
    locked = answer(client, token, rating="poor")
    assert locked.status_code == 409
    assert [a.rating for a in answers(app)] == ["very_good"]


def test_the_link_works_for_seven_days(app, client, staff, clock):
    token = finished_visit(client, staff)
    clock.advance(days=7, minutes=1)
    assert client.get(f"/t/{token}/feedback").status_code == 410
    assert client.get(f"/t/{token}").status_code == 410  # the plain "no longer active" page
    refused = answer(client, token, rating="good")
    assert refused.status_code == 410 and answers(app) == []


@pytest.mark.parametrize(
    "form",
    [
        {"rating": "excellent"},
        {"rating": "good", "text": "x" * 2001},
        {"rating": "good", "text": "bad\x00byte"},
        {"rating": "poor", "wants_contact": "yes", "contact": "not an address"},
    ],
)
def test_bad_answers_are_refused_and_nothing_is_kept(app, client, staff, form):
    token = finished_visit(client, staff)
    assert answer(client, token, **form).status_code == 400
    assert answers(app) == []


def test_the_free_text_is_escaped_in_the_inbox(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", text="<script>alert(1)</script>")
    page = admin.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_inbox_is_for_staff_whose_role_may_read_feedback(client, staff, admin):
    assert client.get("/feedback/inbox").status_code == 302  # to the login page
    assert staff.get(f"/feedback/inbox?site={SITE}").status_code == 403
    assert admin.get(f"/feedback/inbox?site={SITE}").status_code == 200
    assert staff.get(f"/api/sites/{SITE}/feedback/summary").status_code == 403


def test_a_poor_answer_with_contact_is_worked_to_replied_and_the_contact_goes(
    app, client, staff, admin, smtp
):
    token = finished_visit(client, staff, language="es")
    answer(
        client,
        token,
        rating="poor",
        text="Waited long",
        complaint="yes",
        wants_contact="yes",
        contact="pat@example.org",
    )
    (row,) = answers(app)
    assert row.case_status == "new" and row.contact == "pat@example.org"
    inbox = f"/feedback/inbox?site={SITE}"
    base = f"/feedback/inbox/{SITE}/cases/{row.id}"
    assert (
        admin.post(f"{base}/acknowledge", data={"csrf_token": csrf(admin, inbox)}).status_code
        == 302
    )
    empty = admin.post(f"{base}/action", data={"csrf_token": csrf(admin, inbox), "text": " "})
    assert empty.status_code == 400  # "what we did" is required
    admin.post(f"{base}/action", data={"csrf_token": csrf(admin, inbox), "text": "Second nurse"})
    sent = admin.post(
        f"{base}/reply",
        data={"csrf_token": csrf(admin, inbox), "text": "Gracias. Hay otra enfermera."},
    )
    assert sent.status_code == 302
    (mail,) = smtp.messages
    assert mail["To"] == "pat@example.org" and mail["From"] == "clinic@example.org"
    assert mail["Subject"] == "Una respuesta a su opinión"
    assert "Hay otra enfermera" in mail.get_content()
    (row,) = answers(app)
    assert row.case_status == "replied" and row.case_closed_at is not None
    assert row.reply_status == "sent" and row.reply_text is None
    assert row.contact is None and row.contact_kind is None  # deleted when closed
    assert row.text == "Waited long" and row.rating == "poor"
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {
        "feedback_acknowledged",
        "feedback_action_taken",
        "feedback_replied",
        "feedback_reply_sent",
    } <= set(actions)


def test_a_reply_that_cannot_be_sent_changes_nothing(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="very_poor", wants_contact="yes", contact="pat@example.org")
    (row,) = answers(app)
    inbox = f"/feedback/inbox?site={SITE}"
    base = f"/feedback/inbox/{SITE}/cases/{row.id}"
    admin.post(f"{base}/acknowledge", data={"csrf_token": csrf(admin, inbox)})
    admin.post(f"{base}/action", data={"csrf_token": csrf(admin, inbox), "text": "Fixed"})
    failed = admin.post(f"{base}/reply", data={"csrf_token": csrf(admin, inbox), "text": "Hi"})
    assert failed.status_code == 502  # no SMTP server set up in this test
    (row,) = answers(app)
    assert row.case_status == "action_taken" and row.contact == "pat@example.org"


def test_without_contact_the_case_closes_at_action_taken(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="good", complaint="yes", text="Door is broken")
    (row,) = answers(app)
    inbox = f"/feedback/inbox?site={SITE}"
    base = f"/feedback/inbox/{SITE}/cases/{row.id}"
    admin.post(f"{base}/acknowledge", data={"csrf_token": csrf(admin, inbox)})
    admin.post(f"{base}/action", data={"csrf_token": csrf(admin, inbox), "text": "Fixed"})
    (row,) = answers(app)
    assert row.case_status == "action_taken" and row.case_closed_at is not None


def test_a_contact_is_kept_only_for_a_case(app, client, staff):
    token = finished_visit(client, staff)
    answer(client, token, rating="very_good", wants_contact="yes", contact="pat@example.org")
    (row,) = answers(app)
    assert row.case_status is None and row.contact is None


def test_free_text_goes_after_the_retention_period_and_the_rating_stays(app, client, staff, clock):
    token = finished_visit(client, staff)
    answer(
        client,
        token,
        rating="poor",
        text="My knee hurt",
        wants_contact="yes",
        contact="+44 7700 900123",
    )
    clock.advance(days=364)
    with app.app_context():
        services.purge_personal_data(SITE)
    assert answers(app)[0].text == "My knee hurt"
    clock.advance(days=2)
    with app.app_context():
        (removal,) = services.purge_personal_data(SITE)
    assert removal.feedback_texts == 1
    (row,) = answers(app)
    assert row.text is None and row.contact is None and row.rating == "poor"
    assert row.text_removed_at is not None


def test_a_case_still_new_after_two_working_days_is_flagged_on_the_desk_and_inbox(
    app, client, staff, admin, clock
):
    token = finished_visit(client, staff)  # Tuesday
    answer(client, token, rating="poor")
    clock.advance(days=2)  # Thursday: two working days
    login(staff, "desk")  # the sessions ended while idle
    assert 'id="feedback-overdue"' not in staff.get(f"/desk?site={SITE}").get_data(as_text=True)
    clock.advance(days=1)  # Friday
    login(staff, "desk")
    login(admin, "admin")
    desk = staff.get(f"/desk?site={SITE}").get_data(as_text=True)
    assert "1 feedback case is overdue" in desk
    assert "Open the feedback inbox" not in desk  # desk staff may not read feedback
    assert "Overdue" in admin.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)


def test_the_kiosk_form_has_no_ticket_and_is_rate_limited_per_address(app, client):
    path = f"/feedback/{SITE}?lang=en"
    statuses = [
        client.post(path, data={"csrf_token": csrf(client, path), "rating": "good"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    rows = answers(app)
    assert len(rows) == 5 and all(r.ticket_id is None and r.service_id is None for r in rows)


def test_statements_reach_the_display_only_when_published(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", text="Secret health detail")
    display = socket(app, {"display": SITE})
    display.get_received()
    inbox = f"/feedback/inbox?site={SITE}"
    admin.post(
        f"/feedback/inbox/{SITE}/statements",
        data={
            "csrf_token": csrf(admin, inbox),
            "text": "You said the wait was long; we added a nurse.",
        },
    )
    assert display.get_received() == []
    with app.app_context():
        assert services.display_snapshot(SITE)["statements"] == []
        (statement_id,) = [s["id"] for s in feedback_service.inbox(SITE)["statements"]]
    admin.post(
        f"/feedback/inbox/{SITE}/statements/{statement_id}/publish",
        data={"csrf_token": csrf(admin, inbox)},
    )
    (update,) = received(display, "display_statements")
    assert update["kind"] == "statements"
    assert update["statements"] == ["You said the wait was long; we added a nurse."]
    with app.app_context():
        snapshot = services.display_snapshot(SITE)
    assert snapshot["statements"] == ["You said the wait was long; we added a nurse."]
    assert "Secret health detail" not in str(snapshot)


def test_the_summary_api_gives_the_figures(app, client, staff, admin):
    for rating in ("very_good", "poor"):
        answer(client, finished_visit(client, staff), rating=rating)
    finished_visit(client, staff)  # a visit that did not answer
    body = admin.get(f"/api/sites/{SITE}/feedback/summary").get_json()
    (row,) = body["rows"]
    assert row["service"] == "general" and row["responses"] == 2 and row["visits"] == 3
    assert row["response_rate"] == 66.7
    assert row["positive_percent"] == 50.0 and row["negative_percent"] == 50.0
    assert [b["band"] for b in body["wait_bands"]] == ["under_15", "15_30", "30_60", "over_60"]
    assert admin.get(f"/api/sites/{SITE}/feedback/summary?weeks=0").status_code == 400


def test_a_waiting_phone_shows_the_latest_two_published_statements(
    app, client, staff, admin, clock
):
    inbox = f"/feedback/inbox?site={SITE}"
    for text in ("First statement.", "Second statement.", "Third statement.", "Draft."):
        admin.post(
            f"/feedback/inbox/{SITE}/statements",
            data={"csrf_token": csrf(admin, inbox), "text": text},
        )
    page = admin.get(inbox).get_data(as_text=True)
    ids = re.findall(r"/statements/(\d+)/publish", page)  # newest first
    for statement in reversed(ids[1:]):  # all but the draft, oldest first
        clock.advance(minutes=1)
        admin.post(
            f"/feedback/inbox/{SITE}/statements/{statement}/publish",
            data={"csrf_token": csrf(admin, inbox)},
        )
    phone = client.get(f"/t/{walk_in(client)['token']}").get_data(as_text=True)
    assert "Third statement." in phone and "Second statement." in phone
    assert "First statement." not in phone and "Draft." not in phone


def work_to_action_taken(app, admin, token_answer):
    (row,) = answers(app)
    inbox = f"/feedback/inbox?site={SITE}"
    base = f"/feedback/inbox/{SITE}/cases/{row.id}"
    admin.post(f"{base}/acknowledge", data={"csrf_token": csrf(admin, inbox)})
    admin.post(f"{base}/action", data={"csrf_token": csrf(admin, inbox), "text": "Fixed"})
    return lambda text: admin.post(
        f"{base}/reply", data={"csrf_token": csrf(admin, inbox), "text": text}
    )


def test_a_reply_to_a_mobile_number_goes_by_text_after_the_commit(app, client, staff, admin, sms):
    token = finished_visit(client, staff, language="es")
    answer(client, token, rating="poor", wants_contact="yes", contact="07911 123450")
    reply = work_to_action_taken(app, admin, token)
    sent = reply("Gracias. Hay otra enfermera.")
    assert sent.status_code == 302
    (row,) = answers(app)
    # Replied, its text on its way: the case stays open, with the contact, until it goes.
    assert row.case_status == "replied" and row.reply_status == "pending"
    assert row.case_closed_at is None and row.contact == "07911123450"
    assert [m for _, m in sms.texts() if "opinión" in m] == []  # not before the sender
    send_texts(app)
    assert (
        "+447911123450",
        "Riverside Family Clinic, sobre su opinión: Gracias. Hay otra enfermera.",
    ) in sms.texts()
    (row,) = answers(app)
    assert row.reply_status == "sent" and row.case_closed_at is not None
    assert row.contact is None and row.reply_text is None  # deleted when closed
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "feedback_replied")
        ).one()
        assert entry.detail["channel"] == "mobile" and "123450" not in str(entry.detail)


def test_a_reply_by_text_without_texts_set_up_changes_nothing(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", wants_contact="yes", contact="+44 7700 900123")
    refused = work_to_action_taken(app, admin, token)("Hi")
    assert refused.status_code == 502
    assert "Text messages are not set up on this server" in refused.get_data(as_text=True)
    (row,) = answers(app)
    assert row.case_status == "action_taken" and row.contact == "+447700900123"


def test_a_patient_with_texts_on_is_texted_the_survey_link_after_the_visit(
    app, client, staff, sms, clock
):
    made = walk_in(client, language="es")
    assert (
        client.post(
            f"/api/tickets/{made['token']}/texts", json={"number": "07911 123456", "consent": True}
        ).status_code
        == 200
    )
    ticket = act(staff, "rooms/room-1/call-next")["ticket"]["id"]
    act(staff, f"tickets/{ticket}/start")
    act(staff, f"tickets/{ticket}/complete")
    send_texts(app)
    assert not [m for _, m in sms.texts() if "/feedback" in m]  # not yet: 30 minutes

    clock.advance(minutes=31)
    send_texts(app)
    (text,) = [m for to, m in sms.texts() if "/feedback" in m and to == "+447911123456"]
    assert text.startswith("G-001: gracias por venir.")
    link = re.search(r"https?://\S+/t/(\S+)/feedback", text)
    assert link and link.group(1) != made["token"]  # its own token
    survey = client.get(f"/t/{link.group(1)}/feedback")
    assert survey.status_code == 200
    assert "En general, ¿cómo fue su experiencia" in survey.get_data(as_text=True)

    clock.advance(days=1)  # once per visit
    send_texts(app)
    assert len([m for _, m in sms.texts() if "/feedback" in m]) == 1


def test_a_reply_to_a_number_that_cannot_be_texted_changes_nothing(app, client, staff, admin, sms):
    token = finished_visit(client, staff)
    # A number of the range kept for films and plays: never a real phone.
    answer(client, token, rating="poor", wants_contact="yes", contact="07700 900123")
    refused = work_to_action_taken(app, admin, token)("Hi")
    assert refused.status_code == 502
    assert "This number cannot be texted" in refused.get_data(as_text=True)
    (row,) = answers(app)
    assert row.case_status == "action_taken"
    send_texts(app)
    assert sms.texts() == []
