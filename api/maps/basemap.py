"""Basemaps, and the one place where map overlays get their display coordinates.

``none`` (the default) draws no tiles: the map is complete offline, with the workspace's own
roads as background. ``tianditu`` (天地图, CGCS2000 ≈ WGS84, needs a key), ``osm``
(OpenStreetMap, WGS84) and ``gaode`` (高德, GCJ-02) load tiles from the internet. On ``gaode``
every overlay is shifted from WGS84 to GCJ-02 (:mod:`gis.chinacoords`) so that it lines up with
the tiles; a map never mixes the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from gis import vocabulary
from gis.chinacoords import wgs84_to_gcj02
from gis.crs import transformer
from gis.errors import ConfigurationError

__all__ = ["BASEMAPS", "Basemap", "Display", "TileSpec", "display_for", "tiles_for"]

Basemap = Literal["none", "tianditu", "osm", "gaode"]
BASEMAPS: tuple[str, ...] = get_args(Basemap)

BASEMAP_ZH: dict[str, str] = vocabulary.BASEMAPS.labels()


@dataclass(frozen=True)
class TileSpec:
    """One tile layer of a basemap."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False


def tiles_for(basemap: str, *, tianditu_key: str | None = None) -> list[TileSpec]:
    """Return the tile layers of a basemap (none for ``none``).

    Examples
    --------
    >>> tiles_for("none")
    []
    >>> [t.name for t in tiles_for("tianditu", tianditu_key="k")]
    ['天地图 矢量', '天地图 注记']
    """
    if basemap not in BASEMAPS:
        msg = f"basemap {basemap!r}: expected one of {', '.join(BASEMAPS)}"
        raise ConfigurationError(msg)
    if basemap == "none":
        return []
    if basemap == "osm":
        return [
            TileSpec(
                "OpenStreetMap",
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "&copy; OpenStreetMap contributors",
            )
        ]
    if basemap == "gaode":
        return [
            TileSpec(
                "高德地图",
                "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                "&x={x}&y={y}&z={z}",
                "&copy; 高德地图 (GCJ-02)",
                subdomains="1234",
            )
        ]
    if not tianditu_key:
        msg = (
            "basemap 'tianditu' needs a 天地图 key: set LINKPLAN_TIANDITU_KEY or pass "
            "--tianditu-key (apply at https://console.tianditu.gov.cn)"
        )
        raise ConfigurationError(msg)
    wmts = (
        "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}"
        "&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
    )
    return [
        TileSpec(
            "天地图 矢量",
            wmts.format(s="{s}", layer="vec", key=tianditu_key),
            "&copy; 天地图",
            "01234567",
        ),
        TileSpec(
            "天地图 注记",
            wmts.format(s="{s}", layer="cva", key=tianditu_key),
            "&copy; 天地图",
            "01234567",
            overlay=True,
        ),
    ]


class Display:
    """Coordinates as the map draws them: WGS84 lon/lat, or GCJ-02 on the 高德 basemap.

    Parameters
    ----------
    crs
        The workspace's (projected) CRS.
    basemap
        The basemap the overlays must line up with.
    """

    def __init__(self, crs: Any, basemap: str) -> None:
        self.basemap = basemap
        self.gcj02 = basemap == "gaode"
        self._to_wgs84 = transformer(crs)

    def lonlat(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Return display longitude and latitude of working-CRS coordinates."""
        lon, lat = self._to_wgs84.transform(np.asarray(x, float), np.asarray(y, float))
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        if self.gcj02:
            lon, lat = wgs84_to_gcj02(lon, lat)
        return lon, lat

    def geometry(self, geom: BaseGeometry) -> BaseGeometry:
        """Return a working-CRS geometry in display lon/lat, rounded to 1e-7° (~1 cm)."""

        def to(coords: np.ndarray) -> np.ndarray:
            lon, lat = self.lonlat(coords[:, 0], coords[:, 1])
            return np.round(np.column_stack([lon, lat]), 7)

        return shapely.transform(geom, to)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Return ``(lat, lon)`` of one point, in Leaflet's order."""
        lon, lat = self.lonlat([x], [y])
        return round(float(lat[0]), 7), round(float(lon[0]), 7)


def display_for(crs: Any, basemap: str) -> Display:
    """Return the display transform of a basemap (validating the basemap name)."""
    tiles_for(basemap, tianditu_key="-")  # raises on an unknown name
    return Display(crs, basemap)


Transform = Callable[[BaseGeometry], BaseGeometry]
