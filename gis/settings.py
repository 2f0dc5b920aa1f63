"""Runtime settings (environment variables with the ``LINKPLAN_`` prefix)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Linkplan settings.

    Attributes
    ----------
    working_crs
        Default projected CRS for workspaces that do not declare one (EPSG:4546,
        CGCS2000 3-degree Gauss–Krüger, central meridian 111°E).
    cache_dir
        Where built corridor graphs are cached between runs.
    basemap
        Basemap of the HTML maps: ``none`` (default: offline, no tiles), ``tianditu`` (needs
        ``tianditu_key``), ``osm`` or ``gaode`` (overlays then shifted to GCJ-02).
    tianditu_key
        天地图 API key (no default: each deployment applies for its own).
    cjk_font
        A TrueType font with Chinese glyphs for PDF documents (default: found on the system).
    profile
        Policy profile of the web service.
    database_url
        ``postgresql+psycopg://user@host/db`` (PostGIS) or ``sqlite:///file.db``; default: the
        embedded SQLite file ``linkplan.db`` under ``data_dir``.
    data_dir
        Where the embedded database lives.
    env
        ``development`` (the default: an empty database is seeded with the demo district and
        one user per role with well-known tokens) or ``production`` (no demo, no default users).
    max_upload_mb
        Largest network file accepted by the web API.
    """

    model_config = SettingsConfigDict(env_prefix="LINKPLAN_", env_file=".env", extra="ignore")

    working_crs: str = "EPSG:4546"
    cache_dir: Path = Path.home() / ".cache" / "linkplan"
    basemap: str = "none"
    tianditu_key: str | None = None
    cjk_font: Path | None = None
    profile: str = "jingmen-2023"
    database_url: str | None = None
    data_dir: Path = Path.home() / ".local" / "share" / "linkplan"
    env: Literal["development", "production"] = "development"
    max_upload_mb: int = 50


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
