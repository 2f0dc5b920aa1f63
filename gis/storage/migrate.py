"""Schema migrations (Alembic): ``upgrade`` brings a database to the current schema.

The migration scripts live in ``gis/storage/migrations``; the same scripts build the PostGIS
and the SQLite schema (PostGIS gets the extension and a GiST index).
"""

from __future__ import annotations

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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the latest schema)."""
    command.upgrade(alembic_config(engine), revision)
