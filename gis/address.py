"""Road-section addresses (详细路段地址) of corridor-graph nodes, as a permit names a dig site.

A point on a sidewalk is addressed the way 城管委 and 自然资源和规划局 write it on a permit: the
road, the block between the two cross streets at its ends, and the side of the road, e.g.
``白云大道（延年路至长宁大道段）东侧人行道``.

* The **road** is the name of the block (:func:`gis.corridor.road_segments`) the node lies on.
* The **cross streets** are the other roads meeting the block at its end junctions. Where a
  differently named road only continues the block straight on, it is used only when no road
  crosses there. An end without any other road (a dead end, the edge of the data) is left out:
  ``长宁大道（迎宾大道以东路段）``; with neither end, the road name alone.
* The ends are written west to east (roads running mostly east–west) or south to north.
* The **side** is the compass direction of the node's side (``L``/``R`` of the block's digitised
  direction) relative to the block's overall bearing (its first to its last vertex).

Bearings are grid bearings of the working CRS (clockwise from grid north). In a Gauss–Krüger
zone grid north differs from true north by the meridian convergence (about 0.6° in Jingmen's
zone 111°E), far below the 45° a compass word spans.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString
>>> roads = gpd.GeoDataFrame(
...     {"road_id": ["a", "b"], "name": ["东西路", "南北路"],
...      "road_class": ["arterial", "branch"], "width_m": [16.0, 8.0]},
...     geometry=[LineString([(-100, 0), (100, 0)]), LineString([(0, -100), (0, 100)])],
...     crs="EPSG:4546")
>>> from gis.corridor import build_corridor_graph
>>> G = build_corridor_graph(roads)
>>> segs = G.graph["segments"]
>>> east = int(segs[(segs["road_id"] == "a") & (segs.geometry.bounds["minx"] >= 0)]["seg"].iloc[0])
>>> node = next(n for n, d in G.nodes(data=True) if d["seg"] == east and d["side"] == "L")
>>> road_section_address(G, node)
'东西路（南北路以东路段）北侧人行道'
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import networkx as nx
import numpy as np
import shapely

from gis.errors import NotFoundError

__all__ = [
    "UNNAMED_ROAD",
    "block_bearing",
    "compass_word",
    "cross_streets",
    "road_name",
    "road_section",
    "road_section_address",
    "side_word",
    "site_access_address",
]

UNNAMED_ROAD = "无名道路"
"""Name written for a block whose road has no name."""

Points = Literal[4, 8]

_WORDS: dict[int, tuple[str, ...]] = {
    4: ("北", "东", "南", "西"),
    8: ("北", "东北", "东", "东南", "南", "西南", "西", "西北"),
}

_CONTINUATION_DEG = 45.0
"""A road leaving a junction within this angle of straight on continues the block."""


def compass_word(bearing_deg: float, *, points: Points = 4) -> str:
    """Return the compass word (东、南、西、北, or with ``points=8`` also 东北 …) of a bearing.

    Parameters
    ----------
    bearing_deg
        Bearing in degrees clockwise from (grid) north; any real number (taken modulo 360).
    points
        4 (sectors of 90° centred on north, east, south, west) or 8 (sectors of 45°). A bearing
        on a sector boundary belongs to the sector clockwise of it.

    Returns
    -------
    str
        ``"北"``, ``"东"``, ``"南"``, ``"西"`` (or the 8-point words).

    Raises
    ------
    ValueError
        If ``bearing_deg`` is not finite or ``points`` is not 4 or 8.

    Examples
    --------
    >>> compass_word(90.0), compass_word(-90.0), compass_word(181.0), compass_word(44.9)
    ('东', '西', '南', '北')
    >>> compass_word(45.0), compass_word(315.0, points=8)
    ('东', '西北')
    """
    if points not in _WORDS:
        msg = f"compass_word: points={points!r}; expected 4 or 8"
        raise ValueError(msg)
    if not math.isfinite(bearing_deg):
        msg = f"compass_word: bearing {bearing_deg!r} is not a finite number of degrees"
        raise ValueError(msg)
    width = 360.0 / points
    sector = math.floor(((bearing_deg + width / 2.0) % 360.0) / width) % points
    return _WORDS[points][sector]


def _bearing(dx: float, dy: float) -> float:
    """Bearing in degrees clockwise from grid north of the vector ``(dx, dy)``, in [0, 360)."""
    return math.degrees(math.atan2(dx, dy)) % 360.0


def side_word(bearing_deg: float, side: str, *, points: Points = 4) -> str:
    """Return the compass word of the ``L`` or ``R`` side of a road running at ``bearing_deg``.

    Examples
    --------
    >>> side_word(0.0, "L"), side_word(0.0, "R"), side_word(90.0, "L"), side_word(270.0, "L")
    ('西', '东', '北', '南')
    """
    if side not in ("L", "R"):
        msg = f"side_word: side {side!r}; expected 'L' or 'R' (of the block's digitised direction)"
        raise ValueError(msg)
    return compass_word(bearing_deg + (-90.0 if side == "L" else 90.0), points=points)


def _segments(G: nx.Graph) -> Any:
    segments = G.graph.get("segments")
    if segments is None:
        msg = "the corridor graph has no G.graph['segments'] (build it with gis.corridor.build_corridor_graph)"
        raise NotFoundError(msg)
    return segments


def _row(G: nx.Graph, seg: int) -> Any:
    segments = _segments(G)
    if not 0 <= seg < len(segments):
        msg = f"block {seg} is not in the corridor graph's segments (0..{len(segments) - 1})"
        raise NotFoundError(msg)
    return segments.iloc[seg]


def road_name(value: Any) -> str | None:
    """Return a road name as written, or ``None`` for a missing one (None, NaN, blank, 'nan').

    Examples
    --------
    >>> road_name(" 白云大道 "), road_name(float("nan")), road_name("nan")
    ('白云大道', None, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return None if not text or text.lower() in {"nan", "none", "<na>"} else text


def block_bearing(G: nx.Graph, seg: int) -> float:
    """Return the overall bearing of block ``seg``: from its first to its last vertex (degrees).

    Raises
    ------
    NotFoundError
        If the graph has no block ``seg``.
    """
    coords = shapely.get_coordinates(_row(G, seg).geometry)
    dx, dy = coords[-1] - coords[0]
    return _bearing(float(dx), float(dy))


def _leaving(geom: Any, at_start: bool) -> tuple[float, float]:
    """Return the unit direction in which a block leaves its start (or end) junction."""
    coords = shapely.get_coordinates(geom)
    if not at_start:
        coords = coords[::-1]
    for k in range(1, len(coords)):
        d = coords[k] - coords[0]
        n = float(np.hypot(d[0], d[1]))
        if n > 0:
            return float(d[0]) / n, float(d[1]) / n
    return 0.0, 0.0


def _names_at(G: nx.Graph, seg: int, junction: int, at_start: bool) -> tuple[str, ...]:
    """Names of the other roads meeting block ``seg`` at ``junction`` (cross streets first)."""
    segments = _segments(G)
    row = segments.iloc[seg]
    own = road_name(row["name"])
    ux, uy = _leaving(row.geometry, at_start)
    crossing: list[str] = []
    straight: list[str] = []
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    for k in np.flatnonzero((u == junction) | (v == junction)):
        if int(k) == seg:
            continue
        other = segments.iloc[int(k)]
        name = road_name(other["name"])
        if name is None or name == own:
            continue
        starts_here = int(u[k]) == junction
        ox, oy = _leaving(other.geometry, starts_here)
        # straight on = leaving opposite to this block: cos(angle to -own direction)
        cos = -(ox * ux + oy * uy)
        target = straight if cos >= math.cos(math.radians(_CONTINUATION_DEG)) else crossing
        if name not in target:
            target.append(name)
    return tuple(crossing) if crossing else tuple(straight)


def cross_streets(G: nx.Graph, seg: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the names of the roads meeting block ``seg`` at its start and at its end.

    Parameters
    ----------
    G
        A corridor graph (:func:`gis.corridor.build_corridor_graph`).
    seg
        Block number (a node's ``seg``).

    Returns
    -------
    tuple
        ``(names at the first vertex, names at the last vertex)`` in the block's digitised
        direction; an end where no other named road meets is ``()``. Roads that only continue
        the block straight on are given only when nothing crosses there.
    """
    row = _row(G, seg)
    return (
        _names_at(G, seg, int(row["u"]), True),
        _names_at(G, seg, int(row["v"]), False),
    )


def road_section(G: nx.Graph, seg: int) -> str:
    """Return the road-section name of a block: ``白云大道（延年路至长宁大道段）``.

    The ends are written west to east for a block running mostly east–west, south to north
    otherwise; several cross streets at one end are joined with ``、``. An end without a cross
    street gives ``（迎宾大道以东路段）`` (the block lies east of 迎宾大道); with neither, the
    road name alone.
    """
    row = _row(G, seg)
    road = road_name(row["name"]) or UNNAMED_ROAD
    bearing = block_bearing(G, seg)
    first, last = cross_streets(G, seg)
    forward = bearing < 135.0 or bearing >= 315.0  # digitised west→east or south→north
    if not forward:
        first, last = last, first
        bearing = (bearing + 180.0) % 360.0
    a, b = "、".join(first), "、".join(last)
    if a and b:
        return f"{road}（{a}至{b}段）"
    if a:
        return f"{road}（{a}以{compass_word(bearing)}路段）"
    if b:
        return f"{road}（{b}以{compass_word(bearing + 180.0)}路段）"
    return road


def road_section_address(
    G: nx.Graph, node: Hashable, *, points: Points = 4, place: str = "人行道"
) -> str:
    """Return the road-section address of a corridor-graph node on a sidewalk.

    Parameters
    ----------
    G
        A corridor graph (:func:`gis.corridor.build_corridor_graph`).
    node
        A node of ``G`` (attributes ``seg`` and ``side``).
    points
        Compass points of the side word: 4 (东/南/西/北侧) or 8 (also 东北侧 … for diagonal roads).
    place
        What lies on that side, appended after the side: ``人行道`` (default), ``绿化带`` …

    Returns
    -------
    str
        E.g. ``白云大道（延年路至长宁大道段）东侧人行道``.

    Raises
    ------
    NotFoundError
        If ``node`` is not in ``G`` or the graph has no block table.
    """
    if node not in G:
        msg = f"node {node!r} is not in the corridor graph"
        raise NotFoundError(msg)
    data = G.nodes[node]
    seg = int(data["seg"])
    side = side_word(block_bearing(G, seg), str(data["side"]), points=points)
    return f"{road_section(G, seg)}{side}侧{place}"


def site_access_address(
    G: nx.Graph, route_nodes: Sequence[Hashable], *, points: Points = 4, place: str = "人行道"
) -> str:
    """Return the 报装接入地点: the address where a route leaves the site (its first node).

    Routes of :mod:`planning.assess` run from the site's frontage to the tap, so the first node
    is the point of the frontage where the external line leaves the site. ``points`` and
    ``place`` are as for :func:`road_section_address`.

    Raises
    ------
    NotFoundError
        If the route has no nodes or its first node is not in ``G``.
    """
    if not len(route_nodes):
        msg = "the route has no nodes: there is no frontage to address"
        raise NotFoundError(msg)
    return road_section_address(G, route_nodes[0], points=points, place=place)
