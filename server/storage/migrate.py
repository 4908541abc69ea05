"""Run the Alembic migrations against the app's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from server.extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# Any fixed number, the same in every process of a deployment (and unlike the leases').
MIGRATION_LOCK = 0x57A17_0001


def upgrade(revision: str = "head") -> None:
    """Bring the schema up to `revision` (call inside an app context).

    On PostgreSQL the upgrade holds an advisory lock for its transaction, so several
    processes starting together apply a migration once: the others wait, then find
    the schema at head and do nothing. (On SQLite the first statement's write lock
    does the same.)
    """
    _migrate(command.upgrade, revision)


def downgrade(revision: str) -> None:
    """Take the schema down to `revision` (call inside an app context)."""
    _migrate(command.downgrade, revision)


def _migrate(step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    with (
        db.engine.connect() as connection,
        _foreign_keys_held_back(connection),
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        step(config, revision)
        _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_held_back(connection: Connection) -> Iterator[None]:
    """SQLite changes a column by making the table anew; with foreign keys enforced,
    dropping the old table fails once any row refers to it (a staff session to its
    user). SQLite's own recipe: enforcement off outside the transaction, the rows
    checked before the commit (_check_foreign_keys), enforcement back on."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: none is open
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"a migration left rows that refer to nothing: {broken[:5]}")
