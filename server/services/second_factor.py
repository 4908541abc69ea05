"""The administrators' second factor: a TOTP code (RFC 6238, pyotp) or a recovery code.

Enrolment is two steps: a new secret is kept unconfirmed and shown as a QR code; a right
code from the authenticator app confirms it, and ten recovery codes are shown once (only
their SHA-256 digests are kept: each is 80 random bits, so, like a session token, it
needs no slow hash; each is good once). A TOTP code is good once too: the last
time step used is kept, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp

from server import clock
from server.domain.errors import DomainError, NotFound
from server.extensions import db
from server.services import audit
from server.storage.models import User

ISSUER = "Waitroom"
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 20  # hexadecimal digits (80 bits), shown as four groups of five
MAX_CODE_LENGTH = 32


class WrongCode(DomainError):
    code = "wrong_code"
    status = 401


def start_enrolment(user: User) -> str:
    """A new, unconfirmed secret for the account; returns its otpauth:// URI (the QR
    code's content). An enrolled account keeps its factor until the new one is confirmed."""
    if user.totp_enabled:
        raise DomainError("The second factor is already on.", code="second_factor_on")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    if user.totp_secret is None:
        raise NotFound("Start the enrolment first.", code="no_enrolment")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def confirm_enrolment(user: User, code: str, address: str | None) -> list[str]:
    """Turn the second factor on with a right code; returns the recovery codes, once."""
    if user.totp_enabled or user.totp_secret is None:
        raise NotFound("Start the enrolment first.", code="no_enrolment")
    step = _totp_step(user, code)
    if step is None:
        raise WrongCode("code: that is not the code the app shows now.")
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    user.totp_enabled = True
    user.totp_last_step = step
    user.recovery_codes = [_digest(c) for c in codes]
    audit.record("second_factor_on", audit.Actor.staff(user, address), account=user.id)
    db.session.commit()
    return codes


def check_second_factor(user: User, code: str, address: str | None) -> bool:
    """At sign-in: a current TOTP code not used before, or an unused recovery code (then
    spent). A wrong code is recorded as a refused login."""
    code = code.strip()[:MAX_CODE_LENGTH]
    step = _totp_step(user, code)
    if step is not None:
        user.totp_last_step = step
        db.session.commit()
        return True
    if _spend_recovery_code(user, code):
        audit.record(
            "recovery_code_used",
            audit.Actor.staff(user, address),
            account=user.id,
            left=len(user.recovery_codes),
        )
        db.session.commit()
        return True
    audit.record("login_failed", audit.Actor(None, user.username, address), reason="wrong_code")
    db.session.commit()
    return False


def remove_second_factor(user: User, actor: audit.Actor) -> None:
    """Turn it off (a lost phone): the account signs in with its password alone again."""
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    audit.record("second_factor_off", actor, account=user.id, username=user.username)
    db.session.commit()


def _totp_step(user: User, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either side for a slow typist
    or clock), if it is right and newer than the last one used."""
    if user.totp_secret is None or not code.isdigit():
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = clock.now()
    last = user.totp_last_step if user.totp_last_step is not None else -1
    for drift in (0, -1, 1):
        moment = now.timestamp() + drift * totp.interval
        step = int(moment // totp.interval)
        # As bytes: isdigit() lets through digits beyond ASCII, which compare_digest
        # refuses as str.
        if secrets.compare_digest(totp.at(int(moment)).encode(), code.encode()) and step > last:
            return step
    return None


def _spend_recovery_code(user: User, code: str) -> bool:
    typed = _plain(code)
    if len(typed) != RECOVERY_CODE_LENGTH:  # a mistyped TOTP code: no hash to check
        return False
    digest = _digest(typed)
    if not any(secrets.compare_digest(digest, stored) for stored in user.recovery_codes):
        return False
    user.recovery_codes = [c for c in user.recovery_codes if c != digest]
    return True


def _plain(code: str) -> str:
    """A recovery code as hashed: lower case, without the dash or spaces people type."""
    return code.replace(" ", "").replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(_plain(code).encode()).hexdigest()


def _recovery_code() -> str:
    """Twenty hexadecimal digits in groups of five: easy to copy from paper."""
    raw = secrets.token_hex(RECOVERY_CODE_LENGTH // 2)
    return "-".join(raw[i : i + 5] for i in range(0, RECOVERY_CODE_LENGTH, 5))
