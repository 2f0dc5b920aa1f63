"""Settings of the web service and its storage (environment variables, ``LINKPLAN_`` prefix).

Development mode (demo data, users with well-known ``dev-*`` tokens) is the default only on the
embedded SQLite database and a loopback address: with a PostgreSQL database (or a database
assembled from ``LINKPLAN_DB_*`` parts) the default is production, and so it is for
``linkplan serve --host`` on a non-loopback address (:func:`settings_for_host`).
``LINKPLAN_ENV=development`` set explicitly overrides both.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from gis.settings import GisSettings

__all__ = [
    "Settings",
    "database_url_from_parts",
    "default_database_url",
    "get_settings",
    "is_loopback",
    "settings_for_host",
]


class Settings(GisSettings):
    """Linkplan settings: those of :class:`gis.settings.GisSettings` and the service's own.

    Attributes
    ----------
    database_url
        ``postgresql+psycopg://user@host/db`` (PostGIS) or ``sqlite:///file.db``; default: the
        one assembled from ``db_host`` … ``db_password`` when ``db_host`` is set, else the
        embedded SQLite file ``linkplan.db`` under ``data_dir``.
    db_host, db_port, db_name, db_user, db_password
        Parts of a PostgreSQL URL (:func:`database_url_from_parts`; the user and password are
        URL-encoded, so any character may be in them). Used when ``database_url`` is not set.
    data_dir
        Where the embedded database lives.
    env
        ``development`` (an empty database is seeded with the demo district and one user per
        role with well-known tokens) or ``production`` (no demo, no default users, development
        users refused). Default: development on the embedded SQLite database, production on
        PostgreSQL; an explicit ``LINKPLAN_ENV`` always wins.
    max_upload_mb
        Largest network file accepted by the web API.
    """

    model_config = SettingsConfigDict(env_prefix="LINKPLAN_", env_file=".env", extra="ignore")

    database_url: str | None = None
    db_host: str | None = None
    db_port: int = 5432
    db_name: str = "linkplan"
    db_user: str = "linkplan"
    db_password: str | None = None
    data_dir: Path = Path.home() / ".local" / "share" / "linkplan"
    env: Literal["development", "production"] = "development"
    max_upload_mb: int = 50

    @model_validator(mode="after")
    def _resolve_database_and_env(self) -> Settings:
        """Assemble the database URL from its parts; default to production on PostgreSQL."""
        if self.database_url is None and self.db_host:
            self.database_url = database_url_from_parts(
                host=self.db_host,
                port=self.db_port,
                name=self.db_name,
                user=self.db_user,
                password=self.db_password,
            )
        if not self.env_explicit and (self.database_url or "").startswith("postgresql"):
            self.__dict__["env"] = "production"  # a default still: not in model_fields_set
        return self

    @property
    def env_explicit(self) -> bool:
        """Whether ``env`` was given (``LINKPLAN_ENV``, ``.env`` or an argument), not defaulted."""
        return "env" in self.model_fields_set


def database_url_from_parts(
    *, host: str, port: int = 5432, name: str, user: str, password: str | None = None
) -> str:
    """Return the PostgreSQL URL of these parts, the user and password URL-encoded.

    Examples
    --------
    >>> database_url_from_parts(host="db", name="linkplan", user="linkplan", password="p@ss:w/rd#1")
    'postgresql+psycopg://linkplan:p%40ss%3Aw%2Frd%231@db:5432/linkplan'
    """
    credentials = quote(user, safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    return f"postgresql+psycopg://{credentials}@{host}:{int(port)}/{quote(name, safe='')}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on) is reachable only from this machine.

    Examples
    --------
    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "10.0.0.5")]
    [True, True, True, False, False]
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[] ")).is_loopback
    except ValueError:
        return False


def settings_for_host(settings: Settings, host: str) -> Settings:
    """Return ``settings`` for a service listening on ``host``: production off loopback.

    Development mode stays only where it was explicitly asked for (``LINKPLAN_ENV``) or where
    the service listens on a loopback address.
    """
    if settings.env == "production" or settings.env_explicit or is_loopback(host):
        return settings
    return settings.model_copy(update={"env": "production"})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()


def default_database_url(settings: Settings | None = None) -> str:
    """Return ``LINKPLAN_DATABASE_URL``, or the embedded SQLite file under the data folder."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    path = Path(settings.data_dir) / "linkplan.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
