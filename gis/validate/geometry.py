"""Geometry checks: type, emptiness and validity; repair within tolerance; multi-lines split.

A polygon is repaired with :func:`shapely.make_valid` when its area changes by at most the
profile's tolerance (reported as a warning), rejected otherwise; a multi-part line becomes one
feature per part (reported as info).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gis.errors import Problem
from gis.schema import LayerSpec
from gis.validate.report import feature_label

__all__ = ["check_geometry", "explode_lines"]


def check_geometry(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem], max_area_change: float
) -> gpd.GeoDataFrame:
    """Drop empty, wrong-type and invalid geometry; repair a polygon within ``max_area_change``."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    keep = np.ones(len(gdf), dtype=bool)
    for row, geom in enumerate(geoms):
        label = feature_label(gdf, spec, row)
        kept, problem = _judge(geom, spec, label, max_area_change)
        if problem is not None:
            problems.append(problem)
        if kept is None:
            keep[row] = False
        else:
            geoms[row] = kept
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out[keep].copy()


def _judge(
    geom: Any, spec: LayerSpec, label: str, max_area_change: float
) -> tuple[Any | None, Problem | None]:
    """Return the geometry to keep (``None``: drop the feature) and the problem found, if any."""
    if geom is None or geom.is_empty:
        return None, Problem(
            spec.name,
            label,
            "geometry",
            "empty geometry",
            f"a non-empty {' or '.join(spec.geometry_types)}",
            code="empty_geometry",
        )
    if geom.geom_type not in spec.geometry_types:
        return None, Problem(
            spec.name,
            label,
            "geometry",
            geom.geom_type,
            " or ".join(spec.geometry_types),
            code="wrong_geometry_type",
        )
    if geom.is_valid:
        return geom, None
    reason = shapely.is_valid_reason(geom)
    if spec.geometry == "line":
        return None, Problem(
            spec.name,
            label,
            "geometry",
            f"invalid line ({reason})",
            "a line with at least two distinct points",
            code="invalid_geometry",
        )
    return _repair_polygon(geom, spec, label, reason, max_area_change)


def _repair_polygon(
    geom: Any, spec: LayerSpec, label: str, reason: str, max_area_change: float
) -> tuple[Any | None, Problem]:
    """Repair an invalid polygon if its area changes by at most ``max_area_change``."""
    fixed = shapely.make_valid(geom)
    polys = shapely.get_parts(fixed)
    polys = [p for p in polys if p.geom_type in ("Polygon", "MultiPolygon")]
    repaired = shapely.union_all(polys) if polys else None
    before = abs(geom.area)  # shoelace area of the polygon as drawn
    after = repaired.area if repaired is not None else 0.0
    change = abs(after - before) / before if before > 0 else 1.0
    if repaired is not None and change <= max_area_change:
        return repaired, Problem(
            spec.name,
            label,
            "geometry",
            f"invalid polygon ({reason})",
            f"a valid polygon: repaired, area changed {change:.2%} "
            f"(≤ {max_area_change:.0%} allowed)",
            severity="warning",
            code="repaired_geometry",
        )
    return None, Problem(
        spec.name,
        label,
        "geometry",
        f"invalid polygon ({reason})",
        f"a valid polygon; repair would change its area by {change:.1%} "
        f"(> {max_area_change:.0%}): fix the source data",
        code="invalid_geometry",
    )


def explode_lines(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Merge multi-part lines; split those that stay apart into one feature per part (ids -1..-n)."""
    multi = gdf.geometry.geom_type == "MultiLineString"
    if not multi.any():
        return gdf
    merged = gdf.copy()
    merged.loc[multi, "geometry"] = shapely.line_merge(np.asarray(gdf.geometry[multi].values))
    still = merged.geometry.geom_type == "MultiLineString"
    if not still.any():
        return merged
    out = merged.explode(index_parts=True)
    if spec.id_field and spec.id_field in out.columns:
        part = out.index.get_level_values(1)
        was_multi = still.reindex(out.index.get_level_values(0)).to_numpy()
        ids = out[spec.id_field].astype(object).to_numpy()
        new_ids = [
            f"{i}-{p + 1}" if m and i is not None else i for i, p, m in zip(ids, part, was_multi)
        ]
        out[spec.id_field] = new_ids
    for row in np.flatnonzero(still.to_numpy()):
        n = len(shapely.get_parts(merged.geometry.iloc[row]))
        problems.append(
            Problem(
                spec.name,
                feature_label(merged, spec, int(row)),
                "geometry",
                f"MultiLineString of {n} disjoint parts",
                f"one LineString per feature: split into {n} features with ids suffixed -1..-{n}",
                severity="info",
                code="exploded",
            )
        )
    return out.reset_index(drop=True)
