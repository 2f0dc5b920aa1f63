"""A project's red line (用地红线) as the window receives it: pasted points, KML, checks.

Pure functions, no storage: :func:`parse_points` reads pasted "lon,lat" lines,
:func:`points_to_working` converts them from WGS84, GCJ-02 (高德/腾讯) or CGCS2000 to the
working CRS, :func:`polygon_of` closes them into a polygon (a self-intersecting ring is an
error), :func:`read_kml_polygons` reads the polygons of a KML document without GDAL, and
:func:`parcel_findings` warns about a parcel that overlaps another project's site, lies outside
the scope (seed 二), lies far from every road, or is implausibly small or large.

Every finding is a :class:`~gis.errors.Problem` on layer ``"parcel"`` whose ``value`` says, in
Chinese, what was found and whose ``expected_zh`` says what was expected.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely import Polygon
from shapely.validation import explain_validity

from gis.chinacoords import gcj02_to_wgs84
from gis.crs import transformer
from gis.errors import Problem, ValidationError

__all__ = [
    "COORDINATE_SYSTEMS",
    "LIMITS",
    "parcel_findings",
    "parse_points",
    "points_to_working",
    "polygon_of",
    "read_kml_polygons",
]

COORDINATE_SYSTEMS: dict[str, str] = {
    "wgs84": "WGS84 经纬度（GPS、天地图）",
    "gcj02": "GCJ-02 经纬度（高德、腾讯地图）",
    "cgcs2000": "CGCS2000（国家2000 经纬度，或 3 度带投影坐标 EPSG:4546）",
}
"""The coordinate systems pasted points may be in, with their Chinese names."""

LIMITS: dict[str, float] = {
    "min_area_m2": 200.0,
    "max_area_m2": 2_000_000.0,
    "max_road_distance_m": 500.0,
    "min_overlap_m2": 1.0,
}
"""When a parcel is implausible: smaller or larger than these areas, farther than this from
every road; overlaps under ``min_overlap_m2`` (a shared boundary drawn twice) are not told."""

_SEPARATORS = re.compile(r"[\s,，;；]+")
_KML_REFUSED = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_GEOGRAPHIC_CRS = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}


def _problem(field: str, value: str, expected: str, expected_zh: str, *, code: str) -> Problem:
    return Problem("parcel", None, field, value, expected, code=code, expected_zh=expected_zh)


def parse_points(text: str, *, field: str = "coordinates") -> list[tuple[float, float]]:
    r"""Read pasted points, one "lon,lat" (or "x,y") per line; every bad line is reported.

    Commas (also full-width), semicolons, tabs or spaces separate the two numbers; blank
    lines are skipped.

    Raises
    ------
    ValidationError
        Naming each line that is not two numbers, or fewer than three points.

    Examples
    --------
    >>> parse_points("112.2, 31.0\n112.21，31.0\n\n112.21 31.01")
    [(112.2, 31.0), (112.21, 31.0), (112.21, 31.01)]
    """
    points: list[tuple[float, float]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in _SEPARATORS.split(line.strip()) if p]
        if not parts:
            continue
        try:
            x, y = (float(p) for p in parts) if len(parts) == 2 else (float("nan"),) * 2
        except ValueError:
            x = y = float("nan")
        if not (np.isfinite(x) and np.isfinite(y)):
            problems.append(
                _problem(
                    field,
                    f"第 {number} 行「{line.strip()[:60]}」",
                    "two numbers per line: lon,lat",
                    "每行两个数：经度,纬度（如 112.2051,31.0243）",
                    code="bad_point",
                )
            )
            continue
        points.append((x, y))
    if not problems and len(points) < 3:
        problems.append(
            _problem(
                field,
                f"{len(points)} 个点",
                "at least three points",
                "至少三个点（每行一个）",
                code="too_few_points",
            )
        )
    if problems:
        raise ValidationError(problems=problems, summary="pasted coordinates refused")
    return points


def _projected(points: Sequence[tuple[float, float]]) -> bool:
    return any(abs(x) > 180 or abs(y) > 90 for x, y in points)


def points_to_working(
    points: Sequence[tuple[float, float]], *, system: str, working_crs: str = "EPSG:4546"
) -> list[tuple[float, float]]:
    """Convert pasted points to the working CRS.

    Parameters
    ----------
    points
        ``(lon, lat)`` in degrees; for ``cgcs2000`` also projected metres of the working CRS
        (EPSG:4546), as easting, northing or as the surveyors' X (northing), Y (easting): a
        first value above 1,000 km is taken as the northing.
    system
        One of :data:`COORDINATE_SYSTEMS`.
    working_crs
        The target CRS.

    Raises
    ------
    ValidationError
        For an unknown ``system``, or metres given for a geographic system.
    """
    if system not in COORDINATE_SYSTEMS:
        problem = _problem(
            "coordinate_system",
            system,
            f"one of {', '.join(COORDINATE_SYSTEMS)}",
            "、".join(COORDINATE_SYSTEMS.values()),
            code="invalid_choice",
        )
        raise ValidationError(problems=[problem], summary="unknown coordinate system")
    if _projected(points):
        if system != "cgcs2000":
            problem = _problem(
                "coordinates",
                f"{points[0][0]:g},{points[0][1]:g}",
                "longitude and latitude in degrees",
                f"{COORDINATE_SYSTEMS[system]}：经度 -180～180、纬度 -90～90；投影坐标请选 CGCS2000",
                code="not_degrees",
            )
            raise ValidationError(problems=[problem], summary="coordinates refused")
        return [(y, x) if x > 1_000_000 > y else (x, y) for x, y in points]
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    if system == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    x, y = transformer(_GEOGRAPHIC_CRS.get(system, "EPSG:4326"), working_crs).transform(lon, lat)
    return list(zip(np.asarray(x).tolist(), np.asarray(y).tolist()))


def polygon_of(points: Sequence[tuple[float, float]], *, field: str = "geometry") -> Polygon:
    """Close ``points`` into a polygon; refuse fewer than three corners or a self-intersection.

    Raises
    ------
    ValidationError
        With the place where the ring crosses itself.

    Examples
    --------
    >>> polygon_of([(0, 0), (10, 0), (10, 10), (0, 10)]).area
    100.0
    """
    ring = list(points)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(set(ring)) < 3:
        problem = _problem(
            field, f"{len(set(ring))} 个不同的点", "at least three corners", "至少三个不同的角点",
            code="too_few_points",
        )
        raise ValidationError(problems=[problem], summary="parcel refused")
    polygon = Polygon(ring)
    return valid_parcel(polygon, field=field)


def valid_parcel(polygon: Polygon, *, field: str = "geometry") -> Polygon:
    """Return ``polygon`` if it is a valid red line; refuse a self-intersecting one."""
    if not polygon.is_valid:
        reason = explain_validity(polygon)
        problem = _problem(
            field,
            f"红线自相交或不闭合（{reason}）",
            "a simple polygon whose edges do not cross",
            "边线互不相交的简单多边形（请按顺序依次给出角点）",
            code="self_intersection",
        )
        raise ValidationError(problems=[problem], summary="parcel refused")
    return polygon


def _ring(text: str | None) -> list[tuple[float, float]]:
    out = []
    for token in (text or "").split():
        parts = token.split(",")
        out.append((float(parts[0]), float(parts[1])))
    return out


def read_kml_polygons(data: bytes, *, label: str = "KML") -> list[Polygon]:
    """Return the polygons of a KML document (WGS84 lon/lat), read without GDAL.

    A document with a DOCTYPE or entity declarations is refused before it is parsed (no
    entity expansion, no external reference); only ``Polygon`` elements are read, with their
    inner boundaries as holes.

    Raises
    ------
    ValidationError
        If the document is not KML, declares entities or its coordinates are not numbers.
    """

    def refuse(value: str) -> ValidationError:
        problem = _problem(
            "file", f"{label}：{value}", "a KML document with Polygon placemarks",
            "含面（Polygon）要素的 KML 文件", code="bad_file",
        )
        return ValidationError(problems=[problem], summary="KML refused")

    if _KML_REFUSED.search(data):
        msg = "含 DOCTYPE 或实体声明"
        raise refuse(msg)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        msg = f"不是有效的 XML（{exc}）"
        raise refuse(msg) from exc
    if not root.tag.endswith("kml"):
        msg = f"根元素为 {root.tag}"
        raise refuse(msg)
    polygons = []
    try:
        for element in root.iter():
            if not element.tag.endswith("}Polygon") and element.tag != "Polygon":
                continue
            rings = [
                (child.tag.rsplit("}", 1)[-1], _ring(coords.text))
                for child in element
                for coords in child.iter()
                if coords.tag.endswith("coordinates")
            ]
            shell = [r for tag, r in rings if tag == "outerBoundaryIs"]
            holes = [r for tag, r in rings if tag == "innerBoundaryIs"]
            if shell:
                polygons.append(Polygon(shell[0], holes))
    except (ValueError, IndexError) as exc:
        msg = f"坐标不是数字（{exc}）"
        raise refuse(msg) from exc
    return polygons


def parcel_findings(
    parcel: Polygon,
    *,
    sites: gpd.GeoDataFrame | None,
    scope: gpd.GeoDataFrame | None,
    roads: gpd.GeoDataFrame | None,
    own_id: str | None = None,
    reveal_names: bool = True,
) -> list[Problem]:
    """Return the warnings about a new parcel (working CRS, metres), told before it is stored.

    Parameters
    ----------
    parcel
        The red line, in the working CRS of the layers.
    sites
        The stored sites (``project_id``, ``name``); one with ``own_id`` is not compared.
    scope, roads
        The stored scope (seed 二 适用范围) and roads.
    own_id
        The parcel's own project id, if it replaces its site.
    reveal_names
        Name the overlapped project (id and name) for staff; ``False`` for an applicant, who
        is told only that a registered project's land overlaps, and by how much.
    """
    found = _overlaps(parcel, sites, own_id, reveal_names=reveal_names)
    found += _outside_scope(parcel, scope)
    found += _implausible(parcel, roads)
    return found


def _warning(code: str, value: str, expected: str, expected_zh: str) -> Problem:
    return Problem(
        "parcel", None, "geometry", value, expected,
        severity="warning", code=code, expected_zh=expected_zh,
    )


def _overlaps(
    parcel: Polygon, sites: gpd.GeoDataFrame | None, own_id: str | None, *, reveal_names: bool
) -> list[Problem]:
    if sites is None or sites.empty:
        return []
    out = []
    for _, site in sites.iloc[sites.sindex.query(parcel, predicate="intersects")].iterrows():
        pid = str(site.get("project_id"))
        area = float(shapely.area(shapely.intersection(parcel, site.geometry)))
        if pid == own_id or area < LIMITS["min_overlap_m2"]:
            continue
        if reveal_names:
            found = f"与项目 {pid}「{site.get('name') or ''}」的用地重叠 {area:,.0f} m²"
            english = f"no overlap with another project's site ({pid}: {area:.0f} m²)"
        else:
            found = f"与已登记的其他项目用地重叠 约 {area:,.0f} m²"
            english = f"no overlap with another registered project's site ({area:.0f} m²)"
        out.append(_warning("overlap", found, english, "不与其他项目用地重叠（请核对红线）"))
    return out


def _outside_scope(parcel: Polygon, scope: gpd.GeoDataFrame | None) -> list[Problem]:
    if scope is None or scope.empty:
        return []
    inside = float(shapely.area(shapely.intersection(parcel, scope.union_all())))
    share = 1 - inside / parcel.area
    if share < 0.01:
        return []
    return [
        _warning(
            "outside_scope",
            f"地块有 {share:.0%} 位于适用范围（中心城区及组团）之外",
            "inside the scope (seed 二)",
            "位于适用范围内；范围外项目不适用联合报装",
        )
    ]


def _implausible(parcel: Polygon, roads: gpd.GeoDataFrame | None) -> list[Problem]:
    out = []
    area = parcel.area
    if area < LIMITS["min_area_m2"] or area > LIMITS["max_area_m2"]:
        out.append(
            _warning(
                "implausible_area",
                f"面积 {area:,.0f} m²",
                f"between {LIMITS['min_area_m2']:g} and {LIMITS['max_area_m2']:g} m²",
                f"{LIMITS['min_area_m2']:,.0f}～{LIMITS['max_area_m2']:,.0f} m²"
                "（请核对坐标单位与坐标系）",
            )
        )
    if roads is not None and not roads.empty:
        distance = float(np.min(shapely.distance(parcel, np.asarray(roads.geometry.values))))
        if distance > LIMITS["max_road_distance_m"]:
            out.append(
                _warning(
                    "far_from_roads",
                    f"距最近道路 {distance:,.0f} m",
                    f"within {LIMITS['max_road_distance_m']:g} m of a road",
                    f"{LIMITS['max_road_distance_m']:g} m 以内（位置可能有误，请核对坐标系）",
                )
            )
    return out
