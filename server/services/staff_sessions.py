"""Staff sessions kept on the server, so that ending one ends it everywhere.

The cookie carries only a random token; the session store keeps its SHA-256 digest,
the account, and when it was last used: the `staff_sessions` table, or Redis when the
deployment has one (STAFF_SESSION_STORE, by default REDIS_URL; storage/session_store.py).
Every use looks it up (auth.py), so a session ends for every process at once when the
store says it ended: by logging out, a password change or a disabled account (all of
that account's sessions), or the idle timeout. Its staff sockets (room login:<id>) are
disconnected on every process too, and each end is an audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from flask import current_app

from server import clock
from server.extensions import db
from server.realtime import publish
from server.services import audit
from server.storage.models import User
from server.storage.session_store import SessionStore, StoredSession, session_store

# "Last seen" is written at most this often per session, not on every request; so the
# idle timeout may end a session up to this much early.
SEEN_EVERY = timedelta(minutes=1)
# Who logged in, when and from where is personal data: kept this long after the end
# (in the database store; Redis forgets a session when it ends, the audit log keeps it).
KEPT_AFTER_END = timedelta(days=30)
MAX_ADDRESS = 64
_STORE = "waitroom.staff_session_store"


class EndReason(StrEnum):
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a password)
    ACCOUNT_DISABLED = "account_disabled"
    IDLE = "idle"
    GROUPS_WITHDRAWN = "groups_withdrawn"  # hospital sign-in: its groups allow nothing now


@dataclass(frozen=True)
class StaffLogin:
    """A live staff session: its id (the room of its sockets) and its account."""

    id: int
    user: User


def start_staff_session(user: User, address: str | None, **how: str) -> str:
    """A new session for the account; returns the token, which only the cookie keeps.
    `how` goes into the login's audit entry (e.g. the identity provider and subject)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    login = store().start(_digest(token), user.id, (address or "")[:MAX_ADDRESS] or None, now)
    detail: dict[str, Any] = {"session": login.id, **how}
    audit.record("login", audit.Actor.staff(user, address), at=now, **detail)
    db.session.commit()
    return token


def staff_session_in_use(token: str) -> StaffLogin | None:
    """The live session of a token, or None: unknown, ended, idle too long, or its
    account disabled. A refused token changes nothing; a good one is noted as seen."""
    sessions = store()
    login = sessions.find(_digest(token))
    if login is None:
        return None
    user = db.session.get(User, login.user_id)
    now = clock.now()
    if user is None or not user.active:
        return None
    if now - login.last_seen_at > idle_timeout():
        return None  # the sweep ends it and drops its sockets
    if now - login.last_seen_at >= SEEN_EVERY:
        sessions.note_seen(login, now)
        db.session.commit()
    return StaffLogin(login.id, user)


def end_staff_session(token: str, address: str | None = None) -> None:
    """Log out: end this one session, and its sockets on every process."""
    login = store().find(_digest(token))
    if login is None:
        return
    ended = _end([login], EndReason.LOGOUT, address)
    db.session.commit()
    disconnect(ended)


def end_sessions_of(user: User, reason: EndReason) -> list[int]:
    """End every live session of the account, its audit entries in the caller's
    transaction. After its commit, `disconnect` the ids returned. (In Redis the
    sessions end at once: if the caller's change then fails, they stay ended.)"""
    if user.id is None:  # a new account has none
        return []
    return _end(store().live_of(user.id), reason)


def disconnect(session_ids: Iterable[int]) -> None:
    """End the staff sockets of ended sessions, on every process. Call after the commit."""
    for session_id in session_ids:
        publish.disconnect_login(str(session_id))


def sweep_staff_sessions() -> tuple[int, int]:
    """The deployment's once-only work: end sessions idle for too long (dropping their
    sockets), and delete those ended longer ago than KEPT_AFTER_END. Returns both counts."""
    now = clock.now()
    sessions = store()
    ended = _end(sessions.idle_before(now - idle_timeout()), EndReason.IDLE)
    forgotten = sessions.forget_ended_before(now - KEPT_AFTER_END)
    db.session.commit()
    disconnect(ended)
    return len(ended), forgotten


def idle_timeout() -> timedelta:
    """The idle minutes setting (STAFF_IDLE_MINUTES)."""
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime


def store() -> SessionStore:
    """This app's session store, made once from its settings."""
    extensions = current_app.extensions
    if _STORE not in extensions:
        extensions[_STORE] = session_store(current_app.config)
    found: SessionStore = extensions[_STORE]
    return found


def _end(
    sessions: Iterable[StoredSession], reason: EndReason, address: str | None = None
) -> list[int]:
    """End sessions, each recorded in the audit log (a logout as "logout"); one another
    process ended first is left to its audit entry."""
    now = clock.now()
    ended = []
    sessions_store = store()
    for login in sessions:
        if not sessions_store.end(login, reason.value, now):
            continue
        ended.append(login.id)
        audit.record(
            "logout" if reason is EndReason.LOGOUT else "session_ended",
            audit.Actor(login.user_id, None, address),
            at=now,
            session=login.id,
            reason=reason.value,
        )
    return ended


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
