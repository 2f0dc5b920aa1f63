"""The road corridor graph: where external lines may run, in metres.

Each road block (a road centreline between two junctions) has two **sides**. Running along a
side is sidewalk work (人行道); getting to the other side is a **carriageway crossing** (车行道)
of that road, whose class and width the crossing edge carries. At a junction the sides of
neighbouring roads meet at the corners (length 0), so turning a corner costs nothing while
going straight over a junction crosses the other road.

Graph contract (one for the whole project; :mod:`gis.convert` turns it into GeoDataFrames):

* an undirected :class:`networkx.Graph`; ``G.graph["crs"]`` is the projected CRS (metres);
* every edge has ``length`` in metres and ``kind`` ∈ ``sidewalk`` | ``crossing`` | ``corner``;
  sidewalk edges carry ``seg``, ``side`` (``L``/``R`` of the block's direction), ``t0``, ``t1``
  (positions along the centreline), ``road_id``, ``name``, ``road_class`` and ``assets``
  (``(utility, asset_id)`` pairs of the mains running along the whole edge); crossing edges
  carry ``seg``, ``t``, ``road_id``, ``name``, ``road_class`` and ``width_m``;
* every node has ``x``, ``y`` (on the sidewalk, for display), ``seg``, ``side``, ``t``,
  ``junction`` (id, or -1 mid-block), ``sites`` (project ids whose frontage it is on) and
  ``taps`` (``(utility, asset_id)`` pairs of mains passing it);
* ``G.graph`` also holds ``segments`` (the blocks as a GeoDataFrame), ``frontages`` (site ×
  block intervals), ``attachments`` (asset × block intervals) and ``off_road`` (assets or parts
  of assets farther than the profile allows from every road).

Lengths along a side are measured on the road centreline between positions, so a frontage
and a main on the same side of a block are exactly ``|t_main - t_site|`` apart.

Examples
--------
A crossroads of two 100 m arms each way (see ``tests/test_corridor.py`` for more):

>>> import geopandas as gpd
>>> from shapely import LineString
>>> roads = gpd.GeoDataFrame(
...     {"road_id": ["a", "b"], "name": ["东西路", "南北路"],
...      "road_class": ["arterial", "branch"], "width_m": [16.0, 8.0]},
...     geometry=[LineString([(-100, 0), (100, 0)]), LineString([(0, -100), (0, 100)])],
...     crs="EPSG:4546")
>>> G = build_corridor_graph(roads)
>>> sorted({d["kind"] for _, _, d in G.edges(data=True)})
['corner', 'crossing', 'sidewalk']
>>> len(G.graph["segments"]), G.number_of_nodes(), G.number_of_edges()
(4, 16, 20)
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.ops import substring
from tqdm import tqdm

from gis.crs import require_projected
from gis.errors import Problem, ValidationError
from gis.profile import Profile, load_profile

__all__ = [
    "SIDES",
    "attach_assets",
    "attach_sites",
    "build_corridor_graph",
    "road_segments",
]

log = logging.getLogger(__name__)

SIDES = ("L", "R")
"""Left and right of a block, looking from its first to its last vertex."""

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6


class _Polylines:
    """Points and unit directions at positions along many lines, without per-line Python work.

    All vertices go into one array; a position ``t`` on line ``i`` is found by one
    ``searchsorted`` over keys ``i * scale + (distance of the vertex along line i)``.
    """

    def __init__(self, lines: npt.NDArray[Any]) -> None:
        coords, idx = shapely.get_coordinates(lines, return_index=True)
        n = len(lines)
        step = np.hypot(*np.diff(coords, axis=0).T)
        same = idx[1:] == idx[:-1]
        cum = np.concatenate([[0.0], np.cumsum(np.where(same, step, 0.0))])
        self.start = np.searchsorted(idx, np.arange(n), "left")
        self.end = np.searchsorted(idx, np.arange(n), "right") - 1
        self.along = cum - cum[self.start[idx]]
        self.length = self.along[self.end]
        self.scale = float(self.length.max(initial=0.0)) + 1.0
        self.key = idx * self.scale + self.along
        self.coords = coords

    def locate(self, line: npt.NDArray[np.int64], t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return the point at ``t`` on each ``line`` and the unit direction of the line there."""
        t = np.clip(t, 0.0, self.length[line])
        k = np.searchsorted(self.key, line * self.scale + t, "right") - 1
        k = np.clip(k, self.start[line], np.maximum(self.end[line] - 1, self.start[line]))
        vec = self.coords[np.minimum(k + 1, self.end[line])] - self.coords[k]
        seg = np.hypot(vec[:, 0], vec[:, 1])
        safe = np.where(seg > 0, seg, 1.0)
        frac = np.clip((t - self.along[k]) / safe, 0.0, 1.0)
        point = self.coords[k] + vec * frac[:, None]
        tangent = np.where((seg > 0)[:, None], vec / safe[:, None], [1.0, 0.0])
        return point, tangent

    def side_of(
        self, line: npt.NDArray[np.int64], t: FloatArray, pts: FloatArray
    ) -> npt.NDArray[np.int8]:
        """Return 0 (left) or 1 (right) for each point, relative to its line at ``t``."""
        foot, tan = self.locate(line, t)
        rel = pts - foot
        cross = tan[:, 0] * rel[:, 1] - tan[:, 1] * rel[:, 0]
        return np.where(cross >= 0, 0, 1).astype(np.int8)


# --------------------------------------------------------------------------------- blocks


def _snap_near_junctions(
    geoms: npt.NDArray[Any], splits: dict[int, list[float]], snap: float
) -> None:
    """Join a road end that stops within ``snap`` metres of another road's middle (T junction).

    Digitised roads often stop a little short of the road they meet. Such an end is moved onto
    the other road and that road is split there, so the two meet in one junction.
    """
    ends = np.concatenate([shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)])
    owner = np.concatenate([np.arange(len(geoms)), np.arange(len(geoms))])
    tree = shapely.STRtree(geoms)
    e_idx, road = tree.query(ends, predicate="dwithin", distance=snap)
    gaps = shapely.distance(ends[e_idx], geoms[road])
    near = (owner[e_idx] != road) & (gaps > 0)  # touching ends are handled as intersections
    moved: dict[tuple[int, int], tuple[float, float]] = {}
    for e, j, gap in zip(e_idx[near], road[near], gaps[near]):
        i = int(owner[e])
        if (i, int(e >= len(geoms))) in moved:
            continue
        point = ends[e]
        t = shapely.line_locate_point(geoms[j], point)
        length = shapely.length(geoms[j])
        if gap <= 0 or not (0.01 < t < length - 0.01):
            continue  # already touching, or near the other road's own end (clustered later)
        target = shapely.line_interpolate_point(geoms[j], t)
        moved[(i, int(e >= len(geoms)))] = (target.x, target.y)
        splits[int(j)].append(float(t))
    for (i, which), xy in moved.items():
        coords = shapely.get_coordinates(geoms[i])
        coords[0 if which == 0 else -1] = xy
        geoms[i] = shapely.linestrings(coords)


def road_segments(roads: gpd.GeoDataFrame, *, profile: Profile | None = None) -> gpd.GeoDataFrame:
    """Split roads into blocks at junctions and number the junctions.

    Roads are split where one road's end point lies on another road and where two roads cross;
    a crossing without a shared vertex is not a junction when either road is of a
    grade-separated class (expressway) or off the ground (a non-empty ``grade`` field, as the
    OSM readers set for bridges and tunnels). End points within ``graph.junction_snap_m`` are merged into one junction.

    Returns
    -------
    GeoDataFrame
        One row per block: ``seg`` (0..n-1), ``road_id``, ``name``, ``road_class``, ``width_m``
        (carriageway, from the road or the profile default), ``sidewalk_m``, ``u``, ``v``
        (junction ids), ``length`` (m) and the LineString.
    """
    profile = profile or load_profile()
    crs = require_projected(roads.crs, what="splitting roads into blocks")
    geoms = np.asarray(roads.geometry.values, dtype=object).copy()
    classes = roads["road_class"].astype(str).to_numpy()
    grade_sep = set(profile.graph.grade_separated_classes)
    splits: dict[int, list[float]] = defaultdict(list)
    _snap_near_junctions(geoms, splits, profile.graph.junction_snap_m)
    lengths = shapely.length(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left):
        inter = shapely.intersection(geoms[left], geoms[right])
        pts, pair = shapely.get_coordinates(inter, return_index=True)
        if len(pts):
            i, j = left[pair], right[pair]
            p = shapely.points(pts)
            ti = shapely.line_locate_point(geoms[i], p)
            tj = shapely.line_locate_point(geoms[j], p)
            tol = 0.01
            int_i = (ti > tol) & (ti < lengths[i] - tol)
            int_j = (tj > tol) & (tj < lengths[j] - tol)
            off_ground = (
                roads["grade"].fillna("").astype(str).str.len().to_numpy() > 0
                if "grade" in roads.columns
                else np.zeros(len(roads), dtype=bool)
            )
            sep_road = np.isin(classes, list(grade_sep)) | off_ground
            sep = sep_road[i] | sep_road[j]
            skip = int_i & int_j & sep
            for a, t in zip(i[int_i & ~skip], ti[int_i & ~skip]):
                splits[int(a)].append(float(t))
            for b, t in zip(j[int_j & ~skip], tj[int_j & ~skip]):
                splits[int(b)].append(float(t))
    rows: list[int] = []
    parts: list[Any] = []
    for k in range(len(geoms)):
        cuts = sorted({round(t, 3) for t in splits.get(k, [])})
        if not cuts:
            rows.append(k)
            parts.append(geoms[k])
            continue
        bounds = [0.0, *cuts, float(lengths[k])]
        for a, b in zip(bounds[:-1], bounds[1:]):
            if b - a > 1e-3:
                rows.append(k)
                parts.append(substring(geoms[k], a, b))
    seg = roads.iloc[rows].reset_index(drop=True)
    seg = gpd.GeoDataFrame(seg.drop(columns="geometry"), geometry=list(parts), crs=crs)
    seg_geoms = np.asarray(seg.geometry.values, dtype=object)
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(seg_geoms, 0)),
            shapely.get_coordinates(shapely.get_point(seg_geoms, -1)),
        ]
    )
    n = len(seg)
    snap = profile.graph.junction_snap_m
    pairs = cKDTree(ends).query_pairs(snap, output_type="ndarray")
    adj = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else ([], ([], [])),
        shape=(2 * n, 2 * n),
    )
    _, labels = connected_components(adj, directed=False)
    widths = profile.roads.carriageway_width_m
    sidewalks = profile.roads.sidewalk_width_m
    cls = seg["road_class"].astype(str)
    width = pd.to_numeric(seg["width_m"], errors="coerce") if "width_m" in seg else None
    default_w = cls.map(widths).astype(float)
    seg["width_m"] = default_w if width is None else width.fillna(default_w)
    seg["sidewalk_m"] = cls.map(sidewalks).astype(float)
    seg["u"] = labels[:n]
    seg["v"] = labels[n:]
    seg["length"] = shapely.length(seg_geoms)
    seg.insert(0, "seg", np.arange(n))
    return seg


# ------------------------------------------------------------------------------ attaching


def attach_sites(
    segments: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, profile: Profile | None = None
) -> pd.DataFrame:
    """Find each site's frontage: the blocks within reach of its red line, side and interval.

    A site fronts every block whose centreline is within ``attach.site_frontage_max_m`` of its
    polygon, on the side of the block the site lies on, over the part of the block that is
    within that distance.

    Returns
    -------
    DataFrame
        ``project_id``, ``seg``, ``side`` (0 = L, 1 = R), ``t0``, ``t1``, ``distance_m``.
    """
    profile = profile or load_profile()
    require_projected(segments.crs, what="attaching sites")
    reach = profile.attach.site_frontage_max_m
    cols = ["project_id", "seg", "side", "t0", "t1", "distance_m"]
    if sites is None or sites.empty:
        return pd.DataFrame(columns=cols)
    seg_geoms = np.asarray(segments.geometry.values, dtype=object)
    site_geoms = np.asarray(sites.geometry.values, dtype=object)
    tree = shapely.STRtree(seg_geoms)
    si, sj = tree.query(site_geoms, predicate="dwithin", distance=reach)
    if not len(si):
        return pd.DataFrame(columns=cols)
    lines = seg_geoms[sj]
    near = shapely.intersection(lines, shapely.buffer(site_geoms[si], reach))
    coords, pair = shapely.get_coordinates(near, return_index=True)
    t_all = shapely.line_locate_point(lines[pair], shapely.points(coords))
    t0 = np.full(len(si), np.inf)
    t1 = np.full(len(si), -np.inf)
    np.minimum.at(t0, pair, t_all)
    np.maximum.at(t1, pair, t_all)
    # only the part of the block the site stands beside (its red line projected onto the
    # centreline) is frontage: a site near a junction does not front the next block
    vcoords, vpair = shapely.get_coordinates(site_geoms[si], return_index=True)
    t_v = shapely.line_locate_point(lines[vpair], shapely.points(vcoords))
    p0 = np.full(len(si), np.inf)
    p1 = np.full(len(si), -np.inf)
    np.minimum.at(p0, vpair, t_v)
    np.maximum.at(p1, vpair, t_v)
    t0 = np.maximum(t0, p0)
    t1 = np.minimum(t1, p1)
    short = shapely.shortest_line(lines, site_geoms[si])
    a = shapely.get_coordinates(shapely.get_point(short, 0))
    b = shapely.get_coordinates(shapely.get_point(short, 1))
    dist = shapely.length(short)
    centroids = shapely.get_coordinates(shapely.centroid(site_geoms[si]))
    b = np.where((dist < 1e-9)[:, None], centroids, b)  # site overlaps the road: use its centre
    ta = shapely.line_locate_point(lines, shapely.points(a))
    side = _Polylines(seg_geoms).side_of(sj, ta, b)
    ok = np.isfinite(t0) & (t1 - t0 >= profile.graph.end_snap_m)
    return pd.DataFrame(
        {
            "project_id": sites.iloc[si]["project_id"].astype(str).to_numpy()[ok],
            "seg": sj[ok],
            "side": side[ok],
            "t0": t0[ok],
            "t1": t1[ok],
            "distance_m": dist[ok],
        }
    )


def attach_assets(
    segments: gpd.GeoDataFrame,
    networks: Mapping[str, gpd.GeoDataFrame],
    *,
    profile: Profile | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach each network asset to the road side it runs along.

    Every asset is sampled every ``attach.sample_step_m``; each sample goes to the nearest
    block (within ``attach.asset_max_offset_m``) that runs roughly parallel to it (|cos| ≥
    0.7, so a main ending at a junction is not given to the crossing road), on the side it lies.
    The samples on one block side make one interval, extended to the asset's own end points
    and snapped to the block's ends within ``graph.end_snap_m``: interval ends are exact at an
    asset's end points and within one sample step where the asset turns away from the road.

    Returns
    -------
    attachments : DataFrame
        ``utility``, ``asset_id``, ``seg``, ``side``, ``t0``, ``t1``, ``offset_m``.
    off_road : DataFrame
        ``utility``, ``asset_id``, ``off_road_share`` (of its samples), for assets not entirely
        along a road.
    """
    profile = profile or load_profile()
    require_projected(segments.crs, what="attaching network assets")
    step = profile.attach.sample_step_m
    max_off = profile.attach.asset_max_offset_m
    end_snap = profile.graph.end_snap_m
    seg_geoms = np.asarray(segments.geometry.values, dtype=object)
    seg_len = segments["length"].to_numpy()
    seg_lines = _Polylines(seg_geoms)
    tree = shapely.STRtree(seg_geoms)
    found: list[pd.DataFrame] = []
    off: list[pd.DataFrame] = []
    for utility, gdf in networks.items():
        if gdf is None or gdf.empty:
            continue
        require_projected(gdf.crs, what=f"attaching layer {utility!r}")
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        ids = gdf["asset_id"].astype(str).to_numpy()
        alen = shapely.length(geoms)
        n = np.maximum(2, np.ceil(alen / step).astype(int))
        owner = np.repeat(np.arange(len(geoms)), n)
        start = np.repeat(np.cumsum(n) - n, n)
        k = np.arange(len(owner)) - start
        frac = (k + 0.5) / n[owner]
        xy, atan = _Polylines(geoms).locate(owner, frac * alen[owner])
        pts = shapely.points(xy)
        pi, sj = tree.query(pts, predicate="dwithin", distance=max_off)
        d = shapely.distance(pts[pi], seg_geoms[sj])
        t = shapely.line_locate_point(seg_geoms[sj], pts[pi])
        _, stan = seg_lines.locate(sj, t)
        cos = np.abs((atan[pi] * stan).sum(axis=1))
        score = np.where(cos >= 0.7, d, np.inf)
        order = np.lexsort((score, pi))
        first = np.ones(len(order), dtype=bool)
        first[1:] = pi[order][1:] != pi[order][:-1]
        best = order[first & np.isfinite(score[order])]
        matched = np.zeros(len(owner), dtype=bool)
        matched[pi[best]] = True
        sample = pi[best]
        side = seg_lines.side_of(sj[best], t[best], xy[sample])
        table = pd.DataFrame(
            {
                "owner": owner[sample],
                "k": k[sample],
                "n": n[owner[sample]],
                "seg": sj[best],
                "side": side,
                "t": t[best],
                "d": d[best],
            }
        )
        grouped = (
            table.groupby(["owner", "seg", "side"], sort=True)
            .agg(
                t0=("t", "min"),
                t1=("t", "max"),
                offset_m=("d", "median"),
                kmin=("k", "min"),
                kmax=("k", "max"),
                n=("n", "first"),
            )
            .reset_index()
        )
        # extend intervals that hold the asset's first/last sample to its real end points
        own = grouped["owner"].to_numpy()
        sg = grouped["seg"].to_numpy()
        for end_k, which in ((0, 0), (-1, -1)):
            mask = (grouped["kmin"] == 0) if end_k == 0 else (grouped["kmax"] == grouped["n"] - 1)
            m = mask.to_numpy()
            if m.any():
                endpoints = shapely.get_point(geoms[own[m]], which)
                te = shapely.line_locate_point(seg_geoms[sg[m]], endpoints)
                grouped.loc[m, "t0"] = np.minimum(grouped.loc[m, "t0"].to_numpy(), te)
                grouped.loc[m, "t1"] = np.maximum(grouped.loc[m, "t1"].to_numpy(), te)
        L = seg_len[sg]
        grouped["t0"] = np.where(grouped["t0"] < end_snap, 0.0, grouped["t0"])
        grouped["t1"] = np.where(grouped["t1"] > L - end_snap, L, grouped["t1"])
        grouped["utility"] = utility
        grouped["asset_id"] = ids[own]
        found.append(grouped[["utility", "asset_id", "seg", "side", "t0", "t1", "offset_m"]])
        share = 1.0 - np.bincount(owner, weights=matched, minlength=len(geoms)) / n
        bad = share > 0
        if bad.any():
            off.append(
                pd.DataFrame(
                    {"utility": utility, "asset_id": ids[bad], "off_road_share": share[bad]}
                )
            )
    attachments = (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame(columns=["utility", "asset_id", "seg", "side", "t0", "t1", "offset_m"])
    )
    off_road = (
        pd.concat(off, ignore_index=True)
        if off
        else pd.DataFrame(columns=["utility", "asset_id", "off_road_share"])
    )
    return attachments, off_road


# --------------------------------------------------------------------------------- graph


def _positions(
    segments: gpd.GeoDataFrame, frontages: pd.DataFrame, attachments: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """All node positions: block ends plus every frontage and main interval end, sorted."""
    n = len(segments)
    length = segments["length"].to_numpy()
    seg = [np.arange(n), np.arange(n)]
    t = [np.zeros(n), length]
    for table in (frontages, attachments):
        if len(table):
            s = table["seg"].to_numpy(dtype=np.int64)
            seg += [s, s]
            t += [table["t0"].to_numpy(dtype=float), table["t1"].to_numpy(dtype=float)]
    seg_all = np.concatenate(seg)
    t_all = np.clip(np.round(np.concatenate(t), 6), 0.0, length[np.concatenate(seg)])
    uniq = np.unique(np.column_stack([seg_all.astype(float), t_all]), axis=0)
    return uniq[:, 0].astype(np.int64), uniq[:, 1]


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
    """Build the road corridor graph of a workspace (see the module docstring for the contract).

    Steps: (1) check the CRS is projected; (2) split roads into blocks at junctions;
    (3) attach sites at their frontage and network assets to the side they run along;
    (4) place nodes at block ends and at every frontage and main interval end, on both sides;
    (5) connect sides (sidewalk), the two sides (carriageway crossing) and, around each
    junction, the corners; (6) record sites and mains on nodes and edges.

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
    crs = require_projected(roads.crs, what="the road corridor graph")
    layers = {"sites": sites, **(networks or {})}
    mismatched = [
        Problem(name, None, "crs", str(g.crs), f"the roads' CRS {crs.to_string()}", code="crs")
        for name, g in layers.items()
        if g is not None and not g.empty and not crs.equals(require_projected(g.crs, what=name))
    ]
    if mismatched:
        raise ValidationError(
            problems=mismatched, summary="layers of the corridor graph differ in CRS"
        )
    bar = tqdm(total=5, desc="corridor graph", disable=not progress, unit="step")
    # (2) blocks
    segments = road_segments(roads, profile=profile)
    bar.update()
    # (3) attach
    frontages = (
        attach_sites(segments, sites, profile=profile)
        if sites is not None
        else (attach_sites(segments, gpd.GeoDataFrame(geometry=[], crs=crs), profile=profile))
    )
    attachments, off_road = attach_assets(segments, networks or {}, profile=profile)
    bar.update()
    # (4) nodes: node id = 2 * position index + side
    pos_seg, pos_t = _positions(segments, frontages, attachments)
    seg_geoms = np.asarray(segments.geometry.values, dtype=object)
    seg_len = segments["length"].to_numpy()
    width = segments["width_m"].to_numpy(dtype=float)
    sidewalk = segments["sidewalk_m"].to_numpy(dtype=float)
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    # display positions stand on the sidewalk, pulled back from a junction by the widest
    # half-corridor meeting there, so that corners are drawn at the corner, not mid-road
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
    draw_t = np.clip(
        pos_t, segments["draw_t0"].to_numpy()[pos_seg], segments["draw_t1"].to_numpy()[pos_seg]
    )
    foot, tan = _Polylines(seg_geoms).locate(pos_seg, draw_t)
    normal = np.column_stack([-tan[:, 1], tan[:, 0]])  # points to the left
    off = half[pos_seg]
    at_u = pos_t <= _EPS
    at_v = np.abs(pos_t - seg_len[pos_seg]) <= _EPS
    junction = np.where(at_u, u[pos_seg], np.where(at_v, v[pos_seg], -1))
    road_id = segments["road_id"].astype(str).to_numpy()
    name = segments["name"].astype(str).to_numpy()
    rclass = segments["road_class"].astype(str).to_numpy()
    G = nx.Graph(crs=crs, name="road corridor graph", profile=profile.name)
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
    bar.update()
    # (5) edges along each side, across the carriageway, and round the corners
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
    _add_corners(G, segments, pos_seg, pos_t)
    bar.update()
    # (6) sites and mains on nodes and edges
    _mark(G, pos_seg, pos_t, frontages, "sites", lambda r: r.project_id)
    _mark(G, pos_seg, pos_t, attachments, "taps", lambda r: (r.utility, r.asset_id))
    bar.update()
    bar.close()
    G.graph.update(
        segments=segments, frontages=frontages, attachments=attachments, off_road=off_road
    )
    log.info("corridor graph: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def _add_corners(
    G: nx.Graph, segments: gpd.GeoDataFrame, pos_seg: npt.NDArray[np.int64], pos_t: FloatArray
) -> None:
    """Join, around each junction, the left of each block end to the right of the next one."""
    n = len(segments)
    first = np.searchsorted(pos_seg, np.arange(n), "left")
    last = np.searchsorted(pos_seg, np.arange(n), "right") - 1
    geoms = np.asarray(segments.geometry.values, dtype=object)
    length = segments["length"].to_numpy()
    lines = _Polylines(geoms)
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
