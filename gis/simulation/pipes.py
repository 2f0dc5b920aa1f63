"""Gas and district-heating models (pandapipes): built once, then checked per tap many times.

A model is built once per workspace from its network layer and the ``sources`` layer
(:meth:`GasModel.from_layers`, :meth:`HeatModel.from_layers`) or, for gas, from a pandapipes
network as it is (:meth:`GasModel.from_net`, e.g. ``pandapipes.from_json``). A check
(:meth:`PipesModel.check`) puts the new demand as a sink on the junction of the tapped main
nearest the tap — the sink is created the first time that junction is tapped and kept, out
of service between checks —, runs the steady state, reads the measures and takes the demand
off again: the network is never rebuilt between checks, and the base case (``before``) is run
once when the model is built.

A model built from layers is partitioned: a check solves only the connected network holding
its tap (a city's gas layer is tens of thousands of separate networks, each with its own
regulator). That network's model is cut from the whole on the first check that needs it, its
base case run then, and kept; the results are those of the whole network (a source holds its
junction's pressure: separate networks do not affect each other).

Choices, documented here and in the outputs:

- **Topology.** Lines' ends within :data:`SNAP_M` (1 m) are one junction; a line is split where
  another line's end lies on it (within the same distance); lines are cut into pipes of at most
  :data:`SEGMENT_M` (50 m), so the junction nearest a tap is within 25 m of it along the main.
  (A small helper of this module: :mod:`gis.simulation.topology` was not on main when this
  was written; the two should be merged.)
- **Gas.** Existing mains of the tappable pressure classes (``suitability.gas_tap_classes``);
  mains of different classes are separate networks (joined through regulators, not pipes). A
  source (``gas_station`` or ``regulator``) feeds the class whose GB 50028-2006 pressure range
  holds its ``pressure_mpa`` and is an ``ext_grid`` at that pressure (gauge, bar) on the
  class's nearest junction. Fluid: pandapipes' ``hgas`` (high-calorific natural gas, the
  West–East pipeline gas of Chinese cities). Roughness :data:`GAS_ROUGHNESS_MM` (0.1 mm, steel,
  GB 50028-2006 §6.2.5; PE is smoother: a conservative value). A demand in m³/h at normal
  conditions (0 °C, 101.325 kPa; the gas density pandapipes uses) becomes kg/s with the
  fluid's normal density.
- **Heat.** Hot-water mains (``medium = hot_water``; the layer's extra field ``diameter_mm``
  is needed) form the supply network, fed by ``heat_source`` rows (``pressure_mpa`` the supply
  pressure, ``temperature_c``). The return network is not drawn in the layers: it is assumed
  to mirror the supply network (same pipes, same flows, same pressure drop), so the available
  differential at a junction is ``Δp_source − 2 × (p_source − p_supply)``, with
  ``Δp_source = pressure_mpa − return_pressure_mpa`` (``return_pressure_mpa`` an optional
  field of the source, else :data:`HEAT_RETURN_PRESSURE_MPA`). A heat load Q (kW) is a sink
  ``Q / (cp × ΔT)`` kg/s, ΔT the profile's ``capacity.heat.supply_return_dt_k``. Roughness
  :data:`HEAT_ROUGHNESS_MM` (0.5 mm, CJJ 34-2010 hot-water pipes). Temperatures are held at
  the source's (hydraulics only: heat losses change the measures little). Steam mains are not
  modelled: a steam tap keeps the attribute check (:class:`ModelError` says so).
"""

from __future__ import annotations

import abc
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree
from shapely import LineString, Point, STRtree

from gis import vocabulary
from gis.simulation.result import (
    CUSTOMER_MIN_PRESSURE_MPA,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    CapacityRun,
    ModelError,
)

__all__ = [
    "DEMO_OUTLET_PRESSURE_MPA",
    "GAS_CLASS_RANGES_MPA",
    "GAS_ROUGHNESS_MM",
    "HEAT_RETURN_PRESSURE_MPA",
    "HEAT_ROUGHNESS_MM",
    "PIPEFLOW_OPTIONS",
    "SEGMENT_M",
    "SNAP_M",
    "SOURCE_COLUMNS",
    "GasModel",
    "HeatModel",
    "PipesModel",
    "Topology",
    "build_topology",
    "demo_sources",
    "engine_name",
]

FloatArray = npt.NDArray[np.float64]

SNAP_M = 1.0
"""Line ends closer than this are one junction; an end this close to a line splits it (m)."""
SEGMENT_M = 50.0
"""Longest pipe of a model built from a layer (m): a tap is within half of it of a junction."""
SOURCE_SNAP_M = 50.0
"""A source farther than this from its network is an error (m)."""
GAS_FLUID = "hgas"
"""pandapipes fluid of the gas models: high-calorific natural gas."""
GAS_TEMPERATURE_K = 288.15
"""Gas temperature in buried mains (15 °C)."""
GAS_ROUGHNESS_MM = 0.1
"""Absolute roughness of gas mains (mm): steel, GB 50028-2006 §6.2.5 (PE is smoother)."""
HEAT_ROUGHNESS_MM = 0.5
"""Equivalent roughness of hot-water mains (mm): CJJ 34-2010 §7.1 (热水管道 0.5 mm)."""
HEAT_RETURN_PRESSURE_MPA = 0.3
"""Return pressure at a heat source without one (MPa, gauge): implementation choice, the
usual pressurisation (定压) level of a city hot-water network keeping the return above the
static head of the buildings it serves."""
GAS_CLASS_RANGES_MPA: dict[str, tuple[float, float]] = {
    "low": (0.0, 0.01),
    "medium_b": (0.01, 0.2),
    "medium_a": (0.2, 0.4),
    "subhigh_b": (0.4, 0.8),
    "subhigh_a": (0.8, 1.6),
    "high_b": (1.6, 2.5),
    "high_a": (2.5, 4.0),
}
"""GB 50028-2006 表 6.1.6: the gauge pressure range of each class (MPa; upper bound included)."""
PIPEFLOW_OPTIONS: dict[str, Any] = {
    "mode": "hydraulics",
    "friction_model": "colebrook",
    "max_iter_hyd": 50,
}
"""The options of every ``pandapipes.pipeflow`` call of the models."""

_MPA_PER_BAR = 0.1


def _pandapipes() -> Any:
    """Import pandapipes on first use (slow to import; not every workspace models gas or heat)."""
    import pandapipes

    return pandapipes


def engine_name() -> str:
    """Return the simulator and its version, for the outputs (e.g. ``pandapipes 0.16.0``)."""
    return f"pandapipes {_pandapipes().__version__}"


# --- topology: lines -> junctions and pipes -------------------------------------------------


@dataclass(frozen=True)
class Topology:
    """Junctions (``xy``) and pipes (``pipes``: from, to, length_m, row) of a line layer."""

    xy: FloatArray
    pipes: pd.DataFrame


def build_topology(
    lines: Sequence[LineString], *, snap_m: float = SNAP_M, segment_m: float = SEGMENT_M
) -> Topology:
    """Turn lines into junctions and pipes.

    Parameters
    ----------
    lines
        Simple lines (multi-part ones exploded before).
    snap_m
        Ends within this distance are one junction; an end within it of another line splits it.
    segment_m
        Longest pipe: longer pieces are cut evenly.

    Returns
    -------
    Topology
        ``pipes.row`` is the index in ``lines`` each pipe comes from.

    Examples
    --------
    >>> t = build_topology([LineString([(0, 0), (100, 0)]), LineString([(40, 0.5), (40, 30)])])
    >>> len(t.xy), sorted(t.pipes.length_m.round(1))
    (5, [29.5, 30.0, 30.0, 40.0])
    """
    ends = np.array([[ln.coords[0], ln.coords[-1]] for ln in lines], dtype=float).reshape(-1, 2)
    node_of_end, xy = _cluster(ends, snap_m)
    cuts = _touch_cuts(lines, xy, node_of_end, snap_m)
    rows: list[tuple[int, int, float, int]] = []
    points = [tuple(p) for p in xy]
    for i, line in enumerate(lines):
        marks = {0.0: int(node_of_end[2 * i]), line.length: int(node_of_end[2 * i + 1])}
        marks.update(cuts.get(i, {}))
        rows.extend(_cut_line(line, marks, segment_m, points, i))
    pipes = pd.DataFrame(rows, columns=["from_junction", "to_junction", "length_m", "row"])
    pipes = pipes[pipes.from_junction != pipes.to_junction].reset_index(drop=True)
    return Topology(np.array(points, dtype=float).reshape(-1, 2), pipes)


def _cluster(points: FloatArray, tol: float) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Group points closer than ``tol`` (transitively); return each point's group and centres."""
    parent = np.arange(len(points))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    for a, b in cKDTree(points).query_pairs(tol) if len(points) else ():
        parent[root(a)] = root(b)
    roots = np.array([root(a) for a in range(len(points))], dtype=np.int64)
    _, group = np.unique(roots, return_inverse=True)
    n = int(group.max(initial=-1)) + 1
    count = np.bincount(group, minlength=n).reshape(-1, 1)
    sums = np.column_stack(
        [np.bincount(group, weights=points[:, k], minlength=n) for k in (0, 1)]
    ).reshape(-1, 2)
    centres = sums / np.maximum(count, 1)
    return group.astype(np.int64), centres


def _touch_cuts(
    lines: Sequence[LineString], xy: FloatArray, node_of_end: npt.NDArray[np.int64], tol: float
) -> dict[int, dict[float, int]]:
    """Where a junction lies on another line (not at its ends): line → {distance along: node}."""
    tree = STRtree(list(lines))
    cuts: dict[int, dict[float, int]] = {}
    for node, (x, y) in enumerate(xy):
        p = Point(x, y)
        for i in tree.query(p, predicate="dwithin", distance=tol):
            if node in (node_of_end[2 * i], node_of_end[2 * i + 1]):
                continue
            d = float(lines[i].project(p))
            if tol < d < lines[i].length - tol:
                cuts.setdefault(int(i), {})[d] = node
    return cuts


def _cut_line(
    line: LineString,
    marks: dict[float, int],
    segment_m: float,
    points: list[tuple[float, float]],
    row: int,
) -> Iterable[tuple[int, int, float, int]]:
    """Pipes along ``line`` between its marked junctions, each at most ``segment_m`` long."""
    at = sorted(marks)
    for d0, d1 in zip(at[:-1], at[1:], strict=True):
        n = max(1, math.ceil((d1 - d0) / segment_m))
        nodes = [marks[d0]]
        for k in range(1, n):
            p = line.interpolate(d0 + (d1 - d0) * k / n)
            points.append((p.x, p.y))
            nodes.append(len(points) - 1)
        nodes.append(marks[d1])
        step = (d1 - d0) / n
        for a, b in zip(nodes[:-1], nodes[1:], strict=True):
            yield a, b, step, row


# --- the model ------------------------------------------------------------------------------


class PipesModel(abc.ABC):
    """A pandapipes network and what a check needs; built once, checked many times.

    Parameters
    ----------
    net
        The pandapipes network (not copied: the model owns it).
    assets
        The main (``asset_id``) of every pipe, by pipe index.
    xy
        Junction coordinates, by junction index (columns ``x``, ``y``).
    partition
        Whether a check solves only the connected network holding its tap (models built from
        layers, see :func:`_networks`): ``net`` itself is then never run; a network's own
        model is cut from it on the first check that needs it, its base case run then, and
        kept. Its velocities and customers are that network's (another network, separate in
        the pipes, is not changed by the tap). Imported networks are solved whole.
    """

    utility: ClassVar[str] = ""
    demand_unit: ClassVar[str] = ""
    runs: int = 0
    """How many steady states the model ran (the base cases included)."""

    def __init__(
        self, net: Any, assets: pd.Series, xy: pd.DataFrame, *, partition: bool = False
    ) -> None:
        self.net = net
        self.assets = assets.reindex(net.pipe.index)
        self.xy = xy
        self.engine = engine_name()
        self._sinks: dict[int, int] = {}
        self._customers = pd.Index(net.sink.index[net.sink.in_service.to_numpy(dtype=bool)])
        self._network: pd.Series | None = _networks(net) if partition else None
        self._parts: dict[int, PipesModel] = {}
        if self._network is not None:
            return  # each connected network is built and run on its first check
        if not self._run():
            msg = (
                f"{self.utility_zh}管网基础工况水力计算不收敛，采用属性核查 "
                f"(the {self.utility} base case does not converge: attribute check)"
            )
            raise ModelError(msg)
        self._base_pressure = self._pressures().copy()
        self._base_measures = self._network_measures()

    # the check ---------------------------------------------------------------------------

    def check(
        self,
        tap_asset: str,
        tap_xy: tuple[float, float],
        demand: float,
        *,
        outage: str | None = None,
    ) -> CapacityRun:
        """Run the steady state with ``demand`` at the tap; the model is left as it was.

        Parameters
        ----------
        tap_asset
            The main tapped; its junction nearest ``tap_xy`` takes the demand.
        tap_xy
            The tap point (the layer's CRS).
        demand
            The new demand in :attr:`demand_unit` (peak factors applied by the caller).
        outage
            A main (``asset_id``) out of service for this run (N-1), or ``None``.

        Returns
        -------
        CapacityRun
            ``before`` from the base case, ``after`` with the demand; ``after`` is empty and
            ``converged`` false when the run fails or the tap is cut off.
        """
        if self._network is not None:
            return self._check_in_part(tap_asset, tap_xy, demand, outage)
        # 1. the tap's junction and its sink (created once, kept out of service)
        junction = self.tap_junction(tap_asset, tap_xy)
        sink = self._sink_at(junction)
        # 2. before: the base case, run when the model was built
        before = {TAP_PRESSURE_MPA: float(self._base_pressure[junction])}
        before.update(self._base_measures)
        # 3. after: the demand (and the outage) on, run, read, and off again
        after = self._run_with(sink, self.mass_flow_kg_s(demand), outage, junction)
        return CapacityRun(
            utility=self.utility,
            engine=self.engine,
            tap_asset=tap_asset,
            demand=demand,
            demand_unit=self.demand_unit,
            before=before,
            after=after,
            converged=bool(after),
            outage=outage,
        )

    @property
    def parts(self) -> dict[int, PipesModel]:
        """The connected networks' models built so far (a partitioned model; else empty)."""
        return dict(self._parts)

    def _check_in_part(
        self, tap_asset: str, tap_xy: tuple[float, float], demand: float, outage: str | None
    ) -> CapacityRun:
        """Check on the model of the connected network holding the tap (built on first use)."""
        # 1. the network of the tapped main's junction nearest the tap
        assert self._network is not None
        junction = self._nearest_end(self._pipes_of(tap_asset), tap_xy)
        network = int(self._network[junction])
        if outage is not None:
            self._pipes_of(outage)  # a main of the model (another network's: no effect)
        # 2. that network's model, its base case run once
        if network not in self._parts:
            self._parts[network] = self._part(network)
        part = self._parts[network]
        # 3. the check on it (an outage of a main of another network changes nothing there)
        here = outage if outage is None or (part.assets == outage).any() else None
        return replace(part.check(tap_asset, tap_xy, demand, outage=here), outage=outage)

    def _part(self, network: int) -> PipesModel:
        assert self._network is not None
        junctions = self._network.index[self._network.to_numpy() == network]
        if not self.net.ext_grid.junction.isin(junctions).any():
            msg = (
                f"{self.utility_zh}管网中该管道所在的连通管网没有气源/热源，无法水力计算 "
                f"(the {self.utility} network of the main has no source)"
            )
            raise ModelError(msg)
        net = _pandapipes().toolbox.select_subnet(self.net, junctions)
        return self._spawn(net, self.assets.reindex(net.pipe.index), self.xy.loc[junctions])

    def _spawn(self, net: Any, assets: pd.Series, xy: pd.DataFrame) -> PipesModel:
        """Return a model of the same kind (and settings) over one of the networks."""
        return type(self)(net, assets, xy)

    def _pipes_of(self, asset: str) -> pd.DataFrame:
        pipes = self.net.pipe[(self.assets == asset).to_numpy()]
        if pipes.empty:
            raise ModelError(self._not_modelled(asset))
        return pipes

    def _nearest_end(self, pipes: pd.DataFrame, tap_xy: tuple[float, float]) -> int:
        ends = pd.Index(pd.concat([pipes.from_junction, pipes.to_junction]).unique())
        return _nearest(self.xy.loc[ends, ["x", "y"]], tap_xy)

    def tap_junction(self, tap_asset: str, tap_xy: tuple[float, float]) -> int:
        """Return the junction of main ``tap_asset`` nearest ``tap_xy`` fed by a source."""
        pipes = self._pipes_of(tap_asset)
        ends = pd.Index(pd.concat([pipes.from_junction, pipes.to_junction]).unique())
        ends = ends[np.isfinite(self._base_pressure.reindex(ends).to_numpy(dtype=float))]
        if ends.empty:
            msg = (
                f"{self.utility_zh}管道 {tap_asset} 未与气源/热源连通，无法水力计算 "
                f"({self.utility} main {tap_asset} is not connected to a source)"
            )
            raise ModelError(msg)
        return _nearest(self.xy.loc[ends, ["x", "y"]], tap_xy)

    @property
    def utility_zh(self) -> str:
        """The utility's Chinese name."""
        return vocabulary.UTILITIES.label(self.utility)

    @abc.abstractmethod
    def mass_flow_kg_s(self, demand: float) -> float:
        """Return the sink's mass flow for ``demand`` (in :attr:`demand_unit`)."""

    def _not_modelled(self, tap_asset: str) -> str:
        return (
            f"{self.utility_zh}管道 {tap_asset} 不在水力模型中，采用属性核查 "
            f"({self.utility} main {tap_asset} is not in the model: attribute check)"
        )

    # runs ----------------------------------------------------------------------------------

    def _sink_at(self, junction: int) -> int:
        if junction not in self._sinks:
            pp = _pandapipes()
            self._sinks[junction] = int(
                pp.create_sink(
                    self.net, junction, mdot_kg_per_s=0.0, in_service=False, name="capacity_tap"
                )
            )
        return self._sinks[junction]

    def _run_with(
        self, sink: int, mdot: float, outage: str | None, junction: int
    ) -> dict[str, float]:
        net = self.net
        out = self._outage_pipes(outage)
        net.sink.loc[sink, ["mdot_kg_per_s", "in_service"]] = [mdot, True]
        net.pipe.loc[out, "in_service"] = False
        try:
            if not self._run():
                return {}
            tap = float(self._pressures()[junction])
            if not math.isfinite(tap):
                return {}
            return {TAP_PRESSURE_MPA: tap, **self._network_measures()}
        finally:
            net.sink.loc[sink, ["mdot_kg_per_s", "in_service"]] = [0.0, False]
            net.pipe.loc[out, "in_service"] = True

    def _outage_pipes(self, outage: str | None) -> pd.Index:
        if outage is None:
            return pd.Index([])
        out = self.net.pipe.index[
            (self.assets == outage).to_numpy() & self.net.pipe.in_service.to_numpy(dtype=bool)
        ]
        if out.empty:
            raise ModelError(self._not_modelled(outage))
        return out

    def _run(self) -> bool:
        self.runs += 1
        pp = _pandapipes()
        from pandapipes.pf.pipeflow_setup import PipeflowNotConverged

        try:
            with warnings.catch_warnings():  # a negative pressure is a result here (it fails)
                warnings.simplefilter("ignore", UserWarning)
                pp.pipeflow(self.net, **PIPEFLOW_OPTIONS)
        except PipeflowNotConverged:
            return False
        return bool(self.net.converged)

    def _pressures(self) -> pd.Series:
        """Return the pressure measure of every junction (gauge MPa; heat: differential)."""
        return self.net.res_junction.p_bar * _MPA_PER_BAR

    def _network_measures(self) -> dict[str, float]:
        res = self.net.res_pipe
        columns = [c for c in ("v_from_m_per_s", "v_to_m_per_s", "v_mean_m_per_s") if c in res]
        v = res[columns].abs().to_numpy(dtype=float)
        out = {MAX_VELOCITY_M_S: float(np.nanmax(v, initial=0.0))}
        if len(self._customers):
            junctions = self.net.sink.loc[self._customers, "junction"]
            low = self._pressures().reindex(junctions).to_numpy(dtype=float)
            out[CUSTOMER_MIN_PRESSURE_MPA] = float(np.nanmin(low))
        return out


class GasModel(PipesModel):
    """A gas network (pandapipes, natural gas); demand in m³/h at normal conditions."""

    utility = "gas"
    demand_unit = "m³/h"

    def mass_flow_kg_s(self, demand: float) -> float:
        """``demand`` m³/h at normal conditions (0 °C, 101.325 kPa) in kg/s."""
        pp = _pandapipes()
        rho = float(self.net.fluid.get_density(pp.constants.NORMAL_TEMPERATURE))
        return demand * rho / 3600.0

    @classmethod
    def from_net(cls, net: Any) -> GasModel:
        """Wrap a pandapipes gas network as it is (``pandapipes.from_json`` or an example).

        A pipe's main is its ``name`` (several pipes may share one), else its index; junction
        coordinates are the network's geodata.
        """
        names = net.pipe["name"]
        assets = names.where(names.notna(), pd.Series(net.pipe.index.astype(str), net.pipe.index))
        return cls(net, assets.astype(str), _junction_xy(net))

    @classmethod
    def from_layers(
        cls,
        gas: gpd.GeoDataFrame,
        sources: gpd.GeoDataFrame,
        *,
        tap_classes: Sequence[str],
        roughness_mm: float = GAS_ROUGHNESS_MM,
    ) -> GasModel:
        """Build the model of the existing mains of ``tap_classes`` and their sources.

        Parameters
        ----------
        gas
            The gas layer (``asset_id``, ``status``, ``pressure_class``, ``diameter_mm``).
        sources
            The sources layer; rows of utility ``gas`` (``gas_station``, ``regulator``) with
            ``pressure_mpa`` are used.
        tap_classes
            The pressure classes modelled (the profile's ``suitability.gas_tap_classes``).
        roughness_mm
            Absolute pipe roughness.
        """
        # 1. the mains and the sources, checked
        mains = _existing(gas, "gas", "燃气管网")
        mains = mains[mains.pressure_class.isin(list(tap_classes))]
        _require_numbers(mains, "gas", "燃气管网", "diameter_mm")
        feeds = _sources(sources, "gas", ("gas_station", "regulator"), "pressure_mpa")
        # 2. one network per pressure class: mains of different classes meet at regulators
        pp = _pandapipes()
        net = pp.create_empty_network(name="gas", fluid=GAS_FLUID)
        assets: list[pd.Series] = []
        for pclass, part in mains.groupby("pressure_class", sort=True):
            at_class = feeds[feeds.pressure_mpa.map(_class_of) == pclass]
            if at_class.empty:
                continue  # a class without a source is left to the attribute check
            p_bar = float(at_class.pressure_mpa.max()) / _MPA_PER_BAR
            own, junctions = _add_network(net, part, p_bar, GAS_TEMPERATURE_K, roughness_mm)
            assets.append(own)
            _add_sources(net, at_class, GAS_TEMPERATURE_K, junctions)
        if not assets:
            msg = (
                "燃气管网没有可建模的供气源：sources 图层缺少 utility=gas、kind 为 gas_station 或 "
                "regulator、pressure_mpa 落在可接入压力级制内的点 (no gas source feeds the tappable "
                "mains: sources rows with utility gas, kind gas_station/regulator and pressure_mpa "
                f"in the range of {', '.join(tap_classes)} expected)"
            )
            raise ModelError(msg)
        return cls(net, pd.concat(assets), _junction_xy(net), partition=True)


class HeatModel(PipesModel):
    """A hot-water supply network (pandapipes, water); demand in kW."""

    utility = "heat"
    demand_unit = "kW"

    def __init__(
        self,
        net: Any,
        assets: pd.Series,
        xy: pd.DataFrame,
        *,
        dt_k: float,
        source_differential_mpa: float,
        source_pressure_mpa: float,
        partition: bool = False,
    ) -> None:
        self.dt_k = dt_k
        self.source_differential_mpa = source_differential_mpa
        self.source_pressure_mpa = source_pressure_mpa
        super().__init__(net, assets, xy, partition=partition)

    def _spawn(self, net: Any, assets: pd.Series, xy: pd.DataFrame) -> HeatModel:
        return HeatModel(
            net,
            assets,
            xy,
            dt_k=self.dt_k,
            source_differential_mpa=self.source_differential_mpa,
            source_pressure_mpa=self.source_pressure_mpa,
        )

    def mass_flow_kg_s(self, demand: float) -> float:
        """``demand`` kW as the supply mass flow ``Q / (cp × ΔT)`` (kg/s)."""
        t_k = float(self.net.ext_grid.t_k.max())
        cp = float(self.net.fluid.get_heat_capacity(t_k))  # J/(kg·K)
        return demand * 1000.0 / (cp * self.dt_k)

    def _pressures(self) -> pd.Series:
        """Return the available differential: the return mirrors the supply (module doc)."""
        supply = self.net.res_junction.p_bar * _MPA_PER_BAR
        return self.source_differential_mpa - 2.0 * (self.source_pressure_mpa - supply)

    @classmethod
    def from_layers(
        cls,
        heat: gpd.GeoDataFrame,
        sources: gpd.GeoDataFrame,
        *,
        supply_return_dt_k: float,
        roughness_mm: float = HEAT_ROUGHNESS_MM,
        return_pressure_mpa: float = HEAT_RETURN_PRESSURE_MPA,
    ) -> HeatModel:
        """Build the supply network of the existing hot-water mains and their heat sources.

        Parameters
        ----------
        heat
            The heat layer; hot-water rows need ``diameter_mm`` (steam mains are not modelled).
        sources
            The sources layer; rows of utility ``heat``, kind ``heat_source`` with
            ``pressure_mpa`` and ``temperature_c`` (``return_pressure_mpa`` optional).
        supply_return_dt_k
            The design supply–return temperature difference (profile
            ``capacity.heat.supply_return_dt_k``).
        roughness_mm
            Equivalent pipe roughness.
        return_pressure_mpa
            The return pressure at a source whose row has none.
        """
        # 1. the hot-water mains and the heat sources, checked
        mains = _existing(heat, "heat", "供热管网")
        mains = mains[mains.medium == "hot_water"]
        if mains.empty:
            msg = (
                "供热管网没有现状热水管道：蒸汽管网不做水力计算，采用属性核查 "
                "(no existing hot-water mains: steam networks keep the attribute check)"
            )
            raise ModelError(msg)
        _require_numbers(mains, "heat", "供热管网", "diameter_mm")
        feeds = _sources(sources, "heat", ("heat_source",), "pressure_mpa", "temperature_c")
        if "return_pressure_mpa" not in feeds:
            feeds = feeds.assign(return_pressure_mpa=np.nan)
        feeds = feeds.assign(
            return_pressure_mpa=feeds.return_pressure_mpa.astype(float).fillna(return_pressure_mpa)
        )
        # 2. the supply network at the source's temperature; the source with the highest
        #    supply pressure is the reference of the mirrored return
        ref = feeds.loc[feeds.pressure_mpa.astype(float).idxmax()]
        t_k = float(ref.temperature_c) + 273.15
        pp = _pandapipes()
        net = pp.create_empty_network(name="heat", fluid="water")
        p_bar = float(ref.pressure_mpa) / _MPA_PER_BAR
        assets, junctions = _add_network(net, mains, p_bar, t_k, roughness_mm)
        _add_sources(net, feeds, t_k, junctions)
        return cls(
            net,
            assets,
            _junction_xy(net),
            dt_k=supply_return_dt_k,
            source_differential_mpa=float(ref.pressure_mpa) - float(ref.return_pressure_mpa),
            source_pressure_mpa=float(ref.pressure_mpa),
            partition=True,
        )


# --- building helpers -----------------------------------------------------------------------


def _existing(layer: gpd.GeoDataFrame, name: str, zh: str) -> gpd.GeoDataFrame:
    """Return the layer's existing mains as simple lines (multi-part ones exploded)."""
    if layer is None or layer.empty:
        msg = f"{zh}图层为空，无法建立水力模型 (layer {name} is empty: no model)"
        raise ModelError(msg)
    mains = layer[layer.status == "existing"]
    return mains.explode(index_parts=False).reset_index(drop=True)


def _require_numbers(mains: gpd.GeoDataFrame, name: str, zh: str, column: str) -> None:
    values = pd.to_numeric(mains[column], errors="coerce") if column in mains else None
    bad = mains if values is None else mains[~(values > 0)]
    if len(bad):
        ids = ", ".join(map(str, bad.asset_id.head(5)))
        msg = (
            f"{zh}图层的管道 {ids} 缺少字段 {column}（应为大于 0 的数值），无法建立水力模型 "
            f"(layer {name}: {column} of {ids} missing; a number > 0 expected)"
        )
        raise ModelError(msg)


def _sources(
    sources: gpd.GeoDataFrame | None, utility: str, kinds: tuple[str, ...], *fields: str
) -> gpd.GeoDataFrame:
    """Return the sources of ``utility`` and ``kinds``, with numbers in ``fields``."""
    label = vocabulary.UTILITIES.label(utility, form="source")
    rows = (
        sources[(sources.utility == utility) & sources.kind.isin(list(kinds))]
        if sources is not None and len(sources)
        else None
    )
    if rows is None or rows.empty:
        msg = (
            f"sources 图层没有{label}（utility={utility}，kind 为 {' 或 '.join(kinds)}），"
            f"无法建立水力模型 (layer sources: no {utility} source of kind {'/'.join(kinds)})"
        )
        raise ModelError(msg)
    for column in fields:
        values = pd.to_numeric(rows.get(column), errors="coerce")
        if values is None or values.isna().any():
            msg = (
                f"sources 图层的{label}缺少字段 {column}（应为数值），无法建立水力模型 "
                f"(layer sources: {column} of the {utility} sources missing; a number expected)"
            )
            raise ModelError(msg)
        rows = rows.assign(**{column: values.astype(float)})
    return rows


def _class_of(pressure_mpa: float) -> str | None:
    """Return the GB 50028 pressure class whose range holds ``pressure_mpa`` (gauge)."""
    return next(
        (c for c, (lo, hi) in GAS_CLASS_RANGES_MPA.items() if lo <= pressure_mpa <= hi), None
    )


def _add_network(
    net: Any, mains: gpd.GeoDataFrame, p_bar: float, t_k: float, roughness_mm: float
) -> tuple[pd.Series, pd.Index]:
    """Add the junctions and pipes of ``mains``; return the pipes' mains and the junctions."""
    pp = _pandapipes()
    topo = build_topology(list(mains.geometry))
    junctions = np.asarray(
        pp.create_junctions(
            net, len(topo.xy), pn_bar=p_bar, tfluid_k=t_k, geodata=[tuple(p) for p in topo.xy]
        )
    )
    rows = mains.iloc[topo.pipes.row.to_numpy()]
    index = pp.create_pipes_from_parameters(
        net,
        junctions[topo.pipes.from_junction.to_numpy()],
        junctions[topo.pipes.to_junction.to_numpy()],
        length_km=topo.pipes.length_m.to_numpy() / 1000.0,
        inner_diameter_mm=rows.diameter_mm.astype(float).to_numpy(),
        k_mm=roughness_mm,
        name=rows.asset_id.astype(str).to_numpy(),
    )
    assets = pd.Series(rows.asset_id.astype(str).to_numpy(), index=pd.Index(index))
    return assets, pd.Index(junctions)


def _add_sources(net: Any, feeds: gpd.GeoDataFrame, t_k: float, junctions: pd.Index) -> None:
    """Add an ext_grid per source on the nearest of ``junctions``, at its pressure."""
    pp = _pandapipes()
    pos = _junction_xy(net).loc[junctions, ["x", "y"]].to_numpy(dtype=float)
    at = np.column_stack([feeds.geometry.x.to_numpy(), feeds.geometry.y.to_numpy()])
    d, k = cKDTree(pos).query(at)
    if (far := np.flatnonzero(d > SOURCE_SNAP_M)).size:
        i = int(far[0])
        sid = feeds["source_id"].iloc[i] if "source_id" in feeds else feeds.index[i]
        msg = (
            f"sources 图层的 {sid} 距管网 {d[i]:.0f} m，超过 {SOURCE_SNAP_M:.0f} m，未接入模型 "
            f"(layer sources: {sid} is {d[i]:.0f} m from its network; within "
            f"{SOURCE_SNAP_M:.0f} m expected)"
        )
        raise ModelError(msg)
    pp.create_ext_grids(
        net,
        np.asarray(junctions)[k].astype(int),
        p_bar=feeds.pressure_mpa.astype(float).to_numpy() / _MPA_PER_BAR,
        t_k=t_k,
        type="pt",
    )


def _nearest(xy: pd.DataFrame, at: tuple[float, float]) -> int:
    """Return the index of the row of ``xy`` (columns ``x``, ``y``) nearest ``at``."""
    pos = xy[["x", "y"]].to_numpy(dtype=float)
    return int(xy.index[int(np.argmin(np.hypot(pos[:, 0] - at[0], pos[:, 1] - at[1])))])


def _networks(net: Any) -> pd.Series:
    """Return junction → connected network: the junctions joined by pipes (and valves).

    A source (``ext_grid``) holds its junction's pressure, and each network of a model built
    from layers has its own: a network solved alone gives the same results as with the others.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = net.junction.index.to_numpy(dtype=int)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    pairs = [
        net[table][["from_junction", "to_junction"]].to_numpy(dtype=int)
        for table in ("pipe", "valve")
        if table in net and len(net[table])
    ]
    edges = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=int)
    n = len(ids)
    graph = coo_matrix(
        (np.ones(len(edges)), (pos[edges[:, 0]].to_numpy(), pos[edges[:, 1]].to_numpy())), (n, n)
    )
    _, label = connected_components(graph, directed=False)
    return pd.Series(label, index=ids)


def _junction_xy(net: Any) -> pd.DataFrame:
    """Junction coordinates (``x``, ``y``) from the network's geodata."""
    geo = getattr(net, "junction_geodata", None)
    if geo is not None and len(geo) == len(net.junction):
        return geo[["x", "y"]].astype(float)
    msg = "管网模型缺少节点坐标，无法定位接入点 (the network has no junction coordinates)"
    raise ModelError(msg)


DEMO_OUTLET_PRESSURE_MPA: dict[str, float] = {"low": 0.003, "medium_b": 0.15, "medium_a": 0.35}
"""Outlet pressure of the demo's regulators by class (MPa, gauge; within GB 50028 表 6.1.6)."""
DEMO_STEAM_SOURCE = {"pressure_mpa": 1.0, "temperature_c": 250.0}
"""The demo's steam plant (the steam mains' own pressure and temperature)."""
SOURCE_COLUMNS = (
    "source_id",
    "utility",
    "kind",
    "head_m",
    "pressure_mpa",
    "temperature_c",
    "voltage_kv",
    "capacity_kva",
    "feeders",
)
"""The columns of the ``sources`` layer (issue 16's contract)."""


def demo_sources(
    layers: dict[str, gpd.GeoDataFrame], *, tap_classes: Sequence[str]
) -> gpd.GeoDataFrame:
    """Place the demo district's gas regulators and heat sources (rows of the ``sources`` layer).

    One regulator per connected network of each tappable pressure class, at its junction
    nearest a sub-high/high-pressure main (the regulator's inlet; else its westmost junction),
    at :data:`DEMO_OUTLET_PRESSURE_MPA`; one heat source per connected heat network at its
    westmost junction, at that network's pressure and temperature (the demo's heat is steam:
    the rows are there for the attribute check and the map; steam is not modelled).

    Parameters
    ----------
    layers
        The district's layers (``gas``, ``heat``).
    tap_classes
        The tappable gas classes (profile ``suitability.gas_tap_classes``).

    Returns
    -------
    geopandas.GeoDataFrame
        Points with :data:`SOURCE_COLUMNS`, in the layers' CRS.
    """
    gas, heat = layers["gas"], layers["heat"]
    trunks = gas[~gas.pressure_class.isin(list(tap_classes))].geometry.union_all()
    rows: list[dict[str, Any]] = []
    for pclass, part in gas[gas.status == "existing"].groupby("pressure_class", sort=True):
        if pclass not in tap_classes:
            continue
        for k, xy in enumerate(_component_anchors(part, trunks)):
            rows.append(
                {
                    "source_id": f"RG-{pclass}-{k + 1:02d}",
                    "utility": "gas",
                    "kind": "regulator",
                    "pressure_mpa": DEMO_OUTLET_PRESSURE_MPA.get(str(pclass), 0.35),
                    "geometry": Point(xy),
                }
            )
    for k, xy in enumerate(_component_anchors(heat[heat.status == "existing"], None)):
        rows.append(
            {
                "source_id": f"HS-{k + 1:02d}",
                "utility": "heat",
                "kind": "heat_source",
                **DEMO_STEAM_SOURCE,
                "geometry": Point(xy),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=gas.crs)
    return frame.reindex(columns=[*SOURCE_COLUMNS, "geometry"])


def _component_anchors(mains: gpd.GeoDataFrame, inlet: Any) -> list[tuple[float, float]]:
    """Return one junction per connected network: nearest ``inlet`` (else the westmost)."""
    if mains.empty:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    topo = build_topology(list(mains.explode(index_parts=False).geometry), segment_m=math.inf)
    n = len(topo.xy)
    adj = coo_matrix(
        (np.ones(len(topo.pipes)), (topo.pipes.from_junction, topo.pipes.to_junction)), (n, n)
    )
    _, label = connected_components(adj, directed=False)
    anchors = []
    for c in range(int(label.max()) + 1):
        pts = topo.xy[label == c]
        if inlet is not None and not inlet.is_empty:
            key = np.array([inlet.distance(Point(p)) for p in pts])
        else:
            key = pts[:, 0]
        best = pts[int(np.argmin(key))]
        anchors.append((float(best[0]), float(best[1])))
    return anchors
