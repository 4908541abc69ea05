"""Screens paired with devices: nobody types ?device= on a TV remote.

A kiosk or display opened with no device is a new screen: it gets a random token (its
long-lived cookie; the table keeps only the SHA-256 digest) and shows a six-character
code. An administrator types the code at /admin/devices and picks one of the site's
kiosks or displays; from then on that browser is that device. Codes expire after
PAIRING_CODE_LIFETIME (the screen then shows a new one) and wrong codes spend a guess
budget (server/guesses.py). Unpairing ends the token at once: the next use finds it
ended and the screen shows a new code.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server import clock
from server.domain.errors import BadInput, DomainError, NotFound
from server.domain.staff import (
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    PAIRING_CODE_LIFETIME,
    normalise_pairing_code,
    pairing_code_live,
)
from server.extensions import db
from server.realtime import publish
from server.services import audit
from server.storage import queries
from server.storage.models import Device, ScreenPairing

KINDS = ("kiosk", "display")


class UnknownPairingCode(NotFound):
    code = "unknown_pairing_code"


class ScreenUnpaired(DomainError):
    """A page still showing a device its screen was unpaired from."""

    code = "screen_unpaired"


@dataclass(frozen=True)
class Screen:
    """What a browser is: a paired device, or a new screen showing its code."""

    token: str
    device: Device | None = None
    code: str | None = None
    expires_in: int = 0  # seconds the code has left


def screen_for(kind: str, token: str | None) -> Screen:
    """The screen of this browser's token: its device once paired, else its code (a new
    one if it expired). An unknown or ended token gets a new screen and token."""
    if kind not in KINDS:
        raise BadInput("kind: kiosk or display.")
    now = clock.now()
    row = _live(token) if token else None
    if row is None or row.kind != kind:
        token = secrets.token_urlsafe(32)
        row = ScreenPairing(token_digest=_digest(token), kind=kind, created_at=now)
        db.session.add(row)
        _new_code(row, now)
        db.session.commit()
    assert token is not None
    if row.device is not None:
        return Screen(token, device=row.device)
    if not pairing_code_live(row.created_at, now):
        _new_code(row, now)
        db.session.commit()
    left = PAIRING_CODE_LIFETIME - (now - row.created_at)
    return Screen(token, code=row.code, expires_in=int(left.total_seconds()))


def paired_device(token: str | None) -> Device | None:
    """The device a browser's token was paired with, if it still is."""
    row = _live(token) if token else None
    return row.device if row is not None else None


def pair_screen(site_slug: str, code: str, device_code: str, actor: audit.Actor) -> Device:
    """Make the screen showing `code` the site's device `device_code` (of the same kind)."""
    site = queries.get_site(site_slug)
    device = next((d for d in site.devices if d.active and d.code == device_code), None)
    if device is None:
        raise NotFound(
            f"device: {site.name} has no kiosk or display {device_code!r}.", code="unknown_device"
        )
    now = clock.now()
    typed = normalise_pairing_code(code)
    row = db.session.execute(
        select(ScreenPairing).where(
            ScreenPairing.code == typed,
            ScreenPairing.ended_at.is_(None),
            ScreenPairing.device_id.is_(None),
        )
    ).scalar_one_or_none()
    if row is None or not pairing_code_live(row.created_at, now):
        raise UnknownPairingCode("code: no screen shows this code; it may have expired.")
    if row.kind != device.kind:
        raise UnknownPairingCode(f"code: this screen is a {row.kind}, not a {device.kind}.")
    row.device_id = device.id
    row.code = None
    row.paired_at = now
    audit.record("screen_paired", actor, site_id=site.id, screen=row.id, device=device.code)
    db.session.commit()
    return device


def unpair_screen(site_slug: str, screen_id: int, actor: audit.Actor) -> None:
    """The screen's cookie stops working at once; it shows a new code when next opened."""
    site = queries.get_site(site_slug)
    row = db.session.get(ScreenPairing, screen_id)
    if (
        row is None
        or row.ended_at is not None
        or row.device is None
        or row.device.site_id != site.id
    ):
        raise NotFound("There is no such paired screen on this site.", code="unknown_screen")
    row.ended_at = clock.now()
    audit.record("screen_unpaired", actor, site_id=site.id, screen=row.id, device=row.device.code)
    db.session.commit()
    publish.disconnect_screen(row.id)


def screen_of_socket(token: str | None, site_slug: str, device_code: str | None) -> int | None:
    """The paired screen a kiosk's or display's socket belongs to (its sockets' room), or
    None for a browser that is no paired screen (e.g. one with ?device= in its address).
    A page still showing the device its screen was unpaired from is refused."""
    row = _pairing_of(token) if token else None
    if row is None or row.device is None:
        return None
    device = row.device
    if device.code != device_code or device.site.slug != site_slug:
        return None
    if row.ended_at is not None:
        raise ScreenUnpaired("This screen was unpaired: load the page again.")
    return row.id


def paired_screens(site_slug: str) -> list[dict[str, Any]]:
    """The site's devices, each with its paired screens, for the console."""
    site = queries.get_site(site_slug)
    devices = sorted((d for d in site.devices if d.active), key=lambda d: (d.kind, d.name))
    rows = db.session.scalars(
        select(ScreenPairing)
        .where(
            ScreenPairing.device_id.in_([d.id for d in devices]), ScreenPairing.ended_at.is_(None)
        )
        .order_by(ScreenPairing.paired_at)
    ).all()
    return [
        {
            "code": d.code,
            "kind": d.kind,
            "name": d.name,
            "screens": [
                {"id": r.id, "paired_at": r.paired_at} for r in rows if r.device_id == d.id
            ],
        }
        for d in devices
    ]


def _new_code(row: ScreenPairing, now: Any) -> None:
    """A code no other waiting screen shows."""
    while True:
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        taken = db.session.execute(
            select(ScreenPairing.id).where(ScreenPairing.code == code)
        ).first()
        if taken is None:
            break
    row.code = code
    row.created_at = now


def _live(token: str) -> ScreenPairing | None:
    row = _pairing_of(token)
    return row if row is not None and row.ended_at is None else None


def _pairing_of(token: str) -> ScreenPairing | None:
    return db.session.execute(
        select(ScreenPairing).where(ScreenPairing.token_digest == _digest(token))
    ).scalar_one_or_none()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
