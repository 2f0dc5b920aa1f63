"""Which mains may be tapped for a demand (seed 二 公共管网), from profile tables.

The demand decides suitability: water by the main's diameter for the peak flow, gas by pressure
class (sub-high and high are never tapped), steam by medium, pressure and temperature, power by
voltage level for the capacity and spare capacity, telecom by operator. Only ``existing`` mains
are taps unless ``include_planned`` is set (a pre-lay plan's mains, issue 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from gis import vocabulary
from gis.profile import Profile

__all__ = [
    "Demand",
    "Requirement",
    "power_voltage_kv",
    "step_lookup",
    "suitable_mains",
    "water_min_diameter_mm",
]


@dataclass(frozen=True)
class Demand:
    """What a site needs, in the quantities that size a connection.

    Attributes
    ----------
    utilities
        Requested utilities (``water``, ``gas``, ``heat``, ``power``, ``telecom``).
    water_peak_m3_h
        Peak hourly water flow (m³/h).
    gas_peak_m3_h
        Full-load natural gas flow (m³/h).
    steam_pressure_mpa, steam_temperature_c, steam_t_h
        Steam conditions at the site and full-load flow (t/h).
    power_kva, backup_kva
        Main and backup (备供) capacity (kVA); a backup needs a second route to another feeder.
    operators_needed
        Telecom operators that must be reachable (free choice of operator: the profile's number).
    change_of_use
        The works need a change of planning use (改变规划性质): joint approval (R4).
    """

    utilities: tuple[str, ...]
    water_peak_m3_h: float = 0.0
    gas_peak_m3_h: float = 0.0
    steam_pressure_mpa: float = 0.0
    steam_temperature_c: float = 0.0
    steam_t_h: float = 0.0
    power_kva: float = 0.0
    backup_kva: float = 0.0
    operators_needed: int = 1
    change_of_use: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Requirement:
    """The rule a tap must meet, as a key (for grouping sites) and a Chinese description."""

    key: tuple[object, ...]
    text: str


def step_lookup(table: Sequence[Sequence[float]], value: float) -> float:
    """Return the result of the first ``[upper, result]`` row with ``value <= upper``.

    Examples
    --------
    >>> step_lookup([[10, 1.0], [20, 2.0]], 15.0), step_lookup([[10, 1.0], [20, 2.0]], 99.0)
    (2.0, 2.0)
    """
    for upper, result in table:
        if value <= float(upper):
            return float(result)
    return float(table[-1][1])


def water_min_diameter_mm(peak_m3_h: float, profile: Profile) -> float:
    """Return the smallest main diameter (mm) that may serve a peak flow (m³/h).

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> water_min_diameter_mm(10.0, load_profile()), water_min_diameter_mm(60.0, load_profile())
    (100.0, 200.0)
    """
    return step_lookup(profile.suitability.water_min_diameter_mm, peak_m3_h)


def power_voltage_kv(kva: float, profile: Profile) -> float:
    """Return the supply voltage (kV) for a capacity (kVA).

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> power_voltage_kv(630.0, load_profile()), power_voltage_kv(80.0, load_profile())
    (10.0, 0.4)
    """
    return step_lookup(profile.suitability.power_voltage_kv, kva)


def _q(x: float) -> str:
    """Return a demand quantity as people read it: one decimal, two digits below 1.

    Examples
    --------
    >>> _q(3.333333), _q(0.8333333), _q(630.0), _q(0.4)
    ('3.3', '0.83', '630', '0.4')
    """
    return f"{x:.2g}" if abs(x) < 1 else f"{round(x, 1):g}"


def requirement(utility: str, demand: Demand, profile: Profile) -> Requirement:
    """Describe what a suitable main of ``utility`` must be for ``demand``."""
    if utility == "water":
        dn = water_min_diameter_mm(demand.water_peak_m3_h, profile)
        top = profile.suitability.water_max_tap_diameter_mm
        return Requirement(
            ("water", dn, top),
            f"供水管 DN{dn:g}–DN{top:g} 以下（高峰 {_q(demand.water_peak_m3_h)} m³/h）",
        )
    if utility == "gas":
        classes = list(profile.suitability.gas_tap_classes)
        if demand.gas_peak_m3_h > profile.suitability.gas_low_pressure_max_m3_h:
            classes = [c for c in classes if c != "low"]
        return Requirement(
            ("gas", *classes),
            f"燃气管压力级制 {'/'.join(vocabulary.GAS_PRESSURE_CLASSES.label(c) for c in classes)}（负荷 {_q(demand.gas_peak_m3_h)} m³/h；次高压、高压不得直接接户）",
        )
    if utility == "heat":
        return Requirement(
            ("heat", demand.steam_pressure_mpa, demand.steam_temperature_c),
            f"蒸汽管 压力 ≥ {_q(demand.steam_pressure_mpa)} MPa、温度 ≥ {_q(demand.steam_temperature_c)} ℃",
        )
    if utility == "power":
        kv = power_voltage_kv(demand.power_kva, profile)
        return Requirement(
            ("power", kv, demand.power_kva),
            f"{kv:g} kV 线路、剩余容量 ≥ {_q(demand.power_kva)} kVA",
        )
    if utility == "telecom":
        return Requirement(("telecom",), "通信管道（任一运营商）")
    msg = f"unknown utility {utility!r}: expected water, gas, heat, power or telecom"
    raise ValueError(msg)


def suitable_mains(
    utility: str,
    mains: gpd.GeoDataFrame,
    demand: Demand,
    profile: Profile,
    *,
    include_planned: bool = False,
    capacity_kva: float | None = None,
) -> npt.NDArray[np.bool_]:
    """Return a mask of the mains of ``utility`` that may be tapped for ``demand``.

    Parameters
    ----------
    capacity_kva
        For power: the capacity the feeder must have spare (default: the main capacity;
        the backup route uses the backup capacity).
    """
    n = len(mains)
    ok = np.ones(n, dtype=bool)
    if "status" in mains:
        allowed = {"existing", "planned"} if include_planned else {"existing"}
        ok &= mains["status"].isin(allowed).to_numpy()
    if "role" in mains:  # a junction's connecting pipe is never tapped (gis.vocabulary)
        ok &= (mains["role"].astype(object) != "connection").to_numpy()
    if utility == "water":
        dn = mains["diameter_mm"].to_numpy(dtype=float)
        ok &= (dn >= water_min_diameter_mm(demand.water_peak_m3_h, profile)) & (
            dn < profile.suitability.water_max_tap_diameter_mm
        )
    elif utility == "gas":
        req = requirement("gas", demand, profile)
        ok &= mains["pressure_class"].isin(list(req.key[1:])).to_numpy()
    elif utility == "heat":
        ok &= (mains["medium"] == "steam").to_numpy()
        ok &= mains["pressure_mpa"].to_numpy(dtype=float) >= demand.steam_pressure_mpa
        ok &= mains["temperature_c"].to_numpy(dtype=float) >= demand.steam_temperature_c
    elif utility == "power":
        kv = power_voltage_kv(demand.power_kva, profile)
        ok &= np.isclose(mains["voltage_kv"].to_numpy(dtype=float), kv)
        need = demand.power_kva if capacity_kva is None else capacity_kva
        if "spare_capacity_kva" in mains:
            spare = mains["spare_capacity_kva"].to_numpy(dtype=float)
            ok &= np.nan_to_num(spare, nan=0.0) >= need
        elif need > 0:
            ok &= False
    elif utility != "telecom":
        msg = f"unknown utility {utility!r}: expected water, gas, heat, power or telecom"
        raise ValueError(msg)
    return ok
