"""Cross-field checks of the 附件2 form, on the raw submitted mapping.

A requested utility needs its section and a non-zero demand; a section filled for a utility that
was not requested is a warning; a utility ticked twice is a warning; a backup capacity above the
main capacity is a warning; a full load below the normal load is an error. Fields already
reported by the field checks are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gis.errors import Problem
from gis.schema import UTILITIES
from planning.intake._common import LAYER, _feature_of, _fmt, _text
from planning.intake.fields import UTILITY_LABELS_ZH, _split_list, _utility_alias

__all__ = ["cross_field_problems"]


def _num(section: Any, key: str) -> float | None:
    """Return ``section[key]`` if it reads as a number (pydantic reports it otherwise)."""
    if not isinstance(section, Mapping):
        return None
    value = section.get(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _requested(raw: Any) -> tuple[list[str], list[int]]:
    """Return the valid requested utilities in order, and the indices of duplicates."""
    items = _split_list(raw)
    if not isinstance(items, list | tuple):
        return [], []
    seen: list[str] = []
    duplicates: list[int] = []
    for index, item in enumerate(items):
        name = _utility_alias(item)
        if name not in UTILITIES:
            continue
        if name in seen:
            duplicates.append(index)
        else:
            seen.append(name)
    return seen, duplicates


def _filled(section: Any) -> bool:
    if section is None:
        return False
    return not (isinstance(section, Mapping) and not section)


@dataclass
class _Findings:
    """Problems found on one form; a field already reported (``flagged``) is not checked again."""

    feature: str
    flagged: set[str | None]
    wanted: list[str]
    found: list[Problem] = field(default_factory=list)

    def ok(self, path: str) -> bool:
        """Return whether ``path`` has not been reported yet."""
        return path not in self.flagged

    def add(
        self, path: str, value: Any, expected: tuple[str, str], code: str, *, warning: bool = False
    ) -> None:
        """Record a problem at ``path``: ``value`` as submitted, ``expected`` (English, Chinese)."""
        self.found.append(
            Problem(
                layer=LAYER,
                feature=self.feature,
                field=path,
                value=value if isinstance(value, str) else _text(value),
                expected=expected[0],
                severity="warning" if warning else "error",
                code=code,
                expected_zh=expected[1],
            )
        )

    def zero(self, path: str, quantity: float | None, what: tuple[str, str], utility: str) -> None:
        """Report a zero demand of a requested utility."""
        if utility in self.wanted and quantity == 0 and self.ok(path):
            self.add(
                path,
                "0",
                (
                    f"{what[0]} > 0, since {utility} ({UTILITY_LABELS_ZH[utility]}) is requested",
                    f"{what[1]}大于 0（已申请{UTILITY_LABELS_ZH[utility]}）",
                ),
                "zero_demand",
            )

    def below(self, path: str, full: float | None, normal: float | None, other: str) -> None:
        """Report a full load (at ``path``) below the normal load (at ``other``)."""
        if full is None or normal is None or full >= normal:
            return
        if self.ok(path) and self.ok(other):
            self.add(
                path,
                _fmt(full),
                (
                    f"a full load ≥ the normal load {normal:g} ({other})",
                    f"不小于正常工作负荷 {normal:g} 的满负荷",
                ),
                "full_load_below_normal",
            )


def cross_field_problems(data: Mapping[str, Any], *, flagged: set[str | None]) -> list[Problem]:
    """Run the cross-field checks on the raw form, in the order of the form's sections.

    Parameters
    ----------
    data
        The submitted form as a mapping.
    flagged
        Fields (dotted paths) already reported by the field checks: not checked again.

    Returns
    -------
    list of Problem
        Errors and warnings on layer ``"intake"``.
    """
    items = _split_list(data.get("utilities"))
    wanted, duplicates = _requested(items)
    findings = _Findings(_feature_of(data), flagged, wanted)
    for index in duplicates:
        findings.add(
            f"utilities[{index}]",
            items[index],
            ("each utility once", "每项只勾选一次"),
            "duplicate_utility",
            warning=True,
        )
    _check_sections(data, findings)
    _check_water(data.get("water"), findings)
    _check_power(data.get("power"), findings)
    _check_gas(data.get("gas"), findings)
    _check_heat(data.get("heat"), findings)
    _check_telecom(data.get("telecom"), findings)
    return findings.found


def _check_sections(data: Mapping[str, Any], findings: _Findings) -> None:
    """Check that a requested utility has its section and a filled section its tick box."""
    for utility in UTILITIES:
        section = data.get(utility)
        zh = UTILITY_LABELS_ZH[utility]
        wanted = utility in findings.wanted
        if wanted and not _filled(section) and findings.ok(utility):
            findings.add(
                utility,
                "(missing)",
                (
                    f"the {utility} section ({zh}报装接入) filled, since {utility} ({zh}) is requested",
                    f"已勾选{zh}，请填写「{zh}报装接入」一栏",
                ),
                "missing_section",
            )
        elif not wanted and _filled(section) and findings.ok("utilities"):
            findings.add(
                utility,
                "(filled)",
                (
                    f"{utility} ({zh}) ticked in 申请联合报装接入内容, or this section left empty",
                    f"在申请联合报装接入内容中勾选{zh}，或不填此栏",
                ),
                "section_not_requested",
                warning=True,
            )


def _check_water(water: Any, findings: _Findings) -> None:
    findings.zero("water.water_m3_day", _num(water, "water_m3_day"), ("a daily water use", "用水规模"), "water")


def _check_power(power: Any, findings: _Findings) -> None:
    main, backup = _num(power, "main_capacity_kva"), _num(power, "backup_capacity_kva")
    findings.zero("power.main_capacity_kva", main, ("a main capacity", "主供容量"), "power")
    path = "power.backup_capacity_kva"
    if main is not None and backup is not None and backup > main and findings.ok(path):
        findings.add(
            path,
            _fmt(backup),
            (
                f"a backup capacity ≤ the main capacity {main:g} kVA",
                f"不大于主供容量 {main:g} kVA 的备供容量",
            ),
            "backup_exceeds_main",
            warning=True,
        )


def _check_gas(gas: Any, findings: _Findings) -> None:
    rows = gas.get("equipment") if isinstance(gas, Mapping) else None
    if not isinstance(rows, list):
        return
    total: float | None = 0.0
    for index, row in enumerate(rows):
        base = f"gas.equipment[{index}]"
        normal, full, count = (
            _num(row, "normal_m3_h"),
            _num(row, "full_load_m3_h"),
            _num(row, "count"),
        )
        findings.below(f"{base}.full_load_m3_h", full, normal, f"{base}.normal_m3_h")
        if total is not None and full is not None and count is not None:
            total += full * count
        else:
            total = None
    if rows:
        findings.zero("gas.equipment", total, ("a total full load", "满负荷合计"), "gas")


def _check_heat(heat: Any, findings: _Findings) -> None:
    full = _num(heat, "full_load_t_h")
    findings.below("heat.full_load_t_h", full, _num(heat, "normal_t_h"), "heat.normal_t_h")
    findings.zero("heat.full_load_t_h", full, ("a full-load steam use", "满负荷小时用量"), "heat")


def _check_telecom(telecom: Any, findings: _Findings) -> None:
    if not isinstance(telecom, Mapping):
        return
    needs = [
        0.0 if telecom.get(key) is None else _num(telecom, key)
        for key in ("bandwidth_households", "base_stations", "cable_tv_households")
    ]
    if all(n is not None for n in needs):
        findings.zero(
            "telecom",
            sum(n or 0.0 for n in needs),
            ("a bandwidth, base-station or cable TV need", "带宽、无线基站或有线电视需求"),
            "telecom",
        )
