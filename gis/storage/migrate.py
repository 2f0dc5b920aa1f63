"""Schema migrations (Alembic): ``upgrade`` brings a database to the current schema.

The migration scripts live in ``gis/storage/migrations``; the same scripts build the PostGIS
and the SQLite schema (PostGIS gets the extension and a GiST index).
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration that migrates ``engine``'s database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


_LOCK_ID = 4546_0001
"""PostgreSQL advisory lock held while migrating: workers starting together migrate once."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the latest schema).

    Several workers may start at once (``linkplan serve --workers 4``): on PostgreSQL they queue
    on an advisory lock, on SQLite on a lock file beside the database, so one migrates and the
    others find the schema current.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_ID})")
            try:
                command.upgrade(alembic_config(engine), revision)
            finally:
                lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_ID})")
                lock.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        command.upgrade(alembic_config(engine), revision)
        return
    with open(f"{database}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
