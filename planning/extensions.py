"""Planned mains from a pre-lay tree (提前布局周边管网, seed 三1 and 四): runs, sizes, start dates.

A Steiner tree (:mod:`planning.steiner`) joins the intents a utility cannot yet serve to the
suitable existing network. :func:`planned_mains` turns it into new mains, in steps: (1) each
intent hangs on its frontage node (a main reaching it across the road runs on along the
frontage: a short sidewalk stub, not a second crossing); (2) every edge of the tree carries the
intents downstream of it; (3) the edges become one extension per connected run of new main
along one block side (or across one road); (4) each extension is sized for the demand it
carries (water and gas by the sum of the peak flows, steam by the sum of the loads, power by
the largest load's voltage and the summed load) and (5) must start the profile's lead time
(``prelay.lead_time_days``) before the earliest intent it serves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import shapely
from shapely import LineString

from gis.convert import edge_geometry
from gis.profile import Profile
from planning.routing import RoutingIndex
from planning.suitability import Demand, power_voltage_kv, step_lookup, water_min_diameter_mm

__all__ = ["Extension", "Intents", "planned_mains"]

Place = tuple[int, str | None, str]
"""Where a run of new main lies: block (segment), side of the road, edge kind."""
Piece = tuple[int, int, set[str]]
"""One tree edge of new main (child node, parent node) and the intents it serves."""


@dataclass
class Extension:
    """One planned main: a run of new main along one block side (or across one road)."""

    utility: str
    asset_id: str
    kind: str
    seg: int
    side: str | None
    road_id: str
    road_name: str
    geometry: LineString
    length_m: float
    attrs: dict[str, Any]
    serves: tuple[str, ...]
    earliest_need: dt.date
    latest_start: dt.date
    sizing_zh: str = ""
    tap_xy: tuple[float, float] | None = None
    """Where the run meets the existing network (the tree's root node), if it does."""
    """How the size was chosen, in Chinese with the numbers (table; simulation: planning.prelay_sizing)."""


@dataclass(frozen=True)
class Intents:
    """The intents one tree joins: ids in the tree's terminal order, demands and need dates."""

    ids: Sequence[str]
    demands: Mapping[str, Demand]
    need: Mapping[str, str]
    """Intent id → expected start (ISO date)."""


def planned_mains(
    utility: str,
    tree: Any,
    intents: Intents,
    *,
    index: RoutingIndex,
    mains: gpd.GeoDataFrame,
    profile: Profile,
    start: int = 0,
) -> list[Extension]:
    """Return the new mains of one pre-lay tree, sized and dated (see the module docstring).

    ``start`` counts this utility's extensions already planned: the new ones are numbered
    after them (``PL-<utility>-NNNN``, after the numbers ``mains`` already uses).
    """
    # (1) where each intent hangs on the tree
    load, stubs = _hang(tree, index, intents.ids)
    # (2) what each tree edge carries downstream
    downstream = _downstream(tree, load, stubs)
    # (3) the runs of new main
    runs = _runs(tree, index, stubs, downstream)
    first_id = _next_number(mains, utility) + start
    operator = _operator(mains) if utility == "telecom" else ""
    lead = int(profile.prelay.lead_time_days[utility])
    out = []
    for k, (place, edges) in enumerate(runs):
        who = sorted(set().union(*(s for _, _, s in edges)))
        if not who:
            continue
        # (4) sized for what it carries; (5) started in time for the first intent it serves
        geometry, length, first = _drawn(edges, index)
        attrs: dict[str, Any] = {"road_class": first["road_class"]}
        attrs.update(_size(utility, [intents.demands[i] for i in who], profile, operator=operator))
        if utility == "power":
            attrs["feeder_id"] = f"PL-{utility}-F{first_id + k:03d}"
        earliest = min(dt.date.fromisoformat(intents.need[i][:10]) for i in who)
        seg, side, kind = place
        out.append(
            Extension(
                utility=utility,
                asset_id=f"PL-{utility}-{first_id + k:04d}",
                kind=str(kind),
                seg=seg,
                side=side,
                road_id=str(first["road_id"]),
                road_name=str(first["name"]),
                geometry=geometry,
                length_m=length,
                attrs=attrs,
                serves=tuple(who),
                earliest_need=earliest,
                latest_start=earliest - dt.timedelta(days=lead),
                sizing_zh=_table_text(utility, [intents.demands[i] for i in who], attrs),
                tap_xy=_root_xy(tree, index, edges),
            )
        )
    return out


def _hang(
    tree: Any, index: RoutingIndex, ids: Sequence[str]
) -> tuple[dict[int, list[str]], list[tuple[int, int, str]]]:
    """Return the intents hanging on each tree node, and the sidewalk stubs to frontages.

    A main that reaches the frontage across the road runs on along the frontage, so the
    connection itself is a short sidewalk line (``(frontage node, terminal node, intent)``),
    not a second road crossing.
    """
    G = index.G
    load: dict[int, list[str]] = defaultdict(list)
    stubs: list[tuple[int, int, str]] = []
    for i in tree.connected:
        pid = ids[i]
        node = int(tree.terminal_node[i])
        load[node].append(pid)
        parent = tree.parent.get(node, -1)
        via = G.edges[index.nodes[node], index.nodes[parent]]["kind"] if parent >= 0 else "tap"
        if via != "sidewalk" and via != "tap":
            front = set(int(x) for x in index.frontage[pid])
            for nb in G.neighbors(index.nodes[node]):
                e = G.edges[index.nodes[node], nb]
                if e["kind"] == "sidewalk" and index.index[nb] in front:
                    stubs.append((index.index[nb], node, pid))
                    break
    return load, stubs


def _downstream(
    tree: Any, load: dict[int, list[str]], stubs: list[tuple[int, int, str]]
) -> Callable[[int], set[str]]:
    """Return ``node → the intents served through it`` (the node's own and its subtree's)."""
    children: dict[int, list[int]] = defaultdict(list)
    for n, p in tree.parent.items():
        if p >= 0:
            children[p].append(n)
    served: dict[int, set[str]] = {}
    for leaf, node, pid in stubs:  # stubs hang below the terminal node
        children[node].append(leaf)
        load[leaf] = [pid]
        load[node] = [x for x in load[node] if x != pid]

    def subtree(n: int) -> set[str]:
        stack, order = [n], []
        while stack:
            x = stack.pop()
            order.append(x)
            stack.extend(children.get(x, []))
        for x in reversed(order):
            if x not in served:
                served[x] = set(load.get(x, [])).union(*(served[c] for c in children.get(x, [])))
        return served[n]

    return subtree


def _runs(
    tree: Any,
    index: RoutingIndex,
    stubs: list[tuple[int, int, str]],
    downstream: Callable[[int], set[str]],
) -> list[tuple[Place, list[Piece]]]:
    """Return one run per connected stretch of new main along one block side (or crossing)."""
    G = index.G
    pieces: dict[Place, list[Piece]] = defaultdict(list)
    links = [(n, p) for n, p in tree.parent.items() if p >= 0] + [(lf, nd) for lf, nd, _ in stubs]
    for n, p in links:
        e = G.edges[index.nodes[n], index.nodes[p]]
        if e["kind"] == "corner" or e["length"] <= 0:
            continue
        pieces[(int(e["seg"]), e.get("side"), e["kind"])].append((n, p, downstream(n)))
    runs: list[tuple[Place, list[Piece]]] = []
    for place, edges in sorted(pieces.items(), key=lambda x: (x[0][0], str(x[0][1]), x[0][2])):
        graph = nx.Graph()
        graph.add_edges_from((n, p, {"piece": i}) for i, (n, p, _) in enumerate(edges))
        for comp in sorted(nx.connected_components(graph), key=min):
            run = [edges[d["piece"]] for _, _, d in graph.subgraph(comp).edges(data=True)]
            runs.append((place, run))
    return runs


def _size(utility: str, ds: list[Demand], profile: Profile, *, operator: str) -> dict[str, Any]:
    """Return the attributes of a new main carrying the demands ``ds`` downstream of it."""
    if utility == "water":
        # the new main must be one the downstream intents could all tap: sized for their sum
        return {"diameter_mm": water_min_diameter_mm(sum(d.water_peak_m3_h for d in ds), profile)}
    if utility == "gas":
        flow = sum(d.gas_peak_m3_h for d in ds)
        high = flow > profile.suitability.gas_low_pressure_max_m3_h
        return {
            "diameter_mm": step_lookup(profile.prelay.gas_main_diameter_mm, flow),
            "pressure_class": "medium_a" if high else "medium_b",
        }
    if utility == "heat":
        return {
            "medium": "steam",
            "pressure_mpa": max(d.steam_pressure_mpa for d in ds),
            "temperature_c": max(d.steam_temperature_c for d in ds),
            "diameter_mm": step_lookup(
                profile.prelay.steam_main_diameter_mm, sum(d.steam_t_h for d in ds)
            ),
        }
    if utility == "power":
        kva = sum(d.power_kva for d in ds)
        largest = max(d.power_kva for d in ds)
        return {
            "voltage_kv": power_voltage_kv(largest, profile),
            "load_kva": kva,
            "spare_capacity_kva": max(profile.prelay.power_feeder_kva - kva, largest),
        }
    return {"operator": operator}


def _root_xy(tree: Any, index: RoutingIndex, edges: list[Piece]) -> tuple[float, float] | None:
    """Return the position of the tree's root node a run starts from (``None``: none)."""
    for n, p, _ in edges:
        for x in (n, p):
            if tree.parent.get(x) == -1:
                return float(index.node_xy[x, 0]), float(index.node_xy[x, 1])
    return None


def _table_text(utility: str, ds: list[Demand], attrs: dict[str, Any]) -> str:
    """Return how the table sized a main, in Chinese with the demand it carries."""
    if utility == "water":
        flow = sum(d.water_peak_m3_h for d in ds)
        return f"按表 DN{attrs['diameter_mm']:g}（下游峰值 {flow:.1f} m³/h）"
    if utility == "gas":
        return (
            f"按表 DN{attrs['diameter_mm']:g}（下游 {sum(d.gas_peak_m3_h for d in ds):.0f} m³/h）"
        )
    if utility == "heat":
        return f"按表 DN{attrs['diameter_mm']:g}（下游 {sum(d.steam_t_h for d in ds):.1f} t/h）"
    if utility == "power":
        return f"按表 {attrs['voltage_kv']:g} kV（下游 {attrs['load_kva']:g} kVA）"
    return ""


def _operator(mains: gpd.GeoDataFrame) -> str:
    """Return the operator of new telecom ducts: the one owning most existing ducts."""
    ops = mains.loc[mains["status"] == "existing", "operator"]
    return str(ops.mode().iloc[0]) if len(ops) else "china_telecom"


def _drawn(edges: list[Piece], index: RoutingIndex) -> tuple[LineString, float, dict[str, Any]]:
    """Return a run's line (merged), its length and the data of its first edge."""
    G = index.G
    geoms = [edge_geometry(G, index.nodes[n], index.nodes[p]) for n, p, _ in edges]
    merged = shapely.line_merge(shapely.union_all(geoms))
    length = float(sum(G.edges[index.nodes[n], index.nodes[p]]["length"] for n, p, _ in edges))
    first = G.edges[index.nodes[edges[0][0]], index.nodes[edges[0][1]]]
    line = (
        merged if merged.geom_type == "LineString" else LineString(shapely.get_coordinates(merged))
    )
    return line, length, first


def _next_number(mains: gpd.GeoDataFrame, utility: str) -> int:
    """Return the first free number for this utility's planned mains (``PL-<utility>-NNNN``)."""
    prefix = f"PL-{utility}-"
    used = [
        int(a[len(prefix) :])
        for a in mains["asset_id"].astype(str)
        if a.startswith(prefix) and a[len(prefix) :].isdigit()
    ]
    return max(used, default=0) + 1
