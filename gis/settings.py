"""GIS settings (environment variables with the ``LINKPLAN_`` prefix): CRS, cache, basemap, font.

The settings of the web service and its storage (database URL, data folder, mode, upload limit)
are :class:`api.settings.Settings`, which extends :class:`GisSettings`: ``gis`` takes a database
URL as an argument (:func:`gis.storage.store.make_engine`) and never reads it from the
environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GisSettings", "get_gis_settings"]


class GisSettings(BaseSettings):
    """Settings of the GIS layer (and the maps and documents built on it).

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
    """

    model_config = SettingsConfigDict(env_prefix="LINKPLAN_", env_file=".env", extra="ignore")

    working_crs: str = "EPSG:4546"
    cache_dir: Path = Path.home() / ".cache" / "linkplan"
    basemap: str = "none"
    tianditu_key: str | None = None
    cjk_font: Path | None = None
    profile: str = "jingmen-2023"


@lru_cache(maxsize=1)
def get_gis_settings() -> GisSettings:
    """Return the process-wide GIS settings (read once from the environment)."""
    return GisSettings()
