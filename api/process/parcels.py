"""A project's parcel (用地红线) entered at the window: read, checked, added to the sites layer.

The red line comes one of three ways (:class:`ParcelInput`): drawn on the map (GeoJSON in
WGS84), an uploaded file (GeoJSON, KML, zipped Shapefile, DXF) read by the safe readers of
:mod:`gis.io` (content checked against its extension first, GDAL kept offline), or pasted
points (:mod:`gis.parcels`). :func:`read_parcel` gives one polygon in the working CRS;
:func:`preview_parcel` adds the warnings (overlap with another project's site, outside the
scope, implausible position); :func:`add_site` appends it to the sites layer as a new version
that keeps every stored site.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely import MultiPolygon, Polygon
from shapely.geometry import mapping, shape
from sqlalchemy.orm import Session

from api.state import ServiceState
from gis.crs import to_working_crs, transformer
from gis.errors import CRSError, InputFormatError, Problem, ValidationError
from gis.parcels import (
    COORDINATE_SYSTEMS,
    parcel_findings,
    parse_points,
    points_to_working,
    polygon_of,
    read_kml_polygons,
    valid_parcel,
)
from gis.storage.rows import ImportResult

__all__ = [
    "COORDINATE_SYSTEMS",
    "FILE_TYPES",
    "ParcelInput",
    "ParcelPreview",
    "add_site",
    "check_parcel",
    "describe",
    "map_context",
    "preview_parcel",
    "read_parcel",
]

FILE_TYPES: dict[str, str] = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".zip": "Shapefile（zip 压缩包）",
    ".dxf": "DXF（CAD 图纸）",
}
"""The files a red line may be uploaded as, by extension."""

_FILE_CRS = {"wgs84": "EPSG:4326", "gcj02": "gcj02", "cgcs2000": "EPSG:4546"}
"""The CRS assumed for a file that declares none (DXF; a Shapefile without .prj)."""


@dataclass(frozen=True)
class ParcelInput:
    """One red line as the form sends it: exactly one of ``drawn``, ``upload``, ``pasted``.

    Parameters
    ----------
    drawn
        A GeoJSON Polygon (or a Feature of one) in WGS84 lon/lat, as drawn on the map.
    upload
        ``(file name, content)`` of an uploaded file (:data:`FILE_TYPES`).
    pasted
        Points, one "lon,lat" per line.
    system
        The coordinate system of pasted points, and of a file that declares none
        (:data:`gis.parcels.COORDINATE_SYSTEMS`).
    """

    drawn: str | None = None
    upload: tuple[str, bytes] | None = None
    pasted: str | None = None
    system: str = "wgs84"


@dataclass
class ParcelPreview:
    """A parsed red line and what to check before submitting it."""

    geometry: dict[str, Any]
    """The polygon as GeoJSON in WGS84 (to draw on the map)."""
    area_m2: float
    warnings: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the preview as the web page receives it (texts in Chinese)."""
        return {
            "geometry": self.geometry,
            "area_m2": round(self.area_m2, 1),
            "warnings": [describe(p) for p in self.warnings],
        }


def describe(p: Problem) -> str:
    """Return a parcel finding as one Chinese sentence: what was found; what was expected."""
    return f"{p.value}；应为 {p.expected_zh or p.expected}"


def _refuse(field_name: str, value: str, expected: str, expected_zh: str) -> ValidationError:
    problem = Problem(
        "parcel", None, field_name, value, expected, code="invalid", expected_zh=expected_zh
    )
    return ValidationError(problems=[problem], summary="parcel refused")


def _one_polygon(geoms: list[Any], *, where: str, field_name: str) -> Polygon:
    """Return the single polygon of ``geoms``; refuse none, several or other kinds."""
    polygons = [
        part
        for g in geoms
        if g is not None
        for part in (g.geoms if isinstance(g, MultiPolygon) else [g])
        if isinstance(part, Polygon) and not part.is_empty
    ]
    if len(polygons) != 1:
        raise _refuse(
            field_name,
            f"{where} 含 {len(polygons)} 个面",
            "exactly one polygon (the red line)",
            "恰好一个闭合的面（用地红线）",
        )
    return valid_parcel(polygons[0], field=field_name)


def _drawn(text: str, working_crs: Any) -> Polygon:
    try:
        data = json.loads(text)
        geom = shape(data.get("geometry", data))
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        msg = "drawn"
        raise _refuse(
            msg, "地图绘制的红线无法读取", "a GeoJSON polygon", "在地图上点击绘制的多边形"
        ) from exc
    polygon = _one_polygon([geom], where="绘制的红线", field_name="drawn")
    return shapely.transform(polygon, _to_working(working_crs), interleaved=False)


def _to_working(working_crs: Any) -> Callable[[Any, Any], tuple[Any, Any]]:
    t = transformer("EPSG:4326", working_crs)
    return lambda x, y: t.transform(x, y)


def _from_file(name: str, data: bytes, *, system: str, working_crs: Any) -> Polygon:
    """Read an uploaded red line with the safe readers of :mod:`gis.io`."""
    from gis.io.dxf import read_dxf_lines
    from gis.io.files import read_vector

    suffix = Path(name).suffix.lower()
    if suffix not in FILE_TYPES:
        msg = "file"
        raise _refuse(
            msg, name, f"one of {', '.join(FILE_TYPES)}", "、".join(sorted(set(FILE_TYPES.values())))
        )
    if suffix == ".kml":
        polygons = read_kml_polygons(data, label=name)
        gdf = gpd.GeoDataFrame(geometry=polygons, crs="EPSG:4326")
        gdf = to_working_crs(gdf, working_crs, layer=name, source_crs="gcj02" if system == "gcj02" else None)
        return _one_polygon(list(gdf.geometry), where=name, field_name="file")
    with tempfile.TemporaryDirectory(prefix="linkplan-parcel-") as folder:
        path = Path(folder) / f"parcel{suffix}"  # never the uploader's name on disk
        path.write_bytes(data)
        try:
            if suffix == ".dxf":
                # closed polylines of any layer; the utility name only labels the result
                lines = read_dxf_lines(path, layer_map={"*": "water"}, crs=_FILE_CRS["cgcs2000"])
                gdf = lines["water"]
                geoms = [Polygon(g.coords) for g in gdf.geometry if g.is_closed and len(g.coords) >= 4]
                gdf = gpd.GeoDataFrame(geometry=geoms, crs=gdf.crs)
            else:
                gdf = read_vector(path, label=name)
            source = None if gdf.crs is not None else _FILE_CRS.get(system)
            gdf = to_working_crs(gdf, working_crs, layer=name, source_crs=source)
        except (InputFormatError, CRSError) as exc:
            msg = "file"
            raise _refuse(msg, f"{name}：{exc}", "a readable red-line file", "可读取的红线文件") from exc
    return _one_polygon(list(gdf.geometry), where=name, field_name="file")


def read_parcel(source: ParcelInput, *, working_crs: Any = "EPSG:4546") -> Polygon:
    """Return the red line of ``source`` as a polygon in the working CRS.

    Raises
    ------
    ValidationError
        Naming the field (``drawn``, ``file``, ``coordinates``) and the value: nothing or more
        than one way given, an unreadable file, a bad line of coordinates, a self-intersecting
        ring.
    """
    given = [k for k in ("drawn", "upload", "pasted") if getattr(source, k)]
    if len(given) != 1:
        msg = "parcel"
        raise _refuse(
            msg,
            "未提供红线" if not given else f"同时提供了 {len(given)} 种红线",
            "one red line: drawn, uploaded or pasted",
            "用地红线：在地图上绘制、上传文件或粘贴坐标，三选一",
        )
    if source.drawn:
        return _drawn(source.drawn, working_crs)
    if source.upload:
        name, data = source.upload
        return _from_file(name, data, system=source.system, working_crs=working_crs)
    points = parse_points(source.pasted or "")
    return polygon_of(points_to_working(points, system=source.system, working_crs=str(working_crs)))


def check_parcel(
    state: ServiceState, parcel: Polygon, *, own_id: str | None = None, reveal_names: bool = True
) -> list[Problem]:
    """Return the warnings about ``parcel`` against the stored sites, scope and roads.

    ``reveal_names=False`` (an applicant) does not name an overlapped project.
    """
    ws, _ = state.workspace()
    layers = {name: (ws.layer(name) if name in ws.layers else None) for name in ("sites", "scope", "roads")}
    return parcel_findings(
        parcel,
        sites=layers["sites"],
        scope=layers["scope"],
        roads=layers["roads"],
        own_id=own_id,
        reveal_names=reveal_names,
    )


def preview_parcel(
    state: ServiceState, source: ParcelInput, *, reveal_names: bool = True
) -> ParcelPreview:
    """Read a red line and return it in WGS84 with its area and warnings (nothing stored).

    ``reveal_names=False`` (an applicant) does not name an overlapped project.
    """
    ws, _ = state.workspace()
    parcel = read_parcel(source, working_crs=ws.crs)
    back = transformer(ws.crs, "EPSG:4326")
    wgs = shapely.transform(parcel, lambda x, y: back.transform(x, y), interleaved=False)
    warnings = check_parcel(state, parcel, reveal_names=reveal_names)
    return ParcelPreview(mapping(wgs), float(parcel.area), warnings)


def add_site(
    state: ServiceState,
    parcel: Polygon,
    *,
    project_id: str,
    name: str,
    enterprise_type: str,
    user: str | None,
    then: Callable[[Session], None] | None = None,
) -> ImportResult:
    """Append a project's site to the sites layer, keeping every stored site.

    ``then(session)`` runs in the same transaction (the project row): all or nothing.

    Raises
    ------
    ValidationError
        If ``project_id`` is already a site, or the site fails validation.
    """
    ws, _ = state.workspace()
    new = gpd.GeoDataFrame(
        {"project_id": [project_id], "name": [name], "enterprise_type": [enterprise_type]},
        geometry=[parcel],
        crs=ws.crs,
    )
    return state.store.add_features(
        "sites", new, then=then, user=user, source=f"window: site {project_id}", profile=state.profile
    )


MAP_LIMIT = 300
"""Most roads, and most sites, :func:`map_context` returns for one view (the longest roads and
the largest sites first): a view of the whole district stays a few hundred kB."""


def _bbox_problem(text: str) -> ValidationError:
    problem = Problem(
        "request", None, "bbox", text, "min_lon,min_lat,max_lon,max_lat in degrees (WGS84)",
        code="invalid",
        expected_zh="地图范围：最小经度,最小纬度,最大经度,最大纬度（WGS84 度，经度 -180～180、纬度 -90～90）",
    )
    return ValidationError(problems=[problem], summary="bad map bounding box")


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Read ``"min_lon,min_lat,max_lon,max_lat"`` (WGS84 degrees) as a bounding box.

    Raises
    ------
    ValidationError
        If it is not four finite numbers within the earth's range, min below max.

    Examples
    --------
    >>> parse_bbox("112.1,30.9,112.3,31.1")
    (112.1, 30.9, 112.3, 31.1)
    """
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise _bbox_problem(text[:80]) from exc
    finite = all(math.isfinite(v) for v in (w, s, e, n))
    if not (finite and -180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise _bbox_problem(text[:80])
    return w, s, e, n


def _largest(gdf: gpd.GeoDataFrame, box: Any, size: Any, limit: int) -> tuple[gpd.GeoDataFrame, bool]:
    """Return the features of ``gdf`` meeting ``box``, the ``limit`` biggest by ``size``."""
    hits = gdf.iloc[gdf.sindex.query(box, predicate="intersects")]
    if len(hits) <= limit:
        return hits, False
    order = np.asarray(size(np.asarray(hits.geometry.values))).argsort()[::-1][:limit]
    return hits.iloc[sorted(order)], True


def _features(
    gdf: gpd.GeoDataFrame, kind: str, tolerance: float, back: Any, props: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for _, row in gdf.iterrows():
        simple = shapely.simplify(row.geometry, tolerance, preserve_topology=True)
        wgs = shapely.transform(simple, back, interleaved=False)
        out.append({"type": "Feature", "geometry": mapping(wgs), "properties": {"kind": kind, **props(row)}})
    return out


def map_context(
    state: ServiceState,
    bbox: tuple[float, float, float, float],
    *,
    reveal_names: bool,
    limit: int = MAP_LIMIT,
) -> dict[str, Any]:
    """Return the roads and the registered sites in a map view, as GeoJSON in WGS84.

    What a user drawing a red line needs to see where he is: road lines with their names, and
    the outlines of the sites already registered. Geometries are simplified to about a
    thousandth of the view's width and capped at ``limit`` roads and ``limit`` sites (the
    longest roads, the largest sites), so a view of the whole district stays small.

    Parameters
    ----------
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in WGS84 degrees (:func:`parse_bbox`).
    reveal_names
        Give each site's project id and name (staff); ``False`` for an applicant, who sees
        only the outlines of other projects' land.
    limit
        Most roads and most sites returned.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (``properties.kind`` ``road`` with ``name``, or ``site``),
        and ``truncated``: whether features were left out by ``limit``.
    """
    # (1) the view in the working CRS; its simplification tolerance
    ws, _ = state.workspace()
    w, s, e, n = bbox
    to_working = transformer("EPSG:4326", ws.crs)
    box = shapely.transform(shapely.box(w, s, e, n), lambda x, y: to_working.transform(x, y), interleaved=False)
    minx, _, maxx, _ = box.bounds
    tolerance = (maxx - minx) / 1000
    back_t = transformer(ws.crs, "EPSG:4326")

    def back(x: Any, y: Any) -> tuple[Any, Any]:
        return back_t.transform(x, y)

    # (2) the roads and the sites meeting it, the biggest first within the limit
    features: list[dict[str, Any]] = []
    truncated = False
    if "roads" in ws.layers and not ws.layer("roads").empty:
        roads, cut = _largest(ws.layer("roads"), box, shapely.length, limit)
        truncated |= cut
        features += _features(roads, "road", tolerance, back, lambda r: {"name": str(r.get("name") or "")})
    if "sites" in ws.layers and not ws.layer("sites").empty:
        sites, cut = _largest(ws.layer("sites"), box, shapely.area, limit)
        truncated |= cut

        def site_props(r: Any) -> dict[str, Any]:
            if not reveal_names:
                return {}
            return {"project_id": str(r.get("project_id")), "name": str(r.get("name") or "")}

        features += _features(sites, "site", tolerance, back, site_props)
    # (3) one collection
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}
