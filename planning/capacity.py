"""Capacity by simulation: whether the network can carry the new demand at the tap (issue 16).

The framework, used by :mod:`planning.connection` for every utility with a model:

- :func:`build_model`: the utility's model from the workspace's layers (:data:`MODELS`), or
  ``None`` and the Chinese note saying why the attribute check applies instead;
- :func:`demand_for`: the site's demand in the model's unit (water L/s, gas m³/h, heat: steam
  t/h, power kVA), from :class:`planning.suitability.Demand` (peak factors already applied
  where the demand is a peak flow);
- :func:`judge`: the run against the profile's ``capacity`` limits → reasons (empty: passes),
  in Chinese with the numbers and the standard cited (:data:`JUDGES`, one function per utility);
- :func:`summary`: one Chinese sentence with the numbers of a run, for tables and documents.

Water is judged here (:func:`judge_water`); gas, heat and power register their model builder
and judge in :data:`MODELS` and :data:`JUDGES` (blocks below).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Protocol

import geopandas as gpd

from gis import vocabulary
from gis.profile import Profile
from gis.simulation.result import (
    BUS_VOLTAGE_PU,
    CUSTOMER_MIN_PRESSURE_MPA,
    LINE_LOADING_PCT,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    TRAFO_LOADING_PCT,
    CapacityRun,
    ModelError,
)
from planning.approval import Reason
from planning.assessment import CapacityCheck
from planning.suitability import Demand

__all__ = [
    "JUDGES",
    "MODELS",
    "CapacityModel",
    "build_model",
    "demand_for",
    "describe",
    "fallback_note",
    "judge",
    "judge_water",
    "standard",
    "summary",
]


class CapacityModel(Protocol):
    """What every utility's model offers: its engine, and a check of a tap with a new demand."""

    engine: str

    def check(
        self,
        tap_asset: str,
        tap_xy: tuple[float, float],
        demand: float,
        *,
        outage: str | None = None,
    ) -> CapacityRun:
        """Run the network with the new demand at the tap; return before and after."""
        ...


Layers = Mapping[str, gpd.GeoDataFrame]

# --- the framework -------------------------------------------------------------------------------

MEASURES: dict[str, tuple[str, str, int]] = {
    TAP_PRESSURE_MPA: ("接入点压力", "MPa", 3),
    CUSTOMER_MIN_PRESSURE_MPA: ("现状用户最低压力", "MPa", 3),
    MAX_VELOCITY_M_S: ("最大流速", "m/s", 2),
    BUS_VOLTAGE_PU: ("接入点电压", "p.u.", 3),
    LINE_LOADING_PCT: ("线路最大负载率", "%", 1),
    TRAFO_LOADING_PCT: ("变压器负载率", "%", 1),
}
"""Measure → (Chinese name, unit, decimals) for the sentences."""


def _kind(utility: str) -> str:
    """Return the calculation of a utility's check: 水力计算 or 潮流计算."""
    return vocabulary.UTILITIES.label(utility, form="capacity_check") or "计算"


def _water_model(layers: Layers, profile: Profile) -> CapacityModel:
    from gis.simulation.water import WaterModel  # local: WNTR is slow to import

    return WaterModel.from_layers(layers["water"], layers.get("sources"), profile=profile)


def _power_model(layers: Layers, profile: Profile) -> CapacityModel:
    from gis.simulation.power import PowerModel  # local: pandapower is slow to import

    if layers.get("power") is None:
        msg = "工作空间没有供电线路图层 (no power layer)"
        raise ModelError(msg)
    return PowerModel.from_layers(
        layers["power"], layers.get("sources"), power_factor=profile.capacity.power.power_factor
    )


class _GasByClass:
    """A gas model whose runs name the tapped main's pressure class (the limits depend on it)."""

    def __init__(self, model: CapacityModel, classes: Mapping[str, str]) -> None:
        self.model = model
        self.engine = model.engine
        self.classes = classes

    def check(
        self, tap_asset: str, tap_xy: tuple[float, float], demand: float, *, outage: str | None = None
    ) -> CapacityRun:
        """Check the tap on the model; the run carries the main's pressure class."""
        run = self.model.check(tap_asset, tap_xy, demand, outage=outage)
        return dataclasses.replace(run, tap_class=self.classes.get(tap_asset))


def _gas_model(layers: Layers, profile: Profile) -> CapacityModel:
    from gis.simulation.pipes import GasModel  # local: pandapipes is slow to import

    gas = layers.get("gas")
    if gas is None:
        msg = "工作空间没有燃气管网图层 (no gas layer)"
        raise ModelError(msg)
    classes = tuple(profile.suitability.gas_tap_classes)
    model = GasModel.from_layers(gas, layers.get("sources"), tap_classes=classes)
    by_asset = dict(zip(gas["asset_id"].astype(str), gas["pressure_class"].astype(str), strict=True))
    return _GasByClass(model, by_asset)


MODELS: dict[str, Callable[[Layers, Profile], CapacityModel]] = {
    "water": _water_model,
    "power": _power_model,
    "gas": _gas_model,
}
"""Utility → builder of its model from the workspace layers (raises :class:`ModelError`)."""


def build_model(utility: str, layers: Layers, profile: Profile) -> tuple[CapacityModel | None, str]:
    """Return the utility's model, or ``None`` and why the attribute check applies (Chinese).

    >>> from gis.profile import load_profile
    >>> build_model("telecom", {}, load_profile("gb-defaults"))
    (None, '通信无承载能力模型，按管线属性判断')
    """
    name = vocabulary.UTILITIES.label(utility)
    builder = MODELS.get(utility)
    if builder is None:
        return None, f"{name}无承载能力模型，按管线属性判断"
    try:
        return builder(layers, profile), ""
    except ModelError as exc:
        return None, fallback_note(utility, str(exc))


def fallback_note(utility: str, why: str, *, built: bool = False) -> str:
    """Return the note of the attribute check used instead of the model, and why (Chinese).

    ``why`` is the model error, ``中文 (English)``: the note keeps the Chinese. ``built``: the
    model exists but cannot check this tap (the main is not in it).

    >>> fallback_note("water", "供水管线 W9 不在水力模型中 (not in the model)", built=True)
    '供水管线 W9 不在水力模型中，按管径属性判断'
    """
    why = why.split(" (", 1)[0]  # the Chinese part of "中文 (English)"
    model = vocabulary.UTILITIES.label(utility, form="capacity_model")
    basis = vocabulary.UTILITIES.label(utility, form="capacity_attributes")
    return f"{why}，按{basis}属性判断" if built else f"未建立{model}（{why}），按{basis}属性判断"


def demand_for(utility: str, demand: Demand, profile: Profile) -> float:
    """Return the site's demand in the unit of the utility's model (0: nothing to check).

    Water: the peak hourly flow in L/s (``water_peak_m3_h`` is already the peak hour: the
    form's daily volume × K_h / hours; no second factor). Gas: the full-load flow (m³/h) ×
    ``capacity.gas.peak_factor``. Heat: the steam flow (t/h). Power: the main capacity (kVA).

    >>> from gis.profile import load_profile
    >>> demand_for("water", Demand(("water",), water_peak_m3_h=36.0), load_profile("gb-defaults"))
    10.0
    """
    if utility == "water":
        return demand.water_peak_m3_h / 3.6
    if utility == "gas":
        return demand.gas_peak_m3_h * profile.capacity.gas.peak_factor
    if utility == "heat":
        return demand.steam_t_h
    if utility == "power":
        return demand.power_kva
    return 0.0


def _judge_gas(run: CapacityRun, profile: Profile) -> list[Reason]:
    from planning.capacity_pipes import judge_gas

    return judge_gas(run, profile, pressure_class=run.tap_class or "")


def _judge_power(run: CapacityRun, profile: Profile) -> list[Reason]:
    from planning.capacity_power import judge_power

    return judge_power(run, profile)


JUDGES: dict[str, Callable[[CapacityRun, Profile], list[Reason]]] = {
    "gas": _judge_gas,
    "power": _judge_power,
}
"""Utility → its judgement of a run (water below; gas and power in their own modules).

Heat has a model (:class:`gis.simulation.pipes.HeatModel`, hot water) but is not registered:
the 附件2 form states steam (t/h), and the demo's heat network is steam, which the model does
not simulate; heat keeps the attribute check (medium, pressure, temperature)."""


def judge(run: CapacityRun, profile: Profile) -> list[Reason]:
    """Return why the network cannot carry the new demand (empty: it can).

    A run that did not converge fails; otherwise the utility's judge (:data:`JUDGES`) decides.
    """
    if not run.converged:
        name = vocabulary.UTILITIES.label(run.utility)
        return [
            Reason(
                "R1",
                "capacity_not_converged",
                f"{name}管线 {run.tap_asset} 新增 {_number(run.demand)} {run.demand_unit} 后"
                f"{_kind(run.utility)}不收敛：管网无法承担该负荷",
            )
        ]
    judge_utility = JUDGES.get(run.utility)
    return judge_utility(run, profile) if judge_utility is not None else []


def summary(run: CapacityRun) -> str:
    """Return one Chinese sentence with the run's numbers (before → after).

    >>> summary(CapacityRun("water", "WNTR 1.5.0", "W1", 2.5, "L/s",
    ...     {TAP_PRESSURE_MPA: 0.41}, {TAP_PRESSURE_MPA: 0.385}))
    '水力计算（WNTR 1.5.0）：接入管线 W1 新增 2.5 L/s，接入点压力 0.410→0.385 MPa'
    """
    parts = []
    for key, (name, unit, places) in MEASURES.items():
        if key in run.after:
            before = f"{run.before[key]:.{places}f}→" if key in run.before else ""
            parts.append(f"{name} {before}{run.after[key]:.{places}f} {unit}")
    if not run.converged:
        parts.append("计算不收敛")
    head = f"{_kind(run.utility)}（{run.engine}）：接入管线 {run.tap_asset} "
    head += f"新增 {_number(run.demand)} {run.demand_unit}"
    if run.outage:
        head += f"（{run.outage} 停运）"
    return "，".join([head, *parts])


def describe(check: CapacityCheck) -> str:
    """Return the one sentence the outputs show about a tap's capacity check (Chinese).

    The check used; for a simulation, the run of the tap taken with its numbers, and each
    nearer tap refused with its reasons.

    >>> describe(CapacityCheck("attributes", note="未建立水力模型（缺少水源），按管径属性判断"))
    '承载能力：未建立水力模型（缺少水源），按管径属性判断'
    """
    if check.method != "simulation":
        return f"承载能力：{check.note or '按管线属性判断'}"
    parts = []
    for failed in check.failed:
        why = "；".join(r.text for r in failed.reasons)
        parts.append(f"较近的接入管线 {failed.run.tap_asset} 校核未通过（{why}）")
    if check.run is not None:
        taken = "改接" if check.failed else "校核通过"
        parts.append(f"{taken}：{summary(check.run)}")
    else:
        parts.append("范围内无校核通过的接入点")
    return "承载能力：" + "；".join(parts)


def _number(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def standard(profile: Profile, key: str) -> str:
    """Return the standard a profile value cites (``GB 50013-2018``), else its whole source.

    >>> from gis.profile import load_profile
    >>> standard(load_profile("gb-defaults"), "capacity.water.min_service_pressure_mpa")
    'GB 50013-2018'
    """
    source = profile.source(key)
    found = re.search(r"\b(?:GB|CJJ|DL|GB/T|DL/T|CJJ/T)\s*\d+(?:\.\d+)?-\d{4}", source)
    return found.group(0) if found else source


# --- water ---------------------------------------------------------------------------------------


def judge_water(run: CapacityRun, profile: Profile) -> list[Reason]:
    """Judge a water run: pressure at the tap and at existing customers, the highest velocity.

    Fails when, with the new demand, (1) the tap's pressure is below the minimum service
    pressure; (2) the lowest pressure of the existing customers falls below it (when it was
    not already below it: an existing shortfall is not the new connection's doing); (3) the
    highest velocity exceeds the limit and the new demand raised it.
    """
    limits = profile.capacity.water
    low = limits.min_service_pressure_mpa
    cite = standard(profile, "capacity.water.min_service_pressure_mpa")
    out: list[Reason] = []
    tap = run.after.get(TAP_PRESSURE_MPA)
    if tap is not None and tap < low:
        out.append(
            Reason(
                "R1",
                "capacity_tap_pressure",
                f"供水管线 {run.tap_asset} 新增 {_number(run.demand)} L/s 后接入点压力 {tap:.2f} MPa，"
                f"低于最低服务压力 {low:.2f} MPa（{cite}）",
            )
        )
    worst, was = run.after.get(CUSTOMER_MIN_PRESSURE_MPA), run.before.get(CUSTOMER_MIN_PRESSURE_MPA)
    if worst is not None and worst < low and (was is None or was >= low):
        out.append(
            Reason(
                "R1",
                "capacity_customer_pressure",
                f"供水管线 {run.tap_asset} 新增 {_number(run.demand)} L/s 后现状用户最低压力由 "
                f"{(was or 0.0):.2f} MPa 降至 {worst:.2f} MPa，低于最低服务压力 {low:.2f} MPa（{cite}）",
            )
        )
    fast, fast0 = run.after.get(MAX_VELOCITY_M_S), run.before.get(MAX_VELOCITY_M_S, 0.0)
    if fast is not None and fast > limits.max_velocity_m_s and fast > fast0:
        vcite = standard(profile, "capacity.water.max_velocity_m_s")
        out.append(
            Reason(
                "R1",
                "capacity_velocity",
                f"供水管线 {run.tap_asset} 新增 {_number(run.demand)} L/s 后管网最大流速 {fast:.2f} m/s，"
                f"超过 {limits.max_velocity_m_s:.1f} m/s（{vcite}）",
            )
        )
    return out


JUDGES["water"] = judge_water
