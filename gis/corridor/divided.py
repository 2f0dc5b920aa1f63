"""Divided roads in the corridor graph: two one-way carriageways and the median between them.

Blocks with the same non-empty ``carriageway_pair`` (set by the OSM readers,
:func:`gis.io.osm.mark_divided_pairs`) that run the opposite way are the two carriageways of one
road. The side of each carriageway facing the other is the **median** (中央分隔带), not a
sidewalk: it gets no sidewalk edges unless the profile's ``roads.median_is_green`` says a line
may run in it (then its edges carry ``median=True`` and count as green space). Crossing the road
is one crossing edge from the outer side of one carriageway to the outer side of the other,
of the combined width (both carriageways and the median), with ``carriageway_pair`` and
``median_m`` on the edge. Each node position on a carriageway gets its counterpart on the other
(the nearest point), so the road can be crossed wherever one side has a node.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely

from gis.corridor._polylines import FloatArray, Polylines

__all__ = ["MAX_GAP_M", "Links", "apply_divided", "divided_links"]

MAX_GAP_M = 45.0
"""Farthest centreline spacing (m) at which a position finds its counterpart carriageway."""

_OPPOSITE = -0.5  # cosine: the two carriageways run the opposite way


@dataclass(frozen=True)
class Links:
    """Counterparts of node positions across divided roads.

    ``src_seg``/``src_t``: a position on a carriageway; ``dst_seg``/``dst_t``: the nearest
    point of the other carriageway; ``gap``: centreline distance between them; ``inner``: per
    block, the side (0 L, 1 R) facing its other carriageway, -1 for undivided blocks.
    """

    src_seg: npt.NDArray[np.int64]
    src_t: FloatArray
    dst_seg: npt.NDArray[np.int64]
    dst_t: FloatArray
    gap: FloatArray
    inner: npt.NDArray[np.int64]


def _pairs(segments: gpd.GeoDataFrame) -> npt.NDArray[np.object_]:
    if "carriageway_pair" not in segments.columns:
        return np.full(len(segments), "", dtype=object)
    return segments["carriageway_pair"].fillna("").astype(str).to_numpy(dtype=object)


def divided_links(
    segments: gpd.GeoDataFrame, pos_seg: npt.NDArray[np.int64], pos_t: FloatArray
) -> Links:
    """Find, for each position on a divided road's carriageway, the nearest point of the other.

    Returns
    -------
    Links
        Empty arrays (and ``inner`` all -1) when no block belongs to a divided road.
    """
    n = len(segments)
    pair = _pairs(segments)
    geoms = np.asarray(segments.geometry.values, dtype=object)
    lines = Polylines(geoms)
    inner = np.full(n, -1, dtype=np.int64)
    on_pair = np.flatnonzero(pair[pos_seg] != "") if n else np.array([], dtype=np.int64)
    found: list[tuple[int, float, int, float, float]] = []
    if len(on_pair):
        tree = shapely.STRtree(geoms)
        points = shapely.points(lines.locate(pos_seg[on_pair], pos_t[on_pair])[0])
        p_idx, cand = tree.query(points, predicate="dwithin", distance=MAX_GAP_M)
        best = _nearest_opposite(
            lines, geoms, pair, pos_seg[on_pair], pos_t[on_pair], points, p_idx, cand
        )
        found = [(int(pos_seg[on_pair][k]), float(pos_t[on_pair][k]), *v) for k, v in best.items()]
    if not found:
        empty = np.array([], dtype=float)
        return Links(empty.astype(np.int64), empty, empty.astype(np.int64), empty, empty, inner)
    table = np.array(found, dtype=float)
    src_seg, src_t = table[:, 0].astype(np.int64), table[:, 1]
    dst_seg, dst_t = table[:, 2].astype(np.int64), table[:, 3]
    # the inner side of a block: where most of its counterparts lie (seen from either end)
    other = lines.locate(dst_seg, dst_t)[0]
    mine = lines.locate(src_seg, src_t)[0]
    blocks = np.concatenate([src_seg, dst_seg])
    side = np.concatenate(
        [lines.side_of(src_seg, src_t, other), lines.side_of(dst_seg, dst_t, mine)]
    )
    for s in np.unique(blocks):
        inner[s] = round(float(side[blocks == s].mean()))
    return Links(src_seg, src_t, dst_seg, np.round(dst_t, 6), table[:, 4], inner)


def _nearest_opposite(
    lines: Polylines,
    geoms: npt.NDArray[np.object_],
    pair: npt.NDArray[np.object_],
    seg: npt.NDArray[np.int64],
    t: FloatArray,
    points: npt.NDArray[np.object_],
    p_idx: npt.NDArray[np.int64],
    cand: npt.NDArray[np.int64],
) -> dict[int, tuple[int, float, float]]:
    """Per position: the nearest block of its pair running the opposite way (seg, t, gap)."""
    keep = (pair[cand] == pair[seg[p_idx]]) & (cand != seg[p_idx])
    p_idx, cand = p_idx[keep], cand[keep]
    if not len(p_idx):
        return {}
    t_other = shapely.line_locate_point(geoms[cand], points[p_idx])
    gap = shapely.distance(geoms[cand], points[p_idx])
    _, tan_self = lines.locate(seg[p_idx], t[p_idx])
    _, tan_other = lines.locate(cand, t_other)
    opposite = np.einsum("ij,ij->i", tan_self, tan_other) <= _OPPOSITE
    best: dict[int, tuple[int, float, float]] = {}
    for k, c, to, g in zip(
        p_idx[opposite].tolist(),
        cand[opposite].tolist(),
        t_other[opposite].tolist(),
        gap[opposite].tolist(),
    ):
        if k not in best or g < best[k][2]:
            best[k] = (c, to, g)
    return best


def apply_divided(
    G: nx.Graph,
    segments: gpd.GeoDataFrame,
    at: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    links: Links,
    *,
    median_is_green: bool,
) -> None:
    """Turn the carriageways of divided roads into one road: medians and combined crossings.

    ``at`` holds the position indices (node ``2i + s``) of each link's source and counterpart.
    Each carriageway crossing of a position with a counterpart is replaced by the crossing to
    the counterpart's outer side; median sidewalk edges are removed, or marked ``median``.
    """
    if not len(links.src_seg):
        return
    width = segments["width_m"].to_numpy(dtype=float)
    pair = _pairs(segments)
    own: set[tuple[int, int]] = set()
    added: list[tuple[int, int, dict[str, object]]] = []
    for i, j, s0, s1, gap in zip(
        at[0].tolist(),
        at[1].tolist(),
        links.src_seg.tolist(),
        links.dst_seg.tolist(),
        links.gap.tolist(),
    ):
        own.update({(2 * i, 2 * i + 1), (2 * j, 2 * j + 1)})
        combined = float(width[s0] / 2.0 + gap + width[s1] / 2.0)
        attrs = {
            **G.edges[2 * i, 2 * i + 1],
            "length": combined,
            "width_m": combined,
            "carriageway_pair": str(pair[s0]),
            "median_m": float(max(gap - (width[s0] + width[s1]) / 2.0, 0.0)),
        }
        added.append((2 * i + 1 - int(links.inner[s0]), 2 * j + 1 - int(links.inner[s1]), attrs))
    if median_is_green:  # the median is reachable: its own crossings are of the same road
        nx.set_edge_attributes(
            G, {e: str(pair[G.edges[e]["seg"]]) for e in own}, "carriageway_pair"
        )
    else:
        G.remove_edges_from(own)
    G.add_edges_from(added)
    _medians(G, links.inner, median_is_green=median_is_green)
    if not median_is_green:
        _drop_median_nodes(G, segments, links.inner)


def _medians(G: nx.Graph, inner: npt.NDArray[np.int64], *, median_is_green: bool) -> None:
    """Remove (or mark ``median``) the sidewalk edges on the inner side of carriageways."""
    sides = ("L", "R")
    median = [
        (u, v)
        for u, v, d in G.edges(data=True)
        if d["kind"] == "sidewalk"
        and inner[int(d["seg"])] >= 0
        and d["side"] == sides[int(inner[int(d["seg"])])]
    ]
    if median_is_green:
        nx.set_edge_attributes(G, dict.fromkeys(median, True), "median")
    else:
        G.remove_edges_from(median)


def _drop_median_nodes(
    G: nx.Graph, segments: gpd.GeoDataFrame, inner: npt.NDArray[np.int64]
) -> None:
    """Remove the median: inner-side nodes left without a way along or across, and the links.

    A median link is a short block (a cross street's stretch between the two carriageways)
    whose two ends are both junctions of blocks of the same divided road: crossing there is the
    road's one crossing, so the stretch is no corridor of its own.
    """
    pair = _pairs(segments)
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    pairs_at: dict[int, set[str]] = {}
    for k in np.flatnonzero(pair != "").tolist():
        for j in (int(u[k]), int(v[k])):
            pairs_at.setdefault(j, set()).add(str(pair[k]))
    length = segments["length"].to_numpy(dtype=float)
    link = np.array(
        [
            pair[k] == ""
            and length[k] <= MAX_GAP_M
            and bool(pairs_at.get(int(u[k]), set()) & pairs_at.get(int(v[k]), set()))
            for k in range(len(segments))
        ],
        dtype=bool,
    )
    sides = ("L", "R")
    drop = [
        node
        for node, d in G.nodes(data=True)
        if not (d["sites"] or d["taps"])
        and (
            link[d["seg"]]
            or (
                inner[d["seg"]] >= 0
                and d["side"] == sides[int(inner[d["seg"]])]
                and all(e["kind"] == "corner" for e in G.adj[node].values())
            )
        )
    ]
    G.remove_nodes_from(drop)
    # what the median now cuts off (a carriageway stretch inside a crossing road's median)
    median_only = (link | (inner >= 0)).tolist()
    cut_off = [
        comp
        for comp in nx.connected_components(G)
        if len(comp) < len(G) / 2
        and all(median_only[G.nodes[n]["seg"]] and not G.nodes[n]["sites"] for n in comp)
        and not any(G.nodes[n]["taps"] for n in comp)
    ]
    G.remove_nodes_from([n for comp in cut_off for n in comp])
