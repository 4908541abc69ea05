"""The sender: sends the outbox's messages after the commit, off any request.

Every process runs `send_forever`. Each claims the messages it sends, in a short
transaction of its own (outbox.claim_due: FOR UPDATE SKIP LOCKED on PostgreSQL,
SQLite's write lock elsewhere), so processes share the work and never send one message
twice. A process killed after a commit leaves its messages pending, and the next look
(of any process, or of this one restarted) sends them; one killed during a send leaves
its claim, which runs out (CLAIM_FOR) and the message is sent then: a message killed in
the middle of its send may go out twice, never zero times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask

from server import clock
from server.domain.notify import PUSH, Outcome, last_digits
from server.extensions import db
from server.notify import outbox
from server.notify.channels import Channel, configured_channels
from server.realtime import rooms
from server.realtime.publish import STAFF_UPDATE, Message, publish
from server.storage.models import Site, Ticket

channel_log = logging.getLogger(__name__)
BATCH = 50  # messages per transaction
# Woken by a change's commit, the sender waits this long first: the change's own HTTP
# answer and pushes go out before any message is claimed and sent (bench/notify.py).
SETTLE_SECONDS = 0.05


def send_due(channels: Mapping[str, Channel], limit: int = BATCH) -> int:
    """Claim the messages due now (at most `limit`), send them with no transaction
    open, record each outcome. Returns how many were tried."""
    claimed = outbox.claim_due(clock.now(), limit)
    outcomes = [(message.id, *_send(channels, message)) for message in claimed]
    changed = outbox.record(outcomes, clock.now())
    if changed:
        publish(_desk_news(changed))
    return len(claimed)


def _desk_news(changed: list[outbox.ContactChanged]) -> list[Message]:
    """For the desks: a ticket's texts or push changed with a send (after the commit).

    Not a queue change, so it carries the site's `seq` unchanged, like presence: the
    desk applies it as it comes ("kind": "texts" or "push", the ticket's field of that
    name in the queue, server/payloads.py). Only the number's last two digits; of a
    push, never the subscription.
    """
    messages = []
    for change in changed:
        ticket = db.session.get(Ticket, change.ticket_id)
        site = db.session.get(Site, change.site_id)
        if ticket is None or site is None:
            continue
        kind, view = _channel_view(change)
        data = {
            "seq": site.seq,
            "kind": kind,
            "ticket": {"id": ticket.id, "number": str(ticket.ticket_number)},
            kind: view,
            "outcome": change.outcome,
        }
        messages.append(Message(STAFF_UPDATE, rooms.staff_room(site.slug), data))
    db.session.rollback()  # only read: end the transaction
    return messages


def _channel_view(change: outbox.ContactChanged) -> tuple[str, dict[str, str] | None]:
    """The ticket's field that changed and its new value (None: off, once gone), as the
    desk's queue has it (payloads.texts_view, payloads.push_view)."""
    if change.channel == PUSH:
        return "push", None if change.address is None else {"last": change.outcome}
    if change.address is None:
        return "texts", None
    return "texts", {"last_digits": last_digits(change.address), "last": change.outcome}


def _send(channels: Mapping[str, Channel], message: outbox.Claimed) -> tuple[Outcome, str | None]:
    channel = channels.get(message.channel)
    if channel is None or message.address is None:
        return Outcome.FAILED, f"no channel {message.channel!r}"
    try:
        return channel.send(message.address, message.body), None
    except Exception as error:  # noqa: BLE001  a channel's bug must not stop the others
        channel_log.exception("channel %s failed", message.channel)
        return Outcome.FAILED, type(error).__name__


def send_forever(app: Flask, sleep: Callable[[float], object], poll_seconds: float) -> None:
    """The sender's loop: send while there is something due, else wait to be woken."""
    channels = configured_channels(app.config)
    while True:
        tried = 0
        with app.app_context():
            try:
                tried = send_due(channels)
            except Exception:  # the loop must outlive any one bad turn
                db.session.rollback()
                app.logger.exception("outbox sender failed")
            finally:
                db.session.remove()
        if tried:
            sleep(0)  # let requests run between batches
        else:
            outbox.wait_for_messages(poll_seconds)
            sleep(SETTLE_SECONDS)
