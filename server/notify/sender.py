"""The sender: sends the outbox's messages after the commit, off any request.

Every process runs `send_forever`. On PostgreSQL each claims its own rows (SKIP
LOCKED), so they share the work and never send one message twice; elsewhere only the
holder of the deployment's "outbox" lease sends. A process killed after a commit
leaves its messages pending, and the next look (of any process, or of this one
restarted) sends them. A process killed during a send has not recorded it: that one
message may go out twice, never zero times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask

from server import clock
from server.domain.notify import Outcome
from server.extensions import db
from server.notify import outbox
from server.notify.channels import Channel, configured_channels
from server.storage.locks import Lease

channel_log = logging.getLogger(__name__)
BATCH = 50  # messages per transaction


def send_due(channels: Mapping[str, Channel], limit: int = BATCH) -> int:
    """Send the messages due now (at most `limit`), record each outcome, commit.
    Returns how many were tried."""
    now = clock.now()
    messages = outbox.claim_due(now, limit)
    for message in messages:
        channel = channels.get(message.channel)
        if channel is None or message.address is None:
            outbox.mark(message, Outcome.FAILED, now, f"no channel {message.channel!r}")
            continue
        try:
            outcome = channel.send(message.address, message.body)
        except Exception as error:  # noqa: BLE001  a channel's bug must not stop the others
            channel_log.exception("channel %s failed", message.channel)
            outbox.mark(message, Outcome.FAILED, now, type(error).__name__)
        else:
            outbox.mark(message, outcome, now)
    db.session.commit()
    return len(messages)


def send_forever(
    app: Flask, lease: Lease, sleep: Callable[[float], object], poll_seconds: float
) -> None:
    """The sender's loop: send while there is something due, else wait to be woken."""
    channels = configured_channels(app.config)
    while True:
        tried = 0
        with app.app_context():
            try:
                if lease.hold():
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
