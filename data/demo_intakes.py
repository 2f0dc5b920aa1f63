"""Intake forms (附件2) for the demo district's sites, from the demand designed in ``DEMO_CASES``.

Each form is complete: the demand designed for the site and a fictitious applicant whose
统一社会信用代码, ID number and project code carry valid check digits (computed here with the
intake module's own GB 32100 / GB 11643 functions, not typed in), so the documents of the demo
sites (附件2, 附件3) are filled as a real application's would be. ``make demo`` writes them to
``build/demo_intakes.yaml`` and assesses every demo site with them.
"""

from __future__ import annotations

from typing import Any

from data.demo_district import _DEMO_SITES, DEMO_CASES
from planning.intake import credit_code_check_char, id_number_check_char

__all__ = ["demo_intakes"]

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭"
_GIVEN = ("建国", "志强", "海燕", "明", "晓东", "丽华", "军", "静", "国平", "春梅", "伟", "芳")


def _identity(k: int, name: str, road: str) -> dict[str, Any]:
    """Return a fictitious applicant for demo form ``k`` (valid check digits, 掇刀区 codes)."""
    company = name.removesuffix("项目").removesuffix("中心") + "有限公司"
    org = f"MA4{k:05d}X"
    credit17 = f"91420804{org}"
    id17 = f"420804{1970 + k:04d}{(k % 12) + 1:02d}{(k % 27) + 1:02d}{k:03d}"
    return {
        "form_number": f"2026年（{k:03d}）号",
        "applicant": company,
        "credit_code": credit17 + credit_code_check_char(credit17),
        "project_code": f"2611-420804-04-01-{100000 + k:06d}",
        "address": f"荆门市掇刀区{road}{10 + 2 * k}号",
        "id_number": id17 + id_number_check_char(id17),
        "legal_representative": _SURNAMES[k % len(_SURNAMES)] + _GIVEN[k % len(_GIVEN)],
        "contact": _SURNAMES[(k + 5) % len(_SURNAMES)] + _GIVEN[(k + 3) % len(_GIVEN)],
        "phone": f"1387240{k:04d}",
    }


_STEAM = {"pressure_mpa": 0.8, "temperature_c": 200.0, "hours_per_day": 16, "days_per_year": 300}


def demo_intakes() -> list[dict[str, Any]]:
    """Return one intake form per demo site, as plain data (YAML/JSON ready).

    Examples
    --------
    >>> forms = {f["site_id"]: f for f in demo_intakes()}
    >>> forms["JM-2026-009"]["power"]["backup_capacity_kva"]
    1000.0
    """
    names = {s.project_id: s.name for s in _DEMO_SITES}
    forms = []
    for k, (pid, case) in enumerate(DEMO_CASES.items(), start=1):
        d = case["demand"]
        form: dict[str, Any] = {
            "site_id": pid,
            "project_name": names.get(pid, case["zh"].split("：")[0][:40]),
            "utilities": list(case["utilities"]),
            **_identity(k, names.get(pid, pid), str(case.get("road", "掇刀路"))),
        }
        for utility in case["utilities"]:
            if utility == "water":
                form["water"] = {"water_m3_day": float(d.get("water_m3_day", 20.0))}
            elif utility == "power":
                form["power"] = {
                    "business_type": "new",
                    "main_capacity_kva": float(d.get("power_kva", 630.0)),
                    "backup_capacity_kva": float(d.get("backup_kva", 0.0)),
                }
            elif utility == "gas":
                load = float(d.get("gas_m3_h", 30.0))
                form["gas"] = {
                    "equipment": [
                        {
                            "name": "燃气锅炉",
                            "count": 1,
                            "working_pressure_kpa": 5.0,
                            "normal_m3_h": load,
                            "full_load_m3_h": load,
                        }
                    ]
                }
            elif utility == "heat":
                t_h = float(d.get("steam_t_h", 2.0))
                form["heat"] = {**_STEAM, "normal_t_h": t_h, "full_load_t_h": t_h}
            elif utility == "telecom":
                form["telecom"] = {
                    "ftth": True,
                    "weak_current_ready": True,
                    "bandwidth_households": 1,
                    "base_stations": 0,
                    "cable_tv_households": 0,
                    "free_operator_choice": False,
                }
        forms.append(form)
    return forms
