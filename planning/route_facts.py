"""Route facts: what a route along the road corridor digs, crosses and costs (rules R2–R5, R10).

The facts the approval rules of seed 四(二) read from an external line: its length along the
road corridor and the lead-in from the red line, the surfaces it digs (sidewalk, green space,
which carriageways), the major lines it crosses (四(二)2 重大管(线、路)) and the roads under
dig-once protection it runs on (R10). :class:`RouteContext` prepares them once per workspace,
profile and date as arrays over the corridor graph's edges, so that each route only adds up
what its edges say; edges near a major line or green space are drawn exactly the first time a
route uses them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from gis.convert import edge_geometry
from gis.corridor import lead_in_lines
from gis.profile import Profile
from gis.simulation.topology import PLANNED_COLUMN
from gis.workspace import Workspace
from planning.approval import CarriagewayCrossing, DigOnce
from planning.assessment import Route
from planning.capacity import build_model
from planning.crossings import Crossing, MajorLines, major_lines
from planning.dig_once import protected_roads
from planning.routing import TreePath, routing_index

__all__ = ["RouteContext", "planned_as_built"]


TAP_REACH_M = 15.0
"""A planned main's end this close to an existing main is tapped on it (the model's joint)."""


def planned_as_built(mains: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a network's existing and planned mains as the models read a built network.

    Planned mains are relabelled ``existing`` (the copy only), and each planned main's loose end
    within :data:`TAP_REACH_M` of another main is joined to it by a short connector of the
    planned main's attributes: a pre-lay run starts from the sidewalk's centre line beside the
    main it taps, and runs meet across street corners.
    """
    keep = mains[mains["status"].astype(str).isin(["existing", "planned"])].reset_index(drop=True)
    planned = np.flatnonzero(keep["status"].astype(str).to_numpy() == "planned")
    geoms: list[Any] = list(keep.geometry.values)
    tree = shapely.STRtree(geoms)
    connectors = []
    for i in planned.tolist():
        row = keep.iloc[i]
        for end in shapely.get_coordinates(geoms[i])[[0, -1]]:
            point = shapely.Point(end)
            near = [j for j in tree.query(point.buffer(TAP_REACH_M)).tolist() if j != i]
            if not near or min(geoms[j].distance(point) for j in near) <= 1e-3:
                continue  # nothing within reach, or already touching a main
            j = min(near, key=lambda k: geoms[k].distance(point))
            tap = shapely.ops.nearest_points(geoms[j], point)[0]
            joint = shapely.LineString([tap, point])
            connectors.append(
                row.to_dict() | {"asset_id": f"{row['asset_id']}+joint", "geometry": joint}
            )
    out = pd.concat(
        [keep, gpd.GeoDataFrame(connectors, crs=mains.crs)] if connectors else [keep],
        ignore_index=True,
    )
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=mains.crs)
    # no customers yet along what is planned: the models give it no existing demand (比流量)
    out[PLANNED_COLUMN] = out["status"].astype(str) != "existing"
    out["status"] = "existing"
    return out


class RouteContext:
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
        self._commitment: Any = None
        # capacity models per utility, built on first use: (model or None, why not)
        self.capacity_models: dict[tuple[str, bool], tuple[Any, str]] = {}

        self.lead_cache: dict[tuple[str, Any], tuple[float, float, Any]] = {}
        self.tap_cache: dict[tuple[int, Any], tuple[set[str], str]] = {}
        self.surface_cache: dict[tuple[Any, Any], str | None] = {}
        # cross-section checks of shared stretches (:func:`planning.joint_trench.section_checker`)
        self.section_cache: dict[tuple[Any, ...], Any] = {}
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

    def capacity_model(self, utility: str, *, include_planned: bool = False) -> tuple[Any, str]:
        """Return the utility's capacity model, built once, or ``None`` and why not (Chinese).

        ``include_planned``: the model of the network with its planned mains (a pre-lay plan's
        after-plan assessment), which the models read as built. See
        :func:`planning.capacity.build_model`.
        """
        key = (utility, include_planned)
        if key not in self.capacity_models:
            layers = dict(self.ws.layers)
            mains = layers.get(utility)
            if include_planned and mains is not None and "status" in mains:
                layers[utility] = planned_as_built(mains)
            self.capacity_models[key] = build_model(utility, layers, self.profile)
        return self.capacity_models[key]

    def unprotected_matrix(self) -> Any:
        """Return the search matrix without the edges of roads under dig-once protection."""
        if self._unprotected is None:
            index = self.index
            ends = index.edge_ends[np.flatnonzero(self.edge_protected)]
            edges = [(index.nodes[a], index.nodes[b]) for a, b in ends.tolist()]
            self._unprotected = index.without_edges(edges)
        return self._unprotected

    def commitment_matrix(self) -> Any:
        """Return the search matrix without the edges no commitment route may use.

        Carriageway crossings of roads the profile does not let be crossed trenchless, or that
        are major roads (四(二)2), and every edge of a road under dig-once protection (R10).
        """
        if self._commitment is None:
            p = self.profile
            trenchless = set(p.commitment.trenchless_road_classes)
            major = set(p.commitment.major_crossing_kinds)
            kinds = p.major_lines.major_road_classes
            data = self.index.edge_data
            classes = [str(d.get("road_class")) for d in data]
            bad_class = np.array(
                [c not in trenchless or kinds.get(c) in major for c in classes], dtype=bool
            )
            gone = (self.edge_kind_crossing & bad_class) | self.edge_protected
            self._commitment = self.index.without_edge_ids(np.flatnonzero(gone))
        return self._commitment

    def edges_against_commitment(self, path: list[Any]) -> np.ndarray:
        """Return the edges of a path a commitment route may not use (once they are drawn).

        Those crossing a major line of a kind the commitment excludes, and those on a surface
        the profile's commitment list leaves out (e.g. green space).
        """
        eids = self.path_edges(path)
        major = set(self.profile.commitment.major_crossing_kinds)
        allowed = set(self.profile.commitment.allowed_surfaces) | {"lead_in"}
        names = self.surface_names
        bad = [
            e
            for e in eids.tolist()
            if any(c.kind in major for c in self.edge_crossings.get(e, ()))
            or (
                self.edge_surface[e] >= 0
                and not names[self.edge_surface[e]].startswith("carriageway:")
                and names[self.edge_surface[e]] not in allowed
            )
        ]
        return np.array(bad, dtype=np.int64)

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
        self.edge_surface[sidewalk | (kind == "corner")] = code["sidewalk"]
        # a divided road's median, where the profile lets lines run in it, is road green space
        median = np.array([bool(d.get("median")) for d in data], dtype=bool)
        self.edge_surface[median] = code["green"]
        # a crossing runs from sidewalk centre to sidewalk centre: its carriageway is the
        # road's width, the rest of its length is sidewalk (metres on the edge's surface, and
        # on the sidewalk besides)
        width = np.array([float(d.get("width_m", 0.0)) for d in data])
        length = index.edge_length
        self.edge_own_m = np.where(crossing, np.minimum(width, length), length)
        self.edge_walk_m = length - self.edge_own_m
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

    def lead_in(self, pid: str, node: Any) -> tuple[float, float, Any]:
        """Return the lead-in from a site's red line to its frontage node.

        ``(length, metres on green space, line)``: the line (working CRS) is the shortest one
        from the red line to the node (:func:`gis.corridor.lead_in_lines`), as long as the
        lead-in the routing search counts (the graph's ``lead_ins``).
        """
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
        leads = lead_in_lines(sites, index.node_xy[nodes])
        length = shapely.length(leads)
        on_green = np.zeros(len(pairs))
        if self.green is not None:
            near = shapely.intersects(leads, self.green)
            on_green[near] = shapely.length(shapely.intersection(leads[near], self.green))
        for (pid, i), a, g, line in zip(pairs, length.tolist(), on_green.tolist(), leads):
            self.lead_cache[(pid, index.nodes[i])] = (float(a), float(g), line)

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
        for code, metres in zip(self.edge_surface[eids].tolist(), self.edge_own_m[eids].tolist()):
            if code >= 0 and metres > 0:
                surfaces[names[code]] = surfaces.get(names[code], 0.0) + metres
        walk = float(self.edge_walk_m[eids].sum())
        if walk > 0:
            surfaces["sidewalk"] = surfaces.get("sidewalk", 0.0) + walk
        carriageways: list[CarriagewayCrossing] = []
        pairs: list[str] = []  # the divided road of each carriageway crossing ("" none)
        crossings: list[Crossing] = []
        dig: dict[str, DigOnce] = {}
        xy = index.node_xy
        for e in eids[self.edge_special[eids]].tolist() if look.any() else ():
            d = index.edge_data[e]
            if self.edge_kind_crossing[e]:
                a, b = index.edge_ends[e]
                cw = CarriagewayCrossing(
                    str(d["road_id"]),
                    str(d["name"]),
                    str(d["road_class"]),
                    float(d["width_m"]),
                    float(xy[a, 0] + xy[b, 0]) / 2,
                    float(xy[a, 1] + xy[b, 1]) / 2,
                )
                _add_crossing(carriageways, pairs, cw, str(d.get("carriageway_pair") or ""))
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
        lead, on_green, lead_line = self.lead_in(pid, path[0])
        if on_green > 0:
            surfaces["green"] = surfaces.get("green", 0.0) + on_green
        surfaces["lead_in"] = lead - on_green
        (ex, ey) = self.node_centre[idx[-1]]
        (sx, sy), (tx, ty) = xy[idx[0]], xy[idx[-1]]  # the drawn route's two ends
        tap_asset = self.tap_asset(utility, path[-1], assets)
        return Route(
            length_m=float(sum(lengths)),
            straight_line_m=math.hypot(float(sx - tx), float(sy - ty)),
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
            lead_in_line=lead_line,
        )


def _add_crossing(
    carriageways: list[CarriagewayCrossing], pairs: list[str], cw: CarriagewayCrossing, pair: str
) -> None:
    """Append a carriageway crossing; the second carriageway of a divided road joins the first.

    Where the profile lets a route enter a divided road's median (``roads.median_is_green``),
    the road is crossed as two carriageway edges; reported, it is one crossing of the road of
    both widths, at the first carriageway's place.
    """
    if pair and pairs and pairs[-1] == pair:
        first = carriageways[-1]
        carriageways[-1] = dataclasses.replace(first, width_m=first.width_m + cw.width_m)
        pairs[-1] = ""  # a third carriageway of the same road is a crossing of its own
        return
    carriageways.append(cw)
    pairs.append(pair)
