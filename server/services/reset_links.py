"""One-time password reset links: an administrator makes one for a staff account and
hands it over (a message, a note); the holder chooses a new password with it.

The link carries a random token; the account keeps only its SHA-256 digest and when it
expires (RESET_LINK_LIFETIME). It works once: using it clears both in one conditional
UPDATE, so of two uses at once only one sets a password. A new link replaces the last
one, and so does a temporary password (services/accounts.py). Using it ends every
session of the account, and their staff sockets, on every process. Making a link
changes nothing else: the old password works until the link is used.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from server import clock
from server.domain.errors import DomainError
from server.domain.staff import RESET_LINK_LIFETIME, reset_link_live
from server.extensions import db
from server.services import accounts, audit, staff_sessions
from server.services.sso import LocalPasswordsOff, local_passwords_allowed
from server.storage.models import User


class ResetLinkGone(DomainError):
    code = "reset_link_gone"
    status = 410


class AccountDisabled(DomainError):
    code = "account_disabled"
    status = 409


@dataclass(frozen=True)
class ResetLink:
    """A link's token, shown once to the administrator who made it."""

    username: str
    token: str
    expires_at: datetime


def make_reset_link(username: str, *, actor: audit.Actor, allowed: Sequence[str]) -> ResetLink:
    """A new one-time link for an account an administrator of `allowed` manages."""
    if not local_passwords_allowed():
        raise LocalPasswordsOff("Passwords are switched off here: staff sign in with the hospital.")
    user = accounts.account_to_manage(username, allowed)
    if not user.active:
        raise AccountDisabled(f"{username} is disabled: enable the account first.")
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + RESET_LINK_LIFETIME
    user.reset_digest = _digest(token)
    user.reset_expires_at = expires_at
    audit.record(
        "password_reset_link",
        actor,
        account=user.id,
        username=username,
        expires_at=expires_at.isoformat(),
    )
    db.session.commit()
    return ResetLink(username, token, expires_at)


def account_of_reset_link(token: str) -> User:
    """The account a live link is for; refused when it was used, replaced or expired."""
    user = db.session.execute(
        select(User).where(User.reset_digest == _digest(token))
    ).scalar_one_or_none()
    if user is None or not user.active or not reset_link_live(user.reset_expires_at, clock.now()):
        raise ResetLinkGone(
            "This link does not work any more: it was used, or it expired. "
            "Ask your administrator for a new one."
        )
    return user


def use_reset_link(token: str, password: str, address: str | None) -> User:
    """Set the account's password with its link; the link is spent, and every session of
    the account ends (its sockets dropped on every process)."""
    user = account_of_reset_link(token)
    accounts.check_password(password, user.username)
    spent = db.session.execute(
        update(User)
        .where(User.id == user.id, User.reset_digest == _digest(token))
        .values(reset_digest=None, reset_expires_at=None)
        .execution_options(synchronize_session="fetch")
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # used a moment ago
        db.session.rollback()
        raise ResetLinkGone(
            "This link was used a moment ago. Ask your administrator for a new one."
        )
    accounts.set_password_hash(user, password)
    ended = staff_sessions.end_sessions_of(user, staff_sessions.EndReason.PASSWORD_CHANGED)
    audit.record("password_set_by_link", audit.Actor.staff(user, address), account=user.id)
    db.session.commit()
    staff_sessions.disconnect(ended)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
