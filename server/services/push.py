"""Web Push on the patient's phone: "Notify me on this phone" on the ticket page sends
the browser's subscription here; "Turn off" removes it. One subscription per ticket (a
new one replaces the old). Like a number for texts, it is personal data: deleted when
the visit ends (notifications.forget_ended, retention.py) or when the push service says
it is gone. The audit log says that push was turned on or off, never the subscription.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from server import clock
from server.domain import queue
from server.domain.errors import InvalidTransition, NotFound
from server.domain.notify import PUSH, PUSH_SERVICES, push_subscription
from server.extensions import db
from server.notify.channels import push_offered as _configured
from server.notify.channels import vapid_public_key
from server.services.changes import SiteChange
from server.services.tickets import ticket_id_for_token
from server.storage import queries
from server.storage.models import Contact, Site, Ticket


def push_offered() -> bool:
    """Whether this deployment sends Web Push (a VAPID key is configured)."""
    return _configured(current_app.config)


def push_public_key() -> str | None:
    """The key the browser subscribes with (its applicationServerKey)."""
    return vapid_public_key(current_app.config) if push_offered() else None


def subscribe(token: str, endpoint: str, p256dh: str, auth: str) -> dict[str, Any]:
    """The patient's phone asks for notifications: keep its subscription."""
    _require_push()
    hosts = PUSH_SERVICES + tuple(current_app.config.get("PUSH_SERVICE_HOSTS") or ())
    page = url_for("phone.ticket_page", token=token)
    subscription = push_subscription(endpoint, p256dh, auth, page, hosts=hosts)
    site, ticket = _load(token)
    now = clock.now()
    contact = _push_contact(ticket)
    if contact is None:
        ticket.contacts.append(
            Contact(channel=PUSH, address=subscription.to_address(), added_at=now)
        )
    else:  # this phone again, or another: the newest subscription is the one kept
        contact.address, contact.added_at, contact.last_outcome = (
            subscription.to_address(),
            now,
            None,
        )
    return _finish(site, ticket, "push_on")


def unsubscribe(token: str) -> dict[str, Any]:
    """The patient turns notifications off: the subscription is deleted."""
    site, ticket = _load(token, must_be_open=False)
    contact = _push_contact(ticket)
    if contact is None:
        db.session.rollback()
        return {"push": False}
    ticket.contacts.remove(contact)
    return _finish(site, ticket, "push_off")


def _load(token: str, *, must_be_open: bool = True) -> tuple[Site, Ticket]:
    ticket_id = ticket_id_for_token(token)
    site = queries.get_site(db.session.get_one(Ticket, ticket_id).site.slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    if must_be_open and (
        not queue.is_open(ticket.status) or not site.days.in_line(ticket.day, clock.now())
    ):
        raise InvalidTransition("This visit has ended.", code="ticket_ended")
    return site, ticket


def _finish(site: Site, ticket: Ticket, what: str) -> dict[str, Any]:
    change = SiteChange(site, clock.now(), what, None)
    change.touch(ticket)
    change.audit(what, ticket)
    on = _push_contact(ticket) is not None
    seq = change.finish()
    return {"seq": seq, "push": on}


def _push_contact(ticket: Ticket) -> Contact | None:
    return next((c for c in ticket.contacts if c.channel == PUSH), None)


def _require_push() -> None:
    if not push_offered():
        raise NotFound("Notifications are not offered here.", code="push_not_offered")
