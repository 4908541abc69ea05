"""Staff accounts: made with the CLI or the console (/admin/staff), checked at login.

One set of rules for both: a username, a role, the sites, and a new password as NIST
SP 800-63B asks (server/domain/staff.py). No default password exists. An administrator
never chooses someone's password: a new account or a reset gets a generated temporary
one, shown once, which must be changed at the next sign-in. Every change is audited with
what was before and after (never a password).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from server.domain.errors import BadInput, DomainError, NotFound
from server.domain.staff import (
    MIN_PASSWORD_LENGTH,
    Role,
    WeakPassword,
    check_new_password,
    role_of,
)
from server.domain.text import check_line
from server.extensions import db
from server.services import audit, second_factor, staff_sessions
from server.storage.models import Site, User, user_sites

# staff: the desk; manager: the reports (and feedback), not the desk; admin: both and
# the site's settings.
ROLES = tuple(role.value for role in Role)
MAX_USERNAME_LENGTH = 64
__all__ = ["MIN_PASSWORD_LENGTH", "ROLES"]
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


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (Xato's list of 10 million, as the zxcvbn
    package ships it), folded to lower case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415  (big: on first use)

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def check_password(password: str, username: str) -> None:
    """The one rule for a new password, wherever it is set."""
    check_new_password(password, username=username, common=common_passwords())


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
    role_of(role)
    check_password(password, username)
    sites = [_site(slug) for slug in site_slugs]
    if not sites:
        raise DomainError("Give at least one site the account may use.", code="no_sites")
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    created = user is None
    if user is None:
        user = User(username=username)
        db.session.add(user)
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False
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
    _void_reset_link(user)
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


# --- The console (/admin/staff) --------------------------------------------------------


class AccountExists(DomainError):
    code = "account_exists"
    status = 409


class OwnAccount(DomainError):
    code = "own_account"
    status = 409


@dataclass(frozen=True)
class TemporaryPassword:
    """A generated password, shown once to the administrator who asked for it."""

    username: str
    password: str


def accounts_of(site_slugs: Sequence[str]) -> list[dict[str, Any]]:
    """The accounts that may use any of these sites, for an administrator of them."""
    users = db.session.scalars(select(User).order_by(User.username)).all()
    wanted = set(site_slugs)
    return [_account_facts(user) for user in users if wanted & {s.slug for s in user.sites}]


def create_account(
    username: str,
    role: str,
    site_slugs: Sequence[str],
    *,
    actor: audit.Actor,
    allowed: Sequence[str],
) -> TemporaryPassword:
    """A new account with a temporary password it must change at its first sign-in."""
    check_username(username)
    chosen = role_of(role)
    sites = _sites_allowed(site_slugs, allowed)
    if _find(username) is not None:
        raise AccountExists(f"username: there is already an account called {username!r}.")
    password = generate_password()
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=chosen.value,
        active=True,
        must_change_password=True,
        sites=sites,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account_added", actor, account=user.id, after=_account_facts(user))
    db.session.commit()
    return TemporaryPassword(username, password)


def change_account(
    username: str,
    role: str,
    site_slugs: Sequence[str],
    *,
    actor: audit.Actor,
    allowed: Sequence[str],
) -> None:
    """Another role or other sites for an account (sites outside `allowed` are kept)."""
    user = _account(username, allowed)
    chosen = role_of(role)
    if user.id == actor.user_id and chosen is not Role.ADMIN:
        raise OwnAccount("role: you may not take away your own administrator role.")
    before = _account_facts(user)
    kept = [s for s in user.sites if s.slug not in allowed]
    user.sites = kept + _sites_allowed(site_slugs, allowed)
    user.role = chosen.value
    audit.record(
        "account_changed", actor, account=user.id, before=before, after=_account_facts(user)
    )
    db.session.commit()


def set_site_role(
    username: str, site_slug: str, role: str, *, actor: audit.Actor, allowed: Sequence[str]
) -> None:
    """The account's role on one of its sites; "" gives it back the account's own role.
    An administrator may not make themselves less than an administrator there."""
    user = _account(username, allowed)
    site = next((s for s in user.sites if s.slug == site_slug and s.slug in allowed), None)
    if site is None:
        raise NotFound(f"site: {username} does not use {site_slug!r}.", code="unknown_site")
    chosen = role_of(role).value if role else None
    if user.id == actor.user_id and (chosen or user.role) != Role.ADMIN.value:
        raise OwnAccount("role: you may not take away your own administrator role.")
    before = _account_facts(user)
    db.session.execute(
        update(user_sites)
        .where(user_sites.c.user_id == user.id, user_sites.c.site_id == site.id)
        .values(role=chosen)
    )
    db.session.expire(user, ["site_roles"])
    audit.record(
        "account_changed",
        actor,
        site_id=site.id,
        account=user.id,
        before=before,
        after=_account_facts(user),
    )
    db.session.commit()


def admin_sites(user: User) -> list[str]:
    """The sites on which the account is an administrator: whose accounts it manages."""
    return [s.slug for s in user.sites if user.role_on(s) == Role.ADMIN.value]


def reset_password(
    username: str, *, actor: audit.Actor, allowed: Sequence[str]
) -> TemporaryPassword:
    """A new temporary password; the account's sessions end at once, on every process."""
    user = _account(username, allowed)
    password = generate_password()
    user.password_hash = _hasher.hash(password)
    user.must_change_password = True
    _void_reset_link(user)
    ended = staff_sessions.end_sessions_of(user, staff_sessions.EndReason.PASSWORD_CHANGED)
    audit.record("password_reset", actor, account=user.id, username=username)
    db.session.commit()
    staff_sessions.disconnect(ended)
    return TemporaryPassword(username, password)


def set_account_active(
    username: str, active: bool, *, actor: audit.Actor, allowed: Sequence[str]
) -> None:
    """Disable an account (its sessions end at once, on every process) or enable it."""
    user = _account(username, allowed)
    if user.id == actor.user_id:
        raise OwnAccount("You may not disable your own account.")
    if not active:
        disable_user(username, actor=actor)
        return
    user.active = True
    audit.record("account_enabled", actor, account=user.id, username=username)
    db.session.commit()


def remove_second_factor_of(username: str, *, actor: audit.Actor, allowed: Sequence[str]) -> None:
    """An administrator turns off someone's second factor (a lost phone)."""
    second_factor.remove_second_factor(_account(username, allowed), actor)


def set_own_password(user: User, password: str, address: str | None) -> None:
    """The account's own new password (a temporary one is changed this way). Its other
    sessions end, on every process."""
    check_password(password, user.username)
    if user.must_change_password and _verifies(user.password_hash, password):
        raise WeakPassword("password: choose a new one, not the temporary one.")
    set_password_hash(user, password)
    _void_reset_link(user)
    ended = staff_sessions.end_sessions_of(user, staff_sessions.EndReason.PASSWORD_CHANGED)
    audit.record("password_changed", audit.Actor.staff(user, address), account=user.id)
    db.session.commit()
    staff_sessions.disconnect(ended)


def set_password_hash(user: User, password: str) -> None:
    """The account's new password (already checked), its own: nothing to change later."""
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False


def account_to_manage(username: str, allowed: Sequence[str]) -> User:
    """An account an administrator of the `allowed` sites may manage."""
    return _account(username, allowed)


def account_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _void_reset_link(user: User) -> None:
    """A reset link (services/reset_links.py) stops working once the password changes
    another way, or the account is disabled."""
    user.reset_digest = None
    user.reset_expires_at = None


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _account_facts(user: User) -> dict[str, Any]:
    """What the console shows and the audit log keeps of an account: never a secret."""
    return {
        "username": user.username,
        "role": user.role,
        "sites": sorted(s.slug for s in user.sites),
        # Roles that differ per site: {site: role}.
        "site_roles": {s.slug: user.role_on(s) for s in user.sites if user.role_on(s) != user.role},
        "active": user.active,
        "must_change_password": user.must_change_password,
        "second_factor": user.totp_enabled,
    }


def _find(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _account(username: str, allowed: Sequence[str]) -> User:
    """An account an administrator of the `allowed` sites may manage."""
    user = _find(username)
    if user is None or not {s.slug for s in user.sites} & set(allowed):
        raise NotFound(
            f"There is no account called {username!r} on your sites.", code="unknown_user"
        )
    return user


def _sites_allowed(site_slugs: Sequence[str], allowed: Sequence[str]) -> list[Site]:
    if not site_slugs:
        raise BadInput("sites: give at least one site the account may use.")
    outside = [slug for slug in site_slugs if slug not in allowed]
    if outside:
        raise NotFound(f"sites: you do not administer {outside[0]!r}.", code="unknown_site")
    return [_site(slug) for slug in dict.fromkeys(site_slugs)]
