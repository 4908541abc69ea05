"""Leases: work that must happen once per deployment, however many processes serve it.

A lease is tried, never waited for: `hold()` answers at once whether this process
holds it now (taking it if it is free, keeping it if it is ours). The process that
holds it does the work; the others try again on their next turn, so when the holder
dies another one takes over.

- PostgreSQL: a session advisory lock on a connection of its own. The server lets go
  of it the moment that connection ends, so a killed holder is replaced on the next try.
- Redis (a deployment on SQLite with REDIS_URL): a key with an expiry, renewed by each
  `hold()`. A killed holder is replaced once the key expires.
- One process on SQLite: nobody to share with; the lease is always held.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

# Renew the key only if it is still ours; give it back only if it is still ours.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Lease(Protocol):
    def hold(self) -> bool:
        """True if this process holds the lease now (taken or kept); never blocks."""

    def release(self) -> None:
        """Give the lease back if this process holds it."""


class LocalLease:
    """One process: the lease is always ours."""

    def hold(self) -> bool:
        return True

    def release(self) -> None:
        pass


class PostgresLease:
    """A session advisory lock, keyed by the schema in use and the lease's name.

    Advisory locks are per database, so the schema is part of the key: two deployments
    (or test runs) in different schemas of one database do not share a lease.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._connection: Connection | None = None

    def hold(self) -> bool:
        try:
            if self._connection is not None:
                self._connection.execute(text("SELECT 1"))  # still there: still ours
                self._connection.commit()
                return True
            connection = self.engine.connect()
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(hashtext(current_schema()), hashtext(:name))"),
                {"name": self.name},
            ).scalar_one()
            connection.commit()
        except DBAPIError:
            self._forget()
            return False
        if taken:
            self._connection = connection
        else:
            connection.close()
        return bool(taken)

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext(:name))"),
                {"name": self.name},
            )
            self._connection.commit()
        except DBAPIError:
            pass  # the connection is gone, and the lock with it
        self._forget()

    def _forget(self) -> None:
        if self._connection is not None:
            try:
                # Never hand this connection back to the pool: its session held the lock.
                self._connection.invalidate()
                self._connection.close()
            except DBAPIError:
                pass
        self._connection = None


class RedisLease:
    """A key that expires `ttl` seconds after its holder last renewed it."""

    def __init__(self, redis: Any, key: str, ttl: float) -> None:
        from redis.exceptions import RedisError  # noqa: PLC0415  only with REDIS_URL

        self._errors: tuple[type[Exception], ...] = (RedisError, OSError)
        self.redis = redis
        self.key = key
        self.ttl_ms = max(1, int(ttl * 1000))
        self.token = uuid.uuid4().hex  # who holds it: this lease object, in this process

    def hold(self) -> bool:
        try:
            if self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms):
                return True
            return bool(self.redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        except self._errors:  # Redis is away: so is the lease, until it is back
            return False

    def release(self) -> None:
        with contextlib.suppress(*self._errors):  # if Redis is away, the key expires alone
            self.redis.eval(_RELEASE, 1, self.key, self.token)


def deployment_lease(config: dict[str, Any], engine: Engine, name: str, ttl: float) -> Lease:
    """The lease that fits the deployment: PostgreSQL's, else Redis's, else a local one.

    `ttl` matters only for Redis: how long a dead holder keeps others waiting.
    """
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine, name)
    if config.get("REDIS_URL"):
        return RedisLease(redis_client(config), f"{config['REDIS_PREFIX']}:lease:{name}", ttl)
    return LocalLease()


def redis_client(config: dict[str, Any]) -> Any:
    import redis  # noqa: PLC0415  only deployments with REDIS_URL need the package

    return redis.Redis.from_url(config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=5)
