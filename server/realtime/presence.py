"""Which kiosks and displays of each site are connected right now, and since when.

Kept in this process's memory: a server restart forgets it, and every screen reconnects
within seconds and is counted again. With several server processes (REDIS_URL) each
process only knows its own sockets; sharing presence through Redis is left for later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app


@dataclass(frozen=True)
class Connection:
    """One open socket of a kiosk or display. `device` is None when it gave no code."""

    site: str
    device: str | None
    since: datetime


@dataclass(frozen=True)
class DevicePresence:
    """A device's sockets taken together: connected since the oldest of them."""

    device: str | None
    since: datetime
    sockets: int


class Presence:
    """Open kiosk and display sockets, by Socket.IO session id."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._lock = threading.Lock()

    def arrive(self, sid: str, site: str, device: str | None, now: datetime) -> None:
        with self._lock:
            self._by_sid[sid] = Connection(site, device, now)

    def leave(self, sid: str) -> str | None:
        """Forget a socket; returns its site, or None if it was not a kiosk or display."""
        with self._lock:
            connection = self._by_sid.pop(sid, None)
        return connection.site if connection else None

    def of_site(self, site: str) -> list[DevicePresence]:
        """One entry per device code (None for sockets that gave none), oldest first."""
        grouped: dict[str | None, list[Connection]] = {}
        with self._lock:
            for connection in self._by_sid.values():
                if connection.site == site:
                    grouped.setdefault(connection.device, []).append(connection)
        found = [
            DevicePresence(device, min(c.since for c in group), len(group))
            for device, group in grouped.items()
        ]
        return sorted(found, key=lambda p: p.since)


def registry() -> Presence:
    """The app's registry: one per app (so tests do not share it), one app per process."""
    return current_app.extensions.setdefault("waitroom.presence", Presence())
