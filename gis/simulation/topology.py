"""A network layer as a graph of nodes and links, the shape every simulation model is built from.

Drawn networks rarely meet exactly: the end of one main stops a few centimetres short of
another, or a branch ends on the middle of a main without a vertex there. :func:`build_topology`
(1) snaps line ends lying within ``tolerance_m`` of each other to one node, (2) splits a line
where another line's end (or a source point) touches its inside, (3) divides long links into
pieces of at most ``max_link_m`` so that a tap anywhere on a main has a model node nearby, and
(4) keeps, for every link, the asset (main) it belongs to. Sources are points: a source within
``source_reach_m`` of the network becomes a node of the line nearest to it (splitting it there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from shapely import Point

__all__ = ["PLANNED_COLUMN", "Link", "Topology", "build_topology"]

PLANNED_COLUMN = "planned_main"
"""Optional column of a network given to a model: true for a planned main read as built (it has
no existing customers yet; :func:`planning.route_facts.planned_as_built` sets it)."""


@dataclass(frozen=True)
class Link:
    """A piece of one main between two nodes.

    Attributes
    ----------
    name
        Unique link name (``<asset_id>#<k>``).
    asset_id
        The main it belongs to.
    a, b
        Node numbers of its ends.
    length_m
        Its length along the drawn line (m).
    row
        The main's row in its layer (to read attributes).
    """

    name: str
    asset_id: str
    a: int
    b: int
    length_m: float
    row: int


@dataclass
class Topology:
    """Nodes (positions) and links of a network; ``sources`` maps a source row to its node."""

    node_xy: np.ndarray
    links: list[Link]
    sources: dict[int, int] = field(default_factory=dict)

    def asset_nodes(self, asset_id: str) -> list[int]:
        """Return the nodes of the links of one main (ends and division points)."""
        return sorted({n for k in self.links if k.asset_id == asset_id for n in (k.a, k.b)})

    def nodes_by_asset(self) -> dict[str, list[int]]:
        """Return every main's nodes (as :meth:`asset_nodes`, for all mains in one pass)."""
        found: dict[str, set[int]] = {}
        for k in self.links:
            found.setdefault(k.asset_id, set()).update((k.a, k.b))
        return {a: sorted(nodes) for a, nodes in found.items()}

    def nearest_node(self, xy: tuple[float, float], *, asset_id: str | None = None) -> int:
        """Return the node nearest to ``xy`` (among those of ``asset_id`` when given).

        Raises
        ------
        KeyError
            If ``asset_id`` has no link in the topology.
        """
        nodes = np.arange(len(self.node_xy)) if asset_id is None else self.asset_nodes(asset_id)
        if not len(nodes):
            raise KeyError(asset_id)
        cand = np.asarray(nodes, dtype=np.int64)
        d = np.hypot(*(self.node_xy[cand] - np.asarray(xy, dtype=float)).T)
        return int(cand[int(np.argmin(d))])


def build_topology(
    lines: gpd.GeoDataFrame,
    *,
    id_field: str = "asset_id",
    points: Sequence[Point] = (),
    tolerance_m: float = 1.0,
    source_reach_m: float = 50.0,
    max_link_m: float = 100.0,
) -> Topology:
    """Return the node/link graph of a line layer and its source points (module docstring).

    Parameters
    ----------
    lines
        The network's lines (LineStrings, a projected CRS in metres), with ``id_field``.
    points
        Source points; each becomes a node where it touches the network (see ``sources``).
    tolerance_m
        Line ends (and points) closer than this to each other or to a line are joined.
    source_reach_m
        A source farther than this from every line is left out (not in ``Topology.sources``).
    max_link_m
        Longest link; longer pieces are divided evenly.

    Examples
    --------
    >>> from shapely import LineString
    >>> t = build_topology(gpd.GeoDataFrame({"asset_id": ["A", "B"]},
    ...     geometry=[LineString([(0, 0), (200, 0)]), LineString([(50, 0.3), (50, 80)])]))
    >>> sorted(k.name for k in t.links), len(t.node_xy)
    (['A#0', 'A#1', 'A#2', 'B#0'], 5)
    """
    geoms = list(lines.geometry)
    ids = [str(a) for a in lines[id_field]]
    # (1) the points every line is cut at: its own ends, other lines' ends and the sources
    ends = [Point(c) for g in geoms for c in (g.coords[0], g.coords[-1])]
    reach = list(points)
    cuts: list[list[float]] = [[0.0, g.length] for g in geoms]
    tree = shapely.STRtree(geoms)
    for e in ends:
        for i in tree.query(e, predicate="dwithin", distance=tolerance_m).tolist():
            cuts[i].append(float(geoms[i].project(e)))
    for p in reach:  # a source joins the line nearest to it only
        nearest = tree.query_nearest(p, max_distance=source_reach_m).tolist()
        if nearest:
            i = nearest[0]
            cuts[i].append(float(geoms[i].project(p)))
    # (2) the nodes: cut positions snapped within the tolerance
    nodes = _Nodes(tolerance_m)
    links: list[Link] = []
    for row, (g, asset) in enumerate(zip(geoms, ids)):
        at = _divide(sorted(set(cuts[row])), max_link_m)
        ns = [nodes.add(g.interpolate(t)) for t in at]
        for k, (a, b, t0, t1) in enumerate(zip(ns, ns[1:], at, at[1:])):
            if a != b:
                links.append(Link(f"{asset}#{k}", asset, a, b, float(t1 - t0), row))
    topo = Topology(np.array(nodes.xy, dtype=float).reshape(-1, 2), links)
    # (3) each source: the node nearest to it, when within reach
    for k, p in enumerate(reach):
        if len(topo.node_xy):
            n = topo.nearest_node((p.x, p.y))
            if math.dist(topo.node_xy[n], (p.x, p.y)) <= source_reach_m:
                topo.sources[k] = n
    return topo


def _divide(at: list[float], max_link_m: float) -> list[float]:
    """Return the cut positions with gaps longer than ``max_link_m`` divided evenly.

    Cuts closer than the tolerance give one node (:class:`_Nodes` snaps them).
    """
    out = [at[0]]
    for t in at[1:]:
        start, pieces = out[-1], max(1, math.ceil((t - out[-1]) / max_link_m))
        out.extend(start + (t - start) * j / pieces for j in range(1, pieces + 1))
    return out


class _Nodes:
    """Node positions with snapping: a point within the tolerance of a node is that node."""

    def __init__(self, tolerance_m: float) -> None:
        self.tol = tolerance_m
        self.xy: list[tuple[float, float]] = []
        self.grid: dict[tuple[int, int], list[int]] = {}

    def add(self, p: Point) -> int:
        x, y = float(p.x), float(p.y)
        cx, cy = math.floor(x / self.tol), math.floor(y / self.tol)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for n in self.grid.get((cx + dx, cy + dy), ()):
                    if math.dist(self.xy[n], (x, y)) <= self.tol:
                        return n
        self.xy.append((x, y))
        self.grid.setdefault((cx, cy), []).append(len(self.xy) - 1)
        return len(self.xy) - 1
