"""The water network as an EPANET model (WNTR), and the capacity check of a new connection.

A :class:`WaterModel` is built once per workspace — from the water layer and the water sources
of the ``sources`` layer (:meth:`WaterModel.from_layers`) or from an EPANET ``.inp`` file
(:meth:`WaterModel.from_inp`) — and then checks many taps without being rebuilt:
:meth:`WaterModel.check` adds the new demand at the model node of the tapped main nearest the
tap (a demand category of its own, no pattern), solves one steady state with the EPANET 2.2
toolkit kept open on the model (the input file is written once, when the model is built), reads
the measures and deletes the demand again. The base case (no new demand) is solved once.

Pressure is gauge pressure at the node: ``(head − elevation) × ρg`` with ρg = 0.00980665 MPa
per metre of water.
"""

from __future__ import annotations

import ctypes
import math
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import wntr
from shapely import Point
from wntr.epanet.exceptions import EpanetException
from wntr.epanet.toolkit import ENepanet
from wntr.epanet.util import EN

from gis.profile import Profile
from gis.simulation.result import (
    CUSTOMER_MIN_PRESSURE_MPA,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    CapacityRun,
    ModelError,
)
from gis.simulation.topology import PLANNED_COLUMN, Topology, build_topology

__all__ = ["MPA_PER_M", "WaterModel"]

MPA_PER_M = 0.00980665
"""Pressure of one metre of water column (MPa): ρg = 1000 kg/m³ × 9.80665 m/s² / 10⁶."""

_NEW = "new_connection"  # the demand category of the checked connection


class WaterModel:
    """An EPANET model of a water network, checked tap by tap (module docstring).

    Parameters
    ----------
    wn
        The WNTR network (kept and changed in place, one junction's demand at a time).
    tap_nodes
        Main (``asset_id`` or EPANET pipe id) → the junction names along it.
    customers
        Junctions whose pressure is the existing customers' (the lowest is reported, the
        tapped junction left out: its pressure is the tap's).
    """

    utility = "water"
    demand_unit = "L/s"

    def __init__(
        self, wn: Any, *, tap_nodes: Mapping[str, list[str]], customers: list[str]
    ) -> None:
        self.wn = wn
        self.tap_nodes = dict(tap_nodes)
        self.customers = customers
        self.engine = f"WNTR {wntr.__version__} (EPANET 2.2)"
        self.runs = 0
        self._lock = threading.Lock()
        wn.options.time.duration = 0
        wn.options.hydraulic.demand_model = "DD"
        # (1) the model is handed to EPANET once (an input file in SI units: L/s, m), then kept
        # open in the toolkit: a check changes one demand and solves, nothing is re-read
        self._dir = tempfile.mkdtemp(prefix="linkplan-epanet-")
        inp = str(Path(self._dir) / "model.inp")
        wntr.network.io.write_inpfile(wn, inp, units="LPS")
        self._en = ENepanet()
        self._en.ENopen(inp, str(Path(self._dir) / "model.rpt"), "")
        self._en.ENopenH()
        weakref.finalize(self, _close, self._en, self._dir)
        # (2) the indices of the junctions and pipes read after each solve
        self._junctions = list(wn.junction_name_list)
        self._pipes = list(wn.pipe_name_list)
        self._node_index = {n: self._en.ENgetnodeindex(n) for n in self._junctions}
        self._pipe_index = [self._en.ENgetlinkindex(n) for n in self._pipes]
        base = self._run()
        if base is None:
            msg = "供水管网水力模型不收敛 (the water model's base case does not solve)"
            raise ModelError(msg)
        self.base = base

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def from_layers(
        cls,
        water: gpd.GeoDataFrame,
        sources: gpd.GeoDataFrame | None,
        *,
        profile: Profile,
    ) -> WaterModel:
        """Build the model of the existing mains of ``water`` fed by the water ``sources``.

        Steps: (1) the water sources (none: :class:`ModelError`); (2) the topology of the
        existing mains with the sources as nodes (:func:`build_topology`); (3) junctions
        (elevation from an ``elevation_m`` field of the mains, else 0), reservoirs at the
        sources' nodes (total head ``head_m``, else the profile's ``default_source_head_m``),
        pipes (``diameter_mm``, Hazen-Williams C ``capacity.water.roughness_c``); only the
        parts of the network connected to a source are modelled.

        Raises
        ------
        ModelError
            Naming the layer and field missing (Chinese and English).
        """
        limits = profile.capacity.water
        # (1) the sources
        srcs = _water_sources(sources)
        mains = water[water["status"].astype(str) == "existing"].reset_index(drop=True)
        if not len(mains):
            msg = "供水管网无现状管线，无法建立水力模型 (the water layer has no existing main)"
            raise ModelError(msg)
        # (2) the topology
        topo = build_topology(mains, points=list(srcs.geometry))
        missing = [
            str(srcs["source_id"].iloc[k]) for k in range(len(srcs)) if k not in topo.sources
        ]
        if missing:
            msg = (
                f"水源 {'、'.join(missing)} 距供水管网超过 50 m，无法接入水力模型 "
                f"(sources layer: {', '.join(missing)} more than 50 m from every water main)"
            )
            raise ModelError(msg)
        # (3) the model
        heads = srcs["head_m"] if "head_m" in srcs else pd.Series(np.nan, index=srcs.index)
        head_of = {
            topo.sources[k]: float(h) if pd.notna(h) else limits.default_source_head_m
            for k, h in enumerate(heads.tolist())
        }
        scale = _length_scale(mains)
        wn = _network(topo, mains, head_of, scale, roughness_c=limits.roughness_c)
        _existing_demand(wn, topo, mains, scale, specific_flow_l_s_m=limits.specific_flow_l_s_m)
        junctions = set(wn.junction_name_list)  # a list built on each call: read it once
        tap_nodes = {
            a: [f"J{n}" for n in nodes if f"J{n}" in junctions]
            for a, nodes in topo.nodes_by_asset().items()
        }
        return cls(wn, tap_nodes=tap_nodes, customers=list(wn.junction_name_list))

    @classmethod
    def from_inp(cls, path: str | Path) -> WaterModel:
        """Build the model of an EPANET ``.inp`` file (its pipes are the mains tapped).

        Existing customers are its junctions with a base demand above zero; the steady state
        is the file's first hydraulic time step (its patterns at time 0).
        """
        try:
            wn = wntr.network.WaterNetworkModel(str(path))
        except Exception as exc:  # WNTR raises ENSyntaxError, KeyError, ... on bad input
            msg = f"无法读取 EPANET 文件 {path} (cannot read the EPANET file: {exc})"
            raise ModelError(msg) from exc
        junctions = set(wn.junction_name_list)
        tap_nodes = {
            name: [n for n in (p.start_node_name, p.end_node_name) if n in junctions]
            for name, p in wn.pipes()
        }
        customers = [
            name
            for name, j in wn.junctions()
            if any(d.base_value > 0 for d in j.demand_timeseries_list)
        ]
        return cls(wn, tap_nodes=tap_nodes, customers=customers)

    # -- checking -------------------------------------------------------------------------------

    def tap_junction(self, tap_asset: str, tap_xy: tuple[float, float]) -> str:
        """Return the junction of main ``tap_asset`` nearest the tap point.

        Raises
        ------
        ModelError
            If the main is not in the model (not connected to a source, or unknown).
        """
        names = self.tap_nodes.get(str(tap_asset)) or []
        if not names:
            msg = (
                f"供水管线 {tap_asset} 不在水力模型中（未与水源连通） "
                f"(water main {tap_asset} is not in the model: not connected to a source)"
            )
            raise ModelError(msg)
        xy = [self.wn.get_node(n).coordinates for n in names]
        d = [math.dist(c, tap_xy) for c in xy]
        return names[int(np.argmin(d))]

    def check(
        self,
        tap_asset: str,
        tap_xy: tuple[float, float],
        demand: float,
        *,
        outage: str | None = None,
    ) -> CapacityRun:
        """Run the network with ``demand`` L/s more at the tap; return before and after.

        ``outage`` is accepted for the common signature (a water network has no N-1 case here)
        and recorded.
        """
        junction = self.tap_junction(tap_asset, tap_xy)
        index = self._node_index[junction]
        en = self._en
        with self._lock:  # one check at a time changes the shared model
            # a demand category of its own, without a pattern: the peak flow as it is
            _call(en, "EN_adddemand", index, ctypes.c_double(demand), b"", _NEW.encode())
            try:
                after = self._run()
            finally:
                count = ctypes.c_int()
                _call(en, "EN_getnumdemands", index, ctypes.byref(count))
                _call(en, "EN_deletedemand", index, count.value)
        return CapacityRun(
            utility="water",
            engine=self.engine,
            tap_asset=str(tap_asset),
            demand=float(demand),
            demand_unit=self.demand_unit,
            before=self._measures(self.base, junction),
            after=self._measures(after, junction) if after is not None else {},
            converged=after is not None,
            outage=outage,
        )

    def _run(self) -> tuple[pd.Series, pd.Series] | None:
        """Solve the steady state: junction pressures (m) and pipe velocities (m/s); None: failed."""
        en = self._en
        try:
            en.ENinitH(10)  # flows initialised afresh: a solve does not depend on the one before
            en.ENrunH()
        except EpanetException:  # EPANET errors (e.g. 110: cannot solve) mean no steady state
            return None
        self.runs += 1
        pressure = pd.Series(
            [en.ENgetnodevalue(self._node_index[n], EN.PRESSURE) for n in self._junctions],
            index=self._junctions,
            dtype=float,
        )
        velocity = pd.Series(
            [abs(en.ENgetlinkvalue(i, EN.VELOCITY)) for i in self._pipe_index],
            index=self._pipes,
            dtype=float,
        )
        return pressure, velocity

    def _measures(self, run: tuple[pd.Series, pd.Series], junction: str) -> dict[str, float]:
        pressure, velocity = run
        others = [n for n in self.customers if n != junction] or [junction]
        customers = pressure[others]
        return {
            TAP_PRESSURE_MPA: float(pressure[junction]) * MPA_PER_M,
            CUSTOMER_MIN_PRESSURE_MPA: float(customers.min()) * MPA_PER_M,
            MAX_VELOCITY_M_S: float(velocity.max()) if len(velocity) else 0.0,
        }


def _call(en: Any, name: str, *args: Any) -> None:
    """Call an EPANET 2.2 toolkit function the WNTR wrapper does not expose; raise on error."""
    code = getattr(en.ENlib, name)(en._project, *args)
    if code > 100:  # 1–6 are warnings (e.g. negative pressures), above 100 errors
        msg = f"EPANET {name} failed with error {code}"
        raise ModelError(msg)


def _close(en: Any, directory: str) -> None:
    """Close the toolkit's project and remove its files (the model's finaliser)."""
    try:
        en.ENcloseH()
        en.ENclose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _water_sources(sources: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Return the water sources of the ``sources`` layer; none: :class:`ModelError`."""
    if sources is None or not len(sources):
        msg = (
            "缺少水源：供应源图层不存在或为空，需供水水源点（水厂/水库或水塔，填总水头）"
            " (sources layer missing or empty: a point with utility=water, kind reservoir or tank,"
            " and head_m, is expected)"
        )
        raise ModelError(msg)
    water = sources[sources["utility"].astype(str) == "water"].reset_index(drop=True)
    if not len(water):
        msg = (
            "缺少水源：供应源图层中无供水水源点（水厂/水库或水塔） "
            "(sources layer: no feature with utility=water; a reservoir or tank is expected)"
        )
        raise ModelError(msg)
    return water


def _network(
    topo: Topology,
    mains: gpd.GeoDataFrame,
    head_of: Mapping[int, float],
    scale: list[float],
    *,
    roughness_c: float,
) -> Any:
    """Return the WNTR network of a topology: reservoirs at ``head_of``'s nodes, junctions, pipes.

    Only the nodes and links connected to a reservoir are added; a link's length is its drawn
    length times its main's ``scale`` (:func:`_length_scale`).
    """
    keep = _connected(topo, set(head_of))
    elevation = _elevations(topo, mains)
    wn = wntr.network.WaterNetworkModel()
    for n in sorted(keep):
        xy = (float(topo.node_xy[n, 0]), float(topo.node_xy[n, 1]))
        if n in head_of:
            wn.add_reservoir(f"R{n}", base_head=head_of[n], coordinates=xy)
        else:
            wn.add_junction(f"J{n}", base_demand=0.0, elevation=elevation[n], coordinates=xy)
    diameter = mains["diameter_mm"].to_numpy(dtype=float)
    for i, k in enumerate(topo.links):
        if k.a in keep:
            wn.add_pipe(
                f"L{i}",  # EPANET names: at most 31 characters, no spaces (asset ids are free text)
                _node_name(k.a, head_of),
                _node_name(k.b, head_of),
                length=max(k.length_m * scale[k.row], 0.01),
                diameter=float(diameter[k.row]) / 1000.0,
                roughness=roughness_c,
            )
    return wn


def _existing_demand(
    wn: Any,
    topo: Topology,
    mains: gpd.GeoDataFrame,
    scale: list[float],
    *,
    specific_flow_l_s_m: float,
) -> None:
    """Give every junction the existing customers' peak demand by the 比流量 method.

    Each distribution pipe draws ``specific_flow_l_s_m`` × its length (沿线流量), half at each
    end (节点流量, GB 50013-2018 §7.1). No customers lie along a junction's connecting pipe
    (``role`` connection) or a planned main read as built (:data:`PLANNED_COLUMN` true).
    ``scale``: each main's modelled over drawn length (:func:`_length_scale`).
    """
    roles = mains["role"].astype(object).tolist() if "role" in mains else [None] * len(mains)
    planned = mains[PLANNED_COLUMN].astype(bool).tolist() if PLANNED_COLUMN in mains else []
    demand: dict[str, float] = {}
    for k in topo.links:
        if roles[k.row] == "connection" or (planned and planned[k.row]):
            continue
        half = specific_flow_l_s_m * k.length_m * scale[k.row] / 2.0 / 1000.0  # m³/s
        for n in (k.a, k.b):
            demand[f"J{n}"] = demand.get(f"J{n}", 0.0) + half
    junctions = set(wn.junction_name_list)
    for name, q in demand.items():
        if name in junctions and q > 0.0:
            wn.get_node(name).demand_timeseries_list[0].base_value = q


def _node_name(n: int, head_of: Mapping[int, float]) -> str:
    return f"R{n}" if n in head_of else f"J{n}"


def _connected(topo: Topology, roots: set[int]) -> set[int]:
    """Return the nodes connected to any of ``roots`` through the links."""
    adjacent: dict[int, list[int]] = {}
    for k in topo.links:
        adjacent.setdefault(k.a, []).append(k.b)
        adjacent.setdefault(k.b, []).append(k.a)
    seen, todo = set(roots), list(roots)
    while todo:
        for m in adjacent.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def _elevations(topo: Topology, mains: gpd.GeoDataFrame) -> list[float]:
    """Return each node's elevation (m) from the mains through it, else 0.

    A main with ``start_elevation_m`` and ``end_elevation_m`` (an EPANET pipe's end nodes,
    :func:`gis.io.epanet.read_epanet`) gives its nodes the elevation interpolated along it;
    one with ``elevation_m`` gives all its nodes that value.
    """
    out = [0.0] * len(topo.node_xy)

    def column(name: str) -> list[float] | None:
        if name not in mains:
            return None
        return pd.to_numeric(mains[name], errors="coerce").tolist()

    flat, start, end = column("elevation_m"), column("start_elevation_m"), column("end_elevation_m")
    geoms = list(mains.geometry)
    for k in topo.links:
        for n in (k.a, k.b):
            if start is not None and end is not None and pd.notna(start[k.row]) and pd.notna(end[k.row]):
                g = geoms[k.row]
                f = g.project(Point(topo.node_xy[n])) / g.length if g.length > 0 else 0.0
                out[n] = float(start[k.row] + f * (end[k.row] - start[k.row]))
            elif flat is not None and pd.notna(flat[k.row]):
                out[n] = float(flat[k.row])
    return out


def _length_scale(mains: gpd.GeoDataFrame) -> list[float]:
    """Return per main: its hydraulic length over its drawn length (1 without one).

    An EPANET pipe's modelled length (``length_m_hydraulic``) may differ from its drawing; its
    links are scaled so that they add up to the modelled length.
    """
    if "length_m_hydraulic" not in mains:
        return [1.0] * len(mains)
    hydraulic = pd.to_numeric(mains["length_m_hydraulic"], errors="coerce").tolist()
    drawn = list(mains.geometry.length)
    return [
        h / d if pd.notna(h) and h > 0 and d > 0 else 1.0
        for h, d in zip(hydraulic, drawn, strict=True)
    ]
