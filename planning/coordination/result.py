"""The result of coordination: packages, the excavations they avoid, and their map layer.

:class:`Package` is one coordinated construction package (统一施工, seed 三6); a
:class:`CoordinationResult` holds the packages and the metrics of R10 dig-once;
:func:`packages_to_gdf` turns the packages into a layer with their trench lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis.errors import Problem, ValidationError
from planning.coordination.works_table import LAYER, Place

__all__ = ["CoordinationResult", "Package", "packages_to_gdf"]


@dataclass(frozen=True)
class Package:
    """One coordinated construction package: works that dig the same places together.

    Attributes
    ----------
    package_id
        ``P0001``, ``P0002`` … in order of start date (then first work id).
    works, projects, utilities
        Sorted ids of the works, their projects and utilities.
    segments
        Sorted places ``(seg, side)`` the package digs (``side`` None: carriageway crossing).
    start, end
        Package window: earliest start and latest end of its works (both days included).
    dug_m, excavations
        Metres dug and separate excavations (runs) with coordination.
    dug_m_without, excavations_without
        The same for its works dug one by one.
    """

    package_id: str
    works: tuple[str, ...]
    projects: tuple[str, ...]
    utilities: tuple[str, ...]
    segments: tuple[Place, ...]
    start: date
    end: date
    dug_m: float
    excavations: int
    dug_m_without: float
    excavations_without: int

    @property
    def is_joint(self) -> bool:
        """Return whether the package coordinates more than one work."""
        return len(self.works) > 1


@dataclass(frozen=True)
class CoordinationResult:
    """Packages and the excavations they avoid (see the module docstring for the metrics)."""

    packages: list[Package]
    excavations_without: int
    excavations_with: int
    metres_without: float
    metres_with: float
    window_days: int
    gap_m: float

    @property
    def excavations_avoided(self) -> int:
        """Return the separate excavations avoided by coordination."""
        return self.excavations_without - self.excavations_with

    @property
    def metres_avoided(self) -> float:
        """Return the metres of road not dug a second time thanks to coordination."""
        return round(self.metres_without - self.metres_with, 3)

    def package_of(self) -> dict[str, str]:
        """Return ``work_id`` → ``package_id`` for every work considered."""
        return {w: p.package_id for p in self.packages for w in p.works}


def packages_to_gdf(result: CoordinationResult, works: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one row per package with the union of its works' trench geometries.

    Parameters
    ----------
    result
        Output of :func:`coordinate_works` on ``works``.
    works
        The works table with a ``geometry`` column of LineStrings (one per piece).

    Returns
    -------
    GeoDataFrame
        ``package_id``, ``projects``, ``utilities``, ``works`` (comma-joined), ``start``,
        ``end`` (ISO dates), ``n_works``, ``n_projects``, ``excavations``,
        ``excavations_without``, ``dug_m``, ``dug_m_without`` and a MultiLineString (None
        when none of the package's rows has a geometry), in the CRS of ``works``.

    Raises
    ------
    ValidationError
        If ``works`` has no geometry column.
    """
    if not isinstance(works, gpd.GeoDataFrame) or "geometry" not in works.columns:
        problem = Problem(
            LAYER,
            None,
            "geometry",
            "absent",
            "a GeoDataFrame with the trench lines",
            code="missing_field",
        )
        raise ValidationError([problem], summary="works have no geometry")
    by_work: dict[Hashable, list[Any]] = defaultdict(list)
    for w, geom in zip(works["work_id"].astype(str), works.geometry.to_numpy()):
        if geom is not None and not shapely.is_empty(geom):
            by_work[w].append(geom)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for p in result.packages:
        lines = [g for w in p.works for g in by_work.get(w, [])]
        union = shapely.line_merge(shapely.union_all(lines)) if lines else None
        parts = (
            [g for g in shapely.get_parts(union) if isinstance(g, shapely.LineString)]
            if union is not None
            else []
        )
        geoms.append(shapely.MultiLineString(parts) if parts else None)
        rows.append(
            {
                "package_id": p.package_id,
                "projects": ",".join(p.projects),
                "utilities": ",".join(p.utilities),
                "works": ",".join(p.works),
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "n_works": len(p.works),
                "n_projects": len(p.projects),
                "excavations": p.excavations,
                "excavations_without": p.excavations_without,
                "dug_m": p.dug_m,
                "dug_m_without": p.dug_m_without,
            }
        )
    columns = [
        "package_id", "projects", "utilities", "works", "start", "end", "n_works", "n_projects",
        "excavations", "excavations_without", "dug_m", "dug_m_without",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=works.crs), crs=works.crs)
