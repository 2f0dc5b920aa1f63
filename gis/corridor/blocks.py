"""Road blocks: roads split at their junctions, with the junctions numbered.

A block is a stretch of road centreline between two junctions (or a dead end); the corridor
graph (:mod:`gis.corridor.graph`) gives each block two sides and a carriageway crossing. Roads
are split where one road's end lies on another (a T junction, also when it stops a little short)
and where two roads cross at grade; end points within ``graph.junction_snap_m`` are one junction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.ops import substring

from gis.crs import require_projected
from gis.profile import Profile, load_profile

__all__ = ["road_segments"]

_TOL = 0.01
"""Distance (m) from a road's end within which a crossing point is that end, not its middle."""


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


def _separated(roads: gpd.GeoDataFrame, profile: Profile) -> npt.NDArray[np.bool_]:
    """Whether each road is grade-separated (its class) or off the ground (a ``grade`` value)."""
    classes = roads["road_class"].astype(str).to_numpy()
    off_ground = (
        roads["grade"].fillna("").astype(str).str.len().to_numpy() > 0
        if "grade" in roads.columns
        else np.zeros(len(roads), dtype=bool)
    )
    grade_sep = set(profile.graph.grade_separated_classes)
    return np.isin(classes, list(grade_sep)) | off_ground


def _split_at_crossings(
    geoms: npt.NDArray[Any],
    splits: dict[int, list[float]],
    separated: npt.NDArray[np.bool_],
) -> None:
    """Add to ``splits`` every point where two roads meet, except a grade-separated crossing.

    A point inside both roads (no shared end) is not a junction when either road is
    grade-separated; a point at one road's end splits the other road (a T junction).
    """
    lengths = shapely.length(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return
    inter = shapely.intersection(geoms[left], geoms[right])
    pts, pair = shapely.get_coordinates(inter, return_index=True)
    if not len(pts):
        return
    i, j = left[pair], right[pair]
    p = shapely.points(pts)
    ti = shapely.line_locate_point(geoms[i], p)
    tj = shapely.line_locate_point(geoms[j], p)
    int_i = (ti > _TOL) & (ti < lengths[i] - _TOL)
    int_j = (tj > _TOL) & (tj < lengths[j] - _TOL)
    skip = int_i & int_j & (separated[i] | separated[j])
    for a, t in zip(i[int_i & ~skip], ti[int_i & ~skip]):
        splits[int(a)].append(float(t))
    for b, t in zip(j[int_j & ~skip], tj[int_j & ~skip]):
        splits[int(b)].append(float(t))


def _cut(geoms: npt.NDArray[Any], splits: dict[int, list[float]]) -> tuple[list[int], list[Any]]:
    """Cut each road at its split positions: the road row and the geometry of every block."""
    lengths = shapely.length(geoms)
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
    return rows, parts


def _junctions(seg_geoms: npt.NDArray[Any], snap: float) -> npt.NDArray[np.int64]:
    """Return each block end's junction id (the u ends, then the v ends); ends within ``snap`` share one."""
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(seg_geoms, 0)),
            shapely.get_coordinates(shapely.get_point(seg_geoms, -1)),
        ]
    )
    n = len(seg_geoms)
    pairs = cKDTree(ends).query_pairs(snap, output_type="ndarray")
    adj = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else ([], ([], [])),
        shape=(2 * n, 2 * n),
    )
    _, labels = connected_components(adj, directed=False)
    return labels


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
        (carriageway, from the road or the profile default, half of it for one carriageway of a
        divided road), ``sidewalk_m``, ``u``, ``v``
        (junction ids), ``length`` (m) and the LineString.
    """
    profile = profile or load_profile()
    crs = require_projected(roads.crs, what="splitting roads into blocks")
    # (1) where to split: T junctions (snapped) and at-grade crossings
    geoms = np.asarray(roads.geometry.values, dtype=object).copy()
    splits: dict[int, list[float]] = defaultdict(list)
    _snap_near_junctions(geoms, splits, profile.graph.junction_snap_m)
    _split_at_crossings(geoms, splits, _separated(roads, profile))
    # (2) the blocks, with their road's attributes
    rows, parts = _cut(geoms, splits)
    seg = roads.iloc[rows].reset_index(drop=True)
    seg = gpd.GeoDataFrame(seg.drop(columns="geometry"), geometry=list(parts), crs=crs)
    seg_geoms = np.asarray(seg.geometry.values, dtype=object)
    n = len(seg)
    # (3) junction ids, widths (the road's, or the profile's default) and lengths
    labels = _junctions(seg_geoms, profile.graph.junction_snap_m)
    cls = seg["road_class"].astype(str)
    width = pd.to_numeric(seg["width_m"], errors="coerce") if "width_m" in seg else None
    default_w = cls.map(profile.roads.carriageway_width_m).astype(float)
    # a divided road's carriageway (one direction) is half the road's default width
    paired = (
        seg["carriageway_pair"].fillna("").astype(str).to_numpy() != ""
        if "carriageway_pair" in seg
        else np.zeros(n, dtype=bool)
    )
    default_w = default_w.where(~paired, default_w / 2.0)
    seg["width_m"] = default_w if width is None else width.fillna(default_w)
    seg["sidewalk_m"] = cls.map(profile.roads.sidewalk_width_m).astype(float)
    seg["u"] = labels[:n]
    seg["v"] = labels[n:]
    seg["length"] = shapely.length(seg_geoms)
    seg.insert(0, "seg", np.arange(n))
    return seg
