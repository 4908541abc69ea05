"""Hospital sign-in (OpenID Connect): the account an identity provider's ID token signs in.

The transport (desk/sso.py) runs the protocol with authlib and hands over the checked
claims; here they become an account: made at the first sign-in if its groups give it a
role on a site here, its role and sites set from its groups at every sign-in, refused
when they give nothing. Every refusal is audited like a refused password login.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.domain import sso
from server.domain.errors import DomainError
from server.extensions import db
from server.services import audit, staff_sessions
from server.services.accounts import MAX_USERNAME_LENGTH, check_username
from server.services.staff_sessions import EndReason
from server.storage.models import Site, User, user_sites

# No password can match this (it is not an argon2 hash): an account made by sign-in
# has no local password until an admin gives it one.
NO_PASSWORD = "!oidc"  # noqa: S105  (a marker, not a password)
# A first sign-in that lost a race to make its account reads it again: two tries are
# enough for one race; three also cover another new account taking the same name.
SIGN_IN_ATTEMPTS = 3


class SignInRefused(DomainError):
    """Hospital sign-in refused; `code` says why, the message says it to people."""

    status = 403


class LocalPasswordsOff(DomainError):
    code = "local_passwords_off"
    status = 403


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: from a checked ID token."""

    issuer: str
    subject: str
    name: str  # the account's name if one is made
    groups: tuple[str, ...] | None  # None: the token carried no groups claim


def local_passwords_allowed() -> bool:
    return bool(current_app.config["LOCAL_PASSWORDS"])


def refuse_if_local_passwords_off(username: str, address: str | None) -> None:
    """Refuse a password login, audited, when only hospital sign-in is allowed."""
    if local_passwords_allowed():
        return
    audit.record("login_failed", audit.Actor(None, username, address), reason="local_passwords_off")
    db.session.commit()
    raise LocalPasswordsOff("Passwords are switched off here: sign in with your hospital account.")


def sign_in_account(identity: Identity, role_map: sso.RoleMap, address: str | None) -> User:
    """The account this identity signs in, made or brought up to date from its groups.
    Raises SignInRefused (after auditing it) when its groups give nothing here."""
    if identity.groups is None:
        raise refuse(
            "missing_groups",
            "Your hospital account sent no groups, so no role could be given.",
            address,
            identity,
        )
    known_sites = db.session.execute(select(Site.slug)).scalars()
    grant = sso.grant_for(identity.groups, role_map, known_sites)
    user = _account_of(identity)
    if grant is None:
        # The provider now says this person may not use Waitroom: their sessions open
        # elsewhere end too, rather than last while they are kept busy.
        ended = staff_sessions.end_sessions_of(user, EndReason.GROUPS_WITHDRAWN) if user else []
        refused = refuse(
            "no_allowed_group",
            "Your hospital account is not in a group that may use Waitroom here.",
            address,
            identity,
            account=user.id if user else None,
        )
        staff_sessions.disconnect(ended)
        raise refused
    if user is not None and not user.active:
        raise refuse("disabled", "This account is disabled.", address, identity, account=user.id)
    return _granted(user, identity, grant, address)


def refuse(
    reason: str,
    message: str,
    address: str | None,
    identity: Identity | None = None,
    **detail: Any,
) -> SignInRefused:
    """Audit a refused hospital sign-in (who the provider said, if it got that far) and
    return the error to raise."""
    name = identity.name if identity else None
    if identity is not None:
        detail.update(issuer=identity.issuer, subject=identity.subject)
    audit.record(
        "login_failed", audit.Actor(None, name, address), reason=reason, method="oidc", **detail
    )
    db.session.commit()
    return SignInRefused(message, code=reason)


def _account_of(identity: Identity) -> User | None:
    return db.session.execute(
        select(User).where(
            User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject
        )
    ).scalar_one_or_none()


def _granted(user: User | None, identity: Identity, grant: sso.Grant, address: str | None) -> User:
    """Make the account or bring it up to date. Two first sign-ins of one person at the
    same moment (two tabs, two processes) both find no account and both make one: the
    second to commit breaks the unique provider and subject (or the name) and is read
    again, then goes on as a sign-in of the account the first one made."""
    for _ in range(SIGN_IN_ATTEMPTS - 1):
        try:
            return _make_or_update(user, identity, grant, address)
        except IntegrityError:
            db.session.rollback()
            user = _account_of(identity)
    return _make_or_update(user, identity, grant, address)


def _make_or_update(
    user: User | None, identity: Identity, grant: sso.Grant, address: str | None
) -> User:
    """Make the account or set its role and sites; audit what changed."""
    actor = audit.Actor(None, identity.name, address)
    sites = list(db.session.execute(select(Site).where(Site.slug.in_(grant.sites))).scalars())
    if user is None:
        user = User(
            username=_free_name(identity.name),
            password_hash=NO_PASSWORD,
            role=grant.role,
            active=True,
            oidc_issuer=identity.issuer,
            oidc_subject=identity.subject,
            sites=sites,
        )
        db.session.add(user)
        db.session.flush()
        _set_site_roles(user, grant)
        audit.record(
            "account_added",
            actor,
            account=user.id,
            username=user.username,
            role=grant.role,
            sites=list(grant.sites),
            roles=_roles_of(user),
            method="oidc",
            subject=identity.subject,
        )
    elif user.role != grant.role or _roles_of(user) != {s: grant.role_on(s) for s in grant.sites}:
        before: dict[str, Any] = {
            "role": user.role,
            "sites": sorted(s.slug for s in user.sites),
            "roles": _roles_of(user),
        }
        user.role = grant.role
        user.sites = sites
        db.session.flush()
        _set_site_roles(user, grant)
        audit.record(
            "account_changed",
            actor,
            account=user.id,
            username=user.username,
            before=before,
            role=grant.role,
            sites=list(grant.sites),
            roles=_roles_of(user),
            method="oidc",
            subject=identity.subject,
        )
    db.session.commit()
    return user


def _roles_of(user: User) -> dict[str, str | None]:
    return {s.slug: user.role_on(s) for s in user.sites}


def _set_site_roles(user: User, grant: sso.Grant) -> None:
    """Each site's role from the groups: NULL where it is the account's own."""
    for site in user.sites:
        role = grant.role_on(site.slug)
        db.session.execute(
            update(user_sites)
            .where(user_sites.c.user_id == user.id, user_sites.c.site_id == site.id)
            .values(role=None if role == grant.role else role)
        )
    db.session.expire(user, ["site_roles"])


def _free_name(wanted: str) -> str:
    """The provider's name for the account if no account has it, else with ~2, ~3...:
    an existing (local) account's name is never reused."""
    base = _usable(wanted)[: MAX_USERNAME_LENGTH - 4]
    name, n = base, 1
    while db.session.execute(select(User.id).where(User.username == name)).first():
        n += 1
        name = f"{base}~{n}"
    return name


def _usable(wanted: str) -> str:
    try:
        return check_username(wanted.strip()[:MAX_USERNAME_LENGTH].strip())
    except DomainError:
        return "sso-user"
