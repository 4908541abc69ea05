"""Staff accounts: made with the CLI, checked at login. No default password exists."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from server.domain.errors import BadInput, DomainError, NotFound
from server.domain.text import check_line
from server.extensions import db
from server.services import audit, staff_sessions
from server.storage.models import Site, User

# staff: the desk; manager: the reports (and feedback), not the desk; admin: both and
# the site's settings.
ROLES = ("staff", "manager", "admin")
MAX_USERNAME_LENGTH = 64
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_username(username: str) -> str:
    """The one rule for a username, where accounts are made and where staff log in: one
    to 64 characters, no control character, no space at either end (login trims them)."""
    check_line(username, field="username", max_length=MAX_USERNAME_LENGTH)
    if not username.strip():
        raise BadInput("username: give a name.")
    if username != username.strip():
        raise BadInput("username: no spaces at either end.")
    return username


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def add_user(
    username: str,
    password: str,
    role: str,
    site_slugs: Sequence[str],
    *,
    actor: audit.Actor | None = None,
) -> User:
    """Create an account, or reset the password, role and sites of an existing one."""
    check_username(username)
    if role not in ROLES:
        raise DomainError(f"Role must be one of {', '.join(ROLES)}.", code="bad_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
        )
    sites = [_site(slug) for slug in site_slugs]
    if not sites:
        raise DomainError("Give at least one site the account may use.", code="no_sites")
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    created = user is None
    if user is None:
        user = User(username=username)
        db.session.add(user)
    user.password_hash = _hasher.hash(password)
    user.role = role
    user.active = True
    user.sites = sites
    # A new password ends every session logged in with the old one, sockets included.
    ended = staff_sessions.end_sessions_of(user, staff_sessions.EndReason.PASSWORD_CHANGED)
    db.session.flush()
    audit.record(
        "account_added" if created else "account_changed",
        actor,
        account=user.id,
        username=username,
        role=role,
        sites=[s.slug for s in sites],
        password_changed=True,
    )
    db.session.commit()
    staff_sessions.disconnect(ended)
    return user


def disable_user(username: str, *, actor: audit.Actor | None = None) -> User:
    """Disable an account: it can no longer log in, and its sessions end at once."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"There is no account called {username!r}.", code="unknown_user")
    user.active = False
    ended = staff_sessions.end_sessions_of(user, staff_sessions.EndReason.ACCOUNT_DISABLED)
    audit.record("account_disabled", actor, account=user.id, username=username)
    db.session.commit()
    staff_sessions.disconnect(ended)
    return user


def authenticate(username: str, password: str, address: str | None = None) -> User | None:
    """The account, if the password is its own and it is active. A refusal is recorded
    in the audit log with the name tried and the address (never the password)."""
    try:
        check_username(username)
    except BadInput:
        refuse_login(username, address, "bad_name")  # no account can have this name
        return None
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        refuse_login(username, address, "unknown_user" if user is None else "wrong_password")
        return None
    if user is None or not user.active:
        refuse_login(username, address, "unknown_user" if user is None else "disabled")
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def refuse_login(username: str, address: str | None, reason: str) -> None:
    """Record a refused login: the name tried, the address and why (never the password);
    "too_many_attempts" when a guess budget refused it before the password was tested."""
    audit.record("login_failed", audit.Actor(None, username, address), reason=reason)
    db.session.commit()


def _site(slug: str) -> Site:
    site = db.session.execute(select(Site).where(Site.slug == slug)).scalar_one_or_none()
    if site is None:
        raise NotFound(f"There is no site called {slug!r}.", code="unknown_site")
    return site
