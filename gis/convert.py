"""The one place that converts between corridor graphs and GeoDataFrames.

:func:`graph_to_gdfs` gives a node layer (points on the sidewalks) and an edge layer (sidewalk
runs drawn beside the road, crossings and corners as straight lines) in the graph's CRS;
:func:`graph_from_gdfs` rebuilds a graph from such layers, checking the graph contract.
"""

from __future__ import annotations

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

__all__ = ["graph_from_gdfs", "graph_to_gdfs"]

_TUPLE_ATTRS = ("sites", "taps", "assets")


def _sidewalk_geometry(G: nx.Graph, u: int, v: int, data: dict[str, Any], segs: Any) -> Any:
    line = segs.geometry.iloc[int(data["seg"])]
    part = substring(line, float(data["t0"]), float(data["t1"]))
    row = segs.iloc[int(data["seg"])]
    offset = (float(row["width_m"]) + float(row["sidewalk_m"])) / 2.0
    sign = 1.0 if data["side"] == "L" else -1.0
    if part.geom_type != "LineString" or part.length == 0:
        return LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
    drawn = shapely.offset_curve(part, sign * offset)
    return drawn if drawn.geom_type == "LineString" and not drawn.is_empty else part


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
        segs = G.graph.get("segments")
        rows = []
        geoms = []
        for u, v, data in G.edges(data=True):
            rows.append({"u": u, "v": v, **data})
            if data.get("kind") == "sidewalk" and segs is not None:
                geoms.append(_sidewalk_geometry(G, u, v, data, segs))
            else:
                geoms.append(
                    LineString(
                        [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
                    )
                )
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
