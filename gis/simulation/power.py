"""Power capacity by load flow (pandapower): a model built once, checked many times.

A :class:`PowerModel` is built either from the ``power`` layer and the substations of the
``sources`` layer (:meth:`PowerModel.from_layers`) or from a pandapower network
(:meth:`PowerModel.from_net`, :meth:`PowerModel.from_file` for ``pandapower.to_json`` files).
:meth:`PowerModel.check` adds the new load at the tap, runs ``pandapower.runpp`` and reads the
tap bus voltage, the feeder's highest line loading and its transformer's loading. The network
is never rebuilt between checks: one spare load, one spare bus and two spare line pieces are
created with the model and only switched in and out (and re-parametrised) per check.

A model built from layers is partitioned into islands (a substation's transformer and the
feeders it serves; the external grid holds its bus at 1.0 pu, so islands do not affect each
other): a check solves only its tap's island, whose network is cut from the whole on the first
check that needs it, its base case run then, and kept. An imported network is solved whole.

Modelling choices (from the layers)
-----------------------------------
- Buses: the line ends, snapped within :data:`SNAP_TOLERANCE_M` (1 m); a line whose interior
  passes within the tolerance of another line's end is split there (a tee). Lines of different
  voltages or of different feeders never share a bus (a tie between feeders is normally
  open). This small helper lives here because no shared topology module
  (``gis.simulation.topology``) existed when it was written; it can move there.
- Lines: length from the geometry; a pandapower standard type by voltage
  (:data:`LINE_STD_TYPES`): 0.4 kV ``NAYY 4x150 SE``, 10 kV ``NA2XS2Y 1x185 RM/25 6/10 kV`` (the
  10 kV XLPE aluminium cable; the 12/20 kV insulation of the same conductor has the same
  impedance and a 0.362 kA instead of 0.358 kA rating), 20 kV ``NA2XS2Y 1x185 RM/25 12/20 kV``,
  35–110 kV ``N2XS(FL)2Y 1x240 RM/35 64/110 kV``. Only lines whose ``status`` is in
  ``statuses`` (default: existing) are modelled.
- Substations (``sources`` rows with utility ``power`` and kind ``substation``): an external
  grid at 1.0 pu on a 110 kV bus (220 kV for feeders above 35 kV; one bus shared by the
  substations, which is the same load flow as one grid each), a transformer of
  ``capacity_kva`` to ``voltage_kv`` (vk 10.5 %, vkr 0.5 %: the usual short-circuit voltage of
  a 110/10 kV transformer), its low-voltage bus joined to the head of each feeder it serves
  (the feeder's bus nearest the substation).
- Feeder parts: the lines of one ``feeder_id`` that are connected; a substation feeds the
  part holding the feeder's bus nearest to it (a feeder id may have several parts, each fed
  by its own substation; a part no substation feeds is not in the load flow, and a check on
  it raises :class:`~gis.simulation.result.ModelError`).
- Existing loads: a feeder part's existing load is its thermal rating (√3 · V · I_max of its
  line type) less its ``spare_capacity_kva`` (the smallest value among its lines), spread
  evenly over its buses other than its head, at the profile's power factor. A feeder
  without ``spare_capacity_kva`` carries no existing load.
- The tap: the new load is put at the point of the tapped line nearest ``tap_xy``; farther
  than 1 m from the line piece's ends the piece is split there (the spare bus and line pieces).
  In an imported network the load goes to the tapped line's bus nearest ``tap_xy`` (in the
  network's own coordinates; the from-bus when the buses have no coordinates).
- Measures: :data:`~gis.simulation.result.BUS_VOLTAGE_PU` at the tap bus,
  :data:`~gis.simulation.result.LINE_LOADING_PCT` the highest loading among the lines of the
  tapped line's feeder (imported network: every line), and
  :data:`~gis.simulation.result.TRAFO_LOADING_PCT` the loading of the feeder's substation
  transformer (imported network: the highest of all transformers). ``before`` comes from the
  base case, run once per model (and once per outage); the voltage at a split point before the
  new load is interpolated between the piece's ends.
"""

from __future__ import annotations

import copy
import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandapower as pp
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.ops import substring, unary_union

from gis.simulation.result import (
    BUS_VOLTAGE_PU,
    LINE_LOADING_PCT,
    TRAFO_LOADING_PCT,
    CapacityRun,
    ModelError,
)

__all__ = [
    "LINE_STD_TYPES",
    "SNAP_TOLERANCE_M",
    "PowerModel",
    "demo_substations",
]

SNAP_TOLERANCE_M = 1.0
"""Line ends closer than this (m) are one bus; a line passing this close to an end is split."""

LINE_STD_TYPES: tuple[tuple[float, str], ...] = (
    (1.0, "NAYY 4x150 SE"),
    (10.0, "NA2XS2Y 1x185 RM/25 6/10 kV"),
    (20.0, "NA2XS2Y 1x185 RM/25 12/20 kV"),
    (110.0, "N2XS(FL)2Y 1x240 RM/35 64/110 kV"),
)
"""(highest voltage in kV, pandapower standard line type) for lines built from the layer."""

TRAFO_VK_PERCENT = 10.5
"""Short-circuit voltage of a substation transformer (%, a 110/10 kV transformer's usual)."""
TRAFO_VKR_PERCENT = 0.5
"""Its resistive part (%)."""

_Group = tuple[str, int]
_LINE_PARAMS = ("r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km", "g_us_per_km", "max_i_ka")
_LAYER = "供电线路 power"
_SOURCES = "接入源 sources"


@dataclass(frozen=True)
class _Segment:
    """A pandapower line that is (a piece of) one asset of the layer."""

    line: int
    asset: str
    feeder: str | None
    geometry: LineString | None
    part: int = 0
    """The connected part of the network the line is in (a feeder may have several)."""

    @property
    def group(self) -> _Group | None:
        """The feeder's lines measured together: (feeder id, connected part)."""
        return None if self.feeder is None else (self.feeder, self.part)


@dataclass(frozen=True)
class _Tap:
    """Where the new load goes: an existing bus, or a split of ``line`` at ``fraction``."""

    bus: int
    group: _Group | None
    line: int | None = None
    fraction: float = 0.0


@dataclass(frozen=True)
class _Base:
    """Results of a run without the new load: bus voltages, line and transformer loadings."""

    vm_pu: dict[int, float]
    line_pct: dict[int, float]
    trafo_pct: dict[int, float]


class PowerModel:
    """A pandapower network prepared for repeated capacity checks (see the module doc).

    Parameters
    ----------
    net
        The pandapower network (kept and reused; checks leave it as they found it).
    segments
        The model's lines by the asset they belong to.
    power_factor
        Of the new load (the profile's ``capacity.power.power_factor``).
    feeder_trafos
        (Feeder id, connected part) → index of the transformer feeding it (empty: measure
        every transformer).
    split_taps
        Whether a tap between a line's ends splits the line (layer models) or goes to its
        nearest bus (imported networks).
    partition
        Whether a check solves only the island holding its tap (layer models, see
        :func:`_islands`); ``net`` itself is then never run, each island's network is cut
        from it on the first check that needs it and kept (imported networks are solved whole:
        their measures span every line and transformer).
    """

    utility = "power"

    def __init__(
        self,
        net: pp.pandapowerNet,
        segments: Iterable[_Segment],
        *,
        power_factor: float,
        feeder_trafos: dict[_Group, int] | None = None,
        split_taps: bool = False,
        partition: bool = False,
    ) -> None:
        self.net = net
        self.engine = f"pandapower {pp.__version__}"
        self.power_factor = power_factor
        self._runs = 0
        self._split = split_taps
        self._feeder_trafos = dict(feeder_trafos or {})
        self._by_asset: dict[str, list[_Segment]] = {}
        self._by_feeder: dict[str, list[int]] = {}
        self._by_group: dict[_Group, list[int]] = {}
        for seg in segments:
            self._by_asset.setdefault(seg.asset, []).append(seg)
            if seg.feeder is not None and seg.group is not None:
                self._by_feeder.setdefault(seg.feeder, []).append(seg.line)
                self._by_group.setdefault(seg.group, []).append(seg.line)
        self._spare_bus, self._spare_lines, self._load = _add_spares(net)
        self._bases: dict[str | None, _Base] = {}
        self._lock = threading.Lock()  # a check changes the network for its run: one at a time
        self._island: dict[int, int] | None = _islands(net) if partition else None
        self._parts: dict[int, PowerModel] = {}
        self._empty: pp.pandapowerNet | None = None  # copied for each island's network
        self._island_buses: dict[int, list[int]] = {}
        self._island_segments: dict[int, list[_Segment]] = {}
        if self._island is not None:
            for bus, island in self._island.items():
                self._island_buses.setdefault(island, []).append(bus)
            ends = net.line.from_bus.astype(int)
            for segs in self._by_asset.values():
                for seg in segs:
                    island = self._island[int(ends.at[seg.line])]
                    self._island_segments.setdefault(island, []).append(seg)

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_net(cls, net: pp.pandapowerNet, *, power_factor: float) -> PowerModel:
        """Wrap an existing pandapower network; lines are named by ``name`` (else index).

        A ``feeder_id`` column of ``net.line``, if any, gives the feeders (for outages). A
        network saved before pandapower 3 gets the ``tap_dependency_table`` flag (off) that
        pandapower 3 expects on its transformers.
        """
        for table in ("trafo", "trafo3w"):
            if "tap_dependency_table" not in net[table]:
                net[table]["tap_dependency_table"] = False
        return cls(net, _net_segments(net), power_factor=power_factor)

    @classmethod
    def from_file(cls, path: str | Path, *, power_factor: float) -> PowerModel:
        """Read a pandapower network file (``pandapower.to_json``) and wrap it."""
        try:
            net = pp.from_json(str(path))
        except (OSError, ValueError, UserWarning) as exc:  # pandapower raises UserWarning
            msg = f"无法读取电网模型文件 {path}（pandapower JSON）(cannot read the network file: {exc})"
            raise ModelError(msg) from exc
        return cls.from_net(net, power_factor=power_factor)

    @classmethod
    def from_layers(
        cls,
        power: gpd.GeoDataFrame,
        sources: gpd.GeoDataFrame | None,
        *,
        power_factor: float,
        statuses: Sequence[str] = ("existing",),
    ) -> PowerModel:
        """Build the model from the ``power`` layer and the ``sources`` layer's substations.

        Raises
        ------
        ModelError
            Missing or unusable data (no substation, a substation without ``capacity_kva``,
            a feeder it names that is not in the layer …), named in Chinese and English.
        """
        # 1. the modelled lines and the substations, checked
        lines = _modelled_lines(power, statuses)
        subs = _substations(sources, lines)
        # 2. buses and line pieces from the geometry
        net = pp.create_empty_network(name="linkplan power")
        segments, nodes = _build_lines(net, lines)
        # 3. a transformer and an external grid per substation, joined to its feeders' heads
        feeder_trafos, heads = _build_substations(net, subs, segments, nodes)
        # 4. the existing loads from the feeders' spare capacity
        _existing_loads(net, lines, segments, heads, power_factor=power_factor)
        return cls(
            net,
            segments,
            power_factor=power_factor,
            feeder_trafos=feeder_trafos,
            split_taps=True,
            partition=True,
        )

    # ---------------------------------------------------------------- the check
    def check(
        self,
        tap_asset: str,
        tap_xy: tuple[float, float],
        demand: float,
        *,
        outage: str | None = None,
    ) -> CapacityRun:
        """Run the load flow with ``demand`` kVA at the tap; the network is left unchanged.

        Parameters
        ----------
        tap_asset
            The tapped line's ``asset_id`` (imported network: its name).
        tap_xy
            The tap point (layer CRS, metres; imported network: its coordinates).
        demand
            The new load in kVA (active power = kVA × power factor).
        outage
            A feeder id taken out of service for this run (N-1 for a backup supply).

        Raises
        ------
        ModelError
            The line is not in the model, or not connected to any substation, or the
            outage names an unknown feeder or the tapped line's own feeder.
        """
        with self._lock:
            return self._check(tap_asset, tap_xy, demand, outage)

    @property
    def runs(self) -> int:
        """How many load flows the model ran (the base cases and its islands' included)."""
        return self._runs + sum(part.runs for part in self._parts.values())

    @property
    def parts(self) -> dict[int, PowerModel]:
        """The islands' models built so far, by island (a partitioned model; else empty)."""
        return dict(self._parts)

    def _check(
        self, tap_asset: str, tap_xy: tuple[float, float], demand: float, outage: str | None
    ) -> CapacityRun:
        # 1. the tapped line piece, and the outage checked against the whole model
        seg = self._nearest(tap_asset, tap_xy)
        self._check_outage(outage, seg.group)
        if self._island is None:
            return self._check_here(seg, tap_xy, demand, outage)
        # 2. a partitioned model: the island holding the piece runs it (built once, kept)
        return self._part(seg).check_piece(seg, tap_xy, demand, outage)

    def _part(self, seg: _Segment) -> PowerModel:
        assert self._island is not None
        island = self._island[int(self.net.line.at[seg.line, "from_bus"])]
        if island not in self._parts:
            buses = {*self._island_buses[island], *self.net.ext_grid.bus.astype(int)}
            if self._empty is None:
                self._empty = pp.create_empty_network(add_stdtypes=False)
            self._parts[island] = PowerModel(
                _subnet(self.net, buses, copy.deepcopy(self._empty)),
                self._island_segments[island],
                power_factor=self.power_factor,
                feeder_trafos=self._feeder_trafos,
                split_taps=self._split,
            )
        return self._parts[island]

    def check_piece(
        self, seg: _Segment, tap_xy: tuple[float, float], demand: float, outage: str | None
    ) -> CapacityRun:
        """Check a tap on line piece ``seg`` of this (island's) model; see :meth:`check`."""
        with self._lock:
            return self._check_here(seg, tap_xy, demand, outage)

    def _check_here(
        self, seg: _Segment, tap_xy: tuple[float, float], demand: float, outage: str | None
    ) -> CapacityRun:
        # 1. where the load goes, and the base case (with the outage) it is compared with
        tap = self._tap_on(seg, tap_xy)
        out_lines = self._outage_lines(outage)
        base = self._base(outage, out_lines)
        before = self._measure(base, tap, before=True)
        if math.isnan(before[BUS_VOLTAGE_PU]):
            msg = f"{_LAYER} 线路 {seg.asset} 未与任何变电站相连，无法进行潮流计算 (line {seg.asset} is not connected to any substation)"
            raise ModelError(msg)
        # 2. the run with the new load; the network is restored whatever happens
        s_mva = demand / 1000.0
        p = s_mva * self.power_factor
        q = math.sqrt(max(s_mva**2 - p**2, 0.0))
        try:
            self._set_lines(out_lines, in_service=False)
            self._apply_tap(tap, p, q)
            converged = self._run()
            after = self._measure(self._results(), tap) if converged else {}
        finally:
            self._clear_tap(tap)
            self._set_lines(out_lines, in_service=True)
        return CapacityRun(
            utility="power",
            engine=self.engine,
            tap_asset=seg.asset,
            demand=demand,
            demand_unit="kVA",
            before=before,
            after=after,
            converged=converged,
            outage=outage,
        )

    # ---------------------------------------------------------------- helpers
    def _run(self) -> bool:
        self._runs += 1
        try:
            pp.runpp(self.net, numba=False)
        except pp.LoadflowNotConverged:
            return False
        return True

    def _results(self) -> _Base:
        net = self.net
        return _Base(
            _floats(net.res_bus.vm_pu),
            _floats(net.res_line.loading_percent),
            _floats(net.res_trafo.loading_percent) if len(net.trafo) else {},
        )

    def _base(self, outage: str | None, out_lines: list[int]) -> _Base:
        if outage not in self._bases:
            try:
                self._set_lines(out_lines, in_service=False)
                if not self._run():
                    msg = "基础工况潮流计算不收敛 (the base case load flow does not converge)"
                    raise ModelError(msg)
                self._bases[outage] = self._results()
            finally:
                self._set_lines(out_lines, in_service=True)
        return self._bases[outage]

    def _nearest(self, asset: str, xy: tuple[float, float]) -> _Segment:
        """Return the piece of line ``asset`` nearest ``xy`` (the first without geometry)."""
        segs = self._by_asset.get(str(asset))
        if not segs:
            msg = f"{_LAYER} 线路 {asset} 不在电网模型中（不存在、非现状线路或无法建模） (line {asset} is not in the network model)"
            raise ModelError(msg)
        pt = Point(xy)
        with_geom = [s for s in segs if s.geometry is not None]
        if not with_geom:
            return segs[0]
        return min(with_geom, key=lambda s: s.geometry.distance(pt))  # type: ignore[union-attr]

    def _tap_on(self, seg: _Segment, xy: tuple[float, float]) -> _Tap:
        net, geom = self.net, seg.geometry
        if geom is None:
            return _Tap(int(net.line.at[seg.line, "from_bus"]), seg.group)
        d, length = geom.project(Point(xy)), geom.length
        ends = (int(net.line.at[seg.line, "from_bus"]), int(net.line.at[seg.line, "to_bus"]))
        near_end = d <= SNAP_TOLERANCE_M or length - d <= SNAP_TOLERANCE_M
        if near_end or not self._split:
            return _Tap(ends[0] if d <= length / 2 else ends[1], seg.group)
        return _Tap(self._spare_bus, seg.group, line=seg.line, fraction=d / length)

    def _check_outage(self, outage: str | None, group: _Group | None) -> None:
        if outage is None:
            return
        if outage not in self._by_feeder:
            msg = f"{_LAYER} 中没有馈线 feeder_id={outage}，无法按停运校核 (no feeder {outage!r} to take out)"
            raise ModelError(msg)
        if group is not None and outage == group[0]:
            msg = f"接入线路属于停运馈线 {outage}，备用电源须接在另一馈线上 (the tap is on the feeder taken out)"
            raise ModelError(msg)

    def _outage_lines(self, outage: str | None) -> list[int]:
        """Return feeder ``outage``'s in-service lines in this network (another island's: none)."""
        if outage is None:
            return []
        lines = self._by_feeder.get(outage, [])
        return [i for i in lines if bool(self.net.line.at[i, "in_service"])]

    def _set_lines(self, lines: list[int], *, in_service: bool) -> None:
        if lines:
            self.net.line.loc[lines, "in_service"] = in_service

    def _apply_tap(self, tap: _Tap, p_mw: float, q_mvar: float) -> None:
        net = self.net
        if tap.line is not None:
            frm, to = int(net.line.at[tap.line, "from_bus"]), int(net.line.at[tap.line, "to_bus"])
            length = float(net.line.at[tap.line, "length_km"])
            net.bus.loc[tap.bus, ["vn_kv", "in_service"]] = [net.bus.at[frm, "vn_kv"], True]
            params = net.line.loc[tap.line, [*_LINE_PARAMS, "df", "parallel"]].to_numpy()
            ends = ((frm, tap.bus, tap.fraction), (tap.bus, to, 1.0 - tap.fraction))
            for spare, (a, b, share) in zip(self._spare_lines, ends):
                net.line.loc[spare, [*_LINE_PARAMS, "df", "parallel"]] = params
                net.line.loc[spare, ["from_bus", "to_bus"]] = [a, b]
                net.line.loc[spare, ["length_km", "in_service"]] = [length * share, True]
            net.line.at[tap.line, "in_service"] = False
        net.load.loc[self._load, ["bus", "p_mw", "q_mvar", "in_service"]] = [
            tap.bus,
            p_mw,
            q_mvar,
            True,
        ]

    def _clear_tap(self, tap: _Tap) -> None:
        net = self.net
        net.load.at[self._load, "in_service"] = False
        if tap.line is not None:
            net.line.loc[self._spare_lines, "in_service"] = False
            net.bus.at[self._spare_bus, "in_service"] = False
            net.line.at[tap.line, "in_service"] = True

    def _measure(self, res: _Base, tap: _Tap, *, before: bool = False) -> dict[str, float]:
        net = self.net
        if before and tap.line is not None:  # the split point is not in the base case
            frm, to = net.line.at[tap.line, "from_bus"], net.line.at[tap.line, "to_bus"]
            f = tap.fraction
            vm = (1.0 - f) * res.vm_pu[frm] + f * res.vm_pu[to]
        else:
            vm = res.vm_pu[tap.bus]
        lines = self._by_group.get(tap.group, []) if tap.group is not None else []
        pieces = self._spare_lines if (tap.line is not None and not before) else []
        loading = [res.line_pct[i] for i in [*lines, *pieces]] if lines else res.line_pct.values()
        out = {BUS_VOLTAGE_PU: vm, LINE_LOADING_PCT: _max(loading)}
        trafo = self._feeder_trafos.get(tap.group) if tap.group is not None else None
        if trafo is not None:
            out[TRAFO_LOADING_PCT] = res.trafo_pct[trafo]
        elif res.trafo_pct:
            out[TRAFO_LOADING_PCT] = _max(res.trafo_pct.values())
        return out


# -------------------------------------------------------------------- building blocks
def _max(values: Iterable[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return max(finite) if finite else float("nan")


def _floats(series: pd.Series) -> dict[int, float]:
    return dict(zip(series.index.astype(int), series.to_numpy(dtype=float).tolist()))


def _islands(net: pp.pandapowerNet) -> dict[int, int]:
    """Return bus → island: the buses joined by lines, closed bus switches and transformers.

    The external grids' buses are left out: an external grid holds its bus at a set voltage
    (an ideal source), so the load flows of the parts it feeds do not depend on each other —
    a part solved alone, with the grid's bus and external grid, gives the same results.
    """
    slack = set(net.ext_grid.bus[net.ext_grid.in_service].astype(int))
    switches = net.switch[(net.switch.et == "b") & net.switch.closed]
    pairs = [
        net.line[["from_bus", "to_bus"]].to_numpy(dtype=int),
        switches[["bus", "element"]].to_numpy(dtype=int),
        net.trafo[["hv_bus", "lv_bus"]].to_numpy(dtype=int),
    ]
    edges = np.concatenate([p.reshape(-1, 2) for p in pairs])
    edges = edges[~np.isin(edges, list(slack)).any(axis=1)]
    buses = net.bus.index.to_numpy(dtype=int)
    pos = pd.Series(np.arange(len(buses)), index=buses)
    n = len(buses)
    graph = coo_matrix(
        (np.ones(len(edges)), (pos[edges[:, 0]].to_numpy(), pos[edges[:, 1]].to_numpy())), (n, n)
    )
    _, label = connected_components(graph, directed=False)
    return {int(b): int(k) for b, k in zip(buses, label) if int(b) not in slack}


_BUS_ELEMENTS = ("ext_grid", "load", "sgen", "gen", "shunt", "storage", "ward", "xward")


def _subnet(net: pp.pandapowerNet, buses: set[int], empty: pp.pandapowerNet) -> pp.pandapowerNet:
    """Return the buses' part of a layer model: ``empty`` filled, indices kept.

    What the buses hold, their lines, transformers and bus switches (``pandapower.select_subnet``
    without its 0.1 s of building an empty network each time).
    """
    empty["std_types"] = copy.deepcopy(net["std_types"])
    empty.bus = net.bus.loc[sorted(buses)]
    for element in _BUS_ELEMENTS:
        empty[element] = net[element][net[element].bus.isin(buses)]
    empty.line = net.line[net.line.from_bus.isin(buses) & net.line.to_bus.isin(buses)]
    empty.trafo = net.trafo[net.trafo.hv_bus.isin(buses) & net.trafo.lv_bus.isin(buses)]
    switch = net.switch
    empty.switch = switch[(switch.et == "b") & switch.bus.isin(buses) & switch.element.isin(buses)]
    return empty


def _add_spares(net: pp.pandapowerNet) -> tuple[int, tuple[int, int], int]:
    """Create the spare bus, line pieces and load the checks switch in (out of service)."""
    vn = float(net.bus.vn_kv.iloc[0]) if len(net.bus) else 10.0
    bus = int(pp.create_bus(net, vn_kv=vn, name="linkplan tap", in_service=False))
    pieces = tuple(
        int(
            pp.create_line_from_parameters(
                net,
                bus,
                bus,
                length_km=1.0,
                r_ohm_per_km=0.1,
                x_ohm_per_km=0.1,
                c_nf_per_km=0.0,
                max_i_ka=1.0,
                name=f"linkplan tap {k}",
                in_service=False,
            )
        )
        for k in (1, 2)
    )
    load = int(pp.create_load(net, bus, p_mw=0.0, name="linkplan new load", in_service=False))
    return bus, (pieces[0], pieces[1]), load


def _net_segments(net: pp.pandapowerNet) -> list[_Segment]:
    """Return the lines of an imported network as segments (straight between its buses)."""
    xy = {i: _point(g) for i, g in net.bus.get("geo", pd.Series(dtype=object)).items()}
    feeders = net.line.get("feeder_id", None)
    out = []
    for i, row in net.line.iterrows():
        name = row["name"] if isinstance(row["name"], str) and row["name"] else str(i)
        a, b = xy.get(row["from_bus"]), xy.get(row["to_bus"])
        geom = LineString([a, b]) if a is not None and b is not None and a != b else None
        feeder = None if feeders is None or pd.isna(feeders.at[i]) else str(feeders.at[i])
        out.append(_Segment(int(i), name, feeder, geom))
    return out


def _point(geo: Any) -> tuple[float, float] | None:
    """Return a bus's coordinates from pandapower's GeoJSON ``geo`` column."""
    if not isinstance(geo, str):
        return None
    coords = json.loads(geo).get("coordinates")
    return (float(coords[0]), float(coords[1])) if coords else None


def _modelled_lines(power: gpd.GeoDataFrame, statuses: Sequence[str]) -> gpd.GeoDataFrame:
    if power.crs is not None and power.crs.is_geographic:
        msg = f"{_LAYER} 须为投影坐标（米），当前为 {power.crs.to_string()} (the layer must be in metres)"
        raise ModelError(msg)
    for name in ("asset_id", "voltage_kv", "feeder_id"):
        if name not in power.columns:
            msg = (
                f"{_LAYER} 缺少字段 {name}，潮流计算需要 (the power layer lacks the field {name!r})"
            )
            raise ModelError(msg)
    keep = power[power["status"].isin(list(statuses))] if "status" in power else power
    keep = keep.explode(index_parts=False)
    bad = keep[~(keep["voltage_kv"] > 0)]
    if len(bad):
        msg = f"{_LAYER} 线路 {bad['asset_id'].iloc[0]} 的 voltage_kv 为 {bad['voltage_kv'].iloc[0]}，应为正数（kV） (voltage_kv must be positive)"
        raise ModelError(msg)
    return keep.reset_index(drop=True)


def _substations(sources: gpd.GeoDataFrame | None, lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if sources is None or not len(sources):
        msg = f"工作空间没有 {_SOURCES} 图层，没有变电站（供电潮流计算需要变电站） (no sources layer: the load flow needs substations)"
        raise ModelError(msg)
    need = ("source_id", "utility", "kind", "voltage_kv", "capacity_kva", "feeders")
    missing = [c for c in need if c not in sources.columns]
    if missing:
        msg = f"{_SOURCES} 缺少字段 {', '.join(missing)}，供电潮流计算需要变电站 (the sources layer lacks {missing})"
        raise ModelError(msg)
    subs = sources[(sources["utility"] == "power") & (sources["kind"] == "substation")]
    if not len(subs):
        msg = f"{_SOURCES} 中没有变电站（utility=power, kind=substation） (no substation in the sources layer)"
        raise ModelError(msg)
    known = set(lines["feeder_id"].dropna().astype(str))
    for s in subs[list(need)].to_dict("records"):
        for name in ("voltage_kv", "capacity_kva"):
            if not (pd.notna(s[name]) and float(s[name]) > 0):
                msg = f"{_SOURCES} 变电站 {s['source_id']} 的 {name} 为 {s[name]}，应为正数 ({name} of substation {s['source_id']} must be positive)"
                raise ModelError(msg)
        unknown = [f for f in _feeder_list(s["feeders"]) if f not in known]
        if unknown or not _feeder_list(s["feeders"]):
            msg = f"{_SOURCES} 变电站 {s['source_id']} 的 feeders 为 {s['feeders']!r}，应列出{_LAYER}中现状馈线的 feeder_id（未找到：{', '.join(unknown) or '空'}） (feeders must name feeder_id values of existing power lines)"
            raise ModelError(msg)
    return subs


def _feeder_list(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [f.strip() for f in value.split(",") if f.strip()]


def _std_type(voltage_kv: float, asset: str) -> str:
    for top, name in LINE_STD_TYPES:
        if voltage_kv <= top:
            return name
    msg = f"{_LAYER} 线路 {asset} 电压 {voltage_kv} kV 超出配电网模型范围（≤ 110 kV） (voltage above 110 kV)"
    raise ModelError(msg)


_Level = tuple[float, str | None]
"""Lines that may share a bus: the same voltage (kV) and feeder (ties between feeders are open)."""


class _Nodes:
    """Line ends snapped within the tolerance, per level (:data:`_Level`); buses made at once."""

    def __init__(self) -> None:
        self.xy: list[tuple[float, float]] = []
        self.level: list[_Level] = []
        self.bus: list[int] = []
        self._grid: dict[tuple[_Level, int, int], list[int]] = {}

    def at(self, xy: tuple[float, float], level: _Level) -> int:
        """Return the node at ``xy`` (within the tolerance) of this level, added if new."""
        gx, gy = math.floor(xy[0] / SNAP_TOLERANCE_M), math.floor(xy[1] / SNAP_TOLERANCE_M)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for n in self._grid.get((level, gx + dx, gy + dy), []):
                    if math.dist(self.xy[n], xy) <= SNAP_TOLERANCE_M:
                        return n
        self.xy.append(xy)
        self.level.append(level)
        self._grid.setdefault((level, gx, gy), []).append(len(self.xy) - 1)
        return len(self.xy) - 1

    def create_buses(self, net: pp.pandapowerNet) -> None:
        """Create one bus per node (in one call: pandapower's per-element calls are slow)."""
        kv = [lv[0] for lv in self.level]
        self.bus = [int(b) for b in pp.create_buses(net, len(kv), kv, geodata=self.xy)]


def _build_lines(net: pp.pandapowerNet, lines: gpd.GeoDataFrame) -> tuple[list[_Segment], _Nodes]:
    """Add buses at the line ends (snapped) and the lines, split where another line ends."""
    nodes = _Nodes()
    geoms = [LineString(g.coords) for g in lines.geometry]
    levels: list[_Level] = [
        (float(kv), None if pd.isna(f) else str(f))
        for kv, f in zip(lines["voltage_kv"], lines["feeder_id"])
    ]
    for g, level in zip(geoms, levels):
        nodes.at(_xy(g.coords[0]), level)
        nodes.at(_xy(g.coords[-1]), level)
    points = [Point(p) for p in nodes.xy]
    tree = STRtree(points)
    pieces: list[tuple[str, str | None, LineString, int, int, str]] = []
    for asset, geom, level in zip(lines["asset_id"].astype(str), geoms, levels):
        std = _std_type(level[0], asset)
        inner = {
            geom.project(points[n])
            for n in tree.query(geom, predicate="dwithin", distance=SNAP_TOLERANCE_M)
            if nodes.level[n] == level
        }
        cuts = sorted(
            {0.0, geom.length}
            | {d for d in inner if SNAP_TOLERANCE_M < d < geom.length - SNAP_TOLERANCE_M}
        )
        for a, b in zip(cuts[:-1], cuts[1:]):
            piece = substring(geom, a, b)
            frm = nodes.at(_xy(piece.coords[0]), level)
            to = nodes.at(_xy(piece.coords[-1]), level)
            if frm != to:
                pieces.append((asset, level[1], piece, frm, to, std))
    nodes.create_buses(net)
    if not pieces:
        msg = f"{_LAYER} 中没有可建模的现状线路 (no existing line to model)"
        raise ModelError(msg)
    index = pp.create_lines(
        net,
        [nodes.bus[p[3]] for p in pieces],
        [nodes.bus[p[4]] for p in pieces],
        [p[2].length / 1000.0 for p in pieces],
        [p[5] for p in pieces],
        name=[p[0] for p in pieces],
    )
    part = _parts(net, [int(i) for i in index])
    return [
        _Segment(int(i), a, f, g, part[nodes.bus[frm]])
        for i, (a, f, g, frm, _, _) in zip(index, pieces)
    ], nodes


def _parts(net: pp.pandapowerNet, lines: list[int]) -> dict[int, int]:
    """Return bus → connected part (the smallest bus index in it) over ``lines``."""
    parent: dict[int, int] = {}

    def root(b: int) -> int:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for frm, to in net.line.loc[lines, ["from_bus", "to_bus"]].to_numpy():
        ra, rb = root(int(frm)), root(int(to))
        parent[max(ra, rb)] = min(ra, rb)
    return {b: root(b) for b in list(parent)}


def _xy(c: Sequence[float]) -> tuple[float, float]:
    return (float(c[0]), float(c[1]))


def _build_substations(
    net: pp.pandapowerNet,
    subs: gpd.GeoDataFrame,
    segments: list[_Segment],
    nodes: _Nodes,
) -> tuple[dict[_Group, int], dict[_Group, int]]:
    """Add a transformer per substation; return (feeder, part) → transformer and head bus.

    The transformers' high-voltage sides share one bus per voltage with one external grid
    (1.0 pu, an ideal source: the same load flow as an external grid per substation).
    """
    kv = [float(v) for v in subs["voltage_kv"]]
    hv_kv = [110.0 if v <= 35.0 else 220.0 for v in kv]
    hv_bus = {}
    for level in sorted(set(hv_kv)):
        hv_bus[level] = int(pp.create_bus(net, vn_kv=level, name=f"{level:g} kV grid"))
        pp.create_ext_grid(net, hv_bus[level], vm_pu=1.0, name=f"{level:g} kV grid")
    names = [str(n) for n in subs["source_id"]]
    lv = pp.create_buses(net, len(kv), kv, name=[f"{n} LV" for n in names])
    trafo = pp.create_transformers_from_parameters(
        net,
        [hv_bus[h] for h in hv_kv],
        lv,
        sn_mva=[float(c) / 1000.0 for c in subs["capacity_kva"]],
        vn_hv_kv=hv_kv,
        vn_lv_kv=kv,
        vkr_percent=TRAFO_VKR_PERCENT,
        vk_percent=TRAFO_VK_PERCENT,
        pfe_kw=0.0,
        i0_percent=0.0,
        name=names,
    )
    xy_of = dict(zip(nodes.bus, nodes.xy))
    feeder_buses = _buses_by_group(net, segments)
    part = {b: g[1] for g, bs in feeder_buses.items() for b in bs}
    trafos: dict[_Group, int] = {}
    heads: dict[_Group, int] = {}
    joins: list[tuple[int, int]] = []
    by_feeder: dict[str, list[int]] = {}
    for (f, _), bs in feeder_buses.items():
        by_feeder.setdefault(f, []).extend(bs)
    for k, (here, served) in enumerate(zip(subs.geometry, subs["feeders"])):
        for feeder in _feeder_list(served):
            buses = by_feeder.get(feeder, [])
            if not buses:
                msg = f"{_LAYER} 中馈线 {feeder} 没有可建模的现状线路 (feeder {feeder} has no modelled line)"
                raise ModelError(msg)
            pos = np.array([xy_of[b] for b in buses], dtype=float)
            head = buses[int(np.argmin(np.hypot(pos[:, 0] - here.x, pos[:, 1] - here.y)))]
            if net.bus.at[head, "vn_kv"] != kv[k]:
                msg = f"{_SOURCES} 变电站 {names[k]} 电压 {kv[k]:g} kV 与馈线 {feeder} 的电压 {net.bus.at[head, 'vn_kv']:g} kV 不一致 (voltage mismatch)"
                raise ModelError(msg)
            trafos.setdefault((feeder, part[head]), int(trafo[k]))
            heads.setdefault((feeder, part[head]), int(head))
            joins.append((int(lv[k]), int(head)))
    pp.create_switches(net, [j[0] for j in joins], [j[1] for j in joins], et="b")
    return trafos, heads


def _buses_by_group(net: pp.pandapowerNet, segments: list[_Segment]) -> dict[_Group, list[int]]:
    """Return (feeder, part) → the buses of its lines."""
    out: dict[_Group, set[int]] = {}
    frm, to = net.line.from_bus.astype(int).to_dict(), net.line.to_bus.astype(int).to_dict()
    for seg in segments:
        if seg.group is not None:
            out.setdefault(seg.group, set()).update((frm[seg.line], to[seg.line]))
    return {g: sorted(bs) for g, bs in out.items()}


def _existing_loads(
    net: pp.pandapowerNet,
    lines: gpd.GeoDataFrame,
    segments: list[_Segment],
    heads: dict[_Group, int],
    *,
    power_factor: float,
) -> None:
    """Add each fed feeder part's rating less its spare capacity, spread over its buses."""
    if "spare_capacity_kva" not in lines:
        return
    spare_of = dict(zip(lines["asset_id"].astype(str), lines["spare_capacity_kva"]))
    buses_of = _buses_by_group(net, segments)
    at: list[int] = []
    s_mva: list[float] = []
    segs_of: dict[_Group, list[_Segment]] = {}
    for seg in segments:
        if seg.group is not None:
            segs_of.setdefault(seg.group, []).append(seg)
    for group, head in heads.items():
        segs = segs_of[group]
        spares = [float(spare_of[s.asset]) for s in segs if pd.notna(spare_of[s.asset])]
        buses = [b for b in buses_of[group] if b != head]
        if not spares or not buses:
            continue
        kv, max_i = float(net.bus.at[head, "vn_kv"]), float(net.line.at[segs[0].line, "max_i_ka"])
        existing = max(math.sqrt(3.0) * kv * max_i * 1000.0 - min(spares), 0.0)
        at += buses
        s_mva += [existing / 1000.0 / len(buses)] * len(buses)
    if at:
        q_share = math.sqrt(max(1.0 - power_factor**2, 0.0))
        p = [s * power_factor for s in s_mva]
        q = [s * q_share for s in s_mva]
        pp.create_loads(net, at, p_mw=p, q_mvar=q, name=["existing"] * len(at))


def demo_substations(
    power: gpd.GeoDataFrame,
    *,
    capacity_kva: float = 40000.0,
    voltage_kv: float = 10.0,
) -> gpd.GeoDataFrame:
    """Make the ``sources`` rows a power layer like the demo district's needs.

    Each connected part of each existing feeder of ``voltage_kv`` (the demo district's feeders
    stop short of the junctions, so a feeder id may name several separate runs) gets a
    substation (``capacity_kva``: a 40 MVA 110/10 kV transformer by default) at its line end
    farthest to the south-west, named ``SS-<feeder_id>-<n>``. For the demo district
    (``data/demo_district.py`` may ship these rows as its ``sources`` layer) and tests.
    """
    feeders = power[
        (power["status"] == "existing")
        & (power["voltage_kv"] == voltage_kv)
        & power["feeder_id"].notna()
    ]
    rows = []
    for feeder, group in feeders.groupby("feeder_id", sort=True):
        lines = list(group.geometry.explode(index_parts=False))
        blobs = unary_union([g.buffer(SNAP_TOLERANCE_M) for g in lines])
        for n, blob in enumerate(getattr(blobs, "geoms", [blobs]), start=1):
            ends = [
                _xy(c) for g in lines if blob.intersects(g) for c in (g.coords[0], g.coords[-1])
            ]
            rows.append(
                {
                    "source_id": f"SS-{feeder}-{n}",
                    "utility": "power",
                    "kind": "substation",
                    "voltage_kv": voltage_kv,
                    "capacity_kva": capacity_kva,
                    "feeders": str(feeder),
                    "geometry": Point(min(ends, key=lambda p: (p[0] + p[1], p[0]))),
                }
            )
    columns = ["source_id", "utility", "kind", "voltage_kv", "capacity_kva", "feeders"]
    frame = pd.DataFrame(rows, columns=[*columns, "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=power.crs)
