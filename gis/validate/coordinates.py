"""Coordinate checks: finite numbers, plausible lon/lat, the CRS's area of use, the scope.

They catch data in another CRS or unit than declared (swapped lon/lat, degrees read as metres,
absurd values that would break every later bounding-box computation) before it is used:
per layer (:func:`check_finite`, :func:`check_degrees`, :func:`check_crs_area`) and across
layers (:func:`extent_problems`: every feature near the workspace scope).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from gis.errors import Problem
from gis.schema import LAYERS, LayerSpec
from gis.validate.report import feature_label

__all__ = ["check_crs_area", "check_degrees", "check_finite", "extent_problems", "working_area"]


def check_degrees(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """In a geographic layer, reject coordinates outside ±180/±90 (typically swapped lon/lat)."""
    bounds = shapely.bounds(np.asarray(gdf.geometry.values))
    bad = (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1) | (np.abs(bounds[:, [0, 2]]) > 180).any(
        axis=1
    )
    for row in np.flatnonzero(bad):
        x, y = bounds[row, 0], bounds[row, 1]
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"coordinates starting at ({x:.6f}, {y:.6f}) in a lon/lat CRS",
                "longitude within ±180 and latitude within ±90 (swapped lon/lat?)",
                code="outside_extent",
            )
        )
    return gdf[~bad].copy() if bad.any() else gdf


_ABSURD = 1e8
"""Largest coordinate (any unit) accepted when the working CRS declares no area of use."""


def _first_bad_vertex(geom: Any, ok: Any) -> tuple[float, float]:
    """Return the first vertex of ``geom`` for which ``ok(x, y)`` is false."""
    xy = shapely.get_coordinates(geom)
    bad = ~ok(xy[:, 0], xy[:, 1])
    x, y = xy[int(np.argmax(bad))] if bad.any() else (xy[0] if len(xy) else (math.nan, math.nan))
    return float(x), float(y)


def check_finite(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Reject features with a vertex that is not a finite number (NaN, ±inf)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    bad_vertex = ~np.isfinite(xy).all(axis=1)
    if not bad_vertex.any():
        return gdf
    bad = np.zeros(len(gdf), dtype=bool)
    bad[owner[bad_vertex]] = True
    for row in np.flatnonzero(bad):
        x, y = _first_bad_vertex(geoms[row], lambda a, b: np.isfinite(a) & np.isfinite(b))
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"vertex ({x}, {y})",
                "finite coordinates (numbers, not NaN or infinity)",
                code="bad_coordinates",
            )
        )
    return gdf[~bad].copy()


@lru_cache(maxsize=32)
def working_area(crs: CRS, margin: float) -> tuple[float, float, float, float] | None:
    """Return the bounds, in ``crs``, of its area of use widened by ``margin`` (its units).

    ``None`` when the CRS declares no area of use.

    Examples
    --------
    >>> [round(v / 1000) for v in working_area(CRS.from_epsg(4546), 100_000.0)]
    [241, 1903, 759, 5098]
    """
    area = crs.area_of_use
    if area is None:
        return None
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0, x1, y1 = t.transform_bounds(
        area.west, area.south, area.east, area.north, densify_pts=21
    )
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def check_crs_area(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    problems: list[Problem],
    *,
    crs: CRS,
    margin: float,
) -> gpd.GeoDataFrame:
    """Reject features (in ``crs``) with a vertex outside the CRS's widened area of use.

    Catches coordinates in another CRS or unit than declared and absurd values (1e300) that
    would break every later bounding-box computation; without a declared area of use, any
    coordinate beyond ±1e8 or not finite is refused. Features are kept for the extent check
    against the scope, except those a projection made infinite.
    """
    box = working_area(crs, margin)
    x0, y0, x1, y1 = box if box is not None else (-_ABSURD, -_ABSURD, _ABSURD, _ABSURD)

    def ok(x: Any, y: Any) -> Any:
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # False for NaN

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(len(gdf), dtype=bool)
    bad[owner[~ok(xy[:, 0], xy[:, 1])]] = True
    name = crs.to_string()
    where = (
        f"the area of use of {name} ({crs.area_of_use.name}) widened by {margin / 1000:g} km"
        if box is not None and crs.area_of_use is not None
        else "a plausible coordinate"
    )
    for row in np.flatnonzero(bad):
        x, y = _first_bad_vertex(geoms[row], ok)
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"vertex ({x:.6g}, {y:.6g}) in {name}",
                f"x within [{x0:.0f}, {x1:.0f}] and y within [{y0:.0f}, {y1:.0f}]: {where}; "
                "a wrong CRS or unit?",
                code="outside_crs_area",
            )
        )
    finite = np.ones(len(gdf), dtype=bool)
    finite[owner[~np.isfinite(xy).all(axis=1)]] = False
    return gdf[finite].copy() if not finite.all() else gdf


def extent_problems(layers: Mapping[str, gpd.GeoDataFrame], margin_m: float) -> list[Problem]:
    """Report every feature farther than ``margin_m`` from the scope's envelope (cross-layer)."""
    scope = layers.get("scope")
    if scope is None or scope.empty:
        return []
    area = shapely.union_all(np.asarray(scope.geometry.values)).envelope.buffer(margin_m)
    problems = []
    for name, gdf in layers.items():
        if name == "scope" or gdf.empty:
            continue
        spec = LAYERS[name]
        inside = shapely.intersects(np.asarray(gdf.geometry.values), area)
        for row in np.flatnonzero(~inside):
            c = gdf.geometry.iloc[row].representative_point()
            problems.append(
                Problem(
                    name,
                    feature_label(gdf, spec, int(row)),
                    "geometry",
                    f"at ({c.x:.1f}, {c.y:.1f}) in {gdf.crs.to_string()}",
                    f"within {margin_m / 1000:g} km of the workspace scope; swapped lon/lat or a "
                    "wrong CRS?",
                    code="outside_extent",
                )
            )
    return problems
