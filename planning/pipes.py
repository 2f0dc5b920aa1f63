"""Pipe sizing for the cross-section check (seed 三6; rule R9; GB 50289-2016): one pipe's width.

Before pipes can be placed side by side in a shared trench (:mod:`planning.cross_section`),
each needs its width across the trench and the attributes its clearances depend on:
:func:`pipe_for` reads them from the main's layer attributes (water and gas diameter, gas
pressure class, heat medium, power voltage, laying) and the profile's tables
(``cross_section``: ductile-iron outside diameters, duct bank and pre-insulated pair widths,
default laying).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from gis import vocabulary
from gis.errors import CrossSectionError
from gis.profile import Profile
from gis.schema import GAS_PRESSURE_CLASSES, UTILITIES

__all__ = ["LAYINGS", "UTILITY_ZH", "Pipe", "pipe_for"]

UTILITY_ZH: dict[str, str] = vocabulary.UTILITIES.labels(form="pipeline")
"""Names of the pipelines as GB 50289 uses them in its tables."""

LAYINGS: dict[str, tuple[str, ...]] = {
    "power": ("direct_buried", "duct"),
    "telecom": ("direct_buried", "duct"),
    "heat": ("direct_buried", "trench"),
}
"""Laying (敷设方式) that changes a clearance: 直埋, 保护管/管道 (duct), 管沟 (trench)."""

_EPS = 1e-9


@dataclass(frozen=True)
class Pipe:
    """One pipeline (or duct bank) laid in the trench.

    Attributes
    ----------
    utility
        ``water``, ``gas``, ``heat``, ``power`` or ``telecom``.
    asset_id
        The main's or the planned line's id, ``None`` when it has none yet.
    width_m
        Outside width across the trench (outside diameter, pre-insulated pair, duct bank), m.
    attrs
        The layer attributes the order and the clearances depend on (``diameter_mm``,
        ``pressure_class``, ``medium``, ``voltage_kv``, ``laying`` …).
    """

    utility: str
    asset_id: str | None
    width_m: float
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """Return ``utility`` or ``utility:asset_id``: the name used in splits."""
        return self.utility if self.asset_id is None else f"{self.utility}:{self.asset_id}"

    @property
    def label_zh(self) -> str:
        """Return the Chinese name (``给水`` or ``给水 W-1``) used in messages."""
        zh = UTILITY_ZH.get(self.utility, self.utility)
        return zh if self.asset_id is None else f"{zh} {self.asset_id}"


def _where(utility: str, asset_id: str | None) -> str:
    return f"{utility} pipe" + ("" if asset_id is None else f" {asset_id}")


def _positive(utility: str, asset_id: str | None, attrs: Mapping[str, Any], name: str) -> float:
    raw: Any = attrs.get(name)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        got = "missing" if raw is None else f"{raw!r}"
        msg = f"{_where(utility, asset_id)}: field {name!r} is {got}; expected a number > 0"
        raise CrossSectionError(msg)
    return value


def _laying(utility: str, asset_id: str | None, attrs: Mapping[str, Any], profile: Profile) -> str:
    laying = attrs.get("laying")
    if laying is None:
        laying = profile.cross_section.default_laying[utility]
    if laying not in LAYINGS[utility]:
        msg = (
            f"{_where(utility, asset_id)}: field 'laying' is {laying!r}; "
            f"expected one of {', '.join(LAYINGS[utility])}"
        )
        raise CrossSectionError(msg)
    return str(laying)


def _check_utility(utility: str) -> None:
    if utility not in UTILITIES:
        msg = f"unknown utility {utility!r}: expected one of {', '.join(UTILITIES)}"
        raise CrossSectionError(msg)


def _water_outside_mm(dn: float, profile: Profile) -> float:
    table = [(float(a), float(b)) for a, b in profile.cross_section.water_outside_diameter_mm]
    for nominal, outside in table:
        if dn <= nominal + _EPS:
            return outside
    nominal, outside = table[-1]
    return dn + (outside - nominal)


def pipe_for(
    utility: str,
    attrs: Mapping[str, Any],
    *,
    profile: Profile,
    asset_id: str | None = None,
) -> Pipe:
    """Size one pipe from its layer attributes and the profile.

    Parameters
    ----------
    utility
        ``water``, ``gas``, ``heat``, ``power`` or ``telecom``.
    attrs
        Layer attributes (:data:`gis.schema.LAYERS`): water ``diameter_mm``; gas ``pressure_class`` and
        ``diameter_mm``; heat ``medium``; power ``voltage_kv``. Optional ``laying`` (power and
        telecom ``direct_buried`` | ``duct``, heat ``direct_buried`` | ``trench``; default
        ``cross_section.default_laying``) and ``width_m`` (an explicit width, e.g. the utility's
        design of its duct bank, wins over the profile's estimate).
    profile
        A profile with the ``cross_section`` keys (``clearances``).
    asset_id
        Id of the main or planned line; defaults to ``attrs["asset_id"]``.

    Returns
    -------
    Pipe
        Width: water the outside diameter of the DN (ductile iron table); gas its diameter as
        outside diameter; heat, power (by voltage) and telecom a duct/pair width from the profile.
        ``attrs`` carry the resolved ``laying``.

    Raises
    ------
    CrossSectionError
        Unknown utility, or a missing or invalid attribute (named with the expected values).

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("clearances")
    >>> pipe_for("water", {"diameter_mm": 200}, profile=p).width_m
    0.222
    >>> pipe_for("power", {"voltage_kv": 10}, profile=p).attrs["laying"]
    'duct'
    """
    _check_utility(utility)
    if asset_id is None and attrs.get("asset_id") is not None:
        asset_id = str(attrs["asset_id"])
    out: dict[str, Any] = dict(attrs)
    width: float | None = None
    if attrs.get("width_m") is not None:
        width = _positive(utility, asset_id, attrs, "width_m")
    if utility == "water":
        dn = _positive(utility, asset_id, attrs, "diameter_mm")
        if width is None:
            width = _water_outside_mm(dn, profile) / 1000.0
    elif utility == "gas":
        cls = attrs.get("pressure_class")
        if cls not in GAS_PRESSURE_CLASSES:
            msg = (
                f"{_where(utility, asset_id)}: field 'pressure_class' is {cls!r}; "
                f"expected one of {', '.join(GAS_PRESSURE_CLASSES)}"
            )
            raise CrossSectionError(msg)
        d = _positive(utility, asset_id, attrs, "diameter_mm")
        if width is None:
            width = (d + profile.cross_section.gas_outside_allowance_mm) / 1000.0
    elif utility == "heat":
        out["laying"] = _laying(utility, asset_id, attrs, profile)
        if width is None:
            widths = profile.cross_section.heat_width_m
            medium = attrs.get("medium")
            if medium not in widths:
                msg = (
                    f"{_where(utility, asset_id)}: field 'medium' is {medium!r}; "
                    f"expected one of {', '.join(widths)} (or give 'width_m')"
                )
                raise CrossSectionError(msg)
            width = float(widths[medium])
    elif utility == "power":
        kv = _positive(utility, asset_id, attrs, "voltage_kv")
        out["laying"] = _laying(utility, asset_id, attrs, profile)
        if width is None:
            table = profile.cross_section.power_width_m
            width = next((float(w) for up, w in table if kv <= float(up)), float(table[-1][1]))
    else:  # telecom
        out["laying"] = _laying(utility, asset_id, attrs, profile)
        if width is None:
            width = profile.cross_section.telecom_width_m
    return Pipe(utility, asset_id, round(width, 6), MappingProxyType(out))
