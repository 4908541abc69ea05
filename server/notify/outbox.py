"""The outbox table: messages written with the change that causes them, claimed and
marked by the sender after the commit."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from server.domain.notify import Kind, Outcome, after_failure
from server.extensions import db
from server.storage import feedback_cases
from server.storage.models import Contact, FeedbackAnswer, OutboxMessage

# Longer than a send may take (Apprise's own timeouts are a few seconds): a message
# claimed by a process that died is sent by another once this has passed.
CLAIM_FOR = timedelta(seconds=30)

# Set after a commit that wrote messages, so the sender sends them now rather than on
# its next look (a greenlet event under gevent: threading is patched).
_written = threading.Event()


def add(contact: Contact, site_id: int, kind: Kind, body: str, now: datetime) -> None:
    """Write a message to the contact in the current transaction."""
    db.session.add(
        OutboxMessage(
            site_id=site_id,
            ticket_id=contact.ticket_id,
            contact_id=contact.id,
            channel=contact.channel,
            address=contact.address,
            kind=str(kind),
            body=body,
            created_at=now,
            next_try_at=now,
            attempts=0,
            status="pending",
        )
    )


def add_to_address(
    *,
    site_id: int,
    ticket_id: int | None,
    channel: str,
    address: str,
    kind: Kind,
    body: str,
    due: datetime,
) -> OutboxMessage:
    """Write a message to an address that is no ticket's contact (an answer to a text
    whose number was just forgotten, a reply to feedback, the survey link after the
    visit), in the current transaction, to be sent at `due`. Its age for the retries
    counts from `due`: a message sent later on purpose is not stale when it goes.
    Returns the message (its id once flushed)."""
    message = OutboxMessage(
        site_id=site_id,
        ticket_id=ticket_id,
        contact_id=None,
        channel=channel,
        address=address,
        kind=str(kind),
        body=body,
        created_at=due,
        next_try_at=due,
        attempts=0,
        status="pending",
    )
    db.session.add(message)
    return message


def wake_sender() -> None:
    """Call after the commit of messages: the sender looks at once."""
    _written.set()


def wait_for_messages(seconds: float) -> None:
    """The sender's pause when the outbox is empty: until woken, or `seconds`."""
    _written.wait(seconds)
    _written.clear()


@dataclass(frozen=True)
class Claimed:
    """A message claimed for sending: plain data, used with no transaction open."""

    id: int
    channel: str
    address: str | None
    body: str


def claim_due(now: datetime, limit: int) -> list[Claimed]:
    """Claim the messages due now for CLAIM_FOR, in one short transaction, committed.

    The claim moves a message's next try past the time its send may take, so no other
    sender takes it meanwhile; if this process dies before it records the send, the
    message is due again when the claim runs out. No transaction stays open during a
    send (on SQLite one would hold the database's write lock). On PostgreSQL the rows
    are read FOR UPDATE SKIP LOCKED, so two senders claiming at once take different
    rows; on SQLite every transaction holds the write lock (storage/engine.py), so
    claims follow one another.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_try_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for message in db.session.scalars(query):
        message.next_try_at = now + CLAIM_FOR
        claimed.append(Claimed(message.id, message.channel, message.address, message.body))
    db.session.commit()
    return claimed


@dataclass(frozen=True)
class ContactChanged:
    """A ticket's texts or push changed with a send: its last message on that channel
    went out (sent), did not (failed), or the provider rejected the address and it was
    removed (gone). The desk is told, so staff can tell a patient in person what a
    message could not."""

    site_id: int
    ticket_id: int
    channel: str
    outcome: str
    address: str | None  # None once gone: what the desk may see is its last two digits


def record(outcomes: list[tuple[int, Outcome, str | None]], now: datetime) -> list[ContactChanged]:
    """Record how each claimed message's send went, in one transaction, committed.
    Returns the contacts (texts, push) whose last message's outcome is new."""
    changed: dict[int, ContactChanged] = {}
    if outcomes:
        ids = [message_id for message_id, _, _ in outcomes]
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        messages = {m.id: m for m in rows}
        contact_ids = {m.contact_id for m in messages.values() if m.contact_id is not None}
        before: dict[int, str | None] = {
            contact_id: last
            for contact_id, last in db.session.execute(
                select(Contact.id, Contact.last_outcome).where(Contact.id.in_(contact_ids))
            )
        }
        for message_id, outcome, error in outcomes:
            message = messages[message_id]
            contact_id, address = message.contact_id, message.address
            mark(message, outcome, now, error)
            if message.kind == Kind.REPLY and message.status != "pending":
                _reply_ended(message, now)
            if contact_id is None or message.ticket_id is None or contact_id not in before:
                continue
            now_outcome = "gone" if outcome is Outcome.GONE else _outcome_word(message)
            if now_outcome != before[contact_id]:
                before[contact_id] = now_outcome
                changed[contact_id] = ContactChanged(
                    message.site_id,
                    message.ticket_id,
                    message.channel,
                    now_outcome,
                    None if now_outcome == "gone" else address,
                )
    db.session.commit()
    return list(changed.values())


def _reply_ended(message: OutboxMessage, now: datetime) -> None:
    """A reply to feedback was sent, or given up (failed after its retries, or the
    number rejected): its case records it (storage/feedback_cases.py)."""
    answer = db.session.scalar(
        select(FeedbackAnswer).where(FeedbackAnswer.reply_message_id == message.id)
    )
    if answer is not None:
        delivered = message.status == "sent"
        error = None if delivered else message.error or message.status
        feedback_cases.record_reply_outcome(answer, delivered, error, now)


def _outcome_word(message: OutboxMessage) -> str:
    return "sent" if message.status == "sent" else "failed"


def mark(message: OutboxMessage, outcome: Outcome, now: datetime, error: str | None = None) -> None:
    """Record how one send went. The address is cleared once the message is done."""
    message.attempts += 1
    if outcome is Outcome.DELIVERED:
        message.status, message.sent_at, message.address = "sent", now, None
        _contact_outcome(message.contact_id, "sent")
    elif outcome is Outcome.GONE:
        message.status, message.address, message.error = "gone", None, error
        if message.contact_id is not None:  # the provider rejects it: forget it
            db.session.execute(delete(Contact).where(Contact.id == message.contact_id))
    else:
        retry = after_failure(message.created_at, message.attempts, now)
        message.error = (error or "failed")[:200]
        if retry.at is None:
            message.status, message.address = "failed", None
        else:
            message.next_try_at = retry.at
        _contact_outcome(message.contact_id, "failed")


def _contact_outcome(contact_id: int | None, outcome: str) -> None:
    if contact_id is not None:
        db.session.execute(
            update(Contact).where(Contact.id == contact_id).values(last_outcome=outcome)
        )
