"""Database connection set-up that the models do not show."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and writers that queue instead of failing.

    pysqlite's own transaction handling starts a transaction lazily on the first
    write, so two desks could both read the same "next" ticket before either writes.
    We turn it off and begin every transaction with BEGIN IMMEDIATE, which takes the
    write lock up front: SQLite then runs queue changes one after another.
    (This is SQLAlchemy's documented recipe for serializable SQLite.)
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

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
