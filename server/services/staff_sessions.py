"""Staff sessions kept on the server, so that ending one ends it everywhere.

The cookie carries only a random token; the `staff_sessions` table keeps its SHA-256
digest, the account, and when it was last used. Every use looks it up (auth.py), so a
session ends for every process at once when its row is marked ended: by logging out, a
password change or a disabled account (all of that account's sessions), or the idle
timeout. Its staff sockets (room login:<id>) are disconnected on every process too.
The database is the one store, with or without Redis: every process shares it already.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import delete, select

from server import clock
from server.extensions import db
from server.realtime import publish
from server.services import audit
from server.storage.models import StaffSession, User

# "Last seen" is written at most this often per session, not on every request; so the
# idle timeout may end a session up to this much early.
SEEN_EVERY = timedelta(minutes=1)
# Who logged in, when and from where is personal data: kept this long after the end.
KEPT_AFTER_END = timedelta(days=30)
MAX_ADDRESS = 64


class EndReason(StrEnum):
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a password)
    ACCOUNT_DISABLED = "account_disabled"
    IDLE = "idle"


def start_staff_session(user: User, address: str | None) -> str:
    """A new session for the account; returns the token, which only the cookie keeps."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    login = StaffSession(
        token_digest=_digest(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        address=(address or "")[:MAX_ADDRESS] or None,
    )
    db.session.add(login)
    db.session.flush()
    audit.record("login", audit.Actor.staff(user, address), at=now, session=login.id)
    db.session.commit()
    return token


def staff_session_in_use(token: str) -> StaffSession | None:
    """The live session of a token, or None: unknown, ended, idle too long, or its
    account disabled. A refused token changes nothing; a good one is noted as seen."""
    login = _by_token(token)
    now = clock.now()
    if login is None or login.ended_at is not None or not login.user.active:
        return None
    if now - login.last_seen_at > idle_timeout():
        return None  # the sweep marks it ended and drops its sockets
    if now - login.last_seen_at >= SEEN_EVERY:
        login.last_seen_at = now
        db.session.commit()
    return login


def end_staff_session(token: str, address: str | None = None) -> None:
    """Log out: end this one session, and its sockets on every process."""
    login = _by_token(token)
    if login is None or login.ended_at is not None:
        return
    ended = _end([login], EndReason.LOGOUT, address)
    db.session.commit()
    disconnect(ended)


def end_sessions_of(user: User, reason: EndReason) -> list[int]:
    """Mark every live session of the account ended, in the caller's transaction.
    After its commit, `disconnect` the ids returned."""
    if user.id is None:  # a new account has none
        return []
    live = db.session.scalars(
        select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    )
    return _end(live, reason)


def disconnect(session_ids: Iterable[int]) -> None:
    """End the staff sockets of ended sessions, on every process. Call after the commit."""
    for session_id in session_ids:
        publish.disconnect_login(str(session_id))


def sweep_staff_sessions() -> tuple[int, int]:
    """The deployment's once-only work: end sessions idle for too long (dropping their
    sockets), and delete those ended longer ago than KEPT_AFTER_END. Returns both counts."""
    now = clock.now()
    idle = db.session.scalars(
        select(StaffSession).where(
            StaffSession.ended_at.is_(None), StaffSession.last_seen_at < now - idle_timeout()
        )
    )
    ended = _end(idle, EndReason.IDLE)
    old = select(StaffSession.id).where(StaffSession.ended_at < now - KEPT_AFTER_END)
    purged = list(db.session.scalars(old))
    if purged:
        db.session.execute(delete(StaffSession).where(StaffSession.id.in_(purged)))
    db.session.commit()
    disconnect(ended)
    return len(ended), len(purged)


def idle_timeout() -> timedelta:
    """The idle minutes setting (STAFF_IDLE_MINUTES)."""
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime


def _end(
    sessions: Iterable[StaffSession], reason: EndReason, address: str | None = None
) -> list[int]:
    """Mark sessions ended, each recorded in the audit log (a logout as "logout")."""
    now = clock.now()
    ended = []
    for login in sessions:
        login.ended_at = now
        login.end_reason = reason.value
        ended.append(login.id)
        audit.record(
            "logout" if reason is EndReason.LOGOUT else "session_ended",
            audit.Actor(login.user_id, None, address),
            at=now,
            session=login.id,
            reason=reason.value,
        )
    return ended


def _by_token(token: str) -> StaffSession | None:
    return db.session.execute(
        select(StaffSession).where(StaffSession.token_digest == _digest(token))
    ).scalar_one_or_none()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
