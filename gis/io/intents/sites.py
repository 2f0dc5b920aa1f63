"""The sites of the intents: converted to the working CRS, squares around points, plausible places.

A point with a site area becomes a square of that area centred on it; a site outside China or
far from the working CRS's area of use is reported (with a hint when its coordinates look swapped).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely import Point
from shapely.geometry.base import BaseGeometry

from gis.chinacoords import in_china
from gis.crs import DEFAULT_CRS, resolve_crs, to_working_crs, transformer
from gis.errors import CRSError, Problem
from gis.io.intents.columns import LAYER
from gis.io.intents.rows import _Row

_MARGIN_DEG = 1.5
"""Sites may lie this far (degrees) outside the area of use of the working CRS."""


def _is_geographic(coordinates: str) -> bool:
    """Return whether ``coordinates`` are degrees; raise :class:`CRSError` if unknown."""
    try:
        return bool(resolve_crs(coordinates).is_geographic)
    except CRSError:
        # GCJ-02 and BD-09 are lon/lat offsets PROJ does not know: to_working_crs converts an
        # empty layer from them without complaint and raises for a CRS that is truly unknown
        to_working_crs(
            gpd.GeoDataFrame(geometry=[]), DEFAULT_CRS, layer=LAYER, source_crs=coordinates
        )
        return True


def _site_geometries(
    rows: list[_Row], coordinates: str, target: CRS, problems: list[Problem]
) -> list[BaseGeometry | None]:
    """Convert the sites to the working CRS and make the squares; report implausible places."""
    usable = [i for i, r in enumerate(rows) if r.polygon is not None or r.centre is not None]
    out: list[BaseGeometry | None] = [None] * len(rows)
    if not usable:
        return out
    extent = _Extent(target)
    source = [rows[i].polygon or Point(rows[i].centre) for i in usable]
    converted = _convert(source, coordinates, target)
    inside = extent.contains(converted)
    for i, geom, ok in zip(usable, converted, inside):
        row = rows[i]
        if not ok:
            _report_outside(row, coordinates, target, extent, problems)
            continue
        if row.polygon is not None:
            out[i] = geom
            if row.area_m2 is None:
                row.area_m2 = float(geom.area)
        elif row.area_m2 is not None:
            half = math.sqrt(row.area_m2) / 2.0
            out[i] = shapely.box(geom.x - half, geom.y - half, geom.x + half, geom.y + half)
    return out


class _Extent:
    """Where a site may plausibly be: in China and near the working CRS's area of use.

    The area of use is widened by :data:`_MARGIN_DEG`; for EPSG:4546 (109.5–112.5°E) that
    covers all of Jingmen, while swapped x/y or a wrong CRS land far outside it.
    """

    def __init__(self, target: CRS) -> None:
        self.to_wgs84 = transformer(target)
        area = target.area_of_use
        self.bounds = (
            None
            if area is None
            else (
                area.west - _MARGIN_DEG,
                area.south - _MARGIN_DEG,
                area.east + _MARGIN_DEG,
                area.north + _MARGIN_DEG,
            )
        )
        name = _crs_label(target)
        self.expected = "a site in China"
        if area is not None:
            self.expected += (
                f" within {_MARGIN_DEG:g}° of the area of use of the working CRS {name} "
                f"({area.west:g}–{area.east:g}°E, {area.south:g}–{area.north:g}°N)"
            )

    def contains(self, geoms: list[BaseGeometry]) -> np.ndarray:
        points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
        lon, lat = self.to_wgs84.transform(shapely.get_x(points), shapely.get_y(points))
        lon, lat = np.asarray(lon), np.asarray(lat)
        ok = np.isfinite(lon) & np.isfinite(lat) & np.asarray(in_china(lon, lat))
        if self.bounds is not None:
            west, south, east, north = self.bounds
            ok &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        return ok


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def _convert(geoms: list[BaseGeometry], coordinates: str, target: CRS) -> list[BaseGeometry]:
    layer = gpd.GeoDataFrame(geometry=geoms)
    converted = to_working_crs(layer, target, layer=LAYER, source_crs=coordinates)
    return list(converted.geometry)


def _report_outside(
    row: _Row, coordinates: str, target: CRS, extent: _Extent, problems: list[Problem]
) -> None:
    geom = row.polygon if row.polygon is not None else Point(row.centre)
    point = geom.representative_point()
    code, expected = "outside_extent", f"{extent.expected}: wrong coordinates or CRS?"
    if bool(extent.contains(_convert([Point(point.y, point.x)], coordinates, target))[0]):
        code = "swapped_coordinates"
        expected = (
            f"{extent.expected}: the two coordinates look swapped "
            "(x or 经度 first, y or 纬度 second)"
        )
    problems.append(
        Problem(
            LAYER,
            row.label,
            "geometry",
            f"({point.x:g}, {point.y:g}) in {coordinates} (row {row.number})",
            expected,
            code=code,
        )
    )
