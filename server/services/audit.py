"""Recording who did what, and reading the record back: the chain's check and the CSV.

Every staff and admin action and every sign-in event is recorded with who (an account,
the name tried at a failed login, or who ran a command), when, from which address, and
a small JSON detail. Storage links the entries into a hash chain (storage/audit_chain.py).

Addresses: a service that signs someone in or out takes the address as an argument. A
queue change takes it from `acting_from`, which the app sets once per HTTP request, so
the services never read Flask's request and the ticket use cases keep their signatures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from server import clock
from server.domain.schedule import local_to_utc
from server.extensions import db
from server.storage import audit_chain, queries
from server.storage.models import AuditEntry, Site, User

MAX_NAME = 64
MAX_ADDRESS = 64
_address: ContextVar[str | None] = ContextVar("waitroom_audit_address", default=None)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff account, or whoever ran a command (a name only), and from where."""

    user_id: int | None = None
    username: str | None = None
    address: str | None = None

    @classmethod
    def staff(cls, user: User, address: str | None) -> Actor:
        return cls(user.id, user.username, address)


def acting_from(address: str | None) -> None:
    """The address of the request being served (None when it ends)."""
    _address.set(address)


def request_address() -> str | None:
    return _address.get()


def record(
    action: str,
    actor: Actor | None = None,
    *,
    site_id: int | None = None,
    ticket_id: int | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> None:
    """Add an entry to the current transaction; it is written when that commits."""
    actor = actor or Actor()
    audit_chain.add(
        AuditEntry(
            at=at or clock.now(),
            site_id=site_id,
            user_id=actor.user_id,
            username=_printable(actor.username, MAX_NAME),
            address=_printable(actor.address, MAX_ADDRESS),
            ticket_id=ticket_id,
            action=action,
            detail=detail,
        ),
    )


def _printable(value: str | None, limit: int) -> str | None:
    """Control characters (a NUL among them) shown as U+FFFD; the text cut to `limit`."""
    if value is None:
        return None
    return "".join(c if c.isprintable() else "\ufffd" for c in value)[:limit]


def verify_audit_chain() -> tuple[int, int | None]:
    """How many entries the chain has, and the id of the first that does not match
    (None: intact)."""
    check = audit_chain.verify_chain()
    return check.count, check.broken


# --- CSV export ---------------------------------------------------------------------

CSV_COLUMNS = ("id", "at", "site", "user", "address", "action", "ticket_id", "detail", "hash")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_csv(
    site_slug: str | None = None, first_day: date | None = None, last_day: date | None = None
) -> Iterator[str]:
    """The log as CSV text, a row at a time: all of it, or one site's from `first_day` to
    `last_day` (site days, both included). Cells a spreadsheet would run as a formula
    start with a quote. An unknown site is refused here, before the first row."""
    site = queries.get_site(site_slug) if site_slug is not None else None
    start = local_to_utc(first_day, time(0), site.zone) if site and first_day else None
    end = (
        local_to_utc(last_day + timedelta(days=1), time(0), site.zone)
        if site and last_day
        else None
    )
    return _csv_rows(site.id if site else None, start, end)


def _csv_rows(site_id: int | None, start: datetime | None, end: datetime | None) -> Iterator[str]:
    slugs = {site_id: slug for site_id, slug in db.session.execute(select(Site.id, Site.slug))}
    names = {user_id: name for user_id, name in db.session.execute(select(User.id, User.username))}
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(cells: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(c) for c in cells])
        return buffer.getvalue()

    yield row(CSV_COLUMNS)
    for entry in audit_chain.entries(site_id=site_id, start=start, end=end):
        yield row(
            (
                entry.id,
                entry.at.isoformat(),
                slugs.get(entry.site_id or 0, ""),
                entry.username or names.get(entry.user_id or 0, ""),
                entry.address,
                entry.action,
                entry.ticket_id,
                json.dumps(entry.detail, sort_keys=True, ensure_ascii=False),
                entry.hash,
            )
        )


def _cell(value: Any) -> str:
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
