"""Which kiosks and displays of each site are connected right now, and since when.

One process (no REDIS_URL): kept in this process's memory. A restart forgets it, and
every screen reconnects within seconds and is counted again.

Several processes (REDIS_URL): each process also writes its own sockets to a Redis hash
of its own, which expires unless the process renews it (`beat`, every few seconds from
a background task), and lists itself in a sorted set by the time of its last beat. Any
process then sees the screens connected to every live process; a process that dies
drops out within `ttl` seconds, and its screens reconnect elsewhere and are counted
there.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


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
        with self._lock:
            connections = list(self._by_sid.values())
        return _by_device(c for c in connections if c.site == site)


class SharedPresence(Presence):
    """This process's sockets in memory and in Redis; everyone's read from Redis."""

    def __init__(self, redis: Any, prefix: str, ttl: float = 30.0) -> None:
        from redis.exceptions import RedisError  # noqa: PLC0415  only with REDIS_URL

        super().__init__()
        self._errors = (RedisError, OSError)
        # A beat rewrites the whole hash: no socket's own write may land in between.
        self._writing = threading.Lock()
        self.redis = redis
        self.ttl = ttl
        self.process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._processes_key = f"{prefix}:presence"
        self._prefix = f"{prefix}:presence:"

    def arrive(self, sid: str, site: str, device: str | None, now: datetime) -> None:
        super().arrive(sid, site, device, now)
        entry = _encode(Connection(site, device, now))
        self._write(lambda pipe: pipe.hset(self._key(), sid, entry))

    def leave(self, sid: str) -> str | None:
        site = super().leave(sid)
        if site is not None:
            self._write(lambda pipe: pipe.hdel(self._key(), sid))
        return site

    def of_site(self, site: str) -> list[DevicePresence]:
        try:
            now = time.time()
            processes = self.redis.zrangebyscore(self._processes_key, now - self.ttl, "+inf")
            pipe = self.redis.pipeline(transaction=False)
            for process in processes:
                pipe.hvals(self._prefix + process.decode())
            rows = [row for values in pipe.execute() for row in values]
        except self._errors:
            log.warning("presence: Redis is unreachable; showing this process's screens only")
            return super().of_site(site)
        return _by_device(c for c in map(_decode, rows) if c.site == site)

    def beat(self) -> None:
        """Say this process is alive, and rewrite its sockets (Redis may have lost them)."""
        with self._writing:
            self._beat()

    def _beat(self) -> None:
        with self._lock:
            mine = {sid: _encode(c) for sid, c in self._by_sid.items()}
        now = time.time()
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(self._key())
            if mine:
                pipe.hset(self._key(), mapping=mine)
            pipe.expire(self._key(), max(1, round(self.ttl)))
            pipe.zadd(self._processes_key, {self.process: now})
            pipe.zremrangebyscore(self._processes_key, "-inf", now - self.ttl)
            pipe.execute()
        except self._errors:
            log.warning("presence: Redis is unreachable; will try again")

    def stop(self) -> None:
        """Take this process's sockets out of Redis (a clean shutdown)."""
        try:
            self.redis.delete(self._key())
            self.redis.zrem(self._processes_key, self.process)
        except self._errors:
            log.warning("presence: Redis is unreachable; our entries will expire")

    def beat_forever(self, sleep: Callable[[float], None]) -> None:
        while True:
            self.beat()
            sleep(self.ttl / 3)

    def _key(self) -> str:
        return self._prefix + self.process

    def _write(self, change: Callable[[Any], object]) -> None:
        with self._writing:
            self._write_now(change)

    def _write_now(self, change: Callable[[Any], object]) -> None:
        try:
            pipe = self.redis.pipeline(transaction=True)
            change(pipe)
            pipe.expire(self._key(), max(1, round(self.ttl)))
            pipe.execute()
        except self._errors:
            log.warning("presence: Redis is unreachable; the next beat writes it again")


def _encode(connection: Connection) -> str:
    return json.dumps([connection.site, connection.device, connection.since.isoformat()])


def _decode(raw: bytes) -> Connection:
    site, device, since = json.loads(raw)
    return Connection(site, device, datetime.fromisoformat(since))


def _by_device(connections: Iterable[Connection]) -> list[DevicePresence]:
    grouped: dict[str | None, list[Connection]] = {}
    for connection in connections:
        grouped.setdefault(connection.device, []).append(connection)
    found = [
        DevicePresence(device, min(c.since for c in group), len(group))
        for device, group in grouped.items()
    ]
    return sorted(found, key=lambda p: p.since)


def registry() -> Presence:
    """The app's registry: one per app (so tests do not share it), one app per process.

    Shared through Redis when the app has REDIS_URL (several processes serve the site).
    """
    found = current_app.extensions.get("waitroom.presence")
    if found is None:
        config = current_app.config
        if config.get("REDIS_URL"):
            from server.storage.locks import redis_client  # noqa: PLC0415

            found = SharedPresence(redis_client(config), config["REDIS_PREFIX"])
            found.beat()
        else:
            found = Presence()
        found = current_app.extensions.setdefault("waitroom.presence", found)
    return found
