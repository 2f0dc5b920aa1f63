"""Attaching sites and network assets to the side of the road block they are beside.

A site's **frontage** is the part of each block its red line stands beside, on its side of the
road; a network asset (a main) is attached to the block side it runs along, over the interval it
covers. The corridor graph (:mod:`gis.corridor.graph`) places nodes at these intervals' ends, so
the route from a site to a main's tap is measured along the sidewalk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gis.corridor._polylines import FloatArray, Polylines
from gis.crs import require_projected
from gis.profile import Profile, load_profile

__all__ = ["attach_assets", "attach_sites"]

_ATTACHMENT_COLUMNS = ["utility", "asset_id", "seg", "side", "t0", "t1", "offset_m"]
_PARALLEL_COS = 0.7
"""Least |cos| between an asset and a block for a sample to go to that block."""


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
    side = Polylines(seg_geoms).side_of(sj, ta, b)
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
    blocks = _Blocks.of(segments)
    found: list[pd.DataFrame] = []
    off: list[pd.DataFrame] = []
    for utility, gdf in networks.items():
        if gdf is None or gdf.empty:
            continue
        require_projected(gdf.crs, what=f"attaching layer {utility!r}")
        attached, off_road = _attach_layer(utility, gdf, blocks, profile)
        found.append(attached)
        if off_road is not None:
            off.append(off_road)
    attachments = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_ATTACHMENT_COLUMNS)
    )
    off_road_all = (
        pd.concat(off, ignore_index=True)
        if off
        else pd.DataFrame(columns=["utility", "asset_id", "off_road_share"])
    )
    return attachments, off_road_all


@dataclass(frozen=True)
class _Blocks:
    """The blocks as arrays, their polylines and spatial index (shared by every layer)."""

    geoms: npt.NDArray[Any]
    length: FloatArray
    lines: Polylines
    tree: shapely.STRtree

    @classmethod
    def of(cls, segments: gpd.GeoDataFrame) -> _Blocks:
        geoms = np.asarray(segments.geometry.values, dtype=object)
        return cls(geoms, segments["length"].to_numpy(), Polylines(geoms), shapely.STRtree(geoms))


@dataclass(frozen=True)
class _Samples:
    """Points sampled along every asset of a layer: ``n[i]`` evenly spaced on asset ``i``."""

    owner: npt.NDArray[np.int64]
    """The asset of each sample."""
    k: npt.NDArray[np.int64]
    """The sample's number along its asset (0..n-1)."""
    n: npt.NDArray[np.int64]
    """Samples per asset."""
    xy: FloatArray
    tangent: FloatArray

    @classmethod
    def of(cls, geoms: npt.NDArray[Any], step: float) -> _Samples:
        alen = shapely.length(geoms)
        n = np.maximum(2, np.ceil(alen / step).astype(int))
        owner = np.repeat(np.arange(len(geoms)), n)
        start = np.repeat(np.cumsum(n) - n, n)
        k = np.arange(len(owner)) - start
        frac = (k + 0.5) / n[owner]
        xy, tangent = Polylines(geoms).locate(owner, frac * alen[owner])
        return cls(owner, k, n, xy, tangent)


def _match(blocks: _Blocks, samples: _Samples, max_off: float) -> pd.DataFrame:
    """Give each sample the nearest roughly parallel block within ``max_off``, and its side.

    Returns one row per matched sample: ``sample``, ``owner``, ``k``, ``n``, ``seg``, ``side``,
    ``t`` (position along the block) and ``d`` (distance to it).
    """
    pts = shapely.points(samples.xy)
    pi, sj = blocks.tree.query(pts, predicate="dwithin", distance=max_off)
    d = shapely.distance(pts[pi], blocks.geoms[sj])
    t = shapely.line_locate_point(blocks.geoms[sj], pts[pi])
    _, stan = blocks.lines.locate(sj, t)
    cos = np.abs((samples.tangent[pi] * stan).sum(axis=1))
    score = np.where(cos >= _PARALLEL_COS, d, np.inf)
    order = np.lexsort((score, pi))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pi[order][1:] != pi[order][:-1]
    best = order[first & np.isfinite(score[order])]
    sample = pi[best]
    side = blocks.lines.side_of(sj[best], t[best], samples.xy[sample])
    return pd.DataFrame(
        {
            "sample": sample,
            "owner": samples.owner[sample],
            "k": samples.k[sample],
            "n": samples.n[samples.owner[sample]],
            "seg": sj[best],
            "side": side,
            "t": t[best],
            "d": d[best],
        }
    )


def _intervals(
    table: pd.DataFrame, geoms: npt.NDArray[Any], blocks: _Blocks, end_snap: float
) -> pd.DataFrame:
    """Group the matched samples by asset and block side into intervals ``t0``..``t1``.

    An interval holding the asset's first or last sample reaches to the asset's own end point;
    interval ends within ``end_snap`` of the block's ends are snapped to them.
    """
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
    own = grouped["owner"].to_numpy()
    sg = grouped["seg"].to_numpy()
    for end_k, which in ((0, 0), (-1, -1)):
        mask = (grouped["kmin"] == 0) if end_k == 0 else (grouped["kmax"] == grouped["n"] - 1)
        m = mask.to_numpy()
        if m.any():
            endpoints = shapely.get_point(geoms[own[m]], which)
            te = shapely.line_locate_point(blocks.geoms[sg[m]], endpoints)
            grouped.loc[m, "t0"] = np.minimum(grouped.loc[m, "t0"].to_numpy(), te)
            grouped.loc[m, "t1"] = np.maximum(grouped.loc[m, "t1"].to_numpy(), te)
    L = blocks.length[sg]
    grouped["t0"] = np.where(grouped["t0"] < end_snap, 0.0, grouped["t0"])
    grouped["t1"] = np.where(grouped["t1"] > L - end_snap, L, grouped["t1"])
    return grouped


def _attach_layer(
    utility: str, gdf: gpd.GeoDataFrame, blocks: _Blocks, profile: Profile
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Attach the assets of one network layer: their intervals, and those partly off the road.

    Steps: (1) sample each asset; (2) match each sample to a parallel block side; (3) group the
    samples into intervals; (4) the share of each asset's samples that matched no block.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ids = gdf["asset_id"].astype(str).to_numpy()
    samples = _Samples.of(geoms, profile.attach.sample_step_m)
    table = _match(blocks, samples, profile.attach.asset_max_offset_m)
    grouped = _intervals(table, geoms, blocks, profile.graph.end_snap_m)
    grouped["utility"] = utility
    grouped["asset_id"] = ids[grouped["owner"].to_numpy()]
    matched = np.zeros(len(samples.owner), dtype=bool)
    matched[table["sample"].to_numpy()] = True
    share = 1.0 - np.bincount(samples.owner, weights=matched, minlength=len(geoms)) / samples.n
    bad = share > 0
    off_road = (
        pd.DataFrame({"utility": utility, "asset_id": ids[bad], "off_road_share": share[bad]})
        if bad.any()
        else None
    )
    return grouped[_ATTACHMENT_COLUMNS], off_road
