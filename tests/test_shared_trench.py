"""Joint trench of one project on hand-built roads: sharing, rerouting and its limits."""

import datetime as dt
import sys

import geopandas as gpd
import pytest
from shapely import LineString, Polygon

from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .geometries import CRS, at, scope

PROFILE = load_profile("jingmen-2023")
DEMAND = {"S": Demand(("water", "gas"), water_peak_m3_h=5.0, gas_peak_m3_h=30.0)}


STRATEGY = "auto"


@pytest.fixture(autouse=True, params=["batch", "per_site"])
def strategy(request, monkeypatch):
    """Run every case with the shared searches from the taps and with searches from the site."""
    monkeypatch.setattr(sys.modules[__name__], "STRATEGY", request.param)
    return request.param


def _assess(water_x, gas_xs, profile=PROFILE):
    """One secondary road x −400..600; the site fronts its north side over x 0..40.

    Mains run on the north side (11 m from the centreline): water from ``water_x`` eastwards
    for 60 m; gas mains over the given x ranges.
    """
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["长宁大道"], "road_class": ["secondary"]},
        geometry=[at(LineString([(-400, 0), (600, 0)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(0, 15), (40, 15), (40, 55), (0, 55)]))],
        crs=CRS,
    )
    water = gpd.GeoDataFrame(
        {"asset_id": ["W"], "status": ["existing"], "diameter_mm": [200.0]},
        geometry=[at(LineString([(water_x, 11), (water_x + 60, 11)]))],
        crs=CRS,
    )
    gas = gpd.GeoDataFrame(
        {
            "asset_id": [f"G{i}" for i in range(len(gas_xs))],
            "status": "existing",
            "pressure_class": "medium_b",
            "diameter_mm": 160.0,
        },
        geometry=[at(LineString([(a, 11), (b, 11)])) for a, b in gas_xs],
        crs=CRS,
    )
    ws = Workspace.from_layers(
        {"roads": roads, "sites": site, "water": water, "gas": gas, "scope": scope()}
    )
    (a,) = assess_sites(
        ws, profile=profile, demands=DEMAND, as_of=dt.date(2026, 11, 29), strategy=STRATEGY
    )
    return a


def test_two_utilities_along_one_sidewalk_share_a_trench():
    # water 160 m (x 40 → 200), gas 210 m (x 40 → 250): 160 m shared, dug once
    a = _assess(200, [(250, 350)])
    t = a.shared_trench
    assert t.separate_trench_m == pytest.approx(370.0)
    assert t.total_trench_m == pytest.approx(210.0)
    assert t.saved_m == pytest.approx(160.0)
    assert t.saved_share == pytest.approx(160 / 370)
    shared = [s for s in t.segments if s.shared]
    assert [(s.utilities, round(s.length_m, 6)) for s in shared] == [(("gas", "water"), 160.0)]
    assert [(s.utilities, round(s.length_m, 6)) for s in t.segments if not s.shared] == [
        (("gas",), 50.0)
    ]
    assert t.rerouted == []


def test_a_utility_is_rerouted_to_share_when_it_stays_as_easy():
    # gas could go 100 m west (G1 at x −150..−100) or 210 m east (G0) alongside water's 160 m:
    # separately 160 + 100 = 260 m; sharing east digs only 210 m, and gas stays < 300 m
    a = _assess(200, [(250, 350), (-150, -100)])
    t = a.shared_trench
    assert t.separate_trench_m == pytest.approx(260.0)
    assert t.total_trench_m == pytest.approx(210.0)
    (r,) = t.rerouted
    assert (r.utility, r.tap_from, r.tap_to) == ("gas", "G1", "G0")
    assert (r.from_m, r.to_m, r.extra_m) == pytest.approx((100.0, 210.0, 110.0))


def test_a_reroute_must_save_trench_in_proportion_to_the_line_it_adds():
    # gas 10 m west (G1 at x −20..−10), or 160 m east (G0 at x 200..260) entirely in water's
    # trench: sharing saves 10 m of trench (170 → 160 m) but adds 150 m of gas line, 15 m per
    # metre saved, more than the profile's 3: refused
    assert PROFILE.shared_trench.max_extra_m_per_saved_m == 3.0
    a = _assess(200, [(200, 260), (-20, -10)])
    t = a.shared_trench
    assert a.utilities["gas"].route.length_m == pytest.approx(10.0)
    assert a.utilities["gas"].route.tap_asset == "G1"
    assert t.rerouted == []
    assert t.total_trench_m == pytest.approx(170.0) == t.separate_trench_m
    # a city accepting 20 m per metre saved would take it
    loose = PROFILE.with_value(
        "shared_trench.max_extra_m_per_saved_m", 20.0, source="test: a looser city"
    )
    (r,) = _assess(200, [(200, 260), (-20, -10)], profile=loose).shared_trench.rerouted
    assert (r.utility, r.tap_from, r.tap_to) == ("gas", "G1", "G0")
    assert (r.from_m, r.to_m) == pytest.approx((10.0, 160.0))
    # the reroute of the test above adds 110 m to save 50 m (2.2 m per metre): a city allowing
    # only 2 m per metre keeps gas on its own 100 m line
    strict = PROFILE.with_value(
        "shared_trench.max_extra_m_per_saved_m", 2.0, source="test: a stricter city"
    )
    a = _assess(200, [(250, 350), (-150, -100)], profile=strict)
    assert a.shared_trench.rerouted == []
    assert a.utilities["gas"].route.length_m == pytest.approx(100.0)
    assert a.shared_trench.total_trench_m == pytest.approx(260.0)


def test_sharing_that_would_push_a_utility_over_300_m_is_refused():
    # water 290 m east (x 40 → 330); gas 100 m west, or 305 m east (x 345): sharing would dig
    # 305 m instead of 390 m, but gas would no longer be under 300 m: refused
    a = _assess(330, [(345, 400), (-150, -100)])
    t = a.shared_trench
    assert a.utilities["gas"].route.length_m == pytest.approx(100.0)
    assert t.rerouted == []
    assert t.total_trench_m == pytest.approx(390.0) == t.separate_trench_m
    assert t.saved_m == pytest.approx(0.0)


def test_cost_of_separate_and_joint_trenches_by_hand():
    # profile rates (yuan/m): sidewalk trench 380, lead-in 300, water pipe 420, gas pipe 520,
    # a shared trench costs 25 % more per extra utility. The lead-in from the red line (y 15)
    # to the sidewalk line (secondary road: (12 + 4) / 2 = 8 m from the centreline) is 7 m.
    a = _assess(200, [(250, 350)])
    assert a.utilities["water"].route.lead_in_m == pytest.approx(7.0)
    water = 380 * 160 + 300 * 7 + 420 * (160 + 7)
    gas = 380 * 210 + 300 * 7 + 520 * (210 + 7)
    assert a.cost_separate.total == pytest.approx(water + gas)
    joint_trench = 380 * 160 * 1.25 + 380 * 50 + 2 * 300 * 7
    joint = joint_trench + 420 * 167 + 520 * 217
    assert a.cost_joint.trench == pytest.approx(joint_trench)
    assert a.cost_joint.total == pytest.approx(joint)
    assert a.cost_separate.total - a.cost_joint.total == pytest.approx(380 * 160 * 0.75)


def test_a_stretch_too_narrow_for_gas_and_power_splits_with_the_reason():
    # an access road: 2.0 m of sidewalk (profile default). Gas (medium B, DN160) and a 10 kV
    # cable in duct share 150 m of it; in section: 0.3 working space + 0.6 power duct bank
    # + 1.0 gas–power clearance (cable in duct) + 0.16 gas + 0.3 = 2.36 m > 2.0 m available
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["杨湾巷"], "road_class": ["access"]},
        geometry=[at(LineString([(-400, 0), (600, 0)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(0, 10), (40, 10), (40, 50), (0, 50)]))],
        crs=CRS,
    )
    gas = gpd.GeoDataFrame(
        {
            "asset_id": ["G"],
            "status": ["existing"],
            "pressure_class": ["medium_b"],
            "diameter_mm": [160.0],
        },
        geometry=[at(LineString([(190, 5), (300, 5)]))],
        crs=CRS,
    )
    power = gpd.GeoDataFrame(
        {
            "asset_id": ["P"],
            "status": ["existing"],
            "voltage_kv": [10.0],
            "spare_capacity_kva": [2000.0],
            "feeder_id": ["F1"],
        },
        geometry=[at(LineString([(190, 6), (300, 6)]))],
        crs=CRS,
    )
    ws = Workspace.from_layers(
        {"roads": roads, "sites": site, "gas": gas, "power": power, "scope": scope()}
    )
    demand = {"S": Demand(("gas", "power"), gas_peak_m3_h=30.0, power_kva=630.0)}
    (a,) = assess_sites(
        ws, profile=PROFILE, demands=demand, as_of=dt.date(2026, 11, 29), strategy=STRATEGY
    )
    t = a.shared_trench
    (seg,) = [s for s in t.segments if s.shared]
    assert seg.length_m == pytest.approx(150.0)
    assert not seg.section.fits
    assert seg.section.width_m == pytest.approx(2.36)
    assert seg.section.available_m == 2.0
    assert seg.section.message.startswith(
        "需 2.36 m，可用 2.0 m；净距 电力 P–燃气 G 1.0 m；建议分 2 条沟槽"
    )
    assert sorted(seg.trenches) == [("gas",), ("power",)]
    # split: the stretch is dug twice, so nothing is saved
    assert t.total_trench_m == pytest.approx(300.0) == t.separate_trench_m
