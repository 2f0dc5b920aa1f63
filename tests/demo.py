"""The demo district as the scenario tests use it: each site's demand from its intake form."""

import datetime as dt

import pytest

import planning  # noqa: F401  (registers the policy profiles)
from data.demo_district import DEMO_CASES
from data.demo_intakes import demo_intakes
from gis.profile import load_profile
from planning.intake import parse_intake
from planning.suitability import Demand

AS_OF = dt.date(2026, 11, 29)
JINGMEN = load_profile("jingmen-2023")
FORMS = {f["site_id"]: f for f in demo_intakes()}


def demo_demand(case: dict) -> Demand:
    """The demo site's demand through its intake form (附件2): water peak = m³/d ÷ 24 × 2."""
    pid = next(p for p, c in DEMO_CASES.items() if c is case)
    demand = (
        parse_intake(FORMS[pid], require_identity=False).demand_summary().to_demand(profile=JINGMEN)
    )
    assert demand.water_peak_m3_h == pytest.approx(case["demand"].get("water_m3_day", 0) / 12)
    return demand
