"""Chinese wording of the survey package's attributes: surfaces, reasons, sides, tap specs.

Labels come from the vocabulary (:mod:`gis.vocabulary`); this module only composes them into
the values the layers and the checklist carry (``车行道（主干路）``, ``中压B DN160``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from api.report import UTILITY_ZH
from gis import vocabulary
from gis.schema import OPERATOR_NAMES_ZH
from planning.approval import CLASS_ZH, Reason

__all__ = [
    "CROSSING_METHOD_ZH",
    "DEFAULT_CROSSING_METHOD_ZH",
    "ROLE_ZH",
    "TAP_CHECK_ZH",
    "compass_side",
    "finite",
    "main_spec",
    "operator_zh",
    "reasons_text",
    "surface_zh",
    "surfaces_text",
    "utility_zh",
]

ROLE_ZH: dict[str, str] = vocabulary.ROUTE_ROLES.labels()
GAS_CLASS_ZH: dict[str, str] = vocabulary.GAS_PRESSURE_CLASSES.labels()
MEDIUM_ZH: dict[str, str] = vocabulary.HEAT_MEDIA.labels()
TAP_CHECK_ZH: dict[str, str] = vocabulary.UTILITIES.labels(form="tap_check")
CROSSING_METHOD_ZH: dict[str, str] = vocabulary.MAJOR_LINE_KINDS.labels(form="method")
DEFAULT_CROSSING_METHOD_ZH = vocabulary.DEFAULT_CROSSING_METHOD_ZH


def surface_zh(surface: str | None) -> str:
    """Return the Chinese name of a surface key (``carriageway:arterial`` → ``车行道（主干路）``).

    Examples
    --------
    >>> surface_zh("carriageway:arterial"), surface_zh("green"), surface_zh("lead_in")
    ('车行道（主干路）', '绿地', '红线至人行道引入段')
    """
    if surface is None:
        return ""
    if surface.startswith("carriageway:"):
        cls = surface.split(":", 1)[1]
        return f"{vocabulary.SURFACES.label('carriageway')}（{CLASS_ZH.get(cls, cls)}）"
    return vocabulary.SURFACES.label(surface)


def surfaces_text(surfaces: Mapping[str, float]) -> str:
    """Return a route's surfaces as one line of Chinese text.

    Examples
    --------
    >>> surfaces_text({"sidewalk": 100.0, "lead_in": 4.5})
    '红线至人行道引入段 4.5 m；人行道 100.0 m'
    """
    return "；".join(f"{surface_zh(k)} {v:.1f} m" for k, v in sorted(surfaces.items()))


def reasons_text(reasons: Iterable[Reason]) -> str:
    """Return the reasons' texts as one line."""
    return "；".join(r.text for r in reasons)


def utility_zh(utility: str) -> str:
    """Return the Chinese name of a utility (the key itself when unknown)."""
    return UTILITY_ZH.get(utility, utility)


def operator_zh(operator: str | None) -> str | None:
    """Return the Chinese name of a telecom operator (``None`` stays ``None``)."""
    return None if operator is None else OPERATOR_NAMES_ZH.get(operator, operator)


def compass_side(dx: float, dy: float) -> str:
    """Return the side (北/南/东/西侧) an offset from the centreline points to.

    Examples
    --------
    >>> compass_side(0.0, 5.0), compass_side(-4.0, 1.0)
    ('北侧', '西侧')
    """
    if abs(dx) > abs(dy):
        return "东侧" if dx > 0 else "西侧"
    return "北侧" if dy > 0 else "南侧"


def finite(v: float | None) -> bool:
    """Return whether ``v`` is a finite number."""
    return v is not None and math.isfinite(v)


# ----------------------------------------------------------------------------- tap specs

_Row = Mapping[str, object]


def _value(row: _Row, col: str) -> object | None:
    """Return a cell of a network feature, ``None`` when absent or missing."""
    v = row.get(col)
    return None if v is None or pd.isna(v) else v  # type: ignore[call-overload]


def _labelled(row: _Row, col: str, labels: Mapping[str, str]) -> list[str]:
    v = _value(row, col)
    return [] if v is None else [labels.get(str(v), str(v))]


def _number(row: _Row, col: str, fmt: str) -> list[str]:
    v = _value(row, col)
    return [] if v is None else [fmt.format(float(v))]  # type: ignore[arg-type]


def _gas(row: _Row) -> list[str]:
    return _labelled(row, "pressure_class", GAS_CLASS_ZH) + _number(row, "diameter_mm", "DN{:g}")


def _heat(row: _Row) -> list[str]:
    return (
        _labelled(row, "medium", MEDIUM_ZH)
        + _number(row, "pressure_mpa", "{:g} MPa")
        + _number(row, "temperature_c", "{:g} ℃")
    )


def _power(row: _Row) -> list[str]:
    feeder = _value(row, "feeder_id")
    return (
        _number(row, "voltage_kv", "{:g} kV")
        + ([] if feeder is None else [f"馈线 {feeder}"])
        + _number(row, "spare_capacity_kva", "可用容量 {:g} kVA")
    )


_SPEC_PARTS: dict[str, Callable[[_Row], list[str]]] = {
    "water": lambda row: _number(row, "diameter_mm", "DN{:g}"),
    "gas": _gas,
    "heat": _heat,
    "power": _power,
    "telecom": lambda row: _labelled(row, "operator", OPERATOR_NAMES_ZH),
}
"""Utility → the attributes of its network feature the field team checks at a tap, in order."""


def main_spec(utility: str, row: _Row) -> str:
    """Return what the field team checks at a tap of ``utility``, e.g. ``中压B DN160``.

    Examples
    --------
    >>> main_spec("gas", {"pressure_class": "medium_b", "diameter_mm": 160.0})
    '中压B DN160'
    >>> main_spec("power", {"voltage_kv": 10.0, "feeder_id": "F1", "spare_capacity_kva": None})
    '10 kV 馈线 F1'
    """
    parts = _SPEC_PARTS.get(utility)
    return "" if parts is None else " ".join(parts(row))
