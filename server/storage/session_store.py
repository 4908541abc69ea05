"""Where staff sessions are kept: the database, or Redis when the deployment has one.

Both stores answer the same questions (services/staff_sessions.py asks them): start a
session, find a live one by its token's digest, note it seen, end it, and list an
account's live sessions or those idle since a time. Neither ever holds the token itself.

- `DatabaseSessionStore`: the `staff_sessions` table, written in the caller's
  transaction. Ended sessions stay, with when and why, until `forget_ended_before`.
- `RedisSessionStore` (STAFF_SESSION_STORE names a Redis URL; by default REDIS_URL):
  one key per live session, written at once. Ending a session deletes its key, so
  there is nothing ended to forget: the audit log keeps who, when and why.

Times are the app's clock's (server/clock.py), never Redis's, so an idle timeout means
the same in both; a Redis expiry only clears what a stopped server left behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import CursorResult, delete, select, update

from server.extensions import db
from server.storage.models import StaffSession


@dataclass(frozen=True)
class StoredSession:
    """A live session as the store keeps it."""

    id: int  # the key of its sockets' room (login:<id>) and of its audit entries
    digest: str  # SHA-256 of the token the cookie holds
    user_id: int
    last_seen_at: datetime


class SessionStore(Protocol):
    def start(
        self, digest: str, user_id: int, address: str | None, now: datetime
    ) -> StoredSession: ...

    def find(self, digest: str) -> StoredSession | None:
        """The live (not ended) session of a digest."""

    def note_seen(self, session: StoredSession, now: datetime) -> None: ...

    def end(self, session: StoredSession, reason: str, now: datetime) -> bool:
        """End a session; False if it had already ended (another process was first)."""

    def live_of(self, user_id: int) -> list[StoredSession]: ...

    def idle_before(self, cutoff: datetime) -> list[StoredSession]:
        """Live sessions last seen before `cutoff`."""

    def forget_ended_before(self, cutoff: datetime) -> int:
        """Delete what is kept of sessions ended before `cutoff`; how many."""


def session_store(config: Mapping[str, Any]) -> SessionStore:
    """The store the settings name: "database", or a redis:// URL."""
    where = config.get("STAFF_SESSION_STORE") or "database"
    if where == "database":
        return DatabaseSessionStore()
    import redis  # noqa: PLC0415  only deployments with Redis need the package

    client = redis.Redis.from_url(where, socket_timeout=5, socket_connect_timeout=5)
    idle: timedelta = config["PERMANENT_SESSION_LIFETIME"]
    return RedisSessionStore(client, config["REDIS_PREFIX"], expire_after=idle + timedelta(days=1))


class DatabaseSessionStore:
    """The `staff_sessions` table; every change is the caller's to commit."""

    def start(self, digest: str, user_id: int, address: str | None, now: datetime) -> StoredSession:
        row = StaffSession(
            token_digest=digest, user_id=user_id, created_at=now, last_seen_at=now, address=address
        )
        db.session.add(row)
        db.session.flush()
        return _stored(row)

    def find(self, digest: str) -> StoredSession | None:
        row = db.session.execute(
            select(StaffSession).where(
                StaffSession.token_digest == digest, StaffSession.ended_at.is_(None)
            )
        ).scalar_one_or_none()
        return _stored(row) if row is not None else None

    def note_seen(self, session: StoredSession, now: datetime) -> None:
        db.session.execute(
            update(StaffSession).where(StaffSession.id == session.id).values(last_seen_at=now)
        )

    def end(self, session: StoredSession, reason: str, now: datetime) -> bool:
        # One UPDATE that only a live row matches: of two processes ending it, one wins.
        result = db.session.execute(
            update(StaffSession)
            .where(StaffSession.id == session.id, StaffSession.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )
        return _rows(result) == 1

    def live_of(self, user_id: int) -> list[StoredSession]:
        live = select(StaffSession).where(
            StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)
        )
        return [_stored(row) for row in db.session.scalars(live)]

    def idle_before(self, cutoff: datetime) -> list[StoredSession]:
        idle = select(StaffSession).where(
            StaffSession.ended_at.is_(None), StaffSession.last_seen_at < cutoff
        )
        return [_stored(row) for row in db.session.scalars(idle)]

    def forget_ended_before(self, cutoff: datetime) -> int:
        result = db.session.execute(delete(StaffSession).where(StaffSession.ended_at < cutoff))
        return _rows(result)


def _stored(row: StaffSession) -> StoredSession:
    return StoredSession(row.id, row.token_digest, row.user_id, row.last_seen_at)


def _rows(result: object) -> int:
    assert isinstance(result, CursorResult)  # an UPDATE or DELETE answers with its rows
    return int(result.rowcount)


class RedisSessionStore:
    """Live sessions in Redis, shared by every process of the deployment.

    `<prefix>:staff-session:<digest>` holds a session as JSON; `...:staff-sessions-of:
    <user id>` the digests of an account's sessions; `...:staff-sessions-seen` every
    live digest scored by when it was last seen (for the idle sweep); and
    `...:staff-session-ids` numbers them, so their ids are unique across processes.
    """

    def __init__(self, client: Any, prefix: str, expire_after: timedelta) -> None:
        self.redis = client
        self.prefix = prefix
        self.expire_seconds = int(expire_after.total_seconds())

    def start(self, digest: str, user_id: int, address: str | None, now: datetime) -> StoredSession:
        session_id = int(self.redis.incr(f"{self.prefix}:staff-session-ids"))
        stored = StoredSession(session_id, digest, user_id, now)
        record = {**_as_json(stored), "created_at": now.isoformat(), "address": address}
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key(digest), json.dumps(record), ex=self.expire_seconds)
        pipe.sadd(self._of_user(user_id), digest)
        pipe.expire(self._of_user(user_id), self.expire_seconds)
        pipe.zadd(self._seen, {digest: now.timestamp()})
        pipe.execute()
        return stored

    def find(self, digest: str) -> StoredSession | None:
        record = self.redis.get(self._key(digest))
        return _from_json(json.loads(record)) if record is not None else None

    def note_seen(self, session: StoredSession, now: datetime) -> None:
        record = self.redis.get(self._key(session.digest))
        if record is None:
            return
        seen = {**json.loads(record), "last_seen_at": now.isoformat()}
        pipe = self.redis.pipeline(transaction=True)
        # XX: only while it lives; a session ended meanwhile is not brought back.
        pipe.set(self._key(session.digest), json.dumps(seen), ex=self.expire_seconds, xx=True)
        pipe.zadd(self._seen, {session.digest: now.timestamp()}, xx=True)
        # The account's list lives as long as its last-used session (every expiry is the
        # same length), or a new password would miss a session in use for longer.
        pipe.expire(self._of_user(session.user_id), self.expire_seconds)
        pipe.execute()

    def end(self, session: StoredSession, reason: str, now: datetime) -> bool:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._key(session.digest))
        pipe.srem(self._of_user(session.user_id), session.digest)
        pipe.zrem(self._seen, session.digest)
        deleted, *_ = pipe.execute()
        return bool(deleted)  # only one process deletes the key

    def live_of(self, user_id: int) -> list[StoredSession]:
        digests = [d.decode() for d in self.redis.smembers(self._of_user(user_id))]
        live = self._live(digests)
        if gone := set(digests) - {s.digest for s in live}:  # expired meanwhile
            self.redis.srem(self._of_user(user_id), *gone)
        return live

    def idle_before(self, cutoff: datetime) -> list[StoredSession]:
        members = self.redis.zrangebyscore(self._seen, "-inf", f"({cutoff.timestamp()}")
        digests = [d.decode() for d in members]
        live = self._live(digests)
        if gone := set(digests) - {s.digest for s in live}:  # expired: nothing to end
            self.redis.zrem(self._seen, *gone)
        return live

    def forget_ended_before(self, cutoff: datetime) -> int:
        return 0  # an ended session's key is deleted when it ends

    def _live(self, digests: list[str]) -> list[StoredSession]:
        if not digests:
            return []
        records = self.redis.mget([self._key(d) for d in digests])
        return [_from_json(json.loads(r)) for r in records if r is not None]

    def _key(self, digest: str) -> str:
        return f"{self.prefix}:staff-session:{digest}"

    def _of_user(self, user_id: int) -> str:
        return f"{self.prefix}:staff-sessions-of:{user_id}"

    @property
    def _seen(self) -> str:
        return f"{self.prefix}:staff-sessions-seen"


def _as_json(session: StoredSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "digest": session.digest,
        "user_id": session.user_id,
        "last_seen_at": session.last_seen_at.isoformat(),
    }


def _from_json(record: dict[str, Any]) -> StoredSession:
    return StoredSession(
        int(record["id"]),
        str(record["digest"]),
        int(record["user_id"]),
        datetime.fromisoformat(record["last_seen_at"]),
    )
