"""Planned works (外线施工) from assessments: the pieces of road each external line will dig.

One row per piece of trench: a block side between two positions, or a carriageway crossing,
with the project's construction window. Coordination (:mod:`planning.coordination`) groups
these rows across projects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from gis.convert import edge_geometry
from planning.assess import Assessment

__all__ = ["works_from_assessments"]


def works_from_assessments(
    assessments: Iterable[Assessment],
    G: nx.Graph,
    windows: Mapping[str, tuple[date | str, date | str]],
) -> gpd.GeoDataFrame:
    """Return the works table of the assessed sites that have a construction window.

    Each applicable site's covered utilities dig the edges of their routes (the joint-trench
    plan's routes where there is one); corners dig nothing. Sites without a window are left
    out (their works cannot be scheduled).
    """
    rows: list[dict[str, Any]] = []
    geoms = []
    for a in assessments:
        if not a.applicable or a.project_id not in windows:
            continue
        start, end = windows[a.project_id]
        plan = a.shared_trench.paths if a.shared_trench is not None else {}
        for utility, result in a.utilities.items():
            if not result.covered or result.route is None:
                continue
            nodes = plan.get(utility, result.route.nodes)
            for u, v in zip(nodes[:-1], nodes[1:]):
                e = G.edges[u, v]
                if e["kind"] == "corner" or e["length"] <= 0:
                    continue
                if e["kind"] == "sidewalk":
                    t0, t1, side = float(e["t0"]), float(e["t1"]), e["side"]
                else:
                    t0, t1, side = float(e["t"]), float(e["t"]) + float(e["length"]), None
                rows.append(
                    {
                        "work_id": f"{a.project_id}:{utility}",
                        "project_id": a.project_id,
                        "utility": utility,
                        "seg": int(e["seg"]),
                        "road_id": str(e["road_id"]),
                        "road_name": str(e["name"]),
                        "side": side,
                        "t0": t0,
                        "t1": t1,
                        "start": str(start)[:10],
                        "end": str(end)[:10],
                    }
                )
                geoms.append(edge_geometry(G, u, v))
    crs = G.graph.get("crs")
    if not rows:
        columns = [
            "work_id",
            "project_id",
            "utility",
            "seg",
            "road_id",
            "road_name",
            "side",
            "t0",
            "t1",
            "start",
            "end",
        ]
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry=[], crs=crs)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)
