"""Writing and reading the audit log as one hash chain over the whole table, in id order
(the hashing itself is domain/audit.py).

Entries are collected during a transaction (`add`) and written just before it commits,
after the chain's tail is read under a lock, so two writers never link to the same
previous entry and ids follow the chain:

- PostgreSQL: a transaction advisory lock, held from that moment to the commit;
- SQLite: every transaction already holds the write lock (BEGIN IMMEDIATE, engine.py).

So the lock is held only for the insert and the commit, and a change pays one small
query for it (two statements on PostgreSQL: the lock, then the tail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from server.domain.audit import GENESIS, ChainCheck, ChainedEntry, entry_hash
from server.extensions import db
from server.storage.models import AuditEntry

_PENDING = "waitroom.audit_pending"
_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('audit-chain'))"


def add(entry: AuditEntry) -> None:
    """Write `entry` with the transaction, linked into the chain when it commits."""
    entry.detail = json.loads(json.dumps(entry.detail or {}))  # as it reads back
    db.session.info.setdefault(_PENDING, []).append(entry)


def fields_of(entry: AuditEntry) -> dict[str, Any]:
    """What an entry's hash covers, as plain values."""
    return {
        "at": entry.at.astimezone(UTC).isoformat(),
        "site_id": entry.site_id,
        "user_id": entry.user_id,
        "username": entry.username,
        "address": entry.address,
        "ticket_id": entry.ticket_id,
        "action": entry.action,
        "detail": entry.detail,
    }


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.flush()  # the change itself first, so the lock is held the least
        session.execute(text(_LOCK))
    tail = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    _link(tail or GENESIS, pending)
    session.add_all(pending)
    session.flush()
    if any(a.id > b.id for a, b in pairwise(pending)):
        # The database numbered them in another order (never seen; not promised):
        # the chain follows the ids.
        _link(tail or GENESIS, sorted(pending, key=lambda entry: entry.id))
        session.flush()


def _link(previous: str, entries: list[AuditEntry]) -> None:
    for entry in entries:
        entry.hash = previous = entry_hash(previous, fields_of(entry))


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def entries(
    *,
    site_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[AuditEntry]:
    """Entries in id order, a batch at a time; optionally of one site, from `start`
    (inclusive) to `end` (exclusive)."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if site_id is not None:
        query = query.where(AuditEntry.site_id == site_id)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    result = db.session.scalars(query.execution_options(yield_per=1000))
    try:
        yield from result
    finally:
        result.close()  # a server-side cursor on PostgreSQL, if left early


def verify_chain() -> ChainCheck:
    """Check every entry against the one before; the result says how many and where
    the chain first breaks (None: intact)."""
    check = ChainCheck()
    for entry in entries():
        check.add(ChainedEntry(entry.id, entry.hash, fields_of(entry)))
    return check
