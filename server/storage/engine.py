"""Database connection set-up that the models do not show."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# How long a transaction waits for this process's others before it falls back to
# SQLite's own wait (the busy timeout, which is as long).
LOCK_WAIT_SECONDS = 15
_HOLDS_LOCK = "waitroom.holds_write_lock"


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and writers that queue instead of failing.

    pysqlite's own transaction handling starts a transaction lazily on the first
    write, so two desks could both read the same "next" ticket before either writes.
    We turn it off and begin every transaction with BEGIN IMMEDIATE, which takes the
    write lock up front: SQLite then runs queue changes one after another.
    (This is SQLAlchemy's documented recipe for serializable SQLite.)

    Within one process, transactions also queue on a lock of ours before BEGIN. Under
    gevent or eventlet that lock is cooperative, while SQLite's busy wait is not: a
    request that waited in SQLite for a transaction held across network I/O (a reply
    being emailed) would stop every greenlet, the holder too, for the whole timeout.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # An RLock, so that one request's second connection does not wait on its first.
    # Created here, after `waitroom serve` has monkey-patched threading.
    lock = threading.RLock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info[_HOLDS_LOCK] = lock.acquire(timeout=LOCK_WAIT_SECONDS)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            # Ended from another thread: the lock's owner is gone, nothing to give back.
            with contextlib.suppress(RuntimeError):
                lock.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _release(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _release(connection.info)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)  # a connection handed back mid-transaction
