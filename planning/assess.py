"""Site assessment: coverage, routed external line, crossings and approval path per utility.

For each requested utility of one site or thousands: is the site covered, how long is its
external line along the roads, what does it cross, and so which approval path (R1–R5, R10).

:func:`assess_sites` is the one orchestrating function; it reads as its steps:
(1) applicability of each site (R1); (2) the corridor graph's routing index; (3) for each
utility and each distinct requirement, one multi-source search from every suitable tap;
(4) each site's route, its surfaces, crossings and dig-once conflicts; (5) the decision per
utility and overall. Deadlines are added by the caller from :mod:`planning.calendar`.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from shapely import LineString, Point

from gis import vocabulary
from gis.convert import edge_geometry, path_geometry
from gis.errors import NotFoundError
from gis.profile import Profile
from gis.schema import OPERATOR_NAMES_ZH, UTILITIES
from gis.workspace import Workspace
from planning.approval import CarriagewayCrossing, DigOnce, Reason, RouteFacts, decide
from planning.cost import Cost, joint_trench_cost, route_cost
from planning.cross_section import SectionCheck, check_section, pipe_for
from planning.crossings import Crossing, MajorLines, major_lines
from planning.routing import Search, TreePath, routing_index
from planning.shared_trench import SharedTrench, TrenchSegment, plan_joint_trench, route_edges
from planning.suitability import (
    Demand,
    Requirement,
    requirement,
    suitable_mains,
    water_min_diameter_mm,
)

__all__ = [
    "AUTO_BATCH_MIN_SITES",
    "Assessment",
    "Route",
    "UtilityResult",
    "assess_sites",
    "default_demand",
    "protected_roads",
]

Strategy = Literal["auto", "batch", "per_site"]

AUTO_BATCH_MIN_SITES = 64
"""``auto`` searches from the taps (``batch``) from this many sites on, else from each site.

A search from the taps costs about as much as 60–80 searches from single sites on the city-size
district (``bench/bench_assess.py``: 45 ms against 0.6–1.3 ms); both give the same routes."""


@dataclass
class Route:
    """One external line from a site's frontage to a tap on a suitable main.

    ``length_m`` is measured along the road corridor from the site's frontage to the tap (the
    part under public roads: sidewalk runs and carriageway crossings); ``lead_in_m`` is the
    short link from the red line across to the sidewalk, reported apart (its surface, e.g. a
    green belt, is in ``surfaces``, which therefore sums to ``length_m + lead_in_m``).
    ``straight_line_m`` is the straight distance between the frontage and the tap on the same
    centreline reference, so it never exceeds ``length_m``.
    """

    length_m: float
    straight_line_m: float
    nodes: list[Any]
    graph: nx.Graph = field(repr=False)
    tap_asset: str
    tap_main: Any = field(repr=False)
    """The tapped main's geometry."""
    tap_ref: tuple[float, float]
    """The tap node's point on the centreline; the tap is the main's point nearest to it."""
    surfaces: dict[str, float]
    carriageways: list[CarriagewayCrossing]
    crossings: list[Crossing]
    dig_once: list[DigOnce]
    feeder_id: str | None = None
    operator: str | None = None
    lead_in_m: float = 0.0
    detour: dict[str, Any] | None = None
    """Set when the shortest route was given up to avoid roads under dig-once protection."""

    @cached_property
    def tap_point(self) -> Point:
        """Return the point of the main the route taps (working CRS)."""
        main = self.tap_main
        return main.interpolate(main.project(Point(self.tap_ref)))

    @property
    def geometry(self) -> LineString:
        """Return the route as drawn on the sidewalks and crossings (working CRS)."""
        return path_geometry(self.graph, self.nodes)

    def facts(self) -> RouteFacts:
        """Return what the approval rules need."""
        return RouteFacts(
            self.length_m, self.carriageways, self.crossings, self.dig_once, self.surfaces
        )


@dataclass
class UtilityResult:
    """The assessment of one utility for one site."""

    utility: str
    covered: bool
    requirement: str
    route: Route | None = None
    approval_path: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    backup: Route | None = None
    operators: dict[str, float] = field(default_factory=dict)
    search_key: tuple[Any, ...] = ()


@dataclass
class Assessment:
    """The assessment of one site."""

    project_id: str
    name: str
    applicable: bool
    approval_path: str | None
    reasons: list[Reason]
    utilities: dict[str, UtilityResult]
    needs_prelay: list[str]
    as_of: dt.date
    shared_trench: SharedTrench | None = None
    cost_separate: Cost | None = None
    """Estimated cost of each utility's own external line, added up (yuan)."""
    cost_joint: Cost | None = None
    """Estimated cost with the joint trench (yuan); equals ``cost_separate`` for one utility."""


def default_demand(profile: Profile, *, utilities: Iterable[str] = UTILITIES) -> Demand:
    """Return the profile's default demand (a small industrial enterprise)."""
    d = profile.demand.default
    return Demand(
        utilities=tuple(utilities),
        water_peak_m3_h=d.water_peak_m3_h,
        gas_peak_m3_h=d.gas_peak_m3_h,
        steam_pressure_mpa=d.steam_pressure_mpa,
        steam_temperature_c=d.steam_temperature_c,
        steam_t_h=d.steam_t_h,
        power_kva=d.power_kva,
        backup_kva=d.backup_kva,
        operators_needed=d.operators_needed,
    )


# ------------------------------------------------------------------------- step 1: R1


def applicability(
    sites: gpd.GeoDataFrame, scope: gpd.GeoDataFrame, profile: Profile
) -> dict[str, list[Reason]]:
    """Return, per site, the reasons it is *not* applicable (empty list: applicable)."""
    area = shapely.union_all(np.asarray(scope.geometry.values)) if len(scope) else None
    excluded = set(profile.applicability.excluded_enterprise_types)
    eligible = set(profile.applicability.eligible_enterprise_types)
    out: dict[str, list[Reason]] = {}
    for row in sites.itertuples():
        reasons = []
        etype = str(row.enterprise_type)
        if etype in excluded:
            reasons.append(
                Reason(
                    "R1", "real_estate", "房地产开发企业不适用联动接入方案（实施方案 二 适用范围）"
                )
            )
        elif etype not in eligible:
            reasons.append(
                Reason("R1", "not_enterprise", f"企业类型 {etype} 不属于工商企业（实施方案 二）")
            )
        point = row.geometry.representative_point()
        if area is None or not area.contains(point):
            reasons.append(
                Reason(
                    "R1",
                    "outside_scope",
                    "地块不在中心城区适用范围内（实施方案 二：主城区及子陵、牌楼、团林、麻城、漳河五组团）",
                )
            )
        out[str(row.project_id)] = reasons
    return out


# ------------------------------------------------------------------- step 4: route facts


class _Context:
    """Everything route facts need, prepared once per workspace and profile."""

    def __init__(self, ws: Workspace, profile: Profile, as_of: dt.date) -> None:
        self.ws = ws
        self.profile = profile
        self.as_of = as_of
        self.G = ws.corridor_graph()
        self.index = routing_index(self.G)
        self.segments = self.G.graph["segments"]
        self.segment_geoms = np.asarray(self.segments.geometry.values, dtype=object)
        self.major = MajorLines(major_lines(ws.layers, profile))
        green = ws.layers.get("green_space")
        self.green = (
            shapely.union_all(np.asarray(green.geometry.values))
            if green is not None and len(green)
            else None
        )
        if self.green is not None:
            shapely.prepare(self.green)
        self.protected = self._protection()
        self._edge_table()
        self.sidewalk_m = self.segments["sidewalk_m"].to_numpy(dtype=float)
        self.main_columns: dict[str, dict[str, np.ndarray]] = {}
        sites = ws.layer("sites")
        self.site_geoms = dict(zip(sites["project_id"].astype(str), sites.geometry))
        telecom = ws.layers.get("telecom")
        self.operators = sorted(set(telecom["operator"].astype(str))) if telecom is not None else []
        self.main_geoms: dict[str, dict[str, Any]] = {}
        self.source_cache: dict[tuple[Any, ...], tuple[np.ndarray, set[str]]] = {}
        self._unprotected: Any = None

        self.lead_cache: dict[tuple[str, Any], tuple[float, float]] = {}
        self.tap_cache: dict[tuple[int, Any], tuple[set[str], str]] = {}
        self.surface_cache: dict[tuple[Any, Any], str | None] = {}
        self.main_rows: dict[str, dict[str, int]] = {}
        # each (asset, node) pair of the routing index → the asset's row in its layer
        self.pair_rows: dict[str, np.ndarray] = {}
        self.feeders: dict[str, str] = {}
        for utility, assets in self.index.pair_assets.items():
            layer = ws.layers.get(utility)
            if layer is None:
                continue
            row_of = {a: i for i, a in enumerate(layer["asset_id"].astype(str))}
            self.pair_rows[utility] = np.array([row_of[a] for a in assets], dtype=np.int64)
            if utility == "power" and "feeder_id" in layer:
                self.feeders = dict(
                    zip(layer["asset_id"].astype(str), layer["feeder_id"].astype(str))
                )
            self.main_geoms[utility] = dict(zip(layer["asset_id"].astype(str), layer.geometry))

    def section_checker(
        self, covered: Mapping[str, UtilityResult], demand: Demand
    ) -> Callable[[TrenchSegment], tuple[tuple[tuple[str, ...], ...], SectionCheck]]:
        """Return the cross-section check (GB 50289) of a shared stretch for this site.

        Each pipe is sized from the main it taps (pressure class, voltage, medium, diameter),
        the water service line from the demand's peak flow; the available width is the
        block's sidewalk width (profile default by road class).
        """
        sidewalk = self.sidewalk_m

        def check(seg: TrenchSegment) -> tuple[tuple[tuple[str, ...], ...], SectionCheck]:
            pipes = []
            for u in seg.utilities:
                route = covered[u].route
                assert route is not None
                attrs = self.main_attrs(u, route.tap_asset)
                if u == "water":
                    attrs["diameter_mm"] = water_min_diameter_mm(
                        demand.water_peak_m3_h, self.profile
                    )
                pipes.append(pipe_for(u, attrs, profile=self.profile))
            result = check_section(
                pipes, available_m=float(sidewalk[seg.seg]), profile=self.profile
            )
            if result.fits:
                return (seg.utilities,), result
            groups = tuple(
                tuple(label.split(":", 1)[0] for label in g) for g in result.split
            ) or tuple((u,) for u in seg.utilities)
            return groups, result

        return check

    def main_attrs(self, utility: str, asset_id: str) -> dict[str, Any]:
        """Return the attributes of one main (a copy)."""
        rows = self.main_rows.get(utility)
        if rows is None:
            layer = self.ws.layer(utility)
            rows = {a: i for i, a in enumerate(layer["asset_id"].astype(str))}
            self.main_rows[utility] = rows
            self.main_columns[utility] = {
                c: (col.astype(object) if col.dtype.kind in "mM" else col).to_numpy()
                for c, col in layer.drop(columns=layer.geometry.name).items()
            }
        row = rows[asset_id]
        return {
            c: (v.item() if isinstance(v, np.generic) else v)
            for c, values in self.main_columns[utility].items()
            for v in (values[row],)
        }

    def unprotected_matrix(self) -> Any:
        """Return the search matrix without the edges of roads under dig-once protection."""
        if self._unprotected is None:
            index = self.index
            ends = index.edge_ends[np.flatnonzero(self.edge_protected)]
            edges = [(index.nodes[a], index.nodes[b]) for a, b in ends.tolist()]
            self._unprotected = index.without_edges(edges)
        return self._unprotected

    def sources(self, utility: str, mask: np.ndarray) -> tuple[np.ndarray, set[str]]:
        """Return the tap nodes of the mains selected by ``mask`` (over the layer's rows)."""
        rows = self.pair_rows.get(utility)
        if rows is None or not mask.any():
            return np.array([], dtype=np.int64), set()
        chosen = mask[rows]
        nodes = np.unique(self.index.pair_nodes[utility][chosen])
        return nodes, set(self.index.pair_assets[utility][chosen])

    def _protection(self) -> dict[str, tuple[dt.date, str]]:
        return protected_roads(self.ws.layer("roads"), profile=self.profile, as_of=self.as_of)

    def _edge_table(self) -> None:
        """Prepare each edge's facts as arrays: surface, crossings, dig-once, and what to draw.

        Every edge lies within a ball around its middle: half its run along the centreline plus
        the sidewalk offset (for sidewalk runs), or half its chord. An edge whose ball meets no
        major line crosses none, and one whose ball meets no green space is not on green space:
        their facts follow from the edge's kind alone. The others (``pending``) are drawn
        exactly (:func:`gis.convert.edge_geometry`) the first time a route uses them.
        """
        index = self.index
        data = index.edge_data
        m = len(data)
        kind = np.array([d["kind"] for d in data], dtype=object)
        sidewalk = kind == "sidewalk"
        crossing = kind == "crossing"
        a, b = index.edge_ends[:, 0], index.edge_ends[:, 1]
        xy = index.node_xy
        mid = (xy[a] + xy[b]) / 2.0
        radius = np.hypot(*(xy[a] - xy[b]).T) / 2.0
        if sidewalk.any() and len(self.segment_geoms):
            rows = np.flatnonzero(sidewalk)
            seg = np.array([int(data[i]["seg"]) for i in rows], dtype=np.int64)
            t0 = np.array([float(data[i]["t0"]) for i in rows])
            t1 = np.array([float(data[i]["t1"]) for i in rows])
            centre = shapely.get_coordinates(
                shapely.line_interpolate_point(self.segment_geoms[seg], (t0 + t1) / 2.0)
            )
            width = self.segments["width_m"].to_numpy(dtype=float)
            walk = self.segments["sidewalk_m"].to_numpy(dtype=float)
            offset = np.nan_to_num((width[seg] + walk[seg]) / 2.0, nan=0.0)
            mid[rows] = centre
            radius[rows] = np.maximum.reduce(
                [
                    np.abs(t1 - t0) / 2.0 + np.abs(offset),
                    np.hypot(*(xy[a[rows]] - centre).T),
                    np.hypot(*(xy[b[rows]] - centre).T),
                ]
            )
        radius = radius + 1.0  # a metre to spare
        points = shapely.points(mid)
        near = ~np.isfinite(radius)  # no position to test: drawn exactly
        radius = np.nan_to_num(radius, nan=0.0, posinf=0.0)
        if len(self.major.geoms):
            hits = self.major.tree.query(points, predicate="dwithin", distance=radius)
            near[hits[0]] = True
        green = self.ws.layers.get("green_space")
        if self.green is not None and green is not None and sidewalk.any():
            tree = shapely.STRtree(np.asarray(green.geometry.values, dtype=object))
            rows = np.flatnonzero(sidewalk)
            hits = tree.query(points[rows], predicate="dwithin", distance=radius[rows])
            near[rows[hits[0]]] = True
        # surfaces as codes into ``surface_names``; -1: none (corners)
        classes = [str(data[i]["road_class"]) for i in np.flatnonzero(crossing)]
        self.surface_names = ["sidewalk", "green", *sorted({f"carriageway:{c}" for c in classes})]
        code = {name: k for k, name in enumerate(self.surface_names)}
        self.edge_surface = np.full(m, -1, dtype=np.int64)
        self.edge_surface[sidewalk] = code["sidewalk"]
        self.edge_surface[np.flatnonzero(crossing)] = [code[f"carriageway:{c}"] for c in classes]
        self.edge_crossings: dict[int, tuple[Crossing, ...]] = {}
        self.edge_pending = near
        road = np.array([d.get("road_id") for d in data], dtype=object)
        self.edge_protected = (sidewalk | crossing) & np.array(
            [r is not None and r in self.protected for r in road], dtype=bool
        )
        # edges whose facts a route must look at one by one (the rest only add up lengths)
        self.edge_special = crossing | self.edge_protected
        self.edge_look = self.edge_special | self.edge_pending
        self.edge_kind_crossing = crossing
        self.node_centre = self._node_centres()

    def _node_centres(self) -> list[tuple[float, float]]:
        """Return each node's reference point on its block's centreline (NaN when it has none)."""
        index = self.index
        out = np.full((len(index.nodes), 2), np.nan)
        ok = index.node_seg >= 0
        if ok.any() and len(self.segment_geoms):
            out[ok] = shapely.get_coordinates(
                shapely.line_interpolate_point(
                    self.segment_geoms[index.node_seg[ok]], index.node_t[ok]
                )
            )
        return [(x, y) for x, y in out.tolist()]

    def _resolve(self, e: int) -> None:
        """Draw edge ``e`` and record its exact surface and crossings."""
        index = self.index
        u, v = (index.nodes[int(i)] for i in index.edge_ends[e])
        key = (u, v) if u <= v else (v, u)
        geom = edge_geometry(self.G, *key)
        data = index.edge_data[e]
        on_green = (
            data["kind"] == "sidewalk"
            and self.green is not None
            and self.green.contains(geom.interpolate(0.5, normalized=True))
        )
        if on_green:
            self.edge_surface[e] = self.surface_names.index("green")
        crossed = tuple(self.major.crossed_by(geom)) if geom.length > 0 else ()
        if crossed:
            self.edge_crossings[e] = crossed
            self.edge_special[e] = True
        self.edge_pending[e] = False
        self.edge_look[e] = self.edge_special[e]

    def tap_asset(self, utility: str, node: Any, assets: set[str]) -> str:
        """Return the first of ``assets`` of ``utility`` that passes ``node`` (kept per set)."""
        key = (id(assets), node)
        cached = self.tap_cache.get(key)
        if cached is None or cached[0] is not assets:  # another set under a reused id
            taps = self.G.nodes[node]["taps"]
            cached = (assets, str(next(a for u, a in taps if u == utility and a in assets)))
            self.tap_cache[key] = cached
        return cached[1]

    def surface_of(self, a: Any, b: Any) -> str | None:
        """Return the surface of edge ``(a, b)`` (kept per edge once asked)."""
        surface = self.surface_cache.get((a, b), "?")
        if surface == "?":
            surface = self.surface_cache[(a, b)] = self.edge_facts(a, b)[0]
        return surface

    def edge_facts(self, a: Any, b: Any) -> tuple[str | None, tuple[Crossing, ...]]:
        """Return an edge's surface and the major lines it crosses."""
        index = self.index
        e = int(index.edge_ids([index.index[a], index.index[b]])[0])
        if self.edge_pending[e]:
            self._resolve(e)
        k = int(self.edge_surface[e])
        return (self.surface_names[k] if k >= 0 else None), self.edge_crossings.get(e, ())

    def lead_in(self, pid: str, node: Any) -> tuple[float, float]:
        """Return the lead-in from a site's red line to its frontage node: (length, on green)."""
        key = (pid, node)
        if key not in self.lead_cache:
            self.prepare_lead_ins([pid])
        return self.lead_cache[key]

    def prepare_lead_ins(self, pids: Iterable[str]) -> None:
        """Work out the lead-ins of these sites to all their frontage nodes at once.

        A route starts at a frontage node, so this covers every lead-in :meth:`lead_in` reads.
        """
        index = self.index
        pairs = [
            (pid, int(i))
            for pid in pids
            for i in index.frontage.get(pid, ())
            if (pid, index.nodes[int(i)]) not in self.lead_cache
        ]
        if not pairs:
            return
        nodes = np.array([i for _, i in pairs], dtype=np.int64)
        sites = np.array([self.site_geoms[pid] for pid, _ in pairs], dtype=object)
        leads = shapely.shortest_line(sites, shapely.points(index.node_xy[nodes]))
        length = shapely.length(leads)
        on_green = np.zeros(len(pairs))
        if self.green is not None:
            near = shapely.intersects(leads, self.green)
            on_green[near] = shapely.length(shapely.intersection(leads[near], self.green))
        for (pid, i), a, g in zip(pairs, length.tolist(), on_green.tolist()):
            self.lead_cache[(pid, index.nodes[i])] = (float(a), float(g))

    def path_summary(self, path: list[Any]) -> tuple[float, bool]:
        """Return a path's length and whether it runs on a road under dig-once protection."""
        eids = self.path_edges(path)
        length = float(sum(self.index.edge_length[eids].tolist()))
        return length, bool(self.edge_protected[eids].any())

    def path_edges(self, path: list[Any]) -> np.ndarray:
        """Return the edge numbers along a path (carried by paths read from a shared search)."""
        if isinstance(path, TreePath):
            return path.edges
        index = self.index
        return index.edge_ids(index.indices(path))

    def route(self, pid: str, path: list[Any], utility: str, assets: set[str]) -> Route:
        """Return the facts of the route along ``path`` (frontage first, tap last)."""
        index = self.index
        if isinstance(path, TreePath):
            idx, eids = path.indices, path.edges
        else:
            idx = index.indices(path).tolist()
            eids = index.edge_ids(idx)
        look = self.edge_look[eids]  # edges to draw first, or to look at one by one
        if look.any():
            for e in eids[look & self.edge_pending[eids]].tolist():
                self._resolve(e)
        lengths = index.edge_length[eids].tolist()
        names = self.surface_names
        surfaces: dict[str, float] = {}
        for code, metres in zip(self.edge_surface[eids].tolist(), lengths):
            if code >= 0:
                surfaces[names[code]] = surfaces.get(names[code], 0.0) + metres
        carriageways: list[CarriagewayCrossing] = []
        crossings: list[Crossing] = []
        dig: dict[str, DigOnce] = {}
        xy = index.node_xy
        for e in eids[self.edge_special[eids]].tolist() if look.any() else ():
            d = index.edge_data[e]
            if self.edge_kind_crossing[e]:
                a, b = index.edge_ends[e]
                carriageways.append(
                    CarriagewayCrossing(
                        str(d["road_id"]),
                        str(d["name"]),
                        str(d["road_class"]),
                        float(d["width_m"]),
                        float(xy[a, 0] + xy[b, 0]) / 2,
                        float(xy[a, 1] + xy[b, 1]) / 2,
                    )
                )
            for c in self.edge_crossings.get(e, ()):  # one crossing of a kind per place
                if not any(
                    o.kind == c.kind and np.hypot(o.x - c.x, o.y - c.y) < self.major.merge_m
                    for o in crossings
                ):
                    crossings.append(c)
            if self.edge_protected[e]:
                until, why = self.protected[d["road_id"]]
                dig.setdefault(d["road_id"], DigOnce(d["road_id"], str(d["name"]), until, why))
        # a major road drawn in major_lines and crossed by a carriageway edge is one crossing
        if crossings and carriageways:
            major_roads = self.profile.major_lines.major_road_classes
            crossings = [
                c
                for c in crossings
                if not any(
                    major_roads.get(cw.road_class) == c.kind
                    and np.hypot(cw.x - c.x, cw.y - c.y) <= cw.width_m + self.major.merge_m
                    for cw in carriageways
                )
            ]
        lead, on_green = self.lead_in(pid, path[0])
        if on_green > 0:
            surfaces["green"] = surfaces.get("green", 0.0) + on_green
        surfaces["lead_in"] = lead - on_green
        (sx, sy), (ex, ey) = self.node_centre[idx[0]], self.node_centre[idx[-1]]
        tap_asset = self.tap_asset(utility, path[-1], assets)
        return Route(
            length_m=float(sum(lengths)),
            straight_line_m=math.hypot(sx - ex, sy - ey),
            nodes=list(path) if isinstance(path, TreePath) else path,
            graph=self.G,
            tap_asset=tap_asset,
            tap_main=self.main_geoms[utility][tap_asset],
            tap_ref=(ex, ey),
            surfaces=surfaces,
            carriageways=carriageways,
            crossings=crossings,
            dig_once=list(dig.values()),
            lead_in_m=lead,
        )


def protected_roads(
    roads: gpd.GeoDataFrame, *, profile: Profile, as_of: dt.date
) -> dict[str, tuple[dt.date, str]]:
    """Return the roads under dig-once protection on ``as_of`` (R10): id → (until, why).

    A road opened (new or rebuilt) or repaired less than the profile's number of years
    (``dig_once.new_road_years``, ``dig_once.repaired_road_years``) before ``as_of`` may not
    be dug; the later of its two protection ends counts.
    """
    new_y = profile.dig_once.new_road_years
    rep_y = profile.dig_once.repaired_road_years
    out: dict[str, tuple[dt.date, str]] = {}
    for row in roads.itertuples():
        ends = []
        for col, years, why in (
            ("opened_on", new_y, "新建/改建交付"),
            ("repaired_on", rep_y, "大修竣工"),
        ):
            value = getattr(row, col, None)
            if isinstance(value, str) and value:
                d = dt.date.fromisoformat(value[:10])
                until = _add_years(d, years)
                ends.append((until, f"{d.isoformat()} {why}未满 {years} 年"))
        if ends:
            until, why = max(ends)
            if until > as_of:
                out[str(row.road_id)] = (until, why)
    return out


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# ------------------------------------------------------------------- step 3: searches


class _Searcher:
    """Routes sites to their nearest suitable tap.

    ``batch``: one multi-source search per (utility, requirement), shared by every site with
    that requirement. ``per_site``: one search from each site's frontage (the baseline).
    """

    def __init__(self, ctx: _Context, strategy: Literal["batch", "per_site"]) -> None:
        self.ctx = ctx
        self.strategy = strategy
        # suitable taps per requirement are kept with the workspace context, for later calls
        self.taps: dict[tuple[Any, ...], tuple[np.ndarray, set[str]]] = ctx.source_cache
        self.shared: dict[tuple[Any, ...], Search] = {}
        self.limit = ctx.profile.coverage.max_connection_m
        self.searches = 0
        self.requirements: dict[tuple[str, int], tuple[Demand, Requirement]] = {}

    def requirement(self, utility: str, demand: Demand) -> Requirement:
        """Return what a suitable main must be (worked out once per utility and demand)."""
        key = (utility, id(demand))
        cached = self.requirements.get(key)
        if cached is None or cached[0] is not demand:
            cached = (demand, requirement(utility, demand, self.ctx.profile))
            self.requirements[key] = cached
        return cached[1]

    def nearest(
        self, pid: str, utility: str, key: tuple[Any, ...], mask: Callable[[], np.ndarray]
    ) -> tuple[list[Any] | None, set[str]]:
        """Return the node path from site ``pid`` to its nearest suitable tap, and the taps."""
        index = self.ctx.index
        if key not in self.taps:
            self.taps[key] = self.ctx.sources(utility, mask())
        sources, assets = self.taps[key]
        if not len(sources):
            return None, assets
        if self.strategy == "batch":
            if key not in self.shared:
                self.shared[key] = index.search(sources, limit=self.limit)
                self.searches += 1
            search = self.shared[key]
            start = index.best_frontage(pid, search)
            return (index.tree_path(start, search) if start is not None else None), assets
        return self._from_site(pid, sources, assets)

    def _from_site(
        self, pid: str, sources: np.ndarray, assets: set[str], matrix: Any = None
    ) -> tuple[list[Any] | None, set[str]]:
        index = self.ctx.index
        outlet = index.outlet(pid)
        if outlet is None:
            return None, assets
        search = index.search(np.array([outlet]), limit=self.limit, matrix=matrix)
        self.searches += 1
        d = search.dist[sources]
        k = int(np.argmin(d))
        if not np.isfinite(d[k]):
            return None, assets
        return list(reversed(index.path(int(sources[k]), search))), assets

    def avoiding_protected(self, pid: str, key: tuple[Any, ...]) -> list[Any] | None:
        """Return the shortest path that uses no road under dig-once protection, if any.

        ``batch``: one search per requirement from its taps on the graph without protected
        roads, shared by the sites that need a detour; ``per_site``: one search from the site.
        Shortest routes are unique (the routing index breaks ties), so both give the same path.
        """
        sources, assets = self.taps[key]
        matrix = self.ctx.unprotected_matrix()
        if self.strategy == "per_site":
            path, _ = self._from_site(pid, sources, assets, matrix=matrix)
            return path
        detour_key = ("avoiding-protected", *key)
        if detour_key not in self.shared:
            self.shared[detour_key] = self.ctx.index.search(
                sources, limit=self.limit, matrix=matrix
            )
            self.searches += 1
        search = self.shared[detour_key]
        start = self.ctx.index.best_frontage(pid, search)
        return self.ctx.index.tree_path(start, search) if start is not None else None


def _keep_off_protected_roads(
    ctx: _Context,
    searcher: _Searcher,
    pid: str,
    utility: str,
    key: tuple[Any, ...],
    route: Route,
    assets: set[str],
) -> Route:
    """R10: take a detour within the profile's allowance rather than dig a protected road."""
    if not route.dig_once:
        return route
    allowance = ctx.profile.dig_once.detour_allowance
    path = searcher.avoiding_protected(pid, key)
    if path is None:
        return route
    other = ctx.route(pid, path, utility, assets)
    if other.length_m > route.length_m * (1.0 + allowance) + 1e-9:
        return route
    other.detour = {
        "avoided_roads": [d.name for d in route.dig_once],
        "shortest_m": route.length_m,
        "extra_m": other.length_m - route.length_m,
        "allowance": allowance,
    }
    return other


# ---------------------------------------------------------------- the orchestration


def assess_sites(
    ws: Workspace,
    *,
    profile: Profile,
    site_ids: Iterable[str] | None = None,
    demands: Mapping[str, Demand] | None = None,
    as_of: dt.date | None = None,
    include_planned: bool = False,
    strategy: Strategy = "auto",
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> list[Assessment]:
    """Assess sites of a workspace: coverage, routes, crossings and approval path per utility.

    Parameters
    ----------
    ws
        The workspace (its corridor graph is built once and reused).
    profile
        Policy profile, e.g. ``load_profile("jingmen-2023")``.
    site_ids
        The sites to assess (default: all).
    demands
        Project id → demand; sites without one get the profile's default demand for all five
        utilities (a small industrial enterprise).
    as_of
        The assessment date, for dig-once protection (default: today).
    include_planned
        Treat ``planned`` mains as taps (after a pre-lay plan).
    strategy
        ``batch`` (one search per utility and requirement, from its taps), ``per_site`` (one
        search per site and utility: the baseline the benchmark compares against) or ``auto``
        (``batch`` from :data:`AUTO_BATCH_MIN_SITES` sites on). Routes are unique, so the
        strategy changes the time taken, never the result.
    progress
        Wraps the site loop, e.g. ``tqdm``.
    """
    as_of = as_of or dt.date.today()
    sites = ws.layer("sites")
    ids = [str(i) for i in sites["project_id"]]
    wanted = list(ids) if site_ids is None else [str(s) for s in site_ids]
    known = set(ids)
    unknown = [s for s in wanted if s not in known]
    if unknown:
        msg = f"no site with project_id {', '.join(map(repr, unknown))} in layer 'sites'"
        raise NotFoundError(msg)
    # (1) applicability (R1)
    chosen = sites[sites["project_id"].astype(str).isin(wanted)]
    not_applicable = applicability(chosen, ws.layers.get("scope", sites.iloc[:0]), profile)
    # (2) routing index on the corridor graph (built once per workspace)
    ctx_key = ("assess-context", profile.name, profile.chain, as_of)
    ctx = ws.cache.get(ctx_key)
    # the same name can carry other values (Profile.with_value): the context must be this one's
    if not isinstance(ctx, _Context) or ctx.profile is not profile:
        ctx = _Context(ws, profile, as_of)
        ws.cache[ctx_key] = ctx
    if strategy == "auto":
        strategy = "batch" if len(wanted) >= AUTO_BATCH_MIN_SITES else "per_site"
    searcher = _Searcher(ctx, strategy)
    ctx.prepare_lead_ins(wanted)
    names = dict(zip(chosen["project_id"].astype(str), chosen["name"].astype(str)))
    base = default_demand(profile)
    results = []
    loop: Iterable[str] = progress(wanted) if progress else wanted
    with _no_cyclic_gc(len(wanted) > 1):
        for pid in loop:
            demand = (demands or {}).get(pid, base)
            # (3)–(5) per utility: search (shared), route facts, decision
            utilities = {
                u: _assess_utility(ctx, searcher, pid, u, demand, include_planned)
                for u in demand.utilities
            }
            assessment = _overall(pid, names[pid], not_applicable[pid], utilities, as_of)
            covered = {u: r for u, r in utilities.items() if r.covered and r.route is not None}
            if len(covered) > 1:
                assessment.shared_trench = _joint_trench(ctx, searcher, pid, covered, demand)
            _costs(ctx, assessment, covered)
            results.append(assessment)
    return results


@contextmanager
def _no_cyclic_gc(active: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many sites are assessed.

    Each site adds a few hundred small objects that form no reference cycles (they are freed
    by reference counting as usual); with the collector running, the growing list of results
    is scanned again and again, about a sixth of a 10,000-site batch. The collector is
    restored, as it was, when the loop ends or fails.
    """
    was = gc.isenabled()
    if active and was:
        gc.disable()
    try:
        yield
    finally:
        if active and was:
            if not gc.get_freeze_count():
                # hand what the loop made to the oldest generation unscanned (freeze, then
                # unfreeze into it), rather than have the next allocation scan it all as
                # young objects; unless someone froze objects on purpose
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _costs(ctx: _Context, a: Assessment, covered: Mapping[str, UtilityResult]) -> None:
    """Estimate the cost of the site's external lines, separately and in the joint trench."""
    profile = ctx.profile
    separate = Cost()
    for u, r in covered.items():
        assert r.route is not None
        separate = separate + route_cost(
            u, r.route.surfaces, [c.kind for c in r.route.crossings], profile=profile
        )
    a.cost_separate = separate
    plan = a.shared_trench
    if plan is None:
        a.cost_joint = separate
        return
    stretches: list[tuple[str, float, int]] = []
    for s in plan.segments:
        stretches += [(s.surface or "sidewalk", s.length_m, len(g)) for g in s.trenches]
    pipes: dict[str, float] = {}
    kinds: list[str] = []
    for u, r in covered.items():
        assert r.route is not None
        route = r.route
        if u in plan.paths and plan.paths[u] != route.nodes:
            _, assets = ctx.source_cache[r.search_key]
            route = ctx.route(a.project_id, plan.paths[u], u, assets)
        lead = route.surfaces.get("lead_in", 0.0)
        green_lead = route.lead_in_m - lead
        stretches += [("lead_in", lead, 1)] + ([("green", green_lead, 1)] if green_lead > 0 else [])
        pipes[u] = route.length_m + route.lead_in_m
        kinds += [c.kind for c in route.crossings]
    a.cost_joint = joint_trench_cost(stretches, pipes, kinds, profile=profile)


def _joint_trench(
    ctx: _Context,
    searcher: _Searcher,
    pid: str,
    covered: Mapping[str, UtilityResult],
    demand: Demand,
) -> SharedTrench:
    """Plan the site's joint trench; reroutes must not make any connection harder (issue 4)."""
    index = ctx.index
    limit = ctx.profile.commitment.max_length_m
    original = {u: r.route for u, r in covered.items() if r.route is not None}

    own_edges_of: dict[str, set[tuple[Any, Any]]] = {}

    def reroute(utility: str, free: set[tuple[Any, Any]]) -> list[Any] | None:
        """Return the route adding the least new trench next to the others' lines, if shorter.

        A rerouted line follows another utility's line from the site to some node ``x`` of
        the shared corridor, then runs on its own from ``x`` to a tap; the trench it adds is
        at least that last run, so the best ``x`` is the corridor node nearest to a suitable
        tap. ``batch`` reads that from the requirement's shared search, ``per_site`` searches
        from the corridor nodes; both then take the shortest way along the others' lines to
        ``x`` (routes are unique, so both give the same route).
        """
        own = original[utility]
        if own.length_m <= 0 or not free:
            return None  # nothing to save, or nothing to share with
        key = covered[utility].search_key
        sources, _ = searcher.taps[key]
        if not len(sources):
            return None
        own_edges = own_edges_of.get(utility)
        if own_edges is None:
            own_edges = own_edges_of[utility] = set(route_edges(own.nodes))
        adj = ctx.G.adj
        adds_now = sum(adj[a][b]["length"] for a, b in own_edges - free)
        if adds_now <= 1e-9:
            return None  # every metre of it is shared already
        corridor = index.indices({n for e in free for n in e})
        corridor.sort()
        shared = searcher.shared.get(key)
        if shared is not None:
            d = shared.dist[corridor]
            k = int(np.argmin(d))
            if not float(d[k]) < adds_now - 1e-9:
                return None
            tail = index.path_indices(int(corridor[k]), shared)
        else:
            # only a run that adds less than the line adds now can help: search no farther
            search = index.search(corridor, limit=min(searcher.limit, adds_now))
            d = search.dist[sources]
            k = int(np.argmin(d))
            if not float(d[k]) < adds_now - 1e-9:
                return None
            tail = list(reversed(index.path_indices(int(sources[k]), search)))
        prefix = _along(ctx, free, index.frontage.get(pid, ()), tail[0])
        return prefix + [index.nodes[i] for i in tail[1:]]

    def acceptable(utility: str, path: Any) -> bool:
        """Return whether a shared route leaves this utility's connection no harder."""
        if utility == "power" and covered[utility].backup is not None:
            return False  # the main supply keeps its own feeder, apart from the backup's
        before = original[utility]
        _, assets = searcher.taps[covered[utility].search_key]
        after = ctx.route(pid, list(path), utility, assets)
        was, why_before = decide(before.facts(), profile=ctx.profile)
        now, why_after = decide(after.facts(), profile=ctx.profile)
        if was == "commitment" and now != "commitment":
            return False
        if before.length_m < limit <= after.length_m:
            return False
        if {r.code for r in why_after} - {r.code for r in why_before}:
            return False  # e.g. a dig-once road the shortest route (or its detour) kept off
        if Counter((c.kind, c.name) for c in after.crossings) - Counter(
            (c.kind, c.name) for c in before.crossings
        ):
            return False  # a major line crossed that was not crossed before, or more often
        return not Counter(c.road_id for c in after.carriageways) - Counter(
            c.road_id for c in before.carriageways
        )

    def tap_of(utility: str, path: Any) -> str:
        _, assets = searcher.taps[covered[utility].search_key]
        node = ctx.G.nodes[path[-1]]
        return next((a for u, a in node["taps"] if u == utility and a in assets), "")

    plan = plan_joint_trench(
        ctx.G,
        {u: r.nodes for u, r in original.items()},
        reroute=reroute,
        acceptable=acceptable,
        tap_of=tap_of,
        check_section=ctx.section_checker(covered, demand),
        surface_of=ctx.surface_of,
        max_extra_per_saved=ctx.profile.shared_trench.max_extra_m_per_saved_m,
        lengths={u: r.length_m for u, r in original.items()},
    )
    # a rerouted utility is reported on the route it will be laid along
    for moved in plan.rerouted:
        result = covered[moved.utility]
        _, assets = searcher.taps[result.search_key]
        route = ctx.route(pid, plan.paths[moved.utility], moved.utility, assets)
        route.feeder_id = ctx.feeders.get(route.tap_asset) if moved.utility == "power" else None
        result.route = route
        result.approval_path, result.reasons = decide(
            route.facts(), profile=ctx.profile, change_of_use=demand.change_of_use
        )
    return plan


def _along(ctx: _Context, free: set[tuple[Any, Any]], front: Iterable[int], target: int) -> list[Any]:
    """Return the shortest way from a site's frontage to node ``target`` along ``free`` edges.

    The free edges are the other utilities' lines, which all start at the site's frontage;
    ties go to the first frontage, then to the lowest node indices (deterministic).
    """
    index = ctx.index
    adj: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b in free:
        i, j = index.index[a], index.index[b]
        w = float(ctx.G.edges[a, b]["length"])
        adj[i].append((j, w))
        adj[j].append((i, w))
    heap = [(0.0, rank, int(f), -1) for rank, f in enumerate(front)]
    heapq.heapify(heap)
    back: dict[int, int] = {}
    while heap:
        d, rank, node, parent = heapq.heappop(heap)
        if node in back:
            continue
        back[node] = parent
        if node == target:
            break
        for nxt, w in adj.get(node, ()):
            if nxt not in back:
                heapq.heappush(heap, (d + w, rank, nxt, node))
    if target not in back:
        msg = f"node {index.nodes[target]!r} is not joined to the site's frontage by shared lines"
        raise ValueError(msg)
    out = [target]
    while back[out[-1]] >= 0:
        out.append(back[out[-1]])
    return [index.nodes[i] for i in reversed(out)]


def _assess_utility(
    ctx: _Context,
    searcher: _Searcher,
    pid: str,
    utility: str,
    demand: Demand,
    include_planned: bool,
) -> UtilityResult:
    profile = ctx.profile
    req = searcher.requirement(utility, demand)
    mains = ctx.ws.layers.get(utility)

    def mask(
        capacity: float | None = None, operator: str | None = None, not_feeder: str | None = None
    ) -> Callable[[], np.ndarray]:
        def inner() -> np.ndarray:
            assert mains is not None
            m = suitable_mains(
                utility,
                mains,
                demand,
                profile,
                include_planned=include_planned,
                capacity_kva=capacity,
            )
            if operator is not None:
                m &= (mains["operator"] == operator).to_numpy()
            if not_feeder is not None and "feeder_id" in mains:
                m &= (mains["feeder_id"].astype(str) != not_feeder).to_numpy()
            return m

        return inner

    result = UtilityResult(utility, covered=False, requirement=req.text)
    if mains is None or not len(mains):
        result.reasons.append(
            Reason("R1", "no_network", f"工作空间没有{vocabulary.UTILITIES.label(utility)}管网图层：需提前布局管网")
        )
        return result
    if utility == "telecom":
        return _telecom(ctx, searcher, pid, demand, result, mask, include_planned)
    path, assets = searcher.nearest(pid, utility, (*req.key, include_planned), mask())
    if path is None:
        result.reasons.append(_no_main(utility, req.text, profile))
        return result
    key = (*req.key, include_planned)
    result.search_key = key
    result.route = _keep_off_protected_roads(
        ctx, searcher, pid, utility, key, ctx.route(pid, path, utility, assets), assets
    )
    result.covered = True
    result.approval_path, result.reasons = decide(
        result.route.facts(), profile=profile, change_of_use=demand.change_of_use
    )
    if utility == "power":
        feeder = ctx.feeders.get(result.route.tap_asset, "")
        result.route.feeder_id = feeder
        if demand.backup_kva > 0:
            if not feeder or feeder == "nan":
                # without feeder ids a second, independent supply cannot be shown
                result.covered = False
                result.approval_path = None
                result.reasons = [
                    Reason(
                        "R1",
                        "no_feeder_id",
                        f"备供容量 {demand.backup_kva:g} kVA 需第二电源，但供电线路 {result.route.tap_asset} "
                        "无馈线编号（feeder_id），无法确认不同馈线：请补充线路数据",
                    )
                ]
                return result
            key = ("power-backup", *req.key, demand.backup_kva, feeder, include_planned)
            bpath, bassets = searcher.nearest(
                pid, "power", key, mask(demand.backup_kva, not_feeder=feeder)
            )
            if bpath is None:
                result.covered = False
                result.approval_path = None
                result.reasons = [
                    Reason(
                        "R1",
                        "no_backup",
                        f"备供容量 {demand.backup_kva:g} kVA：{profile.coverage.max_connection_m:g} m 内"
                        f"无馈线 {feeder} 以外的满足条件线路，需提前布局第二电源",
                    )
                ]
            else:
                backup = ctx.route(pid, bpath, utility, bassets)
                result.backup = _keep_off_protected_roads(
                    ctx, searcher, pid, utility, key, backup, bassets
                )
                result.backup.feeder_id = ctx.feeders.get(result.backup.tap_asset, "")
                bpath_decision, breasons = decide(
                    result.backup.facts(),
                    profile=profile,
                    change_of_use=demand.change_of_use,
                    label="备供外线",
                )
                if bpath_decision == "joint":
                    result.approval_path = "joint"
                    result.reasons = [r for r in result.reasons if r.rule != "R3"] + breasons
    return result


def _telecom(
    ctx: _Context,
    searcher: _Searcher,
    pid: str,
    demand: Demand,
    result: UtilityResult,
    mask: Callable[..., Callable[[], np.ndarray]],
    include_planned: bool,
) -> UtilityResult:
    # each operator's nearest duct; full route facts only for those the decision reads (the
    # nearest ``operators_needed``) and those that must first keep off a protected road
    found: list[tuple[float, str, list[Any], set[str], Route | None]] = []
    for operator in ctx.operators:
        tkey = ("telecom", operator, include_planned)
        path, assets = searcher.nearest(pid, "telecom", tkey, mask(operator=operator))
        if path is None:
            continue
        length, protected = ctx.path_summary(path)
        route: Route | None = None
        if protected:
            route = _keep_off_protected_roads(
                ctx, searcher, pid, "telecom", tkey, ctx.route(pid, path, "telecom", assets), assets
            )
            length = route.length_m
        found.append((length, operator, path, assets, route))
        result.operators[operator] = length
    found.sort(key=lambda f: f[0])
    need = demand.operators_needed
    routes: list[Route] = []
    keys: dict[str, tuple[Any, ...]] = {}
    for _, operator, path, assets, route in found[: max(need, 1)]:
        route = route or ctx.route(pid, path, "telecom", assets)
        route.operator = operator
        routes.append(route)
        keys[operator] = ("telecom", operator, include_planned)
    need = demand.operators_needed
    if len(found) < need:
        result.reasons.append(
            Reason(
                "R1",
                "operators",
                f"可自由选择运营商需 {need} 家可接入，{ctx.profile.coverage.max_connection_m:g} m 内"
                f"仅 {len(found)} 家（{'、'.join(result.operators) or '无'}）：需提前布局通信管道",
            )
        )
        result.route = routes[0] if routes else None
        return result
    result.covered = True
    result.route = routes[0]
    result.search_key = keys[routes[0].operator or ""]
    decisions = [
        decide(
            r.facts(),
            profile=ctx.profile,
            change_of_use=demand.change_of_use,
            label=f"{OPERATOR_NAMES_ZH.get(r.operator or '', r.operator)}外线",
        )
        for r in routes[:need]
    ]
    joint = [d for d in decisions if d[0] == "joint"]
    result.approval_path = "joint" if joint else "commitment"
    result.reasons = [x for d in (joint or decisions[:1]) for x in d[1]]
    return result


def _no_main(utility: str, req: str, profile: Profile) -> Reason:
    limit = profile.coverage.max_connection_m
    return Reason(
        "R1",
        "needs_prelay",
        f"沿道路 {limit:g} m 内无满足需求的{vocabulary.UTILITIES.label(utility)}管线（需 {req}）：不在公共管网覆盖范围，"
        "需提前布局周边管网（实施方案 三1、四）",
    )


def _overall(
    pid: str,
    name: str,
    not_applicable: list[Reason],
    utilities: dict[str, UtilityResult],
    as_of: dt.date,
) -> Assessment:
    prelay = [u for u, r in utilities.items() if not r.covered]
    if not_applicable:
        return Assessment(
            pid, name, False, "not_applicable", not_applicable, utilities, prelay, as_of
        )
    paths = [r.approval_path for r in utilities.values() if r.covered]
    reasons = [
        x for r in utilities.values() if r.covered for x in r.reasons if r.approval_path == "joint"
    ]
    if "joint" in paths:
        path: str | None = "joint"
    elif paths:
        path = "commitment"
        reasons = [x for r in utilities.values() if r.covered for x in r.reasons]
    else:
        path = None
    reasons += [x for u in prelay for x in utilities[u].reasons]
    return Assessment(pid, name, True, path, reasons, utilities, prelay, as_of)
