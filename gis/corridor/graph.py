"""The corridor graph itself: nodes on both sides of every block, and the edges joining them.

Edges run along the sidewalk, across the carriageway and round the junction corners; the graph's
contract is in :mod:`gis.corridor`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from tqdm import tqdm

from gis.convert import edge_geometry
from gis.corridor._polylines import FloatArray, Polylines
from gis.corridor.attach import attach_assets, attach_sites
from gis.corridor.blocks import road_segments
from gis.corridor.divided import apply_divided, divided_links
from gis.crs import require_projected
from gis.errors import Problem, ValidationError
from gis.profile import Profile, load_profile

__all__ = ["SIDES", "build_corridor_graph", "lead_in_lines", "lead_ins"]

log = logging.getLogger(__name__)

SIDES = ("L", "R")
"""Left and right of a block, looking from its first to its last vertex."""

_EPS = 1e-6


def _ranges(
    pos_seg: npt.NDArray[np.int64], pos_t: FloatArray, table: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Index range [lo, hi] of positions covered by each row's (seg, t0, t1)."""
    key = pos_seg.astype(float) * 1e9 + pos_t
    s = table["seg"].to_numpy(dtype=float) * 1e9
    lo = np.searchsorted(key, s + np.round(table["t0"].to_numpy(dtype=float), 6) - _EPS, "left")
    hi = np.searchsorted(key, s + np.round(table["t1"].to_numpy(dtype=float), 6) + _EPS, "right")
    return lo, hi - 1


def build_corridor_graph(
    roads: gpd.GeoDataFrame,
    *,
    sites: gpd.GeoDataFrame | None = None,
    networks: Mapping[str, gpd.GeoDataFrame] | None = None,
    profile: Profile | None = None,
    progress: bool = False,
) -> nx.Graph:
    """Build the road corridor graph of a workspace (the contract: :mod:`gis.corridor`).

    Steps: (1) check the CRS is projected; (2) split roads into blocks at junctions;
    (3) attach sites at their frontage and network assets to the side they run along;
    (4) place nodes at block ends and at every frontage and main interval end, on both sides;
    (5) connect sides (sidewalk), the two sides (carriageway crossing) and, around each
    junction, the corners; (6) record sites and mains on nodes and edges, and make the two
    carriageways of a divided road one road (:mod:`gis.corridor.divided`); (7) measure every
    edge on the line it is drawn as (:func:`gis.convert.edge_geometry`), so that a route's
    length is the length of its drawing; (8) measure each site's lead-in from its red line to
    each of its frontage nodes (:func:`lead_ins`), the first part of every route from it.

    Parameters
    ----------
    roads
        The ``roads`` layer in a projected CRS.
    sites
        The ``sites`` layer (optional), same CRS.
    networks
        Utility name → network layer (optional), same CRS.
    profile
        Engineering profile (default ``gb-defaults``).
    progress
        Show a progress bar on stderr.

    Raises
    ------
    GeographicCRSError
        If any layer is in degrees.
    ValidationError
        If the layers do not share one CRS.
    """
    profile = profile or load_profile()
    # (1) one projected CRS for every layer
    crs = _common_crs(roads, {"sites": sites, **(networks or {})})
    bar = tqdm(total=5, desc="corridor graph", disable=not progress, unit="step")
    # (2) blocks
    segments = road_segments(roads, profile=profile)
    bar.update()
    # (3) attach
    no_sites = gpd.GeoDataFrame(geometry=[], crs=crs)
    frontages = attach_sites(segments, sites if sites is not None else no_sites, profile=profile)
    attachments, off_road = attach_assets(segments, networks or {}, profile=profile)
    bar.update()
    # (4) nodes: node id = 2 * position index + side
    #     (and, on a divided road, the counterpart of each position on the other carriageway)
    at = _Positions.of(segments, frontages, attachments)
    links = divided_links(segments, at.seg, at.t)
    at = _Positions.of(segments, frontages, attachments, extra=(links.dst_seg, links.dst_t))
    G = nx.Graph(crs=crs, name="road corridor graph", profile=profile.name)
    _add_nodes(G, segments, at)
    bar.update()
    # (5) edges along each side, across the carriageway, and round the corners; a divided
    #     road's carriageways become one road, after (6): no sidewalk on the median, one crossing
    _add_sidewalks_and_crossings(G, segments, at)
    _add_corners(G, segments, at.seg, at.t)
    bar.update()
    # (6) sites and mains on nodes and edges
    _mark(G, at.seg, at.t, frontages, "sites", lambda r: r.project_id)
    _mark(G, at.seg, at.t, attachments, "taps", lambda r: (r.utility, r.asset_id))
    apply_divided(
        G,
        segments,
        (at.find(links.src_seg, links.src_t), at.find(links.dst_seg, links.dst_t)),
        links,
        median_is_green=profile.roads.median_is_green,
    )
    G.graph.update(
        segments=segments, frontages=frontages, attachments=attachments, off_road=off_road
    )
    # (7) every edge as long as it is drawn: the one measure of every route
    _measure_as_drawn(G, segments)
    # (8) each site's lead-in from its red line to each of its frontage nodes
    G.graph["lead_ins"] = lead_ins(G, sites)
    bar.update()
    bar.close()
    log.info("corridor graph: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def lead_in_lines(
    sites: npt.NDArray[Any], points: FloatArray
) -> npt.NDArray[Any]:
    """Return the lead-in of each site polygon to the point beside it: the shortest line.

    The one definition of a lead-in (seed 二: the external line starts at the red line): from
    the red line to the frontage node on the sidewalk's centre line, as drawn and measured.
    """
    return shapely.shortest_line(sites, shapely.points(points))


def lead_ins(G: nx.Graph, sites: gpd.GeoDataFrame | None) -> dict[tuple[str, Any], float]:
    """Return the lead-in length of each (project id, frontage node) of the graph, in metres.

    Examples
    --------
    >>> from shapely import box
    >>> G = nx.Graph()
    >>> G.add_node(7, x=5.0, y=-3.0, sites=("S",))
    >>> sites = gpd.GeoDataFrame({"project_id": ["S"]}, geometry=[box(0, 0, 10, 10)])
    >>> lead_ins(G, sites)
    {('S', 7): 3.0}
    """
    if sites is None or sites.empty:
        return {}
    geoms = dict(zip(sites["project_id"].astype(str), sites.geometry))
    pairs = [(str(pid), n) for n, d in G.nodes(data=True) for pid in d.get("sites", ())]
    pairs = [(pid, n) for pid, n in pairs if pid in geoms]
    if not pairs:
        return {}
    polygons = np.array([geoms[pid] for pid, _ in pairs], dtype=object)
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for _, n in pairs], dtype=float)
    length = shapely.length(lead_in_lines(polygons, xy))
    return {pair: float(x) for pair, x in zip(pairs, length.tolist())}


def _common_crs(roads: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame | None]) -> Any:
    """Return the roads' projected CRS; raise if another layer is in degrees or another CRS."""
    crs = require_projected(roads.crs, what="the road corridor graph")
    mismatched = [
        Problem(name, None, "crs", str(g.crs), f"the roads' CRS {crs.to_string()}", code="crs")
        for name, g in layers.items()
        if g is not None and not g.empty and not crs.equals(require_projected(g.crs, what=name))
    ]
    if mismatched:
        raise ValidationError(
            problems=mismatched, summary="layers of the corridor graph differ in CRS"
        )
    return crs


@dataclass(frozen=True)
class _Positions:
    """The node positions, sorted: block ``seg`` and position ``t`` along it."""

    seg: npt.NDArray[np.int64]
    t: FloatArray

    @classmethod
    def of(
        cls,
        segments: gpd.GeoDataFrame,
        frontages: pd.DataFrame,
        attachments: pd.DataFrame,
        *,
        extra: tuple[npt.NDArray[np.int64], FloatArray] | None = None,
    ) -> _Positions:
        """All node positions: block ends, every frontage and main interval end, and ``extra``."""
        n = len(segments)
        length = segments["length"].to_numpy()
        seg = [np.arange(n), np.arange(n)]
        t = [np.zeros(n), length]
        if extra is not None:
            seg.append(np.asarray(extra[0], dtype=np.int64))
            t.append(np.asarray(extra[1], dtype=float))
        for table in (frontages, attachments):
            if len(table):
                s = table["seg"].to_numpy(dtype=np.int64)
                seg += [s, s]
                t += [table["t0"].to_numpy(dtype=float), table["t1"].to_numpy(dtype=float)]
        seg_all = np.concatenate(seg)
        t_all = np.clip(np.round(np.concatenate(t), 6), 0.0, length[np.concatenate(seg)])
        uniq = np.unique(np.column_stack([seg_all.astype(float), t_all]), axis=0)
        return cls(uniq[:, 0].astype(np.int64), uniq[:, 1])

    def find(self, seg: npt.NDArray[np.int64], t: FloatArray) -> npt.NDArray[np.int64]:
        """Return the index of each position ``(seg, t)`` (which must be one of them)."""
        key = self.seg.astype(float) * 1e9 + self.t
        want = seg.astype(float) * 1e9 + np.round(np.asarray(t, dtype=float), 6)
        return np.searchsorted(key, want - _EPS, "left").astype(np.int64)


def _draw_extent(segments: gpd.GeoDataFrame) -> FloatArray:
    """Set each block's drawn stretch (``draw_t0``..``draw_t1``); return its half-corridors.

    Display positions stand on the sidewalk, pulled back from a junction by the widest
    half-corridor meeting there, so that corners are drawn at the corner, not mid-road.
    """
    seg_len = segments["length"].to_numpy()
    width = segments["width_m"].to_numpy(dtype=float)
    sidewalk = segments["sidewalk_m"].to_numpy(dtype=float)
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    half = (width + sidewalk) / 2.0
    n_junctions = int(max(u.max(initial=-1), v.max(initial=-1))) + 1
    reach = np.zeros(n_junctions)
    np.maximum.at(reach, u, half)
    np.maximum.at(reach, v, half)
    lo = reach[u]
    hi = seg_len - reach[v]
    mid = np.where(lo > hi, (lo + hi) / 2.0, 0.0)
    segments["draw_t0"] = np.where(lo > hi, mid, lo)
    segments["draw_t1"] = np.where(lo > hi, mid, hi)
    return half


def _add_nodes(G: nx.Graph, segments: gpd.GeoDataFrame, at: _Positions) -> None:
    """Add a node on each side (left ``2i``, right ``2i + 1``) of every position ``i``."""
    pos_seg, pos_t = at.seg, at.t
    half = _draw_extent(segments)
    seg_geoms = np.asarray(segments.geometry.values, dtype=object)
    seg_len = segments["length"].to_numpy()
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    draw_t = np.clip(
        pos_t, segments["draw_t0"].to_numpy()[pos_seg], segments["draw_t1"].to_numpy()[pos_seg]
    )
    foot, tan = Polylines(seg_geoms).locate(pos_seg, draw_t)
    normal = np.column_stack([-tan[:, 1], tan[:, 0]])  # points to the left
    off = half[pos_seg]
    at_u = pos_t <= _EPS
    at_v = np.abs(pos_t - seg_len[pos_seg]) <= _EPS
    junction = np.where(at_u, u[pos_seg], np.where(at_v, v[pos_seg], -1))
    for s, sign in ((0, 1.0), (1, -1.0)):
        xy = foot + sign * normal * off[:, None]
        G.add_nodes_from(
            (
                2 * i + s,
                {
                    "x": float(xy[i, 0]),
                    "y": float(xy[i, 1]),
                    "seg": int(pos_seg[i]),
                    "side": SIDES[s],
                    "t": float(pos_t[i]),
                    "junction": int(junction[i]),
                    "sites": (),
                    "taps": (),
                },
            )
            for i in range(len(pos_seg))
        )


def _add_sidewalks_and_crossings(G: nx.Graph, segments: gpd.GeoDataFrame, at: _Positions) -> None:
    """Join consecutive positions of a block along each side, and each position's two sides."""
    pos_seg, pos_t = at.seg, at.t
    width = segments["width_m"].to_numpy(dtype=float)
    road_id = segments["road_id"].astype(str).to_numpy()
    name = segments["name"].astype(str).to_numpy()
    rclass = segments["road_class"].astype(str).to_numpy()
    same = pos_seg[1:] == pos_seg[:-1]
    a = np.flatnonzero(same)
    for s in (0, 1):
        G.add_edges_from(
            (
                2 * i + s,
                2 * (i + 1) + s,
                {
                    "kind": "sidewalk",
                    "length": float(pos_t[i + 1] - pos_t[i]),
                    "seg": int(pos_seg[i]),
                    "side": SIDES[s],
                    "t0": float(pos_t[i]),
                    "t1": float(pos_t[i + 1]),
                    "road_id": road_id[pos_seg[i]],
                    "name": name[pos_seg[i]],
                    "road_class": rclass[pos_seg[i]],
                    "assets": (),
                },
            )
            for i in a
        )
    G.add_edges_from(
        (
            2 * i,
            2 * i + 1,
            {
                "kind": "crossing",
                "length": float(width[pos_seg[i]]),
                "seg": int(pos_seg[i]),
                "t": float(pos_t[i]),
                "road_id": road_id[pos_seg[i]],
                "name": name[pos_seg[i]],
                "road_class": rclass[pos_seg[i]],
                "width_m": float(width[pos_seg[i]]),
            },
        )
        for i in range(len(pos_seg))
    )


def _add_corners(
    G: nx.Graph, segments: gpd.GeoDataFrame, pos_seg: npt.NDArray[np.int64], pos_t: FloatArray
) -> None:
    """Join, around each junction, the left of each block end to the right of the next one."""
    n = len(segments)
    first = np.searchsorted(pos_seg, np.arange(n), "left")
    last = np.searchsorted(pos_seg, np.arange(n), "right") - 1
    geoms = np.asarray(segments.geometry.values, dtype=object)
    length = segments["length"].to_numpy()
    lines = Polylines(geoms)
    _, t_u = lines.locate(np.arange(n), np.zeros(n))
    _, t_v = lines.locate(np.arange(n), length)
    t_v = -t_v
    # leaving the junction: at u along the block (its L is on the left), at v backwards
    junction = np.concatenate([segments["u"].to_numpy(), segments["v"].to_numpy()])
    angle = np.concatenate([np.arctan2(t_u[:, 1], t_u[:, 0]), np.arctan2(t_v[:, 1], t_v[:, 0])])
    left = np.concatenate([2 * first + 0, 2 * last + 1])
    right = np.concatenate([2 * first + 1, 2 * last + 0])
    order = np.lexsort((angle, junction))
    j = junction[order]
    starts = np.flatnonzero(np.r_[True, j[1:] != j[:-1]])
    sizes = np.diff(np.r_[starts, len(j)])
    for st, size in zip(starts, sizes):
        if size < 2:
            continue  # a dead end: only the carriageway crossing joins its sides
        ends = order[st : st + size]
        for k in range(size):
            a, b = ends[k], ends[(k + 1) % size]
            G.add_edge(int(left[a]), int(right[b]), kind="corner", length=0.0, junction=int(j[st]))


def _measure_as_drawn(G: nx.Graph, segments: gpd.GeoDataFrame) -> None:
    """Set each edge's ``length`` to the length of its drawn geometry (the line trenched).

    Crossings and corners are drawn straight between their nodes (a crossing runs from one
    sidewalk's centre line to the other's: the carriageway plus a sidewalk's width). A sidewalk
    run is the centreline between its positions, clamped to the block's drawn stretch, offset
    to the sidewalk's centre: where that stretch of centreline is straight its offset is as
    long, elsewhere the run is drawn and measured (:func:`gis.convert.edge_geometry`).
    """
    if not G.number_of_edges():
        return
    edges = list(G.edges(data=True))
    xy = {n: (d["x"], d["y"]) for n, d in G.nodes(data=True)}
    a = np.array([xy[u] for u, _, _ in edges], dtype=float).reshape(-1, 2)
    b = np.array([xy[v] for _, v, _ in edges], dtype=float).reshape(-1, 2)
    length = np.hypot(*(a - b).T)
    walk = np.flatnonzero([d["kind"] == "sidewalk" for _, _, d in edges])
    if len(walk):
        seg = np.array([int(edges[i][2]["seg"]) for i in walk], dtype=np.int64)
        lo = segments["draw_t0"].to_numpy(dtype=float)[seg]
        hi = segments["draw_t1"].to_numpy(dtype=float)[seg]
        t0 = np.clip([float(edges[i][2]["t0"]) for i in walk], lo, hi)
        t1 = np.clip([float(edges[i][2]["t1"]) for i in walk], lo, hi)
        run = t1 - t0 >= 1e-6  # else drawn straight between its nodes (as measured above)
        lines = Polylines(np.asarray(segments.geometry.values, dtype=object))
        base = seg * lines.scale
        inner = np.searchsorted(lines.key, base + t1 - 1e-9, "left") - np.searchsorted(
            lines.key, base + t0 + 1e-9, "right"
        )
        straight = run & (inner <= 0)
        length[walk[straight]] = (t1 - t0)[straight]
        for i in walk[run & ~straight].tolist():
            u, v, _ = edges[i]
            length[i] = edge_geometry(G, u, v).length
    nx.set_edge_attributes(
        G, {(u, v): float(x) for (u, v, _), x in zip(edges, length.tolist())}, "length"
    )


def _mark(
    G: nx.Graph,
    pos_seg: npt.NDArray[np.int64],
    pos_t: FloatArray,
    table: pd.DataFrame,
    attr: str,
    key: Any,
) -> None:
    """Record each interval's key on the nodes it covers (and, for mains, the edges)."""
    if not len(table):
        return
    lo, hi = _ranges(pos_seg, pos_t, table)
    node_vals: dict[int, list[Any]] = defaultdict(list)
    edge_vals: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row, a, b in zip(table.itertuples(index=False), lo, hi):
        value = key(row)
        s = int(row.side)  # type: ignore[arg-type]
        for i in range(int(a), int(b) + 1):
            node_vals[2 * i + s].append(value)
            if attr == "taps" and i < b:
                edge_vals[(2 * i + s, 2 * (i + 1) + s)].append(value)
    nx.set_node_attributes(G, {n: tuple(v) for n, v in node_vals.items()}, attr)
    if edge_vals:
        nx.set_edge_attributes(G, {e: tuple(v) for e, v in edge_vals.items()}, "assets")
