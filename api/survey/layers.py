"""The survey package's layers (no I/O): red line, routes, lead-ins, taps, crossings, checklist.

:func:`survey_layers` turns one site's assessment into the package's layers in the
workspace's working CRS (schemas in :mod:`api.survey.schema`, wording in
:mod:`api.survey.labels`, the checklist's merging in :mod:`api.survey.checklist`).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import math
from typing import Any

import networkx as nx
import pandas as pd
import shapely
from pyproj import CRS
from shapely import LineString, MultiPolygon, Point, Polygon

from api.survey.checklist import Checklist
from api.survey.labels import (
    CROSSING_METHOD_ZH,
    DEFAULT_CROSSING_METHOD_ZH,
    ROLE_ZH,
    TAP_CHECK_ZH,
    compass_side,
    finite,
    main_spec,
    operator_zh,
    reasons_text,
    surface_zh,
    surfaces_text,
    utility_zh,
)
from api.survey.schema import LAYER_GEOMETRY, Layer, crs_label, frame
from gis import vocabulary
from gis.crs import transformer
from gis.errors import NotFoundError
from gis.profile import Profile
from gis.workspace import Workspace
from planning.approval import CLASS_ZH
from planning.assess import Assessment, Route, UtilityResult
from planning.crossings import Crossing
from planning.shared_trench import TrenchSegment, segment_geometry

__all__ = ["survey_layers", "version"]


def _place(x: float, y: float) -> tuple[float, float]:
    """Return a location key: crossings of one place by several routes match to the centimetre."""
    return (round(x, 2), round(y, 2))


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
        self.major_roads: dict[str, str] = profile.major_lines.major_road_classes
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
        self.lead_in_rows: list[dict[str, Any]] = []
        self.lead_in_geoms: list[LineString] = []
        self.tap_rows: list[dict[str, Any]] = []
        self.tap_geoms: list[Point] = []
        self.crossing_rows: list[dict[str, Any]] = []
        self.crossing_geoms: list[Point | None] = []
        self.trench_rows: list[dict[str, Any]] = []
        self.trench_geoms: list[LineString] = []
        self.checklist = Checklist()
        self.check = self.checklist.check

    # -- helpers

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Return WGS84 longitude and latitude of a working-CRS point (NaN when unknown)."""
        if not (finite(x) and finite(y)):
            return math.nan, math.nan
        lon, lat = self.to_wgs84.transform(x, y)
        return round(float(lon), 7), round(float(lat), 7)

    def main_spec(self, utility: str, asset_id: str) -> str:
        """Return what the field team checks at a tap, e.g. ``中压B DN160``."""
        layer = self.ws.layers.get(utility)
        if layer is None or "asset_id" not in layer:
            return ""
        rows = layer[layer["asset_id"].astype(str) == asset_id]
        return "" if rows.empty else main_spec(utility, rows.iloc[0])

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
                    f"不适用联动接入：{r.text}。核实企业类型与地块位置",
                    "site",
                    1,
                    site_point,
                )
        for u, res in a.utilities.items():
            if not res.covered:
                self.check(
                    "coverage",
                    u,
                    utility_zh(u),
                    "{who}未覆盖："
                    f"{reasons_text(res.reasons) or '无可接入管线'}。核实周边管网现状与提前布局计划",
                    "site",
                    1,
                    site_point,
                    utilities=(u,),
                )

    def add_route(self, u: str, res: UtilityResult, route: Route, role: str) -> None:
        """Add a route (``role`` main or backup) with its tap, crossings and checks."""
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
                "utility_zh": utility_zh(u),
                "role": ROLE_ZH[role],
                "covered": res.covered,
                "requirement": res.requirement,
                # along the road (the drawn line), the lead-in from the red line, their sum
                "length_m": route.length_m,
                "lead_in_m": route.lead_in_m,
                "red_line_m": route.red_line_m,
                "straight_line_m": route.straight_line_m,
                "approval_path": path,
                "approval_zh": vocabulary.approval_path_label(
                    path if a.applicable else "not_applicable", self.profile
                ),
                "reasons": reasons_text(res.reasons),
                "tap_asset": route.tap_asset,
                "operator": route.operator,
                "operator_zh": operator_zh(route.operator),
                "feeder_id": route.feeder_id,
                "surfaces": surfaces_text(route.surfaces),
                "crossings_n": len(route.crossings),
                "carriageways_n": len(route.carriageways),
                "dig_once": "；".join(
                    f"{d.name}（{d.why}，至 {d.until.isoformat()}）" for d in route.dig_once
                ),
                "detour": detour,
            }
        )
        self.route_geoms.append(geom)
        self.add_lead_in(u, route, role, route_fid=route_fid)
        label = f"{utility_zh(u)}{'' if role == 'main' else '（备供）'}"
        self.add_dig_once(u, route, route_fid, label)
        self.add_tap(u, route, role, route_fid=route_fid, label=label)
        self.add_major_crossings(u, route, role, route_fid=route_fid, label=label)
        self.add_carriageways(u, route, role, route_fid=route_fid, label=label)
        self.add_green(u, route, route_fid=route_fid, label=label)

    def add_lead_in(self, u: str, route: Route, role: str, *, route_fid: int) -> None:
        """Add the route's lead-in from the red line (seed 二), as long as ``lead_in_m``."""
        line = route.lead_in_line
        if line is None or line.is_empty or route.lead_in_m <= 0:
            return
        self.lead_in_rows.append(
            {
                "utility": u,
                "utility_zh": utility_zh(u),
                "role": ROLE_ZH[role],
                "kind_zh": "红线引入段",
                "length_m": route.lead_in_m,
                "green_m": route.lead_in_m - route.surfaces.get("lead_in", route.lead_in_m),
                "route_fid": route_fid,
            }
        )
        self.lead_in_geoms.append(line)

    def add_tap(self, u: str, route: Route, role: str, *, route_fid: int, label: str) -> None:
        """Add the route's tap and the check of its position and spare capacity."""
        spec = self.main_spec(u, route.tap_asset)
        tap_fid = len(self.tap_rows) + 1
        self.tap_rows.append(
            {
                "utility": u,
                "utility_zh": utility_zh(u),
                "role": ROLE_ZH[role],
                "asset_id": route.tap_asset,
                "main_spec": spec,
                "feeder_id": route.feeder_id,
                "operator": route.operator,
                "operator_zh": operator_zh(route.operator),
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

    def add_major_crossings(
        self, u: str, route: Route, role: str, *, route_fid: int, label: str
    ) -> None:
        """Add the major lines the route crosses, one check per line and place."""
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

    def add_carriageways(
        self, u: str, route: Route, role: str, *, route_fid: int, label: str
    ) -> None:
        """Add the carriageways the route crosses, one check per road and place."""
        for cw in route.carriageways:
            cls_zh = CLASS_ZH.get(cw.road_class, cw.road_class)
            trenchless = cw.road_class in self.trenchless
            method = "可顶管/定向钻穿越，不开挖车行道" if trenchless else "开挖破路，需占道施工与交通疏导"
            point = Point(cw.x, cw.y) if finite(cw.x) and finite(cw.y) else None
            fid = len(self.crossing_rows) + 1
            self.crossing_rows.append(
                {
                    "utility": u,
                    "utility_zh": utility_zh(u),
                    "role": ROLE_ZH[role],
                    "kind": f"carriageway:{cw.road_class}",
                    "kind_zh": surface_zh(f"carriageway:{cw.road_class}"),
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

    def add_green(self, u: str, route: Route, *, route_fid: int, label: str) -> None:
        """Add the check of green space the route occupies, one per frontage.

        The lead-in across a green belt, or sidewalk runs in green; utilities leaving the site
        at one place share the lead-in.
        """
        geom = route.geometry
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
                "utility_zh": utility_zh(u),
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
                    "kind_zh": vocabulary.TRENCH_SEGMENT_KINDS.label(s.kind),
                    "road_id": s.road_id,
                    "road_name": s.name,
                    "side": s.side,
                    "side_zh": side_zh,
                    "surface": s.surface,
                    "surface_zh": surface_zh(s.surface),
                    "length_m": s.length_m,
                    "utilities": ",".join(s.utilities),
                    "utilities_zh": "、".join(utility_zh(u) for u in s.utilities),
                    "trenches": " | ".join("+".join(utility_zh(u) for u in g) for g in s.trenches),
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
                    "、".join(utility_zh(u) for u in s.utilities),
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
        return compass_side(mid.x - on.x, mid.y - on.y)

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
            "enterprise_type_zh": vocabulary.ENTERPRISE_TYPES.label(
                self.site.get("enterprise_type"), default=""
            ),
            "applicable": a.applicable,
            "approval_path": a.approval_path,
            "approval_zh": vocabulary.approval_path_label(a.approval_path, self.profile),
            "reasons": reasons_text(a.reasons),
            "needs_prelay": "、".join(utility_zh(u) for u in a.needs_prelay),
            "as_of": a.as_of.isoformat(),
            "total_trench_m": plan.total_trench_m if plan is not None else math.nan,
            "separate_trench_m": plan.separate_trench_m if plan is not None else math.nan,
        }
        crs = self.crs
        layers: dict[str, Layer] = {
            "site": frame("site", [site_row], [_multi(self.site.geometry)], crs),
            "routes": frame("routes", self.route_rows, self.route_geoms, crs),
            "lead_ins": frame("lead_ins", self.lead_in_rows, self.lead_in_geoms, crs),
            "taps": frame("taps", self.tap_rows, self.tap_geoms, crs),
            "crossings": frame("crossings", self.crossing_rows, self.crossing_geoms, crs),
            "trench_segments": frame("trench_segments", self.trench_rows, self.trench_geoms, crs),
            "checklist": frame("checklist", self.checklist.rows(self.lonlat), None, crs),
        }
        info = {
            "project_id": a.project_id,
            "name": a.name,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "as_of": a.as_of.isoformat(),
            "profile": self.profile.name,
            "profile_chain": " → ".join(self.profile.chain) or self.profile.name,
            "workspace_crs": crs_label(crs),
            "linkplan_version": version(),
            "layers": ",".join(LAYER_GEOMETRY),
        }
        layers["package_info"] = frame("package_info", [info], None, crs)
        return layers


def _multi(geom: Any) -> Any:
    """Return a Polygon as a one-part MultiPolygon (other geometries unchanged)."""
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


def _float(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def version() -> str:
    """Return the installed Linkplan version (``unknown`` when not installed)."""
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
