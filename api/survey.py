"""The joint survey team's field package (一同踏勘): one zip per project.

The zip holds ``<project_id>/survey.gpkg``, a GeoPackage that GDAL, QGIS and QField open, with
the site's red line, its routes (main and backup supply), taps, crossings and stretches of the
joint trench in the workspace's working CRS, a non-spatial checklist for the field team
(踏勘核查表) and a ``package_info`` table; ``<project_id>/map.html`` (the offline map, when the
caller passes it) and ``<project_id>/README.txt`` (in Chinese: what is inside, how to open it).

:func:`survey_layers` builds the layers (no I/O); :func:`survey_package` writes the zip
atomically: into a temporary file beside ``out`` that replaces ``out`` only when complete, so a
failure leaves no half-written zip and keeps an older one intact.

Every layer is written with its schema even when it has no features (a site with no crossings
still has an empty ``crossings`` layer of Points), so QField project templates find them.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import math
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely import LineString, MultiPolygon, Point, Polygon

from api.report import UTILITY_ZH
from gis import vocabulary
from gis.crs import transformer
from gis.errors import NotFoundError
from gis.profile import Profile
from gis.schema import OPERATOR_NAMES_ZH
from gis.workspace import Workspace
from planning.approval import CLASS_ZH, Reason
from planning.assess import Assessment, Route, UtilityResult
from planning.crossings import Crossing
from planning.shared_trench import TrenchSegment, segment_geometry

__all__ = [
    "CHECKLIST_CATEGORY_ZH",
    "LAYER_DESCRIPTION_ZH",
    "LAYER_GEOMETRY",
    "survey_layers",
    "survey_package",
    "write_geopackage",
]

Layer: TypeAlias = gpd.GeoDataFrame | pd.DataFrame

LAYER_GEOMETRY: dict[str, str | None] = {
    "site": "MultiPolygon",
    "routes": "LineString",
    "taps": "Point",
    "crossings": "Point",
    "trench_segments": "LineString",
    "checklist": None,
    "package_info": None,
}
"""The package's layers in writing order and their geometry type (``None``: attribute table).

The red line is always a MultiPolygon, as in a workspace file: one type per layer, whatever
the site's shape, so a QField project made on one package opens the next.
"""

LAYER_DESCRIPTION_ZH: dict[str, str] = vocabulary.SURVEY_LAYERS.labels()

CHECKLIST_CATEGORY_ZH: dict[str, str] = vocabulary.CHECKLIST_CATEGORIES.labels()
"""Checklist kind (``checklist.kind``) → its Chinese category (``checklist.category``)."""

ROLE_ZH: dict[str, str] = vocabulary.ROUTE_ROLES.labels()
GAS_CLASS_ZH: dict[str, str] = vocabulary.GAS_PRESSURE_CLASSES.labels()
MEDIUM_ZH: dict[str, str] = vocabulary.HEAT_MEDIA.labels()
TAP_CHECK_ZH: dict[str, str] = vocabulary.UTILITIES.labels(form="tap_check")
CROSSING_METHOD_ZH: dict[str, str] = vocabulary.MAJOR_LINE_KINDS.labels(form="method")
DEFAULT_CROSSING_METHOD_ZH = vocabulary.DEFAULT_CROSSING_METHOD_ZH

_TEXT = "object"
_SCHEMAS: dict[str, dict[str, str]] = {
    "site": {
        "project_id": _TEXT,
        "name": _TEXT,
        "enterprise_type": _TEXT,
        "applicable": "bool",
        "approval_path": _TEXT,
        "approval_zh": _TEXT,
        "reasons": _TEXT,
        "needs_prelay": _TEXT,
        "as_of": _TEXT,
        "total_trench_m": "float64",
        "separate_trench_m": "float64",
    },
    "routes": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "covered": "bool",
        "requirement": _TEXT,
        "length_m": "float64",
        "straight_line_m": "float64",
        "lead_in_m": "float64",
        "approval_path": _TEXT,
        "approval_zh": _TEXT,
        "reasons": _TEXT,
        "tap_asset": _TEXT,
        "operator": _TEXT,
        "operator_zh": _TEXT,
        "feeder_id": _TEXT,
        "surfaces": _TEXT,
        "crossings_n": "int64",
        "carriageways_n": "int64",
        "dig_once": _TEXT,
        "detour": _TEXT,
    },
    "taps": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "asset_id": _TEXT,
        "main_spec": _TEXT,
        "feeder_id": _TEXT,
        "operator": _TEXT,
        "operator_zh": _TEXT,
        "route_fid": "int64",
    },
    "crossings": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "kind": _TEXT,
        "kind_zh": _TEXT,
        "name": _TEXT,
        "source": _TEXT,
        "major": "bool",
        "road_id": _TEXT,
        "road_class": _TEXT,
        "road_class_zh": _TEXT,
        "width_m": "float64",
        "trenchless_allowed": "boolean",
        "method_zh": _TEXT,
        "route_fid": "int64",
    },
    "trench_segments": {
        "kind": _TEXT,
        "road_id": _TEXT,
        "road_name": _TEXT,
        "side": _TEXT,
        "side_zh": _TEXT,
        "surface": _TEXT,
        "surface_zh": _TEXT,
        "length_m": "float64",
        "utilities": _TEXT,
        "utilities_zh": _TEXT,
        "trenches": _TEXT,
        "trenches_n": "int64",
        "shared": "bool",
        "section_fits": "boolean",
        "section_width_m": "float64",
        "section_available_m": "float64",
        "section_message": _TEXT,
    },
    "checklist": {
        "item_no": "int64",
        "kind": _TEXT,
        "category": _TEXT,
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "description": _TEXT,
        "ref_layer": _TEXT,
        "ref_fid": "int64",
        "x": "float64",
        "y": "float64",
        "lon": "float64",
        "lat": "float64",
        "checked": "bool",
        "remarks": _TEXT,
        "checked_by": _TEXT,
        "checked_on": "datetime64[ms]",
    },
    "package_info": {
        "project_id": _TEXT,
        "name": _TEXT,
        "generated_at": _TEXT,
        "as_of": _TEXT,
        "profile": _TEXT,
        "profile_chain": _TEXT,
        "workspace_crs": _TEXT,
        "linkplan_version": _TEXT,
        "layers": _TEXT,
    },
}


# ----------------------------------------------------------------------------- labels


def _surface_zh(surface: str | None) -> str:
    """Return the Chinese name of a surface key (``carriageway:arterial`` → ``车行道（主干路）``).

    Examples
    --------
    >>> _surface_zh("carriageway:arterial"), _surface_zh("green"), _surface_zh("lead_in")
    ('车行道（主干路）', '绿地', '红线至人行道引入段')
    """
    if surface is None:
        return ""
    if surface.startswith("carriageway:"):
        cls = surface.split(":", 1)[1]
        return f"{vocabulary.SURFACES.label('carriageway')}（{CLASS_ZH.get(cls, cls)}）"
    return vocabulary.SURFACES.label(surface)


def _surfaces_text(surfaces: Mapping[str, float]) -> str:
    """Return a route's surfaces as one line of Chinese text.

    Examples
    --------
    >>> _surfaces_text({"sidewalk": 100.0, "lead_in": 4.5})
    '红线至人行道引入段 4.5 m；人行道 100.0 m'
    """
    return "；".join(f"{_surface_zh(k)} {v:.1f} m" for k, v in sorted(surfaces.items()))


def _reasons_text(reasons: Iterable[Reason]) -> str:
    return "；".join(r.text for r in reasons)


def _utility_zh(utility: str) -> str:
    return UTILITY_ZH.get(utility, utility)


def _operator_zh(operator: str | None) -> str | None:
    return None if operator is None else OPERATOR_NAMES_ZH.get(operator, operator)


def _compass_side(dx: float, dy: float) -> str:
    """Return the side (北/南/东/西侧) an offset from the centreline points to.

    Examples
    --------
    >>> _compass_side(0.0, 5.0), _compass_side(-4.0, 1.0)
    ('北侧', '西侧')
    """
    if abs(dx) > abs(dy):
        return "东侧" if dx > 0 else "西侧"
    return "北侧" if dy > 0 else "南侧"


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


# ----------------------------------------------------------------------------- frames


def _frame(
    name: str, rows: Sequence[Mapping[str, Any]], geometry: Sequence[Any] | None, crs: CRS
) -> Layer:
    """Return the layer ``name`` with its fixed schema (an empty layer keeps its columns)."""
    schema = _SCHEMAS[name]
    df = pd.DataFrame(list(rows), columns=list(schema))
    for col, dtype in schema.items():
        if dtype == _TEXT:
            df[col] = pd.Series(
                [None if _missing(v) else str(v) for v in df[col]], index=df.index, dtype=object
            )
        else:
            df[col] = df[col].astype(dtype)  # type: ignore[call-overload]
    if LAYER_GEOMETRY[name] is None:
        return df
    geoms = list(geometry or [])
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=crs), crs=crs)


def _place(x: float, y: float) -> tuple[float, float]:
    """Return a location key: crossings of one place by several routes match to the centimetre."""
    return (round(x, 2), round(y, 2))


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# ----------------------------------------------------------------------------- layers


class _Builder:
    """Collects the features of one project's package."""

    def __init__(self, ws: Workspace, assessment: Assessment, profile: Profile) -> None:
        self.ws = ws
        self.a = assessment
        self.profile = profile
        self.crs = CRS.from_user_input(ws.crs)
        self.to_wgs84 = transformer(self.crs)
        self.major_kinds = set(profile.commitment.major_crossing_kinds)
        self.trenchless = set(profile.commitment.trenchless_road_classes)
        self.major_roads: Mapping[str, str] = profile.major_lines.major_road_classes
        sites = ws.layer("sites")
        match = sites[sites["project_id"].astype(str) == str(assessment.project_id)]
        if match.empty:
            msg = (
                f"layer 'sites' has no feature with project_id {assessment.project_id!r}: "
                "the assessment does not belong to this workspace"
            )
            raise NotFoundError(msg)
        self.site = match.iloc[0]
        self.route_rows: list[dict[str, Any]] = []
        self.route_geoms: list[LineString] = []
        self.tap_rows: list[dict[str, Any]] = []
        self.tap_geoms: list[Point] = []
        self.crossing_rows: list[dict[str, Any]] = []
        self.crossing_geoms: list[Point | None] = []
        self.trench_rows: list[dict[str, Any]] = []
        self.trench_geoms: list[LineString] = []
        self.groups: dict[tuple[str, Hashable], dict[str, Any]] = {}

    # -- helpers

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        if not (_finite(x) and _finite(y)):
            return math.nan, math.nan
        lon, lat = self.to_wgs84.transform(x, y)
        return round(float(lon), 7), round(float(lat), 7)

    def check(
        self,
        kind: str,
        key: Hashable,
        label: str,
        template: str,
        ref_layer: str,
        ref_fid: int,
        point: Point | None,
        utilities: Sequence[str] = (),
    ) -> None:
        """Add a thing to verify; checks of the same ``(kind, key)`` are one row on site.

        ``label`` names who is concerned (``供水``, ``供电（备供）``); the row's description is
        ``template`` with ``{who}`` replaced by the labels joined, and its reference is the
        first check's feature.
        """
        group = self.groups.get((kind, key))
        if group is None:
            self.groups[(kind, key)] = {
                "kind": kind,
                "utilities": list(utilities),
                "labels": [label] if label else [],
                "template": template,
                "ref_layer": ref_layer,
                "ref_fid": ref_fid,
                "point": point,
            }
            return
        group["utilities"] += [u for u in utilities if u not in group["utilities"]]
        if label and label not in group["labels"]:
            group["labels"].append(label)

    def checklist(self) -> list[dict[str, Any]]:
        """Return the checklist rows, by category (:data:`CHECKLIST_CATEGORY_ZH` order)."""
        rows: list[dict[str, Any]] = []
        order = list(CHECKLIST_CATEGORY_ZH)
        for g in sorted(self.groups.values(), key=lambda g: order.index(g["kind"])):
            point = g["point"]
            has_xy = point is not None and not point.is_empty
            x = float(point.x) if has_xy else math.nan
            y = float(point.y) if has_xy else math.nan
            lon, lat = self.lonlat(x, y)
            utilities: list[str] = g["utilities"]
            rows.append(
                {
                    "item_no": len(rows) + 1,
                    "kind": g["kind"],
                    "category": CHECKLIST_CATEGORY_ZH[g["kind"]],
                    "utility": ",".join(utilities) or None,
                    "utility_zh": "、".join(_utility_zh(u) for u in utilities) or None,
                    "description": g["template"].replace("{who}", "、".join(g["labels"])),
                    "ref_layer": g["ref_layer"],
                    "ref_fid": g["ref_fid"],
                    "x": x,
                    "y": y,
                    "lon": lon,
                    "lat": lat,
                    "checked": False,
                    "remarks": None,
                    "checked_by": None,
                    "checked_on": pd.NaT,
                }
            )
        return rows

    def main_spec(self, utility: str, asset_id: str) -> str:
        """Return what the field team checks at a tap, e.g. ``中压B DN160``."""
        layer = self.ws.layers.get(utility)
        if layer is None or "asset_id" not in layer:
            return ""
        rows = layer[layer["asset_id"].astype(str) == asset_id]
        if rows.empty:
            return ""
        row = rows.iloc[0]

        def has(col: str) -> bool:
            return col in row.index and not pd.isna(row[col])

        parts: list[str] = []
        if utility == "gas" and has("pressure_class"):
            parts.append(GAS_CLASS_ZH.get(str(row["pressure_class"]), str(row["pressure_class"])))
        if utility == "heat":
            if has("medium"):
                parts.append(MEDIUM_ZH.get(str(row["medium"]), str(row["medium"])))
            if has("pressure_mpa"):
                parts.append(f"{float(row['pressure_mpa']):g} MPa")
            if has("temperature_c"):
                parts.append(f"{float(row['temperature_c']):g} ℃")
        if utility in ("water", "gas") and has("diameter_mm"):
            parts.append(f"DN{float(row['diameter_mm']):g}")
        if utility == "power":
            if has("voltage_kv"):
                parts.append(f"{float(row['voltage_kv']):g} kV")
            if has("feeder_id"):
                parts.append(f"馈线 {row['feeder_id']}")
            if has("spare_capacity_kva"):
                parts.append(f"可用容量 {float(row['spare_capacity_kva']):g} kVA")
        if utility == "telecom" and has("operator"):
            parts.append(OPERATOR_NAMES_ZH.get(str(row["operator"]), str(row["operator"])))
        return " ".join(parts)

    # -- layers

    def add_site(self) -> None:
        a = self.a
        site_point = self.site.geometry.representative_point()
        if not a.applicable:
            for r in a.reasons:
                self.check(
                    "applicability",
                    (r.rule, r.code, r.text),
                    "",
                    f"不适用联动接入（{r.rule}）：{r.text}。核实企业类型与地块位置",
                    "site",
                    1,
                    site_point,
                )
        for u, res in a.utilities.items():
            if not res.covered:
                self.check(
                    "coverage",
                    u,
                    _utility_zh(u),
                    "{who}未覆盖："
                    f"{_reasons_text(res.reasons) or '无可接入管线'}。核实周边管网现状与提前布局计划",
                    "site",
                    1,
                    site_point,
                    utilities=(u,),
                )

    def add_route(self, u: str, res: UtilityResult, route: Route, role: str) -> None:
        a = self.a
        route_fid = len(self.route_rows) + 1
        geom = route.geometry
        path = res.approval_path if res.covered else None
        detour = ""
        if route.detour is not None:
            avoided = "、".join(str(n) for n in route.detour.get("avoided_roads", []))
            detour = (
                f"为避开禁挖道路（{avoided}）绕行，较最短路由长 "
                f"{float(route.detour.get('extra_m', 0.0)):.1f} m"
            )
        self.route_rows.append(
            {
                "utility": u,
                "utility_zh": _utility_zh(u),
                "role": ROLE_ZH[role],
                "covered": res.covered,
                "requirement": res.requirement,
                "length_m": route.length_m,
                "straight_line_m": route.straight_line_m,
                "lead_in_m": route.lead_in_m,
                "approval_path": path,
                "approval_zh": vocabulary.approval_path_label(
                    path if a.applicable else "not_applicable", self.profile
                ),
                "reasons": _reasons_text(res.reasons),
                "tap_asset": route.tap_asset,
                "operator": route.operator,
                "operator_zh": _operator_zh(route.operator),
                "feeder_id": route.feeder_id,
                "surfaces": _surfaces_text(route.surfaces),
                "crossings_n": len(route.crossings),
                "carriageways_n": len(route.carriageways),
                "dig_once": "；".join(
                    f"{d.name}（{d.why}，至 {d.until.isoformat()}）" for d in route.dig_once
                ),
                "detour": detour,
            }
        )
        self.route_geoms.append(geom)
        label = f"{_utility_zh(u)}{'' if role == 'main' else '（备供）'}"
        self.add_dig_once(u, route, route_fid, label)

        # the tap
        spec = self.main_spec(u, route.tap_asset)
        tap_fid = len(self.tap_rows) + 1
        self.tap_rows.append(
            {
                "utility": u,
                "utility_zh": _utility_zh(u),
                "role": ROLE_ZH[role],
                "asset_id": route.tap_asset,
                "main_spec": spec,
                "feeder_id": route.feeder_id,
                "operator": route.operator,
                "operator_zh": _operator_zh(route.operator),
                "route_fid": route_fid,
            }
        )
        self.tap_geoms.append(route.tap_point)
        self.check(
            "tap",
            tap_fid,
            label,
            f"核实{{who}}接驳点：管线 {route.tap_asset}"
            + (f"（{spec}）" if spec else "")
            + f"的{TAP_CHECK_ZH.get(u, '位置与余量')}",
            "taps",
            tap_fid,
            route.tap_point,
            utilities=(u,),
        )

        # major lines crossed
        for c in route.crossings:
            fid = self._crossing(u, role, c, route_fid)
            method = CROSSING_METHOD_ZH.get(c.kind, DEFAULT_CROSSING_METHOD_ZH)
            self.check(
                "major_crossing",
                (c.kind, c.name, _place(c.x, c.y)),
                label,
                f"核实{{who}}外线穿(跨)越{c.kind_zh}「{c.name}」的方式（{method}）",
                "crossings",
                fid,
                Point(c.x, c.y),
                utilities=(u,),
            )
        # carriageways crossed
        for cw in route.carriageways:
            cls_zh = CLASS_ZH.get(cw.road_class, cw.road_class)
            trenchless = cw.road_class in self.trenchless
            method = "本配置允许顶管/定向钻穿越" if trenchless else "开挖破路，需占道施工与交通疏导"
            point = Point(cw.x, cw.y) if _finite(cw.x) and _finite(cw.y) else None
            fid = len(self.crossing_rows) + 1
            self.crossing_rows.append(
                {
                    "utility": u,
                    "utility_zh": _utility_zh(u),
                    "role": ROLE_ZH[role],
                    "kind": f"carriageway:{cw.road_class}",
                    "kind_zh": _surface_zh(f"carriageway:{cw.road_class}"),
                    "name": cw.name,
                    "source": "roads",
                    "major": self.major_roads.get(cw.road_class) in self.major_kinds,
                    "road_id": cw.road_id,
                    "road_class": cw.road_class,
                    "road_class_zh": cls_zh,
                    "width_m": cw.width_m,
                    "trenchless_allowed": trenchless,
                    "method_zh": method,
                    "route_fid": route_fid,
                }
            )
            self.crossing_geoms.append(point)
            self.check(
                "carriageway",
                (cw.road_id, _place(cw.x, cw.y)),
                label,
                f"核实{{who}}横穿{cls_zh}「{cw.name}」车行道 {cw.width_m:g} m 的破路/占道方案（{method}）",
                "crossings",
                fid,
                point,
                utilities=(u,),
            )
        # green space occupied (the lead-in across a green belt, or sidewalk runs in green)
        # one check per frontage: utilities leaving the site at one place share the lead-in
        green_m = float(route.surfaces.get("green", 0.0))
        if green_m > 0:
            start = Point(geom.coords[0]) if not geom.is_empty else None
            self.check(
                "green",
                _place(start.x, start.y) if start is not None else route_fid,
                label,
                f"核实{{who}}外线临时占用绿地（约 {green_m:.1f} m）的位置、占用手续与绿地恢复要求",
                "routes",
                route_fid,
                start,
                utilities=(u,),
            )

    def _crossing(self, u: str, role: str, c: Crossing, route_fid: int) -> int:
        fid = len(self.crossing_rows) + 1
        self.crossing_rows.append(
            {
                "utility": u,
                "utility_zh": _utility_zh(u),
                "role": ROLE_ZH[role],
                "kind": c.kind,
                "kind_zh": c.kind_zh,
                "name": c.name,
                "source": c.source,
                "major": c.kind in self.major_kinds,
                "road_id": None,
                "road_class": None,
                "road_class_zh": None,
                "width_m": math.nan,
                "trenchless_allowed": pd.NA,
                "method_zh": CROSSING_METHOD_ZH.get(c.kind, DEFAULT_CROSSING_METHOD_ZH),
                "route_fid": route_fid,
            }
        )
        self.crossing_geoms.append(Point(c.x, c.y))
        return fid

    def add_dig_once(self, u: str, route: Route, route_fid: int, label: str) -> None:
        """One check per road under dig-once protection, however many routes use it."""
        roads = self.ws.layer("roads")
        geom = route.geometry
        for d in route.dig_once:
            line = roads.loc[roads["road_id"].astype(str) == d.road_id].geometry
            point: Point | None = None
            if len(line) and not geom.is_empty:
                mid = shapely.line_interpolate_point(line.iloc[0], 0.5, normalized=True)
                point = geom.interpolate(geom.project(mid))
            self.check(
                "dig_once",
                d.road_id,
                label,
                f"「{d.name}」{d.why}，禁挖保护期至 {d.until.isoformat()}（{{who}}外线途经）："
                "核实能否绕行，否则办理特别批准（城市道路管理条例 第三十三条）",
                "routes",
                route_fid,
                point,
                utilities=(u,),
            )

    def add_trench(self) -> None:
        plan = self.a.shared_trench
        if plan is None:
            return
        G: nx.Graph = plan.graph if plan.graph is not None else self.ws.corridor_graph()
        centre = G.graph.get("segments")
        for s in plan.segments:
            geom = segment_geometry(G, s)
            side_zh = self._side(s, geom, centre)
            section = s.section
            fits = None if section is None else bool(getattr(section, "fits", True))
            message = "" if section is None else str(getattr(section, "message", ""))
            fid = len(self.trench_rows) + 1
            self.trench_rows.append(
                {
                    "kind": s.kind,
                    "road_id": s.road_id,
                    "road_name": s.name,
                    "side": s.side,
                    "side_zh": side_zh,
                    "surface": s.surface,
                    "surface_zh": _surface_zh(s.surface),
                    "length_m": s.length_m,
                    "utilities": ",".join(s.utilities),
                    "utilities_zh": "、".join(_utility_zh(u) for u in s.utilities),
                    "trenches": " | ".join("+".join(_utility_zh(u) for u in g) for g in s.trenches),
                    "trenches_n": max(1, len(s.trenches)),
                    "shared": s.shared,
                    "section_fits": pd.NA if fits is None else fits,
                    "section_width_m": _float(getattr(section, "width_m", None)),
                    "section_available_m": _float(getattr(section, "available_m", None)),
                    "section_message": message,
                }
            )
            self.trench_geoms.append(geom)
            if fits is False:
                where = f"{side_zh}人行道" if side_zh else "人行道"
                self.check(
                    "section",
                    fid,
                    "、".join(_utility_zh(u) for u in s.utilities),
                    f"核实「{s.name}」{where}同沟断面（{s.length_m:.1f} m，{{who}}）：{message}",
                    "trench_segments",
                    fid,
                    geom.interpolate(0.5, normalized=True) if not geom.is_empty else None,
                    utilities=s.utilities,
                )

    @staticmethod
    def _side(s: TrenchSegment, geom: LineString, centre: Any) -> str:
        """Return the compass side of a sidewalk stretch (``北侧`` …), ``""`` for crossings."""
        if s.kind != "sidewalk" or centre is None or geom.is_empty or s.seg >= len(centre):
            return ""
        line = centre.geometry.iloc[s.seg]
        mid = geom.interpolate(0.5, normalized=True)
        on = line.interpolate(line.project(mid))
        return _compass_side(mid.x - on.x, mid.y - on.y)

    # -- all together

    def build(self, generated_at: dt.datetime) -> dict[str, Layer]:
        a = self.a
        self.add_site()
        for u, res in a.utilities.items():
            for role, route in (("main", res.route), ("backup", res.backup)):
                if route is not None:
                    self.add_route(u, res, route, role)
        self.add_trench()
        plan = a.shared_trench
        site_row = {
            "project_id": a.project_id,
            "name": a.name,
            "enterprise_type": self.site.get("enterprise_type"),
            "applicable": a.applicable,
            "approval_path": a.approval_path,
            "approval_zh": vocabulary.approval_path_label(a.approval_path, self.profile),
            "reasons": _reasons_text(a.reasons),
            "needs_prelay": "、".join(_utility_zh(u) for u in a.needs_prelay),
            "as_of": a.as_of.isoformat(),
            "total_trench_m": plan.total_trench_m if plan is not None else math.nan,
            "separate_trench_m": plan.separate_trench_m if plan is not None else math.nan,
        }
        crs = self.crs
        layers: dict[str, Layer] = {
            "site": _frame("site", [site_row], [_multi(self.site.geometry)], crs),
            "routes": _frame("routes", self.route_rows, self.route_geoms, crs),
            "taps": _frame("taps", self.tap_rows, self.tap_geoms, crs),
            "crossings": _frame("crossings", self.crossing_rows, self.crossing_geoms, crs),
            "trench_segments": _frame("trench_segments", self.trench_rows, self.trench_geoms, crs),
            "checklist": _frame("checklist", self.checklist(), None, crs),
        }
        info = {
            "project_id": a.project_id,
            "name": a.name,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "as_of": a.as_of.isoformat(),
            "profile": self.profile.name,
            "profile_chain": " → ".join(self.profile.chain) or self.profile.name,
            "workspace_crs": _crs_label(crs),
            "linkplan_version": _version(),
            "layers": ",".join(LAYER_GEOMETRY),
        }
        layers["package_info"] = _frame("package_info", [info], None, crs)
        return layers


def _multi(geom: Any) -> Any:
    """Return a Polygon as a one-part MultiPolygon (other geometries unchanged)."""
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


def _float(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _crs_label(crs: CRS) -> str:
    """Return ``EPSG:4546`` for a CRS with an EPSG code, else its name."""
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else crs.name


def _version() -> str:
    try:
        return importlib.metadata.version("linkplan")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def survey_layers(
    ws: Workspace,
    assessment: Assessment,
    *,
    profile: Profile,
    generated_at: dt.datetime | None = None,
) -> dict[str, Layer]:
    """Return the layers of a project's survey package, in the workspace's working CRS.

    Parameters
    ----------
    ws
        The workspace the assessment was made on (its ``sites``, ``roads`` and network layers
        give the red line, the dig-once roads and the taps' attributes).
    assessment
        One site's assessment from :func:`planning.assess.assess_sites`.
    profile
        The policy profile the assessment used (major crossing kinds, trenchless road classes).
    generated_at
        Time stamp of ``package_info`` (default: now, local time).

    Returns
    -------
    dict
        Layer name → frame, in :data:`LAYER_GEOMETRY` order: ``site``, ``routes``, ``taps``,
        ``crossings``, ``trench_segments`` (GeoDataFrames, possibly empty but with their
        columns) and ``checklist``, ``package_info`` (plain DataFrames). ``ref_fid`` in the
        checklist is the 1-based feature id in ``ref_layer`` as written to the GeoPackage.

    Notes
    -----
    The checklist has one row per thing to verify at one place: each tap (main and backup);
    each major line and each carriageway crossed, once per place however many utilities of the
    joint trench cross there; each frontage whose lead-in occupies green space; each road under
    dig-once protection; each shared stretch whose pipes do not fit the sidewalk; and, for a
    site that is not applicable or a utility not covered, the reasons. Rows are ordered by
    category (:data:`CHECKLIST_CATEGORY_ZH`).

    Raises
    ------
    NotFoundError
        The assessment's site is not in the workspace's ``sites`` layer.
    """
    when = generated_at or dt.datetime.now().astimezone()
    return _Builder(ws, assessment, profile).build(when)


# ----------------------------------------------------------------------------- writing


def write_geopackage(layers: Mapping[str, Layer], path: Path) -> Path:
    """Write the layers to a new GeoPackage, each with its geometry type even when empty.

    Parameters
    ----------
    layers
        Layer name → frame, as from :func:`survey_layers`; names missing from
        :data:`LAYER_GEOMETRY` are written as attribute tables when they are plain DataFrames.
    path
        The GeoPackage to create (must not exist).
    """
    for name, frame in layers.items():
        gtype = LAYER_GEOMETRY.get(name)
        options = {"DESCRIPTION": LAYER_DESCRIPTION_ZH.get(name, name)}
        if isinstance(frame, gpd.GeoDataFrame):
            gtype = gtype or "Unknown"
            pyogrio.write_dataframe(
                frame,
                path,
                layer=name,
                driver="GPKG",
                geometry_type=gtype,
                promote_to_multi=gtype.startswith("Multi"),
                layer_options=options,
            )
        else:
            pyogrio.write_dataframe(
                pd.DataFrame(frame), path, layer=name, driver="GPKG", layer_options=options
            )
    return path


def _folder_name(project_id: str) -> str:
    """Return a project id made safe as a folder name inside the zip.

    Examples
    --------
    >>> _folder_name("JM-2026-001"), _folder_name("../a/b:c")
    ('JM-2026-001', 'a_b_c')
    """
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", project_id).strip(" ._")
    return safe or "project"


def _readme(
    a: Assessment, layers: Mapping[str, Layer], crs: CRS, profile: Profile, with_map: bool
) -> str:
    """Return the package's README (Chinese): contents, CRS, how to open it in QGIS/QField."""
    counts = {name: len(frame) for name, frame in layers.items()}
    folder = _folder_name(a.project_id)
    lines = [
        f"联动接入踏勘包 — {a.name}（项目编号 {a.project_id}）",
        "",
        f"评估日期：{a.as_of.isoformat()}",
        f"审批路径：{vocabulary.approval_path_label(a.approval_path, profile)}",
    ]
    if a.reasons and not a.applicable:
        lines.append(f"不适用原因：{_reasons_text(a.reasons)}")
    if a.needs_prelay:
        lines.append("需提前布局管网：" + "、".join(_utility_zh(u) for u in a.needs_prelay))
    lines += [
        "",
        "一、包内文件",
        f"  {folder}/survey.gpkg   GeoPackage 数据包（QGIS、QField 及 GDAL 均可直接打开）",
    ]
    if with_map:
        lines.append(f"  {folder}/map.html       离线地图（用浏览器打开，无需联网）")
    lines += [
        f"  {folder}/README.txt     本说明",
        "",
        "二、survey.gpkg 中的图层",
    ]
    for name, gtype in LAYER_GEOMETRY.items():
        kind = {"MultiPolygon": "面", "LineString": "线", "Point": "点"}.get(
            gtype or "", "属性表（无几何）"
        )
        lines.append(
            f"  {name:<16}{LAYER_DESCRIPTION_ZH[name]}，{kind}，{counts.get(name, 0)} 条记录"
        )
    lines += [
        "",
        f"坐标系：{_crs_label(crs)}（{crs.name}），单位为米。踏勘核查表另附 WGS84 经纬度（lon、lat），",
        "可用于 GPS/北斗设备找点。注意：高德、腾讯地图使用 GCJ-02，百度地图使用 BD-09，与 WGS84",
        "相差可达数百米，请勿将经纬度直接输入这些地图，也不要把在这些地图上拾取的坐标直接填回。",
        "",
        "三、在 QGIS 中打开",
        "  1. 解压本压缩包；",
        "  2. 将 survey.gpkg 拖入 QGIS 窗口（或：图层 → 添加图层 → 添加矢量图层，选择该文件），",
        "     勾选全部图层；checklist 与 package_info 为无几何的属性表，在图层列表中右键",
        "     “打开属性表”查看；",
        "  3. 如需底图，可添加在线或本地影像；本包数据不依赖网络。",
        "",
        "四、在 QField 中使用",
        "  1. 将 survey.gpkg 复制到手机或平板（QField 的导入文件夹，或经 QFieldSync 打包）；",
        "  2. 在 QField 中打开 survey.gpkg，即可按路由、接驳点、穿越点定位；",
        "  3. 在 checklist（踏勘核查表）中逐条核查：核查后将 checked 设为“是”，在 remarks",
        "     填写情况说明，checked_by 填写核查人，checked_on 填写核查日期；",
        "  4. 踏勘结束后将 survey.gpkg 交回，核查结果随文件带回。",
        "",
        "五、踏勘核查表（checklist）说明",
        "  每行一项需在现场核实的内容：接驳点（位置、管径/电压/余量）、重大管线穿越方式",
        "  （顶管/定向钻/架空等）、车行道破路/占道、禁挖保护期道路能否绕行、同沟断面不足、",
        "  临时占用绿地的恢复，以及不适用或未覆盖的原因。ref_layer 与 ref_fid 指向相关图层中",
        "  的要素编号（fid），x、y 为工作坐标系坐标。",
        "",
        f"本踏勘包由 Linkplan（联动接入预规划）{_version()} 生成，政策配置 {profile.name}"
        f"（{profile.description or profile.name}）。",
    ]
    return "\r\n".join(lines) + "\r\n"


def survey_package(
    ws: Workspace,
    assessment: Assessment,
    *,
    profile: Profile,
    out: Path,
    map_html: str | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write one project's survey package (zip) for the joint survey team.

    Parameters
    ----------
    ws
        The workspace the assessment was made on.
    assessment
        One site's assessment (:func:`planning.assess.assess_sites`). A site that is not
        applicable, or has no route at all, still gets a package: its red line and a checklist
        saying why.
    profile
        The policy profile the assessment used.
    out
        The zip to write (its directory is created if needed). An existing file is replaced
        only once the new package is complete.
    map_html
        The offline HTML map, stored as ``<project_id>/map.html`` when given.
    generated_at
        Time stamp of ``package_info`` (default: now).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    OSError
        ``out``'s directory cannot be created or written; nothing is left behind.
    NotFoundError
        The assessment's site is not in the workspace.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    layers = survey_layers(ws, assessment, profile=profile, generated_at=generated_at)
    folder = _folder_name(assessment.project_id)
    readme = _readme(assessment, layers, CRS.from_user_input(ws.crs), profile, map_html is not None)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="linkplan-survey-") as work:
            gpkg = write_geopackage(layers, Path(work) / "survey.gpkg")
            with open(tmp, "xb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(gpkg, f"{folder}/survey.gpkg")
                if map_html is not None:
                    z.writestr(f"{folder}/map.html", map_html.encode("utf-8"))
                # UTF-8 with a byte-order mark and CRLF: Windows Notepad shows the Chinese
                z.writestr(f"{folder}/README.txt", readme.encode("utf-8-sig"))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
