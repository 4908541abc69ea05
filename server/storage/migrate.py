"""Run the Alembic migrations against the app's database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

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
    config = alembic_config()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
