"""Capacity by simulation, water (issue 16): the sources layer, the WNTR model, the judgement."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, Point

from gis.profile import load_profile
from gis.validate import validate_layers
from gis.workspace import write_workspace
from tests.test_storage import store  # noqa: F401 (the fixture, on SQLite and PostGIS)

CRS = "EPSG:4546"
X0, Y0 = 616_000.0, 3_419_000.0


def _sources(*rows: tuple[str, str, str, float | None, tuple[float, float]]) -> gpd.GeoDataFrame:
    """A sources layer of (source_id, utility, kind, head_m, (x, y)) rows."""
    return gpd.GeoDataFrame(
        {
            "source_id": [r[0] for r in rows],
            "utility": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "head_m": [r[3] for r in rows],
        },
        geometry=[Point(r[4]) for r in rows],
        crs=CRS,
    )


def _water(*rows: tuple[str, float, list[tuple[float, float]]]) -> gpd.GeoDataFrame:
    """Water mains as (asset_id, diameter_mm, coordinates)."""
    return gpd.GeoDataFrame(
        {
            "asset_id": [r[0] for r in rows],
            "status": "existing",
            "diameter_mm": [r[1] for r in rows],
        },
        geometry=[LineString(r[2]) for r in rows],
        crs=CRS,
    )


# --- the sources layer -------------------------------------------------------------------------


def test_sources_layer_validates_points_and_names_bad_values():
    good = _sources(("R1", "water", "水厂", 50.0, (X0, Y0)))
    report = validate_layers({"sources": good}, working_crs=CRS)
    assert not [p for p in report.errors if p.layer == "sources"]
    assert report.layers["sources"]["kind"].tolist() == ["reservoir"]  # the Chinese alias parsed
    bad = _sources(
        ("R1", "water", "well", 50.0, (X0, Y0)),
        ("R2", "water", "tank", -3.0, (X0, Y0)),
        ("R3", "water", "tank", 10.0, (X0, Y0)),
    )
    bad.geometry = [*bad.geometry[:2], LineString([(X0, Y0), (X0 + 1, Y0)])]
    report = validate_layers({"sources": bad}, working_crs=CRS)
    found = {(p.feature, p.field, p.code) for p in report.errors if p.layer == "sources"}
    assert found == {
        ("R1", "kind", "unknown_enum"),
        ("R2", "head_m", "bad_value"),
        ("R3", "geometry", "wrong_geometry_type"),
    }


def test_sources_layer_round_trips_through_geopackage_and_the_store(tmp_path, store):  # noqa: F811
    src = _sources(("R1", "water", "reservoir", 50.0, (X0, Y0)))
    report = validate_layers({"sources": src}, working_crs=CRS)
    assert not [p for p in report.errors if p.layer == "sources"]
    path = write_workspace({"sources": report.layers["sources"]}, tmp_path / "ws.gpkg")
    import pyogrio

    assert pyogrio.read_info(path, layer="sources")["geometry_type"] == "Point"
    store.import_layer("sources", src, user="test")
    back = store.layer("sources")
    assert back["source_id"].tolist() == ["R1"]
    assert back.geometry.iloc[0].equals(Point(X0, Y0))
    assert float(back["head_m"].iloc[0]) == 50.0


# --- the WNTR model ----------------------------------------------------------------------------

import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

import wntr  # noqa: E402

from gis.simulation.result import (  # noqa: E402
    CUSTOMER_MIN_PRESSURE_MPA,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    ModelError,
)
from gis.simulation.water import MPA_PER_M, WaterModel  # noqa: E402

NET3 = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net3.inp")
HEAD_M = 45.0


def _hw_headloss(length_m: float, q_m3_s: float, d_m: float, c: float = 120.0) -> float:
    """Hazen-Williams head loss (m), EPANET's form: 10.667 L Q^1.852 / (C^1.852 d^4.871)."""
    return 10.667 * length_m * q_m3_s**1.852 / (c**1.852 * d_m**4.871)


@pytest.fixture(scope="module")
def profile():
    """The defaults without the existing customers' demand (比流量 0): in the hand cases the
    head lost is the new demand's alone (the 比流量 has its own hand case below)."""
    return load_profile("gb-defaults").with_value(
        "capacity.water.specific_flow_l_s_m", 0.0, source="hand cases: no existing demand"
    )


@pytest.fixture(scope="module")
def hand_model(profile):
    """A source, a 500 m DN300 main east of it, and a 2 km DN50 main north from its end."""
    water = _water(
        ("A", 300.0, [(X0, Y0), (X0 + 500, Y0)]),
        ("B", 50.0, [(X0 + 500, Y0), (X0 + 500, Y0 + 2000)]),
        ("C", 200.0, [(X0 + 9000, Y0), (X0 + 9500, Y0)]),  # not connected to the source
    )
    sources = _sources(("R1", "water", "reservoir", HEAD_M, (X0, Y0)))
    return WaterModel.from_layers(water, sources, profile=profile)


def test_a_tap_near_the_source_keeps_its_pressure(hand_model):
    run = hand_model.check("A", (X0 + 20, Y0 + 5), 1.0)
    assert run.converged and run.demand_unit == "L/s" and run.engine.startswith("WNTR 1.5")
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(HEAD_M * MPA_PER_M, abs=1e-4)
    loss = _hw_headloss(20.0, 0.001, 0.3)  # the nearest node is the one 20 m from the source
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx((HEAD_M - loss) * MPA_PER_M, abs=1e-3)
    assert run.after[TAP_PRESSURE_MPA] > 0.44


def test_a_tap_at_the_far_end_of_a_long_small_main_loses_pressure(hand_model):
    run = hand_model.check("B", (X0 + 505, Y0 + 1990), 1.0)
    loss = _hw_headloss(500.0, 0.001, 0.3) + _hw_headloss(2000.0, 0.001, 0.05)
    assert loss == pytest.approx(18.2, abs=0.3)  # by hand: 45 m − 18.2 m ≈ 26.8 m ≈ 0.263 MPa
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx((HEAD_M - loss) * MPA_PER_M, abs=2e-3)
    # the lowest existing customer: the junction 100 m back along B (links of at most 100 m)
    back = _hw_headloss(500.0, 0.001, 0.3) + _hw_headloss(1900.0, 0.001, 0.05)
    assert run.after[CUSTOMER_MIN_PRESSURE_MPA] == pytest.approx(
        (HEAD_M - back) * MPA_PER_M, abs=2e-3
    )
    velocity = 0.001 / (math.pi * 0.025**2)
    assert run.after[MAX_VELOCITY_M_S] == pytest.approx(velocity, rel=1e-3)
    assert run.before[MAX_VELOCITY_M_S] == pytest.approx(0.0, abs=1e-4)
    # the demand is taken away again: the same check gives the same numbers, no rebuild
    again = hand_model.check("B", (X0 + 505, Y0 + 1990), 1.0)
    assert again.after == run.after


def test_a_main_not_connected_to_a_source_is_not_in_the_model(hand_model):
    with pytest.raises(ModelError, match="C 不在水力模型中"):
        hand_model.check("C", (X0 + 9100, Y0), 1.0)


def test_missing_sources_name_the_layer_and_field(profile):
    water = _water(("A", 300.0, [(X0, Y0), (X0 + 500, Y0)]))
    with pytest.raises(ModelError, match=r"缺少水源：供应源图层不存在.*\(sources layer"):
        WaterModel.from_layers(water, None, profile=profile)
    gas_only = _sources(("G1", "gas", "gas_station", None, (X0, Y0)))
    with pytest.raises(ModelError, match=r"无供水水源点.*utility=water"):
        WaterModel.from_layers(water, gas_only, profile=profile)
    far = _sources(("R9", "water", "reservoir", 40.0, (X0, Y0 + 400)))
    with pytest.raises(ModelError, match="R9"):
        WaterModel.from_layers(water, far, profile=profile)


def test_a_source_without_head_takes_the_profiles_default(profile):
    water = _water(("A", 300.0, [(X0, Y0), (X0 + 500, Y0)]))
    model = WaterModel.from_layers(
        water, _sources(("R1", "water", "reservoir", None, (X0, Y0))), profile=profile
    )
    run = model.check("A", (X0 + 500, Y0), 0.0)
    head = profile.capacity.water.default_source_head_m
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(head * MPA_PER_M, abs=1e-4)


def test_existing_customers_draw_the_specific_flow_along_the_mains():
    """比流量: 1 km of DN300 from a 45 m source draws 0.0025 L/(s·m) × 1000 m = 2.5 L/s.

    The main is cut into ten 100 m links: each inner node takes 0.25 L/s, the end 0.125 L/s;
    link k (from the source) carries what lies beyond it, 0.25 × (9 − k) + 0.125 L/s, and the
    far end's pressure is the head less the ten Hazen-Williams losses.
    """
    profile = load_profile("gb-defaults")
    q_s = profile.capacity.water.specific_flow_l_s_m
    assert q_s == 0.0025
    water = _water(("A", 300.0, [(X0, Y0), (X0 + 1000, Y0)]))
    model = WaterModel.from_layers(
        water, _sources(("R1", "water", "reservoir", HEAD_M, (X0, Y0))), profile=profile
    )
    demands = {n: j.demand_timeseries_list[0].base_value for n, j in model.wn.junctions()}
    # the source's half of the first link is drawn at the source itself
    assert sum(demands.values()) * 1000 == pytest.approx(q_s * 1000.0 - q_s * 100.0 / 2)
    assert sorted(round(d * 1000, 6) for d in demands.values()) == [0.125] + [0.25] * 9
    loss = sum(_hw_headloss(100.0, (0.25 * (9 - k) + 0.125) / 1000, 0.3) for k in range(10))
    far = model.check("A", (X0 + 1000, Y0), 0.0)
    assert far.before[TAP_PRESSURE_MPA] == pytest.approx((HEAD_M - loss) * MPA_PER_M, abs=1e-5)


@pytest.fixture(scope="module")
def net3():
    return WaterModel.from_inp(NET3)


def test_net3_check_equals_a_direct_wntr_run(net3):
    pipe = "105"  # a pipe of Net3; its nearest junction to the point given is its end node
    wn = wntr.network.WaterNetworkModel(NET3)
    end = wn.get_link(pipe).end_node_name
    xy = wn.get_node(end).coordinates
    run = net3.check(pipe, xy, 20.0)
    # the same case run directly: 20 L/s more at the junction, first time step
    demands = {n: [d.base_value for d in j.demand_timeseries_list] for n, j in wn.junctions()}
    customers = [n for n, bases in demands.items() if any(b > 0 for b in bases)]
    assert len(customers) == 59
    wn.options.time.duration = 0
    # the new connection's peak flow as it is: a constant pattern (Net3's default pattern
    # would scale a demand without one by its first multiplier)
    wn.add_pattern("constant", [1.0])
    wn.get_node(end).add_demand(base=0.020, pattern_name="constant")
    res = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=str(_tmp() / "direct"))
    pressure = res.node["pressure"].iloc[0]
    velocity = res.link["velocity"].iloc[0][wn.pipe_name_list].abs()
    # the direct run reads EPANET's binary output (single precision, 7 digits); the model
    # reads the toolkit's doubles from the same solver: they agree to 1e-5
    REL = 1e-5
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx(float(pressure[end]) * MPA_PER_M, rel=REL)
    assert run.after[CUSTOMER_MIN_PRESSURE_MPA] == pytest.approx(
        float(pressure[[c for c in customers if c != end]].min()) * MPA_PER_M, rel=REL
    )
    assert run.after[MAX_VELOCITY_M_S] == pytest.approx(float(velocity.max()), rel=REL)
    assert run.after[TAP_PRESSURE_MPA] < run.before[TAP_PRESSURE_MPA]


def _tmp():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp())


# --- the judgement -------------------------------------------------------------------------------

from gis.simulation.result import CapacityRun  # noqa: E402
from planning.capacity import judge, summary  # noqa: E402


def test_the_near_tap_passes_and_the_far_one_fails_with_its_pressure(hand_model, profile):
    assert judge(hand_model.check("A", (X0 + 20, Y0), 1.0), profile) == []
    far = hand_model.check("B", (X0 + 500, Y0 + 2000), 1.0)
    reasons = judge(far, profile)
    pressure = far.after[TAP_PRESSURE_MPA]
    assert 0.25 < pressure < 0.27
    assert [r.code for r in reasons] == ["capacity_tap_pressure", "capacity_customer_pressure"]
    assert {r.rule for r in reasons} == {"R1"}
    assert reasons[0].text == (
        f"供水管线 B 新增 1 L/s 后接入点压力 {pressure:.2f} MPa，"
        "低于最低服务压力 0.28 MPa（GB 50013-2018）"
    )
    assert "接入点压力 0.441→0.26" in summary(far)


def _run(before, after, *, converged=True):
    return CapacityRun("water", "WNTR", "W1", 2.0, "L/s", before, after, converged)


def test_customers_pushed_below_the_minimum_fail_an_existing_shortfall_does_not(profile):
    ok_tap = {TAP_PRESSURE_MPA: 0.35, MAX_VELOCITY_M_S: 1.0}
    pushed = _run({CUSTOMER_MIN_PRESSURE_MPA: 0.30}, {**ok_tap, CUSTOMER_MIN_PRESSURE_MPA: 0.27})
    assert [r.code for r in judge(pushed, profile)] == ["capacity_customer_pressure"]
    assert "由 0.30 MPa 降至 0.27 MPa" in judge(pushed, profile)[0].text
    already = _run({CUSTOMER_MIN_PRESSURE_MPA: 0.20}, {**ok_tap, CUSTOMER_MIN_PRESSURE_MPA: 0.19})
    assert judge(already, profile) == []


def test_velocity_over_the_limit_and_no_convergence_fail(profile):
    fast = _run({MAX_VELOCITY_M_S: 1.0}, {TAP_PRESSURE_MPA: 0.4, MAX_VELOCITY_M_S: 3.4})
    [reason] = judge(fast, profile)
    assert reason.code == "capacity_velocity" and "3.40 m/s，超过 3.0 m/s" in reason.text
    [failed] = judge(_run({}, {}, converged=False), profile)
    assert failed.code == "capacity_not_converged" and "不收敛" in failed.text


# --- the next tap when the nearest fails (a hand-built workspace) --------------------------------

from gis.workspace import Workspace  # noqa: E402
from planning.assess import assess_sites  # noqa: E402
from planning.suitability import Demand  # noqa: E402
from tests.demo import AS_OF, JINGMEN  # noqa: E402
from tests.geometries import at, block_site, scope, straight_block  # noqa: E402

SOURCE_HEAD_M = 30.0
N_PATH_M = 60.0 + 410.0 + 530.0 + 410.0  # the near main's length back to the source


def _fallback_ws(*, with_sources: bool = True) -> Workspace:
    """Site S fronts x 100..180; DN150 ``N`` runs along the road from x 200 to 260, then reaches
    the source the long way round (1,410 m); DN300 ``F`` runs from the source at x 790 to x 400
    along the road."""
    water = gpd.GeoDataFrame(
        {"asset_id": ["N", "F"], "status": "existing", "diameter_mm": [150.0, 300.0]},
        geometry=[
            at(LineString([(200, 10), (260, 10), (260, -400), (790, -400), (790, 10)])),
            at(LineString([(790, 10), (400, 10)])),
        ],
        crs=CRS,
    )
    layers = {"roads": straight_block("secondary"), "sites": block_site(), "water": water}
    if with_sources:
        src = _sources(("R1", "water", "reservoir", SOURCE_HEAD_M, (0.0, 0.0)))
        src.geometry = [at(Point(790, 10))]
        layers["sources"] = src
    return Workspace.from_layers({**layers, "scope": scope()})


HAND = JINGMEN.with_value(
    "capacity.water.specific_flow_l_s_m", 0.0, source="hand case: no existing customers' demand"
)
"""The 荆门 profile without the existing customers' 比流量: the loss below is the site's alone."""


def _assess(ws, profile=HAND, strategy="auto"):
    demands = {"S": Demand(("water",), 30.0)}  # 30 m³/h at the peak hour: 8.33 L/s
    (a,) = assess_sites(ws, profile=profile, demands=demands, as_of=AS_OF, strategy=strategy)
    return a.utilities["water"]


@pytest.mark.parametrize("strategy", ["per_site", "batch"])
def test_a_tap_that_fails_gives_way_to_the_next_nearest(strategy):
    result = _assess(_fallback_ws(), strategy=strategy)
    assert result.covered and result.route.tap_asset == "F"
    check = result.capacity
    assert check.method == "simulation" and check.engine.startswith("WNTR 1.5")
    [failed] = check.failed
    assert failed.run.tap_asset == "N" and failed.run.demand == pytest.approx(30 / 3.6)
    loss = _hw_headloss(N_PATH_M, 30 / 3600, 0.15)
    assert loss == pytest.approx(3.07, abs=0.05)  # by hand: 30 m − 3.07 m ≈ 0.264 MPa
    expected = (SOURCE_HEAD_M - loss) * MPA_PER_M
    assert failed.run.after[TAP_PRESSURE_MPA] == pytest.approx(expected, abs=1e-3)
    assert failed.reasons[0].code == "capacity_tap_pressure"
    assert f"接入点压力 {expected:.2f} MPa，低于最低服务压力 0.28 MPa" in failed.reasons[0].text
    assert check.run.tap_asset == "F" and check.run.after[TAP_PRESSURE_MPA] > 0.29


def test_without_a_model_the_attribute_check_stays_and_says_why():
    result = _assess(_fallback_ws(with_sources=False))
    assert result.covered and result.route.tap_asset == "N"
    assert result.capacity.method == "attributes"
    assert result.capacity.note == (
        "未建立水力模型（缺少水源：供应源图层不存在或为空，需供水水源点（水厂/水库或水塔，填总水头）），"
        "按管径属性判断"
    )


def test_no_tap_left_within_the_tries_is_not_covered():
    profile = JINGMEN.with_value("capacity.max_taps_tried", 1, source="test")
    result = _assess(_fallback_ws(), profile=profile)
    assert not result.covered and result.route is None and result.approval_path is None
    assert [r.code for r in result.reasons] == [
        "capacity_tap_pressure",
        "capacity_customer_pressure",  # the junctions along N drop below 0.28 MPa as well
        "capacity_exhausted",
    ]
    assert (
        result.reasons[-1].text
        == "依次校核的 1 处供水接入点均不能承担新增负荷：需提前布局或扩建管网"
    )


# --- the outputs: JSON, table, map popup, documents ----------------------------------------------


def test_the_outputs_show_the_refused_tap_and_the_one_taken():
    from pyproj import CRS as PROJ_CRS

    from api.documents.drafting import planning_opinion_short
    from api.maps import render_html
    from api.maps.project import project_map
    from api.report import assessment_table, assessment_to_dict

    ws = _fallback_ws()
    demands = {"S": Demand(("water",), 30.0)}
    (a,) = assess_sites(ws, profile=JINGMEN, demands=demands, as_of=AS_OF)
    water = assessment_to_dict(a, crs=PROJ_CRS.from_user_input(CRS))["utilities"]["water"]
    capacity = water["capacity"]
    assert capacity["check"] == "simulation" and capacity["engine"].startswith("WNTR 1.5")
    assert capacity["run"]["tap"] == "F" and capacity["run"]["demand_unit"] == "L/s"
    [failed] = capacity["failed"]
    assert failed["tap"] == "N" and failed["after"][TAP_PRESSURE_MPA] < 0.28
    assert failed["reasons"][0]["code"] == "capacity_tap_pressure"
    pressure = f"{failed['after'][TAP_PRESSURE_MPA]:.2f}"
    sentence = capacity["text"]
    assert sentence.startswith(
        f"承载能力：较近的接入管线 N 校核未通过（供水管线 N 新增 8.33 L/s 后接入点压力 {pressure} MPa"
    )
    assert (
        "改接：水力计算（WNTR 1.5.0 (EPANET 2.2)）：接入管线 F 新增 8.33 L/s，接入点压力 0.294→"
        in sentence
    )
    table = assessment_table([a], profile=JINGMEN)
    assert sentence in table and "承载" in table
    page = render_html(project_map(ws, a, profile=JINGMEN))
    # the popup's rows are JSON in the page: (label, text)
    row = json.dumps(["承载能力", sentence.removeprefix("承载能力：")])
    assert row in page
    assert f"供水{sentence}。" in planning_opinion_short(a, profile=JINGMEN)


# --- an EPANET file as the water model's data ----------------------------------------------------

HAND_INP = """[JUNCTIONS]
;ID Elevation Demand
 J1 10 0
 J2 5 0
[RESERVOIRS]
 R1 50
[PIPES]
;ID Node1 Node2 Length Diameter Roughness MinorLoss Status
 P1 R1 J1 1000 200 120 0 Open
 P2 J1 J2 500 150 120 0 Open
[OPTIONS]
 Units LPS
 Headloss H-W
[COORDINATES]
 R1 616000 3419000
 J1 616100 3419000
 J2 616300 3419000
[END]
"""


def test_an_epanet_file_gives_the_mains_and_sources_of_the_water_model(tmp_path, profile):
    """Imported with ``--layer water`` and ``--layer sources``, a hand .inp gives the model.

    R1 (50 m) → P1, 1,000 m modelled (drawn 100 m), DN200 → J1 (10 m) → P2, 500 m (drawn
    200 m), DN150 → J2 (5 m). 5 L/s at J2: 50 − 5 − the two Hazen-Williams losses.
    """
    from gis.io.load import load_for_import

    path = tmp_path / "hand.inp"
    path.write_text(HAND_INP)
    water = load_for_import(path, source_crs=CRS)["water"]
    sources = load_for_import(path, layer="sources", source_crs=CRS)["sources"]
    assert sources[["source_id", "utility", "kind", "head_m"]].values.tolist() == [
        ["R1", "water", "reservoir", 50.0]
    ]
    assert water[["asset_id", "start_elevation_m", "end_elevation_m"]].fillna(-1).values.tolist() == [
        ["P1", -1, 10.0],
        ["P2", 10.0, 5.0],
    ]
    model = WaterModel.from_layers(water, sources, profile=profile)
    assert sum(p.length for _, p in model.wn.pipes()) == pytest.approx(1500.0)  # modelled lengths
    run = model.check("P2", (616300.0, 3419000.0), 5.0)
    loss = _hw_headloss(1000.0, 0.005, 0.2) + _hw_headloss(500.0, 0.005, 0.15)
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx((50.0 - 5.0 - loss) * MPA_PER_M, abs=1e-4)
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(45.0 * MPA_PER_M, abs=1e-5)
    # the node halfway along P2 (drawn 200 m: two links) lies at 7.5 m, between its ends
    assert sorted(j.elevation for _, j in model.wn.junctions()) == [5.0, 7.5, 10.0]


def test_net1_sources_a_reservoir_at_its_head_and_a_tank_at_its_level():
    """Net1 (WNTR's example): reservoir 9 at 800 ft, tank 2 at 850 ft with 120 ft of water."""
    from gis.io.epanet import read_epanet_sources

    net1 = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net1.inp")
    got = read_epanet_sources(net1, crs=CRS).set_index("source_id")
    assert got["kind"].to_dict() == {"9": "reservoir", "2": "tank"}
    assert got.loc["9", "head_m"] == pytest.approx(800 * 0.3048)
    assert got.loc["2", "head_m"] == pytest.approx((850 + 120) * 0.3048)


def test_an_epanet_file_without_a_source_is_refused_by_name(tmp_path):
    from gis.errors import InputFormatError
    from gis.io.epanet import read_epanet_sources

    path = tmp_path / "no_source.inp"
    text = HAND_INP.replace(" R1 50\n", "").replace(" P1 R1 J1", " P1 J2 J1")
    path.write_text(text.replace(" R1 616000 3419000\n", ""))
    with pytest.raises(InputFormatError, match="no reservoir or tank"):
        read_epanet_sources(path, crs=CRS)
