"""The rules of staff accounts: roles, new passwords, pairing codes. Pure: the list of
common passwords and the clock's `now` are handed in."""

from __future__ import annotations

import string
from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

from server.domain.errors import DomainError

MIN_PASSWORD_LENGTH = 12  # NIST SP 800-63B: at least 8; we ask 12
MAX_PASSWORD_LENGTH = 256
# Pairing codes: six characters a person reads off a TV and types, so no 0/O, 1/I/L.
PAIRING_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")
PAIRING_CODE_LENGTH = 6
PAIRING_CODE_LIFETIME = timedelta(minutes=10)
# A password reset link works once, within this time of being made.
RESET_LINK_LIFETIME = timedelta(hours=24)


class Role(StrEnum):
    """What an account may do on its sites."""

    STAFF = "staff"  # the front desk
    MANAGER = "manager"  # the reports and the feedback inbox, not the desk
    ADMIN = "admin"  # everything, and the configuration


class WeakPassword(DomainError):
    code = "weak_password"
    status = 422


class BadRole(DomainError):
    code = "bad_role"
    status = 422


def role_of(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise BadRole(f"role: must be one of {names}.") from None


def check_new_password(password: str, *, username: str, common: Collection[str]) -> None:
    """NIST SP 800-63B: long enough, not a commonly used password, not the account's
    own name; no other composition rule (no "one digit, one symbol")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"password: at least {MIN_PASSWORD_LENGTH} characters, please.",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"password: at most {MAX_PASSWORD_LENGTH} characters, please.")
    folded = password.casefold()
    if folded in common:
        raise WeakPassword("password: this is one of the most common passwords; choose another.")
    if username and username.casefold() in folded:
        raise WeakPassword("password: it may not contain the username.")
    if len(set(folded)) < 3:
        raise WeakPassword("password: it repeats too few characters; choose another.")


def normalise_pairing_code(code: str) -> str:
    """What a person typed, as stored: capitals, without spaces or dashes."""
    return "".join(c for c in code.upper() if c not in " -")


def pairing_code_live(created_at: datetime, now: datetime) -> bool:
    return now - created_at < PAIRING_CODE_LIFETIME


def reset_link_live(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now < expires_at
