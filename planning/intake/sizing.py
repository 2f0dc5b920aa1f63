"""The demand summary of a form: the quantities a connection is sized with.

Water peak hourly flow ``Q_d × K_h / T`` with the profile's ``demand.water_peak_factor`` and
``demand.water_hours_per_day``; gas totals ``Σ count × per-unit load`` over the equipment rows
(the form's 天然气负荷 are per unit); steam, power and telecom as on the form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from gis.errors import ProfileError
from gis.profile import Profile, load_profile

__all__ = [
    "DEFAULT_PROFILE",
    "DemandSummary",
    "GasSizing",
    "HeatSizing",
    "PowerSizing",
    "TelecomSizing",
    "WaterSizing",
    "summarise",
    "water_factors",
]

if TYPE_CHECKING:
    from planning.intake.form import Intake
    from planning.suitability import Demand

DEFAULT_PROFILE = "jingmen-2023"
"""Profile read by :meth:`Intake.demand_summary` when none is given."""


@dataclass(frozen=True)
class WaterSizing:
    """Water sizing: ``peak_m3_h = daily_m3 × peak_factor / hours_per_day``."""

    daily_m3: float
    peak_factor: float
    hours_per_day: float
    peak_m3_h: float


@dataclass(frozen=True)
class PowerSizing:
    """Power sizing in kVA; a backup capacity means a second route to another feeder."""

    business_type: str
    main_kva: float
    backup_kva: float

    @property
    def needs_second_feeder(self) -> bool:
        """``True`` when a backup supply (备供) was requested."""
        return self.backup_kva > 0


@dataclass(frozen=True)
class GasSizing:
    """Gas sizing: totals over the equipment rows, ``Σ count × per-unit load`` (m³/h)."""

    normal_m3_h: float
    full_load_m3_h: float
    max_working_pressure_kpa: float | None
    units: int


@dataclass(frozen=True)
class HeatSizing:
    """Steam sizing; ``annual_t = normal_t_h × hours_per_day × days_per_year`` when both are given."""

    pressure_mpa: float
    temperature_c: float
    normal_t_h: float
    full_load_t_h: float
    annual_t: float | None


@dataclass(frozen=True)
class TelecomSizing:
    """Telecom needs as on the form."""

    ftth: bool
    weak_current_ready: bool
    bandwidth_households: int
    base_stations: int
    cable_tv_households: int
    free_operator_choice: bool
    preferred_operators: tuple[str, ...]


@dataclass(frozen=True)
class DemandSummary:
    """Sizing quantities per requested utility (``None`` for a utility not requested)."""

    utilities: tuple[str, ...]
    water: WaterSizing | None = None
    power: PowerSizing | None = None
    gas: GasSizing | None = None
    heat: HeatSizing | None = None
    telecom: TelecomSizing | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return plain data (for JSON and tables)."""
        return asdict(self)

    def to_demand(self, *, profile: Profile | str = DEFAULT_PROFILE) -> Demand:
        """Return the quantities :mod:`planning.suitability` sizes a connection with.

        Gas and steam are taken at full load; telecom needs the profile's
        ``suitability.telecom_operators_free_choice`` operators when the user may choose freely,
        else as many as the preferred operators (at least one).
        """
        # imported here: planning.suitability pulls in geopandas, the form itself does not
        from planning.suitability import Demand

        prof = load_profile(profile) if isinstance(profile, str) else profile
        operators = 1
        if self.telecom is not None:
            if self.telecom.free_operator_choice:
                operators = prof.suitability.telecom_operators_free_choice
            else:
                operators = max(1, len(self.telecom.preferred_operators))
        return Demand(
            utilities=self.utilities,
            water_peak_m3_h=self.water.peak_m3_h if self.water else 0.0,
            gas_peak_m3_h=self.gas.full_load_m3_h if self.gas else 0.0,
            steam_pressure_mpa=self.heat.pressure_mpa if self.heat else 0.0,
            steam_temperature_c=self.heat.temperature_c if self.heat else 0.0,
            steam_t_h=self.heat.full_load_t_h if self.heat else 0.0,
            power_kva=self.power.main_kva if self.power else 0.0,
            backup_kva=self.power.backup_kva if self.power else 0.0,
            operators_needed=operators,
        )


def water_factors(profile: Profile) -> tuple[float, float]:
    """Return the profile's water peak factor ``K_h`` and hours per day ``T``, checked.

    Raises
    ------
    ProfileError
        If ``K_h`` is not positive or ``T`` is not in (0, 24].
    """
    factor = profile.demand.water_peak_factor
    hours = profile.demand.water_hours_per_day
    if not (factor > 0 and 0 < hours <= 24):
        msg = (
            f"profile {profile.name!r}: demand.water_peak_factor must be > 0 and "
            f"demand.water_hours_per_day in (0, 24], got {factor} and {hours}"
        )
        raise ProfileError(msg)
    return factor, hours


def summarise(intake: Intake, *, profile: Profile | str = DEFAULT_PROFILE) -> DemandSummary:
    """Return the sizing quantities of every requested utility of ``intake``.

    See :meth:`planning.intake.Intake.demand_summary`, which calls this.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    wanted = set(intake.utilities)
    return DemandSummary(
        utilities=intake.requested,
        water=_water(intake, prof) if "water" in wanted else None,
        power=_power(intake) if "power" in wanted else None,
        gas=_gas(intake) if "gas" in wanted else None,
        heat=_heat(intake) if "heat" in wanted else None,
        telecom=_telecom(intake) if "telecom" in wanted else None,
    )


def _water(intake: Intake, profile: Profile) -> WaterSizing | None:
    if intake.water is None:
        return None
    factor, hours = water_factors(profile)
    daily = intake.water.water_m3_day
    return WaterSizing(
        daily_m3=daily,
        peak_factor=factor,
        hours_per_day=hours,
        peak_m3_h=daily * factor / hours,
    )


def _power(intake: Intake) -> PowerSizing | None:
    if intake.power is None:
        return None
    return PowerSizing(
        business_type=intake.power.business_type,
        main_kva=intake.power.main_capacity_kva,
        backup_kva=intake.power.backup_capacity_kva,
    )


def _gas(intake: Intake) -> GasSizing | None:
    if intake.gas is None:
        return None
    rows = intake.gas.equipment
    pressures = [r.working_pressure_kpa for r in rows if r.working_pressure_kpa is not None]
    return GasSizing(
        normal_m3_h=sum(r.count * r.normal_m3_h for r in rows),
        full_load_m3_h=sum(r.count * r.full_load_m3_h for r in rows),
        max_working_pressure_kpa=max(pressures) if pressures else None,
        units=sum(r.count for r in rows),
    )


def _heat(intake: Intake) -> HeatSizing | None:
    h = intake.heat
    if h is None:
        return None
    annual = None
    if h.hours_per_day is not None and h.days_per_year is not None:
        annual = h.normal_t_h * h.hours_per_day * h.days_per_year
    return HeatSizing(
        pressure_mpa=h.pressure_mpa,
        temperature_c=h.temperature_c,
        normal_t_h=h.normal_t_h,
        full_load_t_h=h.full_load_t_h,
        annual_t=annual,
    )


def _telecom(intake: Intake) -> TelecomSizing | None:
    t = intake.telecom
    if t is None:
        return None
    return TelecomSizing(
        ftth=t.ftth,
        weak_current_ready=t.weak_current_ready,
        bandwidth_households=t.bandwidth_households,
        base_stations=t.base_stations,
        cable_tv_households=t.cable_tv_households,
        free_operator_choice=t.free_operator_choice,
        preferred_operators=tuple(t.preferred_operators),
    )
