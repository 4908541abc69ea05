"""A feedback reply's delivery, against real local servers: an SMTP server (aiosmtpd)
that accepts, refuses, or is not there, and the SMS receiver answering errors until the
outbox gives the text up. The case records pending / sent / failed, a failure is
audited as `feedback_reply_failed`, the inbox flags and filters failed replies, and
staff send a failed reply again."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from server import services
from server.domain.feedback import CaseStepRefused
from server.domain.notify import GIVE_UP_AFTER
from server.extensions import db
from server.services.audit import Actor
from server.storage.models import AuditEntry, FeedbackAnswer
from tests.conftest import SITE, login
from tests.integration.test_feedback import (
    Inbox,
    _free_port,
    answer,
    answers,
    csrf,
    finished_visit,
    send_texts,
    work_to_action_taken,
)
from tests.sms_receiver import Receiver

INBOX = f"/feedback/inbox?site={SITE}"


class Refusing(Inbox):
    """A mail server that refuses every message, for good (a 5xx answer to DATA)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 5.7.1 Message refused"


def _start(handler: Inbox) -> tuple[Controller, str]:
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller, f"smtp://127.0.0.1:{controller.port}"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    controller, inbox.url = _start(inbox)  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
def refusing_smtp() -> Iterator[str]:
    controller, url = _start(Refusing())
    yield url
    controller.stop()


@pytest.fixture
def sms() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    config: dict[str, Any] = {"SMTP_FROM": "clinic@example.org"}
    if "refusing_smtp" in request.fixturenames:
        config["SMTP_URL"] = request.getfixturevalue("refusing_smtp")
    elif "smtp" in request.fixturenames:
        # Nothing listens here until the test says: the mail server is down.
        config["SMTP_URL"] = f"smtp://127.0.0.1:{_free_port()}"
    if "sms" in request.fixturenames:
        config["SMS_URL"] = request.getfixturevalue("sms").sms_url
    if "pg_schema_url" in request.fixturenames:
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("pg_schema_url")
    return config


def audit_of(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def case_entry(page: str, answer_id: int) -> str:
    """The case's own entry in the inbox page (its #case-<id> item)."""
    match = re.search(rf'<li class="[^"]*" id="case-{answer_id}">(.*?)</li>', page, re.S)
    assert match, f"case {answer_id} is not in the inbox"
    return match.group(1)


def retry(admin, answer_id: int) -> Any:
    return admin.post(
        f"/feedback/inbox/{SITE}/cases/{answer_id}/retry",
        data={"csrf_token": csrf(admin, INBOX)},
    )


def test_a_reply_the_mail_server_refuses_is_failed_audited_flagged_and_kept(
    app, client, staff, admin, refusing_smtp
):
    token = finished_visit(client, staff, language="es")
    answer(client, token, rating="poor", wants_contact="yes", contact="pat@example.org")
    sent = work_to_action_taken(app, admin, token)("Gracias. Hay otra enfermera.")
    assert sent.status_code == 302  # recorded, not refused: the inbox says what became of it
    (row,) = answers(app)
    assert row.case_status == "replied" and row.reply_status == "failed"
    assert row.case_closed_at is None and row.contact == "pat@example.org"  # kept to try again
    assert row.reply_text == "Gracias. Hay otra enfermera." and "554" in row.reply_error
    (entry,) = audit_of(app, "feedback_reply_failed")
    assert entry.detail["answer"] == row.id and entry.detail["channel"] == "email"
    assert "pat@example.org" not in str(entry.detail)
    assert audit_of(app, "feedback_reply_sent") == []

    page = admin.get(INBOX).get_data(as_text=True)
    assert "The reply could not be sent. It is kept: you can send it again." in page
    entry_html = case_entry(page, row.id)
    assert '<span class="flag">Reply failed</span>' in entry_html
    assert f"/cases/{row.id}/retry" in entry_html and "Send the reply again" in entry_html


def test_a_reply_while_the_mail_server_is_down_fails_and_goes_when_sent_again(
    app, client, staff, admin, smtp
):
    token = finished_visit(client, staff)
    answer(client, token, rating="very_poor", wants_contact="yes", contact="pat@example.org")
    work_to_action_taken(app, admin, token)("We are sorry. We fixed the door.")
    (row,) = answers(app)
    assert row.reply_status == "failed" and row.reply_attempts == 1
    assert smtp.messages == []

    app.config["SMTP_URL"] = smtp.url  # the mail server is back
    assert retry(admin, row.id).status_code == 302
    (mail,) = smtp.messages
    assert mail["To"] == "pat@example.org" and "fixed the door" in mail.get_content()
    (row,) = answers(app)
    assert row.reply_status == "sent" and row.reply_attempts == 2
    assert row.case_closed_at is not None and row.contact is None and row.reply_text is None
    assert [e.detail["attempt"] for e in audit_of(app, "feedback_reply_sent")] == [2]
    assert len(audit_of(app, "feedback_reply_retried")) == 1
    page = admin.get(INBOX).get_data(as_text=True)
    assert "Reply sent." in page
    assert "Reply failed</span>" not in case_entry(page, row.id)

    # Sent once: nothing to send again.
    assert retry(admin, row.id).status_code == 409
    assert len(smtp.messages) == 1


def test_a_reply_by_text_the_receiver_keeps_refusing_fails_when_the_outbox_gives_up(
    app, client, staff, admin, sms, clock
):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", wants_contact="yes", contact="07911 123450")
    sms.status = 500  # the SMS gateway answers errors
    work_to_action_taken(app, admin, token)("Thank you. We added a nurse.")
    send_texts(app)
    (row,) = answers(app)
    assert row.reply_status == "pending"  # the outbox tries again with backoff
    assert audit_of(app, "feedback_reply_failed") == []
    # The retries, until the message is too old to send (within staff's idle limit).
    for _ in range(10):
        clock.advance(minutes=2)
        send_texts(app)
    (row,) = answers(app)
    assert clock.now - row.reply_tried_at > GIVE_UP_AFTER
    assert row.reply_status == "failed" and row.case_closed_at is None
    assert row.contact == "07911123450"
    (entry,) = audit_of(app, "feedback_reply_failed")
    assert entry.detail == {
        "answer": row.id,
        "channel": "mobile",
        "attempt": 1,
        "error": "failed",
    }
    assert sms.texts() == []

    sms.status = 200  # the gateway is back; staff send it again
    assert retry(admin, row.id).status_code == 302
    (row,) = answers(app)
    assert row.reply_status == "pending"
    send_texts(app)
    words = "Riverside Family Clinic, about your feedback: Thank you. We added a nurse."
    assert sms.texts() == [("+447911123450", words)]
    (row,) = answers(app)
    assert row.reply_status == "sent" and row.case_closed_at is not None and row.contact is None


def test_a_text_still_being_tried_cannot_be_sent_again(app, client, staff, admin, sms):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", wants_contact="yes", contact="07911 123450")
    sms.status = 500
    work_to_action_taken(app, admin, token)("Thank you.")
    send_texts(app)
    (row,) = answers(app)
    refused = retry(admin, row.id)
    assert refused.status_code == 409
    assert "Only a reply that failed can be sent again." in refused.get_data(as_text=True)
    (row,) = answers(app)
    assert row.reply_status == "pending" and row.reply_attempts == 1


def test_the_inbox_filters_to_failed_replies(app, client, staff, admin, refusing_smtp):
    failed = finished_visit(client, staff)
    answer(client, failed, rating="poor", wants_contact="yes", contact="pat@example.org")
    work_to_action_taken(app, admin, failed)("Sorry.")
    (failed_row,) = answers(app)
    other = finished_visit(client, staff)
    answer(client, other, rating="very_poor", text="Cold room", complaint="yes")
    good = finished_visit(client, staff)
    answer(client, good, rating="very_good", text="Kind nurse")
    rows = answers(app)
    assert [r.reply_status for r in rows] == ["failed", None, None]

    listed = admin.get(f"{INBOX}&show=reply_failed").get_data(as_text=True)
    assert f'id="case-{failed_row.id}"' in listed
    assert "Cold room" not in listed and "Kind nurse" not in listed
    assert '<option value="reply_failed" selected>Reply failed</option>' in listed
    everything = admin.get(INBOX).get_data(as_text=True)
    assert "Cold room" in everything and "Kind nurse" in everything
    # A replied case whose reply failed is still an open case.
    open_cases = admin.get(f"{INBOX}&show=open").get_data(as_text=True)
    assert f'id="case-{failed_row.id}"' in open_cases and "Cold room" in open_cases


def test_a_failed_replys_words_and_contact_go_with_the_free_text(
    app, client, staff, admin, refusing_smtp, clock
):
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", text="Cold", wants_contact="yes", contact="p@example.org")
    work_to_action_taken(app, admin, token)("Sorry about the cold room.")
    (row,) = answers(app)
    assert row.reply_status == "failed" and row.reply_text == "Sorry about the cold room."
    clock.advance(days=366)
    with app.app_context():
        services.purge_personal_data(SITE)
    (row,) = answers(app)
    assert row.text is None and row.contact is None and row.reply_text is None
    assert row.reply_status == "failed"  # the record of what happened stays
    login(admin, "admin")  # the session ended while idle
    page = admin.get(INBOX).get_data(as_text=True)
    assert "Send the reply again" not in case_entry(page, row.id)  # nobody to send it to
    assert retry(admin, row.id).status_code == 409


def test_two_staff_sending_a_failed_reply_again_at_once_send_it_once(
    pg_schema_url, app, client, staff, admin, refusing_smtp
):
    """On PostgreSQL, where two requests really run at once: one member of staff has
    read the failed case when another's "Send the reply again" goes through; the first
    one's own try is refused and sends nothing (the attempt is counted by a
    compare-and-set, not by what each request read)."""
    token = finished_visit(client, staff)
    answer(client, token, rating="poor", wants_contact="yes", contact="pat@example.org")
    work_to_action_taken(app, admin, token)("We are sorry. We fixed the door.")
    (row,) = answers(app)
    assert row.reply_status == "failed" and row.reply_attempts == 1

    with app.app_context():
        read_first = db.session.get(FeedbackAnswer, row.id)  # this request's view: failed
        assert read_first is not None and read_first.reply_attempts == 1
        assert _in_another_thread(lambda: retry(admin, row.id)).status_code == 302
        with pytest.raises(CaseStepRefused, match="being sent already"):
            services.feedback.retry_reply(SITE, row.id, Actor(username="admin"))

    (row,) = answers(app)
    assert row.reply_attempts == 2
    assert len(audit_of(app, "feedback_reply_retried")) == 1


def _in_another_thread(request: Any) -> Any:
    """A request from a thread of its own, as a server runs it: with its own app context
    and database session (a request in this thread would share the test's)."""
    answers_: list[Any] = []
    worker = threading.Thread(target=lambda: answers_.append(request()))
    worker.start()
    worker.join(timeout=30)
    (answer_,) = answers_
    return answer_
