"""What patients asked for at check-in, read back: today's interpreter requests for the
desk, and how a patient's own phone calls them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server import clock
from server.domain.needs import requests_per_language
from server.domain.notify import SMS
from server.domain.queue import OPEN_STATUSES, token_digest
from server.extensions import db
from server.storage import queries
from server.storage.models import Ticket


def interpreter_requests(site_slug: str) -> dict[str, Any]:
    """Today's interpreter requests per language, for the desk to book interpreters
    early: how many asked in all, and how many still wait or are being seen."""
    site = queries.get_site(site_slug)
    day = site.days.day_of(clock.now())  # the site's day (day_starts), as its queue's
    asked = db.session.execute(
        select(Ticket.language, Ticket.status).where(
            Ticket.site_id == site.id, Ticket.day == day, Ticket.interpreter.is_(True)
        )
    ).all()
    still_open = {str(s) for s in OPEN_STATUSES}
    return {
        "day": day.isoformat(),
        "languages": requests_per_language(
            (language, str(status) in still_open) for language, status in asked
        ),
    }


def phone_call_style(token: str) -> dict[str, bool]:
    """How the phone holding this token calls its patient: full screen and vibrating
    for one who may not hear the call, spoken for one who may not see the screen.
    Only the page of the token's own holder is given it, never a room or the API."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.token_digest == token_digest(token)))
    if ticket is None:
        return {"visual": False, "spoken": False}
    # A patient whose call is texted to them (texts on when the page opened) needs no
    # spoken call on the page as well.
    texted = any(contact.channel == SMS for contact in ticket.contacts)
    return {"visual": ticket.may_not_hear, "spoken": ticket.may_not_see and not texted}
