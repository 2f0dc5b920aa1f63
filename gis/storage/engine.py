"""The database engine: a SQLAlchemy engine for PostGIS or the embedded SQLite.

``LINKPLAN_DATABASE_URL`` — ``postgresql+psycopg://…`` (PostGIS) or ``sqlite:///path.db`` (the
default: a local file, no server). SQLite is set up for concurrent readers and one writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from gis.errors import ConfigurationError
from gis.storage.models import Base

__all__ = ["create_all", "make_engine"]


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrency.

    The URL comes from the caller (the service reads it from its settings,
    :func:`api.settings.default_database_url`).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    msg = f"database URL {url.split(':', 1)[0]}://…: expected postgresql+psycopg:// or sqlite:///"
    raise ConfigurationError(msg)


def create_all(engine: Engine) -> None:
    """Create the tables directly (tests of the models; deployments use the migrations)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    Base.metadata.create_all(engine)
