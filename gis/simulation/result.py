"""What a capacity run measured: values before and after the new demand, at the tap and worst.

Every model returns the same shape (:class:`CapacityRun`); the measures are named by the
constants below, with their unit in the name, so :mod:`planning.capacity` compares them with
the profile's limits without knowing the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BUS_VOLTAGE_PU",
    "CUSTOMER_MIN_PRESSURE_MPA",
    "LINE_LOADING_PCT",
    "MAX_VELOCITY_M_S",
    "TAP_PRESSURE_MPA",
    "TRAFO_LOADING_PCT",
    "CapacityRun",
    "ModelError",
]

# water, gas, heat
TAP_PRESSURE_MPA = "tap_pressure_mpa"
"""Pressure at the tap (gauge, MPa; heat: supply minus return, the available differential)."""
CUSTOMER_MIN_PRESSURE_MPA = "customer_min_pressure_mpa"
"""The lowest pressure at any existing demand node of the network (gauge, MPa)."""
MAX_VELOCITY_M_S = "max_velocity_m_s"
"""The highest flow velocity in any pipe (m/s)."""
# power
BUS_VOLTAGE_PU = "bus_voltage_pu"
"""Voltage at the tap's bus, per unit of its nominal voltage."""
LINE_LOADING_PCT = "line_loading_pct"
"""The highest loading of any line of the feeder, % of its thermal rating."""
TRAFO_LOADING_PCT = "trafo_loading_pct"
"""The highest loading of the transformer feeding the tap, % of its rating."""


class ModelError(ValueError):
    """A model cannot be built or run (missing data named); the attribute check applies then."""


@dataclass(frozen=True)
class CapacityRun:
    """One steady-state run of a network model with a new demand at a tap.

    Attributes
    ----------
    utility
        ``water``, ``gas``, ``heat`` or ``power``.
    engine
        The simulator and its version, e.g. ``WNTR 1.5.0 (EPANET 2.2)``, for the outputs.
    tap_asset
        The main tapped (its ``asset_id``).
    demand
        The new demand at the tap, in the model's unit (``demand_unit``).
    demand_unit
        ``L/s`` (water), ``m³/h`` (gas), ``kW`` (heat) or ``kVA`` (power).
    before, after
        Measure name (the constants of this module) → value without and with the new demand.
    converged
        Whether the simulator converged with the new demand (a run that does not is a failure).
    outage
        For a backup supply: the feeder taken out of service in this run (N-1), else ``None``.
    tap_class
        The tapped main's class where the limits depend on it (gas: its pressure class).
    """

    utility: str
    engine: str
    tap_asset: str
    demand: float
    demand_unit: str
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    converged: bool = True
    outage: str | None = None
    tap_class: str | None = None
