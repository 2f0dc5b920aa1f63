"""Power capacity judgement: a load-flow run against the profile's limits (pure).

The run (:class:`gis.simulation.result.CapacityRun`, from :mod:`gis.simulation.power`) gives
the tap bus voltage, the feeder's highest line loading and its transformer's loading with the
new load; :func:`judge_power` compares them with ``profile.capacity.power``: the voltage band
(GB/T 12325-2008, ±7 % for 20 kV and below) and the loadings (DL/T 5729-2016). The reasons are
Chinese and carry the numbers; a run with a feeder out (a backup supply) says so.
"""

from __future__ import annotations

from gis.profile import Profile
from gis.simulation.result import (
    BUS_VOLTAGE_PU,
    LINE_LOADING_PCT,
    TRAFO_LOADING_PCT,
    CapacityRun,
)
from planning.approval import Reason

__all__ = ["judge_power"]

_VOLTAGE_STANDARD = "GB/T 12325-2008"
_LOADING_STANDARD = "DL/T 5729-2016"


def judge_power(run: CapacityRun, profile: Profile) -> list[Reason]:
    """Return why the power run fails the profile's limits (empty: it passes).

    Parameters
    ----------
    run
        A power run (``utility == "power"``) with the new load.
    profile
        Gives ``capacity.power``: ``voltage_band_pu``, ``max_line_loading_pct``,
        ``max_trafo_loading_pct``.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> run = CapacityRun("power", "pandapower", "P-1", 800.0, "kVA",
    ...                   after={"bus_voltage_pu": 0.912, "line_loading_pct": 64.0})
    >>> [r.text for r in judge_power(run, load_profile())]
    ['接入点电压 0.912 p.u.，低于允许下限 0.93 p.u.（GB/T 12325-2008 供电电压偏差）']
    """
    limits = profile.capacity.power
    prefix = f"馈线 {run.outage} 停运时（N-1 备用电源校核），" if run.outage else ""
    if not run.converged:
        text = (
            f"{prefix}接入 {run.demand:g} kVA 后潮流计算不收敛：线路 {run.tap_asset} "
            f"所在电网无法承载该负荷（{_LOADING_STANDARD}）"
        )
        return [Reason("R1", "capacity_power_not_converged", text)]
    after = run.after
    reasons = []
    vm = after.get(BUS_VOLTAGE_PU)
    low, high = limits.voltage_band_pu
    if vm is not None and vm < low:
        reasons.append(
            Reason(
                "R1",
                "capacity_voltage_low",
                f"{prefix}接入点电压 {vm:.3f} p.u.，低于允许下限 {low:g} p.u."
                f"（{_VOLTAGE_STANDARD} 供电电压偏差）",
            )
        )
    if vm is not None and vm > high:
        reasons.append(
            Reason(
                "R1",
                "capacity_voltage_high",
                f"{prefix}接入点电压 {vm:.3f} p.u.，高于允许上限 {high:g} p.u."
                f"（{_VOLTAGE_STANDARD} 供电电压偏差）",
            )
        )
    reasons += _loading(
        after.get(LINE_LOADING_PCT),
        limits.max_line_loading_pct,
        "capacity_line_loading",
        "馈线最大线路负载率",
        prefix,
    )
    reasons += _loading(
        after.get(TRAFO_LOADING_PCT),
        limits.max_trafo_loading_pct,
        "capacity_trafo_loading",
        "变压器负载率",
        prefix,
    )
    return reasons


def _loading(value: float | None, limit: float, code: str, what: str, prefix: str) -> list[Reason]:
    if value is None or value <= limit:
        return []
    text = f"{prefix}{what} {value:.1f}%，超过允许的 {limit:g}%（{_LOADING_STANDARD} 配电网规划设计技术导则）"
    return [Reason("R1", code, text)]
