"""Whether a gas or heat tap holds with the new demand: a capacity run against the profile.

Pure policy: a :class:`~gis.simulation.result.CapacityRun` (what pandapipes measured, see
:mod:`gis.simulation.pipes`) is compared with the profile's ``capacity.gas`` and
``capacity.heat`` limits; each limit broken is a :class:`~planning.approval.Reason` whose
Chinese text gives the measured number, the limit and the standard it comes from. An empty
list passes. (To merge into :mod:`planning.capacity` next to the water and power judges.)
"""

from __future__ import annotations

import re

from gis import vocabulary
from gis.profile import Profile
from gis.simulation.result import (
    CUSTOMER_MIN_PRESSURE_MPA,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    CapacityRun,
)
from planning.approval import Reason

__all__ = ["judge_gas", "judge_heat"]

_RULE = "R1"
_KPA_PER_MPA = 1000.0


def judge_gas(run: CapacityRun, profile: Profile, *, pressure_class: str) -> list[Reason]:
    """Judge a gas run: tap and customers' pressure by class, and the highest velocity.

    Parameters
    ----------
    run
        The run with the new demand at the tap (``after``).
    profile
        Limits: ``capacity.gas.min_tap_pressure_kpa`` (by class), ``max_velocity_m_s``.
    pressure_class
        The tapped main's pressure class (``low``, ``medium_b``, ``medium_a``).

    Returns
    -------
    list of Reason
        Empty when the tap holds.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> run = CapacityRun("gas", "pandapipes", "G1", 30.0, "m³/h",
    ...                   after={"tap_pressure_mpa": 0.0008, "max_velocity_m_s": 4.0})
    >>> print(judge_gas(run, load_profile(), pressure_class="low")[0].text)
    接入点压力 0.80 kPa（新增用气 30 m³/h 后），低于低压管道最低接入压力 1.50 kPa（GB 50028-2006 城镇燃气设计规范）
    """
    limits = profile.capacity.gas
    if not run.converged or not run.after:
        return [_not_converged(run, "用气")]
    minimum = limits.min_tap_pressure_kpa.get(pressure_class)
    label = vocabulary.GAS_PRESSURE_CLASSES.labels().get(pressure_class, pressure_class)
    norm = _standard(profile, "capacity.gas.min_tap_pressure_kpa")
    reasons: list[Reason] = []
    if minimum is not None:
        for key, what, code in _PRESSURES:
            value = run.after.get(key)
            if value is not None and value * _KPA_PER_MPA < minimum:
                text = (
                    f"{what} {value * _KPA_PER_MPA:.2f} kPa{_after(run, '用气')}，"
                    f"低于{label}管道最低接入压力 {minimum:.2f} kPa（{norm}）"
                )
                reasons.append(Reason(_RULE, code, text))
    reasons += _velocity(run, limits.max_velocity_m_s, "用气", profile, "capacity.gas")
    return reasons


def judge_heat(run: CapacityRun, profile: Profile) -> list[Reason]:
    """Judge a hot-water run: the available differential at the tap and customers, velocity.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> run = CapacityRun("heat", "pandapipes", "H1", 4000.0, "kW",
    ...                   after={"tap_pressure_mpa": 0.012, "max_velocity_m_s": 1.4})
    >>> print(judge_heat(run, load_profile())[0].text)
    接入点资用压差 0.012 MPa（新增热负荷 4000 kW 后），低于最小资用压差 0.050 MPa（CJJ 34-2010 城镇供热管网设计规范）
    """
    limits = profile.capacity.heat
    if not run.converged or not run.after:
        return [_not_converged(run, "热负荷")]
    norm = _standard(profile, "capacity.heat.min_differential_mpa")
    reasons: list[Reason] = []
    for key, what, code in _DIFFERENTIALS:
        value = run.after.get(key)
        if value is not None and value < limits.min_differential_mpa:
            text = (
                f"{what} {value:.3f} MPa{_after(run, '热负荷')}，"
                f"低于最小资用压差 {limits.min_differential_mpa:.3f} MPa（{norm}）"
            )
            reasons.append(Reason(_RULE, code, text))
    reasons += _velocity(run, limits.max_velocity_m_s, "热负荷", profile, "capacity.heat")
    return reasons


_PRESSURES = (
    (TAP_PRESSURE_MPA, "接入点压力", "capacity_tap_pressure"),
    (CUSTOMER_MIN_PRESSURE_MPA, "现有用户最低压力", "capacity_customer_pressure"),
)
_DIFFERENTIALS = (
    (TAP_PRESSURE_MPA, "接入点资用压差", "capacity_differential"),
    (CUSTOMER_MIN_PRESSURE_MPA, "现有用户最低资用压差", "capacity_customer_differential"),
)


def _velocity(
    run: CapacityRun, maximum: float, noun: str, profile: Profile, section: str
) -> list[Reason]:
    value = run.after.get(MAX_VELOCITY_M_S)
    if value is None or value <= maximum:
        return []
    norm = _standard(profile, f"{section}.max_velocity_m_s")
    text = (
        f"管网最大流速 {value:.1f} m/s{_after(run, noun)}，超过允许流速 {maximum:.1f} m/s（{norm}）"
    )
    return [Reason(_RULE, "capacity_velocity", text)]


def _not_converged(run: CapacityRun, noun: str) -> Reason:
    text = (
        f"新增{noun} {run.demand:g} {run.demand_unit} 后管网水力计算不收敛或接入点与气源/热源断开"
        f"{_outage(run)}（{run.engine}），管道 {run.tap_asset} 不具备接入条件"
    )
    return Reason(_RULE, "capacity_not_converged", text)


def _after(run: CapacityRun, noun: str) -> str:
    return f"（新增{noun} {run.demand:g} {run.demand_unit} 后{_outage(run)}）"


def _outage(run: CapacityRun) -> str:
    return f"，管道 {run.outage} 停运时" if run.outage else ""


def _standard(profile: Profile, key: str) -> str:
    """Return the standard a limit comes from: its source's first clause (``GB 50028-2006 …``)."""
    return re.split(r",| \(|；|;", profile.source(key), maxsplit=1)[0].strip()
