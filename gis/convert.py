"""The one place that converts between corridor graphs and GeoDataFrames.

:func:`graph_to_gdfs` gives a node layer (points on the sidewalks) and an edge layer (sidewalk
runs drawn beside the road, crossings and corners as straight lines) in the graph's CRS;
:func:`graph_from_gdfs` rebuilds a graph from such layers, checking the graph contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString
from shapely.ops import substring

from gis.crs import require_projected
from gis.errors import Problem, ValidationError

__all__ = ["edge_geometry", "graph_from_gdfs", "graph_to_gdfs", "path_geometry"]

_TUPLE_ATTRS = ("sites", "taps", "assets")


def edge_geometry(G: nx.Graph, u: Any, v: Any) -> LineString:
    """Return the drawn geometry of edge ``(u, v)``, running from ``u`` to ``v``.

    Sidewalk runs follow the road beside it (the centreline offset to the side, between the
    junction pull-backs); crossings and corners are straight lines between the node points.
    """
    data = G.edges[u, v]
    a = (G.nodes[u]["x"], G.nodes[u]["y"])
    b = (G.nodes[v]["x"], G.nodes[v]["y"])
    if data.get("kind") != "sidewalk" or G.graph.get("segments") is None:
        return LineString([a, b])
    seg = _segment_arrays(G)
    k = int(data["seg"])
    lo, hi = float(seg["draw_t0"][k]), float(seg["draw_t1"][k])
    t0 = min(max(float(data["t0"]), lo), hi)
    t1 = min(max(float(data["t1"]), lo), hi)
    if t1 - t0 < 1e-6:
        return LineString([a, b])
    part = substring(seg["geometry"][k], t0, t1)
    offset = (float(seg["width_m"][k]) + float(seg["sidewalk_m"][k])) / 2.0
    drawn = shapely.offset_curve(part, offset if data["side"] == "L" else -offset)
    if drawn.geom_type != "LineString" or drawn.is_empty:
        return LineString([a, b])
    coords = list(drawn.coords)
    # orient from u to v
    if np.hypot(coords[0][0] - a[0], coords[0][1] - a[1]) > np.hypot(
        coords[-1][0] - a[0], coords[-1][1] - a[1]
    ):
        coords.reverse()
    return LineString(coords)


def _segment_arrays(G: nx.Graph) -> dict[str, np.ndarray]:
    """Return the block columns drawing needs as arrays, kept on the graph after first use."""
    cached = G.graph.get("_segment_arrays")
    if cached is None:
        segs = G.graph["segments"]
        cached = {
            "geometry": np.asarray(segs.geometry.values, dtype=object),
            **{
                c: segs[c].to_numpy(dtype=float)
                for c in ("draw_t0", "draw_t1", "width_m", "sidewalk_m")
            },
        }
        G.graph["_segment_arrays"] = cached
    return cached


def path_geometry(G: nx.Graph, path: Sequence[Any]) -> LineString:
    """Return the drawn geometry of a path of nodes as one LineString, in path order."""
    coords: list[tuple[float, float]] = []
    for u, v in zip(path[:-1], path[1:]):
        part = list(edge_geometry(G, u, v).coords)
        coords.extend(part if not coords else part[1:] if part[0] == coords[-1] else part)
    if len(coords) == 1 or not coords:
        node = G.nodes[path[0]]
        coords = [(node["x"], node["y"])] * 2
    return LineString(coords)


def graph_to_gdfs(
    G: nx.Graph, *, nodes: bool = True, edges: bool = True
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Convert a corridor graph to node and edge GeoDataFrames in the graph's CRS.

    Tuple attributes (``sites``, ``taps``, ``assets``) become ``;``-joined text so the layers
    can be written to any format (``utility:asset_id`` for mains).

    Returns
    -------
    (nodes, edges)
        ``nodes`` indexed by node id with a Point geometry; ``edges`` with ``u``, ``v``, the
        edge attributes and a LineString; either is ``None`` when not requested.
    """
    crs = require_projected(G.graph.get("crs"), what="converting the corridor graph")
    out_nodes = out_edges = None
    if nodes:
        table = pd.DataFrame.from_dict(dict(G.nodes(data=True)), orient="index")
        for col in _TUPLE_ATTRS:
            if col in table:
                table[col] = table[col].map(_join)
        out_nodes = gpd.GeoDataFrame(
            table, geometry=shapely.points(table["x"].to_numpy(), table["y"].to_numpy()), crs=crs
        )
        out_nodes.index.name = "node"
    if edges:
        rows = []
        geoms = []
        for u, v, data in G.edges(data=True):
            rows.append({"u": u, "v": v, **data})
            geoms.append(edge_geometry(G, u, v))
        table = pd.DataFrame(rows)
        for col in _TUPLE_ATTRS:
            if col in table:
                table[col] = table[col].map(_join)
        out_edges = gpd.GeoDataFrame(table, geometry=geoms, crs=crs)
    return out_nodes, out_edges


def _join(value: Any) -> Any:
    if isinstance(value, tuple):
        return ";".join(":".join(v) if isinstance(v, tuple) else str(v) for v in value)
    return value


def _split(value: Any, *, pairs: bool) -> tuple[Any, ...]:
    if not isinstance(value, str) or not value:
        return ()
    items = value.split(";")
    return tuple(tuple(i.split(":", 1)) for i in items) if pairs else tuple(items)


def graph_from_gdfs(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *, graph_attrs: dict[str, Any] | None = None
) -> nx.Graph:
    """Rebuild a corridor graph from node and edge layers (inverse of :func:`graph_to_gdfs`).

    Raises
    ------
    GeographicCRSError
        If the layers are in degrees.
    ValidationError
        If an edge lacks a finite non-negative ``length`` in metres or names a missing node.
    """
    crs = require_projected(nodes.crs, what="a corridor graph")
    require_projected(edges.crs, what="a corridor graph")
    problems = []
    if "length" not in edges.columns:
        problems.append(
            Problem(
                "edges", None, "length", "no such field", "length in metres", code="missing_field"
            )
        )
    else:
        bad = ~np.isfinite(pd.to_numeric(edges["length"], errors="coerce")) | (edges["length"] < 0)
        problems += [
            Problem(
                "edges",
                f"{r.u}-{r.v}",
                "length",
                repr(r.length),
                "a finite length ≥ 0 in metres",
                code="bad_value",
            )
            for r in edges[bad].itertuples()
        ]
    known = set(nodes.index)
    problems += [
        Problem(
            "edges",
            f"{r.u}-{r.v}",
            "u/v",
            f"{r.u}, {r.v}",
            "ids of nodes in the node layer",
            code="missing_node",
        )
        for r in edges.itertuples()
        if r.u not in known or r.v not in known
    ]
    if problems:
        raise ValidationError(problems=problems, summary="not a valid corridor graph")
    G = nx.Graph(crs=crs, **(graph_attrs or {}))
    for node, row in nodes.drop(columns="geometry").iterrows():
        data = {k: v for k, v in row.items() if not _isna(v)}
        for col in ("sites", "taps"):
            data[col] = _split(data.get(col), pairs=col == "taps")
        G.add_node(node, **data)
    for row in edges.drop(columns="geometry").to_dict("records"):
        u, v = row.pop("u"), row.pop("v")
        data = {k: val for k, val in row.items() if not _isna(val)}
        if data.get("kind") == "sidewalk":
            data["assets"] = _split(data.get("assets"), pairs=True)
        G.add_edge(u, v, **data)
    return G


def _isna(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))
