"""Intake forms (附件2) for the demo district's sites, from the demand designed in ``DEMO_CASES``.

The forms carry only what sizing needs (the applicant's identity is left out, so they are read
with ``require_identity=False``); ``make demo`` writes them to ``build/demo_intakes.yaml`` and
assesses every demo site with them.
"""

from __future__ import annotations

from typing import Any

from data.demo_district import DEMO_CASES

__all__ = ["demo_intakes"]

_STEAM = {"pressure_mpa": 0.8, "temperature_c": 200.0, "hours_per_day": 16, "days_per_year": 300}


def demo_intakes() -> list[dict[str, Any]]:
    """Return one intake form per demo site, as plain data (YAML/JSON ready).

    Examples
    --------
    >>> forms = {f["site_id"]: f for f in demo_intakes()}
    >>> forms["JM-2026-009"]["power"]["backup_capacity_kva"]
    1000.0
    """
    forms = []
    for pid, case in DEMO_CASES.items():
        d = case["demand"]
        form: dict[str, Any] = {
            "site_id": pid,
            "project_name": case["zh"].split("：")[0][:40],
            "utilities": list(case["utilities"]),
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
